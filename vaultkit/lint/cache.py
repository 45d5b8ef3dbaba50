"""The per-vault facts cache in ``.vaultkit_cache/``.

Each note's entry is keyed by its path, size and mtime_ns, under a header that
names the vaultkit version, the cache format, a fingerprint of vaultkit's own code
and a hash of the config: a cache written by other code (another version, or an
edited development checkout) or another config is discarded. A file whose mtime is too
close to the moment the cache was written (the "racy" case, where a change in
the same clock tick would not show) is checked by content hash instead, and so
is a file whose mtime changed but whose bytes did not (a checkout, a touch).
A corrupt or foreign cache file is discarded, never trusted.

The folder and its files are opened through ``vault.safedir.ToolDir``: a cache folder
or file that is a symlink (a cloned vault can carry ``.vaultkit_cache -> .``) is
neither read nor written, and ``refused`` says why (the CLI prints it once).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from vaultkit.errors import VaultkitError
from vaultkit.vault.safedir import ToolDir
from vaultkit.version import __version__

CACHE_DIR = ".vaultkit_cache"
CACHE_FILE = "facts.marshal"
GITIGNORE = b"# vaultkit's cache; safe to delete\n*\n"
FORMAT = 1
MAGIC = b"VKC1"
RACY_NS = 2_000_000_000  # mtimes within 2 s of the cache write are verified by hash


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the paths, sizes and mtimes of vaultkit's source files (a few ms)."""
    package = Path(__file__).parents[1]
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        digest.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


# An entry: (size, mtime_ns, sha1 hex, payload). The payload is the worker's output.
Entry = tuple[int, int, str, Any]


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


class FactsCache:
    def __init__(self, root: Path, config_digest: str, enabled: bool = True) -> None:
        self.root = root
        self.enabled = enabled
        self.path = root / CACHE_DIR / CACHE_FILE
        self.header = (FORMAT, __version__, code_fingerprint(), config_digest)
        self.entries: dict[str, Entry] = {}
        self.written_ns = 0
        self.extra: dict[str, Any] = {}  # whole-vault results (see engine)
        self.dirty = False
        self.refused = ""  # why the cache folder could not be used safely, if it could not
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with ToolDir(self.root, CACHE_DIR, create=False) as folder:
                found = folder.read(CACHE_FILE)
        except VaultkitError as exc:
            self.refused, self.enabled = str(exc), False
            return
        except OSError:
            return
        if found is None:
            return
        blob = found
        try:
            if not blob.startswith(MAGIC):
                raise ValueError("not a vaultkit cache")
            header, written_ns, entries, extra = marshal.loads(blob[len(MAGIC) :])
            if tuple(header) != self.header or not isinstance(entries, dict):
                raise ValueError("foreign cache")
        except (ValueError, EOFError, TypeError):
            self.dirty = True  # rewrite it on save
            return
        self.entries, self.written_ns, self.extra = entries, written_ns, extra

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
            data = (self.root / rel).read_bytes()
        except OSError:
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
                blob = MAGIC + marshal.dumps((self.header, time.time_ns(), self.entries, self.extra))
                folder.replace(CACHE_FILE, blob)
        except VaultkitError as exc:
            self.refused = str(exc)
        except OSError:
            return  # a read-only vault still gets checked, just not cached
