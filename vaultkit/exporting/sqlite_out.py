"""``--format sqlite``: a database for the sqlite3 shell and Datasette (stdlib sqlite3).

Tables (Datasette shows each with its description, from :mod:`datasette_meta`):

- ``resources``: one row per canonical URL, with ``tags`` and ``similar`` as JSON
  arrays, ``host``, ``boilerplate`` (0/1), and as text for full-text search
  ``sections`` (the distinct section paths), ``description`` (the distinct
  descriptions), ``metadata`` (the distinct ``key: value`` lines) and ``notes`` (the
  notes' paths and titles), one per line;
- ``occurrences``: one row per occurrence (``resource_id`` → ``resources.id``,
  ``note`` → ``notes.path``), ``section`` joined with `` > ``, ``tags`` and
  ``metadata`` as JSON;
- ``notes``: one row per note, ``frontmatter`` and ``tags`` as JSON;
- ``links``: every wikilink, embed and markdown link from a note to a note or an
  attachment, with its line, ``embed``, the ``resolved`` vault path (``target_note``
  → ``notes.path`` when it is an exported note), ``attachment`` and ``broken``;
- ``diagnostics`` (with ``--with-diagnostics``): the check findings on the exported
  notes (``note`` → ``notes.path``);
- ``meta``: ``version``, ``generated`` and ``vault``;
- ``resources_fts``: FTS5 over title, description, sections, tags, metadata, notes
  and host, with ``resources`` as its content table (``rowid`` = ``resources.id``), so
  ``SELECT title FROM resources_fts WHERE resources_fts MATCH 'structured'`` works
  and Datasette offers a search box on ``resources``.

Every foreign key is declared, so Datasette links the rows.

The database is written into a temp file beside the target, then renamed over it
(see ``vault.write.write_atomic``); the same export gives the same bytes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from vaultkit.exporting.build import SECTION_SEP, Export
from vaultkit.exporting.resources import Edge, Occurrence, Resource
from vaultkit.exporting.similar import find_similar
from vaultkit.model import Diagnostic

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    host TEXT NOT NULL,
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    similar TEXT NOT NULL,
    occurrence_count INTEGER NOT NULL,
    boilerplate INTEGER NOT NULL,
    sections TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata TEXT NOT NULL,
    notes TEXT NOT NULL
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
    note TEXT NOT NULL REFERENCES notes(path),
    line INTEGER NOT NULL,
    section TEXT NOT NULL,
    title TEXT,
    link_text TEXT,
    description TEXT,
    tags TEXT NOT NULL,
    difficulty TEXT,
    metadata TEXT NOT NULL,
    commented INTEGER NOT NULL
);
CREATE INDEX occurrences_resource ON occurrences(resource_id);
CREATE INDEX occurrences_note ON occurrences(note);
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL REFERENCES notes(path),
    line INTEGER NOT NULL,
    kind TEXT NOT NULL,
    embed INTEGER NOT NULL,
    target TEXT NOT NULL,
    resolved TEXT,
    target_note TEXT REFERENCES notes(path),
    attachment INTEGER NOT NULL,
    broken INTEGER NOT NULL
);
CREATE INDEX links_source ON links(source);
CREATE INDEX links_target ON links(target);
CREATE INDEX links_target_note ON links(target_note);
CREATE VIRTUAL TABLE resources_fts USING fts5(
    title, description, sections, tags, metadata, notes, host,
    content="resources", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
"""
DIAGNOSTICS = """
CREATE TABLE diagnostics (
    id INTEGER PRIMARY KEY,
    note TEXT NOT NULL REFERENCES notes(path),
    line INTEGER NOT NULL,
    column INTEGER NOT NULL,
    code TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX diagnostics_note ON diagnostics(note);
"""
FTS_COLUMNS = "title, description, sections, tags, metadata, notes, host"


def fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_sqlite(export: Export, path: str, diagnostics: Sequence[Diagnostic] | None = None) -> None:
    """Build the database in the (new, empty) file ``path``; with ``diagnostics`` (the
    check findings), a ``diagnostics`` table too."""
    db = sqlite3.connect(path)
    try:
        # A temp file, discarded on failure: no journal, no syncs until the caller's fsync.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(SCHEMA + (DIAGNOSTICS if diagnostics is not None else ""))
        with db:
            _fill(db, export)
            if diagnostics is not None:
                _fill_diagnostics(db, export, diagnostics)
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
    exported = set(export.note_titles)
    db.executemany(
        "INSERT INTO links (source, line, kind, embed, target, resolved, target_note, attachment, broken)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_link_row(n.path, edge, exported) for n in export.notes for edge in n.edges),
    )
    _fill_resources(db, export)
    lists = find_similar(*export.similar_inputs())
    db.executemany(
        "UPDATE resources SET similar = ? WHERE id = ?",
        ((_json(found), rid) for rid, found in enumerate(lists, start=1) if found),
    )
    db.execute(f"INSERT INTO resources_fts (rowid, {FTS_COLUMNS}) SELECT id, {FTS_COLUMNS} FROM resources")


_BATCH = 2000  # resources read back between inserts


def _fill_resources(db: sqlite3.Connection, export: Export) -> None:
    """The resources and their occurrences, in one pass over them (similar lists after)."""
    rows: list[tuple[Any, ...]] = []
    occs: list[tuple[Any, ...]] = []
    for rid, r in enumerate(export.resources, start=1):
        rows.append(_resource_row(rid, r, export.note_titles))
        occs.extend(_occurrence_row(rid, o) for o in r.occurrences)
        if len(rows) >= _BATCH:
            _insert(db, rows, occs)
            rows, occs = [], []
    _insert(db, rows, occs)


def _insert(db: sqlite3.Connection, rows: list[tuple[Any, ...]], occs: list[tuple[Any, ...]]) -> None:
    db.executemany(f"INSERT INTO resources VALUES ({', '.join('?' * 13)})", rows)
    db.executemany(
        "INSERT INTO occurrences (resource_id, note, line, section, title, link_text, description, tags,"
        " difficulty, metadata, commented) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        occs,
    )


def _occurrence_row(rid: int, o: Occurrence) -> tuple[Any, ...]:
    return (
        rid,
        o.note,
        o.line,
        SECTION_SEP.join(o.section),
        o.title,
        o.link_text,
        o.description,
        _json(o.tags),
        o.difficulty,
        _json(o.metadata),
        int(o.commented),
    )


def _link_row(source: str, edge: Edge, exported: set[str]) -> tuple[Any, ...]:
    line, kind, target, found = edge
    note = found if found is not None and found in exported else None
    attachment = found is not None and not found.lower().endswith(".md")
    return (
        source,
        line,
        kind,
        int(kind == "embed"),
        target,
        found,
        note,
        int(attachment),
        int(found is None),
    )


def _fill_diagnostics(db: sqlite3.Connection, export: Export, diagnostics: Sequence[Diagnostic]) -> None:
    exported = set(export.note_titles)
    db.executemany(
        "INSERT INTO diagnostics (note, line, column, code, rule, severity, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (d.path, d.line, d.column, d.code, d.rule, str(d.severity), d.message)
            for d in diagnostics
            if d.path in exported
        ),
    )


def _resource_row(rid: int, r: Resource, titles: Mapping[str, str]) -> tuple[Any, ...]:
    occs = r.occurrences
    sections = dict.fromkeys(SECTION_SEP.join(o.section) for o in occs)
    meta = dict.fromkeys(f"{k}: {v}" for o in occs for k, v in o.metadata.items())
    descriptions = dict.fromkeys(o.description for o in occs if o.description)
    notes = dict.fromkeys(part for o in occs for part in (o.note, titles.get(o.note, "")))
    return (
        rid,
        r.canonical_url,
        r.url,
        host_of(r.canonical_url),
        r.title,
        _json(r.tags),
        _json(r.similar),
        len(occs),
        int(r.boilerplate),
        "\n".join(s for s in sections if s),
        "\n".join(descriptions),
        "\n".join(meta),
        "\n".join(n for n in notes if n),
    )


def host_of(url: str) -> str:
    """``https://www.example.org:8080/x`` → ``www.example.org``."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]


def render_sqlite(export: Export, diagnostics: Sequence[Diagnostic] | None = None) -> bytes:
    """The database file's bytes (for tests and small exports)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export.db")
        write_sqlite(export, path, diagnostics)
        with open(path, "rb") as handle:
            return handle.read()
