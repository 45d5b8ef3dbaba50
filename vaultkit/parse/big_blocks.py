"""A block too big to parse is left unparsed: the ``block-markup`` limit.

A long segment is parsed a piece at a time (``parse.chunks``), but one block (a paragraph,
a table, a quote or a tight list: lines with no blank line between them) can't be cut, and
markdown-it-pyrs keeps its whole tree, about 600 bytes a node to 2.8 KB a link. A node
comes from a line break or a markup character, so a block's cost is bounded by its count
of those: line breaks and ``| [ * _ ` < ~ $``. A block with more than the limit (50,000 by
default; the largest block in the shared corpora has about 800) is masked before either
parser sees it: every character but its line breaks becomes a space, so offsets and line
numbers do not move, and the note's other blocks parse as before. The masked span goes to
the note's code spans, so ``fix`` never rewrites in it, and the note is reported. Code in a
fence costs one node whatever its size, so fenced lines do not count and are not masked.
The items of a list at column 0 count one by one: a long tight list (a bookmarks export)
is common, costs less per item than a table row, and is bounded as a whole by the
note-size limit (a 950 KB tight list of links: 207 MB, 3.6 s to check).
"""

from __future__ import annotations

import re

_MARKS = "\n|[*_`<~$"
# A run of non-blank lines (after \r\n and \r are flattened to \n).
_RUN = re.compile(r"(?:[ \t]*\S[^\n]*(?:\n|\Z))+")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n]*)$", re.M)
_NOT_BREAK = re.compile(r"[^\r\n]")
# A list item at column 0: the tree's nodes are per item, so each one is a unit of its own.
_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]", re.M)


def marks(text: str, start: int = 0, end: int | None = None) -> int:
    """The line breaks and markup characters in ``text[start:end]``."""
    end = len(text) if end is None else end
    return sum(text.count(c, start, end) for c in _MARKS)


def fence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each fenced code block at the top level (an unclosed one runs to
    the end), from its opening line to its closing one."""
    out: list[tuple[int, int]] = []
    opened: tuple[str, int, int] | None = None  # fence character, length, start
    for m in _FENCE.finditer(text):
        fence, rest = m.group(1), m.group(2)
        if opened is None:
            if not (fence[0] == "`" and "`" in rest):  # a backtick fence's info has no backtick
                opened = (fence[0], len(fence), m.start())
        elif fence[0] == opened[0] and len(fence) >= opened[1] and not rest.strip():
            out.append((opened[2], m.end()))
            opened = None
    if opened is not None:
        out.append((opened[2], len(text)))
    return out


def _outside(start: int, end: int, fences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside the fences."""
    parts, pos = [], start
    for s, e in fences:
        if e <= pos or s >= end:
            continue
        if s > pos:
            parts.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        parts.append((pos, end))
    return parts


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut before each list item at column 0."""
    cuts = [m.start() for m in _ITEM.finditer(text, start, end) if m.start() > start]
    return list(zip([start, *cuts], [*cuts, end], strict=True))


def big_blocks(text: str, limit: int) -> list[tuple[list[tuple[int, int]], int]]:
    """Each block of ``text`` (each top-level list item of a tight list on its own) with
    more than ``limit`` marks outside fences: its (start, end) parts outside fences, and its
    marks; nothing when the whole text has ``limit`` marks or fewer."""
    if len(text) <= limit or marks(text) <= limit:
        return []
    flat = text.replace("\r\n", " \n").replace("\r", "\n") if "\r" in text else text
    fences: list[tuple[int, int]] | None = None
    out: list[tuple[list[tuple[int, int]], int]] = []
    for run in _RUN.finditer(flat):
        if run.end() - run.start() <= limit:
            continue  # each mark is a character
        for start, end in _units(flat, run.start(), run.end()):
            if end - start <= limit:
                continue
            if fences is None:
                fences = fence_spans(flat)
            parts = _outside(start, end, fences)
            count = sum(marks(flat, s, e) for s, e in parts)
            if count > limit:
                out.append((parts, count))
    return out


def mask(text: str, blocks: list[tuple[list[tuple[int, int]], int]]) -> str:
    """``text`` with every character but line breaks in ``blocks`` turned into a space."""
    if not blocks:
        return text
    parts, pos = [], 0
    for s, e in (span for spans, _ in blocks for span in spans):
        parts.append(text[pos:s])
        parts.append(_NOT_BREAK.sub(" ", text[s:e]))
        pos = e
    parts.append(text[pos:])
    return "".join(parts)
