"""The fast parser's inline runs: links and code from markdown-it-pyrs' tree, the rest from the text.

markdown-it-pyrs has no wikilink or math rule, so wikilinks and ``$math$`` are found
here in the text the parser left as plain text, with the same rules as the reference
parser's inline rules (``parse.inline``). Offsets in the tree are UTF-8 bytes;
``ByteOffsets`` turns them into characters.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from markdown_it.common.utils import unescapeAll as unescape_all

from vaultkit.model import Link, LinkKind, Note
from vaultkit.parse.inline import InlineScanner
from vaultkit.parse.shared import Claimed, DocOffset, Segment, dest_span, split_wikilink

WIKILINK = re.compile(r"(!?)\[\[((?:(?!\[\[|\]\])[^\n])+?)\]\]")
# What any scan of a run's text looks for (math, wikilinks, tags, block ids, bare and
# malformed URLs), and what makes a text node differ from its source (escapes, entities).
_QUIET = re.compile(r"[\[\]$#^\\&]|://")
_MATH = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<![\\$])\$(?!\$)[^$\n]+?(?<!\\)\$(?!\$)", re.S)


class ByteOffsets:
    """UTF-8 byte offsets of a segment → character offsets."""

    def __init__(self, text: str) -> None:
        self.ascii = text.isascii()
        self.at: list[int] = []  # byte offset just after each non-ASCII character
        self.extra: list[int] = []  # extra bytes up to and including that character
        if not self.ascii:
            b = extra = 0
            for ch in text:
                n = len(ch.encode("utf-8"))
                b += n
                if n > 1:
                    extra += n - 1
                    self.at.append(b)
                    self.extra.append(extra)

    def span(self, node: Any) -> tuple[int, int]:
        """A node's source map in character offsets of the segment."""
        if self.ascii:
            return node.srcmap  # type: ignore[no-any-return]
        s, e = node.srcmap
        return self.char(s), self.char(e)

    def char(self, byte: int) -> int:
        """The character offset of UTF-8 byte offset ``byte``."""
        if self.ascii:
            return byte
        i = bisect_left(self.at, byte + 1) - 1
        return byte - (self.extra[i] if i >= 0 else 0)


class InlineWalker:
    """Walks the inline runs of one segment of a note."""

    def __init__(self, note: Note, seg: Segment, offsets: ByteOffsets, scanner: InlineScanner) -> None:
        self.note = note
        self.seg = seg
        self.text: str = seg.text
        self.base: int = seg.base
        self.offsets = offsets
        self.scanner = scanner
        self.definitions: dict[str, str] = {}  # reference label -> destination

    def run(self, nodes: list[Any], item: int | None) -> str:
        """One run of inline nodes: links and code from the tree, the rest from the text.

        Links, code spans and math go to the note; the run's plain text is returned.
        """
        if not nodes:
            return ""
        cs = self.offsets.span(nodes[0])[0]
        ce = self.offsets.span(nodes[-1])[1]
        if len(nodes) == 1 and nodes[0].name == "text" and not _QUIET.search(self.text, cs, ce):
            return nodes[0].meta.get("content", "")  # type: ignore[no-any-return]
        content = self.text[cs:ce]
        base = self.base + cs

        def doc(pos: int) -> int:
            return base + pos

        found: list[Link] = []
        covered: list[tuple[int, int]] = []
        plain: list[str] = []
        siblings: list[Any] = []
        self._nodes(nodes, cs, content, doc, item, found, covered, plain, siblings)
        self._math(content, covered, doc)
        self._wikilinks(content, covered, doc, item, found)
        found.sort(key=lambda link: link.start)
        self.note.links.extend(found)
        self.scanner.prose(content, covered, doc, item)
        text = "".join(plain)
        if "[[" in text:
            text = WIKILINK.sub(lambda m: _display(m.group(2)), text)
        return text

    def _nodes(
        self,
        nodes: list[Any],
        cs: int,
        content: str,
        doc: DocOffset,
        item: int | None,
        found: list[Link],
        covered: list[tuple[int, int]],
        plain: list[str],
        siblings: list[Any],
    ) -> None:
        """The inline nodes in order, depth first, with a stack of their own (no recursion
        on the input's depth)."""
        stack: list[tuple[list[Any], int]] = [(nodes, 0)]
        while stack:
            level, j = stack.pop()
            if j >= len(level):
                continue
            stack.append((level, j + 1))
            node = level[j]
            name = node.name
            if name in ("text", "text_special"):  # most nodes: no span needed
                plain.append(node.meta.get("content", ""))
                continue
            if name in ("softbreak", "hardbreak"):
                continue
            s, e = self.offsets.span(node)
            s, e = s - cs, e - cs
            if name == "code_inline":
                plain.append(_text_of(node))
                covered.append((s, e))
                self.note.code_spans.append((doc(s), doc(e)))
            elif name in ("link", "image", "autolink"):
                covered.append((s, e))
                label = _text_of(node)
                if name == "link":
                    plain.append(label)
                found.append(self._link(name, node.meta.get("url", ""), label, content, s, e, doc, item))
            elif name == "html_inline":
                covered.append((s, e))
                html = node.meta.get("content", "")
                if html.startswith("<!--"):
                    self.scanner.comment(html, s, doc, item)
                else:
                    before = len(self.note.links)
                    self.scanner.html(html, doc(s), item, _tokens(level, j + 1))
                    found.extend(self.note.links[before:])
                    del self.note.links[before:]
            elif node.children:
                stack.append((list(node.children), 0))

    def _link(
        self, name: str, url: str, label: str, content: str, s: int, e: int, doc: DocOffset, item: int | None
    ) -> Link:
        commented = self.seg.commented
        src = content[s:e]
        kind: LinkKind
        if name == "autolink":
            return Link(
                "autolink",
                src[1:-1],
                None,
                label,
                doc(s),
                doc(e),
                doc(s + 1),
                doc(e - 1),
                commented,
                False,
                item,
            )
        if name == "link" and "](" not in src:
            raw = self.definitions.get(_label(src, label), url)
            link = Link("reference", raw, None, label, doc(s), doc(e), -1, -1, commented, False, item)
        else:
            kind = "image" if name == "image" else "link"
            ds, de = dest_span(src)
            link = Link(
                kind,
                unescape_all(src[ds:de]),
                None,
                label,
                doc(s),
                doc(e),
                doc(s + ds),
                doc(s + de),
                commented,
                False,
                item,
            )
        InlineScanner.split_anchor(link)
        return link

    def _wikilinks(
        self,
        content: str,
        covered: list[tuple[int, int]],
        doc: DocOffset,
        item: int | None,
        found: list[Link],
    ) -> None:
        if "[[" not in content:
            return

        added = []
        claimed = Claimed(covered)
        for m in WIKILINK.finditer(content):
            s, e = m.span()
            if claimed.overlaps(s, e) or not m.group(2).strip():
                continue
            body = m.group(2)
            target, anchor, alias = split_wikilink(body)
            raw_len = len(body.replace("\\|", "|").partition("|")[0].partition("#")[0])
            bs = m.start(2)
            found.append(
                Link(
                    "embed" if m.group(1) else "wikilink",
                    target,
                    anchor,
                    alias,
                    doc(s),
                    doc(e),
                    doc(bs),
                    doc(bs + raw_len),
                    self.seg.commented,
                    False,
                    item,
                )
            )
            added.append((s, e))
        covered.extend(added)

    def _math(self, content: str, covered: list[tuple[int, int]], doc: DocOffset) -> None:
        if "$" not in content:
            return
        claimed = Claimed(covered)
        added = []
        for m in _MATH.finditer(content):
            s, e = m.span()
            if claimed.overlaps(s, e):
                continue
            added.append((s, e))
            self.note.code_spans.append((doc(s), doc(e)))
        covered.extend(added)


_REF_LABEL = re.compile(r"\]\s*\[((?:[^\]\\]|\\.)*)\]$")


def norm_label(label: str) -> str:
    """A reference label as CommonMark matches it: whitespace collapsed, case folded."""
    return " ".join(label.split()).casefold()


def _label(src: str, text: str) -> str:
    """The reference label of ``[text][label]``, ``[label][]`` or ``[label]``."""
    m = _REF_LABEL.search(src)
    if m and m.group(1).strip():
        return norm_label(m.group(1))
    inner = src[1:].split("]", 1)[0] if not m else src[1 : m.start()]
    return norm_label(inner or text)


def _display(body: str) -> str:

    alias = split_wikilink(body)[2]
    return alias or body


def _text_of(node: Any) -> str:
    parts = []
    stack = [node]
    while stack:  # depth first, in order, without recursion
        n = stack.pop()
        if n.name in ("text", "text_special"):
            parts.append(n.meta.get("content", ""))
        elif n.name in ("softbreak", "hardbreak"):  # "multi⏎line" is "multi line"
            parts.append(" ")
        stack.extend(reversed(n.children))
    return "".join(parts)


def _tokens(nodes: list[Any], start: int) -> Iterator[Any]:
    """The siblings from ``start`` as the reference scanner sees them (for the text of an
    ``<a>``), made as they are read."""
    for i in range(start, len(nodes)):  # not islice: it would walk the first ``start`` too
        n = nodes[i]
        name = n.name
        if name == "html_inline":
            yield SimpleNamespace(type="html_inline", content=n.meta.get("content", ""))
        elif name in ("text", "text_special"):
            yield SimpleNamespace(type="text", content=n.meta.get("content", ""))
        else:
            yield SimpleNamespace(type=name, content="")
