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
