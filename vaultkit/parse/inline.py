"""Facts from one inline token: links, wikilinks, code, tags, block ids and bare URLs."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from typing import Any

from markdown_it.token import Token

from vaultkit.model import BlockId, Link, LinkKind, Note, Tag
from vaultkit.parse.shapes import BRACKETS, MALFORMED
from vaultkit.parse.shared import DocOffset, SpanFree, a_label, dest_span, split_wikilink

BARE_URL = re.compile(r"https?://[^\s<>\"`]+")
_TRAIL = ".,:;!?*_~'\""
TAG = re.compile(r"(?:(?<=\s)|^)#([^\W\d][\w/-]*|[\w/-]*[^\W\d_][\w/-]*)", re.M)
# A block id ends its line, after a space or straight after a link or embed
# (`![[shot.png]]^fig-1`, as Obsidian's own vaults write it).
_BLOCK_ID = re.compile(r"(?:^|[ \t]|(?<=\]\])|(?<=\)))\^([A-Za-z0-9-]+)[ \t]*$", re.M)
_HREF = re.compile(r"""<(a|img)\b[^>]*?\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def trim_url(url: str) -> str:
    """Trim trailing punctuation the way GFM's extended autolinks do."""
    while url:
        last = url[-1]
        if last in _TRAIL or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


class InlineScanner:
    def __init__(self, note: Note, commented: bool) -> None:
        self.note = note
        self.commented = commented

    def scan(self, tok: Token, mapping: list[tuple[int, int]], item: int | None) -> str:
        """Record facts of an inline token; return its plain text."""
        keys = [m[0] for m in mapping]

        def doc(pos: int) -> int:
            i = bisect_right(keys, pos) - 1
            return mapping[i][1] + pos - mapping[i][0]

        content = tok.content
        covered: list[tuple[int, int]] = []
        plain: list[str] = []
        children = tok.children or []
        note = self.note
        for j, child in enumerate(children):
            ct = child.type
            span = child.meta.get("span") if child.meta else None
            if ct == "text" or ct == "code_inline":
                plain.append(child.content)
            if span is None:
                continue
            covered.append(span)
            s, e = span
            if ct in ("code_inline", "math_inline", "math_inline_double"):
                note.code_spans.append((doc(s), doc(e)))
            elif ct == "wikilink":
                self._wikilink(child, doc, item, plain)
            elif ct == "link_open":
                self._link(child, children, j, content, s, e, doc, item)
            elif ct == "image":
                src = str(child.attrGet("src") or "")
                self._add("image", src, child.content, content, s, e, doc, item)
            elif ct == "html_inline" and child.content.startswith("<!--"):
                self.comment(child.content, s, doc, item)
            elif ct == "html_inline":
                self.html(child.content, doc(s), item, (children[i] for i in range(j + 1, len(children))))
        self.prose(content, covered, doc, item)
        return "".join(plain)

    def _add(
        self,
        kind: LinkKind,
        href: str,
        text: str,
        content: str,
        s: int,
        e: int,
        doc: DocOffset,
        item: int | None,
    ) -> None:
        src = content[s:e]
        ds, de = dest_span(src)
        self.note.links.append(
            Link(
                kind,
                str(href),
                None,
                text,
                doc(s),
                doc(e),
                doc(s + ds),
                doc(s + de),
                self.commented,
                False,
                item,
            )
        )
        self.split_anchor(self.note.links[-1])

    def _link(
        self,
        tok: Token,
        children: list[Token],
        j: int,
        content: str,
        s: int,
        e: int,
        doc: DocOffset,
        item: int | None,
    ) -> None:
        href = str(tok.attrGet("href") or "")
        text = []
        for c in children[j + 1 :]:
            if c.type == "link_close":
                break
            if c.type in ("text", "code_inline") or c.type == "image":
                text.append(c.content)
            elif c.type in ("softbreak", "hardbreak"):  # "multi⏎line" is "multi line"
                text.append(" ")
        label = "".join(text)
        src = content[s:e]
        if tok.markup == "autolink":
            link = Link(
                "autolink",
                href,
                None,
                label,
                doc(s),
                doc(e),
                doc(s + 1),
                doc(e - 1),
                self.commented,
                False,
                item,
            )
            self.note.links.append(link)
            return
        if "](" not in src:
            link = Link("reference", href, None, label, doc(s), doc(e), -1, -1, self.commented, False, item)
        else:
            ds, de = dest_span(src)
            link = Link(
                "link",
                href,
                None,
                label,
                doc(s),
                doc(e),
                doc(s + ds),
                doc(s + de),
                self.commented,
                False,
                item,
            )
        self.note.links.append(link)
        self.split_anchor(link)

    @staticmethod
    def split_anchor(link: Link) -> None:
        target = link.target
        if "#" in target and not target.startswith(("http://", "https://")):
            link.target, _, link.anchor = target.partition("#")
        elif target.startswith("#"):
            link.target, link.anchor = "", target[1:]

    def _wikilink(self, tok: Token, doc: DocOffset, item: int | None, plain: list[str]) -> None:
        s, e = tok.meta["span"]
        body_start = tok.meta["body_start"]
        target, anchor, alias = split_wikilink(tok.content)
        plain.append(alias or tok.content)
        raw_target_len = len(tok.content.replace("\\|", "|").partition("|")[0].partition("#")[0])
        self.note.links.append(
            Link(
                "embed" if tok.meta["embed"] else "wikilink",
                target,
                anchor,
                alias,
                doc(s),
                doc(e),
                doc(body_start),
                doc(body_start + raw_target_len),
                self.commented,
                False,
                item,
            )
        )

    def comment(self, html: str, s: int, doc: DocOffset, item: int | None) -> None:
        """An inline ``<!-- ... -->``: its inside counts, flagged ``commented``, like a block one."""
        from vaultkit.parse.mdit import parser

        self.note.comments.append((doc(s), doc(s + len(html))))
        inner = html[4:-3] if html.endswith("-->") else html[4:]
        if inner.lstrip().lower().startswith("vaultkit-") or not inner.strip():
            return
        tokens = parser().parseInline(inner)
        if not tokens:
            return
        base = s + 4
        mapping = [(0, doc(base))]
        for i, ch in enumerate(inner):
            if ch == "\n":
                mapping.append((i + 1, doc(base + i + 1)))
        InlineScanner(self.note, True).scan(tokens[0], mapping, item)

    def html(self, html: str, base: int, item: int | None, following: Iterable[Any]) -> None:
        """The links of an HTML tag; an ``<a>``'s text comes from the tokens ``following`` it."""
        label: str | None = None
        for m in _HREF.finditer(html):
            value = next(g for g in (m.group(3), m.group(4), m.group(5)) if g is not None)
            vs = (
                m.start(3)
                if m.group(3) is not None
                else (m.start(4) if m.group(4) is not None else m.start(5))
            )
            if m.group(1).lower() == "a" and label is None:
                label = a_label(following)
            self.note.links.append(
                Link(
                    "html",
                    value,
                    None,
                    label if m.group(1).lower() == "a" and label is not None else "",
                    base + m.start(),
                    base + m.end(),
                    base + vs,
                    base + vs + len(value),
                    self.commented,
                    False,
                    item,
                )
            )
            self.split_anchor(self.note.links[-1])

    def scan_html(self, html: str, base: int, item: int | None) -> None:
        if "<" in html:
            self.html(html, base, item, ())

    def prose(self, content: str, covered: list[tuple[int, int]], doc: DocOffset, item: int | None) -> None:
        """Regex scans over text that no inline rule claimed."""
        note = self.note
        covered[:] = _merged(covered)

        def free(s: int, e: int) -> bool:
            i = bisect_right(covered, (s, 1 << 62)) - 1
            if i >= 0 and covered[i][1] > s:
                return False
            return not (i + 1 < len(covered) and covered[i + 1][0] < e)

        has_url = "://" in content
        if has_url and ("[" in content or "]" in content) and _maybe_malformed(content, covered):
            self._malformed(content, covered, free, doc, item)
        if "[[" in content or "][" in content:
            self._unresolved_brackets(content, covered, free, doc, item)
        if has_url:
            for m in BARE_URL.finditer(content):
                s = m.start()
                if not free(s, s + 1):
                    continue  # a link's destination, most often
                url = trim_url(m.group(0))
                if url and free(s, s + len(url)):
                    note.links.append(
                        Link(
                            "bare",
                            url,
                            None,
                            "",
                            doc(s),
                            doc(s + len(url)),
                            doc(s),
                            doc(s + len(url)),
                            self.commented,
                            False,
                            item,
                        )
                    )
        if "#" in content:
            for m in TAG.finditer(content):
                if free(m.start(), m.end()):
                    note.tags.append(Tag(m.group(1), doc(m.start()), note.position(doc(m.start()))[0]))
        if "^" in content:
            for m in _BLOCK_ID.finditer(content):
                if free(m.start(1), m.end(1)):
                    off = doc(m.start(1) - 1)
                    note.block_ids.append(BlockId(m.group(1), off, note.position(off)[0]))

    def _malformed(
        self, content: str, covered: list[tuple[int, int]], free: SpanFree, doc: DocOffset, item: int | None
    ) -> None:
        found: list[tuple[int, int]] = []
        for pattern, why, url_group, text_group in MALFORMED:
            for m in pattern.finditer(content):
                s, e = m.start(), m.end()
                if why == "no-parens":  # the URL ends as a bare URL would
                    e = m.start(2) + len(trim_url(m.group(2)))
                if not free(s, e) or _overlaps(found, s, e):
                    continue
                insort(found, (s, e))
                text = m.group(text_group) if text_group else ""
                url_end = min(m.end(url_group), e)
                link = Link(
                    "link",
                    content[m.start(url_group) : url_end],
                    None,
                    text,
                    doc(s),
                    doc(e),
                    doc(m.start(url_group)),
                    doc(url_end),
                    self.commented,
                    False,
                    item,
                )
                link.malformed = why
                self.note.links.append(link)
        covered.extend(found)
        covered.sort()

    def _unresolved_brackets(
        self, content: str, covered: list[tuple[int, int]], free: object, doc: object, item: int | None
    ) -> None:
        """An unclosed ``[[wikilink``, and ``[text][label]`` with no definition of label."""
        assert callable(free) and callable(doc)
        for pattern, why in BRACKETS:
            for m in pattern.finditer(content):
                s, e = m.start(), m.end()
                if not free(s, e) or not m.group(1).strip():
                    continue
                target = (m.group(2) or m.group(1)) if why == "undefined-reference" else m.group(1)
                link = Link(
                    "link",
                    target.strip(),
                    None,
                    m.group(1),
                    doc(s),
                    doc(e),
                    -1,
                    -1,
                    self.commented,
                    False,
                    item,
                )
                link.malformed = why
                self.note.links.append(link)
                covered[:] = _merged([*covered, (s, e)])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans covering the same ground: an image or HTML inside a link's
    text is a span inside the link's span, and must not leave the link's URL looking free."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _maybe_malformed(content: str, covered: list[tuple[int, int]]) -> bool:
    """Cheap pre-check: is there link-like text outside the links the parser found?"""
    rest = content
    if covered:
        parts, pos = [], 0
        for s, e in covered:
            if s >= pos:
                parts.append(content[pos:s])
                pos = e
        parts.append(content[pos:])
        rest = " ".join(parts)
    return "://" in rest and ("](" in rest or "] (" in rest or "(http" in rest or "[" in rest)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of ``spans`` (sorted and disjoint)."""
    i = bisect_left(spans, (end,))  # the spans that start before ``end`` come before i
    return i > 0 and spans[i - 1][1] > start
