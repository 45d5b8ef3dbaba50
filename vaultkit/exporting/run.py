"""One export run: build the resource index of a session's notes and write it in a format.

JSON, CSV and HTML are streamed (to a binary stream, or atomically to a file), or
returned as text; SQLite is written atomically to a file (with its Datasette metadata
beside it), or returned as bytes.
"""

from __future__ import annotations

import gc
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from vaultkit.errors import ConfigError, WriteError
from vaultkit.exporting.build import Export, Filters, build_export, generated_stamp
from vaultkit.exporting.csv_out import iter_csv
from vaultkit.exporting.json_out import SimilarText, iter_json, similar_json
from vaultkit.exporting.output import write_file_atomic, write_stream
from vaultkit.lint.session import Session
from vaultkit.lint.workers import Submit, background

__all__ = ["FORMATS", "Filters", "RunResult", "run_export"]

# Notes from which similar titles are searched in another process (below, the process
# costs more than it saves).
BACKGROUND_MIN_NOTES = 1_000

FORMATS = ("json", "csv", "sqlite", "html")


@dataclass
class RunResult:
    resources: int = 0
    notes: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (note, why it was not read)
    unmatched: list[str] = field(default_factory=list)  # filters that matched nothing
    text: str | None = None  # json or csv, when returned
    data: bytes | None = None  # sqlite, when returned


def run_export(
    session: Session,
    fmt: str,
    output: Path | BinaryIO | None,
    *,
    filters: Filters,
    dedupe: bool = False,
    excel: bool = False,
    generated: str | None = None,
    threshold: float | None = None,
    with_diagnostics: bool = False,
    cache: Path | None = None,
) -> RunResult:
    """Export the session's target notes as ``fmt`` to ``output`` (None: returned).
    ``with_diagnostics`` adds the check findings to SQLite; ``cache`` is the online
    check's cache the HTML report reads dead and redirected links from."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    for flag, given, wanted in (
        ("--dedupe", dedupe, "csv"),
        ("--excel", excel, "csv"),
        ("--with-diagnostics", with_diagnostics, "sqlite"),
        ("--cache", cache is not None, "html"),
    ):
        if given and fmt != wanted:
            raise ConfigError(f"{flag} applies to --format {wanted} only")
    if fmt == "sqlite":
        from vaultkit.exporting.sqlite_out import fts5_available

        if not fts5_available():
            raise ConfigError("this Python's sqlite3 has no FTS5 extension")
    stamp = generated_stamp(generated)
    # For JSON, similar titles are searched in a child process, started now while this
    # one is small (its memory is not this one's).
    parallel = fmt == "json" and len(session.targets) >= BACKGROUND_MIN_NOTES
    with gc_paused(), background(similar_json, parallel) as search_similar, _spill_errors():
        export = build_export(session, filters, stamp, threshold)
        try:
            if fmt == "sqlite":
                result = _sqlite(export, output, session if with_diagnostics else None)
            elif fmt == "html":
                result = _send(_html(export, cache), output)
            else:
                result = _send(_pieces(export, fmt, (dedupe, excel), search_similar), output)
        finally:
            export.close()
    result.resources, result.notes = export.resources.count or 0, len(export.notes)
    result.skipped, result.unmatched = list(export.skipped), filters.unmatched()
    return result


def _sqlite(export: Export, output: Path | BinaryIO | None, checked: Session | None) -> RunResult:
    """The database; beside a file, its Datasette metadata; with ``checked``, the check
    findings on its notes in a diagnostics table."""
    from vaultkit.exporting.datasette_meta import metadata_path, metadata_text
    from vaultkit.exporting.sqlite_out import render_sqlite, write_sqlite
    from vaultkit.vault.write import write_atomic

    found = None
    if checked is not None:
        from vaultkit.lint.pipeline import run_check
        from vaultkit.lint.session import select_rules

        found = run_check(checked, select_rules(checked.config))
    result = RunResult()
    if isinstance(output, Path):
        write_atomic(output, lambda tmp: write_sqlite(export, tmp, found))
        meta = metadata_text(output, export.vault, found is not None).encode("utf-8")
        write_file_atomic(metadata_path(output), [meta])
    elif output is None:
        result.data = render_sqlite(export, found)
    else:
        write_stream(output, [render_sqlite(export, found)])
    return result


def _html(export: Export, cache: Path | None) -> Iterator[str]:
    from vaultkit.exporting.html_out import iter_html
    from vaultkit.exporting.link_status import cached_status
    from vaultkit.online.cache import default_cache_path

    path = cache or default_cache_path()
    return iter_html(export, lambda urls: cached_status(path, urls))


def _pieces(
    export: Export, fmt: str, csv_options: tuple[bool, bool], search_similar: Submit[SimilarText]
) -> Iterator[str]:
    if fmt == "csv":
        dedupe, excel = csv_options
        return iter_csv(export, dedupe, excel=excel)
    return iter_json(export, search_similar)


def _send(pieces: Iterable[str], output: Path | BinaryIO | None) -> RunResult:
    result = RunResult()
    if output is None:
        result.text = "".join(pieces)
        return result
    chunks = (piece.encode("utf-8") for piece in pieces)
    if isinstance(output, Path):
        write_file_atomic(output, chunks)
    else:
        write_stream(output, chunks)
    return result


@contextmanager
def _spill_errors() -> Iterator[None]:
    """The spill's SQLite errors (a full temporary folder) as a clear message."""
    try:
        yield
    except sqlite3.Error as exc:
        folder = tempfile.gettempdir()
        raise WriteError(
            f"export's temporary file in {folder}: {exc}; set TMPDIR to a folder with room"
        ) from exc


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while building: the export makes ~10 objects per link and no cycles,
    and the collector's passes over them cost more than the export itself. On the way
    out they are frozen (moved out of the collector's sight; reference counting still
    frees them), or the first collection after re-enabling would walk them all (see the
    README's Speed section)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()
