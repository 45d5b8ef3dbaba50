"""Read notes once and write them back without ever losing data.

Reading: ``read_source`` decodes a file (UTF-8 first; UTF-16/32 only with a BOM;
otherwise charset-normalizer plus a cp1252-vs-mac_roman check) and records how
it was stored, so ``render`` can give back byte-identical output for unchanged
text. Writing: ``write_atomic`` replaces a file through a fsynced temp file in the
same folder, refusing paths outside the vault and files changed since reading.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from vaultkit.errors import (
    AlreadyExistsError,
    ConflictError,
    ReadError,
    UnsafePathError,
    VaultkitError,
    WriteError,
)
from vaultkit.vault.encoding import _BOM_OF, _CODEC, BINARY, decode_bytes

__all__ = ["BINARY", "TEMP_SUFFIX", "Source", "decode_bytes", "read_source", "render", "write_atomic"]
__all__ += ["AlreadyExistsError", "cleanup_temp_files", "create_exclusive", "write_text_atomic"]
__all__ += ["ConflictError", "ReadError", "UnsafePathError", "VaultkitError", "WriteError"]

TEMP_SUFFIX = ".vaultkit-tmp"
_EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Source:
    """A file as read: its bytes, its decoded text and how it was stored."""

    path: Path
    data: bytes  # the raw bytes as read
    text: str  # decoded, BOM removed, "\r\n" and "\r" normalised to "\n"
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le", "cp1252", "mac_roman", BINARY...
    bom: bool
    newline: str  # dominant ending: "\n", "\r\n" or (classic Mac) "\r"; "\n" if none
    mixed_newlines: bool
    final_newline: bool
    size: int
    mtime_ns: int
    mode: int  # permission bits only (stat.S_IMODE)
    confident: bool  # decoding is certain, or the guess passed our thresholds
    is_binary: bool  # NUL bytes / not text at all: text is ""


# ---------------------------------------------------------------- decoding


# ----------------------------------------------------------------- reading


def read_source(path: Path) -> Source:
    """Read and decode ``path`` once. Raises ReadError with a one-line message."""
    path = Path(path)
    for _attempt in range(3):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {_reason(exc)}") from exc
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise ReadError(f"cannot read {path}: not a regular file")
            chunks: list[bytes] = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            after = os.fstat(fd)
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {_reason(exc)}") from exc
        finally:
            os.close(fd)
        data = b"".join(chunks)
        unchanged = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if unchanged and len(data) == after.st_size:
            return _make_source(path, data, after)
    raise ReadError(f"cannot read {path}: it kept changing while being read")


def _make_source(path: Path, data: bytes, st: os.stat_result) -> Source:
    raw, encoding, bom, confident = decode_bytes(data)
    endings = _EOL.findall(raw)
    counts = {e: 0 for e in ("\n", "\r\n", "\r")}  # order breaks ties toward "\n"
    for e in endings:
        counts[e] += 1
    return Source(
        path=path,
        data=data,
        text=_EOL.sub("\n", raw),
        encoding=encoding,
        bom=bom,
        newline=max(counts, key=counts.__getitem__) if endings else "\n",
        mixed_newlines=len(set(endings)) > 1,
        final_newline=raw.endswith(("\n", "\r")),
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        mode=stat.S_IMODE(st.st_mode),
        confident=confident,
        is_binary=encoding == BINARY,
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# --------------------------------------------------------------- rendering


def render(source: Source, new_text: str, *, to_utf8: bool = False) -> bytes:
    """Encode ``new_text`` (LF endings) the way ``source`` was stored.

    Uniform files get their ending everywhere; files with mixed endings keep
    each surviving line's own ending and the dominant one for new lines. The
    final newline follows ``new_text``. ``to_utf8`` writes UTF-8, keeping a BOM
    only if the file had a UTF-8 BOM. Raises WriteError if a character cannot
    be encoded, or if ``source`` is binary and ``new_text`` is not "".
    """
    if source.is_binary:
        if new_text:
            raise WriteError(f"cannot write {source.path}: it is a binary file")
        return source.data
    new_text = _EOL.sub("\n", new_text)  # tolerate stray "\r" from callers
    if source.mixed_newlines:
        body = _reapply_mixed(source, new_text)
    elif source.newline != "\n":
        body = new_text.replace("\n", source.newline)
    else:
        body = new_text
    encoding = source.encoding
    if to_utf8:  # a UTF-16/32 BOM is dropped; a UTF-8 BOM is kept
        encoding = "utf-8-sig" if encoding == "utf-8-sig" else "utf-8"
    bom = _BOM_OF.get(encoding, b"") if source.bom else b""
    try:
        return bom + body.encode(_CODEC.get(encoding, encoding))
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise WriteError(f"cannot write {source.path}: {bad!r} cannot be encoded in {encoding}") from None


def _reapply_mixed(source: Source, new_text: str) -> str:
    start = len(_BOM_OF.get(source.encoding, b"")) if source.bom else 0
    raw = source.data[start:].decode(_CODEC.get(source.encoding, source.encoding))
    old, old_ends = _EOL.split(raw), _EOL.findall(raw)
    new = new_text.split("\n")
    mapping = _map_lines(old, new)
    out: list[str] = []
    for j, line in enumerate(new):
        out.append(line)
        if j < len(new) - 1:  # every piece but the last is followed by a newline
            i = mapping.get(j)
            out.append(old_ends[i] if i is not None and i < len(old_ends) else source.newline)
    return "".join(out)


def _map_lines(old: list[str], new: list[str]) -> dict[int, int]:
    """Map new line index -> old line index for unchanged or edited-in-place lines."""
    limit = min(len(old), len(new))
    pre = 0
    while pre < limit and old[pre] == new[pre]:
        pre += 1
    suf = 0
    while suf < limit - pre and old[-1 - suf] == new[-1 - suf]:
        suf += 1
    mapping = {k: k for k in range(pre)}
    mapping.update({len(new) - 1 - k: len(old) - 1 - k for k in range(suf)})
    mid_old, mid_new = old[pre : len(old) - suf], new[pre : len(new) - suf]
    matcher = difflib.SequenceMatcher(None, mid_old, mid_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):  # a replaced line keeps its slot's ending
            for k in range(min(i2 - i1, j2 - j1)):
                mapping[pre + j1 + k] = pre + i1 + k
    return mapping


# ----------------------------------------------------------------- writing


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
        raise WriteError(f"cannot write {path}: {_reason(exc)}") from exc
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
        raise WriteError(f"cannot create {path}: {_reason(exc)}") from exc
    final = _safe_target(parent / path.name, root, resolve=False)
    if os.path.lexists(final):
        raise AlreadyExistsError(f"cannot create {path}: it already exists; not overwritten")
    perm = _new_mode() if mode is None else mode
    _write_via_temp(path, final, data, perm, exclusive=True)


def cleanup_temp_files(folder: Path, *, recursive: bool = True) -> list[Path]:
    """Delete temp files left by a killed writer (``.*.vaultkit-tmp``); return them."""
    removed: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                candidate = Path(dirpath, name)
                with suppress(FileNotFoundError):
                    if stat.S_ISREG(os.lstat(candidate).st_mode):
                        candidate.unlink()
                        removed.append(candidate)
        if not recursive:
            dirnames.clear()
    return removed


def _safe_target(path: Path, root: Path | None, *, resolve: bool = True) -> Path:
    try:
        target = Path(os.path.realpath(path, strict=False)) if resolve else path
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise WriteError(f"cannot write {path}: {_reason(exc)}") from exc
    if root is not None:
        base = Path(os.path.realpath(root))
        if not target.is_relative_to(base):
            raise UnsafePathError(
                f"refusing to write {path}: it resolves to {target}, outside the vault {base}"
            )
    return target


def _check_unchanged(shown: Path, target: Path, expect: Source) -> None:
    try:
        with open(target, "rb") as handle:
            st = os.fstat(handle.fileno())
            same = st.st_size == expect.size and st.st_mtime_ns == expect.mtime_ns
            if same and handle.read() == expect.data:
                return
    except FileNotFoundError:
        raise ConflictError(f"{shown} was deleted since it was read; not written") from None
    raise ConflictError(f"{shown} changed on disk since it was read; not written")


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
    try:
        stem = final.name[:64]
        while len(os.fsencode(stem)) > 128:  # the temp name must stay under NAME_MAX
            stem = stem[:-1]
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{stem}.", suffix=TEMP_SUFFIX)
        try:
            if callable(data):
                os.close(fd)
                fd = -1
                data(tmp)
                fd = os.open(tmp, os.O_RDONLY)
            else:
                _write_all(fd, data)
            _seal(fd, mode, owner)
        finally:
            if fd >= 0:
                os.close(fd)
        if expect is not None:  # as late as possible: right before the rename
            _check_unchanged(shown, final, expect)
        if exclusive:
            assert isinstance(data, bytes)
            _link_new(shown, tmp, final, data, mode)
        else:
            os.replace(tmp, final)
            tmp = None
    except VaultkitError:
        raise
    except Exception as exc:
        raise WriteError(f"cannot {'create' if exclusive else 'write'} {shown}: {_reason(exc)}") from exc
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
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
