"""The facts index on disk: what a one-file run reads, a SIGKILL mid-write, two runs at once.

Real files, real SQLite, real ``vaultkit`` processes (killed with SIGKILL, run together).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from vaultkit.lint import pipeline, stored
from vaultkit.lint.cache import store_path
from vaultkit.lint.pipeline import run_check
from vaultkit.lint.session import Session, open_vault, select_rules
from vaultkit.lint.store import Store

NOTES = 400  # enough that a cold run's write lasts long enough to be interrupted


def _vault(root: Path, notes: int = NOTES) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    for i in range(notes):
        folder = root / f"f{i % 7}"
        folder.mkdir(exist_ok=True)
        body = [f"# Note {i}", "", f"## Part {i}", f"See [[Note {(i + 1) % notes}#Part {(i + 1) % notes}]]."]
        body += [f"- [a](https://example.org/{i % 50}/{j})" for j in range(8)]
        body += [f"[[Missing {i}]] and [[Note {(i + 2) % notes}#Nowhere]]", ""]
        (folder / f"Note {i}.md").write_text("\n".join(body), encoding="utf-8")
    past = time.time() - 60  # not 'racy': trusted by size and mtime
    for path in root.rglob("*.md"):
        os.utime(path, (past, past))
    return root


def _run(root: Path, *paths: Path, use_cache: bool = True) -> tuple[Session, list[tuple[str, int, str, str]]]:
    session = open_vault(list(paths) or [root])
    diags = run_check(session, select_rules(session.config), use_cache=use_cache)
    return session, [(d.path, d.line, d.code, d.message) for d in diags]


def _cli(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "check", *args, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def test_a_one_file_run_reads_only_the_rows_it_needs(tmp_path: Path) -> None:
    root = _vault(tmp_path / "v")
    _, cold = _run(root)
    whole, _ = _run(root)
    assert whole.stats["parsed"] == 0 and whole.stats["rows_read"] >= NOTES  # a whole run reads all
    one = root / "f1" / "Note 1.md"
    one.write_text(one.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    session, found = _run(root, one)
    assert session.stats["parsed"] == 1 and session.stats["cross_note_checked"] == 1
    # Read by key: the facts of the two notes it links to (Note 2, Note 3) and the rows of
    # its 8 URLs, each held by 8 notes (its own payload is in memory, just parsed); nothing
    # of the other 399 notes' payloads, and no scan of every URL row for the boilerplate.
    assert session.stats["rows_read"] == 2 + 8 * 8, session.stats
    assert found == [d for d in _run(root, one, use_cache=False)[1]]
    assert [d for d in cold if d[0] == "f1/Note 1.md"] != []


def test_a_warm_run_reads_each_target_once_and_parses_nothing(tmp_path: Path) -> None:
    root = _vault(tmp_path / "v", 60)
    _, cold = _run(root)
    session, warm = _run(root)
    assert warm == cold and session.stats["parsed"] == 0 and session.stats["cross_note_checked"] == 0
    assert session.stats["rows_read"] == 2 * 60  # each note's payload and its cross-note findings


def _wal(root: Path) -> Path:
    path = store_path(root)
    return path.with_name(path.name + "-wal")


def _kill_mid_write(root: Path, delay: float) -> bool:
    """Start a check and SIGKILL it once its write is under way; whether it was."""
    proc = _cli(root)
    deadline = time.monotonic() + 120
    killed = False
    while proc.poll() is None and time.monotonic() < deadline:
        if _wal(root).exists() and _wal(root).stat().st_size > 64 * 1024:
            time.sleep(delay)
            killed = proc.poll() is None
            os.killpg(proc.pid, signal.SIGKILL)  # as the machine losing power would
            break
        time.sleep(0.002)
    proc.communicate(timeout=120)
    return killed


def test_a_sigkill_during_the_write_leaves_a_cache_that_answers_right(tmp_path: Path) -> None:
    """Killed while writing a new index, then while updating every note's rows: the next
    run answers as a run without the cache does, and the one after is warm."""
    root = _vault(tmp_path / "v")
    killed = 0
    for round_, delay in enumerate((0.0, 0.02, 0.1)):
        if round_:
            for path in root.rglob("*.md"):  # every note changed: a big update to write
                path.write_text(path.read_text(encoding="utf-8") + f"\nRound {round_}.\n", encoding="utf-8")
        _, truth = _run(root, use_cache=False)
        killed += _kill_mid_write(root, delay)
        assert _run(root)[1] == truth, f"after a kill in round {round_}"
        session, again = _run(root)
        assert again == truth and session.stats["parsed"] == 0
    assert killed >= 2  # the kills did land during writes


def test_a_torn_database_file_is_detected_and_rebuilt(tmp_path: Path) -> None:
    root = _vault(tmp_path / "v", 80)
    _, truth = _run(root)
    path = store_path(root)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut in half, as a crash of a copy would
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", str(root)], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr and "discarded the cache" in done.stderr
    session, after = _run(root)
    assert after == truth and session.stats["parsed"] == 0  # rebuilt by that run, warm now


def _cold_output(root: Path) -> str:
    cmd = [sys.executable, "-m", "vaultkit", "check", "--no-cache", str(root)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout


def test_two_runs_at_once_both_answer_right_and_leave_one_good_cache(tmp_path: Path) -> None:
    root = _vault(tmp_path / "v")
    truth = _cold_output(root)
    for _round in range(2):  # both cold, then both with edits to write
        first, second = _cli(root), _cli(root)
        outs = [p.communicate(timeout=300) for p in (first, second)]
        for out, err in outs:
            assert out == truth and "Traceback" not in err
        edited = root / "f3" / "Note 3.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n[[Note 4]]\n", encoding="utf-8")
        truth = _cold_output(root)
    db = sqlite3.connect(store_path(root))
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()
    session, _ = _run(root)
    assert session.stats["parsed"] <= 1  # the last edit; everything else warm


def test_a_big_run_reads_its_notes_back_in_batches_and_answers_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over HOLD_NOTES parsed notes (a 100k-note vault), nothing parsed is held in memory:
    the vault phase reads each batch back from the index. The answer is the same."""
    root = _vault(tmp_path / "v", 120)
    _, held = _run(root, use_cache=False)
    monkeypatch.setattr(pipeline, "HOLD_NOTES", 0)
    monkeypatch.setattr(pipeline, "VAULT_BATCH", 25)
    monkeypatch.setattr(stored, "WHOLE_SHARE", 2.0)  # by key, batch by batch, not whole
    session, streamed = _run(root)
    assert streamed == held and session.stats["rows_read"] > 120
    assert _run(root)[1] == held


def test_over_whole_max_notes_facts_are_read_a_batch_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past WHOLE_MAX notes the facts are not all read (memory would grow with the vault):
    each batch reads the facts its anchored links need in one query, and the answer is
    the same as a run without the index."""
    root = _vault(tmp_path / "v", 120)
    _, expected = _run(root, use_cache=False)
    _run(root)  # the index, warm
    (root / "f0" / "Note 0.md").write_text("# Note 0\n\n## Part 0\n\nNew heading: all re-checked.\n")
    monkeypatch.setattr(stored, "WHOLE_MAX", 0)
    monkeypatch.setattr(pipeline, "VAULT_BATCH", 25)
    queries: list[int] = []
    real = Store.facts

    def counted(self: Store, rels: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        rels = list(rels)
        queries.append(len(rels))
        return real(self, rels)

    monkeypatch.setattr(Store, "facts", counted)
    session, got = _run(root)
    _, fresh = _run(root, use_cache=False)
    assert got == fresh and got != expected  # Note 0's links are gone
    assert session.stats["cross_note_checked"] == 120
    assert len(queries) <= 10 and max(queries) >= 20  # 5 batches, not one query a note
