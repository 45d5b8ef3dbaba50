"""Time vaultkit on a synthetic vault: cold/warm check, one changed file, cold export, peak RSS.

    python benchmarks/bench.py                 # 10,000 notes, 3 runs each
    python benchmarks/bench.py --notes 1000 10000 50000 --runs 5

Cold check and cold export run in turn, and their ratio (of medians, and per pair)
is reported against issue 4's target of 1.2x. Each figure is the median of the runs,
in wall-clock seconds, from a subprocess (`python -m vaultkit ...`), so interpreter
start-up is included as a user sees it.
A reference run in the same session (`python -c "import vaultkit.cli.main"`, and
markdownlint-cli2 when Node is present) is reported too, since the machines are
small and noisy: compare ratios across machines, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_vault import generate  # noqa: E402

OUT = HERE / "out"
TARGETS = {"cold check": 7.0, "warm check": 1.0, "one changed file": 1.0, "cold export": 8.0}
RSS_TARGET_MB = 600
EXPORT_RATIO = 1.2  # issue 4: export within 1.2x of a cold check


def vk(*args: str) -> list[str]:
    return [sys.executable, "-m", "vaultkit", *args]


def timed(cmd: list[str], before: object = None, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def paired(first: list[str], second: list[str], before: object, runs: int) -> tuple[list[float], list[float]]:
    """Two commands timed in turn (a, b, a, b, ...), so that noise hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a += timed(first, before, 1)
        b += timed(second, before, 1)
    return a, b


def peak_rss_mb(cmd: list[str], before: object = None) -> float | None:
    if not Path("/usr/bin/time").exists():
        return None
    if callable(before):
        before()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, check=False)
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1]) / 1024
    return None


def markdownlint(vault: Path, runs: int) -> list[float] | None:
    """markdownlint-cli2 on the same vault, installed locally with npm when Node is present."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    prefix = HERE / ".node"
    binary = prefix / "node_modules" / ".bin" / "markdownlint-cli2"
    if not binary.exists():
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(prefix), "markdownlint-cli2"],
            check=False,
            capture_output=True,
        )
    if not binary.exists():
        return None
    return timed([str(binary), "**/*.md"], runs=runs) if _chdir(vault) else None


def _chdir(path: Path) -> bool:
    os.chdir(path)
    return True


def bench(notes: int, runs: int, with_reference: bool) -> dict[str, object]:
    vault = OUT / f"vault-{notes}"
    size = generate(vault, notes)
    cache = vault / ".vaultkit_cache"

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    one = vault / "folder00" / "Note 00000.md"
    original = one.read_text(encoding="utf-8")
    counter = [0]

    def touch_one() -> None:
        counter[0] += 1
        one.write_text(original + f"\nEdited {counter[0]} times.\n", encoding="utf-8")

    res: dict[str, object] = {"notes": notes, "mb": round(size / 1e6, 1)}
    res["startup"] = timed([sys.executable, "-c", "import vaultkit.cli.main"], runs=runs)
    res["cold check"], res["cold export"] = paired(
        vk("check", str(vault)), vk("export", str(vault), "-o", str(OUT / "export.json")), drop_cache, runs
    )
    subprocess.run(vk("check", str(vault)), stdout=subprocess.DEVNULL, check=False)
    res["warm check"] = timed(vk("check", str(vault)), runs=runs)
    res["one changed file"] = timed(vk("check", str(one)), touch_one, runs)
    one.write_text(original, encoding="utf-8")
    res["rss check MB"] = peak_rss_mb(vk("check", str(vault)), drop_cache)
    res["rss export MB"] = peak_rss_mb(vk("export", str(vault), "-o", str(OUT / "export.json")), drop_cache)
    if with_reference:
        cwd = Path.cwd()
        res["markdownlint-cli2"] = markdownlint(vault, max(1, runs // 2))
        os.chdir(cwd)
    return res


def table(results: list[dict[str, object]]) -> str:
    rows = ["| notes | MB | run | median s | runs (s) | target | met |", "|---|---|---|---|---|---|---|"]
    for res in results:
        for name in ("startup", *TARGETS, "markdownlint-cli2"):
            times = res.get(name)
            if not isinstance(times, list) or not times:
                continue
            med = statistics.median(times)
            target = TARGETS.get(name)
            met = "" if target is None or res["notes"] != 10_000 else ("yes" if med <= target else "NO")
            runs = ", ".join(f"{t:.2f}" for t in times)
            rows.append(
                f"| {res['notes']} | {res['mb']} | {name} | {med:.2f} | {runs} | "
                f"{'' if target is None else f'≤ {target:g} s'} | {met} |"
            )
        check, export = res.get("cold check"), res.get("cold export")
        if isinstance(check, list) and isinstance(export, list) and check and export:
            ratio = statistics.median(export) / statistics.median(check)
            met = "" if res["notes"] != 10_000 else ("yes" if ratio <= EXPORT_RATIO else "NO")
            pairs = ", ".join(f"{e / c:.2f}" for c, e in zip(check, export, strict=True))
            rows.append(
                f"| {res['notes']} | {res['mb']} | cold export ÷ cold check | {ratio:.2f}× | "
                f"{pairs} | ≤ {EXPORT_RATIO:g}× | {met} |"
            )
        for name in ("rss check MB", "rss export MB"):
            rss = res.get(name)
            if isinstance(rss, float):
                met = "" if res["notes"] != 10_000 else ("yes" if rss <= RSS_TARGET_MB else "NO")
                rows.append(
                    f"| {res['notes']} | {res['mb']} | peak RSS ({name.split()[1]}) | "
                    f"{rss:.0f} MB | | ≤ {RSS_TARGET_MB} MB | {met} |"
                )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--notes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true", help="skip markdownlint-cli2")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    ref = 10_000 if 10_000 in args.notes else max(args.notes)
    results = [bench(n, args.runs, not args.no_reference and n == ref) for n in args.notes]
    text = table(results)
    print(text)
    (OUT / "results.md").write_text(text + "\n", encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
