"""The hook through the real pre-commit package and real git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _has_pre_commit() -> bool:
    probe = subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not _has_pre_commit(), reason="git or pre-commit is missing"
)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    e = dict(os.environ)
    e.update(
        {
            "HOME": str(home),
            "PRE_COMMIT_HOME": str(home / "pre-commit"),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_CONFIG_NOSYSTEM": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
    )
    e.pop("VIRTUAL_ENV", None)
    return e


def _source_files() -> list[str]:
    """The files of this source tree: git's list in a checkout, else every file (an sdist)."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return listed.stdout.splitlines()
    skip = ("__pycache__", ".egg-info", ".pytest_cache", ".hypothesis")
    return [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*")
        if p.is_file() and not any(part.endswith(skip) for part in p.parts)
    ]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding this working tree as it is now (uncommitted edits too)."""
    dest = tmp_path_factory.mktemp("vaultkit-src")
    files = _source_files()
    for rel in files:
        src = ROOT / rel
        if src.is_file() and not rel.startswith(("sample_vault/", "benchmarks/", "tests/")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for args in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "snapshot"],
    ):
        run(args, dest, env).check_returncode()
    sha = run(["git", "rev-parse", "HEAD"], dest, env).stdout.strip()
    return dest, sha


def make_vault(path: Path, env: dict[str, str]) -> Path:
    (path / ".obsidian").mkdir(parents=True)
    (path / "Home.md").write_text("# Home\n\nSee [[Ideas]].\n", encoding="utf-8")
    (path / "Ideas.md").write_text("# Ideas\n\n## Later\n\nBack to [[Home]].\n", encoding="utf-8")
    run(["git", "init", "-q", "-b", "main"], path, env).check_returncode()
    run(["git", "add", "-A"], path, env).check_returncode()
    run(["git", "commit", "-q", "-m", "vault"], path, env).check_returncode()
    return path


def test_try_repo_blocks_broken_wikilink_and_passes_clean(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    vault = make_vault(tmp_path / "vault", env)
    note = vault / "New.md"
    note.write_text("# New\n\nA link to [[Nowhere]].\n", encoding="utf-8")
    run(["git", "add", "New.md"], vault, env).check_returncode()
    cmd = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(hook_repo[0]),
        "vaultkit-check",
        "--ref",
        hook_repo[1],
    ]
    bad = run(cmd, vault, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "New.md:3:11: VK001 [broken-wikilink]" in bad.stdout
    note.write_text("# New\n\nA link to [[Ideas#Later]].\n", encoding="utf-8")
    run(["git", "add", "New.md"], vault, env).check_returncode()
    good = run(cmd, vault, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


def test_installed_hook_blocks_commit(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    vault = make_vault(tmp_path / "vault", env)
    (vault / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo[0]}\n  rev: {hook_repo[1]}\n  hooks:\n  - id: vaultkit-check\n",
        encoding="utf-8",
    )
    run(["git", "add", ".pre-commit-config.yaml"], vault, env).check_returncode()
    run([sys.executable, "-m", "pre_commit", "install"], vault, env).check_returncode()
    (vault / "Broken.md").write_text("# Broken\n\n[[Missing note]]\n", encoding="utf-8")
    run(["git", "add", "Broken.md"], vault, env).check_returncode()
    blocked = run(["git", "commit", "-m", "broken"], vault, env)
    assert blocked.returncode != 0
    assert "broken-wikilink" in blocked.stdout + blocked.stderr
    assert run(["git", "log", "--oneline"], vault, env).stdout.count("\n") == 1
    (vault / "Broken.md").write_text("# Fixed\n\n[[Home]]\n", encoding="utf-8")
    run(["git", "add", "Broken.md"], vault, env).check_returncode()
    ok = run(["git", "commit", "-m", "clean"], vault, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert run(["git", "log", "--oneline"], vault, env).stdout.count("\n") == 2


def git_repo(path: Path, files: dict[str, str], env: dict[str, str]) -> Path:
    """A git repository holding ``files``, committed (no ``.obsidian/`` unless named)."""
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text, encoding="utf-8")
    run(["git", "init", "-q", "-b", "main"], path, env).check_returncode()
    run(["git", "add", "-A"], path, env).check_returncode()
    run(["git", "commit", "-q", "-m", "vault"], path, env).check_returncode()
    return path


def try_repo(
    repo: Path, hook_repo: tuple[Path, str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo[0]), "vaultkit-check"]
    return run([*cmd, "--ref", hook_repo[1], "--verbose"], repo, env)


def install_hook(repo: Path, hook_repo: tuple[Path, str], env: dict[str, str]) -> None:
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo[0]}\n  rev: {hook_repo[1]}\n  hooks:\n  - id: vaultkit-check\n",
        encoding="utf-8",
    )
    run(["git", "add", ".pre-commit-config.yaml"], repo, env).check_returncode()
    run(["git", "commit", "-q", "-m", "hook", "--no-verify"], repo, env).check_returncode()
    run([sys.executable, "-m", "pre_commit", "install"], repo, env).check_returncode()


def commits(repo: Path, env: dict[str, str]) -> int:
    return run(["git", "log", "--oneline"], repo, env).stdout.count("\n")


def test_gitignored_obsidian_folders_check_as_one_vault(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    # A fresh clone of a vault whose .obsidian/ is gitignored: no marker on disk.
    repo = git_repo(tmp_path / "vault", {".gitignore": ".obsidian/\n", "Home.md": "# Home\n"}, env)
    (repo / "People").mkdir()
    (repo / "People/kepano.md").write_text("# kepano\n\n[[Home]], [[Ideas#Later]]\n", encoding="utf-8")
    (repo / "Notes").mkdir()
    (repo / "Notes/Ideas.md").write_text("# Ideas\n\n## Later\n\n[[kepano]]\n", encoding="utf-8")
    run(["git", "add", "-A"], repo, env).check_returncode()
    out = try_repo(repo, hook_repo, env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Checked 2 files: 0 errors, 0 warnings, 0 infos." in out.stdout


def test_readme_outside_the_vault_is_skipped_and_exclude_holds(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = git_repo(tmp_path / "repo", {"notes/.vaultkit.toml": 'exclude = ["Templates"]\n'}, env)
    (repo / "README.md").write_text("# Project\n\n[[Nowhere]]\n", encoding="utf-8")
    (repo / "notes/Templates").mkdir(parents=True)
    (repo / "notes/Templates/Daily.md").write_text("[[Missing category]]\n", encoding="utf-8")
    (repo / "notes/a.md").write_text("# A\n", encoding="utf-8")
    run(["git", "add", "-A"], repo, env).check_returncode()
    out = try_repo(repo, hook_repo, env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "README.md: outside the vault at" in out.stdout
    assert "Checked 1 file: 0 errors" in out.stdout


VAULT = {
    ".obsidian/app.json": "{}\n",
    "Home.md": "# Home\n\nSee [[Target]] and [[Target#Part]].\n",
    "Other.md": "# Other\n\n[t](Target.md)\n",
    "Target.md": "# Target\n\n## Part\n",
}


@pytest.mark.parametrize("change", ["delete", "rename"])
def test_a_deletion_or_rename_that_breaks_links_fails_the_hook(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str], change: str
) -> None:
    repo = git_repo(tmp_path / "vault", VAULT, env)
    install_hook(repo, hook_repo, env)
    before = commits(repo, env)
    if change == "delete":
        run(["git", "rm", "-q", "Target.md"], repo, env).check_returncode()
        what = "which this commit deletes"
    else:
        run(["git", "mv", "Target.md", "Moved.md"], repo, env).check_returncode()
        what = "which this commit renames to Moved.md"
    blocked = run(["git", "commit", "-m", change], repo, env)
    out = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, out
    assert f"Home.md:3:5: VK001 [broken-wikilink] 'Target' links to Target.md, {what}" in out
    assert "Home.md:3:20: VK001" in out
    assert f"Other.md:3:1: VK003 [missing-file] 'Target.md' links to Target.md, {what}" in out
    assert commits(repo, env) == before
    # Fixing the links lets the same change in.
    (repo / "Home.md").write_text("# Home\n", encoding="utf-8")
    (repo / "Other.md").write_text("# Other\n", encoding="utf-8")
    run(["git", "add", "Home.md", "Other.md"], repo, env).check_returncode()
    ok = run(["git", "commit", "-m", change], repo, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_a_link_to_an_untracked_file_fails_the_hook(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = git_repo(tmp_path / "vault", VAULT, env)
    (repo / "pic.png").write_bytes(b"\x89PNG")
    (repo / "Draft.md").write_text("# Draft\n", encoding="utf-8")
    (repo / "New.md").write_text("# New\n\n![[pic.png]] [[Draft]] [[Home]]\n", encoding="utf-8")
    run(["git", "add", "New.md"], repo, env).check_returncode()
    out = try_repo(repo, hook_repo, env)
    assert out.returncode == 1, out.stdout + out.stderr
    untracked = "which is not tracked by git, so the commit will not contain it"
    assert f"New.md:3:1: VK001 [broken-wikilink] 'pic.png' links to pic.png, {untracked}" in out.stdout
    assert f"New.md:3:14: VK001 [broken-wikilink] 'Draft' links to Draft.md, {untracked}" in out.stdout
    assert "New.md:3:24" not in out.stdout


def test_a_canvas_is_checked_by_the_hook(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = git_repo(tmp_path / "vault", VAULT, env)
    board = '{"nodes": [{"id": "a", "type": "file", "file": "Target.md", "subpath": "#Gone"}]}'
    (repo / "Board.canvas").write_text(board, encoding="utf-8")
    run(["git", "add", "Board.canvas"], repo, env).check_returncode()
    out = try_repo(repo, hook_repo, env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Board.canvas:1:48: VK002 [broken-anchor]" in out.stdout, out.stdout
    # Deleting a note that only a committed canvas links to is caught too.
    run(["git", "commit", "-q", "-m", "board", "--no-verify"], repo, env).check_returncode()
    (repo / "Board.canvas").write_text(board.replace("#Gone", "#Part"), encoding="utf-8")
    run(["git", "add", "Board.canvas"], repo, env).check_returncode()
    run(["git", "commit", "-q", "-m", "board", "--no-verify"], repo, env).check_returncode()
    run(["git", "rm", "-q", "Target.md"], repo, env).check_returncode()
    (repo / "Home.md").write_text("# Home\n", encoding="utf-8")
    (repo / "Other.md").write_text("# Other\n", encoding="utf-8")
    run(["git", "add", "Home.md", "Other.md"], repo, env).check_returncode()
    out = try_repo(repo, hook_repo, env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Board.canvas:1:48: VK001" in out.stdout and "which this commit deletes" in out.stdout
