"""`vaultkit mv`: real files, real git; every link form updated and nothing else changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LINKS = (
    '---\nrelated: "[[Ideas]]"\n---\n'
    "# Links\n\n"
    "- [[Ideas]] and [[Ideas|my ideas]] and [[Ideas#Later]] and [[Ideas#^blk1]]\n"
    "- [[Ideas.md]] and ![[Ideas]] and [[notes/Ideas]]\n"
    "- [md](notes/Ideas.md) [frag](notes/Ideas.md#later) [angle](<notes/Ideas.md>)\n"
    "- untouched: [[Other]] [x](Other.md) https://example.com/Ideas.md `[[Ideas]]`\n"
)
IDEAS = "# Ideas\n\n## Later\n\nBack to [[Links]] and [o](../Other.md) and [self](Ideas.md#later). ^blk1\n"
OTHER = "# Other\n\nSee [[Ideas]].\n"


def vk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "Links.md").write_text(LINKS, encoding="utf-8")
    (root / "notes" / "Ideas.md").write_text(IDEAS, encoding="utf-8")
    (root / "Other.md").write_bytes(OTHER.replace("\n", "\r\n").encode("utf-8"))  # CRLF kept
    (root / "shot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and ".vaultkit_cache" not in p.parts
    }


def test_mv_rewrites_every_link_form_and_nothing_else(vault: Path) -> None:
    before = snapshot(vault)
    run = vk("mv", "notes/Ideas.md", "archive/Old ideas.md", cwd=vault)
    assert run.returncode == 0, run.stderr
    assert "moved notes/Ideas.md -> archive/Old ideas.md; updated 13 link(s) in 3 note(s)" in run.stdout
    after = snapshot(vault)
    assert "notes/Ideas.md" not in after
    assert after["Links.md"].decode() == (
        '---\nrelated: "[[Old ideas]]"\n---\n'
        "# Links\n\n"
        "- [[Old ideas]] and [[Old ideas|my ideas]] and [[Old ideas#Later]] and [[Old ideas#^blk1]]\n"
        "- [[Old ideas.md]] and ![[Old ideas]] and [[archive/Old ideas]]\n"
        "- [md](archive/Old%20ideas.md) [frag](archive/Old%20ideas.md#later)"
        " [angle](<archive/Old ideas.md>)\n"
        "- untouched: [[Other]] [x](Other.md) https://example.com/Ideas.md `[[Ideas]]`\n"
    )
    # The moved note's own relative links follow it; its link to itself keeps its name.
    assert after["archive/Old ideas.md"].decode() == IDEAS.replace(
        "[self](Ideas.md#later)", "[self](Old%20ideas.md#later)"
    )
    assert after["Other.md"] == OTHER.replace("[[Ideas]]", "[[Old ideas]]").replace("\n", "\r\n").encode()
    assert after["shot.png"] == before["shot.png"]
    check = vk("check", ".", "--format", "json", cwd=vault)
    assert '"VK001"' not in check.stdout and '"VK003"' not in check.stdout, check.stdout


def test_dry_run_prints_the_diff_and_changes_nothing(vault: Path) -> None:
    before = snapshot(vault)
    run = vk("mv", "notes/Ideas.md", "Renamed.md", "--dry-run", cwd=vault)
    assert run.returncode == 0, run.stderr
    assert "--- a/Links.md" in run.stdout and "+- [[Renamed]] and [[Renamed|my ideas]]" in run.stdout
    assert "would move notes/Ideas.md -> Renamed.md" in run.stderr
    assert snapshot(vault) == before


def test_refuses_when_the_new_path_exists(vault: Path) -> None:
    before = snapshot(vault)
    run = vk("mv", "notes/Ideas.md", "Other.md", cwd=vault)
    assert run.returncode == 2
    assert "Other.md exists; not moved" in run.stderr
    assert snapshot(vault) == before


def test_a_name_that_becomes_ambiguous_gets_its_shortest_unique_path(vault: Path) -> None:
    (vault / "deep").mkdir()
    (vault / "deep" / "Twin.md").write_text("# Twin\n", encoding="utf-8")
    run = vk("mv", "notes/Ideas.md", "zz/far/Twin.md", cwd=vault)
    assert run.returncode == 0, run.stderr
    links = (vault / "Links.md").read_text(encoding="utf-8")
    assert "- [[far/Twin]] and [[far/Twin|my ideas]]" in links


def test_attachments_move_with_their_embeds(vault: Path) -> None:
    (vault / "Gallery.md").write_text("![[shot.png]] and ![alt](shot.png)\n", encoding="utf-8")
    run = vk("mv", "shot.png", "media/shot-1.png", cwd=vault)
    assert run.returncode == 0, run.stderr
    assert (vault / "Gallery.md").read_text(
        encoding="utf-8"
    ) == "![[shot-1.png]] and ![alt](media/shot-1.png)\n"
    assert (vault / "media" / "shot-1.png").read_bytes() == b"\x89PNG\r\n\x1a\n"


def test_in_a_git_work_tree_the_file_is_moved_with_git_mv(vault: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v"]):
        subprocess.run(["git", *args], cwd=vault, check=True, env=env, capture_output=True)
    run = vk("mv", "notes/Ideas.md", "Ideas2.md", cwd=vault)
    assert run.returncode == 0, run.stderr
    assert "(git mv)" in run.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=vault, capture_output=True, text=True
    ).stdout
    assert "notes/Ideas.md -> Ideas2.md" in status and status.startswith("R")
    assert " M Links.md" in status
