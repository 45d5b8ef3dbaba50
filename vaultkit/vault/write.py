"""Write notes back without ever losing data.

``write_atomic`` replaces a file through a fsynced temp file in the same folder,
refusing paths outside the vault and files changed since they were read;
``create_exclusive`` creates a new file and never overwrites one.

The race with an editor is handled in ``vault.replace``.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from vaultkit.errors import AlreadyExistsError, ConflictError, UnsafePathError, VaultkitError, WriteError
from vaultkit.vault.read import Source, os_reason, render
from vaultkit.vault.replace import replace_guarded
from vaultkit.vault.tempfiles import TEMP_SUFFIX, hold, sweep

__all__ = ["TEMP_SUFFIX", "cleanup_temp_files", "create_exclusive", "fsync_folder", "write_atomic"]
__all__ += ["write_text_atomic"]


def write_atomic(
    path: Path,
    data: bytes | Callable[[str], None],
    *,
    expect: Source | None = None,
    root: Path | None = None,
    mode: int | None = None,
) -> None:
    """Atomically replace ``path`` (or create it) with ``data``: bytes, or a function that
    writes the new content to the temp path it is given (for streamed or SQLite output).

    Symlinks are resolved and the *target* is replaced (the link stays); with
    ``root``, a target outside ``root`` raises UnsafePathError. With ``expect``,
    a file whose size, mtime or bytes differ from it raises ConflictError.
    Permissions: ``mode`` if given, else ``expect.mode``, else the existing
    file's, else 0o644 minus the umask. On failure the file is untouched and no
    temp file is left behind (except after SIGKILL: see cleanup_temp_files).
    """
    target = _safe_target(Path(path), root)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {os_reason(exc)}") from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise WriteError(f"cannot write {path}: not a regular file")
    if expect is not None and st is None:
        raise ConflictError(f"{path} was deleted since it was read; not written")
    if mode is None:
        mode = expect.mode if expect else stat.S_IMODE(st.st_mode) if st else _new_mode()
    owner = (st.st_uid, st.st_gid) if st else None
    _write_via_temp(Path(path), target, data, mode, owner=owner, expect=expect)


def write_text_atomic(
    source: Source, new_text: str, *, root: Path | None = None, to_utf8: bool = False
) -> bool:
    """Render ``new_text`` and write it over ``source.path`` if the bytes change.

    Returns True if the file was written. Raises ConflictError if the file
    changed on disk since ``source`` was read.
    """
    data = render(source, new_text, to_utf8=to_utf8)
    if data == source.data:
        return False
    write_atomic(source.path, data, expect=source, root=root)
    return True


def create_exclusive(path: Path, data: bytes, *, root: Path, mode: int | None = None) -> None:
    """Create a new file atomically; never overwrite anything.

    The content is written to a temp file, fsynced, then hard-linked to the
    final name, so the name appears complete or not at all. A name already
    taken (even by a dangling symlink) raises AlreadyExistsError.
    """
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise WriteError(f"cannot create {path}: not a file name")
    try:
        parent = Path(os.path.realpath(path.parent))
    except (OSError, RuntimeError) as exc:
        raise WriteError(f"cannot create {path}: {os_reason(exc)}") from exc
    final = _safe_target(parent / path.name, root, resolve=False)
    if os.path.lexists(final):
        raise AlreadyExistsError(f"cannot create {path}: it already exists; not overwritten")
    perm = _new_mode() if mode is None else mode
    _write_via_temp(path, final, data, perm, exclusive=True)


def cleanup_temp_files(folder: Path, *, recursive: bool = True) -> list[Path]:
    """Delete temp files left by a killed writer (``.*.vaultkit-tmp``) that no live
    process holds; return them."""
    return sweep(folder, recursive=recursive)


def _safe_target(path: Path, root: Path | None, *, resolve: bool = True) -> Path:
    try:
        target = Path(os.path.realpath(path, strict=False)) if resolve else path
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise WriteError(f"cannot write {path}: {os_reason(exc)}") from exc
    if root is not None:
        base = Path(os.path.realpath(root))
        if not target.is_relative_to(base):
            raise UnsafePathError(
                f"refusing to write {path}: it resolves to {target}, outside the vault {base}"
            )
    return target


def _write_via_temp(
    shown: Path,
    final: Path,
    data: bytes | Callable[[str], None],
    mode: int,
    *,
    owner: tuple[int, int] | None = None,
    expect: Source | None = None,
    exclusive: bool = False,
) -> None:
    """Temp file in the same folder, fsync, chmod, rename (or link), fsync folder."""
    tmp: str | None = None
    held = -1
    try:
        stem = final.name[:64]
        while len(os.fsencode(stem)) > 128:  # the temp name must stay under NAME_MAX
            stem = stem[:-1]
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{stem}.", suffix=TEMP_SUFFIX)
        held = fd
        hold(held)  # in use until the end: a sweep by another process leaves it alone
        if callable(data):
            data(tmp)
            fd = os.open(tmp, os.O_RDONLY)
        else:
            _write_all(fd, data)
        try:
            _seal(fd, mode, owner)
        finally:
            if fd != held:
                os.close(fd)
        if exclusive:
            assert isinstance(data, bytes)
            _link_new(shown, tmp, final, data, mode)
        elif expect is not None:  # checked as late as possible, under a lock
            replace_guarded(shown, tmp, final, expect)
            tmp = None
        else:
            os.replace(tmp, final)
            tmp = None
    except VaultkitError:
        raise
    except Exception as exc:
        raise WriteError(f"cannot {'create' if exclusive else 'write'} {shown}: {os_reason(exc)}") from exc
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
        if held >= 0:
            os.close(held)
    fsync_folder(final.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; best effort (some filesystems cannot)."""
    with suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _seal(fd: int, mode: int, owner: tuple[int, int] | None) -> None:
    """The temp file's permissions and owner, then fsync."""
    os.fchmod(fd, mode)
    if owner is not None and owner != (os.geteuid(), os.getegid()):
        with suppress(PermissionError):  # keep the owner when we can (running as root)
            os.fchown(fd, *owner)
    os.fsync(fd)


def _link_new(shown: Path, tmp: str, final: Path, data: bytes, mode: int) -> None:
    """Give the finished temp file its final name; never replace an existing one."""
    taken = f"cannot create {shown}: it already exists; not overwritten"
    try:
        os.link(tmp, final)
        return
    except FileExistsError:
        raise AlreadyExistsError(taken) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    # no hard links (FAT, some network shares): O_EXCL, not crash-atomic
    try:
        fd = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError:
        raise AlreadyExistsError(taken) from None
    try:
        _write_all(fd, data)
        _seal(fd, mode, None)
    except BaseException:
        with suppress(OSError):
            os.unlink(final)
        raise
    finally:
        os.close(fd)


def _new_mode() -> int:
    """0o644 minus the process umask, read without changing it where possible."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return 0o644 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return 0o644 & ~current
