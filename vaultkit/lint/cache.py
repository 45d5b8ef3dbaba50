"""The per-vault facts cache in ``.vaultkit_cache/``.

One cache file per key, as ruff keeps ``.ruff_cache/<version>/``: the key is the
vaultkit version and a hash of the *content* of vaultkit's own code, so two installs
of the same version (the pre-commit environment and a pipx install) share one warm
cache, and an edited development checkout gets its own. The file sits at
``.vaultkit_cache/<version>/facts-<code hash>.marshal``; the ``KEEP`` most recently
used files are kept and older ones removed, and the folder holds a ``.gitignore`` and a
``CACHEDIR.TAG`` (backup tools skip it). Each note's entry is keyed by its path,
size and mtime_ns, under a header that names the cache format, the version, the code
hash, a hash of the config and the name and version of each plugin that adds rules:
another config or other plugins discard the entries. A file whose mtime is too
close to the moment the cache was written (the "racy" case, where a change in
the same clock tick would not show) is checked by content hash instead, and so
is a file whose mtime changed but whose bytes did not (a checkout, a touch).
A corrupt or foreign cache file is discarded, never trusted.

The cache is data from disk, so it is checked before it is decoded: it must be a
regular file under the ``cache-size`` limit, and it carries a keyed BLAKE2 hash
under a key kept in the user's cache folder (outside the vault), so a cache that
vaultkit did not write here (copied in with a vault, crafted, or damaged) is
discarded without ever reaching ``marshal`` (which would allocate whatever counts
the bytes claim). Each decoded entry's shape is checked too; a cache that fails
either check is discarded and rebuilt, and a note on stderr says so.

The folders and files are opened through ``vault.safedir.ToolDir``: a cache folder
or file that is a symlink (a cloned vault can carry ``.vaultkit_cache -> .``) is
neither read nor written, and ``refused`` says why (the CLI prints it once).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import re
import stat
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs

from vaultkit.errors import ReadError, UnsafePathError, VaultkitError
from vaultkit.limits import active
from vaultkit.vault.capped import read_regular
from vaultkit.vault.safedir import ToolDir
from vaultkit.version import __version__

CACHE_DIR = ".vaultkit_cache"
GITIGNORE = b"# vaultkit's cache; safe to delete\n*\n"
FORMAT = 1
MAGIC = b"VKC2"
MAC_BYTES = 32
RACY_NS = 2_000_000_000  # mtimes within 2 s of the cache write are verified by hash


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


def cache_path(root: Path) -> Path:
    """This code's cache file in the vault at ``root``."""
    version = re.sub(r"[^\w.+-]", "_", __version__)
    return root / CACHE_DIR / version / f"facts-{code_fingerprint()}.marshal"


# An entry: (size, mtime_ns, sha1 hex, payload). The payload is the worker's output.
Entry = tuple[int, int, str, Any]


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _valid(entries: Any) -> bool:
    """Whether ``entries`` has the shape ``store`` writes: path -> (size, mtime_ns, sha1,
    (facts, urls, view blob, diagnostics blob))."""
    if not isinstance(entries, dict):
        return False
    for rel, entry in entries.items():
        if not (isinstance(rel, str) and isinstance(entry, tuple) and len(entry) == 4):
            return False
        size, mtime_ns, sha, payload = entry
        if not (isinstance(size, int) and isinstance(mtime_ns, int) and isinstance(sha, str)):
            return False
        if not (isinstance(payload, tuple) and len(payload) == 4):
            return False
        _facts, urls, view, diags = payload
        if not (isinstance(urls, tuple) and isinstance(view, bytes) and isinstance(diags, bytes)):
            return False
    return True


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


def _mac(body: bytes) -> bytes:
    return hashlib.blake2b(body, key=_key(), digest_size=MAC_BYTES).digest()


class FactsCache:
    def __init__(
        self,
        root: Path,
        config_digest: str,
        enabled: bool = True,
        plugins: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.root = root
        self.enabled = enabled
        self.path = cache_path(root)
        self.folder = self.path.parent.relative_to(root).as_posix()
        # (name, version) of each plugin: its rules' diagnostics are in the payloads
        self.header = (FORMAT, __version__, code_fingerprint(), config_digest, plugins)
        self.entries: dict[str, Entry] = {}
        self.written_ns = 0
        self.extra: dict[str, Any] = {}  # whole-vault results (see engine)
        self.dirty = False
        self.refused = ""  # why the cache folder could not be used safely, if it could not
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with ToolDir(self.root, self.folder, create=False) as folder:
                blob = folder.read(self.path.name, active().cache_size)
        except UnsafePathError as exc:
            self.refused, self.enabled = str(exc), False
            return
        except ReadError as exc:
            self._discard(str(exc))
            return
        except OSError:
            return
        if blob is None:
            return
        if not blob.startswith(MAGIC):
            self.dirty = True  # another cache format: rebuilt without a word
            if not blob.startswith(MAGIC[:3]):
                self._discard("it is not a vaultkit cache")
            return
        body = blob[len(MAGIC) + MAC_BYTES :]
        if not hmac.compare_digest(blob[len(MAGIC) : len(MAGIC) + MAC_BYTES], _mac(body)):
            self._discard("it was not written by vaultkit on this machine, or is damaged")
            return
        try:
            header, written_ns, entries, extra = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            self._discard("it does not decode")
            return
        if header != self.header:
            self.dirty = True  # another version or config: rebuilt without a word
            return
        if not (isinstance(written_ns, int) and isinstance(extra, dict) and _valid(entries)):
            self._discard("its entries are not of the shape vaultkit writes")
            return
        self.entries, self.written_ns, self.extra = entries, written_ns, extra
        with contextlib.suppress(OSError):
            os.utime(self.path)  # "recently used", for the clean-up of old cache files

    def _discard(self, why: str) -> None:
        print(f"{self.path}: discarded the cache ({why}); it is rebuilt", file=sys.stderr)
        self.dirty = True  # rewrite it on save

    def lookup(self, rel: str, st: os.stat_result) -> Any | None:
        """The cached payload when the file is unchanged, else None."""
        entry = self.entries.get(rel)
        if entry is None:
            return None
        size, mtime_ns, sha, payload = entry
        if size != st.st_size:
            return None
        if mtime_ns == st.st_mtime_ns and mtime_ns < self.written_ns - RACY_NS:
            return payload
        try:
            data, _ = read_regular(self.root / rel, active().note_size)
        except ReadError:
            return None
        if digest(data) != sha:
            return None
        self.entries[rel] = (size, st.st_mtime_ns, sha, payload)
        self.dirty = True
        return payload

    def store(self, rel: str, size: int, mtime_ns: int, sha: str, payload: Any) -> None:
        self.entries[rel] = (size, mtime_ns, sha, payload)
        self.dirty = True

    def prune(self, keep: set[str]) -> None:
        gone = [rel for rel in self.entries if rel not in keep]
        for rel in gone:
            del self.entries[rel]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        if not self.enabled or not self.dirty:
            return
        try:
            with ToolDir(self.root, CACHE_DIR) as folder:
                folder.create(".gitignore", GITIGNORE)
                folder.create("CACHEDIR.TAG", TAG.encode("utf-8"))
            with ToolDir(self.root, self.folder) as folder:
                body = marshal.dumps((self.header, time.time_ns(), self.entries, self.extra))
                folder.replace(self.path.name, MAGIC + _mac(body) + body)
        except VaultkitError as exc:
            self.refused = str(exc)
            return
        except OSError:
            return  # a read-only vault still gets checked, just not cached
        clean_up(self.root / CACHE_DIR, self.path)


def _real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # a symlink is never followed
    except OSError:
        return False


def clean_up(folder: Path, current: Path) -> None:
    """Remove cache files beyond the ``KEEP`` most recently used, and the cache file of
    vaultkit before per-key files (``facts.marshal``). Only regular files in real folders
    (never through a symlink) are removed."""
    if not _real_dir(folder):
        return
    found: list[tuple[int, Path]] = []
    with contextlib.suppress(OSError):
        legacy = folder / "facts.marshal"
        if stat.S_ISREG(os.lstat(legacy).st_mode):
            legacy.unlink()
    for sub in _entries(folder):
        if not _real_dir(sub):
            continue
        for path in _entries(sub):
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode) and path.name.startswith("facts-") and path != current:
                    found.append((st.st_mtime_ns, path))
    found.sort(reverse=True)
    for _, path in found[KEEP - 1 :]:
        with contextlib.suppress(OSError):
            path.unlink()
    for sub in _entries(folder):
        if _real_dir(sub):
            with contextlib.suppress(OSError):
                sub.rmdir()  # only when empty


def _entries(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder)]
    except OSError:
        return []
