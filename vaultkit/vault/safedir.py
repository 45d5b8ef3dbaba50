"""vaultkit's own folders inside a vault (``.vaultkit_cache/``), written without following links.

A cloned vault can carry ``.vaultkit_cache -> .``, ``.vaultkit_cache -> /elsewhere`` or
``.vaultkit_cache/facts.marshal -> ../Important.md``. Everything here works through
file descriptors opened with ``O_NOFOLLOW``: the folder is opened component by
component from the vault root, and files in it are read, created (``O_EXCL``) and
replaced (a temp file, then ``os.replace`` inside the same folder descriptor) by
name relative to it. A symlink, or anything that is not a plain folder or file, at
any step raises UnsafePathError and nothing is written; so no write can land outside
the folder, whatever is renamed in the meantime.
"""

from __future__ import annotations

import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

from vaultkit.errors import ReadError, UnsafePathError
from vaultkit.vault.tempfiles import TEMP_SUFFIX, hold

__all__ = ["ToolDir"]

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class ToolDir:
    """An open, verified folder ``root/rel`` (created when ``create``); use as a context manager."""

    def __init__(self, root: Path, rel: str, *, create: bool = True) -> None:
        self.shown = f"{rel}/"
        self.fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            for part in Path(rel).parts:
                self.fd = self._step(part, create)
        except BaseException:
            os.close(self.fd)
            raise

    def _step(self, part: str, create: bool) -> int:
        if create:
            with suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=self.fd)
        try:
            child = os.open(part, _DIR_FLAGS, dir_fd=self.fd)
        except FileNotFoundError:
            raise
        except OSError as exc:
            if _is_link(self.fd, part):
                raise UnsafePathError(
                    f"{self.shown} is a symlink; vaultkit does not read or write its cache "
                    "through links (remove the link, or run with --no-cache)"
                ) from None
            raise UnsafePathError(f"{self.shown} is not a usable folder: {exc.strerror}") from None
        os.close(self.fd)
        return child

    def __enter__(self) -> ToolDir:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def read(self, name: str, limit: int | None = None) -> bytes | None:
        """The bytes of plain file ``name``; None when absent. A link raises UnsafePathError,
        a file over ``limit`` bytes a ReadError (it is not read past the limit)."""
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK, dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError:
            self._refuse_link(name)
            raise
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UnsafePathError(f"{self.shown}{name} is not a regular file; not read")
            data = handle.read() if limit is None else handle.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise ReadError(f"{self.shown}{name} is over the {limit}-byte limit; not read")
        return data

    def create(self, name: str, data: bytes) -> bool:
        """Create ``name`` if absent (never through a link); False if it already exists."""
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=self.fd)
        except FileExistsError:
            self._refuse_link(name)
            return False
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return True

    def replace(self, name: str, data: bytes) -> None:
        """Atomically replace plain file ``name`` (or create it); refuse a link or a non-file."""
        self._refuse_link(name)
        tmp = f".{name[:64]}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=self.fd)
        try:
            hold(fd)  # in use: another process's sweep leaves it alone
            _write_all(fd, data)
            os.fsync(fd)
            self._refuse_link(name)  # again, as late as possible
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            tmp = ""
            with suppress(OSError):
                os.fsync(self.fd)
        finally:
            os.close(fd)
            if tmp:
                with suppress(OSError):
                    os.unlink(tmp, dir_fd=self.fd)

    def ensure_plain(self, name: str) -> None:
        """Raise UnsafePathError unless ``name`` is absent or a plain file (not a link)."""
        self._refuse_link(name)

    def size(self, name: str) -> int:
        """The size of ``name`` (0 when absent), never through a link."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_size
        except FileNotFoundError:
            return 0

    def remove(self, name: str) -> None:
        """Remove plain file ``name`` if present (a link is refused, not followed)."""
        self._refuse_link(name)
        with suppress(FileNotFoundError):
            os.unlink(name, dir_fd=self.fd)

    def _refuse_link(self, name: str) -> None:
        try:
            st = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePathError(f"{self.shown}{name} is a symlink; vaultkit does not write through it")
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePathError(f"{self.shown}{name} is not a regular file; not replaced")


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
