"""Link forms, Obsidian's resolution and tie-break, heading matching, and positions."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vaultkit.index.names import VaultIndex
from vaultkit.index.slug import obsidian_heading_key
from vaultkit.parse.note import parse_note

Vault = Callable[[dict[str, str | bytes]], Path]
Check = Callable[..., Any]

FILES: dict[str, str | bytes] = {
    "Name.md": "# Heading\n\n# H1\n\n## H2\n\nA paragraph. ^block\n",
    "folder/Note.md": "# Heading\n\n## Other\n",
    "My Note.md": "# Mine\n",
    "img.png": b"\x89PNG\r\n",
    "Doc.pdf": b"%PDF-1.4\n",
}

# (link as written, code expected for it: None when it must resolve)
FORMS = [
    ("[[Name]]", None),
    ("[[Nope]]", "VK001"),
    ("[[Name.md]]", None),
    ("[[Nope.md]]", "VK001"),
    ("[[folder/Note]]", None),
    ("[[wrong/Note]]", "VK001"),
    ("[[Name|alias]]", None),
    ("[[Nope|alias]]", "VK001"),
    ("[[Name#Heading]]", None),
    ("[[Name#Nope]]", "VK002"),
    ("[[Name#H1#H2]]", None),
    ("[[Name#H2#H1]]", "VK002"),
    ("[[#Local]]", None),
    ("[[#Nope]]", "VK002"),
    ("[[Name#^block]]", None),
    ("[[Name#^nope]]", "VK002"),
    ("![[img.png]]", None),
    ("![[nope.png]]", "VK001"),
    ("![[img.png|100x145]]", None),
    ("![[nope.png|100x145]]", "VK001"),
    ("![[Doc.pdf#page=3]]", None),
    ("![[Nope.pdf#page=3]]", "VK001"),
    ("[x](My%20Note.md)", None),
    ("[x](No%20Note.md)", "VK003"),
    ("[x](<My Note.md>)", None),
    ("[x](<No Note.md>)", "VK003"),
    ("[x](../folder/Note.md#Heading)", None),
    ("[x](../folder/Nope.md#Heading)", "VK003"),
    ("[x](../folder/Note.md#nope)", "VK002"),
    ("[[../Name]]", None),
    ("[[../sub/Nope]]", "VK001"),
    ("[[../folder/Note#Other]]", None),
    ("[[NAME]]", None),
    ("[[name#heading]]", None),
    ('<a href="../My Note.md">x</a>', None),
    ('<a href="../Nope.md">x</a>', "VK003"),
]


@pytest.mark.parametrize(("link", "code"), FORMS, ids=[f[0] for f in FORMS])
def test_link_form(vault: Vault, check: Check, link: str, code: str | None) -> None:
    root = vault({**FILES, "sub/Source.md": f"# Local\n\nText {link} end.\n"})
    run = check(root / "sub" / "Source.md")
    if code is None:
        assert run.diags() == []
    else:
        assert run.where() == [("sub/Source.md", 3, 6, code)]
        spanned = link if not link.startswith("<a") else link[: link.index(">")]  # tag to href
        assert run.diags()[0]["end_column"] == 6 + len(spanned)


def test_escaped_pipe_in_a_table(vault: Vault, check: Check) -> None:
    root = vault(
        {
            **FILES,
            "t.md": (
                "| link | note |\n"
                "| --- | --- |\n"
                "| [[Name\\|alias]] | ok |\n"
                "| [[Nope\\|alias]] | ![[img.png\\|50]] |\n"
                "| [[Name#Heading\\|h]] | [[Name#Gone\\|g]] |\n"
            ),
        }
    )
    run = check(root)
    assert run.where() == [("t.md", 4, 3, "VK001"), ("t.md", 5, 25, "VK002")]
    assert "target 'Nope' is not in the vault" in run.diags()[0]["message"]


def test_case_insensitive_and_nfc(vault: Vault, check: Check) -> None:
    decomposed = unicodedata.normalize("NFD", "Café Notes.md")
    root = vault({decomposed: "# Résumé\n", "a.md": "[[café notes]] [[CAFÉ NOTES#résumé]]\n"})
    assert (root / decomposed).exists() and decomposed != "Café Notes.md"
    assert check(root).diags() == []


def test_markdown_link_to_a_note_by_name_from_another_folder(vault: Vault, check: Check) -> None:
    # Obsidian looks a markdown destination up vault-wide too.
    root = vault({"deep/er/My Note.md": "# H\n", "a.md": "[x](My%20Note.md#h)\n"})
    assert check(root).diags() == []


# --- the tie-break -------------------------------------------------------------------------

TIE_CASES = [
    # exact vault path first, even over a note beside the linking note
    (["Name.md", "sub/Name.md"], "Name", "sub/x.md", "Name.md"),
    (["a/b/Name.md", "b/Name.md"], "b/Name", "zzz/x.md", "b/Name.md"),
    # then the linking note's own folder (an ancestor folder counts for nothing)
    (["a/Name.md", "sub/Name.md"], "Name", "sub/x.md", "sub/Name.md"),
    (["b/Name.md", "zzzz/Name.md"], "Name", "zzzz/deep/x.md", "b/Name.md"),
    # then the shortest path string (not the fewest folders)
    (["a/b/Name.md", "zzzz/Name.md"], "Name", "other/x.md", "a/b/Name.md"),
    (["a/b/Name.md", "b/Name.md"], "Name", "other/x.md", "b/Name.md"),
    # a path-qualified target matches as a suffix, with the same tie-break
    (["x/c/Name.md", "yy/c/Name.md"], "c/Name", "yy/s.md", "x/c/Name.md"),
    (["x/c/Name.md", "yy/c/Name.md"], "c/Name", "yy/c/s.md", "yy/c/Name.md"),
    # ../ is relative to the linking note
    (["Name.md", "a/Name.md"], "../Name", "a/b/x.md", "a/Name.md"),
    (["Name.md", "a/Name.md"], "./Name", "a/x.md", "a/Name.md"),
]


@pytest.mark.parametrize(("paths", "target", "source", "expected"), TIE_CASES)
def test_tie_break_index(paths: list[str], target: str, source: str, expected: str) -> None:
    index = VaultIndex(sorted([*paths, source]), [])
    assert index.resolve(target, source) == expected


def test_index_resolution_basics() -> None:
    nfd = unicodedata.normalize("NFD", "Café.md")
    index = VaultIndex(["Name.md", "f/Note.md", nfd], ["img.png", "f/Doc.pdf"])
    assert index.resolve("name", "x.md") == "Name.md"
    assert index.resolve("NAME.MD", "x.md") == "Name.md"
    assert index.resolve("Café", "x.md") == nfd
    assert index.resolve("Note", "x.md") == "f/Note.md"
    assert index.resolve("f/note", "x.md") == "f/Note.md"
    assert index.resolve("Doc.pdf", "x.md") == "f/Doc.pdf"
    assert index.resolve("Doc", "x.md") is None  # only notes may drop their extension
    assert index.resolve("img", "x.md") is None
    assert index.resolve("", "f/Note.md") == "f/Note.md"  # [[#Heading]]
    assert index.resolve_path("../Name.md", "f/Note.md") == "Name.md"
    assert index.resolve_path("../Nope.md", "f/Note.md") is None


@pytest.mark.parametrize(("paths", "target", "source", "expected"), TIE_CASES)
def test_tie_break_through_check(
    vault: Vault, check: Check, paths: list[str], target: str, source: str, expected: str
) -> None:
    # Only the expected file has the heading, so a broken-anchor means a wrong pick.
    files: dict[str, str | bytes] = {p: "# Wrong one\n" for p in paths}
    files[expected] = "# The Right One\n"
    files[source] = f"[[{target}#The Right One]]\n"
    root = vault(files)
    assert check(root / source).diags() == []


# --- Obsidian heading matching -------------------------------------------------------------

SAME_HEADING = [
    ("Step 1: Install", "step 1 install"),
    ("Step 1: Install", "STEP   1 :  INSTALL"),
    ("What's   new?", "what's new"),
    ("Café — Notes", "café notes"),
    ("  spaced   out  ", "spaced out"),
    ("C++ (and C#)", "c and c"),
    ("a/b [c]", "a b c"),
]
DIFFERENT_HEADING = [
    ("Step 1: Install", "Step 2 Install"),
    ("What's new", "whats new"),
    ("Intro", "Introduction"),
]


@pytest.mark.parametrize(("heading", "link"), SAME_HEADING)
def test_obsidian_heading_key_matches(heading: str, link: str) -> None:
    assert obsidian_heading_key(heading) == obsidian_heading_key(link)


@pytest.mark.parametrize(("heading", "link"), DIFFERENT_HEADING)
def test_obsidian_heading_key_differs(heading: str, link: str) -> None:
    assert obsidian_heading_key(heading) != obsidian_heading_key(link)


def test_obsidian_heading_matching_through_check(vault: Vault, check: Check) -> None:
    headings = "".join(f"## {h}\n\n" for h, _ in SAME_HEADING + DIFFERENT_HEADING)
    good = " ".join(f"[[Note#{link}]]" for _, link in SAME_HEADING)
    bad = "\n".join(f"[[Note#{link}]]" for _, link in DIFFERENT_HEADING)
    root = vault({"Note.md": headings, "a.md": f"{good}\n{bad}\n"})
    run = check(root)
    assert run.where() == [("a.md", 2, 1, "VK002"), ("a.md", 3, 1, "VK002"), ("a.md", 4, 1, "VK002")]


def test_markdown_fragment_uses_github_slugs_or_obsidian_text(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Note.md": "## Step 1: Install\n\n## Step 1: Install\n",
            "a.md": (
                "[a](Note.md#step-1-install) [b](Note.md#step-1-install-1)"
                " [c](Note.md#Step%201%20Install)\n"
                "[d](Note.md#step-1-install-2)\n"
            ),
        }
    )
    assert check(root).where() == [("a.md", 2, 1, "VK002")]


# --- positions -----------------------------------------------------------------------------


def test_positions_in_blocks(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "# Title [[N1]]\n"  # 1: heading
                "\n"
                "- item [[N2]]\n"  # 3: list item
                "  - nested [[N3]]\n"  # 4: nested list item
                "> quote [[N4]]\n"  # 5: blockquote
                "> > deeper [[N5]]\n"  # 6: nested blockquote
                "\n"
                "| col | col2 |\n"
                "|-----|------|\n"
                "| x | [[N6]] |\n"  # 10: table cell
                "\n"
                "1. first\n"
                "   > [x](missing.md)\n"  # 13: blockquote in an ordered item
                "\n"
                'Inline <a href="gone.md">a</a>\n'  # 15: html link
            )
        }
    )
    assert check(root).where() == [
        ("a.md", 1, 9, "VK001"),
        ("a.md", 3, 8, "VK001"),
        ("a.md", 4, 12, "VK001"),
        ("a.md", 5, 9, "VK001"),
        ("a.md", 6, 12, "VK001"),
        ("a.md", 10, 7, "VK001"),
        ("a.md", 13, 6, "VK003"),
        ("a.md", 15, 8, "VK003"),
    ]


def test_positions_in_frontmatter(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Books.md": "",
            "a.md": (
                '---\ncategories: ["[[Books]]", "[[Films]]"]\nrelated:\n  - "[[Nope]]"\n---\nbody [[Gone]]\n'
            ),
        }
    )
    assert check(root).where() == [("a.md", 2, 28, "VK001"), ("a.md", 4, 6, "VK001"), ("a.md", 6, 6, "VK001")]


def test_positions_crlf_and_bom(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "crlf.md": "---\r\ntitle: x\r\n---\r\nline [[N1]]\r\n\r\n- [[N2]]\r\n  -\t[x](gone.md)\r\n",
            "bom.md": "\ufeff# H\r\n[[N3]] x [[N4]]\n",
            "bomfm.md": "\ufeff---\ntitle: [unclosed\n---\n[[N5]]\n",
        }
    )
    assert check(root).where() == [
        ("bom.md", 2, 1, "VK001"),
        ("bom.md", 2, 10, "VK001"),
        ("bomfm.md", 2, 1, "VK006"),
        ("bomfm.md", 4, 1, "VK001"),
        ("crlf.md", 4, 6, "VK001"),
        ("crlf.md", 6, 3, "VK001"),
        ("crlf.md", 7, 5, "VK003"),
    ]


def test_nothing_from_code_or_math(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "`[[Code1]]` and ``[[Code2]] https://a.io/x https://a.io/x``\n"
                "\n"
                "```\n[[Fence]] [x](gone.md)\n-\n```\n"
                "\n"
                "~~~md\n[[Tilde]]\n~~~\n"
                "\n"
                "    [[Indented]] [x](gone.md)\n"
                "\n"
                "$[[Math1]]$ and $$[[Math2]]$$\n"
                "\n"
                "$$\n[[MathBlock]]\n$$\n"
                "\n"
                "- `-` is a marker and ``[x]()`` is code\n"
            )
        }
    )
    assert check(root).diags() == []


def test_obsidian_comments_count(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "x %% [[N1]] %% y\n\n%%\n[[N2]]\n%%\n"})
    assert check(root).where() == [("a.md", 1, 6, "VK001"), ("a.md", 4, 1, "VK001")]


def test_html_comment_links_count(vault: Vault, check: Check) -> None:
    # parse.py: links in <!-- --> are the user's links (drafts are wrapped whole in one).
    root = vault(
        {
            "a.md": (
                "<!-- [[N1]] -->\n"
                "\n"
                "<!--\n"
                "- [[N2]]\n"
                "- [x](gone.md)\n"
                "-->\n"
                "text <!-- [[N3]] --> after\n"
                "<!-- vaultkit-disable-next-line VK004 -->\n"
                "[t]()\n"
            )
        }
    )
    assert check(root).where() == [
        ("a.md", 1, 6, "VK001"),
        ("a.md", 4, 3, "VK001"),
        ("a.md", 5, 3, "VK003"),
        ("a.md", 7, 11, "VK001"),
    ]


def test_parse_marks_commented_links_and_yields_the_facts() -> None:
    text = (
        "---\ntags: [fm-tag]\n---\n"
        "# Heading *one*\n"
        "Body #inline #a/b and [[Note#H|alias]] ^blk\n"
        "<!-- [[Hidden]] -->\n"
        "text <!-- [[Inline]] --> https://example.com/x\n"
        "- item\n"
    )
    note = parse_note("n.md", text)
    assert [(h.level, h.text, h.line) for h in note.headings] == [(1, "Heading one", 4)]
    assert sorted(t.name for t in note.tags) == ["a/b", "fm-tag", "inline"]
    assert [(b.id, b.line) for b in note.block_ids] == [("blk", 5)]
    links = {(link.kind, link.target): link for link in note.links}
    wl = links[("wikilink", "Note")]
    assert (wl.anchor, wl.text, wl.commented) == ("H", "alias", False)
    assert links[("wikilink", "Hidden")].commented is True
    assert links[("wikilink", "Inline")].commented is True
    assert links[("bare", "https://example.com/x")].commented is False
    assert [(i.line, i.text) for i in note.items] == [(8, "item")]
    assert note.frontmatter.data == {"tags": ["fm-tag"]}
