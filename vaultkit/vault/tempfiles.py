"""vaultkit's temp files (``.<name>.<random>.vaultkit-tmp``): held while in use, swept after a crash.

Every temp file vaultkit writes is held under an exclusive ``fcntl.flock`` for as long
as the writing process uses it, so ``sweep`` can tell a live one (the lock is taken)
from one left by a process that was killed (nobody holds it): only the latter is
removed. ``fix``, ``import`` and ``export -o`` sweep before they write.
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path

TEMP_SUFFIX = ".vaultkit-tmp"
_SKIP = frozenset({".git", ".obsidian", ".trash"})  # never written by vaultkit

try:
    import fcntl
except ImportError:  # Windows: no flock; an open file there cannot be deleted anyway
    fcntl = None  # type: ignore[assignment]


def hold(fd: int) -> None:
    """Mark the temp file open as ``fd`` as in use (until ``fd`` is closed)."""
    if fcntl is not None:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_temp_name(name: str, prefix: str = ".") -> bool:
    return name.startswith(prefix) and name.endswith(TEMP_SUFFIX)


def sweep(folder: Path, *, recursive: bool = True, prefix: str = ".") -> list[Path]:
    """Delete the temp files under ``folder`` that no live process holds; return them.

    Links are not followed and ``.git``/``.obsidian``/``.trash`` are not entered.
    ``prefix`` narrows the names (``.index.db.`` for the temps of ``index.db``).
    """
    removed: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in _SKIP] if recursive else []
        for name in filenames:
            if is_temp_name(name, prefix) and _stale(Path(dirpath, name)):
                removed.append(Path(dirpath, name))
    return removed


def _stale(path: Path) -> bool:
    """Remove ``path`` if it is a plain file nobody holds; whether it was removed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a live writer holds it
            except OSError:
                pass
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
