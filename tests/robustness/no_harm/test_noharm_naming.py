"""Import names: Windows device names in every form, invisible characters, dot-folders,
and source files whose names are not UTF-8."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vaultkit.errors import UnsafePathError
from vaultkit.importing import safe_file_name
from vaultkit.importing.naming import resolve_folder


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("COM¹", "COM¹_"),
        ("lpt³.txt", "lpt³_.txt"),
        ("COM0", "COM0_"),
        ("CONIN$", "CONIN$_"),
        ("conout$ ", "conout$_"),
        ("CLOCK$.notes", "CLOCK$_.notes"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # RLO spoofing
        ("in\u200bvis\u2066ible\u2069\ufeff", "invisible"),
        ("\u200b\u200c\u200f\u202e\u2060", "fallback"),  # nothing but invisible characters
        ("fam 👨\u200d👩\u200d👧", "fam 👨\u200d👩\u200d👧"),  # an emoji sequence keeps its joiners
        ("c1\x85\x9bcontrols", "c1 controls"),
    ],
)
def test_import_names(title: str, name: str) -> None:
    assert safe_file_name(title, "fallback") == name


def test_an_all_invisible_fallback_gives_untitled() -> None:
    assert safe_file_name("\u200b", "\u202e\u200d") == "Untitled"


@pytest.mark.parametrize("folder", [".obsidian", ".git/hooks", "Inbox/.hidden", "./.trash"])
def test_folder_may_not_be_a_dot_folder(tmp_path: Path, folder: str) -> None:
    with pytest.raises(UnsafePathError, match="dot-folder"):
        resolve_folder(tmp_path, folder)


def _vaultkit(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", *map(str, args)], cwd=cwd, capture_output=True, timeout=60
    )


def test_import_refuses_a_dot_folder_and_writes_nothing(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".git" / "hooks").mkdir(parents=True)
    src = tmp_path / "pre-commit.md"
    src.write_text("#!/bin/sh\necho owned\n", "utf-8")
    run = _vaultkit("import", src, "--vault", vault, "--folder", ".git/hooks", cwd=tmp_path)
    assert run.returncode == 2 and b"dot-folder" in run.stderr
    assert os.listdir(vault / ".git" / "hooks") == []


def test_import_of_a_file_with_a_non_utf8_name(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    src = tmp_path / os.fsdecode(b"caf\xe9 notes.txt")
    src.write_bytes(b"just text\n")
    run = _vaultkit("import", src, "--vault", vault, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    run.stdout.decode("utf-8")  # valid UTF-8 on the terminal
    assert b"caf\\xe9 notes.txt" in run.stdout
    made = [p for p in os.listdir(vault) if p.endswith(".md")]
    assert made == ["caf\ufffd notes.md"]
    assert "source: " in (vault / made[0]).read_text("utf-8")
