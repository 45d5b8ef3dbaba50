"""Export streams: occurrences go to a temporary SQLite file as workers return them and
come back one canonical URL at a time (issue 20's memory targets)."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.cli.main import cli
from vaultkit.exporting.build import Filters, build_export
from vaultkit.exporting.json_out import render_json
from vaultkit.exporting.resources import Occurrence
from vaultkit.exporting.roles import ROLE_MAX_WORDS, ROLE_MIN_URLS
from vaultkit.exporting.spill import Spill
from vaultkit.exporting.text import fold
from vaultkit.lint.session import open_vault

Vault = Callable[[dict[str, str | bytes]], Path]
STAMP = "2025-01-01T00:00:00Z"


def occ(canon: str, title: str | None = None, line: int = 1) -> tuple[object, ...]:
    """An occurrence tuple as the worker sends it."""
    return (canon, canon, line, 0, (), title, 0, (), None, {}, False, None, None, None)


def live_occurrences() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, Occurrence))


def test_resources_are_made_one_at_a_time(vault: Vault) -> None:
    """Half-way through a pass over 3,000 resources, only the current one's occurrences
    exist: the export never holds them all (it did before the spill)."""
    notes: dict[str, str | bytes] = {
        f"n{n:03}.md": "# List\n\n" + "".join(f"- [Item {n} {i}](https://x.org/{n}/{i})\n" for i in range(10))
        for n in range(300)
    }
    export = build_export(open_vault([vault(notes)]), Filters(), STAMP)
    seen, alive = 0, -1
    for res in export.resources:
        seen += 1
        if seen == 1500:
            alive = live_occurrences()
            assert res.occurrences[0].note.startswith("n")
    assert seen == 3000 and export.resources.count == 3000
    assert 0 < alive <= 5
    export.close()


def test_two_passes_give_the_same_document(vault: Vault) -> None:
    root = vault(
        {"a.md": "- [One](https://x.org/1)\n- [Two](https://x.org/2)\n", "b.md": "<https://x.org/1>\n"}
    )
    export = build_export(open_vault([root]), Filters(), STAMP)
    first = render_json(export)
    assert render_json(export) == first
    assert export.resources.keys == ["https://x.org/1", "https://x.org/2"]
    export.close()


keys = st.text(st.characters(codec=None, blacklist_categories=("Cc",)), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(keys, st.integers(0, 5)), max_size=40))
def test_groups_come_in_str_order_with_rows_as_added(rows: list[tuple[str, int]]) -> None:
    """SQLite orders the UTF-8 bytes (surrogates passed through), which is Python's
    order of ``str``; a URL's rows keep the order they were added in."""
    spill = Spill()
    for number, (canon, note) in enumerate(rows):
        spill.add(number, ("p", "t", {}, [], [], [], None), [occ(canon, line=note)])
    got = list(spill.groups())
    assert [canon for canon, _ in got] == sorted({canon for canon, _ in rows})
    for canon, found in got:
        assert [(n, data[2]) for n, data in found] == [
            (i, note) for i, (c, note) in enumerate(rows) if c == canon
        ]
    spill.close()


def frequent_roles(pairs: list[tuple[str, str]]) -> frozenset[str]:
    """The definition the spill's query must match (the in-memory version it replaced)."""
    urls: dict[str, set[str]] = {}
    for title, url in pairs:
        key = fold(title)
        if len(key.split()) <= ROLE_MAX_WORDS:
            urls.setdefault(key, set()).add(url)
    return frozenset(k for k, v in urls.items() if len(v) >= ROLE_MIN_URLS)


titles = st.sampled_from(["Demo", "demo", "GitHub repo", "a b c d", "Ünïcode", "x", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(titles, st.integers(0, 14)), max_size=80))
def test_roles_by_frequency_match_their_definition(pairs: list[tuple[str, int]]) -> None:
    spill = Spill()
    named = [(t, f"https://x.org/{u}") for t, u in pairs]
    spill.add(0, ("p", "t", {}, [], [], [], None), [occ(url, title or None) for title, url in named])
    assert spill.roles() == frequent_roles([(t, u) for t, u in named if t])
    spill.close()


def test_the_spill_leaves_nothing_behind(vault: Vault, tmp_path: Path) -> None:
    """The spill is SQLite's own temporary file: never in the vault, gone when closed."""
    root = vault({"a.md": "- [One](https://x.org/1)\n"})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    export = build_export(open_vault([root]), Filters(), STAMP)
    assert '"https://x.org/1"' in render_json(export)
    export.close()
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_a_full_temporary_folder_is_a_clear_error(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault({"a.md": "- [One](https://x.org/1)\n"})

    def full(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Spill, "add", full)
    result = CliRunner().invoke(cli, ["export", str(root)])
    assert result.exit_code == 1, result.output
    assert "export's temporary file in" in result.stderr and "database or disk is full" in result.stderr
    assert "set TMPDIR" in result.stderr and "Traceback" not in result.stderr
