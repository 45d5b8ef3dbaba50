"""GitHub Actions workflow commands: ``::error file=...,line=...::message``.

Paths are relative to ``GITHUB_WORKSPACE`` when it is set (the checkout, which is what
GitHub resolves annotation paths against), else to the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from vaultkit.lint.report.base import Report
from vaultkit.model import Severity
from vaultkit.text.display import printable_lines

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def workspace() -> Path | None:
    """The GitHub workspace, when running in GitHub Actions."""
    value = os.environ.get("GITHUB_WORKSPACE")
    return Path(value) if value else None


def _escape(value: str, prop: bool = False) -> str:
    value = printable_lines(value)  # line breaks kept for GitHub's %0A / %0D
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(report: Report) -> str:
    base = workspace()
    out = []
    for d in report.diags:
        props = (
            f"file={_escape(report.path(d, base), True)},line={d.line},col={d.column},"
            f"endLine={d.end_line},endColumn={d.end_column},"
            f"title={_escape(f'{d.code} {d.rule}', True)}"
        )
        out.append(f"::{LEVEL[d.severity]} {props}::{_escape(d.message)}")
    return "\n".join(out)
