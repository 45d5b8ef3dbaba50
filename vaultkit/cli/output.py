"""check's output options, shared by every format: where the report goes, how much of it,
in colour or not, and the exit code it makes.

Colour: ``--color``/``--no-color`` first; else ``NO_COLOR`` (set and not empty) turns it
off and ``FORCE_COLOR`` (set and not empty) on (no-color.org); else colour when standard
output is a terminal. A file written with ``-o`` is never coloured.
"""

from __future__ import annotations

import functools
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from vaultkit.cli.main import EXIT_FINDINGS, EXIT_OK
from vaultkit.lint.report import FORMATS, Report, render
from vaultkit.model import Diagnostic, Severity

LEVELS = ("info", "warning", "error")


@dataclass
class Output:
    fmt: str = "text"
    output_file: Path | None = None
    statistics: bool = False
    quiet: int = 0  # 1: findings only, no summary; 2: nothing at all
    exit_zero: bool = False
    min_severity: str = "info"
    color: bool | None = None
    verbose: bool = False
    strict: bool = False

    def colour(self) -> bool:
        if self.output_file is not None:
            return False
        if self.color is not None:
            return self.color
        if os.environ.get("NO_COLOR"):
            return False
        if os.environ.get("FORCE_COLOR"):
            return True
        return sys.stdout.isatty()


_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="Output format.",
    ),
    click.option(
        "-o",
        "--output-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Write the report to FILE (atomically) instead of standard output.",
    ),
    click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead."),
    click.option(
        "-q", "--quiet", count=True, help="Print only the findings, no summary; -qq prints nothing."
    ),
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
    click.option(
        "--min-severity",
        type=click.Choice(LEVELS),
        default="info",
        show_default=True,
        help="Leave out findings below this severity (in every format and the exit code).",
    ),
    click.option("--strict", is_flag=True, help="Exit 1 on warnings too."),
    click.option(
        "--color/--no-color",
        default=None,
        help="Colour the text output (default: on a terminal, unless NO_COLOR; FORCE_COLOR forces it).",
    ),
    click.option("-v", "--verbose", is_flag=True, help="List every note of a URL duplicated across notes."),
]
_FIELDS = (
    "fmt",
    "output_file",
    "statistics",
    "quiet",
    "exit_zero",
    "min_severity",
    "strict",
    "color",
    "verbose",
)


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the output options to a command; it receives them as one ``out: Output``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = Output(**{name: kwargs.pop(name) for name in _FIELDS})
        return func(*args, out=out, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def kept(diags: Sequence[Diagnostic], out: Output) -> list[Diagnostic]:
    """The findings at or above ``--min-severity``."""
    floor = Severity(out.min_severity).rank
    return [d for d in diags if d.severity.rank <= floor]


def fix_command(paths: Sequence[Path | str], extra: Sequence[str] = ()) -> str:
    """The command line that fixes what this check found."""
    return shlex.join(["vaultkit", "fix", *extra, *(str(p) for p in paths)])


def exit_code(diags: Sequence[Diagnostic], out: Output) -> int:
    failing = {Severity.ERROR, Severity.WARNING} if out.strict else {Severity.ERROR}
    if out.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if any(d.severity in failing for d in diags) else EXIT_OK


def emit(report: Report, out: Output) -> int:
    """Print (or write) the report as ``out`` says; return the exit code."""
    from vaultkit.lint.report import text

    if out.verbose:
        _expand(report.diags)
    report.colour = out.colour()
    if out.statistics:
        lines = text.statistics_lines(report.diags)
    elif out.fmt == "text":
        lines = text.finding_lines(report)
    elif out.fmt == "grouped":
        lines = text.grouped_lines(report)
        while lines and not lines[-1]:
            lines.pop()  # the blank line after the last file
    else:
        lines = [body] if (body := render(out.fmt, report)) else []
    if out.fmt in ("text", "grouped") and out.quiet == 0:
        lines = [*lines, *text.summary_lines(report)]
    if out.output_file is not None:
        _write(out.output_file, b"".join(line.encode("utf-8") + b"\n" for line in lines))
    elif out.quiet < 2:
        _echo_lines(lines, report.colour)
    return exit_code(report.diags, out)


_ECHO_LINES = 2000  # lines printed at a time


def _echo_lines(lines: list[str], colour: bool) -> None:
    """The lines, a batch at a time: one string of 150,000 findings, where any holds a
    character beyond U+FFFF, takes 4 bytes a character, in each copy made of it."""
    for i in range(0, len(lines), _ECHO_LINES):
        click.echo("\n".join(lines[i : i + _ECHO_LINES]), color=colour)


def _expand(diags: Sequence[Diagnostic]) -> None:
    from vaultkit.rules.duplicates import notes_message

    for d in diags:
        if "notes" in d.extra:
            d.message = notes_message(d.extra["url"], d.extra["notes"], verbose=True)


def _write(path: Path, data: bytes) -> None:
    from vaultkit.vault.write import write_atomic

    write_atomic(path, data)
