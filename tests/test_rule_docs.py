"""Rule docs come in ruff's fixed sections, say why a fix is safe or not, and their
examples are true: the Example is reported by its rule, the Use instead is not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers.fixkit import make_vault, vk

from vaultkit.rules import REGISTRY, Rule
from vaultkit.rules.base import DOC_SECTIONS, FixSafety

RULES = sorted(REGISTRY.values(), key=lambda r: r.code)
# As tests/test_fix_links.py::test_every_rule_documents_its_fix_safety has them.
SAFETY_WORDS = {FixSafety.SAFE: "Safe", FixSafety.UNSAFE: "Unsafe", FixSafety.NONE: "No fix"}
# The examples run in a vault that also holds these (so a "Use instead" may link to them).
NEIGHBOURS: dict[str, str | bytes] = {
    "Meeting notes.md": "# Meeting notes\n\n## Agenda\n",
    "attachments/diagram.png": b"\x89PNG\r\n\x1a\n",
}


def _block(text: str) -> str | None:
    found = re.search(r"```markdown\n(.*?)```", text, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_docs_have_the_fixed_sections(rule: Rule) -> None:
    sections = rule.sections
    assert tuple(sections) == DOC_SECTIONS, rule.code
    assert all(sections.values()), rule.code
    assert sections["Fix safety"].startswith(SAFETY_WORDS[rule.safety]), rule.code
    assert rule.summary and "##" not in rule.summary


EXAMPLES = [r for r in RULES if _block(r.sections["Example"]) is not None and not r.online]


def _codes(tmp_path: Path, folder: str, text: str) -> set[str]:
    root = make_vault(tmp_path, {**NEIGHBOURS, "note.md": text}, name=folder)
    run = vk("check", "--format", "json", root)
    return {d["code"] for d in json.loads(run.stdout)["diagnostics"] if d["path"] == "note.md"}


@pytest.mark.parametrize("rule", EXAMPLES, ids=lambda r: r.name)
def test_examples_are_true(tmp_path: Path, rule: Rule) -> None:
    example, instead = _block(rule.sections["Example"]), _block(rule.sections["Use instead"])
    assert example is not None and instead is not None, rule.code
    assert rule.code in _codes(tmp_path, "example", example)
    assert rule.code not in _codes(tmp_path, "instead", instead)


def test_most_rules_show_a_markdown_example() -> None:
    """Only the rules about bytes (unreadable, non-UTF-8) and the online ones (which need a
    server answering) describe their example in words."""
    described = {r.name for r in RULES if r not in EXAMPLES}
    assert described == {
        "unreadable-file",
        "non-utf8-encoding",
        "dead-url",
        "redirected-url",
        "unverifiable-url",
        "ambiguous-wikilink",  # needs two files of one name, which the doc's vault lacks
    }


def test_rules_name_prints_the_sections() -> None:
    run = vk("rules", "duplicate-url")
    assert run.stdout.startswith("VK005 duplicate-url (warning, unsafe fix (removal), with --unsafe-fixes)\n")
    headings = re.findall(r"^## (.+)$", run.stdout, re.M)
    assert tuple(headings) == DOC_SECTIONS
    assert "## Fix safety\n\nUnsafe (`--unsafe-fixes` only):" in run.stdout
