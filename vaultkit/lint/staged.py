"""``check --staged``: what the commit being made will break, asked of git.

pre-commit passes a hook the staged files that exist, so a deletion or a rename is
never seen, and a link to a file that is on disk but not in git passes although the
commit will not contain it. In this mode vaultkit asks git itself:

- ``git diff --cached --name-status -M``: the files the commit deletes or renames.
  Every note of the vault with a link that resolved to one of them (resolved against
  the vault as it was, with those files) and no longer resolves is reported, naming
  the deleted or renamed file.
- ``git ls-files``: the files the commit will hold. A link from a checked note to a
  file on disk that is not among them is reported.

Both are reported as what they will be in the commit (see ``commit_link_diag``).
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultkit.errors import ConfigError
from vaultkit.index.facts import LinkRow, decode_view
from vaultkit.index.names import VaultIndex
from vaultkit.model import Diagnostic
from vaultkit.parse.suppress import is_suppressed
from vaultkit.rules.links import LOCAL_KINDS, commit_link_diag, is_local_target


@dataclass
class Staged:
    top: Path  # the git work tree's top
    changed: list[Path] = field(default_factory=list)  # added, modified, renamed-to (exist)
    gone: dict[str, str | None] = field(default_factory=dict)  # repo path → renamed-to, or None
    tracked: set[str] = field(default_factory=set)  # repo paths in the index


def _git(args: list[str], cwd: Path) -> str:
    git = shutil.which("git")
    if git is None:
        raise ConfigError("--staged needs git, which is not on PATH")
    # GIT_INDEX_FILE and friends are kept: `git commit -a` runs hooks on a temporary index.
    out = subprocess.run([git, *args], cwd=cwd, capture_output=True, timeout=60, env=dict(os.environ))
    if out.returncode != 0:
        msg = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"--staged: git {args[0]} failed: {msg[-1] if msg else out.returncode}")
    return out.stdout.decode("utf-8", "surrogateescape")


def read_staged(cwd: Path) -> Staged:
    """The staged changes of the git repository holding ``cwd``."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    staged = Staged(top)
    fields = _git(["diff", "--cached", "--name-status", "-M", "-z"], top).split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][:1]
        if status == "R" or status == "C":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            if status == "R":
                staged.gone[old] = new
            staged.changed.append(top / new)
            continue
        path = fields[i + 1]
        i += 2
        if status == "D":
            staged.gone[path] = None
        elif (top / path).is_file():
            staged.changed.append(top / path)
    staged.tracked = {p for p in _git(["ls-files", "-z"], top).split("\0") if p}
    return staged


def open_staged(
    paths: list[Path], vault: Path | None, follow_external: bool = False, config_file: Path | None = None
) -> tuple[Any, Staged]:
    """The session for ``check --staged``: the paths named (pre-commit's staged files, after
    its ``files:``/``exclude:``), in the vault that holds them, or the deleted files."""
    from vaultkit.lint.session import open_vault
    from vaultkit.vault.root import choose_root

    staged = read_staged(Path.cwd())
    if paths:
        return open_vault(paths, vault, follow_external, config_file=config_file), staged
    hints = [_existing_folder(staged.top / p) for p in staged.gone] or [Path.cwd()]
    root = vault if vault is not None else choose_root(hints).root
    session = open_vault([], root, follow_external, config_file=config_file)
    session.targets = []
    return session, staged


def _existing_folder(path: Path) -> Path:
    folder = path.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def _vault_rel(staged: Staged, root: Path, repo_path: str) -> str | None:
    try:
        return (staged.top / repo_path).relative_to(root).as_posix()
    except ValueError:
        return None


def staged_diagnostics(session: Any, staged: Staged, views: dict[str, bytes]) -> list[Diagnostic]:
    """The links the commit breaks; ``views`` are the notes' encoded link views."""
    root: Path = session.root.resolve()
    gone = {
        rel: _vault_rel(staged, root, new) if new else None
        for old, new in staged.gone.items()
        if (rel := _vault_rel(staged, root, old)) is not None
    }
    untracked: set[str] = set()
    if root.is_relative_to(staged.top):
        base = root.relative_to(staged.top).as_posix()
        prefix = "" if base == "." else base + "/"
        files = [*session.files.notes, *session.files.attachments]
        untracked = {p for p in files if prefix + p not in staged.tracked}
    now = VaultIndex(session.files.notes, session.files.attachments)
    before = (
        now.extended(
            [g for g in gone if g.lower().endswith(".md")], [g for g in gone if not g.lower().endswith(".md")]
        )
        if gone
        else now
    )
    targets = set(session.targets)
    out: list[Diagnostic] = []
    for rel, blob in views.items():
        view = decode_view(rel, marshal.loads(blob))
        checked = rel in targets
        for row in view.links:
            for d in _row_diags(rel, row, now, before, gone, untracked if checked else set(), checked):
                if not is_suppressed(view, d.rule, d.code, d.line):
                    out.append(d)
    return out


def _resolve(index: VaultIndex, row: LinkRow, source: str) -> str | None:
    if row.kind in ("wikilink", "embed"):
        return index.resolve(row.target, source) if row.target else None
    if row.kind in LOCAL_KINDS and row.target and is_local_target(row.target):
        return index.resolve_path(row.target, source)
    return None


def _row_diags(
    rel: str,
    row: LinkRow,
    now: VaultIndex,
    before: VaultIndex,
    gone: dict[str, str | None],
    untracked: set[str],
    checked: bool,
) -> Iterator[Diagnostic]:
    if not row.target or row.malformed:
        return
    current = _resolve(now, row, rel)
    if current is None:
        if checked:
            return  # the note's own findings already report it
        old = _resolve(before, row, rel)
        if old in gone:
            new = gone[old]
            what = f"which this commit renames to {new}" if new else "which this commit deletes"
            yield commit_link_diag(
                rel, row, f"'{row.target}' links to {old}, {what}; update this link or keep the file"
            )
    elif current in untracked:
        yield commit_link_diag(
            rel,
            row,
            f"'{row.target}' links to {current}, which is not tracked by git, so the commit "
            f"will not contain it; git add it, or correct the link",
        )
