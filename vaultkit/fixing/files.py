"""Fixing the notes of a vault, file by file: fix to a fixpoint, refuse, diff, write.

``fix_files`` runs ``fixpoint.fix_text`` on each target note of a session and writes
the result atomically (or, with ``write=False``, only says what it would change). A
note is never written when its encoding is a guess, when a fix would change its links
(the link guard), or when the file changed on disk since it was read.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vaultkit.config import has_config
from vaultkit.errors import VaultkitError
from vaultkit.fixing.fixpoint import FixResult, fix_text
from vaultkit.fixing.originals import keep_original
from vaultkit.limits import failure_reason, guarded
from vaultkit.lint.session import Session
from vaultkit.model import Note, Severity
from vaultkit.rules.base import Context, Rule
from vaultkit.vault.write import write_text_atomic

FileStatus = Literal["fixed", "would-fix", "skipped", "refused", "not-written"]


@dataclass
class FileFix:
    """What fixing did (or would do) to one note that needed fixing or could not be fixed."""

    path: str  # vault-relative, "/" separators
    status: FileStatus
    applied: dict[str, int] = field(default_factory=dict)  # rule name -> fixes applied
    reason: str = ""  # why it was skipped, refused or not written
    before: str = ""  # the text and the fixed text, kept only when nothing is written
    after: str = ""
    original: str = ""  # converted to UTF-8: where the original bytes were kept

    @property
    def detail(self) -> str:
        """The fixes applied, as ``rule ×n, ...`` in rule-name order."""
        return ", ".join(f"{name} ×{n}" for name, n in sorted(self.applied.items()))

    def diff(self) -> str:
        """A unified diff of the fix (empty once written: the texts are not kept)."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"a/{self.path}",
            f"b/{self.path}",
        )
        return "".join(lines)


def fix_files(
    session: Session, rules: Sequence[Rule], ctx: Context, *, unsafe: bool = False, write: bool = True
) -> Iterator[FileFix]:
    """Fix each loaded target note of ``session``; yield one FileFix per note that changes
    (or would change) and per note left alone for a reason (first the notes that could not
    be read), each as soon as it is done. Unchanged notes yield nothing."""
    for problem in session.problems:
        if problem.severity is Severity.ERROR:  # not read; a warning (a limit) is a notice
            yield FileFix(problem.path, "skipped", reason=problem.message)
    seen: set[str] = set()
    for rel in session.targets:
        note, src = session.notes.get(rel), session.sources.get(rel)
        if note is None or src is None or src.is_binary:
            continue
        real = os.path.realpath(src.path)
        if real in seen:  # a symlink in the vault to a note also fixed under its own name
            continue
        seen.add(real)
        if not src.confident:
            reason = f"encoding {src.encoding} is a guess; convert it by hand"
            yield FileFix(rel, "skipped", reason=reason)
            continue
        result = _fix_one(note, rules, ctx, unsafe)
        if result.refused:
            yield FileFix(rel, "refused", reason=result.refused)
            continue
        convert = result.convert  # an encoding rule asked for UTF-8 (counted in applied)
        if result.text == note.text and not convert:
            continue
        applied = dict(result.applied)
        if not write:
            yield FileFix(rel, "would-fix", applied, before=note.text, after=result.text)
            continue
        try:
            kept = keep_original(src, session.root).name if convert else ""
            write_text_atomic(src, result.text, root=session.root, to_utf8=convert)
        except VaultkitError as exc:
            yield FileFix(rel, "not-written", applied, reason=str(exc))
            continue
        yield FileFix(rel, "fixed", applied, original=kept)


def _fix_one(note: Note, rules: Sequence[Rule], ctx: Context, unsafe: bool) -> FixResult:
    """``fix_text`` under the limits: a note it fails on is refused, and the others go on."""
    return guarded(
        lambda: fix_text(note, rules, ctx, unsafe=unsafe),
        lambda exc: FixResult(note.text, refused=f"not fixed: could not be processed: {failure_reason(exc)}"),
    )


def leaves_vault(path: Path) -> Path | None:
    """The vault ``path`` is named in, when the path resolves outside it (through a
    symlink); else None. The vault is the nearest folder above the path as written
    (links not followed) holding ``.obsidian/`` or a vaultkit config; a file named
    outside any vault belongs to its folder."""
    written = Path(os.path.abspath(path))
    vault = next((f for f in written.parents if (f / ".obsidian").is_dir() or has_config(f)), None)
    if vault is None:
        if written.is_dir():
            return None
        vault = written.parent
    base = Path(os.path.realpath(vault))
    return None if Path(os.path.realpath(written)).is_relative_to(base) else base
