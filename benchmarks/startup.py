"""Start-up time of the console command: `vaultkit --version`, `--help`, `check --help` and a
shell-completion keystroke, each in a fresh process (median of N runs), and the import
time of what `--version` loads (`python -X importtime`), largest first.

    python benchmarks/startup.py [--runs 21] [--top 12]

A bare `python -c pass` is timed as the reference: the difference is vaultkit's own cost.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

PY = sys.executable
# the console script installed beside this Python (what people run), else python -m vaultkit
_SCRIPT = shutil.which("vaultkit", path=os.path.dirname(PY))
VK = [_SCRIPT] if _SCRIPT else [PY, "-m", "vaultkit"]
COMMANDS = {
    "python -c pass (reference)": [PY, "-c", "pass"],
    "vaultkit --version": [*VK, "--version"],
    "vaultkit --help": [*VK, "--help"],
    "vaultkit check --help": [*VK, "check", "--help"],
}
COMPLETE = {
    "_VAULTKIT_COMPLETE": "bash_complete",
    "COMP_WORDS": "vaultkit check --select VK0",
    "COMP_CWORD": "3",
}


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_ms(argv: list[str], runs: int, env: dict[str, str] | None = None) -> str:
    """``"wall | cpu"`` medians in milliseconds (CPU time is steadier on a busy machine)."""
    timed(argv, env)  # warm the OS file cache
    times = [timed(argv, env) for _ in range(runs)]
    wall = statistics.median(t[0] for t in times) * 1000
    cpu = statistics.median(t[1] for t in times) * 1000
    return f"{wall:.1f} | {cpu:.1f}"


def import_times(argv_tail: list[str], top: int) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the top-level imports of one run, largest first."""
    run = subprocess.run([PY, "-X", "importtime", *argv_tail], capture_output=True, text=True, check=False)
    rows = []
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, raw = line.split(":", 1)[1].split("|")
        if cumulative.strip().isdigit() and not raw[1:].startswith(" "):  # top level: one space
            rows.append((int(cumulative), raw.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    print(f"| command | wall ms | CPU ms |  (medians of {args.runs} runs)\n|---|---:|---:|")
    for label, argv in COMMANDS.items():
        print(f"| `{label}` | {median_ms(argv, args.runs)} |")
    env = {**os.environ, **COMPLETE}
    print(f"| completion of `--select VK0` | {median_ms(VK, args.runs, env)} |")
    print("\n`python -X importtime -m vaultkit --version`, cumulative, largest first:\n")
    print("| module | ms |\n|---|---:|")
    for micros, name in import_times(["-m", "vaultkit", "--version"], args.top):
        print(f"| `{name}` | {micros / 1000:.1f} |")


if __name__ == "__main__":
    main()
