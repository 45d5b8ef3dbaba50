"""vaultkit check."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from vaultkit.cli.main import EXIT_USAGE
from vaultkit.cli.options import (
    UNREACHABLE_HINT,
    config_option,
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
from vaultkit.cli.output import Output, emit, fix_command, kept, output_options


@click.command()
@paths_argument
@vault_option
@config_option
@output_options
@rule_options
@click.option("--online", is_flag=True, help="Also check external URLs over HTTP.")
@click.option(
    "--no-cache", is_flag=True, help="Don't read or write caches (.vaultkit_cache/, and online results)."
)
@click.option(
    "--stdin-filename",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="With '-': where the note read from standard input sits in the vault.",
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
    config_file: Path | None,
    out: Output,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    online: bool,
    no_cache: bool,
    stdin_filename: Path | None,
    allow_private: bool,
    cache: Path | None,
    refresh: bool,
    staged: bool,
    follow_external: bool,
) -> None:
    """Lint a vault, or the notes named (as pre-commit passes them).

    With note files, the whole vault is still indexed to resolve links, but only
    those files are reported. With '-', the note is read from standard input
    (placed in the vault by --stdin-filename) and nothing is cached.
    """
    # imported here, so that `check --help` and shell completion don't load the parser and rules
    from vaultkit.api import Online
    from vaultkit.api import check as check_vault
    from vaultkit.lint.report import Report

    paths, texts = _with_stdin(paths, stdin_filename)
    opts = Online(allow_private=allow_private, cache=cache, no_cache=no_cache, refresh=refresh)
    with progress_bar(enabled=online and out.fmt in ("text", "grouped")) as progress:
        result = check_vault(
            list(paths),
            select=split_rules(select),
            ignore=split_rules(ignore),
            online=opts if online else False,
            cache=not no_cache,
            progress=progress,
            config=config_file,
            texts=texts,
            vault=vault,
            staged=staged,
            follow_external=follow_external,
        )
    if out.quiet == 0:  # -q: the findings and nothing else, as ruff
        echo_skipped(result.outside)
        print_notices(result.notices)
    report = Report(
        kept(result.diagnostics, out),
        result.files,
        result.root,
        fix_command=fix_command([p for p in paths if p not in texts]),
        rules=result.rules,
        targets=result.targets,
    )
    code = emit(report, out)
    if result.unreachable is not None:
        click.echo(f"vaultkit: error: --online: {result.unreachable}; {UNREACHABLE_HINT}", err=True)
        code = EXIT_USAGE
    sys.exit(code)


def _with_stdin(
    paths: tuple[Path, ...], stdin_filename: Path | None
) -> tuple[tuple[Path, ...], dict[str | os.PathLike[str], str]]:
    """The paths with '-' replaced by the stdin note's name, and that note's text."""
    texts: dict[str | os.PathLike[str], str] = {}
    if Path("-") in paths:
        name = stdin_filename or Path("stdin.md")
        texts[name] = sys.stdin.read()
        paths = tuple(name if p == Path("-") else p for p in paths)
    return paths, texts
