"""Shared helpers: real vaults in tmp_path, checked through the real CLI (no mocks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import fixkit
from helpers.fixkit import make_vault
from hypothesis import settings

from vaultkit.cli.main import cli

REPO = Path(__file__).resolve().parents[1]

# No per-example deadline: the machines are small and shared, and a slow example is not a
# failure (the properties bound their own sizes). Tests that set other settings keep this.
settings.register_profile("vaultkit", deadline=None)
settings.load_profile("vaultkit")
SHARED = REPO.parent / "shared"


class Run(fixkit.Run):
    """A CLI run whose stdout is a JSON report."""

    @property
    def data(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.stdout)
        return doc

    def diags(self, code: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        return [
            d
            for d in self.data["diagnostics"]
            if (code is None or d["code"] == code) and (path is None or d["path"] == path)
        ]

    def where(self, code: str | None = None) -> list[tuple[str, int, int, str]]:
        """(path, line, column, code) of each diagnostic, as printed."""
        return [(d["path"], d["line"], d["column"], d["code"]) for d in self.diags(code)]


def run_cli(*args: str | Path) -> Run:
    """``vaultkit ARGS`` through click's runner; a bug (exit 3) or a traceback fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    out = Run(result.exit_code, result.stdout, result.stderr)
    assert out.code != 3, out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    return out


def check_json(*args: str | Path) -> Run:
    run = run_cli("check", "--format", "json", *args)
    assert run.code in (0, 1), run.stderr
    return run


@pytest.fixture
def vault(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """``vault({relpath: text})`` → the vault root (with ``.obsidian/``) in tmp_path."""
    return lambda files: make_vault(tmp_path, files)


@pytest.fixture
def check() -> Callable[..., Run]:
    """``check(root_or_files, *options)`` → the JSON run."""
    return check_json


@pytest.fixture
def vk() -> Callable[..., Run]:
    """``vk("check", ...)``: any vaultkit command line, through the real CLI."""
    return run_cli
