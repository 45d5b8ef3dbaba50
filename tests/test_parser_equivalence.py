"""The fast parser (markdown-it-pyrs) yields exactly the facts of the reference (markdown-it-py)."""

from __future__ import annotations

import dataclasses
import itertools
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.parse import fast as parse_rs
from vaultkit.parse import note as parse

pytestmark = pytest.mark.skipif(not parse_rs.available(), reason="markdown-it-pyrs not installed")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def facts(text: str, reference: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("VAULTKIT_PARSER", "reference" if reference else "fast")
    n = parse.parse_note("n.md", text)
    return {
        "headings": [(h.level, h.text, h.line, h.start) for h in n.headings],
        "links": [dataclasses.astuple(link) for link in n.links],
        "items": [dataclasses.astuple(i) for i in n.items],
        "tags": [(t.name, t.start) for t in n.tags],
        "blocks": n.blocks,
        "block_ids": [(b.id, b.start) for b in n.block_ids],
        "code": sorted(n.code_spans),
        "comments": n.comments,
    }


def corpus() -> list[Path]:
    files = sorted((ROOT / "sample_vault").rglob("*.md"))
    files += sorted((SHARED / "examples").glob("*.txt"))
    files += sorted((SHARED / "corpora" / "kepano-obsidian").rglob("*.md"))
    return files


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_same_facts_on_real_notes(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    if b"\x00" in data:
        pytest.skip("binary")
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    assert facts(text, False, monkeypatch) == facts(text, True, monkeypatch)


def test_the_fast_path_is_really_used(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = parse_rs.parse_segment
    monkeypatch.setattr(parse_rs, "parse_segment", lambda n, s, r=None: calls.append(1) or real(n, s, r))
    monkeypatch.setenv("VAULTKIT_PARSER", "fast")
    parse.parse_note("n.md", "# x\n")
    assert calls


@pytest.mark.parametrize("reference", [False, True])
def test_an_a_tag_text_ends_at_its_close_or_the_next_a(
    reference: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '<a href="https://x.example">one <a href="https://y.example">two</a> <abbr>three</abbr>\n'
    labels = [link[3] for link in facts(text, reference, monkeypatch)["links"]]
    assert labels == ["one ", "two"]


LINES = st.sampled_from(
    [
        "# Heading [[Note]]",
        "## Sub `code` heading",
        "### \u00e9t\u00e9 \U0001f389 title",
        "",
        "- [Link](https://example.com/a?utm_source=x) #tag",
        "- [[Note#Heading|alias]] and ![[img.png]]",
        "  - nested https://bare.example/x.",
        "    - deeper <https://auto.example>",
        "-",
        "1. [t](<My Note.md>) [ref][r]",
        "2) `[[not]]` and $[[math]]$",
        "* [x](../a/b.md#h) ^block-1",
        "| a | [[Cell\\|alias]] |",
        "|---|---|",
        "| [l](http://t.example) | \u00fc |",
        "<!-- [[Hidden]] https://hidden.example -->",
        '<a href="https://a.example">A</a>',
        '<a href="https://b.example">B <a href="https://c.example">C</a> <abbr>D</abbr>',
        "```",
        "[[in fence]]",
        "    indented [[code]]",
        "> quote [[Q]] #q",
        "[r]: https://ref.example",
        "[t](https://simonwil lison.net/x)",
        "[t] (https://space.example)",
        "-[x](https://y.example)",
        "text \u00a0 with nbsp and caf\u00e9 [[\u00c9t\u00e9]]",
        "%% [[Obsidian comment]] %%",
        "**bold [[B]]** and _em [e](https://e.example)_",
        "\\[escaped](not) \\| pipe",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=25))
def test_same_facts_on_generated_notes(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    with pytest.MonkeyPatch.context() as mp:
        assert facts(text, False, mp) == facts(text, True, mp)


TABLE_LINES = st.sampled_from(
    [
        "| Name | Link |",
        "|---|:---:|",
        "| :-- | --: |",
        "|-|-|",
        "a | b",
        "--- | ---",
        "| [[Note\\|alias]] | [t](https://t.example/a) |",
        '| `a | b` | <a href="https://h.example">h</a> |',
        "| https://bare.example/x | #tag ^id |",
        "| ![[img.png]] | [r][ref] |",
        "plain line after the rows",
        "",
        "# Heading [[H]]",
        "- item [i](https://i.example)",
        "1. ordered",
        "> quote [[Q]]",
        "> [!note] A callout [[C]]",
        "> - a list in a quote",
        "    indented | code",
        "```",
        "[ref]: https://ref.example",
    ]
)


@settings(
    max_examples=int(os.environ.get("VK_TABLE_EXAMPLES", "600")),
    deadline=None,
    derandomize=not os.environ.get("VK_TABLE_EXAMPLES"),
)
@given(st.lists(TABLE_LINES, min_size=2, max_size=20))
def test_same_facts_on_generated_tables(lines: list[str]) -> None:
    """Tables, and what may end them, through both parsers (the gate sends some to the reference)."""
    text = "\n".join(lines) + "\n"
    with pytest.MonkeyPatch.context() as mp:
        assert facts(text, False, mp) == facts(text, True, mp)


def test_tables_take_the_fast_path() -> None:
    from vaultkit.parse.note import _diverges

    table = "| a | b |\n|---|---|\n| [x](https://x.example) | y |\n"
    assert not _diverges(table) and not _diverges(table + "\nafter\n")
    assert _diverges(table + "no pipe here\n")  # where the two parsers end it differently
    assert _diverges("> | a |\n> |---|\n")


CHUNK_LINES = st.sampled_from(
    [
        "# Heading [[H]]",
        "## Sub heading",
        "#tag line",
        "Paragraph with [a link](https://p.example) and #tag ^blk",
        "",
        "- item [[Note]]",
        "  - sub https://bare.example/x",
        "1. ordered",
        "> quote [[Q]]",
        "> - a list in a quote",
        "    indented code [[not]]",
        "| a | b |",
        "|---|---|",
        "---",
        "text",
        "===",
        "[t][ref]",
        "[ref]: https://ref.example",
        "```",
        "<div>",
        "%% comment [[C]] %%",
        "$$",
    ]
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(CHUNK_LINES, min_size=2, max_size=30))
def test_a_segment_cut_into_pieces_gives_the_same_facts(lines: list[str]) -> None:
    """With pieces of one character (a cut at every place one is allowed), the fast path
    still gives what markdown-it-py gives on the whole."""
    from vaultkit.parse import chunks

    text = "\n".join(lines) + "\n"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks, "CHUNK_SIZE", 1)
        assert facts(text, False, mp) == facts(text, True, mp)


def test_a_long_note_is_cut_and_parsed_piece_by_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    from vaultkit.parse import chunks

    text = "## Part\n\n- [Paper](https://arxiv.org/abs/1) #ml\n  - Notes: x\n" * 20_000  # 1.2 MB
    spans = chunks.pieces(text)
    assert len(spans) >= 5 and spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert chunks.pieces(text + "```\ncode\n```\n") == [(0, len(text) + 13)]
    sizes = []
    real = parse_rs.parse_segment
    monkeypatch.setattr(
        parse_rs, "parse_segment", lambda n, s, r=None: sizes.append(len(s.text)) or real(n, s, r)
    )
    monkeypatch.setenv("VAULTKIT_PARSER", "fast")
    note = parse.parse_note("n.md", text)
    assert len(sizes) == len(spans) and max(sizes) < chunks.CHUNK_SIZE + 100
    assert len(note.headings) == 20_000 and len(note.links) == 20_000 and len(note.items) == 40_000
