"""The export's working set on disk: a private temporary SQLite file.

Each note's occurrences and entry are written as its worker returns them, so the
export never holds every occurrence at once: resources are read back one canonical URL
at a time (:meth:`Spill.groups`), and a writer that needs a second pass (JSON, whose
similar lists are only known once every title is) keeps its encoded lines here too.

The file is SQLite's own temporary database (``connect("")``): made in the system's
temporary folder, never in the vault, and deleted when closed. Text keys are stored
as UTF-8 bytes with surrogates passed through (a name that is not UTF-8), which sort
in code point order, as Python sorts ``str``.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from vaultkit.exporting.roles import ROLE_MAX_WORDS, ROLE_MIN_URLS
from vaultkit.exporting.text import fold

_SCHEMA = """
CREATE TABLE occ (canon BLOB NOT NULL, note INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE roles (key BLOB NOT NULL, canon BLOB NOT NULL);
CREATE TABLE notes (i INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE texts (i INTEGER PRIMARY KEY, text TEXT NOT NULL);
"""
CACHE_KB = 16_384  # SQLite's page cache; beyond it, the file (and the OS) hold the rest


def _key(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(key: bytes) -> str:
    return key.decode("utf-8", "surrogatepass")


class Spill:
    """Occurrences (as tuples, see ``worker``), note entries and encoded lines."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{CACHE_KB}"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")

    def add(self, note: int, entry: tuple[Any, ...], occurrences: list[tuple[Any, ...]]) -> None:
        """Note number ``note``'s entry and occurrences (``canonical_url`` second, the
        title sixth, as the worker sends them)."""
        self.db.execute("INSERT INTO notes VALUES (?, ?)", (note, marshal.dumps(entry)))
        self.db.executemany(
            "INSERT INTO occ VALUES (?, ?, ?)", ((_key(o[1]), note, marshal.dumps(o)) for o in occurrences)
        )
        self.db.executemany("INSERT INTO roles VALUES (?, ?)", _role_rows(occurrences))

    def roles(self) -> frozenset[str]:
        """The folded titles of at most ``ROLE_MAX_WORDS`` words on at least
        ``ROLE_MIN_URLS`` different URLs: roles by frequency (see ``roles``)."""
        rows = self.db.execute(
            "SELECT key FROM roles GROUP BY key HAVING count(DISTINCT canon) >= ?", (ROLE_MIN_URLS,)
        )
        return frozenset(_text(k) for (k,) in rows)

    def groups(self) -> Iterator[tuple[str, list[tuple[int, tuple[Any, ...]]]]]:
        """Each canonical URL, in order, with its (note number, occurrence) rows in the
        order they were added."""
        canon: bytes | None = None
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for key, note, data in self.db.execute("SELECT canon, note, data FROM occ ORDER BY canon, rowid"):
            if key != canon:
                if canon is not None:
                    yield _text(canon), rows
                canon, rows = key, []
            rows.append((note, marshal.loads(data)))
        if canon is not None:
            yield _text(canon), rows

    def notes(self) -> Iterator[tuple[Any, ...]]:
        """The note entries, by note number."""
        for (data,) in self.db.execute("SELECT data FROM notes ORDER BY i"):
            yield marshal.loads(data)

    def keep_texts(self, texts: Iterable[str]) -> None:
        """Replace the kept lines with ``texts`` (numbered from 0)."""
        self.db.execute("DELETE FROM texts")
        self.db.executemany("INSERT INTO texts VALUES (?, ?)", enumerate(texts))

    def texts(self) -> Iterator[tuple[int, str]]:
        yield from self.db.execute("SELECT i, text FROM texts ORDER BY i")

    def close(self) -> None:
        self.db.close()


def _role_rows(occurrences: list[tuple[Any, ...]]) -> Iterator[tuple[bytes, bytes]]:
    for o in occurrences:
        title = o[5]
        if title:
            key = fold(title)
            if len(key.split()) <= ROLE_MAX_WORDS:
                yield _key(key), _key(o[1])
