"""Near-duplicate titles: rapidfuzz's token_sort_ratio over normalised titles.

Only names are compared: a resource titled by a role ("Demo", "GitHub repository"),
or by its URL, has no title here (``None``), and a title that more than
``SHARED_MAX`` resources share is generic, not a near-duplicate, so its resources get
no list (and are on no other's). Each list holds at most ``LIMIT``, best first.

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
from collections.abc import Iterator

from rapidfuzz import fuzz, process

FULL_MAX = 2000
MAX_BLOCK = 200  # a block this big is a too-common word set: skipped
LIMIT = 3  # similar resources listed per resource, best first
SHARED_MAX = 3  # a title more resources share than this is generic: no similar list
_WORD = re.compile(r"[^\W_]+")


def normalise(title: str) -> str:
    return " ".join(sorted(_WORD.findall(title.casefold())))


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
    groups = [list(range(len(titles)))] if len(titles) <= FULL_MAX else _blocks(titles)
    pairs: dict[tuple[int, int], float] = {}
    for group in groups:
        group.sort()
        words = [titles[i] for i in group]
        for k in range(len(group) - 1):  # rapidfuzz compares a title with the rest in C
            for _, score, j in process.extract(
                words[k], words[k + 1 :], scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            ):
                pairs[(group[k], group[k + 1 + j])] = score
    return pairs


def find_similar(
    titles: list[str | None], keys: list[str], threshold: float, limit: int = LIMIT
) -> list[list[str]]:
    """For each item, the keys of the others whose titles are near-duplicates of its own
    (``None``: no title, never similar), best score first, at most ``limit``."""
    out: list[list[str]] = [[] for _ in titles]
    for members, best in best_by_title(titles, keys, threshold, limit):
        for i in members:
            out[i] = own_list(best, keys[i], limit)
    return out


def own_list(best: list[str], me: str, limit: int) -> list[str]:
    """An item's list from its title's best candidates: without itself, at most ``limit``."""
    return [k for k in best if k != me][:limit] if me in best else best[:limit]


def best_by_title(
    titles: list[str | None], keys: list[str], threshold: float, limit: int
) -> Iterator[tuple[list[int], list[str]]]:
    """For each normalised title that has candidates: its items, and the keys of its best
    ``limit + 1`` candidates (best score first, then by key), from which each item's own
    list is :func:`own_list`. Items of one title share their candidates, so the work is
    per title, and only the first few items of a title (by key) can make a top list."""
    groups: dict[str, list[int]] = {}
    for i, title in enumerate(titles):
        norm = normalise(title) if title else ""
        if norm:
            found = groups.get(norm)
            if found is None:
                groups[norm] = [i]
            else:
                found.append(i)
    groups = {k: v for k, v in groups.items() if len(v) <= SHARED_MAX}
    uniq = sorted(groups)
    tops = [
        m if len(m) == 1 else sorted(m, key=keys.__getitem__)[: limit + 1]
        for m in map(groups.__getitem__, uniq)
    ]
    near: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (a, b), score in similar_pairs(uniq, threshold).items():
        near[a].append((score, b))
        near[b].append((score, a))
    for u, members in enumerate(tops):
        others = near.get(u)
        if others is None and len(members) == 1:
            continue
        cands = [(-100.0, keys[j]) for j in members]
        for score, v in others or ():
            cands.extend([(-score, keys[j]) for j in tops[v]])
        yield groups[uniq[u]], [k for _, k in sorted(cands)[: limit + 1]]
