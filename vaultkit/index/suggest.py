"""Candidates for a broken link: the "did you mean" of check, and the unsafe fix of one
clear candidate.

Names are compared loosely (accents, case and punctuation dropped: ``Déjà-Vu`` and
``deja vu`` are the same name) and by their words, so ``obsidian-dataview`` finds
``dataview`` and ``Reading Lst`` finds ``Reading List``. Only files of the right kind
are offered: an embed of ``clip.mp4`` gets videos, a link without an extension gets
notes. A poor match gives nothing: every candidate scores at least ``NAME_THRESHOLD``,
and only those close to the best are listed.

Names whose numbers differ are never offered for each other (``GPT-3`` is not ``GPT-2``,
nor ``2024-03-02`` the note of the day before).

A candidate is *clear*, and the unsafe fix may write it, when it is the only file whose
name (and extension) differs from the link's only in case, accents or punctuation, which
includes the same name in another folder (the note was moved).

Anchors: the closest heading of the target note, when it scores at least
``ANCHOR_THRESHOLD`` and at least ``ANCHOR_MARGIN`` ahead of the second best.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from vaultkit.index.names import VaultIndex, strip_md
from vaultkit.index.slug import GithubSlugger, obsidian_heading_key

NAME_THRESHOLD = 80.0
NAME_CLOSE = 3.0  # list the candidates within this of the best
ANCHOR_THRESHOLD = 75.0
ANCHOR_MARGIN = 8.0
MAX_LISTED = 3
# Up to this many names of one kind, a broken link is compared with each of them. Beyond
# it (a 100k-note vault: 8 ms a link), only with the names that share one of its words or
# a word's first four letters, in blocks of at most BLOCK_MAX names.
SCAN_MAX = 20_000
BLOCK_MAX = 2_000

_KINDS = {
    "image": ("png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "heic", "tif", "tiff"),
    "audio": ("mp3", "wav", "m4a", "ogg", "3gp", "flac", "webm_audio", "aac"),
    "video": ("mp4", "webm", "ogv", "mov", "mkv", "avi"),
    "pdf": ("pdf",),
    "canvas": ("canvas",),
    "base": ("base",),
}
_KIND_OF = {ext: kind for kind, exts in _KINDS.items() for ext in exts}
_NON_WORD = re.compile(r"[\W_]+")
# Words too common to make two names the same on their own.
_STOPWORDS = frozenset(
    ["a", "an", "and", "the", "of", "to", "in", "on", "for", "with", "at", "by", "from", "is", "it"]
)


def file_kind(name: str) -> str:
    """``note``, ``image``, ``audio``, ``video``, ``pdf``, ``canvas``, ``base``, or the
    extension itself for other attachments."""
    base = name.rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    ext = ext.lower()
    if not dot or not stem or ext == "md":
        return "note"
    if ext in _KIND_OF:
        return _KIND_OF[ext]
    # "v1.2 notes", "Mr. Smith": a note name with a dot, not an extension
    return ext if ext.isalnum() and len(ext) <= 5 and not ext.isdigit() and " " not in ext else "note"


def loose(name: str) -> str:
    """Casefolded, accents dropped, every run of punctuation or spaces one space."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", plain.casefold()).split())


@dataclass(frozen=True, slots=True)
class Suggestion:
    value: str  # what the link should say (a name, a path, or a heading)
    path: str | None  # the vault path it resolves to (names only)
    score: float
    clear: bool  # the one clear candidate: the unsafe fix may write it


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    name: str  # display name: the file name, without .md for notes
    kind: str
    key: str  # loose(name)
    words: frozenset[str]


class NameSuggester:
    """The vault's names, prepared once for many look-ups."""

    def __init__(self, index: VaultIndex) -> None:
        self.index = index
        self.size = len(index.paths)
        self.entries: list[_Entry] = []
        for path in sorted(set(index.paths.values())):
            base = path.rsplit("/", 1)[-1]
            kind = file_kind(base)
            name = strip_md(base) if kind == "note" else base
            key = loose(strip_md(base) if kind == "note" else base.rsplit(".", 1)[0])
            self.entries.append(_Entry(path, name, kind, key, frozenset(key.split())))
        self.index_of = {e.path: i for i, e in enumerate(self.entries)}
        self.by_kind: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.keys: dict[str, list[str]] = defaultdict(list)  # by kind, in by_kind's order
        self.by_compact: dict[tuple[str, str], list[int]] = defaultdict(list)  # key without spaces
        self.by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_prefix: dict[tuple[str, str], list[int]] = defaultdict(list)  # a word's first 4 letters
        for i, e in enumerate(self.entries):
            self.by_kind[e.kind].append(i)
            self.keys[e.kind].append(e.key)
            self.by_compact[e.kind, e.key.replace(" ", "")].append(i)
            self.by_key[e.kind, e.key].append(i)
            for w in e.words:
                self.by_word[e.kind, w].append(i)
            for prefix in {w[:4] for w in e.words}:
                self.by_prefix[e.kind, prefix].append(i)

    def suggest(self, target: str, source: str = "") -> list[Suggestion]:
        """Up to three candidates for a broken link target, best first; [] for none."""
        target = target.strip()
        base = target.rsplit("/", 1)[-1]
        kind = file_kind(base)
        key = loose(strip_md(base) if kind == "note" else base.rsplit(".", 1)[0])
        pool = self.by_kind.get(kind, [])
        if not key or not pool:
            return []
        scores = self._scores(key, kind, pool)
        scores.pop(self.index_of.get(source, -1), None)  # a note never means itself
        if not scores:
            return []
        best = max(scores.values())
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.entries[kv[0]].path))
        picked = [i for i, s in ranked if s >= best - NAME_CLOSE][:MAX_LISTED]
        ext = base.rsplit(".", 1)[-1].lower() if kind != "note" else ""
        same = [i for i in self.by_key.get((kind, key), ()) if _ext(self.entries[i]) == ext]
        clear = same[0] if len(same) == 1 else None
        out = []
        for i in picked:
            e = self.entries[i]
            out.append(Suggestion(self._written(e, source), e.path, scores[i], i == clear))
        return out

    def _scores(self, key: str, kind: str, pool: list[int]) -> dict[int, float]:
        keys = self.keys[kind]
        if len(pool) > SCAN_MAX:
            pool = self.near(key, kind)
            keys = [self.entries[i].key for i in pool]
        scores: dict[int, float] = {}
        for _, score, j in process.extract(
            key, keys, scorer=fuzz.ratio, processor=None, limit=10, score_cutoff=NAME_THRESHOLD
        ):
            scores[pool[j]] = float(score)
        words = frozenset(key.split())
        for i in {i for w in words if _distinctive(w) for i in self.by_word.get((kind, w), ())}:
            score = _containment(words, self.entries[i].words)
            if score >= NAME_THRESHOLD:
                scores[i] = max(scores.get(i, 0.0), score)
        for i in self.by_compact.get((kind, key.replace(" ", "")), ()):
            scores[i] = 100.0  # "DataView" and "data view" are one name
        numbers = _numbers(key)
        # "GPT-3" is not "GPT-2", nor one day's note another's
        return {i: v for i, v in scores.items() if _numbers_agree(numbers, _numbers(self.entries[i].key))}

    def near(self, key: str, kind: str) -> list[int]:
        """The names of ``kind`` that share a word of ``key``, or a word's first four
        letters, in blocks of at most ``BLOCK_MAX`` (in the full scan's order)."""
        found: set[int] = set()
        for w in set(key.split()):
            for block in (self.by_word.get((kind, w), ()), self.by_prefix.get((kind, w[:4]), ())):
                if len(block) <= BLOCK_MAX:
                    found.update(block)
        return sorted(found)

    def _written(self, e: _Entry, source: str) -> str:
        """The shortest link text that resolves to ``e`` from ``source``."""
        name = e.name
        if self.index.resolve(name, source) == e.path:
            return name
        return strip_md(e.path) if e.kind == "note" else e.path


def _ext(e: _Entry) -> str:
    return "" if e.kind == "note" else e.name.rsplit(".", 1)[-1].lower()


_DIGITS = re.compile(r"\d+")


def _numbers(key: str) -> list[str]:
    return _DIGITS.findall(key)


def _numbers_agree(a: list[str], b: list[str]) -> bool:
    return not a or not b or a == b


def _distinctive(word: str) -> bool:
    return len(word) >= 4 and word not in _STOPWORDS and not word.isdigit()


def _containment(words: frozenset[str], other: frozenset[str]) -> float:
    """The words of one name all among the other's: 70 plus up to 30 for how much of
    the longer name they cover (``dataview`` in ``obsidian dataview``: 85)."""
    small, large = (words, other) if len(words) <= len(other) else (other, words)
    if not small or not small <= large or not any(_distinctive(w) for w in small):
        return 0.0
    cover = sum(map(len, small)) / max(sum(map(len, large)), 1)
    return 70.0 + 30.0 * cover


_CACHE: weakref.WeakKeyDictionary[VaultIndex, NameSuggester] = weakref.WeakKeyDictionary()


def name_suggester(index: VaultIndex) -> NameSuggester:
    """The suggester of ``index``, built on first use (the index does not change after)."""
    found = _CACHE.get(index)
    if found is None or found.size != len(index.paths):  # a name added since
        found = _CACHE[index] = NameSuggester(index)
    return found


def suggest_names(index: VaultIndex, target: str, source: str = "") -> list[Suggestion]:
    return name_suggester(index).suggest(target, source)


# --- anchors ------------------------------------------------------------------------


def heading_choices(headings: Sequence[str], fragment: bool) -> list[tuple[str, str]]:
    """(what a link writes, loose key) for each heading: GitHub slugs for a markdown
    ``#fragment``, the heading text as Obsidian links it for a wikilink."""
    out = []
    slugger = GithubSlugger()
    for text in headings:
        slug = slugger.slug(text)
        if fragment:
            out.append((slug, loose(slug.replace("-", " "))))
        else:
            written = " ".join(re.sub(r"[#|^\[\]:]", " ", text).split())
            out.append((written, loose(obsidian_heading_key(text))))
    return out


def suggest_heading(anchor: str, headings: Sequence[str], fragment: bool) -> Suggestion | None:
    """The heading a broken anchor meant: the closest, when it is close enough and
    clearly ahead of the second best; None otherwise."""
    if not anchor or anchor.startswith("^") or not headings:
        return None
    part = anchor.rsplit("#", 1)[-1]
    key = loose(part.replace("-", " ") if fragment else part)
    if not key:
        return None
    from vaultkit.text.mojibake import repair_text

    scored: dict[str, float] = {}
    for text, (written, hkey) in zip(headings, heading_choices(headings, fragment), strict=True):
        if not hkey or repair_text(text) != text:
            continue  # a heading with mojibake: its fix changes its slug
        score = max(
            fuzz.ratio(key, hkey),
            _containment(frozenset(key.split()), frozenset(hkey.split())),
            100.0 if key.replace(" ", "") == hkey.replace(" ", "") else 0.0,
        )
        scored[written] = max(scored.get(written, 0.0), float(score))
    ranked = sorted(scored.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < ANCHOR_THRESHOLD:
        return None
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if ranked[0][1] - second < ANCHOR_MARGIN:
        return None
    written = ranked[0][0]
    prefix = anchor[: len(anchor) - len(part)]
    return Suggestion(prefix + written, None, ranked[0][1], True)
