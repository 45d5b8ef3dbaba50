"""Issue 15: ``--format sqlite`` for Datasette, checked with sqlite3 and the real
``datasette`` package (its in-process test client), on the sample vault and awesome-go."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_vault"
AWESOME_GO = REPO.parent / "shared" / "corpora" / "awesome-go"
STAMP = "2025-01-01T00:00:00Z"


def export_db(root: Path, db: Path, *args: str) -> None:
    argv = ["export", "--generated", STAMP, "--format", "sqlite", "-o", str(db), *args, str(root)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sqlite") / "index.db"
    export_db(SAMPLE, db, "--with-diagnostics")
    return db


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_every_foreign_key_is_declared_and_holds(sample_db: Path) -> None:
    fks = {
        (table, r[3], r[2], r[4])
        for table in ("occurrences", "links", "diagnostics")
        for r in rows(sample_db, f"PRAGMA foreign_key_list({table})")
    }
    assert fks == {
        ("occurrences", "resource_id", "resources", "id"),
        ("occurrences", "note", "notes", "path"),
        ("links", "source", "notes", "path"),
        ("links", "target_note", "notes", "path"),
        ("diagnostics", "note", "notes", "path"),
    }
    assert rows(sample_db, "PRAGMA foreign_key_check") == []
    indexed = {r[0] for r in rows(sample_db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"links_target", "occurrences_note", "occurrences_resource"} <= indexed
    columns = [r[2] for r in rows(sample_db, "PRAGMA index_info(links_target)")]
    assert columns == ["target"]


def test_links_hold_broken_and_attachment_edges(sample_db: Path) -> None:
    sql = "SELECT source, line, kind, embed, target, resolved, attachment, broken FROM links"
    found = rows(sample_db, sql)
    assert ("Clean Note.md", 11, "wikilink", 0, "Someday Note", None, 0, 1) in found  # broken
    attachments = [r for r in found if r[6]]
    assert attachments and all(r[5].startswith("Attachments/") and not r[7] for r in attachments)
    assert any(r[3] == 1 for r in attachments)  # an embed
    assert all(isinstance(r[1], int) and r[1] >= 1 for r in found)


def test_diagnostics_only_when_asked(sample_db: Path, tmp_path: Path) -> None:
    diags = rows(sample_db, "SELECT note, line, code, rule, severity FROM diagnostics")
    assert ("Archive/Transformers.md", 10, "VK005", "duplicate-url", "info") in diags
    plain = tmp_path / "plain.db"
    export_db(SAMPLE, plain)
    tables = {r[0] for r in rows(plain, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "diagnostics" not in tables and "resources" in tables
    meta = json.loads((tmp_path / "plain.metadata.json").read_text("utf-8"))
    assert "diagnostics" not in meta["databases"]["plain"]["tables"]


def test_full_text_search_finds_awesome_go_descriptions(tmp_path: Path) -> None:
    if not AWESOME_GO.is_dir():
        pytest.skip(f"{AWESOME_GO} is not here")
    root = tmp_path / "awesome-go"
    shutil.copytree(AWESOME_GO, root)
    db = tmp_path / "go.db"
    export_db(root, db)
    hits = rows(
        db,
        "SELECT r.title, r.description FROM resources_fts JOIN resources r ON r.id = resources_fts.rowid"
        " WHERE resources_fts MATCH 'structured'",
    )
    assert len(hits) >= 20  # "Structured logger...", "structured logging" in the descriptions
    assert sum("structured" in desc.casefold() for _, desc in hits) >= 20
    assert "zap" in {title for title, _ in hits}  # - [zap](...) - Blazing fast, structured, leveled logging
    by_host = rows(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH 'host:gitlab'")
    assert by_host[0][0] >= 1
    by_note = rows(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH 'notes:\"Awesome Go\"'")
    assert by_note[0][0] == rows(db, "SELECT count(*) FROM resources")[0][0]


def datasette_get(db: Path, *paths: str) -> list[Any]:
    """GET each path from a real Datasette over ``db`` and its metadata file (in process)."""
    from datasette.app import Datasette

    meta = json.loads(db.with_name(db.stem + ".metadata.json").read_text("utf-8"))

    async def fetch() -> list[Any]:
        ds = Datasette([str(db)], metadata=meta)
        out = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            out.append(response.json() if ".json" in path else response.text)
        return out

    return asyncio.run(fetch())


def test_datasette_serves_it_with_descriptions_facets_search_and_labels(sample_db: Path) -> None:
    name = sample_db.stem
    search, occs, page, row = datasette_get(
        sample_db,
        f"/{name}/resources.json?_search=attention&_shape=objects",
        f"/{name}/occurrences.json?_labels=on&_shape=objects&_size=max",
        f"/{name}/resources",
        f"/{name}/notes/ML~2FAttention~2Emd",  # Datasette's tilde-encoding
    )
    titles = {r["title"] for r in search["rows"]}
    assert {"Attention Is All You Need", "The Illustrated Transformer"} <= titles
    assert set(occs["facet_results"]) >= {"tags", "difficulty", "note"}  # default facets
    labelled = occs["rows"][0]
    assert set(labelled["note"]) == {"value", "label"}  # note -> notes.path, labelled by title
    assert set(labelled["resource_id"]) == {"value", "label"}
    assert "One row per resource" in page  # the table's description
    assert "How many times the vault saves it." in page  # a column's description
    assert "occurrences" in row and "links" in row  # "links from other tables" via the keys
