"""Every output format of `vaultkit check`, on one vault: each is validated by what
consumes it (the SARIF 2.1.0 schema, a JUnit XML reader, GitLab's Code Quality fields, the
shipped JSON schema), and all of them report the same set of findings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

Vault = Callable[[dict[str, str | bytes]], Path]
VK = Callable[..., Any]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
Finding = tuple[str, int, str]  # vault-relative path, line, code

VAULT: dict[str, str | bytes] = {
    "a.md": "# A\n\n[[Nope]]\n\n- item\n-\n- [x](https://e.com/p?utm_source=z)\n",
    "b.md": "# B\n\nfine [[a]] and [[a#Gone]]\n\nhttps://e.com/p\n",
    "sub/c.md": '# C\n\nhttps://e.com/q https://e.com/q\n\n[[ctrl\x01char]] <odd> & "quoted"\n',
    "sub/d.md": "# D\n\nnothing wrong here\n",
}


def _json_findings(doc: dict[str, Any]) -> set[Finding]:
    return {(d["path"], d["line"], d["code"]) for d in doc["diagnostics"]}


def _text(out: str) -> set[Finding]:
    return {(m[1], int(m[2]), m[3]) for m in re.finditer(r"^(.+?):(\d+):\d+: (VK\d{3}) ", out, re.M)}


def _grouped(out: str) -> set[Finding]:
    found, path = set(), ""
    for line in out.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            path = line[:-1]
        elif m := re.match(r"\s+(\d+):\d+\s+(VK\d{3}) ", line):
            found.add((path, int(m[1]), m[2]))
    return found


def _github(out: str) -> set[Finding]:
    pattern = r"^::\w+ file=([^,]+),line=(\d+),.*title=(VK\d{3})"
    return {(m[1], int(m[2]), m[3]) for m in re.finditer(pattern, out, re.M)}


def _sarif(out: str) -> set[Finding]:
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8")))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    found = set()
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        found.add((loc["artifactLocation"]["uri"], loc["region"]["startLine"], r["ruleId"]))
    return found


def _junit(out: str, tmp: Path) -> set[Finding]:
    report = tmp / "junit.xml"
    report.write_text(out, "utf-8")
    xml = JUnitXml.fromfile(str(report))
    found = set()
    cases = [case for suite in xml for case in suite]
    assert {c.name for c in cases} == {"a.md", "b.md", "sub/c.md", "sub/d.md"}  # one per checked file
    for case in cases:
        for result in case.result:
            assert isinstance(result, Failure)
            line = int(result.text.split(":")[1])
            found.add((case.name, line, result.type.split()[0]))
    assert next(c for c in cases if c.name == "sub/d.md").is_passed
    return found


GITLAB_ISSUE = {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "check_name": {"type": "string", "minLength": 1},
        "fingerprint": {"type": "string", "minLength": 1},
        "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
        "location": {
            "type": "object",
            "required": ["path", "lines"],
            "properties": {
                "path": {"type": "string", "pattern": "^(?!/)(?!\\./)"},
                "lines": {
                    "type": "object",
                    "required": ["begin"],
                    "properties": {"begin": {"type": "integer", "minimum": 1}},
                },
            },
        },
    },
}


def _gitlab(out: str) -> set[Finding]:
    """GitLab's Code Quality report: an array of issues with the fields GitLab documents as
    required, and fingerprints unique within the report (GitLab shows one issue per fingerprint)."""
    issues = json.loads(out)
    jsonschema.validate(issues, {"type": "array", "items": GITLAB_ISSUE})
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    return {(i["location"]["path"], i["location"]["lines"]["begin"], i["description"][:5]) for i in issues}


def test_every_format_agrees_on_the_findings(
    vault: Vault, vk: VK, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = vault(VAULT)
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    doc = json.loads(vk("check", "--format", "json", ".").stdout)
    jsonschema.validate(
        doc, json.loads((files("vaultkit") / "schemas" / "check.schema.json").read_text("utf-8"))
    )
    expected = _json_findings(doc)
    assert {code for _, _, code in expected} >= {"VK001", "VK002", "VK005", "VK007", "VK011"}
    lines = vk("check", "--format", "json-lines", ".").stdout.splitlines()
    assert {(d["path"], d["line"], d["code"]) for d in map(json.loads, lines)} == expected
    assert len(lines) == len(doc["diagnostics"])
    parsers: dict[str, Callable[[str], set[Finding]]] = {
        "text": _text,
        "grouped": _grouped,
        "github": _github,
        "sarif": _sarif,
        "junit": lambda out: _junit(out, tmp_path),
        "gitlab": _gitlab,
    }
    for fmt, parse in parsers.items():
        run = vk("check", "--format", fmt, ".")
        assert run.code == 1, (fmt, run.stderr)
        assert parse(run.stdout) == expected, fmt


def test_sarif_lists_rule_metadata_with_help_from_the_docs(vault: Vault, vk: VK) -> None:
    run = vk("check", "--format", "sarif", vault(VAULT))
    driver = json.loads(run.stdout)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "vaultkit" and driver["version"]
    by_id = {r["id"]: r for r in driver["rules"]}
    broken = by_id["VK001"]
    assert broken["name"] == "broken-wikilink"
    assert broken["defaultConfiguration"]["level"] == "error"
    assert "not in the vault" in broken["help"]["text"]
    assert by_id["VK011"]["defaultConfiguration"]["level"] == "note"


def test_junit_survives_characters_xml_cannot_hold(
    vault: Vault, vk: VK, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(vault(VAULT))
    out = vk("check", "--format", "junit", ".").stdout
    assert "\x01" not in out and "ctrl\\x01char" in out
    assert _junit(out, tmp_path)


def test_gitlab_fingerprints_stay_when_lines_move(vault: Vault, vk: VK) -> None:
    root = vault(VAULT)
    before = {i["fingerprint"] for i in json.loads(vk("check", "--format", "gitlab", root).stdout)}
    text = (root / "a.md").read_text("utf-8")
    (root / "a.md").write_text("new first line\n\n" + text, "utf-8")
    after = {i["fingerprint"] for i in json.loads(vk("check", "--format", "gitlab", root).stdout)}
    assert before == after
