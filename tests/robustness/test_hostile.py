"""Every kind of hostile input (kinds.py) through check, fix, export (JSON, CSV, SQLite, HTML)
and import, each in a subprocess with a timeout, as a vault of the culprit plus a normal note.

For each run: exit 0 or 1 and no traceback; a VK000 for a culprit that can't be read, and
the normal note still checked (and fixed, and exported); at most 5 s and 300 MB of peak RSS
(the child's own, from ``os.wait4``); and not one byte changed in the files that must not
change. The kinds run two at a time (the CI machine has 2 cores), so the whole matrix
takes a couple of minutes; ``python tests/robustness/test_hostile.py`` prints the figures.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

if __package__:
    from .kinds import CULPRIT, KINDS, Kind
else:  # run as a script for the figures
    sys.path.insert(0, str(Path(__file__).parent))
    from kinds import CULPRIT, KINDS, Kind  # type: ignore[no-redef]

# 5 s a run on the CI machine (2 cores, nothing else running); on a machine already
# loaded past its cores, the bound grows with the load so the matrix does not flake.
TIME_LIMIT_S = 5.0 * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
RSS_LIMIT_MB = 300.0
TIMEOUT_S = 60.0  # a run killed at this point has hung
NORMAL = "# Normal\n\nSee [[missing note]].\n\n- [Paper](https://example.com/normal?utm_source=feed)\n"
FIXED = "# Normal\n\nSee [[missing note]].\n\n- [Paper](https://example.com/normal)\n"


# The command runs as the child of a small launcher that reports the child's own peak RSS:
# Linux carries a process's pre-exec high-water mark across exec, so a child forked from
# this (large) test process would report this process's size instead of its own.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen([sys.executable, '-m', 'vaultkit', *sys.argv[1:]])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "sys.stderr.write(f'\\nrss_kb={usage.ru_maxrss}')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


@dataclass
class Outcome:
    command: str
    code: int
    stdout: str
    stderr: str
    seconds: float
    rss_mb: float


def _run(args: list[str], cwd: Path) -> Outcome:
    """One CLI run; its own peak RSS from ``wait4`` (not its children's)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "VAULTKIT_DEBUG": "1", "NO_COLOR": "1"},
            start_new_session=True,
        )
        timer = threading.Timer(TIMEOUT_S, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status = os.waitpid(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        stderr, _, rss_kb = stderr.rpartition("\nrss_kb=")
        command = args[0] + (f" {args[2]}" if args[0] == "export" else "")
        if args[0] != "check":
            stdout = ""  # only check's report is read; the rest would bloat this process
        return Outcome(command, proc.returncode, stdout, stderr, seconds, float(rss_kb or 0) / 1024)


def _digests(root: Path, names: list[str]) -> dict[str, str]:
    out = {}
    for name in names:
        path = root / name
        if os.path.islink(path) or not path.is_file():
            out[name] = os.readlink(path) if os.path.islink(path) else "special"
        else:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@dataclass
class Result:
    kind: Kind
    runs: list[Outcome]
    changed: list[str]  # files that must not change, and did
    normal_after_fix: str
    outside_changed: bool


def _kind_run(kind: Kind, base: Path) -> Result:
    folder = base / kind.name
    root, outside, dest = folder / "vault", folder / "outside", folder / "imported"
    (root / ".obsidian").mkdir(parents=True)
    outside.mkdir()
    dest.mkdir()
    (root / "normal.md").write_text(NORMAL, encoding="utf-8")
    kind.make(root, outside)
    keep = [CULPRIT] if (kind.vk000 or kind.special) and os.path.lexists(root / CULPRIT) else []
    before = _digests(root, keep)
    outside_before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    runs = [
        _run(["check", "--format", "json", str(root)], folder),
        _run(["export", "--format", "json", "-o", str(folder / "x.json"), str(root)], folder),
        _run(["export", "--format", "csv", "-o", str(folder / "x.csv"), str(root)], folder),
        _run(["export", "--format", "sqlite", "-o", str(folder / "x.db"), str(root)], folder),
        _run(["export", "--format", "html", "-o", str(folder / "x.html"), str(root)], folder),
        _run(["import", str(root / CULPRIT), "--vault", str(dest)], folder),
        _run(["fix", str(root)], folder),
        _run(["check", "--format", "json", "--no-cache", str(root)], folder),
    ]
    after = _digests(root, keep)
    changed = [n for n in keep if before[n] != after[n]]
    normal = (root / "normal.md").read_text(encoding="utf-8")
    outside_changed = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} != outside_before
    return Result(kind, runs, changed, normal, outside_changed)


@pytest.fixture(scope="module")
def results() -> Iterator[dict[str, Result]]:
    base = Path(tempfile.mkdtemp(prefix="vk-hostile-"))
    try:
        with ThreadPoolExecutor(2) as pool:
            done = dict(
                zip([k.name for k in KINDS], pool.map(lambda k: _kind_run(k, base), KINDS), strict=True)
            )
        yield done
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_there_are_at_least_60_kinds() -> None:
    assert len(KINDS) >= 60 and len({k.name for k in KINDS}) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_hostile_input(kind: Kind, results: dict[str, Result]) -> None:
    import json

    result = results[kind.name]
    for run in result.runs:
        where = f"{kind.name}: {run.command}"
        assert run.code in (0, 1), f"{where}: exit {run.code}\n{run.stderr[-3000:]}"
        assert "Traceback" not in run.stderr, f"{where}:\n{run.stderr[-3000:]}"
        assert run.seconds <= TIME_LIMIT_S, f"{where}: {run.seconds:.1f} s"
        assert run.rss_mb <= RSS_LIMIT_MB, f"{where}: {run.rss_mb:.0f} MB"
    check = json.loads(result.runs[0].stdout)
    found = {(d["path"], d["code"]) for d in check["diagnostics"]}
    assert ("normal.md", "VK001") in found, "the normal note was not checked"
    if kind.vk000:
        assert (CULPRIT, "VK000") in found, f"no VK000 for the culprit: {sorted(found)[:10]}"
    assert not result.changed, f"changed: {result.changed}"
    assert not result.outside_changed, "a file outside the vault changed"
    assert result.normal_after_fix == FIXED, "the normal note was not fixed"
    exported = result.runs[1]
    assert exported.code == 0 or "normal" in exported.stderr
    rechecked = json.loads(result.runs[-1].stdout)
    assert ("normal.md", "VK001") in {(d["path"], d["code"]) for d in rechecked["diagnostics"]}


def main() -> None:
    """Print the slowest and largest runs of the matrix (the README's figures)."""
    base = Path(tempfile.mkdtemp(prefix="vk-hostile-"))
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda k: _kind_run(k, base), KINDS))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    wall = time.monotonic() - start
    runs = [(r.kind.name, o) for r in done for o in r.runs]
    print(f"{len(KINDS)} kinds, {len(runs)} runs in {wall:.0f} s (2 at a time)")
    for label, key in (("slowest", lambda t: t[1].seconds), ("largest", lambda t: t[1].rss_mb)):
        for name, o in sorted(runs, key=key, reverse=True)[:8]:
            print(f"{label:8} {name:24} {o.command:14} {o.seconds:5.2f} s {o.rss_mb:6.0f} MB exit {o.code}")


if __name__ == "__main__":
    main()
