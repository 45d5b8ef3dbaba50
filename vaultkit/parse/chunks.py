"""Where a long segment can be cut into pieces that parse alone as they parse together.

markdown-it-pyrs builds the whole tree of what it parses, about 600 bytes a node, so a
3.6 MB note of short blocks took 750 MB. A long segment is cut before a heading at column
0, and at blank lines followed by a line that can only start a new top-level block (a
paragraph at column 0), and the pieces are parsed one after another. Nothing the parser carries from block to
block may cross a cut, so a segment is not cut at all when it holds a fence, a math block,
an HTML block, a link reference definition or an Obsidian comment.
"""

from __future__ import annotations

import re

CHUNK_SIZE = 200_000  # characters; a shorter segment is parsed whole

# A blank line, then a line at column 0 that can't continue anything: not a list marker,
# quote, table row, thematic break, HTML, fence, math, definition or indented code. Or an
# ATX heading at column 0, which ends whatever came before it, blank line or not.
_CUT = re.compile(r"\n(?:[ \t]*\n(?=[^\s>|*+\-_\d<`~$%\[=])|(?=#{1,6}(?:[ \t]|\n)))")
# What carries state across blank lines, or across blocks.
_UNCUTTABLE = re.compile(r"```|~~~|\$\$|%%|^[ \t]{0,3}(?:<|\[[^\]\n]+\]:)", re.M)


def pieces(text: str, size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """The (start, end) offsets of the pieces of ``text``, each about ``size`` or less
    where it can be cut; one piece when it is short or can't be cut."""
    if len(text) <= size or _UNCUTTABLE.search(text):
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        cut = _CUT.search(text, start + size)
        if cut is None:
            break
        end = cut.end()  # the piece keeps its blank line; the next starts at column 0
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    return out
