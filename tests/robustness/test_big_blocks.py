"""The block-markup limit: a block too big to parse is masked, reported, and left alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.limits import Limits, use
from vaultkit.parse.big_blocks import big_blocks, fence_spans, marks, mask
from vaultkit.parse.note import parse_note

TABLE = "|a|b|\n|-|-|\n" + "|x|[y](https://e.com)|\n" * 200


def test_a_block_over_the_limit_is_masked_and_the_rest_parsed() -> None:
    text = "# T\n\nSee [a](https://a.com).\n\n" + TABLE + "\nAfter [b](https://b.com).\n"
    use(Limits(block_markup=500))
    try:
        note = parse_note("t.md", text)
    finally:
        use(Limits())
    assert [link.target for link in note.links] == ["https://a.com", "https://b.com"]
    ((offset, count),) = note.big_blocks
    assert text[offset:].startswith("|a|b|") and count == marks(TABLE.rstrip("\n") + "\n")
    assert any(s == offset for s, _ in note.code_spans), "fix must leave the block alone"


def test_under_the_limit_nothing_is_masked() -> None:
    text = "intro\n\n" + TABLE
    assert big_blocks(text, marks(TABLE)) == []
    assert len(parse_note("t.md", text).links) == 200


def test_fenced_lines_do_not_count() -> None:
    log = "```\n" + "a | b [c] *d* `e`\n" * 2000 + "```\n"
    assert fence_spans(log) == [(0, len(log) - 1)]  # to the end of the closing line
    assert big_blocks("text\n" + log, 1000) == []
    # the same lines outside a fence are one big block
    assert big_blocks("text\n" + log.replace("```", "xxx"), 1000) != []
    # a fence inside a block: the block's parts around it are masked, and it is one block
    text = "a *b*\n" * 300 + log + "c _d_\n" * 300
    ((parts, count),) = big_blocks(text, 1000)
    assert len(parts) == 2 and count == marks(text) - marks(log) + 1  # the log's last line break counts
    masked = mask(text, [(parts, count)])
    assert log in masked and "*b*" not in masked and "_d_" not in masked


def test_the_items_of_a_tight_list_count_one_by_one() -> None:
    items = "- [a](https://e.com/a_b) |x|\n" * 500  # 500 items of 8 marks: 4,000 in all
    assert big_blocks("intro\n\n" + items, 1000) == []
    one = "- " + "[a](b) " * 300 + "\n"  # one item of 301 marks
    (([(start, end)], count),) = big_blocks("intro\n\n" + items + one + items, 200)
    assert (start, end - start, count) == (7 + len(items), len(one), 301)


def test_an_unclosed_fence_runs_to_the_end() -> None:
    text = "a\n~~~~\nx\n~~~\ny\n"
    assert fence_spans(text) == [(2, len(text))]


def test_lone_carriage_returns_end_lines() -> None:
    text = "a\r\nb\rc\n" * 100
    (([(start, end)], count),) = big_blocks(text, 100)
    assert (start, end) == (0, len(text)) and count == 300  # each ending once: \r\n, \r, \n


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet="ab |[*_`\n\r\t~$>-", max_size=400), st.integers(1, 60))
def test_the_mask_keeps_length_and_line_breaks(text: str, limit: int) -> None:
    spans = big_blocks(text, limit)
    masked = mask(text, spans)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c in "\r\n"] == [i for i, c in enumerate(text) if c in "\r\n"]
    assert big_blocks(masked, limit) == [], "a masked block is gone"
    for parts, count in spans:
        assert count > limit and all(set(masked[s:e]) <= set(" \r\n") for s, e in parts)


def test_check_reports_the_block_with_its_line_and_the_limit(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text("# T\n\n" + TABLE + "\n[[nowhere]]\n", encoding="utf-8")
    (tmp_path / ".vaultkit.toml").write_text("[limits]\nblock-markup = 500\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--no-cache", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert "t.md:3:1: VK000" in done.stdout and "over the block-markup limit of 500" in done.stdout
    assert "VK001" in done.stdout, "the rest of the note is still checked"


def test_a_note_from_stdin_is_held_to_the_same_limits(tmp_path: Path) -> None:
    (tmp_path / ".vaultkit.toml").write_text("[limits]\nblock-markup = 500\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--no-cache", "--stdin-filename", "t.md", "-"],
        input="# T\n\n" + TABLE,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "t.md:3:1: VK000" in done.stdout and "block-markup" in done.stdout, done.stdout + done.stderr
    (tmp_path / ".vaultkit.toml").write_text("[limits]\nnote-size = 1000\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--no-cache", "--stdin-filename", "t.md", "-"],
        input="# T\n\n[[nowhere]] " + "word " * 300,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "t.md:1:1: VK000" in done.stdout and "over the note-size limit of 1,000" in done.stdout
    assert "VK001" not in done.stdout, "a note over the size limit is not parsed"
