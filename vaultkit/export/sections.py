"""Section paths: the headings that enclose a line, top-down.

Real headings (markdown and HTML ``<h1>``–``<h6>``) nest by level. Many notes title a
list with a plain line instead of a heading::

    Reasoning models
      - https://huggingface.co/blog/open-r1/update-3

Such a line is a *pseudo-heading*, one level below the current heading, when it is
a one-line top-level paragraph directly followed (blank lines allowed) by a list,
is short (at most 12 words, 100 characters), holds no link or URL, and does not end
like a sentence (``.``). It titles the lists that follow it and ends at the first
block that is not a list (a paragraph, a heading, a rule, code...).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from vaultkit.export.text import clean, plain
from vaultkit.model import Note

LISTS = frozenset({"bullet_list", "ordered_list"})
MAX_WORDS = 12
MAX_CHARS = 100


@dataclass(slots=True)
class Sections:
    """Section paths by line: ``at(line)`` is the path in force on that line."""

    lines: list[int]  # the first line of each path below, ascending
    paths: list[tuple[str, ...]]

    def at(self, line: int) -> tuple[str, ...]:
        i = bisect_right(self.lines, line) - 1
        return self.paths[i] if i >= 0 else ()


def pseudo_headings(note: Note) -> list[tuple[int, int, str]]:
    """(line, last line of its scope, text) of each pseudo-heading."""
    blocks = [b for b in note.blocks if b[0] != "html_block"]
    out: list[tuple[int, int, str]] = []
    starts: list[int] | None = None
    for i, (kind, first, last) in enumerate(blocks[:-1]):
        if kind != "paragraph" or first != last or blocks[i + 1][0] not in LISTS:
            continue
        raw = note.line_text(first)
        if "://" in raw or "[[" in raw:
            continue
        if starts is None:
            starts = sorted(link.start for link in note.links)
        line_start = note.line_starts[first - 1]
        j = bisect_left(starts, line_start)
        if j < len(starts) and starts[j] <= line_start + len(raw):
            continue  # a line with a link is content, not a title
        text = clean(plain(raw))
        if not text or len(text) > MAX_CHARS or len(text.split()) > MAX_WORDS:
            continue
        if text.endswith(".") and not text.endswith(".."):
            continue
        end = i + 1
        while end + 1 < len(blocks) and blocks[end + 1][0] in LISTS:
            end += 1
        out.append((first, blocks[end][2], text))
    return out


def note_sections(note: Note) -> Sections:
    """The section path at every line of ``note``."""
    events: list[tuple[int, int, int, str]] = []  # (line, order, level or -end line, text)
    for h in note.headings:
        events.append((h.line, 1, h.level, clean(h.text)))
    for line, end, text in pseudo_headings(note):
        events.append((line, 1, 0, text))  # level 0: "one below the current heading"
        events.append((end + 1, 0, -1, ""))  # scope end (before anything on that line)
    events.sort(key=lambda e: (e[0], e[1]))
    stack: list[tuple[int, str, bool]] = []  # (level, text, pseudo)
    lines: list[int] = [1]
    paths: list[tuple[str, ...]] = [()]
    for line, _, level, text in events:
        if level == -1:  # a pseudo-heading's scope ends
            if stack and stack[-1][2]:
                stack.pop()
        elif level == 0:
            if stack and stack[-1][2]:
                stack.pop()
            stack.append(((stack[-1][0] if stack else 0) + 1, text, True))
        else:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text, False))
        path = tuple(t for _, t, _ in stack if t)
        if lines[-1] == line:
            paths[-1] = path
        else:
            lines.append(line)
            paths.append(path)
    return Sections(lines, paths)
