"""Doubling benchmark: does the work on one note grow linearly with the hostile input?

For each family of input (long lines, many links, many duplicate links, deep nesting up to
the cap, ``$`` runs, ``<!--`` runs, ``[[`` runs, bare URLs in one paragraph...) it builds
the note at size n and 2n, times what check, fix and export do with one note (read from
text, parse, every per-note rule, the link rows, the export's occurrences, the fixpoint),
and prints the ratio t(2n) / t(n): about 2 is linear, about 4 quadratic. Medians of
--repeat runs. Every ratio must be at most 2.5 (--check exits 1 otherwise). The
block-markup limit is lifted, so that a block that would be masked at 2n is parsed: the
benchmark measures the work below the limits, which must be linear.

    python benchmarks/scaling.py [--repeat 3] [--check]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import vaultkit
from vaultkit.exporting.resources import collect
from vaultkit.index.facts import link_rows
from vaultkit.limits import active, use
from vaultkit.parse.note import parse_note

MAX_RATIO = 2.5

FAMILIES: dict[str, tuple[Callable[[int], str], int]] = {
    # name: (the note at size n, the n to start from)
    "long line": (lambda n: "word " * n, 100_000),
    "many links": (lambda n: "".join(f"- [t{i}](https://e.com/{i})\n" for i in range(n)), 4_000),
    "many duplicate links": (lambda n: "- [a](https://e.com/a)\n" * n, 4_000),
    "deep nesting (to the cap)": (
        lambda n: ("".join("  " * d + "- [x](https://e.com)\n" for d in range(active().nesting))) * n,
        50,
    ),
    "deep nesting (past the cap)": (lambda n: "> " * n + "x\n", 50_000),
    "$ runs": (lambda n: "$a " * n, 50_000),
    "<!-- runs": (lambda n: "<!-- " * n, 20_000),
    "[[ runs": (lambda n: "[[" * n, 50_000),
    "[ runs": (lambda n: "[" * n + "a" + "]" * n, 20_000),
    "emphasis runs": (lambda n: "**a " * n + "b" + " a**" * n, 5_000),
    "bare URLs in one paragraph": (lambda n: " ".join(f"https://e.com/{i}" for i in range(n)), 5_000),
    "bare URLs in one list item": (lambda n: "- " + " ".join(f"https://e.com/{i}" for i in range(n)), 5_000),
    "malformed links": (lambda n: "[a](https://e.com/a b) " * n, 5_000),
    "unclosed <a href>": (lambda n: '<a href="https://e.com/">' * n, 5_000),
    "tags": (lambda n: "#tag " * n, 50_000),
}


def one_note(text: str) -> None:
    """What check, export and fix do with one note, in this process."""
    vaultkit.check_text(text, path="n.md")
    note = parse_note("n.md", text)
    link_rows(note)
    collect(note)
    vaultkit.fix_text(text, path="n.md")


def timed(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        one_note(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 if a ratio is over 2.5")
    parser.add_argument("--only", default="", help="run the families whose name contains this")
    args = parser.parse_args()
    use(replace(active(), block_markup=10**9))
    one_note("# warm up\n\n[a](https://e.com) [[b]] $c$ <!-- d -->\n")
    worst = 0.0
    print("| input | n | t(n) | t(2n) | ratio |\n|---|---:|---:|---:|---:|")
    for name, (make, n) in FAMILIES.items():
        if args.only not in name:
            continue
        small, large = make(n), make(2 * n)
        t1, t2 = timed(small, args.repeat), timed(large, args.repeat)
        ratio = t2 / t1 if t1 > 0 else 0.0
        worst = max(worst, ratio)
        print(
            f"| {name} ({len(small) / 1000:.0f} KB) | {n:,} | {t1:.3f} s | {t2:.3f} s | {ratio:.2f} |",
            flush=True,
        )
    print(f"\nworst ratio {worst:.2f} (at most {MAX_RATIO} allowed)")
    return 1 if args.check and worst > MAX_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
