"""The facts a parse yields, and the diagnostics rules produce.

All offsets are character offsets into ``Note.text`` (BOM removed, line endings
normalised to LF). Lines and columns are 1-based and computed from offsets.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate
from typing import Any, Literal

LinkKind = Literal[
    "link",  # [text](dest)
    "image",  # ![alt](dest)
    "reference",  # [text][ref] resolved through a definition
    "autolink",  # <https://...>
    "bare",  # https://... in text
    "html",  # <a href="..."> or <img src="...">
    "wikilink",  # [[target#anchor|alias]]
    "embed",  # ![[target]]
]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(slots=True)
class Heading:
    level: int
    text: str  # plain text, as rendered (markup removed)
    raw: str  # the inline source of the heading
    start: int
    line: int


@dataclass(slots=True)
class Link:
    kind: LinkKind
    target: str  # destination as written (URL, path, or wikilink target without anchor)
    anchor: str | None  # "#fragment" part without "#", or wikilink "H1#H2" / "^block"
    text: str  # link text, alt text or wikilink alias ("" when none)
    start: int  # whole link
    end: int
    dest_start: int  # the destination as written, for edits
    dest_end: int
    commented: bool = False  # inside an HTML comment
    in_frontmatter: bool = False
    item: int | None = None  # index into Note.items of the innermost enclosing list item
    malformed: str | None = None  # why text meant as a link did not become one


@dataclass(slots=True)
class ListItem:
    start: int  # offset of the marker
    line: int
    end_line: int  # last line of the item (inclusive)
    indent: int  # column of the marker (0-based)
    marker: str  # "-", "*", "+", "1." ...
    text: str  # raw text of the item's first line after the marker
    parent: int | None  # index of the parent item
    empty: bool
    commented: bool = False


@dataclass(slots=True)
class Tag:
    name: str  # without "#"
    start: int  # -1 for frontmatter tags
    line: int


@dataclass(slots=True)
class BlockId:
    id: str
    start: int
    line: int


@dataclass(slots=True)
class Frontmatter:
    data: dict[str, Any] | None  # None when absent or invalid
    raw: str  # the YAML text between the fences
    start_line: int  # line of the opening '---' (1), 0 when absent
    end_line: int  # line of the closing fence
    error: str | None = None
    error_line: int | None = None
    present: bool = False


@dataclass(slots=True)
class Suppression:
    rules: frozenset[str]  # empty set means every rule
    start_line: int
    end_line: int  # inclusive; large number for "to the end"


@dataclass(slots=True)
class Note:
    path: str  # vault-relative, "/" separators
    text: str
    frontmatter: Frontmatter
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    block_ids: list[BlockId] = field(default_factory=list)
    code_spans: list[tuple[int, int]] = field(default_factory=list)  # code, math: never rewrite
    comments: list[tuple[int, int]] = field(default_factory=list)  # HTML comments
    # top-level blocks of the body and of each comment, in order: (kind, first line, last line);
    # kind is the markdown-it token type without "_open" (paragraph, bullet_list, heading, hr...)
    blocks: list[tuple[str, int, int]] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    disabled: frozenset[str] = frozenset()  # rules off for the whole note ("*" for all)
    encoding: str = "utf-8"
    confident: bool = True  # the encoding detection is certain
    hidden_frontmatter: Frontmatter | None = None  # frontmatter inside a leading HTML comment
    problems: list[Diagnostic] = field(default_factory=list)  # found while reading/parsing
    # blocks left unparsed, over the block-markup limit: (offset, marks) of each
    big_blocks: list[tuple[int, int]] = field(default_factory=list)
    line_starts: Sequence[int] = field(default_factory=list)  # see line_starts()

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a text offset."""
        if not self.line_starts:
            self.line_starts = line_starts(self.text)
        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def line_text(self, line: int) -> str:
        start, end = self.line_span(line)
        return self.text[start:end]

    def line_span(self, line: int) -> tuple[int, int]:
        """The offsets of line ``line`` (1-based), without its line break."""
        if not self.line_starts:
            self.line_starts = line_starts(self.text)
        start = self.line_starts[line - 1]
        if line < len(self.line_starts):
            return start, self.line_starts[line] - 1
        end = self.text.find("\n", start)
        return start, end if end >= 0 else len(self.text)

    @property
    def stem(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name


def line_starts(text: str, lines: Sequence[str] | None = None) -> array[int]:
    """The offset of each line's first character (``lines``: ``text.split("\\n")``, if at hand).

    An array of 8-byte ints, not a list: a note of 4 million blank lines takes 32 MB, not 144.
    """
    lengths = map(len, text.split("\n") if lines is None else lines)
    starts = array("q", accumulate(map((1).__add__, lengths), initial=0))
    starts.pop()  # the offset past the end
    return starts


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    replacement: str


@dataclass(slots=True)
class Diagnostic:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    severity: Severity
    message: str
    edits: tuple[Edit, ...] = ()
    unsafe: bool = False  # fix applied only with --unsafe-fixes
    extra: dict[str, Any] = field(default_factory=dict)
    offset: int = -1  # the reported span as text offsets (not serialised)
    end_offset: int = -1

    @property
    def fixable(self) -> bool:
        return bool(self.edits) or bool(self.extra.get("fixable"))

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


def long_line_spans(note: Note, limit: int) -> list[tuple[int, int]]:
    """The (start, end) offsets of the lines of ``note`` longer than ``limit`` characters."""
    if len(note.text) <= limit:
        return []
    return [m.span() for m in re.finditer(f"(?m)^[^\n]{{{limit + 1},}}", note.text)]
