"""The facts index in .vaultkit_cache/ and the worker pool: real files, real processes."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli
from vaultkit.lint import pipeline
from vaultkit.lint.cache import CACHE_DIR, MAC_BYTES, RACY_NS, seal, store_path
from vaultkit.lint.pipeline import run_check as check
from vaultkit.lint.session import Session, open_vault, select_rules

REPO = Path(__file__).resolve().parents[1]
SQLITE = b"SQLite format 3\0"


def make(root: Path, files: dict[str, str]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def age(root: Path, seconds: float = 10.0) -> None:
    """Backdate every note, so that its mtime is not 'racy' against the cache's write time."""
    past = (os.stat(root).st_mtime_ns - int(seconds * 1e9)) / 1e9
    for p in root.rglob("*.md"):
        os.utime(p, (past, past))


def run(root: Path, *paths: Path, use_cache: bool = True) -> tuple[Session, list[tuple[str, int, str]]]:
    session = open_vault(list(paths) or [root])
    diags = check(session, select_rules(session.config), use_cache=use_cache)
    return session, [(d.path, d.line, d.code) for d in diags]


VAULT = {
    "A.md": "# A\n\nSee [[B#Section]] and [[Missing]].\n",
    "B.md": "# B\n\n## Section\n\nBack to [[A]]. https://example.com/x\n",
    "C.md": "# C\n\nhttps://example.com/x\n",
}


def test_first_run_writes_a_cache_that_git_ignores(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    run(root)
    ignore = root / CACHE_DIR / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert store_path(root).read_bytes().startswith(SQLITE)


def test_warm_run_parses_nothing_and_reports_the_same(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    age(root)
    cold_session, cold = run(root)
    assert cold_session.stats["parsed"] == 3
    warm_session, warm = run(root)
    assert warm == cold
    assert warm_session.stats["parsed"] == 0 and warm_session.stats["cached"] == 3
    assert warm_session.stats["cross_note_checked"] == 0  # nothing another note sees changed
    assert run(root, use_cache=False)[1] == cold


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(root)])
    assert result.exit_code == 1
    assert not (root / CACHE_DIR).exists()


def test_a_changed_note_is_parsed_again(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    age(root)
    run(root)
    (root / "C.md").write_text("# C\n\n[[Nowhere]]\n", encoding="utf-8")
    session, diags = run(root)
    assert session.stats["parsed"] == 1
    assert ("C.md", 3, "VK001") in diags


def test_same_size_and_mtime_but_new_bytes_is_caught_by_the_hash(tmp_path: Path) -> None:
    """A write within the file system's timestamp granularity (the racy case)."""
    root = make(tmp_path / "v", VAULT)
    run(root)  # the notes were just written: their mtimes are racy against this cache
    st = os.stat(root / "C.md")
    assert st.st_mtime_ns > os.stat(store_path(root)).st_mtime_ns - RACY_NS
    new = "# C\n\n[[Nowhere]]"
    (root / "C.md").write_text(new + "x" * (st.st_size - len(new) - 1) + "\n", encoding="utf-8")
    os.utime(root / "C.md", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(root / "C.md").st_size == st.st_size
    session, diags = run(root)
    assert ("C.md", 3, "VK001") in diags
    assert session.stats["parsed"] == 1


def test_touched_but_unchanged_note_is_not_parsed(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    age(root)
    run(root)
    os.utime(root / "A.md")  # new mtime, same bytes (a checkout, an editor's save)
    session, _ = run(root)
    assert session.stats["parsed"] == 0


def test_cross_note_rules_recompute_when_another_note_changes(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    age(root)
    assert ("A.md", 3, "VK002") not in run(root, root / "A.md")[1]
    (root / "B.md").write_text("# B\n\n## Renamed\n\nBack to [[A]].\n", encoding="utf-8")
    session, diags = run(root, root / "A.md")  # pre-commit style: only A is named
    assert ("A.md", 3, "VK002") in diags
    assert session.stats["parsed"] == 1  # B, re-read because it changed; A came from the cache


@pytest.mark.parametrize("blob", [b"garbage", SQLITE + b"\x00\x01" * 60, b"\0" * 4096])
def test_corrupt_cache_is_discarded(tmp_path: Path, blob: bytes) -> None:
    root = make(tmp_path / "v", VAULT)
    _, expected = run(root)
    store_path(root).write_bytes(blob)
    session, diags = run(root)
    assert diags == expected
    assert session.stats["parsed"] == 3
    assert store_path(root).read_bytes().startswith(SQLITE)  # rewritten


@pytest.mark.parametrize("field", [1, 2, 3, 4])  # version, code fingerprint, config, plugins
def test_foreign_cache_is_discarded(tmp_path: Path, field: int) -> None:
    """An index written under another header (version, code, config, plugins) is never
    trusted, though its rows are signed as this machine signs them."""
    root = make(tmp_path / "v", VAULT)
    age(root)
    _, expected = run(root)
    db = sqlite3.connect(store_path(root))
    header = marshal.loads(db.execute("SELECT v FROM meta WHERE k = 'header'").fetchone()[0][MAC_BYTES:])
    other = tuple("other" if i == field else h for i, h in enumerate(header))
    assert len(other) == 5 and other != tuple(header)
    db.execute("UPDATE meta SET v = ? WHERE k = 'header'", (seal(b"header", marshal.dumps(other, 2)),))
    for (rel,) in db.execute("SELECT rel FROM notes").fetchall():  # rows that say: no findings
        db.execute(
            "UPDATE notes SET diags = ? WHERE rel = ?", (seal(f"d\0{rel}".encode(), marshal.dumps(())), rel)
        )
    db.commit()
    db.close()
    session, diags = run(root)
    assert diags == expected and session.stats["parsed"] == 3


def test_config_change_invalidates(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    age(root)
    run(root)
    (root / ".vaultkit.toml").write_text('[severity]\nbroken-wikilink = "warning"\n', encoding="utf-8")
    session, _ = run(root)
    assert session.stats["parsed"] == 3


def test_few_notes_stay_serial_many_use_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"n{i}.md": f"# N{i}\n\n[[n{i + 1}]] [[gone{i % 3}]]\n" for i in range(40)}
    root = make(tmp_path / "v", files)
    serial, serial_diags = run(root, use_cache=False)
    assert serial.stats["workers"] == 0
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the pool is never used")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_NOTES", 10)
    parallel, parallel_diags = run(root, use_cache=False)
    assert parallel.stats["workers"] >= 2
    assert parallel_diags == serial_diags


INSTALL_RUN = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "import vaultkit\n"
    "from vaultkit.lint.pipeline import run_check\n"
    "from vaultkit.lint.session import open_vault, select_rules\n"
    "session = open_vault([Path(sys.argv[1])])\n"
    "run_check(session, select_rules(session.config))\n"
    "print(json.dumps({'file': vaultkit.__file__, **session.stats}))\n"
)


def _install(dest: Path) -> Path:
    """A copy of vaultkit's package, as another install holds it (new mtimes, same bytes)."""
    shutil.copytree(REPO / "vaultkit", dest / "vaultkit", copy_function=shutil.copyfile)
    return dest


def _run_install(install: Path, root: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(install)}
    out = subprocess.run(
        [sys.executable, "-c", INSTALL_RUN, str(root)],
        env=env,
        cwd=install,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    stats: dict[str, Any] = json.loads(out.stdout)
    assert stats["file"].startswith(str(install))
    return stats


def test_two_installs_of_the_same_version_share_a_warm_cache(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    age(root)
    first, second = _install(tmp_path / "one"), _install(tmp_path / "two")
    os.utime(second / "vaultkit" / "__init__.py", ns=(1, 1))  # whatever the mtimes
    assert _run_install(first, root)["parsed"] == 3
    assert _run_install(second, root)["parsed"] == 0  # warm: the same cache file
    assert _run_install(first, root)["parsed"] == 0  # and back: no thrashing
    assert (
        (root / CACHE_DIR / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    # Edited code is another key: its own file, and the first one stays.
    edited = _install(tmp_path / "edited")
    with (edited / "vaultkit" / "model.py").open("a") as handle:
        handle.write("\n# edited\n")
    assert _run_install(edited, root)["parsed"] == 3
    assert len(list((root / CACHE_DIR).glob("*/index-*.sqlite"))) == 2
    assert _run_install(second, root)["parsed"] == 0


def test_old_cache_files_are_cleaned_up(tmp_path: Path) -> None:
    root = make(tmp_path / "v", VAULT)
    run(root)
    folder = root / CACHE_DIR
    (folder / "facts.marshal").write_bytes(b"old layout")
    for i in range(5):
        old = folder / f"0.0.{i}" / "index-0123456789abcdef.sqlite"
        old.parent.mkdir()
        old.write_bytes(b"x")
        (old.parent / (old.name + "-wal")).write_bytes(b"w")
        (old.parent / "facts-0123456789abcdef.marshal").write_bytes(b"an earlier format")
        os.utime(old, ns=(i * 10**9, i * 10**9))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index-keep.sqlite").write_bytes(b"not ours")
    (folder / "linked").symlink_to(outside)
    run(root)
    kept = sorted(p.parent.name for p in folder.glob("*/index-*.sqlite") if not p.parent.is_symlink())
    assert kept == ["0.0.3", "0.0.4", store_path(root).parent.name]
    assert not list(folder.glob("*/facts-*.marshal")) and not (folder / "facts.marshal").exists()
    assert not (folder / "0.0.0").exists()  # its index and -wal removed, then the empty folder
    assert (outside / "index-keep.sqlite").exists()  # nothing is removed through a symlink
