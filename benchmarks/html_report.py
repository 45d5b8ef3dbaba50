"""The HTML report in a real headless Chromium: how long it takes to open and to search.

    python benchmarks/html_report.py                      # 10,000 synthetic notes, 5 runs
    python benchmarks/html_report.py --notes 1000 10000
    python benchmarks/html_report.py --screenshot docs/reading-list.png   # of sample_vault

For each vault size: the report is exported once, then opened from disk in a fresh
page (``goto`` until the list is built, ``html[data-ready]``), and a search is typed
(``fill`` until the next frame shows the narrowed list). Medians of the runs, in
wall-clock seconds as seen from the driver. Chromium is Debian's ``chromium``, run
with no network (every host resolves to nothing).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_vault import generate  # noqa: E402

OUT = HERE / "out"
FLAGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-sandbox",
]
TARGET_S = 2.0
SETTLE = "() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"


def export_html(vault: Path, out: Path, *args: str) -> None:
    cmd = [sys.executable, "-m", "vaultkit", "export", "--format", "html", "-o", str(out), *args, str(vault)]
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)


def open_and_search(browser: Any, page_path: Path, query: str) -> tuple[float, float, int, int]:
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_selector("html[data-ready='1']", timeout=60_000)
        opened = time.perf_counter() - start
        before = page.locator("li.resource").count()
        start = time.perf_counter()
        page.fill("#q", query)
        page.evaluate(SETTLE)
        searched = time.perf_counter() - start
        return opened, searched, before, page.locator("li.resource").count()
    finally:
        page.close()


def bench(browser: Any, notes: int, runs: int, query: str) -> dict[str, object]:
    vault = OUT / f"vault-{notes}"  # the one bench.py makes
    if not vault.is_dir():
        generate(vault, notes)
    page = OUT / f"report_{notes}.html"
    export_html(vault, page)
    found = [open_and_search(browser, page, query) for _ in range(runs)]
    return {
        "notes": notes,
        "MB": round(page.stat().st_size / 1e6, 1),
        "open": statistics.median(f[0] for f in found),
        "search": statistics.median(f[1] for f in found),
        "shown": found[0][2],
        "matches": found[0][3],
    }


def screenshot(browser: Any, out: Path) -> None:
    page_path = OUT / "sample_report.html"
    export_html(HERE.parent / "sample_vault", page_path, "--generated", "2025-01-01T00:00:00Z")
    page = browser.new_page(viewport={"width": 1000, "height": 900}, device_scale_factor=1)
    page.goto(page_path.as_uri())
    page.wait_for_selector("html[data-ready='1']")
    page.screenshot(path=str(out))
    page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--query", default="transformer")
    ap.add_argument("--screenshot", type=Path, help="only save a screenshot of sample_vault's report here")
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        if args.screenshot:
            screenshot(browser, args.screenshot)
            return
        print("| notes | report MB | open (median) | search (median) | shown / matches | target |")
        print("|---:|---:|---:|---:|---:|---|")
        for n in args.notes:
            r = bench(browser, n, args.runs, args.query)
            ok = "yes" if max(float(str(r["open"])), float(str(r["search"]))) < TARGET_S else "no"
            print(
                f"| {n:,} | {r['MB']} | {float(str(r['open'])):.2f} s | {float(str(r['search'])):.3f} s "
                f"| {r['shown']} / {r['matches']} | < {TARGET_S:.0f} s: {ok} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
