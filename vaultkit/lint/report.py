"""Output formats for diagnostics: text, json (versioned schema) and GitHub annotations.

The json format is described by ``vaultkit/schemas/check.schema.json`` (JSON Schema
2020-12), shipped with the package; tests validate real output against it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from vaultkit.model import Diagnostic, Severity
from vaultkit.schema_ids import CHECK_SCHEMA_ID
from vaultkit.text.display import has_raw_bytes, name_bytes_hex, name_text, printable, printable_lines
from vaultkit.version import __version__

JSON_VERSION = 1
FORMATS = ("text", "json", "github")
_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary(diags: Sequence[Diagnostic], files: int) -> dict[str, int]:
    count = {s: 0 for s in Severity}
    for d in diags:
        count[d.severity] += 1
    return {
        "files": files,
        "errors": count[Severity.ERROR],
        "warnings": count[Severity.WARNING],
        "infos": count[Severity.INFO],
    }


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": name_text(d.path),
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "code": d.code,
        "rule": d.rule,
        "severity": d.severity.value,
        "message": name_text(d.message),
        "fixable": d.fixable or bool(d.extra.get("convert")),
    }
    for key in ("context", "status", "final_url", "elapsed_ms"):
        if key in d.extra:
            out[key] = d.extra[key]
    if has_raw_bytes(d.path):  # a file name that is not UTF-8: its exact bytes, in hex
        out["path_bytes"] = name_bytes_hex(d.path)
    return out


def render_json(diags: Sequence[Diagnostic], files: int) -> str:
    doc = {
        "$schema": CHECK_SCHEMA_ID,
        "vaultkit": __version__,
        "version": JSON_VERSION,
        "diagnostics": [diagnostic_json(d) for d in diags],
        "summary": summary(diags, files),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_text(diags: Sequence[Diagnostic], files: int, colour: bool) -> str:
    lines = []
    for d in diags:
        where = f"{printable(d.path)}:{d.line}:{d.column}:"
        code = click.style(d.code, fg=_COLOURS[d.severity], bold=True) if colour else d.code
        rule = f"[{d.rule}]"
        if colour:
            where = click.style(where, bold=True)
            rule = click.style(rule, dim=True)
        fix = " (fixable)" if d.fixable and not d.unsafe else ""
        lines.append(f"{where} {code} {rule} {printable(d.message)}{fix}")
    s = summary(diags, files)
    tail = (
        f"{s['files']} file(s) checked: {s['errors']} error(s), {s['warnings']} warning(s), "
        f"{s['infos']} info(s)"
    )
    fixable = sum(1 for d in diags if d.fixable and not d.unsafe)
    if fixable:
        tail += f"; {fixable} fixable with 'vaultkit fix'"
    lines.append(tail)
    return "\n".join(lines)


def _escape(value: str, prop: bool = False) -> str:
    value = printable_lines(value)  # line breaks kept for GitHub's %0A / %0D
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(diags: Sequence[Diagnostic], root_prefix: str = "") -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    out = []
    for d in diags:
        props = (
            f"file={_escape(root_prefix + d.path, True)},line={d.line},col={d.column},"
            f"endLine={d.end_line},endColumn={d.end_column},"
            f"title={_escape(f'{d.code} {d.rule}', True)}"
        )
        out.append(f"::{level[d.severity]} {props}::{_escape(d.message)}")
    return "\n".join(out)
