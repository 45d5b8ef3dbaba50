"""json (one versioned document, ``vaultkit/schemas/check.schema.json``) and json-lines
(one diagnostic object a line, the same objects, for streaming). Paths are vault-relative."""

from __future__ import annotations

import json
from typing import Any

from vaultkit.lint.report.base import Report, summary
from vaultkit.model import Diagnostic
from vaultkit.schema_ids import CHECK_SCHEMA_ID
from vaultkit.text.display import has_raw_bytes, name_bytes_hex, name_text
from vaultkit.version import __version__

JSON_VERSION = 1


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
    for key in ("context", "status", "final_url", "elapsed_ms", "notes"):
        if key in d.extra:
            out[key] = d.extra[key]
    if has_raw_bytes(d.path):  # a file name that is not UTF-8: its exact bytes, in hex
        out["path_bytes"] = name_bytes_hex(d.path)
    return out


def render_json(report: Report) -> str:
    doc = {
        "$schema": CHECK_SCHEMA_ID,
        "vaultkit": __version__,
        "version": JSON_VERSION,
        "diagnostics": [diagnostic_json(d) for d in report.diags],
        "summary": summary(report.diags, report.files),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_json_lines(report: Report) -> str:
    return "\n".join(json.dumps(diagnostic_json(d), ensure_ascii=False) for d in report.diags)
