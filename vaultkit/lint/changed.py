"""Which files changed since the facts index saw them: compared by size and mtime, and by
content hash when the mtime can't be trusted."""

from __future__ import annotations

import os
from pathlib import Path

from vaultkit.errors import ReadError
from vaultkit.limits import active
from vaultkit.lint.cache import RACY_NS, digest
from vaultkit.lint.session import Session
from vaultkit.lint.store import FileRow
from vaultkit.vault.capped import read_regular


def changed_files(
    session: Session, paths: list[str], known: dict[str, FileRow], now: int
) -> tuple[dict[str, FileRow], list[str], dict[str, FileRow]]:
    """The files whose rows hold (trusted by size and mtime, or by content hash when the
    mtime is too close to when the row was written), the files to parse, and the rows
    verified by hash (their new mtime). Sizes and mtimes are the walk's."""
    rows: dict[str, FileRow] = {}
    todo: list[str] = []
    seen: dict[str, FileRow] = {}
    walked = session.files.seen
    base = f"{session.root}{os.sep}"
    for rel in paths:
        row = known.get(rel)
        st = walked.get(rel) or _stat(base + rel)
        if row is None or st is None or row.size != st[0]:
            todo.append(rel)
        elif row.mtime_ns == st[1] and row.mtime_ns < row.seen_ns - RACY_NS:
            rows[rel] = row
        elif _same_bytes(session.root / rel, row.sha):
            rows[rel] = seen[rel] = row._replace(mtime_ns=st[1], seen_ns=now)
        else:
            todo.append(rel)
    return rows, todo, seen


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _same_bytes(path: Path, sha: str) -> bool:
    try:
        data, _ = read_regular(path, active().note_size)
    except ReadError:
        return False
    return digest(data) == sha
