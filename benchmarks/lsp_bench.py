"""Time `vaultkit lsp` on the generated 10k-note vault, over stdio, as an editor drives it.

    python benchmarks/lsp_bench.py               # 10,000 notes, 5 server starts
    python benchmarks/lsp_bench.py --notes 2000 --runs 3

Figures (medians, wall-clock, measured by the client):
- initialize to first diagnostics of an opened note, warm facts cache (issue 16: <= 2 s);
- didChange to publishDiagnostics for the edited note, default debounce included (<= 100 ms);
- completion after `[[` (<= 50 ms);
- willRenameFiles for a note with 200 backlinks (<= 500 ms);
- the server's peak RSS (VmHWM, <= 400 MB).
A reference in the same session: `vaultkit check` of one note on the same warm cache.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from generate_vault import generate, note_name  # noqa: E402
from helpers.lsp_client import LspClient  # noqa: E402

OUT = HERE / "out"
TARGETS = {
    "initialize to diagnostics": 2.0,
    "didChange": 0.100,
    "completion [[": 0.050,
    "willRenameFiles": 0.500,
}
RSS_TARGET_MB = 400


def build(notes: int) -> Path:
    vault = OUT / f"lsp-vault-{notes}"
    generate(vault, notes)
    (vault / "Hub.md").write_text("# Hub\n\n## Section\n", encoding="utf-8")
    refs = vault / "refs"
    refs.mkdir()
    for i in range(200):
        (refs / f"Ref {i:03d}.md").write_text(
            f"# Ref {i}\n\nSee [[Hub]] and [[Hub#Section]].\n", encoding="utf-8"
        )
    subprocess.run([sys.executable, "-m", "vaultkit", "check", str(vault)], capture_output=True, check=False)
    return vault


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(vault: Path, edits: int) -> dict[str, list[float]]:
    rel = f"folder01/{note_name(1)}.md"
    text = (vault / rel).read_text(encoding="utf-8")
    out: dict[str, list[float]] = {k: [] for k in TARGETS}
    start = time.perf_counter()
    c = LspClient(vault)
    try:
        c.initialize()
        c.open(rel, text)
        c.diagnostics_for(rel, timeout=120)
        out["initialize to diagnostics"].append(time.perf_counter() - start)
        for i in range(edits):
            marker = f"Missing{i}x"
            t0 = time.perf_counter()
            c.change(rel, text + f"\n[[{marker}]]\n")
            c.diagnostics_for(rel, lambda ds, m=marker: any(m in d["message"] for d in ds), timeout=30)
            out["didChange"].append(time.perf_counter() - t0)
        c.change(rel, text + "\nsee [[")
        time.sleep(0.2)
        line = text.count("\n") + 1
        for _ in range(edits):
            t0 = time.perf_counter()
            c.request(
                "textDocument/completion",
                {"textDocument": {"uri": c.uri(rel)}, "position": {"line": line, "character": 6}},
            )
            out["completion [["].append(time.perf_counter() - t0)
        for _ in range(3):
            t0 = time.perf_counter()
            edit = c.request(
                "workspace/willRenameFiles",
                {"files": [{"oldUri": c.uri("Hub.md"), "newUri": c.uri("Hub 2.md")}]},
            )
            out["willRenameFiles"].append(time.perf_counter() - t0)
            assert edit and len(edit["changes"]) == 200, "every backlink gets an edit"
        out["rss"] = [peak_rss_mb(c.proc.pid)]
    finally:
        c.close()
    return out


def reference(vault: Path, runs: int) -> float:
    rel = vault / "folder01" / f"{note_name(1)}.md"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "vaultkit", "check", str(rel)], capture_output=True, check=False
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    vault = build(args.notes)
    merged: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for key, values in one_run(vault, args.edits).items():
            merged.setdefault(key, []).extend(values)
    print(f"vaultkit lsp on {args.notes + 201} notes, {args.runs} server starts (medians)\n")
    print("| figure | median | target | met |\n|---|---:|---:|:-:|")
    for key, target in TARGETS.items():
        value = statistics.median(merged[key])
        met = "yes" if value <= target else "no"
        print(f"| {key} | {value * 1000:.0f} ms | {target * 1000:.0f} ms | {met} |")
    rss = max(merged["rss"])
    print(f"| peak RSS | {rss:.0f} MB | {RSS_TARGET_MB} MB | {'yes' if rss <= RSS_TARGET_MB else 'no'} |")
    print(
        f"\nreference: `vaultkit check` of one note, warm cache: {reference(vault, args.runs) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
