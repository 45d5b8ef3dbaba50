"""What a resource is, and collecting its occurrences from a parsed note.

Counted: every external http(s) link in the body of a note, written as a markdown
link, a reference-style link, an autolink ``<url>``, a bare URL, or ``<a href>``,
including those inside HTML comments (``commented``). A URL damaged by whitespace
(``https://exam ple.org``) or glued to another (``...htmlhttps://...``) counts as
the URL(s) meant.

Not counted: anything in code (the parser never records it), images (``![alt](...)``,
``<img>`` and links to an image file such as a screenshot: pictures, not reading),
badge images and links wrapping one (README status badges), in-page ``#anchor``
links, ``mailto:`` and other schemes, URLs in frontmatter (they are exported with the
note's frontmatter), and wikilinks or links to other notes (``notes[].links_to``).

A resource is one canonical URL (:func:`vaultkit.text.urls.canonical_url`, the form
``duplicate-url`` compares) with all its occurrences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from vaultkit.exporting.sections import ItemSections, note_sections
from vaultkit.exporting.text import clean, fold, repaired
from vaultkit.exporting.titles import CONTEXT, LINK_TEXT, NoteContext, link_text
from vaultkit.index.facts import URL_KINDS
from vaultkit.index.names import VaultIndex
from vaultkit.model import Link, Note
from vaultkit.parse.frontmatter import frontmatter_tags
from vaultkit.text.badges import BADGE_HOSTS, BADGE_PATHS, is_badge_url
from vaultkit.text.url_repair import repair_space, split_glued
from vaultkit.text.urls import canonical_url, is_external

NOTE_LINK_KINDS = frozenset({"wikilink", "embed"})
# A frontmatter URL under one of these keys is the resource a note is about (a web
# clipping's ``source:``); other frontmatter URLs (``cover:``, ``image:``...) are not.
FRONTMATTER_URL_KEYS = frozenset(
    {
        "url",
        "source",
        "link",
        "href",
        "website",
        "homepage",
        "origin",
        "canonical",
        "canonical_url",
        "source_url",
    }
)
_FM_KEY = re.compile(r"^\s*([\w-]+)\s*:")
_IMAGE_PATH = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|bmp|ico)$", re.I)


# A link from a note to a note or attachment: (line, kind, target as written, the vault
# path it resolves to or None when broken).
Edge = tuple[int, str, str, str | None]


@dataclass(slots=True)
class Occurrence:
    url: str  # as written (with whitespace or glue damage repaired)
    canonical_url: str
    note: str
    line: int
    offset: int  # orders occurrences on one line; not exported
    section: list[str]
    title: str | None
    rank: int  # LINK_TEXT or CONTEXT: how the title was found; not exported
    tags: list[str]
    difficulty: str | None
    metadata: dict[str, str]
    commented: bool
    description: str | None = None  # the item's text around the link, plain
    link_text: str | None = None  # the link's own text (a role title keeps it here)
    name: str | None = None  # the item's name, for a role title; not exported
    role: bool = False  # the title is a role's (named after its item); not exported


@dataclass(slots=True)
class Resource:
    canonical_url: str
    url: str
    title: str  # the best occurrence title, else the URL
    occurrences: list[Occurrence]
    tags: list[str]
    titled: bool  # the title is a name: an occurrence's own, not the URL nor a role's
    similar: list[str] = field(default_factory=list)  # canonical URLs
    boilerplate: bool = False  # a template's or most notes' link (see index.boilerplate)


@dataclass(slots=True)
class NoteEntry:
    path: str
    title: str
    frontmatter: dict[str, Any]
    tags: list[str]
    links_to: list[str]  # vault paths of the notes it links to
    edges: list[Edge] = field(default_factory=list)  # every note/attachment link, resolved or not
    path_bytes: str | None = None  # hex of the real bytes when the name is not UTF-8


def _urls(link: Link) -> list[str]:
    """The URL(s) a link means, repairing whitespace and glue damage."""
    url = link.target.strip()
    if link.malformed == "whitespace" or " " in url:
        repair = repair_space(url)
        if repair is not None and repair.parts:
            return list(dict.fromkeys(repair.parts))  # two URLs in one link
        url = repair.replacement if repair is not None else url  # the same target, %20-encoded
    glued = split_glued(url)
    if glued:
        return list(dict.fromkeys(glued))
    return [url]


# The hosts of badges.is_badge_url's lists: a URL on another host whose path holds no
# "badge." is not a badge, and is_badge_url need not parse it (a hot path).
_BADGE_HOSTS = frozenset({*BADGE_HOSTS, *(host for host, _ in BADGE_PATHS)})


def is_badge(url: str) -> bool:
    low = url.lower()
    parts = low.split("/", 3)
    host = parts[2].rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".") if len(parts) > 2 else ""
    if host.removeprefix("www.") in _BADGE_HOSTS or host in _BADGE_HOSTS or "badge." in low:
        return is_badge_url(url)
    return False


_LINKED_IMAGE = re.compile(r"\[!\[[^\]\n]*\]\(\s*<?([^)\s>]+)")


def _wraps_badge(note: Note, link: Link) -> bool:
    """``[![build](https://img.shields.io/...)](https://ci...)``: a README status badge."""
    if link.kind != "link" or not note.text.startswith("[![", link.start):
        return False
    m = _LINKED_IMAGE.match(note.text, link.start, link.end)
    return m is not None and is_badge(m.group(1))


def note_tags(note: Note) -> list[str]:
    """Frontmatter tags (or a commented-out draft's), for every occurrence in the note."""
    tags = [t.name for t in note.tags if t.start < 0]
    if not tags and note.hidden_frontmatter is not None:
        tags = list(frontmatter_tags(note.hidden_frontmatter.data))
    return tags


def _pick(note: Note) -> tuple[list[tuple[Link, int, list[str]]], list[Link]]:
    """The links that are resources, as (link, line, external URLs), and the badges."""
    picked: list[tuple[Link, int, list[str]]] = []
    badges: list[Link] = []
    for link in note.links:
        if link.in_frontmatter:
            if link.kind == "bare" and _frontmatter_key(note, link) in FRONTMATTER_URL_KEYS:
                picked.append((link, note.position(link.start)[0], [link.target]))
            continue
        if link.kind == "image" or (link.kind == "html" and _is_img(note, link)):
            if is_badge(link.target):
                badges.append(link)
            continue
        if link.kind not in URL_KINDS:
            continue
        urls = [u for u in _urls(link) if is_external(u)]
        if not urls:
            continue
        if is_badge(urls[0]):
            badges.append(link)
            continue
        if _IMAGE_PATH.search(urls[0].split("?", 1)[0].split("#", 1)[0]):
            continue  # a picture (a screenshot), not reading
        picked.append((link, note.position(link.start)[0], urls))
    return picked, badges


def collect(note: Note) -> list[Occurrence]:
    """Every occurrence of an external resource in ``note``, in document order."""
    picked, badges = _pick(note)
    if not picked:
        return []
    picked = [p for p in picked if not _wraps_badge(note, p[0])]
    if not picked:
        return []
    ctx = NoteContext(note, {link.item for link, _, _ in picked if link.item is not None})
    for b in badges:
        ctx.add_badge(b, note.position(b.start)[0])
    sections = note_sections(note)
    fm_tags = note_tags(note)
    places = [(p, *ctx.resource_item(p[0], p[1])) for p in picked if not p[0].in_frontmatter]
    items = ItemSections(
        note, [p[:2] for p, _, _ in places], {r for _, r, lab in places if lab is not None and r is not None}
    )
    out: list[Occurrence] = []
    for link, line, urls in picked:
        if link.in_frontmatter:  # a clipping's source: the note is about it
            about = _clipping_title(note)
            occ = Occurrence(
                "", "", note.path, line, link.start, [], about, LINK_TEXT, fm_tags, None, {}, False
            )
            _add(out, occ, urls)
    for (link, line, urls), res_item, label in places:
        title, rank = ctx.title(link, line, res_item, label)
        occ = Occurrence(
            "",
            "",
            note.path,
            line,
            link.start,
            [*sections.at(line), *items.path(link, line)],
            title,
            rank,
            list(dict.fromkeys(ctx.item_tags(res_item, label, line) + fm_tags)),
            ctx.difficulty(res_item, line),
            ctx.metadata(res_item, label),
            link.commented,
            description=ctx.description(link, line, res_item, label),
            link_text=link_text(link),
            name=ctx.item_name(res_item, link) if label is None else None,
        )
        if occ.description == title:
            occ.description = None
        _add(out, occ, urls)
    if len(out) > 1:
        out.sort(key=lambda o: (o.line, o.offset))
    return out


def _add(out: list[Occurrence], occ: Occurrence, urls: list[str]) -> None:
    """``occ`` once per distinct canonical URL of ``urls`` (a glued pair is two)."""
    if len(urls) == 1:
        occ.url, occ.canonical_url = urls[0], canonical_url(urls[0])
        out.append(occ)
        return
    found: dict[str, str] = {}
    for url in urls:
        found.setdefault(canonical_url(url), url)
    out.extend(replace(occ, url=url, canonical_url=canon) for canon, url in found.items())


def _clipping_title(note: Note) -> str:
    """A clipping's title: its frontmatter title, else its first H1, else its file name
    (clippers name the file after the page; a ``## Section`` that opens it is not the page)."""
    data = note.frontmatter.data or {}
    title = data.get("title")
    if isinstance(title, str) and clean(title):
        return clean(title)
    h1 = next((h.text for h in note.headings if h.level == 1 and clean(h.text)), None)
    return clean(h1 or note.stem)


def _frontmatter_key(note: Note, link: Link) -> str:
    m = _FM_KEY.match(note.line_text(note.position(link.start)[0]))
    return m.group(1).casefold() if m else ""


def _is_img(note: Note, link: Link) -> bool:
    return note.text[link.start : link.start + 4].lower() == "<img"


def best_title(occs: list[Occurrence]) -> tuple[str | None, bool]:
    """(title, whether it is a role's): a real title over none, a name over a role, link
    text over context, then the longest (ties: alphabetical)."""
    if len(occs) == 1:
        return occs[0].title, occs[0].role
    titles = {(o.role, o.rank, o.title) for o in occs if o.title}
    if not titles:
        return None, False
    role, _, title = min(titles, key=lambda t: (t[0], t[1], -len(t[2]), t[2]))
    return title, role


def resource_of(canon: str, occs: list[Occurrence]) -> Resource:
    """The resource of one canonical URL from its occurrences (sorted here by note, line
    and offset; ties keep their order)."""
    if len(occs) == 1:
        o = occs[0]
        tags = sorted(set(o.tags), key=_tag_key) if len(o.tags) > 1 else list(o.tags)
        return Resource(canon, o.url, o.title or o.url, occs, tags, bool(o.title) and not o.role)
    occs.sort(key=_occ_key)
    merged = set(occs[0].tags).union(*(o.tags for o in occs[1:]))
    title, role = best_title(occs)
    return Resource(
        canon,
        occs[0].url,
        title or occs[0].url,
        occs,
        sorted(merged, key=_tag_key),
        title is not None and not role,
    )


def _occ_key(o: Occurrence) -> tuple[str, int, int]:
    return o.note, o.line, o.offset


@lru_cache(maxsize=4096)
def _tag_key(tag: str) -> tuple[str, str]:
    return fold(tag), tag


def note_meta(note: Note) -> tuple[str, dict[str, Any], list[str]]:
    """(title, JSON-safe frontmatter, tags) of a note."""
    data = note.frontmatter.data
    if data is None and note.hidden_frontmatter is not None:
        data = note.hidden_frontmatter.data
    data = data or {}
    title = data.get("title")
    if not isinstance(title, str) or not clean(title):
        title = heading_title(note) or note.stem
    tags = list(dict.fromkeys(note_tags(note) + [t.name for t in note.tags if t.start >= 0]))
    return clean(title), json_safe(data), tags


def note_edges(path: str, links: Sequence[tuple[str, str, int]], index: VaultIndex) -> list[Edge]:
    """Each (kind, target, line) link from ``path``, resolved: to a note, an attachment, or
    nothing (broken)."""
    out: list[Edge] = []
    for kind, target, line in links:
        found = index.resolve(target, path) if kind in NOTE_LINK_KINDS else index.resolve_path(target, path)
        out.append((line, kind, target, found or None))
    return out


def heading_title(note: Note) -> str | None:
    """The first H1, else a heading of any level that opens the note (its first block,
    ``#### LLM101``): a heading further down titles a section, not the note."""
    named = [h for h in note.headings if clean(h.text)]
    first = next((h for h in named if h.level == 1), None)
    if first is None and named and note.blocks and note.blocks[0][0] == "heading":
        first = named[0] if named[0].line == note.blocks[0][1] else None
    return first.text if first else None


def links_to(path: str, edges: Sequence[Edge]) -> list[str]:
    """The notes ``path``'s edges reach, sorted, without itself."""
    return sorted({f for _, _, _, f in edges if f and f != path and f.lower().endswith(".md")})


def json_safe(value: Any) -> Any:
    """Frontmatter as JSON: dates as ISO strings, strings repaired, anything else as str."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [json_safe(v) for v in items]
    if isinstance(value, str):
        return repaired(value)  # mojibake repaired, otherwise as written
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        return str(iso())
    return str(value)


__all__ = [
    "CONTEXT",
    "Edge",
    "NoteEntry",
    "Occurrence",
    "Resource",
    "collect",
    "links_to",
    "note_edges",
    "note_meta",
    "resource_of",
]
