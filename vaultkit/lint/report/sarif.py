"""SARIF 2.1.0, as GitHub code scanning ingests it.

The rules that ran are listed in ``tool.driver.rules`` with their summary, their
documentation as help text, and their default level; each result points at its rule by
id and index. Paths are relative to ``GITHUB_WORKSPACE`` when it is set, else to the
current folder, and name ``%SRCROOT%`` as their base.
"""

from __future__ import annotations

import json
from typing import Any

from vaultkit.lint.report.base import Report
from vaultkit.lint.report.github import workspace
from vaultkit.model import Severity
from vaultkit.text.display import name_text
from vaultkit.version import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(r: Any) -> dict[str, Any]:
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.doc or r.summary},
        "help": {"text": r.doc or r.summary, "markdown": r.doc or r.summary},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {"tags": [r.name], "fixable": bool(r.fixable)},
    }


def render_sarif(report: Report) -> str:
    rules = sorted({r.code: r for r in report.rules}.values(), key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    base = workspace()
    results = []
    for d in report.diags:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": LEVEL[d.severity],
            "message": {"text": name_text(d.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": name_text(report.path(d, base)),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": max(d.end_line, d.line),
                            "endColumn": max(d.end_column, 1),
                        },
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "vaultkit", "version": __version__, "rules": [_rule(r) for r in rules]}
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
