"""JUnit XML: one test suite, one test case per checked file, one failure per finding.

A file with no findings is a passing test case. Paths are relative to the current folder.
"""

from __future__ import annotations

import re
from itertools import groupby
from xml.etree import ElementTree as ET

from vaultkit.lint.report.base import Report, display_path
from vaultkit.model import Diagnostic


def render_junit(report: Report) -> str:
    by_file = {path: list(g) for path, g in groupby(report.diags, key=lambda d: d.path)}
    names = sorted(set(report.targets) | set(by_file))
    failures = len(report.diags)
    suites = ET.Element("testsuites", name="vaultkit", tests=str(len(names)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="vaultkit check",
        tests=str(len(names)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time="0",
    )
    for rel in names:
        diags = by_file.get(rel, [])
        name = _xml(display_path(report.root, rel, report.base))
        case = ET.SubElement(suite, "testcase", name=name, classname="vaultkit.check", file=name, time="0")
        for d in diags:
            _failure(case, d, name)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _failure(case: ET.Element, d: Diagnostic, name: str) -> None:
    message = _xml(d.message)
    failure = ET.SubElement(case, "failure", message=message, type=f"{d.code} {d.rule}")
    failure.text = f"{name}:{d.line}:{d.column}: {d.code} [{d.rule}] {d.severity.value}: {message}"


# Characters XML 1.0 cannot hold at all (a note's text can carry them into a message).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
