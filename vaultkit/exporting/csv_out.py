"""``--format csv``: one row per occurrence (``--dedupe``: per resource), RFC 4180, UTF-8
with CRLF line ends (``--excel``: and a BOM).

``section`` is joined with `` > ``, lists (tags) with ``;``, booleans are ``true`` or
``false`` and a missing value is empty. ``title`` is the occurrence's own title,
else the resource's; ``occurrences`` counts the resource's occurrences. With
``--dedupe``, a row has the resource's title and tags, the note, section and line
of its first occurrence, the first difficulty found, and ``commented`` only when
every occurrence is commented.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with ``'`` so that spreadsheets show it as text instead of running it as a
formula (OWASP's CSV injection rule); the csv module's quoting does the rest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``; anything else unchanged."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


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
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = 0
    for r in export.resources:
        if dedupe:
            first = r.occurrences[0]
            difficulty = next((o.difficulty for o in r.occurrences if o.difficulty), None)
            commented = all(o.commented for o in r.occurrences)
            row = _row(r, first, r.title, r.tags, commented)
            row[7] = neutralise(difficulty or "")
            writer.writerow(row)
            rows += 1
        else:
            for o in r.occurrences:
                writer.writerow(_row(r, o, o.title or r.title, o.tags, o.commented))
            rows += len(r.occurrences)
        if rows >= batch:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            rows = 0
    yield buf.getvalue()
