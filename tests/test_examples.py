"""The Done-when checks of issue 2 on real notes: the two shared examples, the kepano vault,
the sample vault, and notes in an Obsidian templates folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vaultkit.rules import REGISTRY

Vault = Callable[[dict[str, str | bytes]], Path]
Check = Callable[..., Any]

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = SHARED / "examples"
KEPANO = SHARED / "corpora" / "kepano-obsidian"
NOTE0 = "000_9b697ea2ae0f5582.md"
NOTE1 = "001_5b424d46e803c8ce.md"


def _need(path: Path) -> None:
    if not path.is_dir():
        pytest.skip(f"{path} is not here")


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The two example notes copied into a fresh vault as .md, and the JSON check of it."""
    _need(EXAMPLES)
    root = tmp_path_factory.mktemp("examples")
    (root / ".obsidian").mkdir()
    for src in sorted(EXAMPLES.glob("*.txt")):
        shutil.copyfile(src, root / (src.stem + ".md"))
    proc = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--format", "json", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    data: dict[str, Any] = json.loads(proc.stdout)
    return root, data


def _lines(root: Path, name: str) -> list[str]:
    return (root / name).read_text("utf-8").split("\n")


def _col(root: Path, name: str, line: int, needle: str) -> int:
    """1-based column of ``needle`` on ``line`` of the note, read from the file itself."""
    text = _lines(root, name)[line - 1]
    assert needle in text, (line, needle, text)
    return text.index(needle) + 1


def _found(data: dict[str, Any], code: str, path: str) -> list[dict[str, Any]]:
    return [d for d in data["diagnostics"] if d["code"] == code and d["path"] == path]


def test_examples_broken_wikilinks(examples: tuple[Path, dict[str, Any]]) -> None:
    root, data = examples
    got = [(d["line"], d["column"], d["message"].split("'")[1]) for d in _found(data, "VK001", NOTE0)]
    assert got == [
        (54, _col(root, NOTE0, 54, "[[Work Log]]"), "Work Log"),
        (63, 1, "(L_DC) Defeating Nondeterminism in LLM Inference"),
    ]
    assert _found(data, "VK001", NOTE1) == []


def test_examples_glued_url_and_url_with_a_space(examples: tuple[Path, dict[str, Any]]) -> None:
    root, data = examples
    (glued,) = _found(data, "VK004", NOTE0)
    assert (glued["line"], glued["column"]) == (35, _col(root, NOTE0, 35, "[Deciphering LangChain"))
    url = "https://amaarora.github.io/posts/2023-07-25-llmchain.html"
    assert f"glued to a copy of itself: {url}{url}" in glued["message"]
    assert glued["fixable"] is True
    (space,) = _found(data, "VK004", NOTE1)
    assert (space["line"], space["column"]) == (37, _col(root, NOTE1, 37, "[Things we learned"))
    assert "'https://simonwil lison.net/2024/Dec/31/llms-in-2024/'" in space["message"]
    assert "https://simonwillison.net/2024/Dec/31/llms-in-2024/" in space["message"]


# (line, line of the first occurrence, URL on the line, the item is nothing but the link)
DUPLICATES_001 = [
    (49, 33, "https://newsletter.languagemodels.co/p/the-illustrated-deepseek-r1", True),
    (61, 71, "https://github.com/srush/GPU-Puzzles", True),  # the bare URL goes, the titled one stays
    (102, 85, "https://huggingface.co/blog/4bit-transformers-bitsandbytes", True),
    (254, 196, "https://www.youtube.com/@umarjamilai/videos", False),  # "(Umar Videos)" follows
    (267, 32, "https://arxiv.org/pdf/2501.12948", True),
]


def test_examples_duplicate_urls(examples: tuple[Path, dict[str, Any]]) -> None:
    root, data = examples
    dups = [d for d in _found(data, "VK005", NOTE1) if d["severity"] == "warning"]
    assert [(d["line"], int(re.findall(r"line (\d+)", d["message"])[0])) for d in dups] == [
        (line, first) for line, first, _, _ in DUPLICATES_001
    ]
    lines = _lines(root, NOTE1)
    for d, (line, first, url, whole_item) in zip(dups, DUPLICATES_001, strict=True):
        assert url in lines[line - 1] and url in lines[first - 1]
        # A list item that is nothing but the duplicate is reported on its whole line, the
        # span `fix --unsafe-fixes` removes; otherwise at the URL itself.
        expected_col = 1 if whole_item else _col(root, NOTE1, line, url)
        assert d["column"] == expected_col, (d, lines[line - 1])
        assert d["fixable"] is whole_item
    (dup0,) = [d for d in _found(data, "VK005", NOTE0) if d["severity"] == "warning"]
    # line 18's link text is its URL, line 40's is a title: the bare copy is the one to remove
    assert dup0["line"] == 18 and "also on line 40 with a title" in dup0["message"]


def test_examples_empty_list_items(examples: tuple[Path, dict[str, Any]]) -> None:
    root, data = examples
    items = _found(data, "VK007", NOTE1)
    assert [(d["line"], d["column"]) for d in items] == [(50, 1), (120, 1), (153, 1), (161, 1), (353, 1)]
    lines = _lines(root, NOTE1)
    for d in items[:4]:
        assert lines[d["line"] - 1].strip() == "-"
    assert lines[352] == "- -->"  # the comment closes right after an empty bullet
    assert _found(data, "VK007", NOTE0) == []


def test_examples_report_nothing_else_that_is_an_error(examples: tuple[Path, dict[str, Any]]) -> None:
    _, data = examples
    errors = sorted(
        (d["path"], d["line"], d["code"]) for d in data["diagnostics"] if d["severity"] == "error"
    )
    assert errors == [(NOTE0, 35, "VK004"), (NOTE0, 54, "VK001"), (NOTE0, 63, "VK001"), (NOTE1, 37, "VK004")]


def test_examples_hidden_jekyll_date_with_a_schema(
    examples: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    root, _ = examples
    vault = tmp_path / "v"
    shutil.copytree(root, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    (vault / ".vaultkit.toml").write_text(
        'select = ["invalid-frontmatter"]\n[frontmatter.types]\ndate = "date"\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--format", "json", str(vault / NOTE1)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    (d,) = json.loads(proc.stdout)["diagnostics"]
    assert (d["line"], d["column"], d["code"]) == (4, 1, "VK006")
    assert "2025-01-3 12:00:00 +0530" in d["message"]


# --- kepano-obsidian -----------------------------------------------------------------------


def _stems(root: Path) -> set[str]:
    out: set[str] = set()
    for _folder, _, names in os.walk(root):
        for name in names:
            name = unicodedata.normalize("NFC", name).casefold()
            out |= {name, name.rsplit(".", 1)[0]}
    return out


def test_kepano_vault_runs_cleanly_and_reports_only_real_problems() -> None:
    _need(KEPANO)
    proc = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--format", "json", str(KEPANO)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["summary"]["files"] >= 100
    # Every finding is a wikilink to a note that exists nowhere in the vault (Obsidian shows
    # each as unresolved). Templates' {{date}} frontmatter and empty `- ` bullets are not
    # findings, and .base files resolve as attachments.
    assert {d["code"] for d in data["diagnostics"]} == {"VK001"}
    stems = _stems(KEPANO)
    for d in data["diagnostics"]:
        target = re.match(r"(?:wikilink|embed) target '([^']+)'", d["message"])
        assert target, d
        name = target.group(1)
        assert unicodedata.normalize("NFC", name).casefold() not in stems, d
        line = (KEPANO / d["path"]).read_text("utf-8").split("\n")[d["line"] - 1]
        assert line[d["column"] - 1 :].startswith(("[[" + name, "![[" + name)), (d, line)


def test_kepano_text_output(vk: Callable[..., Any]) -> None:
    _need(KEPANO)
    run = vk("check", KEPANO)
    assert run.code == 1
    assert "Templates/" not in "".join(
        line for line in run.stdout.splitlines() if "VK006" in line or "VK007" in line
    )


# --- templates folder ----------------------------------------------------------------------

TEMPLATE = (
    '---\ncategories:\n  - "[[Nope]]"\ncreated: {{date}}\nlast: {{date:YYYY-MM-DD}}\n---\n## Notes\n\n- \n'
)


@pytest.mark.parametrize(
    ("setting", "content"),
    [
        (".obsidian/templates.json", '{"folder": "Templates"}'),
        (".obsidian/plugins/templater-obsidian/data.json", '{"templates_folder": "Templates/"}'),
    ],
)
def test_templates_folder_placeholders(vault: Vault, check: Check, setting: str, content: str) -> None:
    root = vault(
        {
            setting: content,
            ".vaultkit.toml": '[frontmatter]\nrequired = ["title"]\n[frontmatter.types]\ncreated = "date"\n',
            "Templates/Book.md": TEMPLATE,
            "Notes/Copied by hand.md": TEMPLATE,
        }
    )
    run = check(root)
    # In the templates folder: only the real unresolved link.
    assert [w for w in run.where() if w[0].startswith("Templates/")] == [("Templates/Book.md", 3, 6, "VK001")]
    # Outside it, {{date}} is YAML that Obsidian cannot read either, and `- ` is an empty item.
    outside = [w for w in run.where() if w[0].startswith("Notes/")]
    assert outside == [
        ("Notes/Copied by hand.md", 3, 6, "VK001"),
        ("Notes/Copied by hand.md", 4, 1, "VK006"),
        ("Notes/Copied by hand.md", 9, 1, "VK007"),
    ]


# --- the sample vault ----------------------------------------------------------------------


def test_sample_vault_fires_every_offline_rule(check: Check) -> None:
    run = check(REPO / "sample_vault")
    assert run.code == 1
    offline = {r.code for r in REGISTRY.values() if not r.online}
    assert {f"VK{n:03d}" for n in range(13)} <= offline
    assert {d["code"] for d in run.diags()} == offline
    # ... and some notes are clean.
    noisy = {d["path"] for d in run.diags()}
    assert "Clean Note.md" not in noisy and "ML/Transformers.md" not in noisy
