"""One vault root for all the paths of a run, --vault, excludes on named files,
Obsidian's excluded files; through the real CLI and real git."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, check_json, run_cli

from vaultkit.vault.root import choose_root

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is missing")


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)


@pytest.fixture
def in_dir(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    return lambda path: monkeypatch.chdir(path)


PEOPLE = {
    "People/kepano.md": "# kepano\n\nSee [[Home]] and [[Ideas]].\n",
    "Notes/Ideas.md": "# Ideas\n\nBack to [[kepano]].\n",
    "Home.md": "# Home\n",
}


@needs_git
def test_a_file_in_a_subfolder_of_a_git_repo_uses_the_work_tree_top(
    tmp_path: Path, in_dir: Callable[[Path], None]
) -> None:
    # No .obsidian/ (it is gitignored in the user's repo) and no config.
    repo = write(tmp_path / "repo", PEOPLE)
    git_init(repo)
    in_dir(repo / "People")
    run = check_json(Path("kepano.md"))
    assert run.code == 0 and run.diags() == [], run.stdout
    assert run.data["summary"]["files"] == 1


@needs_git
def test_files_in_different_folders_check_as_one_vault(
    tmp_path: Path, in_dir: Callable[[Path], None]
) -> None:
    repo = write(tmp_path / "repo", PEOPLE)
    git_init(repo)
    in_dir(repo)
    run = check_json("People/kepano.md", "Notes/Ideas.md")
    assert run.code == 0 and run.diags() == [] and run.stderr == ""
    assert run.data["summary"]["files"] == 2


def test_without_git_or_markers_named_files_use_the_current_folder(
    tmp_path: Path, in_dir: Callable[[Path], None]
) -> None:
    root = write(tmp_path / "plain", PEOPLE)
    in_dir(root)
    assert choose_root([Path("People/kepano.md"), Path("Notes/Ideas.md")]).root == root.resolve()
    assert check_json("People/kepano.md", "Notes/Ideas.md").diags() == []


def test_a_folder_given_without_markers_is_the_vault(tmp_path: Path, in_dir: Callable[[Path], None]) -> None:
    root = write(tmp_path / "plain", PEOPLE)
    in_dir(tmp_path)
    assert choose_root([root]).root == root.resolve()


def test_config_in_a_subfolder_wins_and_a_readme_beside_it_is_skipped(
    tmp_path: Path, in_dir: Callable[[Path], None]
) -> None:
    repo = write(
        tmp_path / "repo",
        {
            "README.md": "# Project\n\n[[Nowhere]]\n",
            "notes/.vaultkit.toml": 'ignore = ["broken-wikilink"]\n',
            "notes/a.md": "[[Nope]]\n\n-\n",
            "notes/sub/b.md": "[[a]]\n",
        },
    )
    in_dir(repo)
    run = check_json("README.md", "notes/a.md", "notes/sub/b.md")
    assert run.code == 0  # the config was read: its ignore holds
    assert run.where() == [("a.md", 3, 1, "VK007")]
    assert run.stderr.strip().splitlines() == [
        f"vaultkit: README.md: outside the vault at {(repo / 'notes').resolve()}; skipped"
    ]


def test_vault_option_sets_the_root(tmp_path: Path, in_dir: Callable[[Path], None]) -> None:
    root = write(tmp_path / "v", {"sub/.vaultkit.toml": "", "sub/a.md": "[[b]]\n", "b.md": "# b\n"})
    in_dir(tmp_path)
    # Found from the file, the root would be sub/ (it has a config) and [[b]] would break.
    assert check_json(root / "sub/a.md").where() == [("a.md", 1, 1, "VK001")]
    run = check_json("--vault", root, root / "sub/a.md")
    assert run.diags() == [] and run.data["summary"]["files"] == 1
    assert check_json("--vault", root).data["summary"]["files"] == 2


@pytest.mark.parametrize("command", ["fix", "export"])
def test_vault_option_on_fix_and_export(tmp_path: Path, command: str) -> None:
    root = write(tmp_path / "v", {"sub/.vaultkit.toml": "", "sub/a.md": "-\n[x](https://e.com)\n"})
    run = run_cli(command, "--vault", root, root / "sub/a.md")
    assert run.code == 0, run.stderr
    assert ("sub/a.md" in run.stdout) if command == "fix" else ('"note": "sub/a.md"' in run.stdout)


def test_config_exclude_holds_for_named_files(vault: Callable[[dict[str, str]], Path]) -> None:
    root = vault(
        {
            ".vaultkit.toml": 'exclude = ["Templates", "*.draft.md"]\n',
            "Templates/t.md": "[[Nope]]\n",
            "x.draft.md": "[[Nope]]\n",
            "a.md": "[[Nope]]\n",
        }
    )
    run: Run = check_json(root / "Templates/t.md", root / "x.draft.md", root / "a.md")
    assert run.where() == [("a.md", 1, 1, "VK001")]
    assert run.data["summary"]["files"] == 1


def test_obsidian_excluded_files_are_not_reported_but_still_resolve(
    vault: Callable[[dict[str, str]], Path],
) -> None:
    root = vault(
        {
            ".obsidian/app.json": '{"userIgnoreFilters": ["Archive/", "/\\\\.draft\\\\.md$/", "/(/"]}',
            "Archive/old.md": "# Old\n\n[[Nope]]\n",
            "x.draft.md": "[[Nope]]\n",
            "a.md": "[[old]]\n",
        }
    )
    assert check_json(root).diags() == []
    assert check_json(root / "Archive/old.md", root / "a.md").diags() == []
