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

from vaultkit.repair import repair_text

# Punctuation trimmed at the start and at the end (dots, brackets, "!" and "?" stay at the end).
_LEAD = frozenset("-–—*•·◦‣⁃∙>|:;,.#=~_+→⇒➜➔»\"'`")
_TRAIL = frozenset("-–—*•·◦‣⁃∙>|:;,#=~_+→⇒➜➔«\"'`")
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
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?=\s|$)\s*")


@lru_cache(maxsize=1 << 16)
def repaired(text: str) -> str:
    """``text`` with mojibake repaired (ASCII needs no look)."""
    return text if text.isascii() else repair_text(text)


def _decorative(ch: str) -> bool:
    return ch in _DECOR_MARKS or unicodedata.category(ch) in _DECOR_CATS


def trim(text: str) -> str:
    """Collapse whitespace and trim decorative markers and stray punctuation at both ends."""
    text = " ".join(text.split())
    start, end = 0, len(text)
    while start < end and (text[start] in _LEAD or text[start].isspace() or _decorative(text[start])):
        start += 1
    while end > start and (text[end - 1] in _TRAIL or text[end - 1].isspace()
                           or _decorative(text[end - 1])):
        end -= 1
    text = text[start:end]
    # "(the shaders thing)" → "the shaders thing"; "(new) KV cache" stays
    if len(text) > 2 and text[0] + text[-1] in ("()", "[]") and text.count(text[0]) == 1:
        text = text[1:-1].strip()
    return text


@lru_cache(maxsize=1 << 16)
def clean(text: str) -> str:
    """An exported string: repaired, whitespace collapsed, decorations trimmed."""
    return trim(repaired(text))


def plain(md: str, drop_links: bool = False) -> str:
    """Inline markdown as plain text: link text kept (or, with ``drop_links``, the
    whole link dropped), images, badges, URLs, tags and emphasis markers removed."""
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
