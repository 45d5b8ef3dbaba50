"""What the facts index in ``.vaultkit_cache/`` (``lint.store``) keys and seals itself with.

One index file per key, as ruff keeps ``.ruff_cache/<version>/``: the key is the
vaultkit version and a hash of the *content* of vaultkit's own code, so two installs
of the same version (the pre-commit environment and a pipx install) share one warm
index, and an edited development checkout gets its own. The file sits at
``.vaultkit_cache/<version>/index-<code hash>.sqlite``; the ``KEEP`` most recently
used are kept and older ones (and the marshal files of earlier versions) removed, and
the folder holds a ``.gitignore`` and a ``CACHEDIR.TAG`` (backup tools skip it).

``seal`` prefixes a blob with a keyed BLAKE2 hash under a key kept in the user's cache
folder (outside the vault); ``unseal`` gives the blob back only when the hash is
right, so bytes that vaultkit did not write here never reach ``marshal`` (which would
allocate whatever counts the bytes claim).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import stat
from functools import lru_cache
from pathlib import Path

import platformdirs

from vaultkit.errors import ReadError
from vaultkit.vault.capped import read_regular
from vaultkit.version import __version__

CACHE_DIR = ".vaultkit_cache"
GITIGNORE = b"# vaultkit's cache; safe to delete\n*\n"
MAC_BYTES = 16
RACY_NS = 2_000_000_000  # mtimes within 2 s of the time a file was seen are verified by hash


KEEP = 3  # cache files kept (the most recently used), for installs that alternate
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by vaultkit.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the paths and bytes of vaultkit's source files (about 1 ms): the same for
    every install of the same code, whatever the files' mtimes."""
    package = Path(__file__).parents[1]
    h = hashlib.sha1(usedforsecurity=False)
    for path in sorted(package.rglob("*.py")):
        h.update(f"{path.relative_to(package).as_posix()}\0".encode())
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def store_path(root: Path) -> Path:
    """This code's index file in the vault at ``root``."""
    version = re.sub(r"[^\w.+-]", "_", __version__)
    return root / CACHE_DIR / version / f"index-{code_fingerprint()}.sqlite"


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@lru_cache(maxsize=1)
def _key() -> bytes:
    """This user's key for the cache's keyed hash, made on first use (mode 0600)."""
    path = Path(platformdirs.user_cache_dir("vaultkit")) / "facts-key"
    for _attempt in range(2):
        with contextlib.suppress(ReadError):
            key, _ = read_regular(path, 64)
            if len(key) == 32:
                return key
        key = os.urandom(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue  # another run made it meanwhile: read that one
        except OSError:
            return key  # no place to keep it: the cache lasts this run only
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    return os.urandom(32)


def seal(tag: bytes, body: bytes) -> bytes:
    """``body`` behind a keyed hash of ``tag`` (what it is, and whose) and ``body``."""
    return _mac(tag, body) + body


def unseal(tag: bytes, blob: object) -> bytes | None:
    """The body of a sealed ``blob`` when its hash is right, else None."""
    if not isinstance(blob, bytes) or len(blob) < MAC_BYTES:
        return None
    body = blob[MAC_BYTES:]
    return body if hmac.compare_digest(blob[:MAC_BYTES], _mac(tag, body)) else None


@lru_cache(maxsize=1)
def _keyed() -> hashlib.blake2b:
    return hashlib.blake2b(key=_key(), digest_size=MAC_BYTES)


def _mac(tag: bytes, body: bytes) -> bytes:
    h = _keyed().copy()  # the key block already hashed
    h.update(tag)
    h.update(b"\0")
    h.update(body)
    return h.digest()


def _real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # a symlink is never followed
    except OSError:
        return False


def clean_up(folder: Path, current: Path) -> None:
    """Remove index files beyond the ``KEEP`` most recently used (with their ``-wal`` and
    ``-shm``), and every marshal cache file of earlier versions. Only regular files in
    real folders (never through a symlink) are removed."""
    if not _real_dir(folder):
        return
    with contextlib.suppress(OSError):
        os.utime(current)  # "recently used"
    found: list[tuple[int, Path]] = []
    old = [folder / "facts.marshal"]
    for sub in filter(_real_dir, _entries(folder)):
        for path in _entries(sub):
            if path.name.startswith("facts-") and path.name.endswith(".marshal"):
                old.append(path)
            elif path.name.startswith("index-") and path.name.endswith(".sqlite") and path != current:
                with contextlib.suppress(OSError):
                    if stat.S_ISREG((st := os.lstat(path)).st_mode):
                        found.append((st.st_mtime_ns, path))
    found.sort(reverse=True)
    for path in [*old, *(p for _, p in found[KEEP - 1 :])]:
        for name in (path.name, path.name + "-wal", path.name + "-shm"):
            _remove_plain(path.with_name(name))
    for sub in filter(_real_dir, _entries(folder)):
        with contextlib.suppress(OSError):
            sub.rmdir()  # only when empty


def _remove_plain(path: Path) -> None:
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.lstat(path).st_mode):
            path.unlink()


def _entries(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder)]
    except OSError:
        return []
