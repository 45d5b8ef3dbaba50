"""One vault root for all the paths of a run.

The root is, in order: the folder given with ``--vault``; the nearest folder above
the paths that holds ``.obsidian/`` or a vaultkit config (when the paths sit under
different ones, the one that holds most of them); the top of the git work tree the
paths are in; and failing those, the current folder when only files are named (as
pre-commit names them), or the folder given. Paths outside the root are not an
error: they are returned as ``outside`` so the caller can say so and go on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit.config import has_config


@dataclass
class RootChoice:
    root: Path
    inside: list[Path] = field(default_factory=list)  # the paths in the vault, as given
    outside: list[Path] = field(default_factory=list)  # the paths skipped


def is_marked(folder: Path) -> bool:
    """Whether ``folder`` is a vault root by its own content."""
    return (folder / ".obsidian").is_dir() or has_config(folder)


def marked_root(path: Path) -> Path | None:
    """The nearest folder from ``path`` upwards holding ``.obsidian/`` or a vaultkit config."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents):
        if is_marked(candidate):
            return candidate
    return None


def git_toplevel(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, or None (no git, or not in one)."""
    git = shutil.which("git")
    if git is None:
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"}
    try:
        out = subprocess.run(
            [git, "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = out.stdout.strip()
    return Path(top).resolve() if out.returncode == 0 and top else None


def _common(folders: Sequence[Path]) -> Path:
    return Path(os.path.commonpath([str(f) for f in folders]))


def _split(root: Path, paths: Sequence[Path]) -> RootChoice:
    choice = RootChoice(root)
    for p in paths:
        (choice.inside if p.resolve().is_relative_to(root) else choice.outside).append(p)
    return choice


def choose_root(paths: Sequence[Path], vault: Path | None = None, cwd: Path | None = None) -> RootChoice:
    """Pick the vault root for ``paths`` (existing files and folders); see the module docs."""
    here = (cwd or Path.cwd()).resolve()
    if vault is not None:
        return _split(vault.resolve(), paths or [vault])
    if not paths:
        paths = [here]
    resolved = [p.resolve() for p in paths]
    marks = [m for m in (marked_root(p) for p in resolved) if m is not None]
    if marks:
        counts = Counter(marks)
        best = max(counts.values())
        # most paths first; among equals, the first path's
        root = next(m for m in marks if counts[m] == best)
        return _split(root, paths)
    folders = [p if p.is_dir() else p.parent for p in resolved]
    top = git_toplevel(folders[0])
    if top is not None:
        return _split(top, paths)
    if all(not p.is_dir() for p in resolved) and all(f.is_relative_to(here) for f in folders):
        return _split(here, paths)
    return _split(_common(folders), paths)
