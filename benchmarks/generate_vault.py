"""Generate a deterministic synthetic vault for benchmarks.

    python benchmarks/generate_vault.py OUT_DIR [--notes 10000] [--seed 1]

Each note (about 2.5 KB) has frontmatter, sections of links, wikilinks (2% broken),
tags, and one note in fifty carries some mojibake. Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

WORDS = [
    "attention",
    "transformer",
    "scaling",
    "laws",
    "inference",
    "kernel",
    "quantization",
    "retrieval",
    "agent",
    "memory",
    "cache",
    "decoding",
    "sampling",
    "tokenizer",
    "embedding",
    "gradient",
    "optimizer",
    "training",
    "dataset",
    "benchmark",
    "evaluation",
    "reasoning",
    "vision",
    "audio",
    "diffusion",
    "graph",
    "sparse",
    "dense",
]
HOSTS = [f"blog{i}.example.org" for i in range(200)] + ["arxiv.org", "github.com", "huggingface.co"]
MOJIBAKE = ["notion â€” obsidian", "donâ€™t forget", "\uf8ffüü© progress", "‚Ä¢ bullet"]


def title(rng: random.Random, n: int = 4) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def note_name(i: int) -> str:
    return f"Note {i:05d}"


def make_note(i: int, total: int, rng: random.Random) -> str:
    lines = [
        "---",
        f"title: {note_name(i)}",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        f"date: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "---",
        f"# {note_name(i)}",
        "",
        f"Notes on {title(rng, 3).lower()}. ^intro",
        "",
    ]
    for s in range(3):
        lines.append(f"## {title(rng, 2)} {s}")
        lines.append("")
        for _ in range(4):
            host = rng.choice(HOSTS)
            url = f"https://{host}/{rng.choice(WORDS)}/{rng.randint(1, 5000)}"
            if rng.random() < 0.1:
                url += "?utm_source=newsletter"
            lines.append(f"- [{title(rng)}]({url}) #{rng.choice(WORDS)}")
        target = rng.randrange(total)
        broken = rng.random() < 0.02
        link = f"Missing {i}-{s}" if broken else note_name(target)
        lines.append(f"- See [[{link}]] and [[{note_name(rng.randrange(total))}#^intro]]")
        lines.append("")
        lines.append(" ".join(rng.choice(WORDS) for _ in range(40)) + ".")
        lines.append("")
    if i % 50 == 0:
        lines.append(f"- {rng.choice(MOJIBAKE)}")
    return "\n".join(lines) + "\n"


def generate(out: Path, notes: int, seed: int = 1) -> int:
    if out.exists():
        shutil.rmtree(out)
    (out / ".obsidian").mkdir(parents=True)
    rng = random.Random(seed)
    size = 0
    for i in range(notes):
        folder = out / f"folder{i % 20:02d}"
        folder.mkdir(exist_ok=True)
        text = make_note(i, notes, rng)
        (folder / f"{note_name(i)}.md").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = generate(args.out, args.notes, args.seed)
    print(f"{args.notes} notes, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
