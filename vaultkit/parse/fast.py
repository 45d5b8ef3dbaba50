"""The fast path of the parser: markdown-it-pyrs (markdown-it in Rust) instead of markdown-it-py.

It yields the same facts as ``vaultkit.parse.note`` (a differential test checks it on
real vaults) about 10× faster. markdown-it-pyrs gives every node a source map
(in UTF-8 bytes) but has no wikilink or math rule, so wikilinks and ``$math$``
are found here in the text the parser left as plain text, with the same rules
as the reference parser's inline rules.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from types import SimpleNamespace
from typing import Any

from markdown_it.common.utils import unescapeAll as unescape_all

from vaultkit.model import Heading, Link, LinkKind, ListItem, Note
from vaultkit.parse.inline import InlineScanner
from vaultkit.parse.shared import dest_span, html_block, split_wikilink

markdown_it_pyrs: Any
try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the reference parser is used instead
    markdown_it_pyrs = None

_WIKILINK = re.compile(r"(!?)\[\[((?:(?!\[\[|\]\])[^\n])+?)\]\]")
_MATH = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<![\\$])\$(?!\$)[^$\n]+?(?<!\\)\$(?!\$)", re.S)
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


class _Bytes:
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

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        i = bisect_left(self.at, byte + 1) - 1
        return byte - (self.extra[i] if i >= 0 else 0)


class _Walker:
    def __init__(self, note: Note, seg: Any) -> None:
        self.note = note
        self.seg = seg
        self.text: str = seg.text
        self.base: int = seg.base
        self.bytes = _Bytes(seg.text)
        self.scanner = InlineScanner(note, seg.commented)
        self.items: list[int] = []
        self.definitions: dict[str, str] = {}

    def span(self, node: Any) -> tuple[int, int]:
        if self.bytes.ascii:
            return node.srcmap  # type: ignore[no-any-return]
        s, e = node.srcmap
        return self.bytes.char(s), self.bytes.char(e)

    def end(self, s: int, e: int) -> int:
        """The offset of the last non-blank character of [s, e)."""
        text = self.text
        while e > s + 1 and text[e - 1] in " \t\r\n":
            e -= 1
        return max(s, e - 1)

    def line_of(self, off: int) -> int:
        return self.note.position(self.base + off)[0]

    def run(self) -> None:
        root = _md().tree(self.text)
        for node in root.children:
            name = node.name
            if name == "definition":
                s, e = self.span(node)
                m = _DEFINITION.match(self.text, s, e)
                if m:
                    label = _norm_label(m.group(1))
                    self.definitions.setdefault(label, unescape_all(m.group(2) or m.group(3) or ""))
        self.block(root, top=True)

    def _top_block(self, node: Any) -> None:
        name = node.name
        if name in _BLOCK_NAMES or node.srcmap is None:
            return
        s, e = self.span(node)
        name = "heading" if name == "lheading" else name
        self.note.blocks.append((name, self.line_of(s), self.line_of(self.end(s, e))))

    def block(self, node: Any, top: bool = False) -> None:
        inline: list[Any] = []
        for child in node.children:
            if top:
                self._top_block(child)
            name = child.name
            if name in _INLINE:
                inline.append(child)
                continue
            if inline:
                self.inline(inline)
                inline = []
            if name in ("heading", "lheading"):
                self.heading(child)
            elif name == "list_item":
                self.list_item(child, node)
            elif name in ("fence", "code_block"):
                self.code_block(child)
            elif name == "html_block":
                self.html(child)
            elif name == "paragraph" and self._math_block(child):
                continue
            else:
                self.block(child)
        if inline:
            self.inline(inline)

    def _math_block(self, node: Any) -> bool:
        s, e = self.span(node)
        src = self.text[s:e]
        if src.startswith("$$") and src.rstrip().endswith("$$") and len(src.strip()) > 3:
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
        html_block(self.note, self.base + start, node.meta.get("content", ""), self.scanner, parse_segment)

    def heading(self, node: Any) -> None:
        plain = self.inline(list(node.children))
        children = node.children
        if children:
            off = self.base + self.span(children[0])[0]
            raw = self.text[self.span(children[0])[0] : self.span(children[-1])[1]]
        else:
            off, raw = self.base + self.span(node)[1], ""
        self.note.headings.append(
            Heading(int(node.meta["level"]), plain.strip(), raw, off, self.note.position(off)[0])
        )

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
        line_no, column = note.position(self.base + s)
        item = ListItem(
            start=self.base + s,
            line=line_no,
            end_line=note.position(self.base + self.end(s, e))[0],
            indent=column - 1,
            marker=marker,
            text=line[col + len(marker) :].strip(),
            parent=self.items[-1] if self.items else None,
            empty=not node.children,
            commented=self.seg.commented,
        )
        note.items.append(item)
        self.items.append(len(note.items) - 1)
        self.block(node)
        self.items.pop()

    def inline(self, nodes: list[Any]) -> str:
        """One run of inline nodes: links and code from the tree, the rest from the text."""
        if not nodes:
            return ""
        cs = self.span(nodes[0])[0]
        ce = self.span(nodes[-1])[1]
        content = self.text[cs:ce]
        base = self.base + cs

        def doc(pos: int) -> int:
            return base + pos

        item = self.items[-1] if self.items else None
        found: list[Link] = []
        covered: list[tuple[int, int]] = []
        plain: list[str] = []
        siblings: list[Any] = []
        self._nodes(nodes, cs, content, doc, item, found, covered, plain, siblings)
        self._math(content, covered, doc)
        self._wikilinks(content, covered, doc, item, found)
        found.sort(key=lambda link: link.start)
        self.note.links.extend(found)
        self.scanner._prose(content, covered, doc, item)
        text = "".join(plain)
        if "[[" in text:
            text = _WIKILINK.sub(lambda m: _display(m.group(2)), text)
        return text

    def _nodes(
        self,
        nodes: list[Any],
        cs: int,
        content: str,
        doc: Any,
        item: int | None,
        found: list[Link],
        covered: list[tuple[int, int]],
        plain: list[str],
        siblings: list[Any],
    ) -> None:
        for j, node in enumerate(nodes):
            name = node.name
            s, e = self.span(node)
            s, e = s - cs, e - cs
            if name in ("text", "text_special"):
                plain.append(node.meta.get("content", ""))
            elif name == "code_inline":
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
                    self.scanner._comment(html, s, doc, item)
                else:
                    before = len(self.note.links)
                    self.scanner._html(html, doc(s), item, _tokens(nodes[j + 1 :]), -1)
                    found.extend(self.note.links[before:])
                    del self.note.links[before:]
            elif node.children:
                self._nodes(list(node.children), cs, content, doc, item, found, covered, plain, siblings)

    def _link(
        self, name: str, url: str, label: str, content: str, s: int, e: int, doc: Any, item: int | None
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
        InlineScanner._split_anchor(link)
        return link

    def _wikilinks(
        self, content: str, covered: list[tuple[int, int]], doc: Any, item: int | None, found: list[Link]
    ) -> None:
        if "[[" not in content:
            return

        added = []
        for m in _WIKILINK.finditer(content):
            s, e = m.span()
            if any(cs_ < e and s < ce_ for cs_, ce_ in covered) or not m.group(2).strip():
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

    def _math(self, content: str, covered: list[tuple[int, int]], doc: Any) -> None:
        if "$" not in content:
            return
        for m in _MATH.finditer(content):
            s, e = m.span()
            if any(cs_ < e and s < ce_ for cs_, ce_ in covered):
                continue
            covered.append((s, e))
            self.note.code_spans.append((doc(s), doc(e)))


_DEFINITION = re.compile(r"[ ]{0,3}\[((?:[^\]\\]|\\.)+)\]:[ \t]*\n?[ \t]*(?:<([^>\n]*)>|(\S+))")
_REF_LABEL = re.compile(r"\]\s*\[((?:[^\]\\]|\\.)*)\]$")


def _norm_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _label(src: str, text: str) -> str:
    """The reference label of ``[text][label]``, ``[label][]`` or ``[label]``."""
    m = _REF_LABEL.search(src)
    if m and m.group(1).strip():
        return _norm_label(m.group(1))
    inner = src[1:].split("]", 1)[0] if not m else src[1 : m.start()]
    return _norm_label(inner or text)


def _display(body: str) -> str:

    alias = split_wikilink(body)[2]
    return alias or body


def _text_of(node: Any) -> str:
    parts = []
    for n in node.walk():
        if n.name in ("text", "text_special"):
            parts.append(n.meta.get("content", ""))
    return "".join(parts)


def _tokens(nodes: list[Any]) -> list[Any]:
    """Siblings as the reference scanner sees them (for the text of an ``<a>``)."""
    out = []
    for n in nodes:
        if n.name == "html_inline":
            out.append(SimpleNamespace(type="html_inline", content=n.meta.get("content", "")))
        elif n.name in ("text", "text_special"):
            out.append(SimpleNamespace(type="text", content=n.meta.get("content", "")))
    return out


def parse_segment(note: Note, seg: Any) -> None:
    _Walker(note, seg).run()
