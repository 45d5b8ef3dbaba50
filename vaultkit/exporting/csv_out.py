"""``--format csv``: one row per occurrence (``--dedupe``: per resource), RFC 4180, UTF-8
with CRLF line ends (``--excel``: and a BOM).

``section`` is joined with `` > ``, lists (tags) with ``;``, booleans are ``true`` or
``false`` and a missing value is empty. ``title`` is the occurrence's own title,
else the resource's; ``occurrences`` counts the resource's occurrences. With
``--dedupe``, a row has the resource's title and tags, the note, section and line
of its first occurrence, the first difficulty found, and ``commented`` only when
every occurrence is commented.

Against spreadsheet formula injection (OWASP's CSV injection rules): a text cell that,
after any leading whitespace, starts with a formula trigger (``=``, ``+``, ``-``, ``@``,
tab, CR, or their fullwidth and small forms ``＝＋－＠﹦﹢﹣``) or with ``|`` (DDE) is
prefixed with ``'``, so spreadsheets show it as text. A trigger that follows a
separator-like character inside a cell (``a;=1+1``, the tags ``t0;=1+1``, ``x |=cmd``,
``a, "=1"``) gets a ``'`` inserted before it, because a spreadsheet that splits on
``;`` or ``|`` would start a cell there. Every text cell holding a separator-like
character (``,`` ``;`` ``|``, tab, quote, CR, LF, fullwidth comma and semicolon) or
starting with ``'`` is quoted. Numbers are never quoted. Only CSV is neutralised:
JSON and SQLite keep the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from vaultkit.exporting.build import SECTION_SEP, Export
from vaultkit.exporting.resources import Occurrence, Resource

HEADER = (
    "canonical_url",
    "url",
    "title",
    "note",
    "section",
    "line",
    "tags",
    "difficulty",
    "commented",
    "occurrences",
)
_TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63"
_SEPARATORS = ',;|\t\r\n"\uff0c\uff1b'
_LEADING = " \n\u00a0\u3000\f\v"  # whitespace a spreadsheet may skip before a formula
_INNER = re.compile(f'([{_SEPARATORS}][\\s"]*)(?=[{re.escape(_TRIGGERS)}])')
_QUOTE_IF = re.compile(f"[{_SEPARATORS}]")


def neutralise(cell: str) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``, ``a;=1+1`` → ``a;'=1+1``; else unchanged."""
    cell = _INNER.sub(r"\1'", cell)
    head = cell.lstrip(_LEADING)
    return "'" + cell if head and head[0] in _TRIGGERS + "|" else cell


def _quote(cell: str | int) -> str:
    if isinstance(cell, int):
        return str(cell)
    if cell.startswith("'") or _QUOTE_IF.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _line(cells: Sequence[str | int]) -> str:
    """One RFC 4180 record (CRLF-terminated)."""
    return ",".join(_quote(c) for c in cells) + "\r\n"


def _row(r: Resource, o: Occurrence, title: str, tags: list[str], commented: bool) -> list[str | int]:
    cells = [r.canonical_url, r.url, title, o.note, SECTION_SEP.join(o.section)]
    text = [neutralise(c) for c in cells]
    tail = [";".join(tags), o.difficulty or "", "true" if commented else "false"]
    return [*text, o.line, *(neutralise(c) for c in tail), len(r.occurrences)]


def iter_csv(export: Export, dedupe: bool = False, batch: int = 2000, excel: bool = False) -> Iterator[str]:
    """The CSV text in pieces of ``batch`` rows; with ``excel``, after a UTF-8 BOM (Excel
    reads a CSV without one in the machine's legacy code page: mojibake)."""
    if excel:
        yield "\ufeff"
    buf = [_line(HEADER)]
    for r in export.resources:
        if dedupe:
            first = r.occurrences[0]
            difficulty = next((o.difficulty for o in r.occurrences if o.difficulty), None)
            commented = all(o.commented for o in r.occurrences)
            row = _row(r, first, r.title, r.tags, commented)
            row[7] = neutralise(difficulty or "")
            buf.append(_line(row))
        else:
            for o in r.occurrences:
                buf.append(_line(_row(r, o, o.title or r.title, o.tags, o.commented)))
        if len(buf) >= batch:
            yield "".join(buf)
            buf = []
    yield "".join(buf)
