"""Options shared by check and fix."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click


def split_rules(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def paths_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("paths", nargs=-1, type=click.Path(path_type=Path))(func)


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config FILE``: read the configuration from FILE, not the vault root's."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Read the configuration from FILE (a .vaultkit.toml, or a pyproject.toml's "
        "[tool.vaultkit]) instead of the vault root's.",
    )(func)


def complete_rules(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of rule codes and names, after the last comma of a list."""
    from click.shell_completion import CompletionItem

    from vaultkit.rules.select import rule_words

    head, comma, last = incomplete.rpartition(",")
    prefix = head + comma
    return [CompletionItem(prefix + w) for w in rule_words() if w.lower().startswith(last.lower())]


def vault_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--vault DIR``: the vault root, instead of finding it from the paths."""
    return click.option(
        "--vault",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        metavar="DIR",
        help="The vault root (default: the nearest folder above the paths with .obsidian/ or a "
        "vaultkit config, else the git work tree's top, else the current folder).",
    )(func)


def echo_skipped(notes: list[str]) -> None:
    """Say once per path that it was not checked (never an error)."""
    from vaultkit.text.display import printable

    for line in notes:
        click.echo(printable(f"vaultkit: {line}"), err=True)


def rule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--ignore",
        multiple=True,
        metavar="RULES",
        shell_complete=complete_rules,
        help="Skip these rules (codes, names or code prefixes, comma-separated).",
    )(func)
    func = click.option(
        "--select",
        multiple=True,
        metavar="RULES",
        shell_complete=complete_rules,
        help="Run only these rules (codes, names or code prefixes such as VK00, comma-separated).",
    )(func)
    return func


def online_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--refresh", is_flag=True, help="--online: ignore cached URL results (and overwrite them)."
    )(func)
    func = click.option(
        "--cache",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help="--online: the SQLite file for URL results (default: in the user cache folder).",
    )(func)
    func = click.option(
        "--allow-private",
        is_flag=True,
        help="--online: also request loopback, private and link-local "
        "addresses (off by default: SSRF guard).",
    )(func)
    return func


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int, int], None] | None]:
    """A progress line on stderr for long network work, only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    state = {"shown": False}

    def show(done: int, total: int, dead: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\rchecking URLs [{bar}] {done}/{total}, {dead} dead")
        sys.stderr.flush()
        state["shown"] = True

    try:
        yield show
    finally:
        if state["shown"]:
            sys.stderr.write("\n")


def follow_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--follow-external-symlinks",
        "follow_external",
        is_flag=True,
        help="Read notes that are symlinks to files outside the vault (skipped by default).",
    )(func)


UNREACHABLE_HINT = "no URL was requested, and each is reported as unverifiable; connect and run again"


def print_notices(notices: list[str]) -> None:
    """The session's one-line notes, on stderr, with control characters made visible."""
    from vaultkit.text.display import printable

    for line in notices:
        click.echo(printable(line), err=True)


def sweep_stale(folder: Path, *, recursive: bool = True, prefix: str = ".") -> None:
    """Remove the temp files an interrupted vaultkit run left in ``folder`` (ones that no
    live process holds), and say so on stderr."""
    from vaultkit.vault.tempfiles import sweep

    removed = sweep(folder, recursive=recursive, prefix=prefix)
    if removed:
        click.echo(
            f"vaultkit: removed {len(removed)} stale temp file(s) left by an interrupted run", err=True
        )
