"""One note that fails (a crash, RecursionError, MemoryError, the time limit) is a VK000
finding and the run goes on: real worker processes, real signals, the real CLI."""

from __future__ import annotations

import faulthandler
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from vaultkit.limits import NoteTimeout, failure_reason, guarded, time_limit
from vaultkit.lint.workers import DIED, map_chunks


def _square_or_die(kill: int, items: list[int]) -> list[int]:
    """Squares; the process dies of SIGSEGV on the item ``kill`` (a crash in native code)."""
    for i in items:
        if i == kill:
            faulthandler.disable()  # no dump of the test runner's stack in the output
            os.kill(os.getpid(), signal.SIGSEGV)
    return [i * i for i in items]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
def test_a_dead_worker_costs_only_its_culprit() -> None:
    items = list(range(120))
    out = map_chunks(_square_or_die, items, (37,), min_items=10, rescue=lambda i, why: (-i, why))
    assert out[37] == (-37, DIED)
    assert [x for i, x in enumerate(out) if i != 37] == [i * i for i in items if i != 37]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
def test_without_rescue_a_dead_worker_is_raised() -> None:
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        map_chunks(_square_or_die, list(range(60)), (5,), min_items=10)


def _deep(n: int) -> int:
    return 0 if n == 0 else 1 + _deep(n - 1)


@pytest.mark.parametrize(
    ("work", "expect"),
    [
        (lambda: _deep(10**6), "nested too deeply"),
        (lambda: bytearray(1 << 62), "ran out of memory"),
        (lambda: {}["x"], "KeyError"),
    ],
)
def test_guarded_turns_any_failure_into_a_reason(work: object, expect: str) -> None:
    assert expect in guarded(work, failure_reason)  # type: ignore[arg-type]


def test_time_limit_interrupts_a_runaway_regex() -> None:
    import re

    with pytest.raises(NoteTimeout), time_limit(0.2):
        re.match(r"(a+)+$", "a" * 40 + "b")  # catastrophic backtracking: hours without a limit


def _cli(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", *args, str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "VAULTKIT_DEBUG": "1"},
    )


def test_a_note_over_the_time_limit_is_a_finding_and_the_rest_is_checked(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    limits = "[limits]\nnote-seconds = 1.0\nnote-size = 5000000\n"
    (root / ".vaultkit.toml").write_text(limits, encoding="utf-8")
    (root / "slow.md").write_text("- [a](https://example.com/a) [[b]] $x$\n" * 40000, encoding="utf-8")
    (root / "ok.md").write_text("# ok\n\n[[missing]]\n", encoding="utf-8")
    for args in (["check", "--no-cache"], ["fix", "--check"], ["export"]):
        done = _cli(root, *args)
        assert done.returncode in (0, 1), done.stderr
        assert "Traceback" not in done.stderr
        out = done.stdout + done.stderr
        assert "slow.md" in out and "note-seconds" in out, out[-2000:]
    check = _cli(root, "check", "--no-cache")
    assert "ok.md:3:1: VK001" in check.stdout
    assert "slow.md:1:1: VK000" in check.stdout


def test_a_bad_limit_in_the_config_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    (root / ".vaultkit.toml").write_text("[limits]\nnote-size = -1\n", encoding="utf-8")
    (root / "a.md").write_text("# a\n", encoding="utf-8")
    done = _cli(root, "check")
    assert done.returncode == 2
    assert "limit 'note-size' must be a positive whole number" in done.stderr


def test_the_readme_lists_every_limit_with_its_default() -> None:
    import dataclasses
    import re
    import tomllib

    from vaultkit.limits import Limits

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[limits\]\n.*?)```", readme, re.S)
    assert block, "no [limits] example in the README"
    shown = tomllib.loads(block.group(1))["limits"]
    defaults = {f.name.replace("_", "-"): getattr(Limits(), f.name) for f in dataclasses.fields(Limits)}
    assert shown == defaults
