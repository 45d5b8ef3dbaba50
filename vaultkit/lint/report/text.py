"""The formats for people: text (``path:line:col: CODE [rule] message``), grouped (the
findings under each file, as ruff's ``grouped``), the summary and ``--statistics``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import groupby

import click

from vaultkit.lint.report.base import Report, fixable, summary
from vaultkit.model import Diagnostic, Severity
from vaultkit.text.display import printable

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _style(text: str, colour: bool, **styles: object) -> str:
    return click.style(text, **styles) if colour else text  # type: ignore[arg-type]


def _finding(d: Diagnostic, where: str, colour: bool) -> str:
    code = _style(d.code, colour, fg=_COLOURS[d.severity], bold=True)
    rule = _style(f"[{d.rule}]", colour, dim=True)
    fix = " (fixable)" if fixable(d) else ""
    return f"{where} {code} {rule} {printable(d.message)}{fix}"


def finding_lines(report: Report) -> list[str]:
    """One line per finding: ``path:line:col: CODE [rule] message``."""
    return [
        _finding(
            d,
            _style(f"{printable(report.path(d))}:{d.line}:{d.column}:", report.colour, bold=True),
            report.colour,
        )
        for d in report.diags
    ]


def grouped_lines(report: Report) -> list[str]:
    """Each file's name, then its findings indented as ``line:col``, a blank line between files."""
    out: list[str] = []
    for _path, group in groupby(report.diags, key=lambda d: d.path):
        items = list(group)
        out.append(_style(printable(report.path(items[0])), report.colour, bold=True, underline=True) + ":")
        width = max(len(f"{d.line}:{d.column}") for d in items)
        out.extend(
            f"  {f'{d.line}:{d.column}':<{width}} " + _finding(d, "", report.colour)[1:] for d in items
        )
        out.append("")
    return out


def summary_lines(report: Report) -> list[str]:
    """The closing lines: what was checked, what was found, what fixes it."""
    s = summary(report.diags, report.files)
    files = f"{s['files']} file" + ("" if s["files"] == 1 else "s")
    counts = [_plural(s["errors"], "error"), _plural(s["warnings"], "warning"), _plural(s["infos"], "info")]
    lines = [f"Checked {files}: {', '.join(counts)}."]
    unsafe = sum(1 for d in report.diags if d.fixable and d.unsafe)
    if s["fixable"]:
        lines.append(f"{s['fixable']} fixable with `{report.fix_command}`.")
    if unsafe:
        unsafe_command = report.fix_command.replace("vaultkit fix", "vaultkit fix --unsafe-fixes", 1)
        lines.append(f"{unsafe} more fixable with `{unsafe_command}`.")
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render_text(report: Report) -> str:
    return "\n".join(finding_lines(report))


def render_grouped(report: Report) -> str:
    return "\n".join(grouped_lines(report)).rstrip("\n")


def statistics_lines(diags: Sequence[Diagnostic]) -> list[str]:
    """``--statistics``: one line per rule, most frequent first: count, code, name, fixable."""
    counts = Counter((d.code, d.rule) for d in diags)
    fixes = Counter((d.code, d.rule) for d in diags if fixable(d))
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        fix = f" ({fixes[(code, name)]} fixable)" if fixes[(code, name)] else ""
        lines.append(f"{n:>{width}}  {code}  {name}{fix}")
    return lines
