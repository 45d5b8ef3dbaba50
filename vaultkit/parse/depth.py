"""Nesting past the cap is plain text, for both parsers alike.

markdown-it-py caps nesting with ``maxNesting``; markdown-it-pyrs has no such cap and,
given 50,000 nested quotes, overflows its stack (and takes quadratic time on thousands of
nested emphasis openers). So before either parser sees a segment, the markup nested
deeper than the ``nesting`` limit is masked, character for character, with neutral ASCII:
container markers (``>``, ``-``, ``*``, ``+``, ``1.``) past the cap on a line become
``\\``, and brackets and emphasis delimiters past the cap in a paragraph become spaces.
Offsets do not move (one ASCII character for another), and the masked markup reads as
the text it is. Each scan is one linear pass, and a segment with nothing that deep is
given back as it was, without a copy.
"""

from __future__ import annotations

import re

# A line's container prefix: indentation, quote markers and list markers.
_PREFIX = re.compile(r"^[ \t>*+\-.)0-9]{8,}", re.M)
_MARKER = re.compile(r">|[-*+](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)")
# Brackets, runs of emphasis delimiters, and paragraph ends.
_INLINE = re.compile(r"!?\[|\]|\*+|_+|\n[ \t]*\n")


def mask_deep(text: str, cap: int) -> str:
    """``text`` with markup nested more than ``cap`` levels deep masked (same length)."""
    if len(text) < 2 * cap:
        return text
    chars = _mask_containers(text, cap, None)
    if text.count("[") > cap or text.count("*") > 2 * cap or text.count("_") > 2 * cap:
        chars = _mask_inline(text, cap, chars)
    return text if chars is None else "".join(chars)


def _mask_containers(text: str, cap: int, chars: list[str] | None) -> list[str] | None:
    for m in _PREFIX.finditer(text):
        prefix = m.group()
        markers = list(_MARKER.finditer(prefix))
        indent_levels = (len(prefix) - sum(len(x.group()) for x in markers)) // 2
        if len(markers) + indent_levels <= cap:
            continue
        if chars is None:
            chars = list(text)
        for x in markers[cap:]:
            for i in range(m.start() + x.start(), m.start() + x.end()):
                chars[i] = "\\"
    return chars


def _mask_inline(text: str, cap: int, chars: list[str] | None) -> list[str] | None:
    brackets = 0
    emphasis = 0
    for m in _INLINE.finditer(text):
        token = m.group()
        first = token[0]
        if first == "\n":
            brackets = emphasis = 0
            continue
        if first in "![":
            brackets += 1
            deep = brackets > cap
        elif first == "]":
            deep = brackets > cap
            brackets = max(0, brackets - 1)
        else:
            opener = m.end() < len(text) and not text[m.end()].isspace()
            closer = m.start() > 0 and not text[m.start() - 1].isspace()
            if opener and not closer:
                emphasis += 1
                deep = emphasis > cap
            elif closer and not opener:
                deep = emphasis > cap
                emphasis = max(0, emphasis - 1)
            else:
                deep = emphasis > cap
        if deep:
            if chars is None:
                chars = list(text)
            for i in range(m.start(), m.end()):
                chars[i] = " "
    return chars
