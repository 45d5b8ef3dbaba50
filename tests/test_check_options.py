"""check's output options through the real CLI: --statistics, --quiet/-qq, --exit-zero,
-o/--output-file, --min-severity, the summary, and paths a terminal can click."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.fixkit import make_vault

Vault = Callable[[dict[str, str | bytes]], Path]
VK = Callable[..., Any]

NOTES: dict[str, str | bytes] = {
    "a.md": "# A\n\n[[Nope]]\n\n-\n- [x](https://e.com/p?utm_source=z)\n",
    "sub/c.md": "# C\n\n[[Gone too]]\n\n- y\n-\n",
    "sub/deep/e.md": "# E\n\nfine\n",
}


def test_summary_counts_files_severities_fixable_and_the_fix_command(vault: Vault, vk: VK) -> None:
    root = vault(NOTES)
    lines = vk("check", root).stdout.splitlines()
    assert lines[-2:] == [
        "Checked 3 files: 2 errors, 2 warnings, 1 info.",
        f"3 fixable with `vaultkit fix {root}`.",
    ]
    doc = json.loads(vk("check", "--format", "json", root).stdout)
    assert doc["summary"] == {"files": 3, "errors": 2, "warnings": 2, "infos": 1, "fixable": 3}


def test_statistics_counts_per_rule(vault: Vault, vk: VK) -> None:
    run = vk("check", "--statistics", vault(NOTES))
    assert run.code == 1
    assert run.stdout.splitlines()[:3] == [
        "2  VK001  broken-wikilink",
        "2  VK007  empty-list-item (2 fixable)",
        "1  VK011  tracking-params (1 fixable)",
    ]


def test_quiet_levels_and_exit_zero(vault: Vault, vk: VK) -> None:
    root = vault(NOTES)
    quiet = vk("check", "-q", root)
    assert quiet.code == 1 and len(quiet.stdout.splitlines()) == 5  # the findings, no summary
    assert "Checked" not in quiet.stdout
    silent = vk("check", "-qq", root)
    assert silent.code == 1 and silent.stdout == "" and silent.stderr == ""
    assert vk("check", "--exit-zero", root).code == 0
    assert vk("check", "--quiet", "--exit-zero", root).code == 0


def test_min_severity_leaves_findings_out_everywhere(vault: Vault, vk: VK, tmp_path: Path) -> None:
    root = vault(NOTES)
    doc = json.loads(vk("check", "--format", "json", "--min-severity", "warning", root).stdout)
    assert {d["severity"] for d in doc["diagnostics"]} == {"error", "warning"}
    github = vk("check", "--format", "github", "--min-severity", "error", root)
    assert github.stdout.count("::error ") == 2 and "::notice" not in github.stdout
    sarif = json.loads(vk("check", "--format", "sarif", "--min-severity", "warning", root).stdout)
    assert {r["level"] for r in sarif["runs"][0]["results"]} == {"error", "warning"}
    warned = make_vault(tmp_path / "w", {"w.md": "-\n"})
    assert vk("check", "--strict", warned).code == 1
    assert vk("check", "--strict", "--min-severity", "error", warned).code == 0  # hidden: not counted


def test_output_file_is_written_atomically_without_colour(vault: Vault, vk: VK, tmp_path: Path) -> None:
    root = vault(NOTES)
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    target.write_text("old", "utf-8")
    target.chmod(0o640)
    run = vk("check", "--format", "sarif", "-o", target, root)
    assert run.code == 1 and run.stdout == ""
    assert json.loads(target.read_text("utf-8"))["version"] == "2.1.0"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)  # the existing file's permissions
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.sarif"]  # no temp left
    text = tmp_path / "out" / "report.txt"
    vk("check", "--color", "--output-file", text, root)
    assert "\x1b[" not in text.read_text("utf-8") and "Checked 3 files" in text.read_text("utf-8")


@pytest.mark.parametrize(
    ("where", "prefix"), [(".", ""), ("..", "vault/"), ("sub", "../")], ids=["vault", "parent", "subfolder"]
)
def test_text_paths_are_relative_to_the_current_folder(
    vault: Vault, vk: VK, monkeypatch: pytest.MonkeyPatch, where: str, prefix: str
) -> None:
    root = vault(NOTES)
    assert root.name == "vault"
    monkeypatch.chdir(root / where)
    target = os.path.relpath(root)
    for fmt in ("text", "grouped"):
        out = vk("check", "--format", fmt, target).stdout
        first = f"{prefix}a.md"
        assert (f"{first}:3:1: VK001" in out) if fmt == "text" else (f"{first}:\n" in out), (fmt, out)
        # every path printed opens the file from here
        if fmt == "text":
            for line in out.splitlines()[:-2]:
                assert Path(line.split(":", 1)[0]).is_file(), line
    sub = os.path.relpath(root / "sub")
    assert (
        f"{'' if where == 'sub' else os.path.relpath(root / 'sub') + '/'}c.md:3:1:" in vk("check", sub).stdout
    )


def test_github_paths_are_relative_to_the_workspace(
    vault: Vault, vk: VK, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = vault(NOTES)
    monkeypatch.chdir(root / "sub")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(root.parent))
    out = vk("check", "--format", "github", root).stdout
    assert "file=vault/sub/c.md,line=3" in out and "file=vault/a.md,line=3" in out
    sarif = json.loads(vk("check", "--format", "sarif", root).stdout)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert "vault/sub/c.md" in uris
    monkeypatch.delenv("GITHUB_WORKSPACE")
    assert "file=c.md,line=3" in vk("check", "--format", "github", root).stdout
