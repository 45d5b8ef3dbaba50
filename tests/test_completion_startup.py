"""Shell completion of rule names, fix --diff's exit code, and a start-up that imports only
what the command needs (the times themselves are in benchmarks/startup.py and the README)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from vaultkit.cli.main import COMMANDS, SHORT_HELP, cli

Vault = Callable[[dict[str, str | bytes]], Path]
VK = Callable[..., Any]


def _complete(words: str) -> list[str]:
    """What bash completion offers for the last word of ``words`` (click's protocol, real process)."""
    env = {**os.environ, "_VAULTKIT_COMPLETE": "bash_complete", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    run = subprocess.run(
        [sys.executable, "-m", "vaultkit"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return [line.split(",", 1)[1] for line in run.stdout.splitlines() if line.startswith("plain,")]


def test_completion_offers_rule_names() -> None:
    assert _complete("vaultkit check --select broken-w") == ["broken-wikilink"]
    assert set(_complete("vaultkit check --ignore VK00")) == {f"VK00{i}" for i in range(10)}
    assert _complete("vaultkit check --select VK001,mojib") == ["VK001,mojibake"]
    assert _complete("vaultkit fix --select tracking") == ["tracking-params"]
    assert "duplicate-url" in _complete("vaultkit rules dup")


def test_help_lists_commands_without_importing_them() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert SHORT_HELP[name] == command.get_short_help_str(limit=300), name
    assert set(SHORT_HELP) == set(COMMANDS)


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_command(args: list[str]) -> None:
    code = (
        "import sys, runpy; sys.argv = ['vaultkit', *sys.argv[1:]]\n"
        "try:\n    from vaultkit.cli.main import cli; cli.main(standalone_mode=False)\n"
        "finally:\n    print(sorted(m for m in sys.modules if m.startswith(('vaultkit', 'markdown_it', "
        "'importlib.metadata', 'email'))), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    loaded = eval(run.stderr.strip().splitlines()[-1])
    assert set(loaded) <= {
        "vaultkit",
        "vaultkit.cli",
        "vaultkit.cli.main",
        "vaultkit.version",
        "vaultkit.errors",
        "vaultkit.cli.version",
    }


def test_check_help_and_completion_load_no_parser() -> None:
    code = (
        "import sys\nfrom vaultkit.cli.main import cli\n"
        "try:\n    cli.main(['check', '--help'], standalone_mode=False)\n"
        "finally:\n    print(sorted(sys.modules), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    loaded = set(eval(run.stderr.strip().splitlines()[-1]))
    assert "--select" in run.stdout
    assert not loaded & {"markdown_it", "vaultkit.lint.pipeline", "vaultkit.parse.note", "vaultkit.rules"}


def test_fix_diff_exits_1_when_changes_are_pending(vault: Vault, vk: VK, tmp_path: Path) -> None:
    root = vault({"a.md": "- one\n-\n- two\n"})
    run = vk("fix", "--diff", root)
    assert run.code == 1 and "-\n" in run.stdout and "+++ b/a.md" in run.stdout
    assert (root / "a.md").read_text("utf-8") == "- one\n-\n- two\n"  # nothing written
    assert vk("fix", root).code == 0
    assert vk("fix", "--diff", root).code == 0  # nothing pending


def test_rules_name_suggests(vk: VK) -> None:
    run = vk("rules", "mojibak")
    assert run.code == 2 and "unknown rule 'mojibak'; did you mean 'mojibake'?" in run.stderr
