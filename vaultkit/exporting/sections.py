"""Section paths: the headings that enclose a line, top-down.

Real headings (markdown and HTML ``<h1>``–``<h6>``) nest by level. Many notes title a
list with a plain line instead of a heading::

    Reasoning models
      - https://huggingface.co/blog/open-r1/update-3

Such a line is a *pseudo-heading*, one level below the current heading, when it is
a one-line top-level paragraph directly followed (blank lines allowed) by a list,
is short (at most 12 words, 100 characters), holds no link or URL, and does not end
like a sentence (``.``). It titles what follows it up to the next heading or
pseudo-heading: a paragraph between two lists does not end it.

A list item is a section level too when its first line is a short title with no link
and the links below it (in its sub-items, or on its continuation lines) are
resources::

    * Annotated Transformer
        * [An even more annotated Transformer](https://pi-tau.github.io/posts/transformer/)

(:class:`ItemSections`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection
from dataclasses import dataclass

from vaultkit.exporting.text import clean, plain
from vaultkit.model import Link, Note

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


def short_title(raw: str) -> str | None:
    """``raw`` as a section title, if it reads like one (short, not a sentence)."""
    text = clean(plain(raw))
    if not text or len(text) > MAX_CHARS or len(text.split()) > MAX_WORDS:
        return None
    if text.endswith(".") and not text.endswith(".."):
        return None
    return text


def pseudo_headings(note: Note) -> list[tuple[int, int, str]]:
    """(line, last line of its scope, text) of each pseudo-heading."""
    blocks = [b for b in note.blocks if b[0] != "html_block"]
    found: dict[int, str] = {}  # block index -> text
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
        text = short_title(raw)
        if text is not None:
            found[i] = text
    out: list[tuple[int, int, str]] = []
    for i, text in found.items():
        end = k = i + 1
        while k + 1 < len(blocks):  # more lists, and paragraphs between lists
            kind = blocks[k + 1][0]
            if kind in LISTS:
                end = k = k + 1
            elif kind == "paragraph" and k + 1 not in found and _list_after(blocks, k + 1):
                end = k = _list_after(blocks, k + 1)
            else:
                break
        out.append((blocks[i][1], blocks[end][2], text))
    return out


def _list_after(blocks: list[tuple[str, int, int]], i: int) -> int:
    """The index of the list after the run of paragraphs from ``i``, else 0."""
    while i < len(blocks) and blocks[i][0] == "paragraph":
        i += 1
    return i if i < len(blocks) and blocks[i][0] in LISTS else 0


def note_sections(note: Note) -> Sections:
    """The section path at every line of ``note``."""
    events: list[tuple[int, int, int, str]] = []  # (line, order, level or -1, text)
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
        if stack and stack[-1][2]:  # anything ends a pseudo-heading's scope
            stack.pop()
        if level == 0:
            stack.append(((stack[-1][0] if stack else 0) + 1, text, True))
        elif level > 0:
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


class ItemSections:
    """The list items of a note that are section levels over the given resource links.

    An item is one when its first line holds no link and reads like a title
    (:func:`short_title`), it is not a resource's own item (``excluded``: the parents
    of ``- URL: …`` label items), and one of the links lies below its first line."""

    def __init__(self, note: Note, links: Collection[tuple[Link, int]], excluded: Collection[int]) -> None:
        self.note = note
        items = note.items
        starts = note.line_starts
        self.first_line_link: set[int] = set()
        for link in note.links:
            i = link.item
            if i is not None and (items[i].line >= len(starts) or link.start < starts[items[i].line]):
                self.first_line_link.add(i)
        self.excluded = set(excluded)
        self.titles: dict[int, str | None] = {}

    def _title(self, i: int) -> str | None:
        if i in self.titles:
            return self.titles[i]
        text = None
        if i not in self.first_line_link and i not in self.excluded:
            text = short_title(self.note.items[i].text)
        self.titles[i] = text
        return text

    def path(self, link: Link, line: int) -> tuple[str, ...]:
        """The item titles over ``link`` (on ``line``), outermost first."""
        i = link.item
        if i is None:
            return ()
        out: list[str] = []
        items = self.note.items
        if line > items[i].line:  # a continuation line of its own item
            title = self._title(i)
            if title:
                out.append(title)
        cur = items[i].parent
        while cur is not None:
            title = self._title(cur)
            if title:
                out.append(title)
            cur = items[cur].parent
        return tuple(reversed(out))
