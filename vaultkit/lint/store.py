"""The facts index in ``.vaultkit_cache/``: an SQLite file in WAL mode, queried, not loaded.

A run reads the small ``files`` table (path, size, mtime, content hash: one row a
note) to see which notes changed, parses only those, and writes their rows in one
transaction. Everything else is read by key when a rule asks for it: a linked note's
headings and block ids (``notes.facts``), who else holds a URL (``urls``), what an
alias names (``aliases``), which notes link to a name (``links``, for renames and
deletions), a target's findings (``notes.diags``, ``vdiags``). ``rows_read`` counts
the rows read from the keyed tables, so a test can hold a one-file run to what it needs.

Trust: the file is data from disk. It must be a plain file (never a link) in a real
folder (``ToolDir``) under the ``cache-size`` limit, with exactly vaultkit's schema,
and opened with ``trusted_schema`` off. Its header (format, version, code hash, config,
plugins) and every marshal blob carry a keyed BLAKE2 hash (``cache.seal``), so a
database vaultkit did not write here, or a row edited behind its back, never reaches
``marshal``. A crash mid-write leaves the last committed state (SQLite's WAL); a file
that does not open or fails a check is discarded, with a note on stderr, and rebuilt.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from vaultkit.errors import UnsafePathError, VaultkitError
from vaultkit.limits import active
from vaultkit.lint.cache import (
    CACHE_DIR,
    GITIGNORE,
    TAG,
    clean_up,
    code_fingerprint,
    seal,
    store_path,
    unseal,
)
from vaultkit.lint.cells import Broken, as_key, from_key, grouped, loads, opened, tag
from vaultkit.lint.payload import Payload
from vaultkit.vault.safedir import ToolDir
from vaultkit.version import __version__

FORMAT = 3
BUSY_MS = 30_000  # how long a run waits for another run's write to finish
CHUNK = 500  # keys per ``IN (...)`` query
SCHEMA = {
    "meta": "CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID",
    "files": "CREATE TABLE files(rel BLOB PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
    "sha TEXT, seen_ns INTEGER, visible BLOB, urls BLOB) WITHOUT ROWID",
    "notes": "CREATE TABLE notes(rel BLOB PRIMARY KEY, facts BLOB, urls BLOB, view BLOB, diags BLOB)",
    "vdiags": "CREATE TABLE vdiags(rel BLOB PRIMARY KEY, sig TEXT, diags BLOB)",
    "urls": "CREATE TABLE urls(url BLOB, rel BLOB, PRIMARY KEY(url, rel)) WITHOUT ROWID",
    "urls_rel": "CREATE INDEX urls_rel ON urls(rel)",
    "aliases": "CREATE TABLE aliases(key BLOB, rel BLOB, PRIMARY KEY(key, rel)) WITHOUT ROWID",
    "aliases_rel": "CREATE INDEX aliases_rel ON aliases(rel)",
    "links": "CREATE TABLE links(key BLOB, rel BLOB, PRIMARY KEY(key, rel)) WITHOUT ROWID",
    "links_rel": "CREATE INDEX links_rel ON links(rel)",
}
BY_REL = ("notes", "vdiags", "urls", "aliases", "links", "files")


class FileRow(NamedTuple):
    size: int
    mtime_ns: int
    sha: str
    seen_ns: int
    visible: bytes  # a hash of what other notes see of this one (facts and URLs)
    urls: bytes  # a hash of its URLs


class Fresh(NamedTuple):
    """A note parsed in this run, as the store keeps it."""

    rel: str
    file: FileRow
    payload: Payload
    aliases: tuple[str, ...]  # folded
    links: tuple[str, ...]  # the folded last names its links point at


class Store:
    """One vault's index; ``enabled=False`` keeps it in memory for this run only."""

    def __init__(
        self, root: Path, config_digest: str, enabled: bool = True, plugins: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.root = root
        self.path = store_path(root)
        self.folder = self.path.parent.relative_to(root).as_posix()
        self.header = marshal.dumps((FORMAT, __version__, code_fingerprint(), config_digest, plugins), 2)
        self.refused = ""  # why the cache folder could not be used, if it could not
        self.rows_read = 0
        self.unsaved = ""  # why this run's writes were given up, if they were
        self.db = self._open() if enabled else None
        if self.db is None:
            self.db = self._connect(":memory:")
            self._create()

    # --- opening ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        try:
            self._check_files()
            with ToolDir(self.root, CACHE_DIR) as top:
                top.create(".gitignore", GITIGNORE)
                top.create("CACHEDIR.TAG", TAG.encode("utf-8"))
            with ToolDir(self.root, self.folder) as folder:
                if folder.size(self.path.name) > active().cache_size:
                    self._discard(folder, f"it is over the {active().cache_size}-byte cache-size limit")
        except (UnsafePathError, VaultkitError) as exc:
            self.refused = str(exc)
            return None
        except OSError:
            return None  # a read-only vault is still checked, just not cached
        db = self._attach()
        if db is not None:
            clean_up(self.root / CACHE_DIR, self.path)
        return db

    def _check_files(self) -> None:
        """Refuse, before anything is written, a cache folder or file that is a link."""
        try:
            folder = ToolDir(self.root, self.folder, create=False)
        except FileNotFoundError:
            return
        with folder:
            for suffix in ("", "-wal", "-shm"):
                folder.ensure_plain(self.path.name + suffix)

    def _attach(self) -> sqlite3.Connection | None:
        for attempt in range(2):
            try:
                db = self._connect(str(self.path))
                why = self._verify(db)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return None  # another run holds it longer than we wait: not cached
                why = f"it does not open ({exc})"
            except sqlite3.DatabaseError as exc:
                why = f"it does not open ({exc})"
            if not why:
                return db
            with contextlib.suppress(NameError, sqlite3.Error):
                db.close()
            if attempt == 0:
                with contextlib.suppress(OSError, VaultkitError), ToolDir(self.root, self.folder) as folder:
                    self._discard(folder, why)
        return None

    @staticmethod
    def _connect(where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA trusted_schema = OFF")
        db.execute("PRAGMA cell_size_check = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        db.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: consistent after any crash
        db.execute("PRAGMA wal_autocheckpoint = 16384")  # pages: fewer copies while a cold run writes
        return db

    def _verify(self, db: sqlite3.Connection) -> str:
        """Why ``db`` can't be used ("" when it can); an empty file gets the schema."""
        found = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        if not found:
            db.execute("PRAGMA journal_mode = WAL")
            self._create(db)
            return ""
        if found != SCHEMA:
            return "its tables are not the ones vaultkit makes"
        db.execute("PRAGMA journal_mode = WAL")
        row = db.execute("SELECT v FROM meta WHERE k = 'header'").fetchone()
        header = unseal(b"header", row[0]) if row and isinstance(row[0], bytes) else None
        if header is None:
            return "it was not written by vaultkit on this machine, or is damaged"
        if header != self.header:  # another config or plugins: start again, without a word
            with self.writing(db):
                for table in BY_REL:
                    db.execute(f"DELETE FROM {table}")
                db.execute("REPLACE INTO meta VALUES ('header', ?)", (seal(b"header", self.header),))
                db.execute("DELETE FROM meta WHERE k != 'header'")
        return ""

    def _create(self, db: sqlite3.Connection | None = None) -> None:
        db = db or self.conn
        with self.writing(db):  # another run may make them at the same moment
            for sql in SCHEMA.values():
                db.execute(
                    sql.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1).replace(
                        "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1
                    )
                )
            db.execute("INSERT OR IGNORE INTO meta VALUES ('header', ?)", (seal(b"header", self.header),))

    def _discard(self, folder: ToolDir, why: str) -> None:
        print(f"{self.path}: discarded the cache ({why}); it is rebuilt", file=sys.stderr)
        for suffix in ("", "-wal", "-shm"):
            folder.remove(self.path.name + suffix)

    @property
    def conn(self) -> sqlite3.Connection:
        assert self.db is not None
        return self.db

    @contextlib.contextmanager
    def writing(self, db: sqlite3.Connection | None = None) -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``: the write lock from the start). A
        write that can't be made (the disk is full, another run held the lock too long)
        is given up, with a notice: the run goes on, and the next one writes again."""
        db = db or self.conn
        if db.in_transaction:
            yield
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            yield
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self.unsaved = f"the cache was not updated ({exc})"
        except sqlite3.DatabaseError as exc:
            raise Broken(str(exc)) from exc

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Writes that this run sees and then drops (a note given as text is not kept)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self.unsaved = f"the cache was not read ({exc})"
            yield
            return
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    # --- reading ---------------------------------------------------------------------

    def files(self) -> dict[str, FileRow]:
        """Every file's row: what the run compares with the disk."""
        make = tuple.__new__  # a NamedTuple's own __new__ is Python, and this is every note's row
        return {from_key(r[0]): make(FileRow, r[1:]) for r in self._query("SELECT * FROM files", ())}

    def payloads(self, rels: Iterable[str]) -> dict[str, Payload]:
        out = {}
        for key, *blobs in self._keyed("SELECT * FROM notes WHERE rel IN ({})", rels):
            rel = from_key(key)
            f, u, v, d = (opened(rel, c, b) for c, b in zip("fuvd", blobs, strict=True))
            out[rel] = Payload(loads(f), loads(u), v, d)
        return out

    def diags(self, rels: Iterable[str]) -> dict[str, bytes]:
        rows = self._keyed("SELECT rel, diags FROM notes WHERE rel IN ({})", rels)
        return {(rel := from_key(key)): opened(rel, "d", blob) for key, blob in rows}

    def facts(self, rels: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        rows = self._keyed("SELECT rel, facts FROM notes WHERE rel IN ({})", rels)
        return {(rel := from_key(key)): loads(opened(rel, "f", blob)) for key, blob in rows}

    def url_holders(self, urls: Iterable[str]) -> dict[str, list[str]]:
        return grouped(self._keyed("SELECT url, rel FROM urls WHERE url IN ({}) ORDER BY url, rel", urls))

    def url_holders_all(self) -> dict[str, list[str]]:
        rows = self._query("SELECT url, rel FROM urls ORDER BY url, rel", ()).fetchall()
        self.rows_read += len(rows)
        return grouped(rows)

    def facts_all(self) -> dict[str, tuple[Any, ...]]:
        rows = self._query("SELECT rel, facts FROM notes", ()).fetchall()
        self.rows_read += len(rows)
        return {(rel := from_key(key)): loads(opened(rel, "f", blob)) for key, blob in rows}

    def shared_urls(self) -> dict[str, list[str]]:
        """Every URL held by more than one note, with its notes (for the boilerplate rule)."""
        sql = (
            "SELECT url, rel FROM urls WHERE url IN "
            "(SELECT url FROM urls GROUP BY url HAVING count(*) > 1) ORDER BY url, rel"
        )
        rows = self._query(sql, ()).fetchall()
        self.rows_read += len(rows)
        return grouped(rows)

    def alias_owners(self, keys: Iterable[str]) -> dict[str, str]:
        sql = "SELECT key, rel FROM aliases WHERE key IN ({}) ORDER BY key, rel"
        return {key: rels[0] for key, rels in grouped(self._keyed(sql, keys)).items()}

    def linking(self, keys: Iterable[str]) -> set[str]:
        """The notes with a link whose last name is one of ``keys``."""
        return {from_key(r[0]) for r in self._keyed("SELECT DISTINCT rel FROM links WHERE key IN ({})", keys)}

    def vault_diags(self, rels: Iterable[str], sig: str) -> dict[str, bytes]:
        rows = self._keyed("SELECT * FROM vdiags WHERE rel IN ({})", rels)
        return {
            (rel := from_key(key)): opened(rel, "x", blob) for key, row_sig, blob in rows if row_sig == sig
        }

    def meta(self, key: str) -> Any:
        row = self._query("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        body = unseal(key.encode(), row[0]) if row else None
        return None if body is None else loads(body)

    def set_meta(self, key: str, value: Any) -> None:
        blob = seal(key.encode(), marshal.dumps(value, 2))
        self.conn.execute("REPLACE INTO meta VALUES (?, ?)", (key, blob))

    def _keyed(self, sql: str, keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        wanted = [as_key(k) for k in dict.fromkeys(keys)]
        for i in range(0, len(wanted), CHUNK):
            part = wanted[i : i + CHUNK]
            for row in self._query(sql.format(",".join("?" * len(part))), part):
                self.rows_read += 1
                yield row

    def _query(self, sql: str, args: Iterable[Any]) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, tuple(args))
        except sqlite3.DatabaseError as exc:
            raise Broken(str(exc)) from exc

    # --- writing ---------------------------------------------------------------------

    def put(self, fresh: list[Fresh]) -> None:
        """Write the rows of the notes parsed in this run (the old URL, alias and link rows
        of those that had rows go first: asked inside the write, so another run's rows too)."""
        if not fresh:
            return
        had = [
            from_key(r[0])
            for r in self._keyed("SELECT rel FROM files WHERE rel IN ({})", (f.rel for f in fresh))
        ]
        self.rows_read -= len(had)  # bookkeeping, not a read of what rules need
        self._drop(had, ("urls", "aliases", "links", "vdiags"))
        db = self.conn
        db.executemany(
            "REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", [(as_key(f.rel), *f.file) for f in fresh]
        )
        db.executemany("REPLACE INTO notes VALUES (?, ?, ?, ?, ?)", [_note_row(f) for f in fresh])
        for table, keys in (("urls", 0), ("aliases", 1), ("links", 2)):
            rows = [
                (as_key(k), as_key(f.rel))
                for f in fresh
                for k in set((f.payload.urls, f.aliases, f.links)[keys])
            ]
            db.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)

    def seen(self, rows: dict[str, FileRow]) -> None:
        """Rows whose file was verified by content hash: their new mtime and time seen."""
        self.conn.executemany(
            "UPDATE files SET mtime_ns = ?, seen_ns = ? WHERE rel = ?",
            [(r.mtime_ns, r.seen_ns, as_key(rel)) for rel, r in rows.items()],
        )

    def prune(self, gone: Iterable[str]) -> None:
        self._drop(list(gone), BY_REL)

    def put_vault_diags(self, sig: str, diags: dict[str, bytes]) -> None:
        self.conn.executemany(
            "REPLACE INTO vdiags VALUES (?, ?, ?)",
            [(as_key(rel), sig, seal(tag(rel, "x"), blob)) for rel, blob in diags.items()],
        )

    def _drop(self, rels: list[str], tables: Iterable[str]) -> None:
        keys = [as_key(r) for r in rels]
        for table in tables:
            for i in range(0, len(keys), CHUNK):
                part = keys[i : i + CHUNK]
                self.conn.execute(f"DELETE FROM {table} WHERE rel IN ({','.join('?' * len(part))})", part)


def _note_row(f: Fresh) -> tuple[Any, ...]:
    p = f.payload
    blobs = (marshal.dumps(p.facts, 2), marshal.dumps(p.urls, 2), p.view, p.diags)
    return (as_key(f.rel), *(seal(tag(f.rel, c), b) for c, b in zip("fuvd", blobs, strict=True)))


def discard(root: Path) -> None:
    """Remove this code's index file in the vault at ``root`` (never through a link)."""
    path = store_path(root)
    where = path.parent.relative_to(root).as_posix()
    with contextlib.suppress(OSError, VaultkitError), ToolDir(root, where, create=False) as folder:
        for suffix in ("", "-wal", "-shm"):
            folder.remove(path.name + suffix)
