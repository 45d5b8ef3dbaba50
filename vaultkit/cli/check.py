"""vaultkit check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vaultkit.api import Online
from vaultkit.api import check as check_vault
from vaultkit.cli.main import EXIT_FINDINGS, EXIT_OK
from vaultkit.cli.options import (
    echo_skipped,
    follow_option,
    online_options,
    paths_argument,
    print_notices,
    progress_bar,
    rule_options,
    split_rules,
    vault_option,
)
from vaultkit.lint.report import FORMATS, render_github, render_json, render_text
from vaultkit.model import Severity
from vaultkit.rules.duplicates import notes_message


@click.command()
@paths_argument
@vault_option
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@rule_options
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("-v", "--verbose", is_flag=True, help="List every note of a URL duplicated across notes.")
@click.option("--online", is_flag=True, help="Also check external URLs over HTTP.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal).")
@click.option(
    "--no-cache", is_flag=True, help="Don't read or write caches (.vaultkit_cache/, and online results)."
)
@click.option(
    "--staged",
    is_flag=True,
    help="Also report what the staged git commit breaks: links into files it deletes or "
    "renames, and links to files git does not track (the pre-commit hook's mode).",
)
@online_options
@follow_option
def check(
    paths: tuple[Path, ...],
    vault: Path | None,
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    verbose: bool,
    online: bool,
    color: bool | None,
    no_cache: bool,
    allow_private: bool,
    cache: Path | None,
    refresh: bool,
    follow_external: bool,
    staged: bool,
) -> None:
    """Lint a vault, or the notes named (as pre-commit passes them).

    With note files, the whole vault is still indexed to resolve links, but only
    those files are reported.
    """
    opts = Online(allow_private=allow_private, cache=cache, no_cache=no_cache, refresh=refresh)
    with progress_bar(enabled=online and fmt != "json") as progress:
        result = check_vault(
            list(paths),
            select=split_rules(select),
            ignore=split_rules(ignore),
            online=opts if online else False,
            cache=not no_cache,
            progress=progress,
            follow_external=follow_external,
            vault=vault,
            staged=staged,
        )
    echo_skipped(result.outside)
    diags, files = result.diagnostics, result.files
    print_notices(result.notices)
    if verbose:
        for d in diags:
            if "notes" in d.extra:
                d.message = notes_message(d.extra["url"], d.extra["notes"], verbose=True)
    if fmt == "json":
        click.echo(render_json(diags, files))
    elif fmt == "github":
        out = render_github(diags, _github_prefix(result.root))
        if out:
            click.echo(out)
    else:
        colour = sys.stdout.isatty() if color is None else color
        click.echo(render_text(diags, files, colour), color=colour)  # click strips ANSI off a tty
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    sys.exit(EXIT_FINDINGS if any(d.severity in failing for d in diags) else EXIT_OK)


def _github_prefix(root: Path) -> str:
    """Annotations name files from the working directory (the checkout), not the vault root."""
    try:
        rel = root.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"
