"""vaultkit fix."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vaultkit.api import FileFix, FixReport, Online, fix
from vaultkit.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
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
from vaultkit.text.display import printable, printable_lines


@click.command(name="fix")
@paths_argument
@vault_option
@config_option
@rule_options
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Also apply unsafe fixes (clear candidates for broken links, split links, duplicates).",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option(
    "--online", is_flag=True, help="Also rewrite permanently redirected URLs (checks URLs over HTTP)."
)
@online_options
@follow_option
def command(
    paths: tuple[Path, ...],
    vault: Path | None,
    config_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    unsafe_fixes: bool,
    show_diff: bool,
    check_only: bool,
    online: bool,
    allow_private: bool,
    cache: Path | None,
    refresh: bool,
    follow_external: bool,
) -> None:
    """Repair what can be repaired safely, in place, atomically and idempotently."""
    dry_run = show_diff or check_only
    with progress_bar(enabled=online) as progress:
        report = fix(
            list(paths),
            dry_run=dry_run,
            select=split_rules(select),
            ignore=split_rules(ignore),
            unsafe=unsafe_fixes,
            online=Online(allow_private=allow_private, cache=cache, refresh=refresh) if online else False,
            cache=True,
            progress=progress,
            on_file=lambda f: _show(f, show_diff),
            config=config_file,
            follow_external=follow_external,
            vault=vault,
        )
    echo_skipped(report.outside)
    print_notices(report.notices)
    _summary(report, show_diff)
    pending = (check_only or show_diff) and bool(report.changed)  # --diff too, as ruff's
    if report.unreachable is not None:
        click.echo(f"vaultkit: error: --online: {report.unreachable}; {UNREACHABLE_HINT}", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if pending or report.failed else EXIT_OK)


def _show(f: FileFix, show_diff: bool) -> None:
    """One line per note; note text, paths and reasons with control characters made visible."""
    if f.status == "skipped":
        _say(f"{f.path}: skipped: {f.reason}", err=True)
    elif f.status == "refused":
        _say(f"{f.path}: {f.reason}", err=True)
    elif f.status == "not-written":
        _say(f"{f.path}: not written: {f.reason}", err=True)
    elif show_diff:  # on a terminal, the notes' control characters made visible
        click.echo(printable_lines(f.diff()) if sys.stdout.isatty() else f.diff(), nl=False)
    elif f.status == "would-fix":
        _say(f"{f.path}: would fix {f.detail}")
    else:
        kept = f"; the original bytes are in {f.original}" if f.original else ""
        _say(f"{f.path}: fixed {f.detail}{kept}")


def _say(line: str, err: bool = False) -> None:
    click.echo(printable(line), err=err)


def _summary(report: FixReport, show_diff: bool) -> None:
    total = report.totals()
    verb = "would fix" if report.dry_run else "fixed"
    per_rule = ", ".join(f"{k} ×{v}" for k, v in sorted(total.items()))
    failed = len(report.failed)
    click.echo(
        f"{verb} {sum(total.values())} problem(s) in {len(report.changed)} file(s)"
        + (f" ({per_rule})" if per_rule else "")
        + (f"; {failed} file(s) not written" if failed else ""),
        err=show_diff,
    )
