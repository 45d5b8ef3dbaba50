"""vaultkit import."""

from __future__ import annotations

import codecs
import os
import sys
from collections import Counter
from pathlib import Path

import click

from vaultkit.cli.main import EXIT_FINDINGS, EXIT_OK
from vaultkit.cli.options import sweep_stale
from vaultkit.config import has_config
from vaultkit.errors import UnsafePathError
from vaultkit.importing import Outcome, import_date, import_notes, resolve_folder
from vaultkit.text.display import printable


def _find_vault(start: Path) -> Path:
    """The nearest folder from ``start`` upwards holding ``.obsidian/`` or a vaultkit config."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".obsidian").is_dir() or has_config(candidate):
            return candidate
    raise click.UsageError(
        f"no vault found from {start} (no .obsidian/ folder or vaultkit config); pass --vault DIR"
    )


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value


def _line(o: Outcome, dry_run: bool) -> str:
    """One line per file; file names and reasons are shown with control characters and
    undecodable bytes escaped (``\\x1b``, ``\\xe9``)."""
    return printable(_plain_line(o, dry_run))


def _plain_line(o: Outcome, dry_run: bool) -> str:
    if o.status == "imported":
        verb = "would import" if dry_run else "imported"
        detail = f"  ({'; '.join(o.actions)})" if o.actions else ""
        return f"{verb} {o.source} -> {o.target}{detail}"
    if o.status == "identical":
        return f"identical {o.source} = {o.target}: already imported, skipped"
    return f"{o.status} {o.source}: {o.reason}"


@click.command(name="import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--vault",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="The vault to import into (default: the vault holding the current folder).",
)
@click.option(
    "--folder",
    default="",
    metavar="PATH",
    help="Folder inside the vault for the new notes (default: the vault root).",
)
@click.option(
    "--encoding",
    callback=_check_encoding,
    metavar="NAME",
    help="Decode every source with this encoding instead of detecting it.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan (targets and actions); write nothing.")
def command(
    sources: tuple[Path, ...], vault: Path | None, folder: str, encoding: str | None, dry_run: bool
) -> None:
    """Bring outside notes (.md, .markdown, .txt; any encoding) into the vault as clean notes.

    SOURCES are files or folders (read recursively). Each file is decoded, its
    mojibake and list whitespace repaired, a frontmatter hidden in a leading HTML
    comment recovered, and it is written once as VAULT/FOLDER/<title>.md with
    source, imported and import-hash added to its frontmatter. An existing note
    is never overwritten (a taken name gets " 2", " 3"...), and a file imported
    before (same import-hash) is skipped. Exit 1 if any file failed.
    """
    root = vault if vault is not None else _find_vault(Path.cwd())
    try:
        resolve_folder(root, folder)
    except UnsafePathError as exc:
        raise click.BadParameter(str(exc), param_hint="--folder") from None
    today = import_date()
    if not dry_run:
        sweep_stale(Path(os.path.realpath(root)))
    counts: Counter[str] = Counter()
    for outcome in import_notes(list(sources), root, folder, dry_run=dry_run, encoding=encoding, today=today):
        counts[outcome.status] += 1
        click.echo(_line(outcome, dry_run))
    parts = [f"{counts['imported']} {'to import' if dry_run else 'imported'}"]
    parts += [f"{counts[s]} {s}" for s in ("identical", "skipped", "failed") if counts[s]]
    summary = ", ".join(parts)
    click.echo(f"dry run: {summary}; nothing written" if dry_run else summary)
    sys.exit(EXIT_FINDINGS if counts["failed"] else EXIT_OK)
