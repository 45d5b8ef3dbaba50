"""vaultkit fix."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

import click

from vaultkit.cli.main import EXIT_FINDINGS, EXIT_OK
from vaultkit.cli.options import online_options, paths_argument, progress_bar, rule_options, split_rules
from vaultkit.config import has_config
from vaultkit.errors import ConfigError, VaultkitError
from vaultkit.fix.fixpoint import fix_text
from vaultkit.index.facts import link_rows
from vaultkit.lint.session import build_context, load_notes, open_vault, select_rules
from vaultkit.online import check_urls
from vaultkit.online.options import settings_from
from vaultkit.vault.read import render
from vaultkit.vault.write import write_atomic


@click.command(name="fix")
@paths_argument
@rule_options
@click.option("--unsafe-fixes", is_flag=True, help="Also apply opt-in fixes (duplicate list items).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option(
    "--online", is_flag=True, help="Also rewrite permanently redirected URLs (checks URLs over HTTP)."
)
@online_options
def command(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    unsafe_fixes: bool,
    show_diff: bool,
    check_only: bool,
    online: bool,
    allow_private: bool,
    cache: Path | None,
    refresh: bool,
) -> None:
    """Repair what can be repaired safely, in place, atomically and idempotently."""
    for p in paths:
        outside = _leaves_vault(p)
        if outside is not None:
            raise ConfigError(
                f"{p} resolves to {Path(os.path.realpath(p))}, outside the vault "
                f"{outside}; not fixing through a link that leaves the vault"
            )
    session = open_vault(list(paths))
    rules = [
        r for r in select_rules(session.config, split_rules(select), split_rules(ignore), online) if r.fixable
    ]
    load_notes(session, session.targets, keep_sources=True)
    ctx = build_context(session)
    if online and any(r.online for r in rules):
        settings = settings_from(
            session.config.online, allow_private=allow_private, cache=cache, refresh=refresh
        )
        urls = list(
            dict.fromkeys(
                row.canonical for note in session.notes.values() for row in link_rows(note) if row.canonical
            )
        )
        with progress_bar(enabled=True) as progress:
            ctx.settings["online_results"] = check_urls(urls, settings, progress)
    changed = failed = 0
    total: dict[str, int] = {}
    for problem in session.problems:
        click.echo(f"{problem.path}: skipped: {problem.message}", err=True)
    seen: set[str] = set()
    for rel in session.targets:
        note, src = session.notes.get(rel), session.sources.get(rel)
        if note is None or src is None or src.is_binary:
            continue
        real = os.path.realpath(src.path)
        if real in seen:  # a symlink in the vault to a note also fixed under its own name
            continue
        seen.add(real)
        if not src.confident:
            click.echo(f"{rel}: skipped: encoding {src.encoding} is a guess; convert it by hand", err=True)
            continue
        result = fix_text(note, rules, ctx, unsafe=unsafe_fixes)
        if result.refused:
            click.echo(f"{rel}: {result.refused}", err=True)
            failed += 1
            continue
        convert = result.convert
        if result.text == note.text and not convert:
            continue
        changed += 1
        detail = ", ".join(f"{name} ×{n}" for name, n in sorted(result.applied.items()))
        for name, n in result.applied.items():
            total[name] = total.get(name, 0) + n
        if show_diff:
            diff = difflib.unified_diff(
                note.text.splitlines(keepends=True),
                result.text.splitlines(keepends=True),
                f"a/{rel}",
                f"b/{rel}",
            )
            click.echo("".join(diff), nl=False)
            continue
        if check_only:
            click.echo(f"{rel}: would fix {detail}")
            continue
        try:
            write_atomic(src.path, render(src, result.text, to_utf8=convert), expect=src, root=session.root)
        except VaultkitError as exc:
            click.echo(f"{rel}: not written: {exc}", err=True)
            failed += 1
            continue
        click.echo(f"{rel}: fixed {detail}")
    fixes = sum(total.values())
    verb = "would fix" if (check_only or show_diff) else "fixed"
    per_rule = ", ".join(f"{k} ×{v}" for k, v in sorted(total.items()))
    click.echo(
        f"{verb} {fixes} problem(s) in {changed} file(s)"
        + (f" ({per_rule})" if per_rule else "")
        + (f"; {failed} file(s) not written" if failed else ""),
        err=show_diff,
    )
    pending = check_only and changed > 0
    sys.exit(EXIT_FINDINGS if pending or failed else EXIT_OK)


def _leaves_vault(path: Path) -> Path | None:
    """The vault ``path`` is named in, when the path resolves outside it (through a
    symlink); else None. The vault is the nearest folder above the path as written
    (links not followed) holding ``.obsidian/`` or a vaultkit config; a file named
    outside any vault belongs to its folder."""
    written = Path(os.path.abspath(path))
    vault = next((f for f in written.parents if (f / ".obsidian").is_dir() or has_config(f)), None)
    if vault is None:
        if written.is_dir():
            return None
        vault = written.parent
    base = Path(os.path.realpath(vault))
    return None if Path(os.path.realpath(written)).is_relative_to(base) else base
