"""The README stays true: its rules table and the options it documents match the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import COMMANDS, cli
from vaultkit.cli.rules import markdown_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_rules_table_matches_the_registry() -> None:
    block = re.search(r"<!-- rules:start[^>]*-->\n(.*?)\n<!-- rules:end -->", README, re.S)
    assert block, "README lost its rules table markers"
    assert block.group(1).strip() == markdown_table().strip(), "run `vaultkit rules --markdown`"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_is_documented(command: str) -> None:
    help_text = CliRunner().invoke(cli, [command, "--help"]).output
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", help_text)) - {"--help"}
    missing = sorted(o for o in options if not re.search(rf"(?<![\w-]){o}(?![\w-])", README))
    assert not missing, f"README does not mention {command} options {missing}"


def test_the_two_setup_commands_open_the_readme() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert first_block == [
        "pip install . && vaultkit check sample_vault",
        "pip install -e '.[test]' && python -m pytest",
    ]
