"""Obsidian's resolution and tie-break, heading keys, and the facts parsing yields, as units.

The cases through `vaultkit check` (link forms, tie-breaks, heading matching, positions)
are data: tests/rules/broken-wikilink.yaml, broken-anchor.yaml and missing-file.yaml."""

from __future__ import annotations

import unicodedata

import pytest

from vaultkit.index.names import VaultIndex
from vaultkit.index.slug import obsidian_heading_key
from vaultkit.parse.note import parse_note

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


# --- what parsing yields ----------------------------------------------------------------------


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
