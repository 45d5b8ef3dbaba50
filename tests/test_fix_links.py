"""Issue 12: fixes that never damage a note's links.

Real vaults in tmp_path, the real CLI; each case asserts the exact bytes written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.fixkit import make_vault, vk

from vaultkit.fixing.fixpoint import fix_text
from vaultkit.index.names import VaultIndex
from vaultkit.index.slug import github_slug
from vaultkit.model import Diagnostic, Edit, Note, Severity
from vaultkit.parse.note import parse_note
from vaultkit.rules.base import Context, FixKind, FixSafety, Rule


def fixed(tmp_path: Path, files: dict[str, str], *args: str) -> tuple[Path, str]:
    root = make_vault(tmp_path, files)
    run = vk("fix", *args, root)
    assert run.code == 0, run.output
    return root, run.output


# ---------------------------------------------------------------- whitespace inside a URL

ISSUE_URLS = (
    "- ![screenshot](https://raw.githubusercontent.com/u/r/HEAD/preview_Blue Topaz.png)\n"
    "- [search](https://example.com/s?q=hello world)\n"
    "- [two](https://example.com/k https://example.com/l)\n"
    "- [Simon](https://simonwil lison.net/2024/)\n"
)


def test_the_three_urls_of_the_issue_keep_their_targets(tmp_path: Path) -> None:
    root, _ = fixed(tmp_path, {"n.md": ISSUE_URLS})
    assert (root / "n.md").read_bytes() == (
        b"- ![screenshot](https://raw.githubusercontent.com/u/r/HEAD/preview_Blue%20Topaz.png)\n"
        b"- [search](https://example.com/s?q=hello%20world)\n"
        b"- [two](https://example.com/k https://example.com/l)\n"  # never merged
        b"- [Simon](https://simonwillison.net/2024/)\n"
    )


def test_two_urls_in_one_link_split_only_with_unsafe_fixes(tmp_path: Path) -> None:
    note = "- [two](https://example.com/k https://example.com/l)\n- ![i](https://a.io/x.png https://a.io/y.png)\n"
    root, _ = fixed(tmp_path, {"n.md": note}, "--unsafe-fixes")
    assert (root / "n.md").read_bytes() == (
        b"- [two](https://example.com/k) [two](https://example.com/l)\n"
        b"- ![i](https://a.io/x.png) ![i](https://a.io/y.png)\n"
    )


def test_whitespace_messages_say_what_the_fix_writes(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": ISSUE_URLS})
    data = json.loads(vk("check", "--format", "json", root).stdout)
    messages = {d["line"]: (d["message"], d["fixable"]) for d in data["diagnostics"] if d["code"] == "VK004"}
    assert messages == {
        1: (
            "URL contains a space: 'https://raw.githubusercontent.com/u/r/HEAD/preview_Blue Topaz.png'; "
            "the fix writes it as %20: https://raw.githubusercontent.com/u/r/HEAD/preview_Blue%20Topaz.png",
            True,
        ),
        2: (
            "URL contains a space: 'https://example.com/s?q=hello world'; "
            "the fix writes it as %20: https://example.com/s?q=hello%20world",
            True,
        ),
        3: (
            "two URLs in one link: 'https://example.com/k https://example.com/l'; 'vaultkit fix "
            "--unsafe-fixes' splits it into 2 links, to https://example.com/k, https://example.com/l",
            True,  # JSON's fixable includes the unsafe fixes (the text format does not)
        ),
        4: (
            "whitespace in the host name of 'https://simonwil lison.net/2024/'; "
            "the fix writes https://simonwillison.net/2024/",
            True,
        ),
    }


@pytest.mark.parametrize(
    "note",
    [
        "- [t](https://exa mple/a)\n",  # joined, still no valid host
        "- [t](https://ex ample.org/a b)\n",  # breaks in host and path
        "- [t](https://a.io/a\tb)\n",  # a tab
    ],
)
def test_whitespace_without_one_reading_is_left(tmp_path: Path, note: str) -> None:
    root, _ = fixed(tmp_path, {"n.md": note}, "--unsafe-fixes")
    assert (root / "n.md").read_text("utf-8") == note
    (d,) = json.loads(vk("check", "--format", "json", root).stdout)["diagnostics"]
    assert "no single reading, so it is not fixed" in d["message"] and not d["fixable"]


# ---------------------------------------------------------------- mojibake inside links

TOC_HEADINGS = ["◻️Training", "✅Evaluation", "🚀 Deploy", "Données ◻️ brutes"]


def _mac(text: str) -> str:
    return text.encode("utf-8").decode("mac_roman")


def toc_note(damaged: bool) -> str:
    """A GitHub README's table of contents, pasted through Mac Roman when ``damaged``."""
    moj = _mac if damaged else (lambda s: s)
    toc = "".join(f"- [{h}](#{moj(github_slug(h))})\n" for h in TOC_HEADINGS)
    body = "".join(f"#### {moj(h)}\n\ntext\n\n" for h in TOC_HEADINGS)
    return "# Guide\n\n" + toc + "\n" + body


def test_toc_fragments_resolve_after_fix(tmp_path: Path) -> None:
    assert "(#Ô∏ètraining)" in toc_note(True)  # the fragment keeps GitHub's U+FE0F, damaged
    root = make_vault(tmp_path, {"README.md": toc_note(True)})
    before = json.loads(vk("check", "--format", "json", root).stdout)["diagnostics"]
    assert any(d["code"] == "VK008" and d["line"] == 3 for d in before)  # the fragment is mojibake
    assert vk("fix", root).code == 0
    assert (root / "README.md").read_bytes() == toc_note(False).encode("utf-8")
    after = json.loads(vk("check", "--format", "json", root).stdout)
    assert after["diagnostics"] == []


def test_mojibake_in_a_wikilink_target_and_a_url(tmp_path: Path) -> None:
    note = _mac("Voir [[Café crème]] et [wiki](https://fr.wikipedia.org/wiki/Crème_brûlée) — café.\n")
    root, _ = fixed(tmp_path, {"n.md": note, "Café crème.md": "# Café\n"})
    assert (root / "n.md").read_text("utf-8") == (
        "Voir [[Café crème]] et [wiki](https://fr.wikipedia.org/wiki/Crème_brûlée) — café.\n"
    )


def test_fragment_repair_that_matches_no_heading_is_not_written(tmp_path: Path) -> None:
    note = "- [x](#" + _mac("\ufe0fnowhere") + ")\n\n#### " + _mac("◻️Training") + "\n"
    root, _ = fixed(tmp_path, {"n.md": note})
    assert (root / "n.md").read_text("utf-8") == note.replace(_mac("◻️Training"), "◻️Training")
    found = json.loads(vk("check", "--format", "json", root).stdout)["diagnostics"]
    assert any("not fixed: the repaired fragment" in d["message"] for d in found)


# ---------------------------------------------------------------- one clear candidate

VAULT = {
    "Plugins/Dataview.md": "# Dataview\n\n## Installation guide\n\n## Query language\n",
    "Déjà vu.md": "# Déjà vu\n",
    "Media/clip.mp4": "",
    "Media/clip notes.md": "",
}


def test_broken_names_and_anchors_fixed_only_with_unsafe_fixes(tmp_path: Path) -> None:
    note = (
        "[[deja-vu]] [[Old/Folder/Dataview]] [[Dataview#Instalation guide]] "
        "[q](Plugins/Dataview.md#query-languag) [[obsidian-dataview]]\n"
    )
    root = make_vault(tmp_path, {**VAULT, "n.md": note})
    assert vk("fix", root).code == 0
    assert (root / "n.md").read_text("utf-8") == note  # a plain fix never retargets
    found = json.loads(vk("check", "--format", "json", root).stdout)["diagnostics"]
    messages = [d["message"] for d in found]
    assert messages == [
        "wikilink target 'deja-vu' is not in the vault; did you mean [[Déjà vu]]? "
        "('vaultkit fix --unsafe-fixes' writes it)",
        "wikilink target 'Old/Folder/Dataview' is not in the vault; did you mean [[Dataview]]? "
        "('vaultkit fix --unsafe-fixes' writes it)",
        "heading '#Instalation guide' is not in Plugins/Dataview.md; did you mean "
        "'#Installation guide'? ('vaultkit fix --unsafe-fixes' writes it)",
        "heading '#query-languag' is not in Plugins/Dataview.md; did you mean '#query-language'? "
        "('vaultkit fix --unsafe-fixes' writes it)",
        # a word match is a suggestion, never a fix
        "wikilink target 'obsidian-dataview' is not in the vault; did you mean [[Dataview]]?",
    ]
    assert vk("fix", "--unsafe-fixes", root).code == 0
    assert (root / "n.md").read_text("utf-8") == (
        "[[Déjà vu]] [[Dataview]] [[Dataview#Installation guide]] "
        "[q](Plugins/Dataview.md#query-language) [[obsidian-dataview]]\n"
    )


def test_embed_suggestions_are_of_the_right_kind(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {**VAULT, "n.md": "![[clip.mp3]] ![[clips.mp4]]\n"})
    first, second = json.loads(vk("check", "--format", "json", root).stdout)["diagnostics"]
    assert first["message"].endswith("create the note, or correct the link")  # no note offered
    assert "did you mean [[clip.mp4]]?" in second["message"]


# ---------------------------------------------------------------- duplicates


def test_unsafe_duplicate_removal_keeps_the_described_copy(tmp_path: Path) -> None:
    note = (
        "- https://github.com/srush/GPU-Puzzles\n- [Other](https://a.io/x)\n"
        "- [GPU puzzles](https://github.com/srush/GPU-Puzzles)\n"
        "- [https://b.io/y](https://b.io/y)\n- [B's post](https://b.io/y)\n"
        "- [First](https://c.io/z)\n- [Second](https://c.io/z)\n"
    )
    root, _ = fixed(tmp_path, {"n.md": note}, "--unsafe-fixes")
    assert (root / "n.md").read_text("utf-8") == (
        "- [Other](https://a.io/x)\n- [GPU puzzles](https://github.com/srush/GPU-Puzzles)\n"
        "- [B's post](https://b.io/y)\n- [First](https://c.io/z)\n"
    )


# ---------------------------------------------------------------- fix safety in the docs


def test_every_rule_documents_its_fix_safety() -> None:
    """As ruff's rule docs: a "Fix safety" section, saying safe, unsafe or no fix, and why."""
    from vaultkit.rules import REGISTRY
    from vaultkit.rules.base import FixSafety

    opening = {FixSafety.NONE: "No fix", FixSafety.SAFE: "Safe", FixSafety.UNSAFE: "Unsafe"}
    for r in REGISTRY.values():
        assert "\n## Fix safety\n\n" in r.doc, r.name
        section = r.doc.split("\n## Fix safety\n\n", 1)[1]
        assert section.startswith(opening[r.safety]), (r.name, section)
        assert len(section.split()) >= 8, (r.name, section)  # the reason, not just the word


def test_rules_shows_each_fix_safety(tmp_path: Path) -> None:
    rows = {line.split()[0]: line.split()[3] for line in vk("rules").stdout.splitlines()[1:]}
    assert (rows["VK001"], rows["VK002"], rows["VK004"], rows["VK005"], rows["VK003"]) == (
        "unsafe",
        "unsafe",
        "safe",
        "unsafe",
        "no",
    )


# ---------------------------------------------------------------- the guard itself


def _declaring(old: str, new: str, change: str) -> Rule:
    """A hand-made URL-kind rule replacing ``old`` by ``new`` in the text, declaring ``change``."""

    def check(note: Note, ctx: Context) -> Iterator[Diagnostic]:
        start = note.text.find(old)
        if start >= 0:
            edit = Edit(start, start + len(old), new)
            yield Diagnostic(
                note.path, 1, 1, 1, 1, "VK990", "test-rule", Severity.WARNING, "x", (edit,),
                extra={"change": change}, offset=start, end_offset=start + len(old),
            )  # fmt: skip

    return Rule("VK990", "test-rule", Severity.WARNING, check, FixKind.URL, FixSafety.SAFE, fix_message="{n}")


def _guarded(text: str, rule: Rule) -> str | None:
    return fix_text(parse_note("n.md", text), [rule], Context(VaultIndex(["n.md"], []))).refused


def test_guard_refuses_the_old_whitespace_repair_whatever_it_declares() -> None:
    """The bug of the issue, made by a rule that calls it %20 encoding: the guard sees that
    the decoded URL changed (a different file on the server) and refuses."""
    text = "![s](https://raw.githubusercontent.com/u/r/HEAD/preview_Blue Topaz.png)\n"
    joined = _declaring("Blue Topaz", "BlueTopaz", "percent-encoded")
    assert _guarded(text, joined) == (
        "line 1: a fix would change https://raw.githubusercontent.com/u/r/HEAD/preview_Blue Topaz.png "
        "to https://raw.githubusercontent.com/u/r/HEAD/preview_BlueTopaz.png "
        "(not a percent-encoded change); not written"
    )
    assert _guarded(text, _declaring("Blue Topaz", "Blue%20Topaz", "percent-encoded")) is None


def test_guard_accepts_a_fragment_repair_only_when_it_resolves() -> None:
    damaged = _mac("\ufe0f")  # "Ô∏è"
    rule = _declaring("#" + damaged, "#\ufe0f", "mojibake-repaired")
    good = f"[t](#{damaged}training)\n\n## ◻️Training\n"
    assert _guarded(good, rule) is None
    bad = f"[t](#{damaged}nowhere)\n\n## ◻️Training\n"
    refused = _guarded(bad, rule)
    assert refused is not None and "(not a mojibake-repaired change)" in refused
