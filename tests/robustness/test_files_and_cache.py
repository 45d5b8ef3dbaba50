"""The file system and the cache as hostile input: symlink loops, FIFOs, devices, links to
/dev/zero, crafted caches. Real files, the real CLI in a subprocess with a timeout."""

from __future__ import annotations

import marshal
import os
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vaultkit.lint.cache import MAC_BYTES, store_path

TIMEOUT = 60
# A hang, or reading a 6 GB file, takes far longer than this even on a loaded machine.
QUICK_S = 5.0 * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", *args, str(root)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "VAULTKIT_DEBUG": "1"},
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    return done


def _vault(tmp_path: Path) -> Path:
    root = tmp_path / "v"
    (root / ".obsidian").mkdir(parents=True)
    (root / "ok.md").write_text("# ok\n\n[[missing]]\n", encoding="utf-8")
    return root


def test_symlink_loops_are_walked_once_with_one_note(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    (root / "sub").mkdir()
    (root / "sub" / "n.md").write_text("# n\n", encoding="utf-8")
    os.symlink(".", root / "loop1")
    os.symlink(".", root / "loop2")
    os.symlink("..", root / "sub" / "up")
    start = time.monotonic()
    done = _cli(root, "check", "--format", "json", "--no-cache")
    assert time.monotonic() - start < 2 * QUICK_S
    assert '"files": 2' in done.stdout  # ok.md and sub/n.md, each once
    notes = [line for line in done.stderr.splitlines() if "already walked" in line]
    assert sorted(n.removeprefix("vaultkit: ").split(":")[0] for n in notes) == ["loop1", "loop2", "sub/up"]


@pytest.mark.parametrize(
    "where",
    [
        ".obsidian/templates.json",
        ".obsidian/app.json",
        store_path(Path("")).as_posix(),
        "fifo.md",
        "sub.md/x.json",
    ],
)
def test_a_fifo_anywhere_is_never_opened(tmp_path: Path, where: str) -> None:
    root = _vault(tmp_path)
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / where)
    for args in (["check"], ["fix"], ["export"]):
        done = _cli(root, *args)  # a FIFO opened for reading would block until the timeout
        assert "ok.md" in done.stdout + done.stderr or args[0] == "fix"
    check = _cli(root, "check", "--no-cache")
    assert "ok.md:3:1: VK001" in check.stdout
    if where == "fifo.md":
        assert "fifo.md:1:1: VK000" in check.stdout and "FIFO" in check.stdout


def test_a_note_linked_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    os.symlink("/dev/zero", root / "zero.md")
    os.symlink("/dev/zero", root / "zero.png")
    (root / "uses.md").write_text("![x](zero.png) [[zero]]\n", encoding="utf-8")
    for args in (["check", "--no-cache"], ["fix"], ["export"]):
        _cli(root, *args)
    check = _cli(root, "check", "--no-cache")  # a link out of the vault is skipped, never read
    assert "zero.md: skipped: a symlink that resolves outside the vault" in check.stderr
    followed = _cli(root, "check", "--no-cache", "--follow-external-symlinks")
    assert "zero.md:1:1: VK000" in followed.stdout and "device" in followed.stdout


def test_a_note_over_the_size_limit_is_reported_without_being_read(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    with open(root / "huge.md", "wb") as handle:  # sparse: 6 GB on paper, nothing on disk
        handle.write(b"# text header\n")
        handle.truncate(6_000_000_000)
    start = time.monotonic()
    check = _cli(root, "check", "--no-cache")
    assert time.monotonic() - start < QUICK_S
    assert "huge.md:1:1: VK000" in check.stdout and "over the 1.0 MB limit" in check.stdout
    assert "ok.md:3:1: VK001" in check.stdout
    (root / ".vaultkit.toml").write_text("[limits]\nnote-size = 100\n", encoding="utf-8")
    (root / "ok.md").write_text("# ok\n\n" + "word " * 30 + "\n", encoding="utf-8")
    small = _cli(root, "check", "--no-cache")
    assert "ok.md:1:1: VK000" in small.stdout and "raise 'note-size'" in small.stdout


def test_frontmatter_over_its_limit_is_a_finding_not_a_slow_load(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    keys = "".join(f"key{i}: value {i}\n" for i in range(40_000))  # 0.9 MB: a second of YAML
    (root / "big.md").write_text(f"---\n{keys}---\n[[missing]]\n", encoding="utf-8")
    start = time.monotonic()
    check = _cli(root, "check", "--no-cache")
    assert time.monotonic() - start < QUICK_S / 2
    assert "big.md:2:1: VK006" in check.stdout and "over the 256,000 limit" in check.stdout
    assert "big.md:40003:1: VK001" in check.stdout  # the body is still checked
    (root / ".vaultkit.toml").write_text("[limits]\nfrontmatter-size = 10\n", encoding="utf-8")
    (root / "big.md").write_text("---\ntags: [a, b, c]\n---\n", encoding="utf-8")
    small = _cli(root, "check", "--no-cache")
    assert "big.md:2:1: VK006" in small.stdout and "raise 'frontmatter-size'" in small.stdout


def _forge(root: Path, sql: str, *args: object) -> None:
    db = sqlite3.connect(store_path(root))
    db.execute(sql, args)
    db.commit()
    db.close()


def test_a_crafted_cache_is_discarded_and_rebuilt(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    first = _cli(root, "check")
    assert "ok.md:3:1: VK001" in first.stdout
    # A row edited behind vaultkit's back, unsigned, claiming a list of 2**31 items: its
    # keyed hash fails, so it is never decoded, never allocated.
    bomb = b"[" + struct.pack("<i", 2**31 - 1) + b"N" * 10
    _forge(root, "UPDATE notes SET diags = ?", b"\0" * MAC_BYTES + bomb)
    start = time.monotonic()
    done = _cli(root, "check")
    assert time.monotonic() - start < QUICK_S
    assert done.stdout == first.stdout and "discarded the cache" in done.stderr
    assert "discarded" not in _cli(root, "check").stderr  # rebuilt: trusted again
    # A database with vaultkit's tables but not its signed header (made elsewhere, or by hand).
    _forge(root, "UPDATE meta SET v = ? WHERE k = 'header'", marshal.dumps((1, "forged")))
    done = _cli(root, "check")
    assert done.stdout == first.stdout and "not written by vaultkit on this machine" in done.stderr
    # Tables other than vaultkit's (a trigger or a view could run code): discarded unread.
    _forge(root, "CREATE VIEW extra AS SELECT 1")
    done = _cli(root, "check")
    assert done.stdout == first.stdout and "tables are not the ones vaultkit makes" in done.stderr
    assert "discarded" not in _cli(root, "check").stderr


def test_import_never_opens_a_fifo_in_the_source_or_the_vault(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    os.mkfifo(root / "pipe.md")  # a note of the destination vault, read for import hashes
    source = tmp_path / "in"
    source.mkdir()
    os.mkfifo(source / "fifo.md")
    (source / "real.md").write_text("# Real\n\ntext\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", "import", str(source), "--vault", str(root)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    assert (root / "Real.md").is_file()
    assert "fifo.md" in done.stdout + done.stderr
