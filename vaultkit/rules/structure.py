"""Checks for fixes that change the block structure of a note (list items, indentation).

Such a fix is judged on the note as it is, but it can change the meaning of lines it
does not touch: a new or re-indented list item pulls the indented code block below it
into the list (its text becomes markdown, its URLs links), and removing an empty item
can do the same. ``safe_edits`` keeps only the edits that leave every untouched line
in or out of a code block as it was, and, where asked, make their line a list item.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from vaultkit.model import Edit


@lru_cache(maxsize=8)
def _blocks(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """(0-based lines inside code blocks, lines where a list item starts)."""
    from vaultkit.parse.mdit import parser

    code: set[int] = set()
    items: set[int] = set()
    for tok in parser().parse(text):
        if not tok.map:
            continue
        if tok.type in ("code_block", "fence"):
            code.update(range(*tok.map))
        elif tok.type == "list_item_open":
            items.add(tok.map[0])
    return frozenset(code), frozenset(items)


def _apply(text: str, edits: Sequence[Edit]) -> str:
    parts, pos = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        parts += [text[pos : e.start], e.replacement]
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def safe_edits(text: str, edits: Sequence[Edit], make_items: bool = False) -> set[int]:
    """Indexes of the ``edits`` (non-overlapping) that are safe to apply together.

    Safe: every line no edit touches stays in, or out of, a code block; with
    ``make_items``, each edit's line starts a list item afterwards. An edit found
    unsafe is dropped (for a line that changed, the nearest edit above it), and the
    rest are tried again.
    """
    if not edits:
        return set()
    starts = [0]
    starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")
    code_before = _blocks(text)[0]
    chosen = set(range(len(edits)))
    while chosen:
        kept = [edits[i] for i in sorted(chosen)]
        code_after, items_after = _blocks(_apply(text, kept))
        new_line = _line_map(text, starts, kept)
        bad: set[int] = set()
        touched: set[int] = set()
        for i in chosen:
            first = bisect_right(starts, edits[i].start) - 1
            last = bisect_right(starts, max(edits[i].start, edits[i].end - 1)) - 1
            touched.update(range(first, last + 1))
            target = new_line[first]
            if make_items and (target is None or target not in items_after):
                bad.add(i)
        for line, target in enumerate(new_line):
            if line in touched or target is None:
                continue
            if (line in code_before) != (target in code_after):
                above = [i for i in chosen if edits[i].start < starts[line]]
                bad |= {max(above, key=lambda i: edits[i].start)} if above else set(chosen)
        if not bad:
            break
        chosen -= bad
    return chosen


def _line_map(text: str, starts: list[int], edits: Sequence[Edit]) -> list[int | None]:
    """For each old line, its number after ``edits``; None for a line an edit covers whole."""
    out: list[int | None] = []
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    shift = k = 0
    for line, start in enumerate(starts):
        while k < len(ordered) and ordered[k].end <= start:
            e = ordered[k]
            shift += e.replacement.count("\n") - text.count("\n", e.start, e.end)
            k += 1
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        covered = k < len(ordered) and ordered[k].start <= start < end <= ordered[k].end
        out.append(None if covered else line + shift)
    return out
