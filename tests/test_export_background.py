"""Export's similar-title search run in another process while the JSON is encoded."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultkit.exporting.json_out as json_out
import vaultkit.exporting.run as export_command
import vaultkit.exporting.similar as similar_module
from vaultkit.cli.main import cli
from vaultkit.exporting.build import Export, Filters, build_export
from vaultkit.lint.session import open_vault
from vaultkit.lint.workers import Child, Deferred, background

Vault = Callable[[dict[str, str | bytes]], Path]
STAMP = "2025-01-01T00:00:00Z"
TWO_CORES = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")


def similar_vault(vault: Vault) -> Path:
    """Sixty resources, titles in near-duplicate threes ("Guide 07" / "guide, 07" / "Guides 07")."""
    notes: dict[str, str | bytes] = {}
    for n in range(6):
        items = [
            f"- [{['Guide', 'guide,', 'Guides'][i % 3]} {n}{i // 3}](https://x.org/{n}/{i})"
            for i in range(10)
        ]
        notes[f"n{n}.md"] = "# List\n\n" + "\n".join(items) + "\n"
    return vault(notes)


class LateSimilar:
    """A pending result that becomes ready after ``wait`` looks."""

    def __init__(self, found: dict[int, str], wait: int) -> None:
        self.found, self.wait, self.looks = found, wait, 0

    def done(self) -> bool:
        self.looks += 1
        return self.looks > self.wait

    def result(self) -> dict[int, str]:
        return self.found


def export_of(root: Path) -> Export:
    return build_export(open_vault([root]), Filters(), STAMP)


@pytest.mark.parametrize("wait", [0, 3, 10**6])  # ready at once, after a few looks, never
def test_json_with_similar_from_a_late_search_is_byte_identical(vault: Vault, wait: int) -> None:
    """The resources are encoded (and kept in the spill) before the search is asked;
    however late its answer, each line gets its own list."""
    root = similar_vault(vault)
    expected = json_out.render_json(export_of(root))
    assert sum(bool(r["similar"]) for r in json.loads(expected)["resources"]) >= 40
    asked: list[LateSimilar] = []

    def search(args: tuple[object, ...]) -> LateSimilar:
        titles = args[0]
        assert isinstance(titles, list) and len(titles) == 60 and titles.count(None) == 0
        asked.append(LateSimilar(json_out.similar_json(*args), wait))  # type: ignore[arg-type]
        return asked[-1]

    assert "".join(json_out.iter_json(export_of(root), search)) == expected
    assert len(asked) == 1


@TWO_CORES
def test_background_runs_in_another_process() -> None:
    with background(os.getpid, parallel=True) as submit:
        pending = submit(())
        assert isinstance(pending, Child)
        assert pending.result() != os.getpid()
    with background(os.getpid, parallel=False) as submit:
        pending = submit(())
        assert isinstance(pending, Deferred) and pending.done()
        assert pending.result() == os.getpid()


def child_memory_mb(size_mb: int) -> float:
    """Resident MB of the process, after reading ``size_mb`` (unused)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@TWO_CORES
def test_the_child_starts_before_the_big_data_so_it_does_not_share_it() -> None:
    with background(child_memory_mb, parallel=True) as submit:
        ballast = bytearray(300 * 2**20)  # made after the child started
        ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident here
        child_mb = submit((len(ballast) >> 20,)).result()
    assert child_mb < 250  # a child forked now would hold (a copy of) the 300 MB


@TWO_CORES
def test_an_unused_child_ends_by_itself_when_its_parent_hangs_up() -> None:
    """As when the parent ends with os._exit, or CSV never needs the search."""
    child = Child(os.getpid)
    assert child._process.is_alive()
    child._conn.close()
    child._process.join(timeout=30)
    assert not child._process.is_alive() and child._process.exitcode == 0


def test_deferred_computes_once_when_asked() -> None:
    calls: list[int] = []

    def work(x: int) -> int:
        calls.append(x)
        return x * 2

    pending = Deferred(work, (21,))
    assert calls == [] and pending.done()
    assert pending.result() == 42 and pending.result() == 42
    assert calls == [21]


@TWO_CORES
def test_cli_background_search_gives_the_same_bytes(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    root = similar_vault(vault)

    def run(background_min: int) -> str:
        monkeypatch.setattr(export_command, "BACKGROUND_MIN_NOTES", background_min)
        result = CliRunner().invoke(cli, ["export", "--generated", STAMP, str(root)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    background, here = run(0), run(10**9)
    assert background == here
    resources = json.loads(background)["resources"]
    assert sum(bool(r["similar"]) for r in resources) >= 40


def test_csv_does_not_search_similar_titles(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("CSV has no similar column; the search is wasted work")

    monkeypatch.setattr(similar_module, "similar_pairs", fail)
    result = CliRunner().invoke(
        cli, ["export", "--format", "csv", str(similar_vault(vault))], catch_exceptions=False
    )
    assert result.exit_code == 0 and result.stdout.count("\n") == 61


def slow_in_a_child(parent: int) -> int:
    """Returns at once in ``parent``; in any other process, only after a minute."""
    if os.getpid() != parent:
        time.sleep(60)
    return os.getpid()


@TWO_CORES
def test_an_error_in_the_child_is_raised_here() -> None:
    with background(int, parallel=True) as submit, pytest.raises(ValueError, match="not a number"):
        submit(("not a number",)).result()


@TWO_CORES
def test_if_the_child_dies_the_work_is_done_here() -> None:
    with background(slow_in_a_child, parallel=True) as submit:
        pending = submit((os.getpid(),))
        assert isinstance(pending, Child) and not pending.done()
        pending._process.kill()
        started = time.monotonic()
        assert pending.result() == os.getpid()
        assert time.monotonic() - started < 30
