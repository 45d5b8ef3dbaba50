"""``vaultkit mv``: move a file and rewrite every link to it, each note written atomically,
each rewrite checked by the link guard before anything is written."""

from __future__ import annotations

import difflib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit.errors import VaultkitError
from vaultkit.fixing.rename import RenamePlan, apply, guard_move, move_plan, moved_index
from vaultkit.lint.live import VaultState
from vaultkit.parse.note import parse_note
from vaultkit.vault.read import Source, read_source
from vaultkit.vault.write import write_text_atomic


class MoveError(VaultkitError):
    """The move can't be done as asked; nothing was changed."""


@dataclass
class MoveReport:
    old: str
    new: str
    links: int = 0
    notes: int = 0
    git: bool = False
    failed: bool = False
    diff: list[str] = field(default_factory=list)


def plan_move(state: VaultState, old: str, new: str) -> RenamePlan:
    """The edits (for the language server: links placed from the cached rows, no parse)."""
    files = state.session.files
    after = moved_index(state.index, files.notes, files.attachments, old, new)
    return move_plan(state.linking(old), state.link_note, state.index, after, old, new)


def move_file(old: Path, new: Path, vault: Path | None = None, dry_run: bool = False) -> MoveReport:
    state = VaultState(vault or old, use_cache=True)
    rel_old, rel_new = state.rel_of(old), state.rel_of(new)
    if rel_old is None or rel_new is None:
        raise MoveError(f"both paths must be inside the vault at {state.root}")
    if rel_old not in state.session.files.notes and rel_old not in state.session.files.attachments:
        raise MoveError(f"{old} is not a note or attachment of the vault (excluded or hidden?)")
    if new.exists() or new.is_symlink():
        raise MoveError(f"{new} exists; not moved (remove it first, or choose another name)")
    writes = _prepare(state, rel_old, rel_new)
    report = MoveReport(rel_old, rel_new, sum(n for _, _, n in writes), len(writes))
    if dry_run:
        report.diff = [line for src, text, _ in writes for line in _diff(state.root, src, text)]
        return report
    for src, text, _ in writes:
        write_text_atomic(src, text, root=state.root)
    report.git = _move(state.root, old, new)
    return report


def _prepare(state: VaultState, old: str, new: str) -> list[tuple[Source, str, int]]:
    files = state.session.files
    after = moved_index(state.index, files.notes, files.attachments, old, new)
    plan = move_plan(state.linking(old), state.note, state.index, after, old, new)
    out = []
    for rel, edits in sorted(plan.edits.items()):
        src = read_source(state.root / rel)
        before = state.note(rel)
        if before is None or before.text != src.text:
            raise MoveError(f"{rel} changed while the move was planned; nothing was changed")
        text = apply(src.text, edits)
        problem = guard_move(before, parse_note(rel, text), state.index, after, old, new)
        if problem:
            raise MoveError(f"refused: {problem}; nothing was changed")
        out.append((src, text, len(edits)))
    return out


def _diff(root: Path, src: Source, text: str) -> list[str]:
    rel = Path(os.path.relpath(src.path, Path.cwd())).as_posix()
    return list(
        difflib.unified_diff(
            src.text.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
        )
    )


def _in_git(root: Path, path: Path) -> bool:
    try:
        run = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", str(path)],
            cwd=root,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return run.returncode == 0


def _move(root: Path, old: Path, new: Path) -> bool:
    """Move the file (``git mv`` when git tracks it); never over an existing file."""
    new.parent.mkdir(parents=True, exist_ok=True)
    if _in_git(root, old):
        run = subprocess.run(
            ["git", "mv", "--", str(old), str(new)], cwd=root, capture_output=True, timeout=60
        )
        if run.returncode == 0:
            return True
    try:
        os.link(old, new)  # fails if new exists: no clobbering
    except FileExistsError:
        raise MoveError(f"{new} appeared meanwhile; links were rewritten, the file was not moved") from None
    except OSError:
        os.rename(old, new)
        return False
    os.unlink(old)
    return False
