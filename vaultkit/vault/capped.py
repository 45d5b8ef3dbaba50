"""Reading any file under a size cap, and only if it is a regular file.

Every file vaultkit reads (notes, ``.obsidian/*.json``, the config, the cache) goes
through :func:`read_regular`: it opens without blocking (a FIFO would otherwise
wait for a writer), checks with ``os.fstat`` that what it opened is a regular file
and not over the cap, and reads at most the cap plus one byte, so a file that
grows while being read, or a link to ``/dev/zero``, can't make it read more.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vaultkit.errors import ReadError

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def special_kind(mode: int) -> str | None:
    """``"a FIFO"``, ``"a socket"``, ``"a device"``... for a mode that is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def os_reason(exc: BaseException) -> str:
    """An OSError's reason as the end of a one-line message ("permission denied")."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def size_text(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def read_regular(path: Path, limit: int, what: str = "file-size") -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` and its ``fstat``; ReadError for anything but a regular file
    of at most ``limit`` bytes (``what`` names the limit that raises the cap), or for
    one that keeps changing while it is read."""
    for _attempt in range(3):
        try:
            st = os.stat(path)  # no open() at all for a FIFO, socket or device
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {os_reason(exc)}") from exc
        _check(path, st, limit, what)
        try:
            fd = os.open(path, _FLAGS)
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {os_reason(exc)}") from exc
        try:
            before = os.fstat(fd)
            _check(path, before, limit, what)  # it may have been swapped since the stat
            data = _read_at_most(fd, limit + 1)
            after = os.fstat(fd)
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {os_reason(exc)}") from exc
        finally:
            os.close(fd)
        if len(data) > limit:  # it grew while being read
            raise ReadError(_too_big(path, len(data), limit, what))
        unchanged = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if unchanged and len(data) == after.st_size:
            return data, after
    raise ReadError(f"cannot read {path}: it kept changing while being read")


def _check(path: Path, st: os.stat_result, limit: int, what: str) -> None:
    kind = special_kind(st.st_mode)
    if kind:
        raise ReadError(f"cannot read {path}: it is {kind}, not a regular file; skipped")
    if st.st_size > limit:
        raise ReadError(_too_big(path, st.st_size, limit, what))


def _read_at_most(fd: int, most: int) -> bytes:
    chunks: list[bytes] = []
    while most > 0 and (chunk := os.read(fd, min(most, 1 << 20))):
        chunks.append(chunk)
        most -= len(chunk)
    return b"".join(chunks)


def _too_big(path: Path, size: int, limit: int, what: str) -> str:
    return (
        f"cannot read {path}: it is {size_text(size)}, over the {size_text(limit)} limit; "
        f"not read (raise '{what}' in [limits] of the config to read it)"
    )


def read_small_text(path: Path, limit: int) -> str | None:
    """A small UTF-8 settings file, or None when it is missing, special, too big or not UTF-8."""
    try:
        data, _ = read_regular(path, limit, "file-size")
        return data.decode("utf-8")
    except (ReadError, UnicodeDecodeError):
        return None
