"""The fast path of the parser: markdown-it-pyrs (markdown-it in Rust) instead of markdown-it-py.

It yields the same facts as ``vaultkit.parse.note`` (a differential test checks it on
real vaults). This module walks the blocks; ``parse.fast_inline`` the inline runs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from typing import Any

from markdown_it.common.utils import unescapeAll as unescape_all

from vaultkit.model import Heading, ListItem, Note
from vaultkit.parse.fast_inline import ByteOffsets, InlineWalker, norm_label
from vaultkit.parse.inline import InlineScanner
from vaultkit.parse.shared import Segment, html_block

markdown_it_pyrs: Any
try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the reference parser is used instead
    markdown_it_pyrs = None

_INLINE = frozenset(
    {
        "text",
        "text_special",
        "link",
        "image",
        "autolink",
        "code_inline",
        "html_inline",
        "strong",
        "em",
        "strikethrough",
        "softbreak",
        "hardbreak",
    }
)
_BLOCK_NAMES = {"definition": None, "front_matter": None}


def available() -> bool:
    return markdown_it_pyrs is not None


@cache
def _md() -> Any:
    assert markdown_it_pyrs is not None
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


class _Frame:
    """A block being walked: its children still to see, and the inline run being gathered."""

    __slots__ = ("children", "inline", "item", "node", "top")

    def __init__(self, node: Any, top: bool, item: bool) -> None:
        self.node = node
        self.children = iter(node.children)
        self.top = top
        self.item = item  # a list item: leave it on self.items until its end
        self.inline: list[Any] = []


Reparse = Callable[[Note, Segment], None]


class _Walker:
    def __init__(self, note: Note, seg: Segment, reparse: Reparse) -> None:
        self.reparse = reparse
        self.note = note
        self.seg = seg
        self.text: str = seg.text
        self.base: int = seg.base
        self.offsets = ByteOffsets(seg.text)
        self.span = self.offsets.span
        self.scanner = InlineScanner(note, seg.commented)
        self.inlines = InlineWalker(note, seg, self.offsets, self.scanner)
        self.definitions = self.inlines.definitions
        self.items: list[int] = []
        note.position(0)  # makes sure the note's line starts are there
        self.starts = note.line_starts

    def end(self, s: int, e: int) -> int:
        """The offset of the last non-blank character of [s, e)."""
        text = self.text
        while e > s + 1 and text[e - 1] in " \t\r\n":
            e -= 1
        return max(s, e - 1)

    def line_of(self, off: int) -> int:
        """The 1-based line of segment offset ``off``."""
        return bisect_right(self.starts, self.base + off)

    def run(self) -> None:
        root = _md().tree(self.text)
        for node in root.children:
            name = node.name
            if name == "definition":
                s, e = self.span(node)
                m = _DEFINITION.match(self.text, s, e)
                if m:
                    label = norm_label(m.group(1))
                    self.definitions.setdefault(label, unescape_all(m.group(2) or m.group(3) or ""))
        self.block(root, top=True)

    def _top_block(self, node: Any) -> None:
        name = node.name
        if name in _BLOCK_NAMES or node.srcmap is None:
            return
        s, e = self.span(node)
        name = "heading" if name == "lheading" else name
        self.note.blocks.append((name, self.line_of(s), self.line_of(self.end(s, e))))

    def block(self, root: Any, top: bool = False) -> None:
        """The blocks under ``root`` in order, depth first, with a stack of their own (no
        recursion on the input's depth; the nesting limit bounds it anyway)."""
        stack = [_Frame(root, top, False)]
        while stack:
            frame = stack[-1]
            child = next(frame.children, None)
            if child is None:
                if frame.inline:
                    self.inline(frame.inline)
                stack.pop()
                if frame.item:
                    self.items.pop()
                continue
            if frame.top:
                self._top_block(child)
            name = child.name
            if name in _INLINE:
                frame.inline.append(child)
                continue
            if frame.inline:
                self.inline(frame.inline)
                frame.inline = []
            if name in ("heading", "lheading"):
                self.heading(child)
            elif name == "list_item":
                self.list_item(child, frame.node)
                stack.append(_Frame(child, False, True))
            elif name in ("fence", "code_block"):
                self.code_block(child)
            elif name == "html_block":
                self.html(child)
            elif not (name == "paragraph" and self.paragraph(child)):
                stack.append(_Frame(child, False, False))

    def paragraph(self, node: Any) -> bool:
        """A math block, or a paragraph of inline nodes only (the common case, walked
        without a frame of its own); False for the rest."""
        if self._math_block(node):
            return True
        kids = node.children
        if all(k.name in _INLINE for k in kids):
            self.inline(list(kids))
            return True
        return False

    def _math_block(self, node: Any) -> bool:
        s, e = self.span(node)
        if _is_math(self.text[s:e]):
            self.note.code_spans.append(self._whole_lines(s, e))
            return True
        return False

    def _whole_lines(self, s: int, e: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, s) + 1
        end = self.text.find("\n", self.end(s, e))
        return self.base + start, self.base + (len(self.text) if end < 0 else end)

    def code_block(self, node: Any) -> None:
        self.note.code_spans.append(self._whole_lines(*self.span(node)))

    def html(self, node: Any) -> None:

        s, _ = self.span(node)
        start = self.text.rfind("\n", 0, s) + 1
        content = node.meta.get("content", "")
        html_block(self.note, self.base + start, content, self.inlines.scanner, self.reparse, self.seg.depth)

    def heading(self, node: Any) -> None:
        plain = self.inline(list(node.children))
        children = node.children
        if children:
            off = self.base + self.span(children[0])[0]
            raw = self.text[self.span(children[0])[0] : self.span(children[-1])[1]]
        else:
            off, raw = self.base + self.span(node)[1], ""
        line = bisect_right(self.starts, off)
        self.note.headings.append(Heading(int(node.meta["level"]), plain.strip(), raw, off, line))

    def list_item(self, node: Any, parent: Any) -> None:
        s, e = self.span(node)
        line_start = self.text.rfind("\n", 0, s) + 1
        line_end = self.text.find("\n", s)
        line = self.text[line_start : len(self.text) if line_end < 0 else line_end]
        col = s - line_start
        marker = parent.meta.get("marker", "-")
        if parent.name == "ordered_list":
            digits = re.match(r"\d*", line[col:])
            marker = (digits.group(0) if digits else "") + marker
        note = self.note
        start = self.base + s
        line_no = bisect_right(self.starts, start)
        item = ListItem(
            start=start,
            line=line_no,
            end_line=bisect_right(self.starts, self.base + self.end(s, e)),
            indent=start - self.starts[line_no - 1],
            marker=marker,
            text=line[col + len(marker) :].strip(),
            parent=self.items[-1] if self.items else None,
            empty=not node.children,
            commented=self.seg.commented,
        )
        note.items.append(item)
        self.items.append(len(note.items) - 1)  # popped when block() leaves the item

    def inline(self, nodes: list[Any]) -> str:
        return self.inlines.run(nodes, self.items[-1] if self.items else None)


def _is_math(src: str) -> bool:
    """Whether a paragraph's source is a ``$$ … $$`` math block."""
    return src.startswith("$$") and src.rstrip().endswith("$$") and len(src.strip()) > 3


_DEFINITION = re.compile(r"[ ]{0,3}\[((?:[^\]\\]|\\.)+)\]:[ \t]*\n?[ \t]*(?:<([^>\n]*)>|(\S+))")


def parse_segment(note: Note, seg: Segment, reparse: Reparse | None = None) -> None:
    """Parse ``seg`` into ``note``; the inside of an HTML comment goes to ``reparse`` (the
    caller's choice of parser, with its nesting limit), else to this parser."""
    _Walker(note, seg, reparse or parse_segment).run()
