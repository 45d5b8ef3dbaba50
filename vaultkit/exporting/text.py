"""Text clean-up for exported strings: mojibake repair, markdown to plain text, trimming.

Everything the export writes (titles, sections, metadata) goes through
:func:`clean`: mojibake is repaired in memory (the vault is never modified),
whitespace (NBSP included) collapses to single spaces, and decorative markers at
either end (emoji squares like 🟩, ``◻️``, bullets, arrows, stray ``-``/``:``/``|``)
are trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vaultkit.text.mojibake import repair_text

# Punctuation trimmed at the start and at the end (dots, brackets, "!" and "?" stay at the end).
_LEAD = frozenset("-–—*•·◦‣⁃∙>|:;,.#=~_+→⇒➜➔»\"'`")
_TRAIL = frozenset("-–—*•·◦‣⁃∙>|:;,#=~_+→⇒➜➔«\"'`")
_BULLETS = frozenset("•·◦‣⁃∙")
# Kept at the start when glued to what follows: the text as written ("-2+3", "=SUM(1)",
# '"quoted"'), not a marker. Neutralising formula triggers is for CSV only.
_AS_WRITTEN = frozenset("=+-@\"'")
_QUOTES = frozenset("\"'")
_DECOR_CATS = frozenset({"So", "Sk", "Cf", "Co"})  # emoji, modifiers, ZWJ, private use
_DECOR_MARKS = frozenset("\ufe0e\ufe0f\u20e3")  # variation selectors, keycap

_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]")
_WIKILINK = re.compile(r"\[\[([^\]|#\n]*)(?:#[^\]|\n]*)?(?:\|([^\]\n]*))?\]\]")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\s?\([^)\n]*\)")
_AUTOLINK = re.compile(r"<https?://[^>\s]*>")
_HTML_TAG = re.compile(r"<!--|-->|<[A-Za-z/][^>]*>")
_BARE = re.compile(r"https?://[^\s<>\"`]+")
_TAG = re.compile(r"(?<!\S)#[\w/-]*[^\W\d_][\w/-]*")
_EMPHASIS = re.compile(r"\*\*|__|~~|==|\*|`")
_CHECKBOX = re.compile(r"^\s*\[[ xX]\]\s+")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_BLOCK_ID = re.compile(r"(?:^|\s)\^[A-Za-z0-9-]+\s*$")
_TRAIL_SEP = re.compile(r"(?:\s+[-–—|:;,/·•>]+|[:;,|]+)\s*$")
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?=\s|$)\s*")


@lru_cache(maxsize=1 << 16)
def repaired(text: str) -> str:
    """``text`` with mojibake repaired (ASCII needs no look)."""
    return text if text.isascii() else repair_text(text)


def _decorative(ch: str) -> bool:
    if ch in _DECOR_MARKS or unicodedata.category(ch) in _DECOR_CATS:
        return True
    cp = ord(ch)  # arrows, box drawing, geometric shapes (◻ is "Sm"), dingbats
    return 0x2190 <= cp <= 0x21FF or 0x2500 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF


def trim(text: str, punctuation: bool = True) -> str:
    """Collapse whitespace and trim decorative markers at both ends; with ``punctuation``
    also stray punctuation (for text read around a link, and for section titles)."""
    text = " ".join(text.split())
    lead = _LEAD if punctuation else _BULLETS
    trail = _TRAIL if punctuation else _BULLETS
    start, end = 0, len(text)
    while start < end and (text[start] in lead or text[start].isspace() or _decorative(text[start])):
        if text[start] in _AS_WRITTEN and text[start + 1 : start + 2].strip():
            break  # "-2+3", "=SUM(1)", '"quoted"': text as written, not a marker
        start += 1
    quoted = text[start : start + 1] if text[start : start + 1] in _QUOTES else ""
    while end > start and (text[end - 1] in trail or text[end - 1].isspace() or _decorative(text[end - 1])):
        if text[end - 1] == quoted and end - 1 > start:
            break  # the closing quote of a kept opening one
        end -= 1
    text = text[start:end]
    # "(the shaders thing)" → "the shaders thing"; "(new) KV cache" stays
    if punctuation and len(text) > 2 and text[0] + text[-1] in ("()", "[]") and text.count(text[0]) == 1:
        text = text[1:-1].strip()
    return text


@lru_cache(maxsize=1 << 16)
def clean(text: str) -> str:
    """Text read around a link, or a section title: repaired, whitespace collapsed,
    decorations and stray punctuation trimmed."""
    return trim(repaired(text))


@lru_cache(maxsize=1 << 16)
def clean_as_written(text: str) -> str:
    """Link text or a metadata value: repaired, whitespace collapsed, only decorative
    symbols (emoji, bullets) trimmed, so ``-2+3`` stays ``-2+3``."""
    return trim(repaired(text), punctuation=False)


def markers_dropped(text: str) -> str:
    """``text`` without footnote references (``[^1]``) and a trailing block id (``^website``)."""
    if "^" in text:
        text = _BLOCK_ID.sub("", _FOOTNOTE.sub("", text))
    return text


@lru_cache(maxsize=1 << 16)
def title_text(text: str) -> str:
    """A title as exported: without footnote markers, block ids and trailing separators
    (``"Website: ^website"`` → ``"Website"``, ``"Docs |"`` → ``"Docs"``)."""
    text = markers_dropped(text).strip()
    while True:
        cut = _TRAIL_SEP.sub("", text)
        if cut == text or not cut:
            return text
        text = cut


def plain(md: str, drop_links: bool = False) -> str:
    """Inline markdown as plain text: link text kept (or, with ``drop_links``, the
    whole link dropped), images, badges, URLs, tags, footnote markers, a trailing
    block id and emphasis markers removed."""
    md = markers_dropped(md)
    if "!" in md:
        md = _EMBED.sub("", _IMAGE.sub("", md))
    if "[" in md:
        md = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), md)
        md = _MD_LINK.sub("" if drop_links else r"\1", md)
        md = _CHECKBOX.sub("", md)
    if "<" in md or "-->" in md:
        md = _HTML_TAG.sub(" ", _AUTOLINK.sub("", md))
    if "://" in md:
        md = _BARE.sub("", md)
    if "#" in md:
        md = _TAG.sub("", md)
    return _EMPHASIS.sub("", md)


def fold(text: str) -> str:
    """A comparison key: case-folded, NFC."""
    return unicodedata.normalize("NFC", text).casefold()
