"""Stale temp files are swept at the start of fix and import; live ones never are."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from noharm_kit import make_place, vaultkit

from vaultkit.vault.tempfiles import hold

SWEEP = "import sys, pathlib, vaultkit.vault.tempfiles as t; t.sweep(pathlib.Path(sys.argv[1]))"


def test_a_temp_file_held_by_a_live_process_is_left_alone(tmp_path: Path) -> None:
    live, stale = tmp_path / ".a.md.x1.vaultkit-tmp", tmp_path / ".b.md.x2.vaultkit-tmp"
    live.write_bytes(b"being written")
    stale.write_bytes(b"left by a kill")
    fd = os.open(live, os.O_RDONLY)
    try:
        hold(fd)
        subprocess.run([sys.executable, "-c", SWEEP, str(tmp_path)], check=True, timeout=60)
        assert live.exists() and not stale.exists()
    finally:
        os.close(fd)
    subprocess.run([sys.executable, "-c", SWEEP, str(tmp_path)], check=True, timeout=60)
    assert not live.exists()


def test_fix_and_import_sweep_first(tmp_path: Path) -> None:
    place = make_place(tmp_path, {"Note.md": "# Note\n", "sub/Other.md": "# Other\n"})
    mine = [place.vault / ".Note.md.k9x.vaultkit-tmp", place.vault / "sub" / ".Other.md.q1.vaultkit-tmp"]
    others = [place.vault / "Note.md.vaultkit-tmp", place.vault / ".git" / ".x.vaultkit-tmp"]
    for path in mine + others:
        path.write_bytes(b"half")
    result = vaultkit("fix", place.vault, cwd=tmp_path)
    assert b"removed 2 stale temp file(s)" in result.stderr
    assert not any(p.exists() for p in mine) and all(p.exists() for p in others)
    mine[0].write_bytes(b"half")
    src = tmp_path / "new.txt"
    src.write_text("hello\n")
    result = vaultkit("import", src, "--vault", place.vault, cwd=tmp_path)
    assert result.code == 0 and b"removed 1 stale temp file(s)" in result.stderr
    assert not vaultkit("fix", "--check", place.vault, cwd=tmp_path).stderr
