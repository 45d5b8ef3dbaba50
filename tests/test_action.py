"""The composite GitHub Action (action.yml): its steps install vaultkit and run
`check --format github`; the check step's script, run here with bash as the runner runs it,
prints annotations with paths relative to GITHUB_WORKSPACE and fails on errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
Vault = Callable[[dict[str, str | bytes]], Path]


def _action() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
    return doc


def test_action_is_composite_and_installs_then_checks() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install, check = steps[1], steps[2]
    assert "pip install" in install["run"] and install["shell"] == "bash"
    assert check["run"].startswith("vaultkit check --format github")
    assert set(action["inputs"]) == {"path", "args", "version", "python-version"}
    for step in steps[1:]:  # inputs reach the scripts as variables, never pasted in (injection)
        assert "${{" not in step["run"]


def test_the_check_step_runs_as_the_runner_runs_it(vault: Vault, tmp_path: Path) -> None:
    root = vault({"notes/a.md": "[[Nope]]\n", "notes/b.md": "[x](https://e.com/?utm_source=1)\n"})
    check = _action()["runs"]["steps"][2]
    bash = shutil.which("bash")
    assert bash is not None
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_WORKSPACE": str(root.parent),
        "VAULTKIT_PATH": "vault/notes",
        "VAULTKIT_ARGS": "--min-severity warning",
    }
    script = tmp_path / "step.sh"
    script.write_text(check["run"], "utf-8")
    run = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.startswith("::error file=vault/notes/a.md,line=1,col=1,")
    assert "::notice" not in run.stdout  # --min-severity warning came through
