"""Text that was meant as a link but did not become one: the shapes the inline scanner
looks for in prose that no parser rule claimed (see ``InlineScanner.prose``)."""

from __future__ import annotations

import re

SPACE_IN_DEST = re.compile(r"\[([^\[\]\n]*)\]\((https?:[^()\n]*?\s[^()\n]*?)\)")
SPACE_BEFORE_PAREN = re.compile(r"\[([^\[\]\n]+)\][ \t]+\((https?://[^()\s]+)\)")
UNCLOSED = re.compile(r"\[([^\[\]\n]*)\]\((https?://[^()\s]*)(?=\s|$)", re.M)
ORPHAN_CLOSE = re.compile(r"\]\((https?://[^()\s]+)\)")
ORPHAN_OPEN = re.compile(r"\[([^\[\]\n]*)\((https?://[^()\s]+)\)")
DOUBLE_OPEN = re.compile(r"\[([^\[\]\n]*)\]\(\((https?://[^()\s]+)\)")  # [t]((url)
NO_PARENS = re.compile(r"\[([^\[\]\n]+)\](https?://[^\s<>()\[\]]+)")  # [t]url
REVERSED = re.compile(r"\((https?://[^()\s]+)\)\[([^\[\]\n]+)\]")  # (url)[t]
# `[[target` with no `]]` after it on the line.
UNCLOSED_WIKI = re.compile(r"!?\[\[(?![^\n]*\]\])([^\n]*)")
# `[text][label]` left as text: no `[label]: URL` defines it (a footnote `[^1]` is not one).
UNDEFINED_REF = re.compile(r"(?<![\]\\])\[([^\[\]\n]+)\]\[([^\[\]\n^]*)\](?![(\[:])")

# (pattern, why, group of the URL, group of the text or 0), tried in this order; the
# first to claim a span keeps it. Only prose holding "://" is searched.
MALFORMED = (
    (SPACE_IN_DEST, "whitespace", 2, 1),
    (SPACE_BEFORE_PAREN, "space-before-paren", 2, 1),
    (DOUBLE_OPEN, "double-paren", 2, 1),
    (REVERSED, "reversed", 1, 2),
    (NO_PARENS, "no-parens", 2, 1),
    (UNCLOSED, "unclosed", 2, 1),
    (ORPHAN_OPEN, "unbalanced", 2, 1),
    (ORPHAN_CLOSE, "unbalanced", 1, 0),
)
# Bracket shapes that need no URL.
BRACKETS = ((UNCLOSED_WIKI, "unclosed-wikilink"), (UNDEFINED_REF, "undefined-reference"))
