"""Export keeps text as written in JSON and SQLite (soft line breaks become spaces,
nothing is stripped); only CSV neutralises formula triggers."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from noharm_kit import vaultkit

NOTE = """# T

## -2+3

- [multi
line](https://x.example/a)
- [=SUM(1)](https://y.example/b)
- [@handle](https://z.example/c)

## "Quoted" section

- [+1 idea](https://w.example/d)
"""
TITLES = {
    "https://x.example/a": ("multi line", ["T", "-2+3"]),
    "https://y.example/b": ("=SUM(1)", ["T", "-2+3"]),
    "https://z.example/c": ("@handle", ["T", "-2+3"]),
    "https://w.example/d": ("+1 idea", ["T", '"Quoted" section']),
}


def _vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "n.md").write_text(NOTE, "utf-8")
    return vault


def test_json_keeps_text_as_written(tmp_path: Path) -> None:
    out = vaultkit("export", _vault(tmp_path), cwd=tmp_path)
    found = {
        r["canonical_url"]: (o["title"], o["section"])
        for r in json.loads(out.stdout)["resources"]
        for o in r["occurrences"]
    }
    assert found == TITLES


def test_sqlite_keeps_text_as_written(tmp_path: Path) -> None:
    db_path = tmp_path / "i.db"
    vaultkit("export", _vault(tmp_path), "--format", "sqlite", "-o", db_path, cwd=tmp_path)
    db = sqlite3.connect(db_path)
    titles = {url: title for url, title in db.execute("SELECT canonical_url, title FROM resources")}
    db.close()
    assert titles == {url: title for url, (title, _) in TITLES.items()}


def test_only_csv_neutralises(tmp_path: Path) -> None:
    out = vaultkit("export", _vault(tmp_path), "--format", "csv", cwd=tmp_path)
    rows = {r["canonical_url"]: r for r in csv.DictReader(io.StringIO(out.stdout.decode(), newline=""))}
    assert rows["https://y.example/b"]["title"] == "'=SUM(1)"
    assert rows["https://x.example/a"]["section"] == "T > -2+3"  # not at the start of the cell
    assert rows["https://x.example/a"]["title"] == "multi line"
