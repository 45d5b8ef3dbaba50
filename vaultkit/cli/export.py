"""vaultkit export."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from vaultkit.cli.main import EXIT_OK, EXIT_USAGE
from vaultkit.cli.options import paths_argument
from vaultkit.export.build import Export, Filters, build_export, generated_stamp
from vaultkit.export.csv_out import iter_csv
from vaultkit.export.json_out import iter_json, similar_json
from vaultkit.export.output import write_file_atomic, write_stream
from vaultkit.lint.session import open_vault
from vaultkit.lint.workers import background
from vaultkit.vault.write import write_atomic

# Notes from which similar titles are searched in another process (below, the process
# costs more than it saves).
BACKGROUND_MIN_NOTES = 1_000

FORMATS = ("json", "csv", "sqlite")


@click.command("export")
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="Output format (sqlite needs -o).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE atomically instead of standard output.",
)
@click.option("--dedupe", is_flag=True, help="CSV: one row per resource, not per occurrence.")
@click.option("--excel", is_flag=True, help="CSV: start with a UTF-8 BOM so that Excel reads the text right.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Only occurrences with this tag (or a nested tag under it); repeatable.",
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    metavar="GLOB",
    help="Only occurrences whose section path (joined with ' > ') or one of its "
    "parents matches GLOB; repeatable.",
)
@click.option(
    "--note",
    "notes",
    multiple=True,
    metavar="GLOB",
    help="Only notes whose vault path matches GLOB; repeatable.",
)
@click.option(
    "--generated", metavar="ISO", help="The 'generated' time stamp (default: SOURCE_DATE_EPOCH, else now)."
)
@click.option(
    "--similar-threshold",
    type=click.FloatRange(0, 100),
    default=None,
    help="Title similarity (0-100) for 'similar' (default: the config's similar-threshold, 90).",
)
def command(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    dedupe: bool,
    excel: bool,
    tags: tuple[str, ...],
    sections: tuple[str, ...],
    notes: tuple[str, ...],
    generated: str | None,
    similar_threshold: float | None,
) -> None:
    """Export the vault's external links as one deduplicated resource index.

    Each resource is a canonical URL with every place it is saved: note, line,
    section, title, tags, difficulty badge, Key: value metadata, and whether it
    sits in an HTML comment. Mojibake is repaired in the output, never in the
    vault. The same vault gives the same bytes with a fixed --generated or
    SOURCE_DATE_EPOCH.
    """
    if fmt == "sqlite" and output is None:
        click.echo("vaultkit: error: --format sqlite needs -o FILE", err=True)
        sys.exit(EXIT_USAGE)
    for flag, given in (("--dedupe", dedupe), ("--excel", excel)):
        if given and fmt != "csv":
            click.echo(f"vaultkit: error: {flag} applies to --format csv only", err=True)
            sys.exit(EXIT_USAGE)
    if fmt == "sqlite":
        from vaultkit.export.sqlite_out import fts5_available

        if not fts5_available():
            click.echo("vaultkit: error: this Python's sqlite3 has no FTS5 extension", err=True)
            sys.exit(EXIT_USAGE)
    stamp = generated_stamp(generated)
    session = open_vault(list(paths))
    # For JSON, similar titles are searched in a child process (started now, while this
    # one is small) as this one encodes the resources.
    parallel = fmt == "json" and len(session.targets) >= BACKGROUND_MIN_NOTES
    filters = Filters(tags, sections, notes)
    with gc_paused(), background(similar_json, parallel) as search_similar:
        export = build_export(
            session, filters, stamp, similar_threshold, similar=fmt == "sqlite"
        )  # json: below; csv: has no column for it
        warn(export, filters)
        if fmt == "sqlite" and output is not None:
            from vaultkit.export.sqlite_out import write_sqlite

            write_atomic(output, lambda tmp: write_sqlite(export, tmp))
        elif fmt == "csv":
            _send(iter_csv(export, dedupe, excel=excel), output)
        else:
            _send(iter_json(export, search_similar(export.similar_inputs())), output)
    sys.exit(EXIT_OK)


def warn(export: Export, filters: Filters) -> None:
    """Notes that could not be read, and filters that matched nothing, on standard error."""
    for path, why in export.skipped:
        click.echo(f"vaultkit: warning: skipped {path}: {why}", err=True)
    for what in filters.unmatched():
        click.echo(
            f"vaultkit: warning: {what} matched nothing; check the spelling (globs: * ? [..])", err=True
        )
    if (filters.tags or filters.sections or filters.notes) and not export.resources:
        click.echo("vaultkit: warning: the filters leave no resource to export", err=True)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while building: the export makes ~10 objects per link and no cycles,
    and the collector's passes over them cost more than the export itself. On the way
    out they are frozen (moved out of the collector's sight; reference counting still
    frees them), or the first collection after re-enabling would walk them all: 0.4 s
    on 10,000 notes."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


def _send(pieces: Iterable[str], output: Path | None) -> None:
    chunks = (piece.encode("utf-8") for piece in pieces)
    if output is None:
        write_stream(sys.stdout.buffer, chunks)
    else:
        write_file_atomic(output, chunks)
