"""Output formats for diagnostics, one module per format.

Every format renders the same findings from one ``Report``: text and grouped for
people, json and json-lines (schema in ``vaultkit/schemas/check.schema.json``), and
github, sarif, junit and gitlab for CI systems. Paths in text, grouped, junit and
gitlab are relative to ``base`` (the current folder), GitHub annotations and SARIF to
the workspace (``GITHUB_WORKSPACE`` when set), json and json-lines to the vault root.
"""

from __future__ import annotations

from collections.abc import Callable

from vaultkit.lint.report.base import Report, display_path, fixable, summary

FORMATS = ("text", "grouped", "json", "json-lines", "github", "sarif", "junit", "gitlab")


__all__ = ["FORMATS", "Report", "display_path", "fixable", "render", "renderer", "summary"]


def renderer(fmt: str) -> Callable[[Report], str]:
    """The function that renders ``fmt`` (its module is imported only when asked for)."""
    if fmt in ("text", "grouped"):
        from vaultkit.lint.report import text

        return text.render_text if fmt == "text" else text.render_grouped
    if fmt in ("json", "json-lines"):
        from vaultkit.lint.report import jsonfmt

        return jsonfmt.render_json if fmt == "json" else jsonfmt.render_json_lines
    if fmt == "github":
        from vaultkit.lint.report.github import render_github

        return render_github
    if fmt == "sarif":
        from vaultkit.lint.report.sarif import render_sarif

        return render_sarif
    if fmt == "junit":
        from vaultkit.lint.report.junit import render_junit

        return render_junit
    if fmt == "gitlab":
        from vaultkit.lint.report.gitlab import render_gitlab

        return render_gitlab
    raise ValueError(f"unknown format {fmt!r}")


def render(fmt: str, report: Report) -> str:
    return renderer(fmt)(report)
