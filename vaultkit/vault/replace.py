"""Replace a note only if it is still the file that was read: the race with an editor.

"Unchanged since read" is checked, and the file replaced,
under an advisory lock (``fcntl.flock`` on the note, so two vaultkit processes take
turns), as late as possible:

1. open the note, lock it, and compare it with what was read: device and inode, size,
   mtime_ns, and the bytes themselves (a hash would be no cheaper: mtimes can be too
   coarse to show a change in the same tick);
2. swap the temp file and the note atomically (Linux ``renameat2(RENAME_EXCHANGE)``), so
   that what was displaced is still at hand under the temp name;
3. check that the displaced file is the inode compared in step 1 and that it is still
   unchanged: an editor that saved by renaming a new file into place, or wrote into the
   file in place, since step 1 is caught here, its file is swapped back, and the note
   is reported as changed on disk, not written;
4. remove the displaced old file.

Where the swap is not available (other systems, some filesystems), the old file gets
a second name (a hard link) instead, checked before a plain ``os.replace``; an editor
that renames its save into place in the microseconds between the link and the replace
then loses that save (plain POSIX has no "replace only if still this inode").

What remains everywhere: an editor that opened the note before step 2 and writes into
it after step 3 writes into the old, now unlinked, file.
"""

from __future__ import annotations

import ctypes
import errno
import os
import time
from contextlib import suppress
from pathlib import Path

from vaultkit.errors import ConflictError, WriteError
from vaultkit.vault.read import Source
from vaultkit.vault.tempfiles import TEMP_SUFFIX

__all__ = ["replace_guarded"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def replace_guarded(shown: Path, tmp: str, final: Path, expect: Source) -> None:
    """Put ``tmp`` in place of ``final`` if ``final`` is still ``expect``; else ConflictError."""
    try:
        fd = os.open(final, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConflictError(f"{shown} was deleted since it was read; not written") from None
    try:
        _lock(fd)
        if not _same(fd, expect):
            raise ConflictError(f"{shown} changed on disk since it was read; not written")
        _before_link()
        if _exchange(tmp, str(final)):
            displaced = os.stat(tmp, follow_symlinks=False)
            if (displaced.st_dev, displaced.st_ino) != _identity(fd) or not _same(fd, expect):
                _exchange(tmp, str(final))  # the other program's file goes back
                raise _late(shown)
            os.unlink(tmp)
        else:
            _replace_linked(shown, tmp, final, fd, expect)
    finally:
        os.close(fd)  # releases the lock


def _late(shown: Path) -> ConflictError:
    return ConflictError(
        f"{shown} changed on disk while being written; the other program's version was kept; not written"
    )


def _identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _replace_linked(shown: Path, tmp: str, final: Path, fd: int, expect: Source) -> None:
    """The fallback: a second name for the old file, a plain replace, a check after."""
    keep = tmp[: -len(TEMP_SUFFIX)] + ".old" + TEMP_SUFFIX
    try:
        try:
            kept = _second_name(final, keep)
        except FileNotFoundError:  # renamed over or away meanwhile (link(2) can race rename(2))
            raise ConflictError(f"{shown} changed on disk since it was read; not written") from None
        if kept and (os.stat(keep).st_dev, os.stat(keep).st_ino) != _identity(fd):
            raise ConflictError(f"{shown} changed on disk since it was read; not written")
        os.replace(tmp, final)
        if kept and not _same(fd, expect):  # written in place meanwhile: put it back
            os.replace(keep, final)
            raise _late(shown)
    finally:
        with suppress(OSError):
            os.unlink(keep)


def _exchange(a: str, b: str) -> bool:
    """Swap two names atomically; False where the system cannot."""
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), b)


def _before_link() -> None:
    """Called between the check and the second name (a test widens the window here)."""


def _same(fd: int, expect: Source) -> bool:
    st = os.fstat(fd)
    if expect.inode != (0, 0) and (st.st_dev, st.st_ino) != expect.inode:
        return False
    if (st.st_size, st.st_mtime_ns) != (expect.size, expect.mtime_ns):
        return False
    return os.pread(fd, st.st_size + 1, 0) == expect.data


def _lock(fd: int) -> None:
    """An exclusive advisory lock, waiting up to 10 s for another vaultkit process."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the identity checks still run
        return
    for _ in range(1000):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:  # a filesystem without locks
            return
    raise WriteError("another vaultkit process kept the note locked for 10 s; not written")


def _second_name(final: Path, keep: str) -> bool:
    try:
        os.link(final, keep, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            return False
        raise
    return True
