"""vaultkit export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click

from vaultkit.api import ExportFormat, ExportResult, export
from vaultkit.cli.main import EXIT_OK
from vaultkit.cli.options import (
    config_option,
    echo_skipped,
    follow_option,
    paths_argument,
    print_notices,
    vault_option,
)
from vaultkit.errors import ConfigError
from vaultkit.exporting.run import FORMATS
from vaultkit.text.display import printable


@click.command("export")
@paths_argument
@vault_option
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="Output format (sqlite needs -o; html is a self-contained page to open in a browser).",
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
    "--include-boilerplate",
    is_flag=True,
    help="Keep boilerplate links (in a template, or on more than the configured "
    "boilerplate-threshold of the notes), flagged 'boilerplate'.",
)
@click.option(
    "--with-diagnostics",
    is_flag=True,
    help="SQLite: add a diagnostics table with the check findings on the exported notes.",
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="HTML: mark dead and redirected links from this 'check --online' cache "
    "(default: the user cache, when it exists).",
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
@follow_option
def command(
    paths: tuple[Path, ...],
    vault: Path | None,
    config_file: Path | None,
    fmt: str,
    output: Path | None,
    dedupe: bool,
    excel: bool,
    tags: tuple[str, ...],
    sections: tuple[str, ...],
    notes: tuple[str, ...],
    include_boilerplate: bool,
    with_diagnostics: bool,
    cache: Path | None,
    generated: str | None,
    similar_threshold: float | None,
    follow_external: bool,
) -> None:
    """Export the vault's external links as one deduplicated resource index.

    Each resource is a canonical URL with every place it is saved: note, line,
    section, title, tags, difficulty badge, Key: value metadata, and whether it
    sits in an HTML comment. Mojibake is repaired in the output, never in the
    vault. The same vault gives the same bytes with a fixed --generated or
    SOURCE_DATE_EPOCH.
    """
    if fmt == "sqlite" and output is None:
        raise ConfigError("--format sqlite needs -o FILE")
    result = export(
        list(paths),
        cast("ExportFormat", fmt),
        output=sys.stdout.buffer if output is None else output,
        dedupe=dedupe,
        excel=excel,
        tags=tags,
        sections=sections,
        notes=notes,
        generated=generated,
        similar_threshold=similar_threshold,
        with_diagnostics=with_diagnostics,
        cache=cache,
        include_boilerplate=include_boilerplate,
        config=config_file,
        follow_external=follow_external,
        vault=vault,
    )
    echo_skipped(result.outside)
    print_notices(result.notices)
    warn(result, bool(tags or sections or notes))
    sys.exit(EXIT_OK)


def warn(result: ExportResult, filtered: bool) -> None:
    """Notes that could not be read, and filters that matched nothing, on standard error."""
    for path, why in result.skipped:
        click.echo(printable(f"vaultkit: warning: skipped {path}: {why}"), err=True)
    for what in result.unmatched:
        click.echo(
            f"vaultkit: warning: {what} matched nothing; check the spelling (globs: * ? [..])", err=True
        )
    if filtered and not result.resources:
        click.echo("vaultkit: warning: the filters leave no resource to export", err=True)
