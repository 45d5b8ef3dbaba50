"""``--format sqlite``: a database for the sqlite3 shell and Datasette (stdlib sqlite3).

Tables:

- ``resources``: one row per canonical URL, with ``tags`` and ``similar`` as JSON
  arrays, ``sections`` (the distinct section paths, one per line) and ``metadata``
  (the distinct ``key: value`` lines) as text for full-text search;
- ``occurrences``: one row per occurrence (``resource_id`` → ``resources.id``),
  ``section`` joined with `` > ``, ``tags`` and ``metadata`` as JSON;
- ``notes``: one row per note, ``frontmatter`` and ``tags`` as JSON;
- ``links``: the wikilink graph, one row per (source note, target note);
- ``meta``: ``version``, ``generated`` and ``vault``;
- ``resources_fts``: FTS5 over ``title``, ``sections`` and ``metadata``, with
  ``resources`` as its content table (``rowid`` = ``resources.id``), so
  ``SELECT title FROM resources_fts WHERE resources_fts MATCH 'attention'`` works
  and Datasette offers a search box on ``resources``.

The database is written into a temp file beside the target, then renamed over it
(see ``vault.write.write_atomic``); the same export gives the same bytes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from typing import Any

from vaultkit.exporting.build import SECTION_SEP, Export
from vaultkit.exporting.resources import Resource

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    similar TEXT NOT NULL,
    occurrence_count INTEGER NOT NULL,
    sections TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE TABLE notes (
    path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    frontmatter TEXT NOT NULL,
    tags TEXT NOT NULL
);
CREATE TABLE occurrences (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    note TEXT NOT NULL,
    line INTEGER NOT NULL,
    section TEXT NOT NULL,
    title TEXT,
    tags TEXT NOT NULL,
    difficulty TEXT,
    metadata TEXT NOT NULL,
    commented INTEGER NOT NULL
);
CREATE INDEX occurrences_resource ON occurrences(resource_id);
CREATE INDEX occurrences_note ON occurrences(note);
CREATE TABLE links (
    source TEXT NOT NULL REFERENCES notes(path),
    target TEXT NOT NULL,
    PRIMARY KEY (source, target)
);
CREATE VIRTUAL TABLE resources_fts USING fts5(
    title, sections, metadata,
    content="resources", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
"""


def fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_sqlite(export: Export, path: str) -> None:
    """Build the database in the (new, empty) file ``path``."""
    db = sqlite3.connect(path)
    try:
        # A temp file, discarded on failure: no journal, no syncs until the caller's fsync.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(SCHEMA)
        with db:
            _fill(db, export)
    except sqlite3.Error as exc:
        raise OSError(f"SQLite: {exc}") from exc
    finally:
        db.close()


def _fill(db: sqlite3.Connection, export: Export) -> None:
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("version", str(export.version)),
            ("generated", export.generated),
            ("vault", export.vault),
        ],
    )
    db.executemany(
        "INSERT INTO notes VALUES (?, ?, ?, ?)",
        ((n.path, n.title, _json(n.frontmatter), _json(n.tags)) for n in export.notes),
    )
    db.executemany("INSERT INTO links VALUES (?, ?)", ((n.path, t) for n in export.notes for t in n.links_to))
    db.executemany(
        "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_resource_row(rid, r) for rid, r in enumerate(export.resources, start=1)),
    )
    db.executemany(
        "INSERT INTO occurrences (resource_id, note, line, section, title, tags, difficulty, "
        "metadata, commented) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                rid,
                o.note,
                o.line,
                SECTION_SEP.join(o.section),
                o.title,
                _json(o.tags),
                o.difficulty,
                _json(o.metadata),
                int(o.commented),
            )
            for rid, r in enumerate(export.resources, start=1)
            for o in r.occurrences
        ),
    )
    db.execute(
        "INSERT INTO resources_fts (rowid, title, sections, metadata) "
        "SELECT id, title, sections, metadata FROM resources"
    )


def _resource_row(rid: int, r: Resource) -> tuple[Any, ...]:
    sections = dict.fromkeys(SECTION_SEP.join(o.section) for o in r.occurrences)
    meta = dict.fromkeys(f"{k}: {v}" for o in r.occurrences for k, v in o.metadata.items())
    return (
        rid,
        r.canonical_url,
        r.url,
        r.title,
        _json(r.tags),
        _json(r.similar),
        len(r.occurrences),
        "\n".join(s for s in sections if s),
        "\n".join(meta),
    )


def render_sqlite(export: Export) -> bytes:
    """The database file's bytes (for tests and small exports)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export.db")
        write_sqlite(export, path)
        with open(path, "rb") as handle:
            return handle.read()
