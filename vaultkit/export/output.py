"""Writing the export: streamed to standard output, or atomically to ``-o FILE``.

The output of a large vault runs to tens of megabytes, so it is written piece by
piece instead of being held whole (twice, as text and as bytes) in memory. A file is
written like ``fsio.write_atomic`` does: a temp file in the same folder (named
``.NAME.*.vaultkit-tmp``, which ``fsio.cleanup_temp_files`` removes after a crash),
fsynced, given the existing file's permissions (else 0o644 minus the umask), then
renamed over the target; a symlink's target is replaced, the link stays.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from vaultkit.errors import WriteError
from vaultkit.fsio import TEMP_SUFFIX, fsync_folder


def write_stream(stream: BinaryIO, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to a binary stream (standard output)."""
    for chunk in chunks:
        stream.write(chunk)
    stream.flush()


def _mode(target: Path) -> int:
    try:
        st = os.stat(target)
    except FileNotFoundError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o644 & ~mask
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"cannot write {target}: not a regular file")
    return stat.S_IMODE(st.st_mode)


def replace_atomic(path: Path, fill: Callable[[str], None]) -> None:
    """Have ``fill`` write a temp file beside ``path``, then make it ``path``; on any
    failure ``path`` is untouched and the temp file removed."""
    try:
        target = Path(os.path.realpath(path))
    except (OSError, RuntimeError) as exc:
        raise WriteError(f"cannot write {path}: {exc}") from exc
    tmp: str | None = None
    try:
        mode = _mode(target)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:64]}.",
                                   suffix=TEMP_SUFFIX)
        os.close(fd)
        fill(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
    fsync_folder(target.parent)


def write_file_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Replace ``path`` with the concatenated ``chunks``, or leave it untouched."""
    def fill(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)

    replace_atomic(path, fill)
