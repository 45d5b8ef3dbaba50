"""What both parser backends share: segments, HTML blocks and comments, wikilink and
destination splitting. Both backends import this module; it imports neither."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any, Protocol

from markdown_it.token import Token

from vaultkit.model import Heading, Note, line_starts
from vaultkit.parse.frontmatter import load_yaml

_COMMENT_BLOCK = re.compile(r"<!--(.*?)(-->|\Z)", re.S)
_HIDDEN_FM = re.compile(r"[ \t]*\n?[ \t]*---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", re.S)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.I | re.S)
_TAG_STRIP = re.compile(r"<[^>]+>")

# An offset in the text being scanned -> the offset in the note's text.
DocOffset = Callable[[int], int]
# Whether [start, end) of the text being scanned is outside links, code and the like.
SpanFree = Callable[[int, int], bool]


LABEL_TOKENS = 256  # tokens after an ``<a href>`` searched for its text (a bound, not a scan to the end)

# What ends an <a>'s text: its </a>, or the next <a> (HTML doesn't nest them).
_A_END = re.compile(r"</?a[\s>/]", re.I)


def a_label(following: Iterable[Any]) -> str:
    """The text of an ``<a>``: the text tokens up to what ends it, at most LABEL_TOKENS."""
    parts = []
    for c in islice(following, LABEL_TOKENS):
        if c.type == "html_inline" and _A_END.match(c.content):
            break
        if c.type == "text":
            parts.append(c.content)
    return "".join(parts)


class Claimed:
    """Spans already claimed by a link, code or math (non-overlapping): whether a new
    span overlaps one, in O(log n) rather than a scan of them all."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e) - 1
        return i >= 0 and self.spans[i][1] > s


class HtmlScanner(Protocol):
    def scan_html(self, html: str, base: int, item: int | None) -> None: ...


class Segment:
    """A piece of the note parsed as markdown: the body, or the inside of a comment."""

    def __init__(
        self, text: str, base: int, commented: bool, depth: int = 0, starts: Sequence[int] | None = None
    ) -> None:
        self.text = text
        self.base = base
        self.commented = commented
        self.depth = depth  # how many HTML comments it is inside
        self.lines = text.split("\n")
        self.starts = line_starts(text, self.lines) if starts is None else starts  # given: the note's
        self.cursor: dict[int, int] = {}

    def offset(self, line: int, col: int = 0) -> int:
        return self.base + self.starts[min(line, len(self.starts) - 1)] + col

    def last_line(self, first: int, end: int) -> int:
        """The last non-blank line of the 0-based range [first, end)."""
        last = min(end, len(self.lines)) - 1
        while last > first and not self.lines[last].strip():
            last -= 1
        return max(first, last)

    def line_end(self, line: int) -> int:
        line = min(line, len(self.lines) - 1)
        return self.base + self.starts[line] + len(self.lines[line])

    def content_map(self, tok: Token) -> list[tuple[int, int]]:
        """(content offset, document offset) for the start of each line of an inline token."""
        assert tok.map is not None
        out: list[tuple[int, int]] = []
        pos = 0
        for i, piece in enumerate(tok.content.split("\n")):
            ln = tok.map[0] + i
            src = self.lines[ln] if ln < len(self.lines) else ""
            col = self._locate(ln, src, piece)
            out.append((pos, self.offset(ln, col)))
            if "|" in piece and src[col : col + len(piece)] != piece:
                # A table cell: "\|" in the source is "|" in the content; re-sync after each.
                shift = 0
                for k, ch in enumerate(piece):
                    if ch == "|" and src[col + k + shift : col + k + shift + 2] == "\\|":
                        shift += 1
                        out.append((pos + k + 1, self.offset(ln, col + k + shift + 1)))
            pos += len(piece) + 1
        return out

    def _locate(self, ln: int, src: str, piece: str) -> int:
        stripped = src.rstrip()
        if piece and stripped.endswith(piece) and ln not in self.cursor:
            return len(stripped) - len(piece)
        start = self.cursor.get(ln, 0)
        col = src.find(piece, start)
        if col < 0 and "|" in piece:  # table cells drop the backslash of "\|"
            col = src.find(piece.replace("|", "\\|"), start)
        if col < 0:
            col = len(src) - len(src.lstrip())
        self.cursor[ln] = col + len(piece)
        return col


def html_block(
    note: Note,
    block_start: int,
    content: str,
    scanner: HtmlScanner,
    parse_segment: Callable[[Note, Segment], None],
    depth: int = 0,
) -> None:
    """An HTML block: comments are parsed as markdown (flagged), other HTML yields links."""
    for m in _COMMENT_BLOCK.finditer(content):
        start = block_start + m.start()
        end = block_start + m.end()
        note.comments.append((start, end))
        inner = m.group(1)
        if inner.lstrip().lower().startswith("vaultkit-"):
            continue
        skip = 0
        hidden = _HIDDEN_FM.match(inner)
        if hidden and note.hidden_frontmatter is None and not note.frontmatter.present:
            # A Jekyll draft wrapped whole in a comment: its frontmatter is still frontmatter.
            first_line = note.position(start)[0] + 1
            note.hidden_frontmatter = load_yaml(hidden.group(1), first_line)
            note.hidden_frontmatter.start_line = first_line - 1
            # The closing fence: the line after the YAML's last line.
            note.hidden_frontmatter.end_line = first_line + hidden.group(1).count("\n") + 1
            skip = hidden.end()
        parse_segment(note, Segment(inner[skip:], start + 4 + skip, True, depth + 1))
    html_only = _COMMENT_BLOCK.sub(lambda m: " " * len(m.group(0)), content)
    scanner.scan_html(html_only, block_start, None)
    if not note.headings or note.headings[-1].start < block_start:
        for m in _HTML_HEADING.finditer(html_only):
            text = _TAG_STRIP.sub("", m.group(2)).strip()
            off = block_start + m.start()
            note.headings.append(Heading(int(m.group(1)), text, m.group(2), off, note.position(off)[0]))


def split_wikilink(body: str) -> tuple[str, str | None, str]:
    """``target#anchor|alias`` → (target, anchor, alias). ``\\|`` (in tables) separates too."""
    body = body.replace("\\|", "|")
    target, _, alias = body.partition("|")
    target, hashmark, anchor = target.partition("#")
    return target.strip(), (anchor.strip() if hashmark else None), alias.strip()


_DEST = re.compile(r"<([^<>\n]*)>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*")


def dest_span(src: str) -> tuple[int, int]:
    """Offsets of the destination as written inside ``[text](dest "title")``."""
    i = src.rfind("](")
    if i < 0:
        return 0, 0
    i += 2
    while i < len(src) and src[i] in " \t\n":
        i += 1
    m = _DEST.match(src, i)
    if m is None:
        return i, i
    if m.group(1) is not None:
        return m.start(1), m.end(1)
    return i, m.end()


_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.S)


def obsidian_comments(note: Note) -> list[tuple[int, int]]:
    """The spans of Obsidian's ``%% ... %%`` comments (not those starting in code)."""
    if "%%" not in note.text:
        return []
    return [
        (m.start(), m.end())
        for m in _OBSIDIAN_COMMENT.finditer(note.text)
        if not any(s <= m.start() < e for s, e in note.code_spans)
    ]
