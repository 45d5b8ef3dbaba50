"""GitLab Code Quality: a JSON array of issues (a subset of Code Climate's format).

Each issue has a description, a check name, a fingerprint that stays the same while the
finding does (rule, path, message, and which occurrence of that triple it is, not its
line, so that an edit above it does not make it new), a severity and a location. Paths are
relative to the current folder (the project directory in a GitLab job).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from vaultkit.lint.report.base import Report
from vaultkit.model import Severity
from vaultkit.text.display import name_text

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(report: Report) -> str:
    seen: Counter[tuple[str, str, str]] = Counter()
    issues: list[dict[str, Any]] = []
    for d in report.diags:
        path = name_text(report.path(d))
        key = (d.code, path, d.message)
        seen[key] += 1
        blob = "\0".join([*key, str(seen[key])]).encode("utf-8")
        issues.append(
            {
                "description": f"{d.code} [{d.rule}] {name_text(d.message)}",
                "check_name": d.rule,
                "fingerprint": hashlib.sha256(blob).hexdigest(),
                "severity": SEVERITY[d.severity],
                "location": {"path": path, "lines": {"begin": d.line, "end": max(d.end_line, d.line)}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False)
