"""vaultkit mv: move or rename a note or attachment and rewrite every link to it."""

from __future__ import annotations

from pathlib import Path

import click

from vaultkit.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


@click.command("mv")
@click.argument("old", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Print the diff of every link rewrite and the move; change nothing."
)
@click.option("--vault", "vault", type=click.Path(path_type=Path, file_okay=False), help="The vault root.")
@click.pass_context
def command(ctx: click.Context, old: Path, new: Path, dry_run: bool, vault: Path | None) -> None:
    """Move OLD to NEW (a note or an attachment) and rewrite every link to it, keeping each
    link's form, as Obsidian does when it renames a file. Each note is written atomically;
    in a git work tree the file is moved with `git mv`."""
    from vaultkit.fixing.move import MoveError, move_file

    if new.is_dir():
        new = new / old.name
    try:
        report = move_file(old, new, vault=vault, dry_run=dry_run)
    except MoveError as exc:
        click.echo(f"vaultkit: error: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    for line in report.diff:
        click.echo(line, nl=False)
    verb = "would move" if dry_run else "moved"
    click.echo(
        f"{verb} {report.old} -> {report.new}; "
        f"{'would update' if dry_run else 'updated'} {report.links} link(s) in {report.notes} note(s)"
        + (" (git mv)" if report.git else ""),
        err=dry_run,
    )
    ctx.exit(EXIT_FINDINGS if report.failed else EXIT_OK)
