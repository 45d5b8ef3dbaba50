"""`vaultkit check` on the shared corpora gives the reviewed findings, and only those.

Each snapshot in tests/snapshots/check/ was read finding by finding (see its README).
The corpora are copied first: a check writes nothing with --no-cache, but the copy
keeps the shared folder out of reach. VAULTKIT_UPDATE_SNAPSHOTS=1 rewrites the
snapshots, which must then be reviewed again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SHARED, run_cli

SNAPSHOTS = Path(__file__).parent / "snapshots" / "check"
CORPORA = ("kepano-obsidian", "awesome-go", "awesome")


@pytest.mark.parametrize("name", CORPORA)
def test_check_on_a_corpus_gives_the_reviewed_findings(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = SHARED / "corpora" / name
    if not source.is_dir():
        pytest.skip(f"{source} is not here")
    vault = tmp_path / name
    shutil.copytree(source, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    monkeypatch.chdir(vault)  # the report's paths are relative to the current folder
    run = run_cli("check", "--no-cache", "--no-color", ".")
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("VAULTKIT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(run.stdout, encoding="utf-8")
    assert run.stdout == snapshot.read_text(encoding="utf-8")
