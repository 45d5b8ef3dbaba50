"""The conventions people bring from ruff and markdownlint: rule prefixes, "did you mean",
per-file ignores, unknown names in suppressions, and a note read from standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli

Vault = Callable[[dict[str, str | bytes]], Path]
VK = Callable[..., Any]
Check = Callable[..., Any]
NOTES: dict[str, str | bytes] = {
    "a.md": "# A\n\n[[Nope]]\n\n-\n- [x](https://e.com/p?utm_source=z)\n",
    "Templates/Day.md": "# {{date}}\n\n[[{{title}}]]\n",
}


def test_select_takes_code_prefixes(vault: Vault, check: Check) -> None:
    root = vault(NOTES)
    assert {d["code"] for d in check(root, "--select", "VK00").diags()} == {"VK001", "VK007"}
    assert {d["code"] for d in check(root, "--select", "vk01").diags()} == {"VK011"}
    assert {d["code"] for d in check(root, "--ignore", "VK0").diags()} == set()


def test_unknown_rules_get_did_you_mean(vault: Vault, vk: VK) -> None:
    root = vault(NOTES)
    run = vk("check", "--select", "broken-wikilnk", root)
    assert run.code == 2
    assert "--select: unknown rule 'broken-wikilnk'; did you mean 'broken-wikilink'?" in run.stderr
    run = vk("check", "--select", "VK9", root)
    assert run.code == 2 and "unknown rule 'VK9'" in run.stderr
    (root / ".vaultkit.toml").write_text('ignore = ["tracking-param"]\n', "utf-8")
    run = vk("check", root)
    assert run.code == 2
    assert f"{root / '.vaultkit.toml'}: ignore: unknown rule 'tracking-param'; did you mean" in run.stderr
    (root / ".vaultkit.toml").write_text('selec = ["VK001"]\n', "utf-8")
    assert "unknown setting 'selec'; did you mean 'select'?" in vk("check", root).stderr


def test_per_file_ignores(vault: Vault, check: Check) -> None:
    files = dict(NOTES)
    before = {d["path"] for d in check(vault(files)).diags("VK001")}
    assert before == {"a.md", "Templates/Day.md"}
    files[".vaultkit.toml"] = '[per-file-ignores]\n"Templates/**" = ["broken-wikilink"]\n"a.md" = ["VK01"]\n'
    run = check(vault(files))
    assert {(d["path"], d["code"]) for d in run.diags()} == {("a.md", "VK001"), ("a.md", "VK007")}


def test_per_file_ignores_are_validated(vault: Vault, vk: VK) -> None:
    root = vault({**NOTES, ".vaultkit.toml": '[per-file-ignores]\n"T/**" = ["brokn-wikilink"]\n'})
    run = vk("check", root)
    assert run.code == 2 and "per-file-ignores.\"T/**\": unknown rule 'brokn-wikilink'" in run.stderr
    assert str(root / ".vaultkit.toml") in run.stderr


def test_unknown_rule_in_a_suppression_is_a_warning(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": "<!-- vaultkit-disable-next-line broken-wikilnk -->\n[[Nope]]\n",
            "b.md": "---\nvaultkit-disable: [mojibak, VK00]\n---\n[[Nope]]\n",
        }
    )
    run = check(root)
    (a,) = run.diags("VK016", "a.md")
    assert (a["line"], a["severity"]) == (1, "warning")
    assert "'broken-wikilnk'; did you mean 'broken-wikilink'?" in a["message"]
    assert run.diags("VK001", "a.md")  # the typo silenced nothing
    (b,) = run.diags("VK016", "b.md")
    assert "'mojibak'; did you mean 'mojibake'?" in b["message"] and b["line"] == 2


def test_check_reads_a_note_from_stdin(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault({"Target.md": "# T\n\n## Part\n", "sub/on-disk.md": "fine\n"})
    monkeypatch.chdir(root)
    text = "[[Target#Part]] [[Target#Nope]] [[Missing]]\n"
    result = CliRunner().invoke(
        cli, ["check", "--format", "json", "--stdin-filename", "sub/on-disk.md", "-"], input=text
    )
    doc = json.loads(result.stdout)
    assert [(d["path"], d["code"]) for d in doc["diagnostics"]] == [
        ("sub/on-disk.md", "VK002"),
        ("sub/on-disk.md", "VK001"),
    ]
    assert result.exit_code == 1 and doc["summary"]["files"] == 1
    # nothing of the text stays in the cache: the file on disk checks clean
    assert CliRunner().invoke(cli, ["check", "sub/on-disk.md"]).exit_code == 0


def test_stdin_in_a_real_process_without_a_filename(vault: Vault) -> None:
    root = vault({"Target.md": "# T\n"})
    run = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "-"],
        input=b"[[Target]] [[Gone]]\n",
        capture_output=True,
        cwd=root,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stdout.decode().startswith("stdin.md:1:12: VK001 [broken-wikilink]")


def test_templates_folder_from_the_config(vault: Vault, check: Check) -> None:
    files = {
        "Templates/Book.md": "# {{title}}\n\n[Shop](https://shop.example/x)\n",
        "a.md": "[Shop](https://shop.example/x)\n",
        "b.md": "[Shop](https://shop.example/x)\n",
    }
    assert check(vault(files)).diags("VK005")  # without the templates folder: a duplicate
    files[".vaultkit.toml"] = 'templates = ["Templates"]\n'
    assert check(vault(files)).diags("VK005") == []
