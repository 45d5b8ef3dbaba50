"""Mojibake detection and repair: UTF-8 text that was decoded as cp1252, latin-1 or Mac Roman.

Candidates are the runs of characters that are well-formed UTF-8 once encoded in one of
those codecs (decoded again while the result is itself such a run: double encoding).
A candidate is repaired when, in order of trust:

1. ftfy, fixing its whole line, makes the same repair;
2. it is an unambiguous mojibake of a common character (quotes, dashes, NBSP, accented
   letters, Greek, CJK, emoji...), which ftfy leaves alone on short lines;
3. the file says so: the same damaged characters were repaired under 1-2 elsewhere, or
   its whole line is damage in the same codec, or ftfy's badness flags it in a file
   already shown to be damaged in that codec.

Added to ftfy: Mac Roman four-byte sequences (U+F8FF + three letters, ``\uf8ffüü©`` →
🟩) and bytes cp1252 cannot show (``â€`` + lost 0x9D → ``”``, ``ï¸`` + lost 0x8F → VS16).
Legit text is guarded by context rules ("IRMÃ”", "√π", "×²" stay), and every repair
re-encodes back to exactly the text it replaces.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

import ftfy
from ftfy.badness import is_bad

from vaultkit.text.codecs import (
    ASCII_SPLIT_RE,
    C1_RE,
    CODECS,
    LOST_CHARS,
    NON_ASCII_RE,
    ORDER,
    PAIR_RE,
    Codec,
    damaged_form,
    line_decodes,
    looks_like_mojibake,
    next_level,
    reencode,
)

__all__ = ["Repair", "find_mojibake", "looks_like_mojibake", "repair_text", "round_trips"]


@dataclass(frozen=True, slots=True)
class Repair:
    start: int  # offset into the text passed in
    end: int
    original: str
    replacement: str
    codec: str  # "cp1252", "latin-1", "mac_roman"; "cp1252+cp1252" when double-encoded


# ftfy with every fix that is not about encodings switched off; no U+0020 -> U+00A0
# guessing and no U+FFFD insertion either, so each change re-encodes exactly.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    restore_byte_a0=False,
    replace_lossy_sequences=False,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,  # a str read from a file holds no surrogate pairs to join
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    seg: tuple[int, int]  # the line part (outside skip ranges) it lies in
    original: str
    replacement: str
    used: tuple[Codec, ...]
    inner: str  # what the last decoding step read (== original unless double-encoded)
    pieces: frozenset[tuple[str, str]]  # (codec, mojibake of one character): evidence keys
    tier: int = 0  # 1 ftfy agrees, 2 sure by table, 3 file evidence
    alt: _Cand | None = None  # one decoding step fewer, judged if this one fails

    @property
    def codec(self) -> str:
        return _label(self.used)


def _label(used: tuple[Codec, ...]) -> str:
    return "+".join(c.label for c in used)


def _levels(run: str, first: Codec, vs16_ok: bool = False) -> list[_Cand]:
    """Repairs of one run at each depth (double, triple encoding), shallowest first.
    Unpositioned; only those that round-trip and give plausible text (``vs16_ok``: a
    leading VARIATION SELECTOR-16 is plausible, as in a GitHub slug's fragment)."""
    out: list[_Cand] = []
    text, lossy = run, False
    used: tuple[Codec, ...] = ()
    while len(used) < 3:
        step = next_level(text, (used[-1], *CODECS) if used else (first,))
        if step is None:
            break
        inner, (text, codec, lost) = text, step
        used, lossy = (*used, codec), lossy or lost
        back = reencode(text, used)
        if back != run and not (lossy and back.translate(LOST_CHARS) == run):
            break  # does not round-trip
        if _plausible(inner, text, vs16_ok):  # an implausible step may still decode further
            pieces = frozenset((_label(used), damaged_form(ch, used, run)) for ch in text)
            out.append(_Cand(0, 0, (0, 0), run, text, used, inner, pieces))
    return out


# cp1252 continuation bytes that legitimately end a word ("IRMÃ”", "SÃ…", "voilà ")
_WORD_END = "’”»…–—›™\xa0·°"
_PUNCT = set(_WORD_END + "‘“«‹")
# Mac Roman continuation bytes that may well follow "√" in maths ("√π", "√∑x²")
_MAC_SYMBOLS = "∑∫πµΩ∞∏"


def _plausible(inner: str, repl: str, vs16_ok: bool = False) -> bool:
    """Context-free: no controls, unassigned or private-use characters, no leading
    combining mark, and a lone two-byte character only from Latin, Greek or Cyrillic
    ("×²", "Ø³" are legit more often than a lone Hebrew or Arabic letter is damaged)."""
    for ch in repl:
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            return False
    if unicodedata.category(repl[0]).startswith("M") and not (vs16_ok and repl[0] == "\ufe0f"):
        return False
    cp = ord(repl[0])
    if len(repl) == 1 and len(inner) == 2 and cp < 0x800:
        return 0xA0 <= cp <= 0x17F or 0x391 <= cp <= 0x3C9 or 0x401 <= cp <= 0x451
    return True


def _in_context(text: str, c: _Cand) -> bool:
    """For one character from two or three, do the neighbours agree?"""
    repl, inner = c.replacement, c.inner
    if len(repl) != 1 or len(inner) > 3:
        return True
    prev = text[c.start - 1] if c.start > 0 else " "
    nxt = text[c.end] if c.end < len(text) else " "
    if len(inner) == 3:  # not a word's last letter, then punctuation or NBSP:
        # "café’”", "ã…\xa0", "café\xa0±1", "Kaffee, café\xa0„stark“"
        word_end = inner[0].isalpha() and inner[0] != "â" and inner[1] in _PUNCT
        return not (word_end and (prev.isalpha() or inner[2] in _PUNCT))
    if not 0xC0 <= ord(repl) <= 0x17F:
        return True
    cont = inner[1]
    if repl in "×÷":  # not "IRMÃ—"; "√∑" (÷) is maths as often as not
        return cont not in _MAC_SYMBOLS and (
            prev.isdigit() or nxt.isdigit() or not (prev.isalpha() or nxt.isalpha())
        )
    if c.used[-1].label == "mac_roman":  # "√é", "√±" are letters; "√π", "≈é" may not be
        if cont not in _MAC_SYMBOLS:
            return inner[0] == "√" or prev.isalpha() or nxt.isalpha()
        before, after = text[max(c.start - 2, 0) : c.start], text[c.end : c.end + 2]
        # inside a word ("m√∫sica", "Per√∫"), not a variable ("√∫x dx", "x√π", "2√πr")
        return any(len(s) == 2 and s.isalpha() for s in (before, after, prev + nxt))
    if cont in _WORD_END:  # inside a word ("Ã–sterreich"), or a lone "à" ("Ã\xa0 la")
        # (ASCII letters only after it: a damaged neighbour is no letter yet)
        after = text[c.end + 1 : c.end + 2]
        possessive = cont == "’" and nxt == "s" and not (after.isascii() and after.isalpha())
        mid_word = nxt.isascii() and nxt.isalpha() and not possessive  # not "IRMÃ’s"
        alone = repl == "à" and not prev.isalpha()
        return mid_word or (repl.islower() and (prev.islower() or alone))
    return True


def _sure(cp: int) -> bool:
    """Characters whose mojibake is unambiguous: Latin-1/Latin Extended-A, punctuation,
    arrows, maths, dingbats, CJK, variation selectors, BOM, emoji and tag characters."""
    return (
        0xA0 <= cp <= 0x17F
        or 0x391 <= cp <= 0x3C9  # Greek letters, common in maths
        or 0x2000 <= cp <= 0x2BFF
        or 0x3000 <= cp <= 0x9FFF  # CJK punctuation, kana, ideographs
        or 0xAC00 <= cp <= 0xD7A3  # Hangul
        or 0xFF00 <= cp <= 0xFFEF  # fullwidth forms
        or 0xFE00 <= cp <= 0xFE0F
        or cp == 0xFEFF
        or 0x1F000 <= cp <= 0x1FAFF
        or 0xE0020 <= cp <= 0xE007F
    )


def _segments(text: str, skip: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans outside the skip ranges."""
    out, pos = [], 0
    for s, e in sorted(skip):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    return [*out, (pos, len(text))] if pos < len(text) else out


def _candidates(
    text: str, skip: Sequence[tuple[int, int]], fragments: Sequence[tuple[int, int]] = ()
) -> list[_Cand]:
    cands: list[_Cand] = []
    cache: dict[tuple[str, str, bool], list[_Cand]] = {}  # the same damage repeats in a file
    for seg_start, seg_end in _segments(text, skip):
        for chunk in NON_ASCII_RE.finditer(text, seg_start, seg_end):
            if not PAIR_RE.search(chunk.group()):
                continue
            line_start = max(text.rfind("\n", seg_start, chunk.start()) + 1, seg_start)
            line_end = text.find("\n", chunk.end(), seg_end)
            seg = (line_start, seg_end if line_end < 0 else line_end)
            for codec in CODECS:
                for m in codec.run.finditer(text, chunk.start(), chunk.end()):
                    if codec.label == "latin-1" and not C1_RE.search(m.group()):
                        continue  # cp1252 reads it the same, as a longer run if need be
                    vs16 = any(s <= m.start() < e for s, e in fragments)
                    key = (m.group(), codec.label, vs16)
                    if key not in cache:
                        cache[key] = _levels(m.group(), codec, vs16)
                    alt = None  # the deepest decoding, the shallower ones as fallbacks
                    for level in cache[key]:
                        alt = replace(level, start=m.start(), end=m.end(), seg=seg, alt=alt)
                    if alt is not None:
                        cands.append(alt)
    return cands


def _ftfy_agrees(text: str, cands: list[_Cand]) -> None:
    """Set tier 1 on candidates whose repair ftfy makes when fixing their whole line."""
    by_seg: dict[tuple[int, int], list[_Cand]] = {}
    for c in cands:
        by_seg.setdefault(c.seg, []).append(c)
    for (s, e), group in by_seg.items():
        line = text[s:e]
        fixed = ftfy.fix_text_segment(line, _FTFY_CONFIG)
        if fixed == line:
            continue
        before, after = ASCII_SPLIT_RE.split(line), ASCII_SPLIT_RE.split(fixed)
        if len(before) != len(after) or before[1::2] != after[1::2]:
            continue  # ftfy changed more than the non-ASCII runs: no verdict
        group.sort(key=lambda c: c.start)
        pos = k = 0
        for old, new in zip(before, after, strict=True):
            inside = []  # the candidates in this chunk
            while k < len(group) and group[k].start < s + pos + len(old):
                inside.append(group[k])
                k += 1
            if old != new:  # a non-ASCII chunk ftfy changed
                for codec in CODECS:
                    if mine := [c for c in inside if c.used[0] is codec]:
                        _align(old, new, s + pos, mine)
            pos += len(old)


def _align(old: str, new: str, base: int, cands: list[_Cand]) -> None:
    """Walk one non-ASCII chunk and ftfy's version of it, candidate by candidate."""
    i = j = 0  # positions in old and new
    agreed = []
    for c in cands:  # in text order
        lo = c.start - base
        if lo < i or lo + len(c.original) > len(old):
            continue
        lit = old[i:lo]
        if not new.startswith(lit, j):
            return
        j += len(lit)
        if new.startswith(c.replacement, j):
            agreed.append(c)
            j += len(c.replacement)
        elif new.startswith(c.original, j):
            j += len(c.original)
        else:
            return
        i = lo + len(c.original)
    if new[j:] == old[i:]:
        for c in agreed:
            c.tier = 1


def _judge(
    text: str,
    cands: list[_Cand],
    seen: set[tuple[str, str]],  # evidence: exact damaged characters repaired
    lines: set[tuple[tuple[int, int], str]],  # (line, codec) with a confident repair
) -> None:
    """Set the tiers of candidates beyond ftfy's verdict, adding to the evidence."""
    for c in cands:
        if c.tier == 0 and all(_sure(ord(ch)) for ch in c.replacement):
            c.tier = 2
        if c.tier and not _in_context(text, c):
            c.tier = 0
        if c.tier:
            seen |= c.pieces
            lines.add((c.seg, c.codec))
    codecs = {label.split("+")[0] for _, label in lines}
    consistent: dict[tuple[tuple[int, int], str], bool] = {}
    for c in (c for c in cands if c.tier == 0):
        key = (c.seg, c.codec)
        if key in lines and key not in consistent:
            consistent[key] = line_decodes(text[c.seg[0] : c.seg[1]], c.used)
        if c.pieces <= seen or consistent.get(key, False):
            c.tier = 3  # the same damage repaired elsewhere, or all its line is damage
        elif c.used[0].label in codecs and _in_context(text, c):
            c.tier = 3 if is_bad(text[max(c.seg[0], c.start - 1) : c.end + 1]) else 0


def find_mojibake(
    text: str, skip: Sequence[tuple[int, int]] = (), fragments: Sequence[tuple[int, int]] = ()
) -> list[Repair]:
    """Find damaged runs in a whole file: minimal, non-overlapping, sorted by start,
    never across a line break. Nothing inside ``skip`` ranges (e.g. inline code) is
    touched or used as evidence. In ``fragments`` (link ``#fragments``) a repair may
    start with U+FE0F, which GitHub's slugs keep when they drop the emoji before it.
    See the module docstring for what gets repaired."""
    if not looks_like_mojibake(text):
        return []
    cands = _candidates(text, skip, fragments)
    if not cands:
        return []
    _ftfy_agrees(text, cands)
    seen: set[tuple[str, str]] = set()
    lines: set[tuple[tuple[int, int], str]] = set()
    judged, todo = [], cands
    while todo:  # a double decoding that fails falls back to a single one
        _judge(text, todo, seen, lines)
        judged += todo
        todo = [c.alt for c in todo if not c.tier and c.alt]
    chosen: list[_Cand] = []
    taken = bytearray(len(text))
    for c in sorted(
        (c for c in judged if c.tier),
        key=lambda c: (c.tier, c.start - c.end, ORDER[c.used[0].label]),
    ):
        if not any(taken[c.start : c.end]):
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
            chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return [Repair(c.start, c.end, c.original, c.replacement, c.codec) for c in chosen]


def _apply(
    text: str, repairs: list[Repair], skip: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """Apply sorted, non-overlapping repairs; shift the skip ranges to match."""
    parts, pos = [], 0
    for r in repairs:
        parts += [text[pos : r.start], r.replacement]
        pos = r.end
    parts.append(text[pos:])
    shifted = []
    for s, e in skip:
        delta = sum(len(r.replacement) - (r.end - r.start) for r in repairs if r.end <= s)
        shifted.append((s + delta, e + delta))
    return "".join(parts), shifted


def repair_text(text: str, skip: Sequence[tuple[int, int]] = ()) -> str:
    """Apply find_mojibake until nothing changes (a repair can, rarely, expose another)."""
    ranges = list(skip)
    for _ in range(3):
        repairs = find_mojibake(text, ranges)
        if not repairs:
            break
        text, ranges = _apply(text, repairs, ranges)
    return text


def _chunk_round_trips(old: str, new: str) -> bool:
    while old and new and old[0] == new[0]:
        old, new = old[1:], new[1:]
    while old and new and old[-1] == new[-1]:
        old, new = old[:-1], new[:-1]
    if not old and not new:
        return True
    chains = [(a,) for a in CODECS] + [(a, b) for a in CODECS for b in CODECS]
    for used in chains:
        try:
            back = reencode(new, used)
        except UnicodeError:
            continue
        if back == old or back.translate(LOST_CHARS) == old:
            return True
    return False


def round_trips(damaged: str, repaired: str) -> bool:
    """Whether ``repaired`` is ``damaged`` with only mojibake undone: the ASCII is the
    same, and each changed run of other characters encodes back to the damaged run
    through one codec (or two, for double encoding)."""
    if damaged == repaired:
        return True
    before, after = ASCII_SPLIT_RE.split(damaged), ASCII_SPLIT_RE.split(repaired)
    if len(before) != len(after) or before[1::2] != after[1::2]:
        return False
    return all(_chunk_round_trips(o, n) for o, n in zip(before[::2], after[::2], strict=True))
