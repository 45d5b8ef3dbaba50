"""One parse per note: frontmatter, markdown-it-py tokens, and the facts rules need.

HTML comments: a ``<!-- ... -->`` block, or one inside a paragraph, is parsed as
markdown too, and what it yields is flagged ``commented``. Drafts are often wrapped
whole in a comment, and their links are still the user's links, so rules see them;
the export marks them. ``<!-- vaultkit-... -->`` directives are not parsed.
Obsidian ``%% ... %%`` comments are ordinary text to the parser, so their links
count, as they do in Obsidian.

Templates: in a note inside the vault's templates folder (``template=True``), a
``{{placeholder}}`` that stands as a whole frontmatter value (``created: {{date}}``)
is read as the string it is, since Obsidian replaces it when the template is used.
Anywhere else such a value is YAML that does not parse, and is reported.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

from markdown_it.token import Token

from vaultkit.limits import active as active_limits
from vaultkit.model import Frontmatter, Heading, ListItem, Note, Suppression, Tag, line_starts
from vaultkit.parse import chunks
from vaultkit.parse.big_blocks import big_blocks, mask
from vaultkit.parse.chunks import pieces
from vaultkit.parse.depth import mask_deep
from vaultkit.parse.frontmatter import frontmatter_tags, load_yaml, split_frontmatter
from vaultkit.parse.inline import InlineScanner
from vaultkit.parse.mdit import parser
from vaultkit.parse.shared import Segment, html_block, split_wikilink
from vaultkit.parse.suppress import ALL_RULES as ALL_RULES
from vaultkit.parse.suppress import is_suppressed as is_suppressed

_DIRECTIVE = re.compile(r"<!--\s*vaultkit-(disable-next-line|disable|enable)\b([^>]*?)-->", re.IGNORECASE)
_FM_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+)\]\]")
_FM_URL = re.compile(r"https?://[^\s\"'<>\]\[]+")
_TABLE_DELIMITER = re.compile(r"^[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-*:?[ \t]*)*\|", re.M)
_LONE_MARKER = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]*$", re.M)
_MATH_LINE = re.compile(r"^[ \t>]*\$\$", re.M)
_QUOTE = re.compile(r"^[ \t]*>", re.M)
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)", re.M)


# "key: {{date}}" or "- {{title}}": a template placeholder as a whole YAML value.
_PLACEHOLDER_VALUE = re.compile(r"^([ \t]*(?:-|[^\s#:-][^#\n:]*:)[ \t]+)(\{\{[^{}\n]*\}\})[ \t]*$", re.M)


def parse_note(path: str, text: str, template: bool = False) -> Note:
    fm, body_start = split_frontmatter(text)
    if template and fm.error and "{{" in fm.raw:
        fm = _template_frontmatter(fm)
    note = Note(path=path, text=text, frontmatter=fm)
    note.line_starts = line_starts(text)
    if fm.present:
        _frontmatter_links(note, text, fm)
        for name in frontmatter_tags(fm.data):
            note.tags.append(Tag(name, -1, 1))
        note.disabled = _disabled_rules(fm.data)
    parse_segment(
        note, Segment(text[body_start:], body_start, False, starts=None if body_start else note.line_starts)
    )
    if "vaultkit-" in text:
        note.suppressions = _suppressions(note)
    return note


def _template_frontmatter(fm: Frontmatter) -> Frontmatter:
    """Read whole-value ``{{placeholders}}`` as strings; keep the error if it still fails."""
    quoted = _PLACEHOLDER_VALUE.sub(lambda m: m.group(1) + "'" + m.group(2).replace("'", "''") + "'", fm.raw)
    retry = load_yaml(quoted, first_line=2)
    if retry.error:
        return fm
    fm.data, fm.error, fm.error_line = retry.data, None, None
    return fm


def use_reference_parser() -> bool:
    """markdown-it-py is the reference; markdown-it-pyrs, when installed, is the fast path."""
    return os.environ.get("VAULTKIT_PARSER", "").lower() in ("reference", "python", "py")


def parse_segment(note: Note, seg: Segment) -> None:
    """Parse one segment (the body, or the inside of a comment) with either parser, its
    markup nested past the nesting limit masked first (``parse.depth``), and the blocks over
    the block-markup limit (``parse.big_blocks``)."""
    limits = active_limits()
    cap = limits.nesting
    if seg.depth > cap:
        return  # comments nested deeper than the cap are text
    masked = mask_deep(seg.text, cap)
    big = big_blocks(masked, limits.block_markup)
    if big:
        masked = mask(masked, big)
        for spans, count in big:
            note.code_spans.extend((seg.base + s, seg.base + e) for s, e in spans)  # fix leaves it alone
            note.big_blocks.append((seg.base + spans[0][0], count))
    if masked is not seg.text:
        seg = Segment(masked, seg.base, seg.commented, seg.depth)
    if not use_reference_parser():
        from vaultkit.parse import fast as parse_rs

        if parse_rs.available():
            for start, end in pieces(seg.text, chunks.CHUNK_SIZE):
                piece = seg if end - start == len(seg.text) else _piece(seg, start, end)
                if _diverges(piece.text):
                    parse_segment_reference(note, piece)
                else:
                    parse_rs.parse_segment(note, piece, parse_segment)
            return
    parse_segment_reference(note, seg)


def _piece(seg: Segment, start: int, end: int) -> Segment:
    return Segment(seg.text[start:end], seg.base + start, seg.commented, seg.depth)


def _diverges(text: str) -> bool:
    """Text where markdown-it-pyrs 0.4 and markdown-it-py disagree: where a table ends, a
    ``$$`` block, a lone list marker under a line of text, a list item under a quote. These
    take the reference."""
    if "|" in text and _tables_diverge(text):
        return True
    if "$$" in text and _MATH_LINE.search(text):
        return True  # a $$ block: markdown-it-pyrs has no dollarmath, and its edges differ
    if ">" in text and _QUOTE.search(text) and _LIST_LINE.search(text):
        return True  # where a quote's lazy lines end before a list item
    for m in _LONE_MARKER.finditer(text):  # a lone marker right under a line of text
        end = max(0, m.start() - 1)
        if text[text.rfind("\n", 0, end) + 1 : end].strip():
            return True
    return False


# A line that may start another block (or is indented code) where a table row could be.
_BLOCK_START = re.compile(r"[ \t]*(?:[>#<]|[-*+](?:[ \t]|$)|\d{1,9}[.)]|```|~~~)|[ \t]{4}")


def _header_diverges(text: str, delimiter: int) -> bool:
    """Whether the header above the delimiter row at ``delimiter`` may be read differently:
    it must be a plain line with a ``|``, after a blank line or at the top."""
    if delimiter == 0:
        return True
    above = text.rfind("\n", 0, delimiter - 1)  # the end of the line above the header
    header = text[above + 1 : delimiter - 1]
    if "|" not in header or _BLOCK_START.match(header):
        return True
    return above >= 0 and bool(text[text.rfind("\n", 0, above) + 1 : above].strip())


def _tables_diverge(text: str) -> bool:
    """Whether the parsers may end a table differently: markdown-it-py (GFM) goes on through
    a line with no ``|``, markdown-it-pyrs stops. A top-level table after a blank line (or at
    the top), whose rows all have a ``|`` and that ends at a blank line (or the end), is
    parsed alike by both."""
    walked = 0
    for m in _TABLE_DELIMITER.finditer(text):
        if m.start() < walked:
            continue  # a row of a table already walked
        if text[m.start()] in " \t>":
            return True  # a table in a quote or a list item
        if _header_diverges(text, m.start()):
            return True
        pos = text.find("\n", m.end())
        while pos >= 0:
            end = text.find("\n", pos + 1)
            line = text[pos + 1 : len(text) if end < 0 else end]
            if not line.strip():
                break
            if "|" not in line or _BLOCK_START.match(line):
                return True
            pos = end
        walked = len(text) if pos < 0 else pos
    return False


def parse_segment_reference(note: Note, seg: Segment) -> None:
    tokens = parser().parse(seg.text)
    scanner = InlineScanner(note, seg.commented)
    item_stack: list[int] = []
    heading_level = 0
    for i, tok in enumerate(tokens):
        t = tok.type
        if tok.level == 0 and tok.nesting >= 0 and tok.map:
            first = note.position(seg.offset(tok.map[0]))[0]
            last = note.position(seg.offset(seg.last_line(tok.map[0], tok.map[1])))[0]
            note.blocks.append((t.removesuffix("_open"), first, last))
        if t == "inline":
            if tok.map is None:
                continue
            mapping = seg.content_map(tok)
            if heading_level:
                text = scanner.scan(tok, mapping, item_stack[-1] if item_stack else None)
                off = mapping[0][1]
                note.headings.append(
                    Heading(heading_level, text.strip(), tok.content, off, note.position(off)[0])
                )
            else:
                scanner.scan(tok, mapping, item_stack[-1] if item_stack else None)
        elif t == "heading_open":
            heading_level = int(tok.tag[1])
        elif t == "heading_close":
            heading_level = 0
        elif t == "list_item_open":
            item_stack.append(_list_item(note, seg, tok, tokens[i + 1], item_stack))
        elif t == "list_item_close":
            item_stack.pop()
        elif t in ("fence", "code_block", "math_block", "math_block_label") and tok.map:
            start = seg.offset(tok.map[0])
            note.code_spans.append((start, seg.line_end(seg.last_line(tok.map[0], tok.map[1]))))
        elif t == "html_block" and tok.map:
            html_block(note, seg.offset(tok.map[0]), tok.content, scanner, parse_segment, seg.depth)


def _list_item(note: Note, seg: Segment, tok: Token, nxt: Token, stack: list[int]) -> int:
    assert tok.map is not None
    line = seg.lines[tok.map[0]]
    marker = tok.markup if tok.info == "" else tok.info + tok.markup
    indent = line.find(marker)
    if indent < 0:
        indent = len(line) - len(line.lstrip())
    start = seg.offset(tok.map[0], indent)
    text = line[indent + len(marker) :].strip()
    empty = nxt.type == "list_item_close"
    item = ListItem(
        start=start,
        line=note.position(start)[0],
        end_line=note.position(seg.offset(seg.last_line(tok.map[0], tok.map[1])))[0],
        indent=note.position(start)[1] - 1,
        marker=marker,
        text=text,
        parent=stack[-1] if stack else None,
        empty=empty,
        commented=seg.commented,
    )
    note.items.append(item)
    return len(note.items) - 1


def _frontmatter_links(note: Note, text: str, fm: Frontmatter) -> None:
    from vaultkit.model import Link

    start = text.find("\n") + 1
    raw_end = start + len(fm.raw)
    for m in _FM_WIKILINK.finditer(text, start, raw_end):
        target, anchor, alias = split_wikilink(m.group(2))
        note.links.append(
            Link(
                kind="embed" if m.group(1) else "wikilink",
                target=target,
                anchor=anchor,
                text=alias,
                start=m.start(),
                end=m.end(),
                dest_start=m.start(2),
                dest_end=m.end(2),
                in_frontmatter=True,
            )
        )
    for m in _FM_URL.finditer(text, start, raw_end):
        url = m.group(0).rstrip(".,;")
        note.links.append(
            Link(
                "bare",
                url,
                None,
                "",
                m.start(),
                m.start() + len(url),
                m.start(),
                m.start() + len(url),
                in_frontmatter=True,
            )
        )


def _disabled_rules(data: dict[str, Any] | None) -> frozenset[str]:
    if not data:
        return frozenset()
    value = data.get("vaultkit-disable")
    if value is None:
        sub = data.get("vaultkit")
        value = sub.get("disable") if isinstance(sub, dict) else None
    if value is True or (isinstance(value, str) and value.strip().lower() in ("all", "*")):
        return frozenset([ALL_RULES])
    if isinstance(value, str):
        return frozenset(v for v in re.split(r"[,\s]+", value) if v)
    if isinstance(value, list):
        names = frozenset(str(v) for v in value)
        return frozenset([ALL_RULES]) if names & {"all", "ALL", "*"} else names
    return frozenset()


def directives(text: str) -> Iterator[tuple[int, int, str, list[str]]]:
    """Each ``<!-- vaultkit-disable… -->`` comment: start and end offsets, kind, rule names."""
    if "vaultkit-" not in text:
        return
    for m in _DIRECTIVE.finditer(text):
        rules = [r for r in re.split(r"[,\s]+", m.group(2).strip()) if r] or [ALL_RULES]
        yield m.start(), m.end(), m.group(1).lower(), rules


def _suppressions(note: Note) -> list[Suppression]:
    out: list[Suppression] = []
    open_: dict[str, int] = {}
    for start, _, kind, rules in directives(note.text):
        line = note.position(start)[0]
        if kind == "disable-next-line":
            out.append(Suppression(frozenset(rules), line + 1, line + 1))
        elif kind == "disable":
            for r in rules:
                open_.setdefault(r, line)
        else:
            for r in rules if rules != [ALL_RULES] else list(open_):
                if r in open_:
                    out.append(Suppression(frozenset([r]), open_.pop(r), line))
    for r, line in open_.items():
        out.append(Suppression(frozenset([r]), line, 1 << 30))
    return out


def offset_in(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls inside one of the sorted ``spans``."""
    i = bisect_right(spans, (offset, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]
