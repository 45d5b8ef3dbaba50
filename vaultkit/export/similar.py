"""Near-duplicate titles: rapidfuzz's token_sort_ratio over normalised titles.

Titles are normalised (case-folded, punctuation dropped, words sorted), so
``fuzz.ratio`` on them *is* ``token_sort_ratio``. Identical normalised titles score
100 without comparing. Up to ``FULL_MAX`` distinct titles every pair is compared.
Beyond that, to stay fast on ~100k resources, only titles that share a *block*
are compared, where a title's blocks are its word set and that set without any one
of its words (and, for one-word titles, the first four letters). So in a large
export, near-duplicates are found among titles that differ in at most one word
(added, dropped or misspelt), the common case ("Quantization" / "Quantisation",
"Deepseek stuff 1" / "Deepseek stuff 2"); titles that differ in two or more words,
or whose block holds more than ``MAX_BLOCK`` titles, are not compared.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from itertools import combinations

from rapidfuzz import fuzz, process

FULL_MAX = 2000
MAX_BLOCK = 200  # a block this big is a too-common word set: skipped
LIMIT = 5  # similar resources listed per resource, best first
_NON_WORD = re.compile(r"[\W_]+")


def normalise(title: str) -> str:
    return " ".join(sorted(_NON_WORD.sub(" ", title.casefold()).split()))


def _blocks(titles: list[str]) -> list[list[int]]:
    """Groups of titles that may be near-duplicates. A word set is keyed by the sum of
    its words' CRC-32s, so "this set without word k" is one subtraction away; a
    collision only costs a comparison (and, CRC-32 being fixed, the same one every run)."""
    blocks: dict[int, list[int]] = defaultdict(list)
    crc: dict[str, int] = {}
    for i, title in enumerate(titles):
        words = title.split()
        if len(words) == 1:
            blocks[-1 - zlib.crc32(title.encode())].append(i)  # negative: apart from sums
            blocks[-1 - zlib.crc32(b"\0" + title[:4].encode())].append(i)
            continue
        hashes = []
        for w in words:
            h = crc.get(w)
            if h is None:
                h = crc[w] = zlib.crc32(w.encode())
            hashes.append(h)
        total = sum(hashes)
        blocks[total].append(i)
        if len(words) <= 12:
            for h in set(hashes):
                blocks[total - h].append(i)
    return [b for b in blocks.values() if 1 < len(b) <= MAX_BLOCK]


def similar_pairs(titles: list[str], threshold: float) -> dict[tuple[int, int], float]:
    """Scores of the pairs (i < j) of distinct normalised titles at or above ``threshold``."""
    pairs: dict[tuple[int, int], float] = {}
    if len(titles) <= FULL_MAX:
        for i, title in enumerate(titles):
            rest = titles[i + 1 :]
            for _, score, j in process.extract(title, rest, scorer=fuzz.ratio,
                                               score_cutoff=threshold, limit=None):
                pairs[(i, i + 1 + j)] = score
        return pairs
    for block in _blocks(titles):
        for i, j in combinations(sorted(block), 2):
            if (i, j) not in pairs:
                score = fuzz.ratio(titles[i], titles[j], score_cutoff=threshold)
                if score:
                    pairs[(i, j)] = score
    return pairs


def find_similar(titles: list[str | None], keys: list[str], threshold: float,
                 limit: int = LIMIT) -> list[list[str]]:
    """For each item, the keys of the others whose titles are near-duplicates of its own
    (``None``: no title, never similar), best score first, at most ``limit``."""
    norm_of: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(titles):
        if t:
            n = normalise(t)
            if n:
                norm_of[n].append(i)
    uniq = sorted(norm_of)
    # The resources of one normalised title share their candidates: work per title, and
    # only the first few resources of a title (by key) can make anyone's top ``limit``.
    first = {n: sorted(m, key=keys.__getitem__)[: limit + 1] if len(m) > 1 else m
             for n, m in norm_of.items()}
    cands: dict[str, list[tuple[float, str]]] = {
        n: [(-100.0, keys[j]) for j in f] for n, f in first.items() if len(f) > 1}
    for (a, b), score in similar_pairs(uniq, threshold).items():
        na, nb = uniq[a], uniq[b]
        cands.setdefault(na, []).extend((-score, keys[j]) for j in first[nb])
        cands.setdefault(nb, []).extend((-score, keys[j]) for j in first[na])
    out: list[list[str]] = [[] for _ in titles]
    for n, found in cands.items():
        best = sorted(found)[: limit + 1]
        for i in norm_of[n]:
            me = keys[i]
            out[i] = [k for _, k in best if k != me][:limit]
    return out
