"""Tests for vaultkit.text.mojibake: mojibake found and repaired, legitimate text left alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import ftfy  # also registers the sloppy-windows-1252 codec used below
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vaultkit.text.mojibake import Repair, find_mojibake, looks_like_mojibake, repair_text

DATA = json.loads((Path(__file__).parent / "data" / "mojibake_cases.json").read_text("utf-8"))
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
PY_CODEC = {"cp1252": "sloppy-windows-1252", "latin-1": "latin-1", "mac_roman": "mac_roman"}
LOST = str.maketrans("", "", "\x8d\x8f\x9d")  # bytes cp1252 cannot show, often dropped


def reencode(replacement: str, codec: str) -> str:
    for label in reversed(codec.split("+")):
        replacement = replacement.encode("utf-8").decode(PY_CODEC[label])
    return replacement


def check_repairs(text: str, repairs: list[Repair]) -> None:
    """The invariants every result keeps, whatever the input."""
    last_end = 0
    for r in repairs:
        assert last_end <= r.start < r.end <= len(text)
        assert text[r.start : r.end] == r.original != r.replacement
        assert "\n" not in r.original
        assert reencode(r.replacement, r.codec).translate(LOST) == r.original.translate(LOST)
        last_end = r.end


# --- data cases: each kind of damage, and a negative set -----------------------------


@pytest.mark.parametrize("case", DATA["fix"], ids=[c["name"] for c in DATA["fix"]])
def test_fix_case(case: dict[str, str]) -> None:
    repairs = find_mojibake(case["input"])
    check_repairs(case["input"], repairs)
    assert {r.codec for r in repairs} == {case["codec"]}
    assert repair_text(case["input"]) == case["expected"]


@pytest.mark.parametrize("text", DATA["leave"])
def test_leave_case(text: str) -> None:
    assert find_mojibake(text) == []
    assert repair_text(text) == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("### \uf8ffüü© Model Architecture", "### 🟩 Model Architecture"),
        ("‚Ä¢ item", "• item"),
        ("‚óªÔ∏è", "◻️"),
        ("donâ€™t", "don’t"),
        ("Â\xa0 Â\xa0 * item", "\xa0 \xa0 * item"),
        ("[\uf8ffüê¶ Bird](https://x.com)", "[🐦 Bird](https://x.com)"),
    ],
)
def test_short_line_on_its_own(line: str, expected: str) -> None:
    assert repair_text(line) == expected


def test_ftfy_alone_leaves_short_mac_roman_heading() -> None:
    # why the table and file evidence exist: conservative ftfy does nothing here
    heading = "### \uf8ffüü© Model Architecture"
    assert ftfy.fix_text(heading, uncurl_quotes=False) == heading
    assert find_mojibake(heading)[0].codec == "mac_roman"


def test_legitimate_paragraph_untouched() -> None:
    text = (
        "Café naïve Größe — “quoted” and ‘single’ «guillemets» …\n"
        "SÃO PAULO, NÃO, “IRMÃ”, CAFÉ…, Åland, Øresund, Łódź, œuvre, Straße\n"
        "∑ x ≤ π, √2 × 3 · 4 ÷ 2, √π, ±5°C, 10³ m², ½ ¼ ¾\n"
        "東京 日本語 한국어, Ελληνικά, Русский, עברית, العربية\n"
        "😀 🎉 🟩 🐦 📧 ✅ ◻️ 👨‍💻 🫵 © 2024 ™ ®\n"
    )
    assert find_mojibake(text) == []
    assert repair_text(text) == text


# --- the real note --------------------------------------------------------------------


def test_example_000_fully_repaired() -> None:
    path = EXAMPLES / "000_9b697ea2ae0f5582.txt"
    if not path.exists():
        pytest.skip(f"{path} not available")
    text = path.read_text("utf-8")
    repairs = find_mojibake(text)
    check_repairs(text, repairs)
    out = repair_text(text)
    for damage in ("â€", "Â\xa0", "ðŸ", "Ã", "Â"):
        assert damage not in out
    assert "notion —> obsidian" in out
    assert "YOU 🫵 can" in out
    assert "A\xa0Better Way" in out
    assert "\n\xa0 \xa0 * [An even more annotated Transformer]" in out
    assert out.count("\n") == text.count("\n")
    assert find_mojibake(out) == []


def test_example_001_has_nothing_to_repair() -> None:
    path = EXAMPLES / "001_5b424d46e803c8ce.txt"
    if not path.exists():
        pytest.skip(f"{path} not available")
    assert find_mojibake(path.read_text("utf-8")) == []


# --- skip ranges and file-level evidence -------------------------------------------------


def test_skip_range_untouched() -> None:
    text = "Write `donâ€™t` for the damaged form of donâ€™t."
    code = (text.index("`"), text.index("`", 7) + 1)
    repairs = find_mojibake(text, [code])
    assert [(r.start, r.original) for r in repairs] == [(text.rindex("â€™"), "â€™")]
    assert repair_text(text, [code]) == "Write `donâ€™t` for the damaged form of don’t."


def test_evidence_from_the_rest_of_the_file() -> None:
    # "√∫" alone may be maths; a file that shows "Per√∫" says it is a damaged "ú"
    assert find_mojibake("√∫") == []
    text = "# Per√∫\n\n√∫"
    assert repair_text(text) == "# Perú\n\nú"
    # a lone Vietnamese "ạ" through Mac Roman is too weak for ftfy and the table;
    # a damaged Vietnamese line elsewhere decides
    assert find_mojibake("·∫°") == []
    text = "Ti·∫øng Vi·ªát: ch·∫°y nhanh\n·∫°"
    assert repair_text(text) == "Tiếng Việt: chạy nhanh\nạ"


def test_whole_line_of_damage_is_repaired_as_a_whole() -> None:
    # "√∑" alone is as likely maths as a damaged "÷"; in a line that is damaged
    # throughout (it decodes as a whole), it is damage
    assert find_mojibake("√∑ x") == []
    assert repair_text("caf√© √∑ x") == "café ÷ x"


def test_double_encoding_only_as_deep_as_the_context_allows() -> None:
    once = "IRMÃ…".encode().decode("cp1252")  # legit Portuguese, damaged once
    assert repair_text(once) == "IRMÃ…"  # not decoded again into "IRMÅ"
    twice = "’ 仑".encode().decode("cp1252").encode().decode("cp1252")
    assert {r.codec for r in find_mojibake(twice)} == {"cp1252+cp1252"}
    assert repair_text(twice) == "’ 仑"


def test_skip_range_is_not_evidence() -> None:
    text = "`Ti·∫øng Vi·ªát: ch·∫°y nhanh` quoted on purpose\n·∫°"
    assert find_mojibake(text, [(0, text.index("\n"))]) == []


def test_looks_like_mojibake() -> None:
    assert not looks_like_mojibake("plain ascii " * 100)
    assert not looks_like_mojibake("café — “ok” 東京 😀")
    assert looks_like_mojibake("donâ€™t")
    assert looks_like_mojibake("\uf8ffüü©")


def test_speed() -> None:
    note = ("- [A link](https://example.com/a/b) and some words about things.\n" * 40)[:2500]
    start = time.perf_counter()
    for _ in range(1000):
        assert find_mojibake(note) == []
    assert (time.perf_counter() - start) / 1000 < 50e-6  # measured ~0.1 µs
    line = "- notion â€”> obsidian and YOU ðŸ«µ can, AÂ\xa0Better Way\n"
    start = time.perf_counter()
    for _ in range(50):
        find_mojibake(line * 20)
    assert (time.perf_counter() - start) / 50 / 20 < 1e-3  # per damaged line


# --- properties ----------------------------------------------------------------------------

LOWER = "àáâãäåæçèéêëìíîïñòóôõöøùúûüý"
ASCII = "abcdefghijklmnopqrstuvwxyz"
REAL_WORDS = [
    *("café", "naïve", "Größe", "façade", "jalapeño", "crème", "brûlée", "Zürich", "Ærø"),
    *("Øresund", "Ångström", "Łódź", "São", "Paulo", "SÃO", "NÃO", "IRMÃ", "CAFÉ", "ÉCOLE"),
    *("España", "María", "canción", "œuvre", "cœur", "Straße", "Österreich", "À", "voilà"),
    *("déjà", "où", "été", "garçon", "Ελληνικά", "Русский", "мир", "привет", "עברית", "العربية"),
]
# Lowercase words over a Latin alphabet. A word may not end in "â": "â" followed by two
# cp1252 continuation marks ("â…\xa0") is byte for byte the mojibake of U+2000-U+2FFF.
words = st.one_of(
    st.sampled_from(REAL_WORDS),
    st.text(ASCII + LOWER, min_size=1, max_size=9).map(lambda w: w + "s" if w[-1] == "â" else w),
)
cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4)
emoji = st.sampled_from([*"😀🎉🟩🐦📧✅🫵👍🔥⭐", "❤️", "◻️", "👨‍💻"])
# No lone "÷": its Mac Roman mojibake "√∑" is also legit maths, so it stays (see "leave").
symbols = st.sampled_from([*"∑≤≥π√×±∞∫≈≠°²³½→←•·—–…", "√π", "√2", "2×3", "x²"])
closers = st.sampled_from(["", "", ",", ".", "…", "”", "’", "»", "!", "’s", ":"])
openers = st.sampled_from(["", "", "“", "‘", "«", "¡", "¿", "("])


@st.composite
def legit_line(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["word", "word", "word", "cjk", "emoji", "symbol"]))
        if kind == "word":
            parts.append(draw(openers) + draw(words) + draw(closers))
        else:
            parts.append(draw({"cjk": cjk, "emoji": emoji, "symbol": symbols}[kind]))
        parts.append(draw(st.sampled_from([" ", " ", " — ", ", ", "\xa0: "])))
    return "".join(parts).strip()


legit_text = st.lists(legit_line(), min_size=1, max_size=6).map("\n".join)
# A line of damaged text is repaired as a whole once one repair in it is sure. Alone, a
# lone ambiguous sequence may stay ("√∫" is also maths), so each line gets an anchor.
anchors = st.sampled_from(["—", "’", "“", "é", "•", "…", "😀", "→"])
anchored_text = st.lists(st.tuples(anchors, legit_line()).map(" ".join), min_size=1, max_size=6).map(
    "\n".join
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(legit_text)
def test_legit_text_has_no_repairs(text: str) -> None:
    assert find_mojibake(text) == []


@FAST
@given(anchored_text)
def test_cp1252_round_trip(text: str) -> None:
    try:
        damaged = text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        assume(False)  # a byte cp1252 cannot show: not representable
        return
    check_repairs(damaged, find_mojibake(damaged))
    assert repair_text(damaged) == text


@FAST
@given(anchored_text)
def test_mac_roman_round_trip(text: str) -> None:
    damaged = text.encode("utf-8").decode("mac_roman")
    check_repairs(damaged, find_mojibake(damaged))
    assert repair_text(damaged) == text


@FAST
@given(anchored_text)
def test_double_cp1252_round_trip(text: str) -> None:
    try:
        damaged = text.encode("utf-8").decode("cp1252").encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        assume(False)
        return
    assert repair_text(damaged) == text


@FAST
@given(st.lists(st.tuples(legit_text, st.sampled_from(["", "cp1252", "mac_roman"]))))
def test_repair_is_idempotent(pieces: list[tuple[str, str]]) -> None:
    text = "\n".join(t if not codec else t.encode("utf-8").decode(PY_CODEC[codec]) for t, codec in pieces)
    once = repair_text(text)
    assert repair_text(once) == once
