"""The false positives and misses of issue 14, as data (tests/data/findings_cases.json):
each case is a small vault and every finding expected of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import check_json, run_cli
from helpers.fixkit import make_vault

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "findings_cases.json").read_text("utf-8")
)["cases"]
RULES = "malformed-link,missing-file,broken-wikilink,broken-anchor,duplicate-url"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
@pytest.mark.parametrize("parser", ["fast", "reference"])
def test_case(case: dict[str, Any], parser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if parser == "reference":
        monkeypatch.setenv("VAULTKIT_PARSER", "reference")
    root = make_vault(tmp_path, case["files"])
    run = check_json("--no-cache", "--select", RULES, root)
    assert [list(w) for w in run.where()] == case["expect"], run.stdout
    if "message" in case:
        assert case["message"] in run.diags()[0]["message"]


CONTEXT_NOTE = (
    '---\ntype: "[[Authors]]"\n---\n# N\n\n'
    "%% a draft: [[Draft]] %%\n\n<!-- [[Other]] -->\n\n[[Gone]] [x](gone.md)\n"
)


def test_links_in_comments_and_properties_say_so_and_take_their_own_severity(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"N.md": CONTEXT_NOTE})
    plain = check_json("--no-cache", root)
    found = {(d["line"], d["severity"], d.get("context")) for d in plain.diags()}
    assert found == {
        (2, "error", "property"),
        (6, "error", "comment"),
        (8, "error", "comment"),
        (10, "error", None),
    }
    messages = {d["line"]: d["message"] for d in plain.diags()}
    assert "'Authors' in a property is not in the vault" in messages[2]
    assert "'Draft' in a comment is not in the vault" in messages[6]
    assert " in a " not in messages[10]
    (root / ".vaultkit.toml").write_text(
        '[severity]\nbroken-wikilink = "warning"\n[severity.context]\nproperty = "info"\ncomment = "info"\n',
        encoding="utf-8",
    )
    tuned = check_json("--no-cache", root)
    levels = sorted((d["line"], d["column"], d["severity"]) for d in tuned.diags())
    assert levels == [(2, 8, "info"), (6, 13, "info"), (8, 6, "info"), (10, 1, "warning"), (10, 10, "error")]


@pytest.mark.parametrize(
    "table", ['[severity.context]\nbody = "info"\n', '[severity.context]\ncomment = "loud"\n']
)
def test_a_bad_context_severity_is_a_config_error(tmp_path: Path, table: str) -> None:
    root = make_vault(tmp_path, {"N.md": "x\n", ".vaultkit.toml": table})
    run = run_cli("check", root)
    assert run.code == 2 and "severity.context" in run.stderr
