"""The codec side of mojibake repair: which runs of characters are UTF-8 read through
cp1252, latin-1 or Mac Roman, and decoding them back (see ``repair`` for judging them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-* codecs)


def char_class(lo: int, hi: int, *codecs: str) -> str:
    """A regex class of the characters bytes lo..hi decode to in the codecs."""
    chars = {ch for codec in codecs for ch in bytes(range(lo, hi + 1)).decode(codec)}
    return "[" + re.escape("".join(sorted(chars))) + "]"


# Well-formed multi-byte UTF-8 (RFC 3629): per byte, its lowest and highest value
_UTF8_SEQUENCES = (
    ((0xC2, 0xDF), (0x80, 0xBF)),
    ((0xE0, 0xE0), (0xA0, 0xBF), (0x80, 0xBF)),
    ((0xE1, 0xEC), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xED, 0xED), (0x80, 0x9F), (0x80, 0xBF)),
    ((0xEE, 0xEF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF0, 0xF0), (0x90, 0xBF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF1, 0xF3), (0x80, 0xBF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF4, 0xF4), (0x80, 0x8F), (0x80, 0xBF), (0x80, 0xBF)),
)


@dataclass(frozen=True, slots=True)
class Codec:
    label: str  # as reported in Repair.codec
    name: str  # Python codec (ftfy registers the sloppy-* ones)
    run: re.Pattern[str]  # a maximal run of UTF-8 sequences
    lossy: bool  # cp1252 shows no byte 0x9D / 0x8F / 0x8D, so they may be missing


def _codec(label: str, name: str, lossy: bool = False) -> Codec:
    seq = "|".join("".join(char_class(lo, hi, name) for lo, hi in s) for s in _UTF8_SEQUENCES)
    if lossy:  # "â€" / "ï¸" cut short: the third byte was one cp1252 cannot display
        seq += f"|â€(?!{char_class(0x80, 0xBF, name)})|ï¸(?!{char_class(0x80, 0xBF, name)})"
    return Codec(label, name, re.compile(f"(?:{seq})+"), lossy)


CODECS = (
    _codec("cp1252", "sloppy-windows-1252", lossy=True),
    _codec("latin-1", "latin-1"),
    _codec("mac_roman", "mac_roman"),
)
ORDER = {c.label: i for i, c in enumerate(CODECS)}


# Any mojibake starts with a lead byte then a continuation byte: one class for each,
# over all codecs (a superset, but much faster than a branch per codec: see the README)
_NAMES = [c.name for c in CODECS]
PAIR_RE = re.compile(char_class(0xC2, 0xF4, *_NAMES) + char_class(0x80, 0xBF, *_NAMES))
C1_RE = re.compile(r"[\x80-\x9f]")
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
ASCII_SPLIT_RE = re.compile(r"([\x00-\x7f]+)")
_LOST_BYTE_RE = re.compile(rb"\xe2\x80(?![\x80-\xbf])|\xef\xb8(?![\x80-\xbf])")
LOST_CHARS = str.maketrans("", "", "\x8d\x8f\x9d")


def _fill_lost(m: re.Match[bytes]) -> bytes:
    if m.group() == b"\xef\xb8":
        return b"\xef\xb8\x8f"  # VARIATION SELECTOR-16
    after = m.string[m.end() : m.end() + 1]
    return b"\xe2\x80\x8d" if after == b"\xf0" else b"\xe2\x80\x9d"  # ZWJ before emoji, else ”


def looks_like_mojibake(s: str) -> bool:
    """Cheap pre-filter: False for ASCII and for text with no lead+continuation pair."""
    return not s.isascii() and PAIR_RE.search(s) is not None


def decode_once(s: str, codec: Codec) -> tuple[str, bool] | None:
    raw = s.encode(codec.name)
    filled = _LOST_BYTE_RE.sub(_fill_lost, raw) if codec.lossy else raw
    try:
        return filled.decode("utf-8"), filled != raw
    except UnicodeDecodeError:
        return None


def next_level(text: str, codecs: Iterable[Codec]) -> tuple[str, Codec, bool] | None:
    for codec in codecs:
        step = decode_once(text, codec) if codec.run.fullmatch(text) else None
        if step is not None:
            return step[0], codec, step[1]
    return None


def reencode(s: str, used: Iterable[Codec]) -> str:
    for codec in reversed(tuple(used)):
        s = s.encode("utf-8").decode(codec.name)
    return s


def damaged_form(ch: str, used: tuple[Codec, ...], run: str) -> str:
    """The damaged form of one character, as it stands in run (maybe missing a byte)."""
    piece = reencode(ch, used)
    return piece if piece in run else piece.translate(LOST_CHARS)


def line_decodes(line: str, used: tuple[Codec, ...]) -> bool:
    """Does the whole line read as UTF-8 through the same decoding steps?"""
    try:
        for codec in used:
            step = decode_once(line, codec)
            if step is None:
                return False
            line = step[0]
    except UnicodeEncodeError:
        return False
    return True
