"""What surrounds a link: its title, difficulty badge, ``Key: value`` metadata and tags.

The *resource item* of a link is the list item it describes: the link's own item,
or, when that item is only a label and the URL (``- URL: https://...``, ``Link:``,
``Source:``...), the parent item. Difficulty, metadata and tags come from the
resource item; the title comes from, in order:

1. the link text, unless empty or itself a URL (``[https://x](https://x)``);
2. for a label-only item, the parent item's bold text, else its text before " by ";
3. the text of the link's own line, without the URL, other links, badges, tags and
   the list marker (``- https://arxiv.org/pdf/1409.1556 VERY DEEP...``);
4. none (``None``): the resource falls back to another occurrence's title or its URL.

Titles never carry footnote markers, block ids or trailing separators
(:func:`~vaultkit.exporting.text.title_text`). A link's *description* is the text of its
item (or line) around it, without markup and without the role links beside it
(``([Demo](…), [Source Code](…))``); its item's *name* (the first link's text, else
the leading text) titles role links (see ``roles``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import parse_qs, unquote

from vaultkit.exporting.roles import is_listed_role
from vaultkit.exporting.text import LIST_MARKER, clean, clean_as_written, plain, repaired, title_text
from vaultkit.limits import active
from vaultkit.model import Link, Note

LINK_TEXT, CONTEXT = 0, 1  # title ranks: link text (or a parent's title) beats context
_URL_LIKE = re.compile(r"^(?:https?://|www\.)\S*$", re.I)
_LABEL = re.compile(
    r"^\s*(?:url|link|links|source|src|website|site|web|homepage|home page|page|repo|"
    r"repository|github|code|pdf|slides|paper|video|article|blog|post|docs|documentation)"
    r"\s*:\s*$",
    re.I,
)
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_META = re.compile(r"^\s*([^\W\d_][\w .'/&()+-]{0,39}?)\s*:\s+(\S.*)$")
_BADGE_SPLIT = re.compile(r"(?<!-)-(?!-)")
_LINK_IN_TEXT = re.compile(r"(!?)\[([^\]\n]*)\]\s?\([^)\n]*\)")
_EMPTY_BRACKETS = re.compile(r"[(\[]\s*(?:[,;/|&]\s*|and\s+|or\s+)*[)\]]")
_NAME_END = re.compile(r"\s+[-–—|]\s+|:\s|\s\(|\.\s")
NAME_MAX_WORDS = 8
LEVEL_LABELS = frozenset({"difficulty", "level", "diff", "difficulty level", "skill level"})
LEVELS = frozenset(
    {"easy", "medium", "hard", "beginner", "intermediate", "advanced", "expert", "basic", "introductory"}
)


def badge_difficulty(alt: str, url: str) -> str | None:
    """``![Easy](https://img.shields.io/badge/difficulty-Easy-green)`` → "Easy"."""
    label, message = "", ""
    path, _, query = url.partition("?")
    if "/badge/" in path:
        content = unquote(path.split("/badge/", 1)[1].split("/", 1)[0])
        content = content.rsplit(".", 1)[0] if content.endswith((".svg", ".png")) else content
        parts = [
            p.replace("--", "-").replace("__", "\0").replace("_", " ").replace("\0", "_")
            for p in _BADGE_SPLIT.split(content)
        ]
        if len(parts) >= 3:
            label, message = parts[0], parts[1]
        elif parts:
            message = parts[0]
    if query:
        q = parse_qs(query.split("#", 1)[0])
        label = q.get("label", [label])[0]
        message = q.get("message", [message])[0]
    if label.strip().casefold() in LEVEL_LABELS and message.strip():
        return clean(message)
    for text in (alt, message):
        if text.strip().casefold() in LEVELS:
            return clean(text)
    return None


_LONG_LINE = 4_000  # characters: a longer line gives each link only the text near it
_WINDOW = 600  # characters of such a line around a link that its title may come from (2 × title-length)


def capped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word, ending in "…" (a title is a sentence,
    not a paragraph: the title-length and description-length limits)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def link_text(link: Link) -> str | None:
    """The link's own text as a title, when it has one (not empty, not its URL)."""
    if link.kind in ("link", "reference", "html") and link.text.strip():
        text = capped(title_text(clean_as_written(link.text)), active().title_length)
        if text and not _URL_LIKE.match(text) and text != link.target:
            return text
    return None


def _name_or_nothing(m: re.Match[str]) -> str:
    """A markdown link (or image) in a description: its text, unless a role or an image."""
    text = m.group(2)
    return "" if m.group(1) or is_listed_role(clean(text)) else text


class NoteContext:
    """Per-note look-ups for links: computed once, used for each of its links."""

    def __init__(self, note: Note, resource_items: set[int]) -> None:
        self.note = note
        self.resource_items = resource_items  # items holding an exported link
        self.children: dict[int, list[int]] = defaultdict(list)
        for i, it in enumerate(note.items):
            if it.parent is not None:
                self.children[it.parent].append(i)
        self.badges: dict[int | None, list[tuple[int, str]]] = defaultdict(list)  # item → (line, level)
        self.tags: dict[int, list[str]] = defaultdict(list)  # line → inline tags
        self._names: dict[int, tuple[str | None, str | None, str | None]] = {}  # see item_name
        for t in note.tags:
            if t.start >= 0:
                self.tags[t.line].append(t.name)

    def add_badge(self, link: Link, line: int) -> None:
        level = badge_difficulty(link.text, link.target)
        if level:
            self.badges[link.item].append((line, level))

    # --- the resource item --------------------------------------------------------

    def resource_item(self, link: Link, line: int) -> tuple[int | None, int | None]:
        """(resource item, label child): the parent when the link's item is only a label."""
        item = link.item
        if item is None:
            return None, None
        it = self.note.items[item]
        parent = it.parent
        if parent is not None and it.line == line and _LABEL.match(self._rest(link, line, item)):
            return parent, item
        return item, None

    def _rest(self, link: Link, line: int, item: int | None, keep_names: bool = False) -> str:
        """The link's line without the link itself, other links, the list marker and markup.
        With ``keep_names``, other links keep their text unless it is a role."""
        note = self.note
        base, end = note.line_span(line)
        s, e = link.start - base, link.end - base
        if end - base > _LONG_LINE and 0 <= s <= end - base:
            # A line of thousands of links: only the text near this one can be its title
            # (each link's title from the whole line made the export N × S bytes).
            cut = max(0, s - _WINDOW // 2)
            text = note.text[base + cut : min(end, base + e + _WINDOW // 2)]
            s, e = s - cut, e - cut
        else:
            text = note.text[base:end]
        # an <a> tag is dropped whole by plain(), keeping its text
        if link.kind != "html" and 0 <= s <= len(text):
            # in a sentence ("A link to [Python](...).") the link keeps its words
            inside = keep_names and clean(plain(LIST_MARKER.sub("", text[:s], count=1)))
            own = link.text if inside and not is_listed_role(clean(link.text)) else " "
            text = text[:s] + own + text[e:]
        if item is not None and note.items[item].line == line:
            text = LIST_MARKER.sub("", text, count=1)
        if keep_names and "[" in text:
            text = _LINK_IN_TEXT.sub(_name_or_nothing, text)
        return plain(text, drop_links=True)

    # --- facts ----------------------------------------------------------------------

    def title(self, link: Link, line: int, res_item: int | None, label: int | None) -> tuple[str | None, int]:
        """The occurrence title and its rank (LINK_TEXT or CONTEXT)."""
        text = link_text(link)
        if text:
            return text, LINK_TEXT
        if label is not None and res_item is not None:
            return self._parent_title(res_item), LINK_TEXT
        text = title_text(clean(self._rest(link, line, link.item)))
        return (capped(text, active().title_length) or None), CONTEXT

    def description(self, link: Link, line: int, res_item: int | None, label: int | None) -> str | None:
        """The text of the link's item (or line) around it, without markup."""
        if label is not None and res_item is not None:
            text = clean(plain(self.note.items[res_item].text))
        else:
            text = clean(self._rest(link, line, link.item, keep_names=True))
        if "(" in text or "[" in text:
            text = clean(_EMPTY_BRACKETS.sub("", text))
        return capped(text, active().description_length) or None

    def item_name(self, res_item: int | None, link: Link) -> str | None:
        """What the item is called, when ``link`` is not its name itself: the text of
        its first link (a name, not a role), else its text before ``link``. The item's
        text is read once, whatever the number of its links (linear in the note)."""
        if res_item is None:
            return None
        if res_item not in self._names:
            self._names[res_item] = self._item_names(res_item)
        first, before_first, whole = self._names[res_item]
        if first is None:
            return whole
        if first == link_text(link):
            return before_first  # the link itself comes first: only text before it
        if first and not is_listed_role(first) and not _URL_LIKE.match(first):
            return first
        return whole

    def _item_names(self, item: int) -> tuple[str | None, str | None, str | None]:
        """(the name of the item's first link, the lead before it, the lead of it all)."""
        raw = LIST_MARKER.sub("", self.note.items[item].text, count=1)
        for m in _LINK_IN_TEXT.finditer(raw):
            if m.group(1):
                continue  # an image
            name = title_text(clean_as_written(plain(m.group(2))))
            return name, _lead(raw[: m.start()]), _lead(raw)
        return None, None, _lead(raw)

    def _parent_title(self, item: int) -> str | None:
        raw = self.note.items[item].text
        bold = _BOLD.search(raw)
        if bold:
            text = title_text(clean(bold.group(1) or bold.group(2)))
            if text:
                return text
        text = clean(plain(raw))
        return title_text(clean(text.split(" by ", 1)[0])) or None

    def difficulty(self, res_item: int | None, line: int) -> str | None:
        if res_item is None:
            found = [lv for ln, lv in self.badges.get(None, ()) if ln == line]
        else:
            found = [lv for _, lv in self.badges.get(res_item, ())]
        return found[0] if found else None

    def metadata(self, res_item: int | None, label: int | None) -> dict[str, str]:
        out: dict[str, str] = {}
        if res_item is None or res_item not in self.children:
            return out
        for child in self.children.get(res_item, ()):
            if child == label or child in self.resource_items:
                continue
            m = _META.match(plain(self.note.items[child].text))
            if m:
                key, value = repaired(m.group(1)).strip(), clean_as_written(m.group(2))
                if key and value and key not in out:
                    out[key] = value
        return out

    def item_tags(self, res_item: int | None, label: int | None, line: int) -> list[str]:
        """Inline tags on the resource item (its own lines and the children that hold no
        other resource), or on the link's line outside a list."""
        if res_item is None:
            return list(self.tags.get(line, ()))
        it = self.note.items[res_item]
        kids = self.children.get(res_item, [])
        if not kids and it.line == it.end_line:
            return list(self.tags.get(it.line, ()))
        own_end = self.note.items[kids[0]].line - 1 if kids else it.end_line
        lines = list(range(it.line, own_end + 1))
        for child in kids:
            if child == label or child not in self.resource_items:
                c = self.note.items[child]
                lines.extend(range(c.line, c.end_line + 1))
        return [t for ln in lines for t in self.tags.get(ln, ())]


def _lead(raw: str) -> str | None:
    """An item's text as its name: before its links' text and any " - " description."""
    lead = clean(plain(_LINK_IN_TEXT.sub(" ", raw)))
    lead = title_text(clean(_NAME_END.split(lead, maxsplit=1)[0]))
    if not lead or is_listed_role(lead) or len(lead.split()) > NAME_MAX_WORDS:
        return None
    return lead
