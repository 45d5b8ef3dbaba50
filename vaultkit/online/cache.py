"""SQLite cache of URL verdicts. Used from one thread (the dispatcher) only.

The file carries vaultkit's SQLite ``application_id`` (``VKON``). An existing file is
opened only when it is vaultkit's own cache (that id, or a cache written before the
id was set: id 0, ``user_version`` 0 or 1 and exactly the ``results`` table); anything
else (a text file, another program's database) is never touched: ``--cache FILE``
refuses it with a message, and the default cache is then simply not used.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from vaultkit.online.settings import Outcome

_VERSION = 1
APPLICATION_ID = 0x564B4F4E  # "VKON"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_COLUMNS = ("url", "outcome", "status", "final_url", "permanent", "cause", "checked_at")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    url TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    status INTEGER,
    final_url TEXT,
    permanent INTEGER NOT NULL,
    cause TEXT NOT NULL,
    checked_at REAL NOT NULL
)
"""
_CACHED: frozenset[str] = frozenset({"ok", "redirected", "dead", "unverifiable"})
_BATCH = 200  # rows per commit


def default_cache_path() -> Path:
    return Path(platformdirs.user_cache_dir("vaultkit")) / "online.sqlite"


@dataclass(frozen=True)
class Entry:
    url: str
    outcome: Outcome
    status: int | None
    final_url: str | None
    permanent: bool
    cause: str
    checked_at: float


def foreign_reason(path: Path) -> str | None:
    """Why ``path`` is not a file vaultkit may use as its URL cache; None when it may
    (it is absent, or it is vaultkit's own cache). Reads only; changes nothing."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)  # the SQLite header
    except FileNotFoundError:
        return None if not os.path.lexists(path) else "it is a dangling symlink"
    except IsADirectoryError:
        return "it is a folder"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    if head[68:72] == APPLICATION_ID.to_bytes(4, "big") and head.startswith(_SQLITE_MAGIC):
        return None  # ours, even if damaged further in (then it is rebuilt)
    if not head.startswith(_SQLITE_MAGIC):
        return "it exists and is not an SQLite database" if head else "it exists (an empty file)"
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            columns = tuple(r[1] for r in db.execute("PRAGMA table_info(results)"))
        finally:
            db.close()
    except sqlite3.Error as exc:
        return f"it cannot be read as SQLite ({exc})"
    if app_id == 0 and version in (0, _VERSION) and tables == ["results"] and columns == _COLUMNS:
        return None  # written by a vaultkit from before the application_id
    listed = ", ".join(tables[:5]) or "none"
    return f"it is an SQLite database of another program (application_id {app_id}, tables: {listed})"


class ResultCache:
    """Never raises: a corrupt file is replaced, an unusable one disables caching."""

    def __init__(self, path: Path, ttl_ok_s: float, ttl_fail_s: float) -> None:
        self.path = path
        self.ttl_ok_s = ttl_ok_s
        self.ttl_fail_s = ttl_fail_s
        self._db: sqlite3.Connection | None = None
        self._pending: list[Entry] = []
        if foreign_reason(path) is not None:
            return  # not ours: never opened, so never changed
        try:
            self._db = self._open()
        except sqlite3.Error as exc:
            self._db = self._recreate() if _corrupt(exc) else None
        except OSError:
            self._db = None  # e.g. unwritable cache directory: run without a cache

    def _open(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version not in (0, _VERSION):  # our own file (checked), in another format
                db.execute("DROP TABLE IF EXISTS results")
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={_VERSION}")
            db.execute("SELECT count(*) FROM results").fetchone()
            db.commit()
            return db
        except BaseException:
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            raise

    def _recreate(self) -> sqlite3.Connection | None:
        """Discard a damaged cache file and start afresh."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()
        try:
            return self._open()
        except (sqlite3.Error, OSError):
            return None

    def _failed(self, exc: sqlite3.Error) -> None:
        """Replace a corrupt file; on other errors (locked, read-only) stop caching."""
        if _corrupt(exc):
            self._db = self._recreate()
        else:
            self.close_quietly()

    def close_quietly(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def fresh(self, urls: Iterable[str], now: float) -> dict[str, Entry]:
        """Entries for `urls` still within their TTL."""
        keys = list(urls)
        found: dict[str, Entry] = {}
        for start in range(0, len(keys), 500):
            if self._db is None:
                break
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT * FROM results WHERE url IN ({marks})"
            try:
                rows = self._db.execute(sql, chunk).fetchall()
            except sqlite3.Error as exc:
                self._failed(exc)
                return {}
            for url, outcome, status, final_url, permanent, cause, checked_at in rows:
                if outcome not in _CACHED:
                    continue
                ttl = self.ttl_ok_s if outcome in ("ok", "redirected") else self.ttl_fail_s
                age = now - float(checked_at)
                if 0 <= age < ttl:
                    found[url] = Entry(url, outcome, status, final_url, bool(permanent), cause, checked_at)
        return found

    def put(self, entry: Entry) -> None:
        if self._db is None or entry.outcome not in _CACHED:
            return
        self._pending.append(entry)
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        rows = [
            (e.url, e.outcome, e.status, e.final_url, int(e.permanent), e.cause, e.checked_at)
            for e in self._pending
        ]
        self._pending = []
        if self._db is None or not rows:
            return
        sql = "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)"
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            self._failed(exc)  # losing this batch is fine; crashing is not

    def close(self) -> None:
        self.flush()
        self.close_quietly()


def _corrupt(exc: sqlite3.Error) -> bool:
    """Damage to the file itself, as opposed to locking or permissions."""
    if isinstance(exc, sqlite3.OperationalError):
        return "malformed" in str(exc) or "not a database" in str(exc)
    return isinstance(exc, sqlite3.DatabaseError)


def lookup_readonly(path: Path, urls: Iterable[str]) -> tuple[str, int | None, str | None] | None:
    """The cached (outcome, status, final URL) of the first of ``urls`` found, read-only:
    the file is never created, changed or repaired (the language server's hover uses it)."""
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        for url in urls:
            row = db.execute(
                "SELECT outcome, status, final_url FROM results WHERE url = ?", (url,)
            ).fetchone()
            if row is not None:
                return str(row[0]), row[1], row[2]
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return None
