"""The issue's benchmark-style check: a generated 5,000-note vault where every note carries
the same "Download this vault" footer and 2% of the notes have a broken link. The footer
produces no finding, every broken link is reported, and the output stays short: at most
(broken links + real duplicates + 10) lines. Notes are kept small so this runs in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOTES = 5000
FOOTER = "https://example.org/download-this-vault"


def _generate(root: Path) -> tuple[set[tuple[str, int]], int]:
    """Write the vault; return the broken links (path, line) and the number of real duplicates."""
    (root / ".obsidian").mkdir(parents=True)
    broken: set[tuple[str, int]] = set()
    duplicates = 0
    for i in range(NOTES):
        folder = root / f"topic{i % 50:02d}"
        folder.mkdir(exist_ok=True)
        target = f"Missing {i}" if i % 50 == 7 else f"note{(i + 1) % NOTES:04d}"
        shared = f"https://papers.example/{i // 2}" if i < 40 else f"https://own.example/{i}"
        lines = [
            f"# Note {i}",
            "",
            f"- [a paper]({shared})",
            f"- see [[{target}]]",
            "",
            f"[Download]({FOOTER})",
        ]
        (folder / f"note{i:04d}.md").write_text("\n".join(lines) + "\n", "utf-8")
        if i % 50 == 7:
            broken.add((f"topic{i % 50:02d}/note{i:04d}.md", 4))
        if i < 40 and i % 2 == 0:
            duplicates += 1
    return broken, duplicates


def test_footer_is_silent_broken_links_all_reported_output_short(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    broken, duplicates = _generate(root)
    assert len(broken) == NOTES * 2 // 100
    run = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--no-cache", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) <= len(broken) + duplicates + 10, f"{len(lines)} lines"
    assert FOOTER not in run.stdout
    reported = {(line.split(":")[0], int(line.split(":")[1])) for line in lines if " VK001 " in line}
    assert reported == broken
    assert sum(" VK005 " in line for line in lines) == duplicates  # the real ones still show
    assert lines[-1].startswith(f"Checked {NOTES} files: {len(broken)} errors")
