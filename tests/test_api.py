"""The public API: the README's examples run as written, and the API keeps its promises
(typed results, no cache folder unless asked, nothing written on a dry run)."""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vaultkit
from vaultkit.errors import ConfigError
from vaultkit.lint.cache import store_path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def _api_section() -> str:
    match = re.search(r"^## Python API\n(.*?)^## ", README, re.S | re.M)
    assert match, "README lost its 'Python API' section"
    return match.group(1)


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```pycon\n(.*?)```", _api_section(), re.S)
    assert len(blocks) == 2
    text = "\n".join(blocks)
    for name in ("check_text", "fix_text", "check", "fix", "export"):
        assert f"vaultkit.{name}(" in text, f"the README has no example of vaultkit.{name}"
    vault = tmp_path / "sample_vault"
    shutil.copytree(REPO / "sample_vault", vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    before = _snapshot(vault)
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(text, {}, "README Python API", str(REPO / "README.md"), 0)
    assert len(test.examples) >= 15
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=sys.stdout.write)
    assert runner.failures == 0, "a README example gave another result (see the output above)"
    # check, a dry-run fix and export wrote nothing into the vault: no cache folder either
    assert _snapshot(vault) == before
    assert (tmp_path / "index.db").read_bytes().startswith(b"SQLite format 3\x00")


def test_cache_only_when_asked(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "a.md").write_text("See [[b]].\n", encoding="utf-8")
    first = vaultkit.check(vault)
    assert [d.code for d in first.diagnostics] == ["VK001"]
    assert not (vault / ".vaultkit_cache").exists()
    assert vaultkit.check(vault, cache=True).diagnostics == first.diagnostics
    assert store_path(vault).is_file()


def test_fix_writes_unless_dry_run(tmp_path: Path) -> None:
    note = tmp_path / "a.md"
    note.write_bytes(b"- [x](https://a.io/?utm_source=feed)\r\n")
    dry = vaultkit.fix(tmp_path, dry_run=True)
    found = [(f.path, f.status, f.applied) for f in dry.files]
    assert found == [("a.md", "would-fix", {"tracking-params": 1})]
    assert "+- [x](https://a.io/)" in dry.files[0].diff()
    assert note.read_bytes() == b"- [x](https://a.io/?utm_source=feed)\r\n"
    done = vaultkit.fix(tmp_path, select=["tracking-params"])
    assert [(f.status, f.before, f.after) for f in done.files] == [("fixed", "", "")]
    assert note.read_bytes() == b"- [x](https://a.io/)\r\n"  # line endings kept
    assert done.totals() == {"tracking-params": 1} and not done.failed
    assert vaultkit.fix(tmp_path).files == []  # idempotent


def test_text_functions_take_rule_selections() -> None:
    note = "- [x](https://a.io/?utm_source=feed)\n-\n"
    assert [d.rule for d in vaultkit.check_text(note, ignore=["VK011"])] == ["empty-list-item"]
    fixed = vaultkit.fix_text(note, select=["tracking-params"])
    assert fixed.text == "- [x](https://a.io/)\n-\n"
    assert [d.rule for d in fixed.remaining] == []  # only the selected rule ran
    assert isinstance(vaultkit.check_text(note)[0], vaultkit.Diagnostic)
    with pytest.raises(ConfigError, match="unknown rule 'nope'"):
        vaultkit.check_text(note, select=["nope"])


def test_fix_text_applies_unsafe_fixes_only_when_asked() -> None:
    # duplicate-url removes the second item only with unsafe=True, and the URL stays
    note = "- [a](https://a.io/x)\n- [a](https://a.io/x)\n"
    assert vaultkit.fix_text(note).text == note
    assert vaultkit.fix_text(note, unsafe=True).text == "- [a](https://a.io/x)\n"


def test_export_returns_or_writes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\n- [Post](https://a.io/post)\n", encoding="utf-8")
    csv = vaultkit.export(tmp_path, format="csv")
    assert csv.text is not None and csv.text.splitlines()[1].startswith("https://a.io/post,")
    assert (csv.resources, csv.notes, csv.output) == (1, 1, None)
    out = tmp_path / "out" / "index.json"
    out.parent.mkdir()
    written = vaultkit.export(tmp_path, output=out, generated="2025-01-01T00:00:00Z")
    assert written.output == out and written.text is None
    assert b'"generated": "2025-01-01T00:00:00Z"' in out.read_bytes()
    with pytest.raises(ConfigError, match="csv only"):
        vaultkit.export(tmp_path, format="json", dedupe=True)


def test_a_missing_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file or folder"):
        vaultkit.check(tmp_path / "nowhere")


def test_import_vaultkit_loads_no_api_until_asked() -> None:
    code = (
        "import sys, vaultkit; assert 'vaultkit.api' not in sys.modules; "
        "vaultkit.check_text; assert 'vaultkit.api' in sys.modules; print(vaultkit.__version__)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == vaultkit.__version__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        vaultkit.nope  # noqa: B018
