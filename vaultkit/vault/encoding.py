"""Decoding note bytes: UTF-8 and BOMs first, then charset-normalizer with a second opinion.

charset-normalizer alone confuses Windows-1252 and Mac Roman with their Central
European cousins on short Western text, so for Latin-script guesses the candidates
are scored by how much they look like mojibake ("cafÈ", "itÕs", "‡").

Transcoding only with proof. A legacy guess is ``confident`` (and so converted by
``fix``) only when all of this holds; otherwise the note is reported and left alone:

- the bytes round-trip: decoding and encoding again gives the same bytes;
- the text reads clearly: no implausible character (C1 controls, private use,
  unassigned, typical mojibake such as ``‡`` or ``cafÈ``), and at least
  ``READABLE_MIN`` (75%) of its non-ASCII characters are ordinary text (for Western
  codecs the common accented letters and typographic punctuation; for other scripts,
  letters and marks);
- it is clearly ahead of the runner-up, the best other codec that also round-trips but
  gives a different text: for Western codecs by at least ``MARGIN`` (1) "doubt" point
  (an implausible character counts 2, an unclear one 1); for other scripts,
  charset-normalizer's chaos must be at least ``OTHER_CHAOS_MARGIN`` (0.05) lower or
  its coherence ``OTHER_COHERENCE_MARGIN`` (0.1) higher.

So ``hello \\xff\\xfe world \\xc3 and \\x80\\x81`` (corrupt UTF-8 that several DOS
code pages decode, into box-drawing characters) is never converted.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

BINARY = "binary"  # the ``encoding`` of a file that is not text
SNIFF_BYTES = 8192  # a NUL byte in this many leading bytes means binary
# charset-normalizer "chaos" (mess ratio, 0..1) above which a guess is not
# confident; 0.2 is charset-normalizer's own default cut-off for a match.
CHAOS_MAX = 0.2
# Non-Latin guesses (Cyrillic, CJK, Greek...) get no second opinion from us,
# so they must be cleaner and show some language coherence to be confident.
OTHER_CHAOS_MAX = 0.1
OTHER_COHERENCE_MIN = 0.1
READABLE_MIN = 0.75  # share of non-ASCII characters that must be ordinary text
MARGIN = 1  # doubt points by which a Western runner-up must trail
OTHER_CHAOS_MARGIN = 0.05
OTHER_COHERENCE_MARGIN = 0.1

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BOMS = (  # UTF-32 first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BOM_OF = {enc: bom for bom, enc in _BOMS}
CODEC = {"utf-8-sig": "utf-8"}  # the BOM is handled by hand

# Single-byte Latin-script codecs (charset-normalizer's names) for which our
# cp1252/mac_roman arbitration applies.
_LATIN_NAMES = (
    "cp1252 latin_1 iso8859_15 mac_roman mac_iceland mac_latin2 mac_turkish cp1250 "
    "cp1254 cp1257 cp1258 iso8859_2 iso8859_3 iso8859_4 iso8859_9 iso8859_10 "
    "iso8859_13 iso8859_14 iso8859_16 cp437 cp850 cp852 cp857 cp858 cp860 cp861 "
    "cp863 cp865 cp775 hp_roman8"
)
_LATIN = frozenset(_LATIN_NAMES.split())
# Characters that are ordinary in Western notes...
_GOOD = frozenset(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœšžÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒŠŽ‘’‚“”„–—…«»‹›•·°©®™€£¥¢§±×¿¡\u00a0"
)
# ...and ones that show up mostly as mojibake of the other codec.
_SUSPECT = frozenset("‡†ˆ˜¯˘˙˚¸˝˛ˇ√∂∆∑∏π∫Ω≈≠≤≥∞◊ƒﬁﬂı‰¤¦¨´ªº¹²³¼½¾")
_BETWEEN_OK = frozenset("’‘'-–·\u00a0")  # fine between two letters


def decode_bytes(data: bytes) -> tuple[str, str, bool, bool]:
    """Return (text with original newlines, encoding, bom, confident).

    Binary data gives ("", BINARY, False, False). Every returned encoding
    round-trips: ``text.encode(...)`` (plus the BOM) gives ``data`` back.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _lossless(data[len(bom) :], CODEC.get(enc, enc))
            if text is not None:
                return text, enc, True, True
    if b"\x00" in data[:SNIFF_BYTES]:
        return "", BINARY, False, False
    text = _lossless(data, "utf-8")
    if text is not None:
        return text, "utf-8", False, True
    return _guess_legacy(data)


def _lossless(data: bytes, encoding: str) -> str | None:
    """Decode strictly, and only if encoding the text gives the same bytes."""
    try:
        text = data.decode(encoding)
        return text if text.encode(encoding) == data else None
    except (UnicodeError, LookupError):
        return None


def _guess_legacy(data: bytes) -> tuple[str, str, bool, bool]:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return "", BINARY, False, False
    # UTF-16/32 are only trusted with a BOM (charset-normalizer likes them for short input)
    pick = next((m for m in matches if not m.encoding.startswith(("utf_16", "utf_32"))), None)
    other = None
    if pick is not None and pick.encoding not in _LATIN:
        text = _lossless(data, pick.encoding)
        if text is not None:
            sure = (
                pick.chaos <= OTHER_CHAOS_MAX
                and pick.coherence >= OTHER_COHERENCE_MIN
                and _letter_share(text) >= READABLE_MIN
                and all(
                    m.chaos >= pick.chaos + OTHER_CHAOS_MARGIN
                    or m.coherence <= pick.coherence - OTHER_COHERENCE_MARGIN
                    for m in matches
                    if m is not pick and _lossless(data, m.encoding) not in (None, text)
                )
            )
            other = text, pick.encoding, False, sure
            if sure:
                return other
    # Latin script: charset-normalizer often confuses cp1252/mac_roman with their
    # Central European cousins (and short text with CJK), so score ourselves.
    latin = _latin_guess(data, pick.encoding if pick and not other else None)
    if other is not None and (latin is None or not latin[3]):
        return other
    return latin or ("", BINARY, False, False)


def _latin_guess(data: bytes, extra: str | None) -> tuple[str, str, bool, bool] | None:
    from charset_normalizer.md import mess_ratio

    names = ["cp1252", "mac_roman", "cp1250"]
    if extra is not None and extra not in names:
        names.append(extra)
    scored: list[tuple[int, int, int, str, str]] = []  # (doubt, bad, order, codec, text)
    for order, name in enumerate(names):
        text = _lossless(data, name)
        if text is not None:
            bad, good, total = _mojibake_score(text)
            doubt = 2 * bad + (total - bad - good)
            readable = bad == 0 and good >= READABLE_MIN * total
            scored.append((doubt, 0 if readable else 1, order, name, text))
    if not scored:
        return None
    scored.sort()
    doubt, unreadable, _, name, text = scored[0]
    sure = (
        not unreadable
        and all(o[0] >= doubt + MARGIN for o in scored[1:] if o[4] != text)
        and mess_ratio(text[:32768], maximum_threshold=1.0) <= CHAOS_MAX
    )
    return text, name, False, sure


def _letter_share(text: str) -> float:
    """The share of non-ASCII characters that are letters, marks or ordinary punctuation."""
    total = ok = 0
    for index, match in enumerate(_NON_ASCII.finditer(text)):
        if index >= 20000:
            break
        total += 1
        ch = match.group()
        ok += unicodedata.category(ch)[0] in "LM" or ch in _GOOD
    return ok / total if total else 1.0


def _mojibake_score(text: str) -> tuple[int, int, int]:
    """Count (implausible, plausible, all) non-ASCII characters for Western text."""
    bad = good = total = 0
    for index, match in enumerate(_NON_ASCII.finditer(text)):
        if index >= 20000:  # plenty of evidence; keeps big files fast
            break
        i, ch = match.start(), match.group()
        total += 1
        cat = unicodedata.category(ch)
        prev = text[i - 1] if i else " "
        nxt = text[i + 1 : i + 2] or " "
        between = prev.isalpha() and nxt.isalpha()
        if (
            cat[0] == "C"  # C1 control, unassigned, private use (Apple logo)
            or ch in _SUSPECT
            or (cat == "Lu" and (prev.islower() or prev in ",.;:!?"))  # "cafÈ", "notes,Ó"
            or (cat == "Lu" and nxt.isupper() and text[i + 2 : i + 3].islower())  # "ÒBring"
            or (cat == "Ll" and nxt.isupper())  # "ìIt"
            or (between and cat[0] != "L" and ch not in _BETWEEN_OK)  # "Za¿ó"
            or (between and cat[0] == "L" and not prev.isascii() and not nxt.isascii())  # "Ïðèâåò"
        ):
            bad += 1
        elif ch in _GOOD:
            good += 1
    return bad, good, total
