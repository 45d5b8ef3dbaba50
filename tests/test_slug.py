"""Tests for vaultkit.index.slug: the github-slugger port and Obsidian heading keys."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultkit.index.slug import (
    OBSIDIAN_HEADING_SPECIALS,
    REMOVED_RANGES,
    GithubSlugger,
    github_slug,
    obsidian_heading_key,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "corpora" / "github-slugger" / "fixtures.json"


@cache
def _fixtures() -> list[dict[str, Any]]:
    if not FIXTURES.is_file():
        return []
    cases: list[dict[str, Any]] = json.loads(FIXTURES.read_text(encoding="utf-8"))
    return cases


@cache
def _walk() -> list[str]:
    """Every fixture input through ONE slugger, in file order (counters depend on it)."""
    slugger = GithubSlugger()
    return [slugger.slug(case["input"]) for case in _fixtures()]


def _need_fixtures() -> None:
    if not _fixtures():
        pytest.skip(f"github-slugger fixtures not found at {FIXTURES}")


# --- github-slugger fixtures -------------------------------------------------


def test_fixtures_all_in_order() -> None:
    _need_fixtures()
    failures = [
        (case["name"], got, case["expected"])
        for case, got in zip(_fixtures(), _walk(), strict=True)
        if got != case["expected"]
    ]
    assert failures == []
    assert len(_fixtures()) >= 78


@pytest.mark.parametrize("index", range(len(_fixtures())), ids=[c["name"] for c in _fixtures()] or None)
def test_fixture_case(index: int) -> None:
    # Each id replays the shared ordered walk, so duplicate counters stay right.
    assert _walk()[index] == _fixtures()[index]["expected"]


def test_fixtures_cover_every_general_category() -> None:
    _need_fixtures()
    names = {case["name"] for case in _fixtures()}
    for name in ("Other_Symbol", "Private_Use", "Unassigned", "Format", "Modifier_Letter"):
        assert name in names


# --- duplicate handling ------------------------------------------------------


def test_echo_collision_sequence() -> None:
    s = GithubSlugger()
    assert [s.slug(v) for v in ["echo", "echo", "echo 1", "echo-1", "echo"]] == [
        "echo",
        "echo-1",
        "echo-1-1",
        "echo-1-2",
        "echo-2",
    ]


def test_existing_suffix_is_skipped() -> None:
    s = GithubSlugger()
    assert [s.slug(v) for v in ["foxtrot-1", "foxtrot", "foxtrot"]] == [
        "foxtrot-1",
        "foxtrot",
        "foxtrot-2",
    ]


def test_empty_slugs_dedupe_too() -> None:
    s = GithubSlugger()
    assert [s.slug(v) for v in ["", "!!!", "🎉"]] == ["", "-1", "-2"]


def test_reset_forgets() -> None:
    s = GithubSlugger()
    assert s.slug("Intro") == "intro"
    assert s.slug("Intro") == "intro-1"
    s.reset()
    assert s.slug("Intro") == "intro"


def test_prototype_names_are_plain_keys() -> None:
    s = GithubSlugger()
    assert [s.slug(v) for v in ["constructor", "__proto__", "constructor"]] == [
        "constructor",
        "__proto__",
        "constructor-1",
    ]


def test_maintain_case() -> None:
    s = GithubSlugger()
    assert s.slug("Hello World", maintain_case=True) == "Hello-World"
    assert s.slug("hello world") == "hello-world"  # different case, different slug
    assert s.slug("Hello World", maintain_case=True) == "Hello-World-1"
    assert github_slug("ÀB c", maintain_case=True) == "ÀB-c"


def test_github_slug_does_not_dedupe() -> None:
    assert github_slug("alpha") == github_slug("alpha") == "alpha"


def test_github_slug_non_string() -> None:
    assert github_slug(None) == ""  # type: ignore[arg-type]


# --- characters ----------------------------------------------------------------

# Expected values below were produced by github-slugger 2.0.0 itself.
CHARACTER_CASES = [
    ("Itâ€™s a test", "itâs-a-test"),  # UTF-8 read as cp1252: letters kept, € ™ dropped
    ("Ã¢â‚¬â€ dash", "ãââ-dash"),
    ("CafÃ© au lait", "cafã-au-lait"),
    ("🚀 Launch: v2.0!", "-launch-v20"),  # emoji dropped, its space stays
    ("Deploy ✅ done", "deploy--done"),
    ("family 👨\u200d👩\u200d👧", "family-"),  # ZWJ sequence dropped whole
    ("1\ufe0f\u20e3 keycap", "1\ufe0f\u20e3-keycap"),  # marks are kept
    ("Ⓐ circled 🅰 letters", "ⓐ-circled-🅰-letters"),  # Alphabetic symbols kept
    ("ΟΔΟΣ", "οδος"),  # final sigma, as JavaScript's toLowerCase
    ("Straße", "straße"),
    ("x\u00a0y", "xy"),  # no-break space is deleted, not dashed
    ("tab\there", "tabhere"),
    ('Don\'t "quote" me', "dont-quote-me"),
    ("C++ & C#", "c--c"),
    ("[[Wiki link]] heading", "wiki-link-heading"),
    ("a_b-c d", "a_b-c-d"),
    ("heading with a - dash", "heading-with-a---dash"),
    (" a ", "-a-"),
]


@pytest.mark.parametrize(("value", "expected"), CHARACTER_CASES)
def test_github_slug_characters(value: str, expected: str) -> None:
    assert github_slug(value) == expected


def test_removed_table_shape() -> None:
    flat = [bound for pair in REMOVED_RANGES for bound in pair]
    assert flat == sorted(flat)
    assert all(a <= b for a, b in REMOVED_RANGES)
    assert all(b + 1 < c for (_, b), (c, _) in itertools.pairwise(REMOVED_RANGES))
    assert len(REMOVED_RANGES) == 736
    assert sum(b - a + 1 for a, b in REMOVED_RANGES) == 977_500


def _removed(cp: int) -> bool:
    return github_slug(chr(cp), maintain_case=True) == ""


def test_removed_table_against_unicodedata() -> None:
    # Everything Python's Unicode data puts in a deleted category is deleted,
    # except the Alphabetic symbols (circled / squared letters) github-slugger spares.
    cats = {"No", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp"}
    cats |= {"Cc", "Cf", "Co"}
    spared = set(range(0x24B6, 0x24EA)) | set(range(0x1F130, 0x1F14A))
    spared |= set(range(0x1F150, 0x1F16A)) | set(range(0x1F170, 0x1F18A))
    kept = {
        cp
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) in cats and cp not in (0x20, 0x2D) and not _removed(cp)
    }
    assert kept == spared


def test_removed_keeps_letters_marks_digits_and_connectors() -> None:
    for ch in "aZ9_-é\u0301\u0903\u20dd٣ⅷ你":
        assert not _removed(ord(ch)), ch
    assert github_slug("\ud800") == "\ud800"  # lone surrogates pass through, as in JS


@given(st.text())
def test_slug_output_alphabet(value: str) -> None:
    out = github_slug(value)
    assert " " not in out
    assert github_slug(out) == out.lower()  # nothing left to delete


@given(st.lists(st.text(max_size=8), max_size=30))
def test_slugger_never_repeats(values: list[str]) -> None:
    s = GithubSlugger()
    out = [s.slug(v) for v in values]
    assert len(set(out)) == len(out)
    assert all(o.startswith(github_slug(v)) for o, v in zip(out, values, strict=True))


# --- Obsidian heading keys ------------------------------------------------------


def _obsidian_strip_heading(text: str) -> str:
    """Obsidian's own stripHeading, as documented: specials -> space, collapse, trim."""
    out = re.sub("[" + re.escape(OBSIDIAN_HEADING_SPECIALS) + "]", " ", text)
    return re.sub(r"\s+", " ", out).strip()


def _obsidian_link_part(heading: str) -> str:
    """What Obsidian writes after ``#`` when it makes a link to ``heading``."""
    out = re.sub(r"[:#|^\\\r\n]|%%|\[\[|\]\]", " ", heading)
    return re.sub(r"\s+", " ", out).strip()


KEY_CASES = [
    ("Heading One", "heading one"),
    ("  Heading \t  One  ", "heading one"),
    ("Step 1: Install", "step 1 install"),
    ("a.b", "a b"),
    ("Who? What! Why...", "who what why"),
    ("C++ & C#", "c c"),
    ("Don’t stop", "don t stop"),
    ("Straße", "strasse"),  # casefold, not lower
    ("Ὀδυσσεύς", "ὀδυσσεύσ"),
    ("CAFÉ", "café"),
    ("Cafe\u0301", "café"),  # NFD in, NFC out
    ("🚀 Launch", "launch"),
    ("Deploy ✅ done", "deploy done"),
    ("family 👨\u200d👩\u200d👧 time", "family time"),
    ("❤\ufe0f love", "love"),
    ("Itâ€™s here", "itâ s here"),  # mojibake: letters kept, symbols become spaces
    ("[[Other note]] and #tag", "other note and tag"),
    ("a|b^c%%d", "a b c d"),
    ("x\u00a0\u2003y\u200bz", "x yz"),
    ("", ""),
    ("!!!", ""),
]


@pytest.mark.parametrize(("text", "expected"), KEY_CASES)
def test_obsidian_heading_key(text: str, expected: str) -> None:
    assert obsidian_heading_key(text) == expected


@pytest.mark.parametrize(
    ("heading", "link"),
    [
        ("Step 1: Install", "Step 1 Install"),
        ("Step 1: Install", "step 1: install"),
        ("Why? Because.", "Why Because"),
        ("Can I link to [[Some Note]]?", "Can I link to Some Note"),
        ("Tags #a #b", "Tags a b"),
        ("a^b|c", "a b c"),
        ("Résumé", "Re\u0301sume\u0301"),
        ("Emoji 🎉 party", "Emoji party"),
        ("Ã¢â‚¬â€ mojibake Ã©", "Ã¢â‚¬â€ mojibake Ã©"),
        ("Itâ€™s broken", "itâ€™s broken"),
    ],
)
def test_links_match_headings(heading: str, link: str) -> None:
    assert obsidian_heading_key(heading) == obsidian_heading_key(link)
    # and the link Obsidian itself would write matches too
    assert obsidian_heading_key(_obsidian_link_part(heading)) == obsidian_heading_key(heading)


@pytest.mark.parametrize(
    ("heading", "link"),
    [("Setup", "Set up"), ("Part 1", "Part 2"), ("naïve", "naive"), ("ab", "a b")],
)
def test_different_headings_stay_different(heading: str, link: str) -> None:
    assert obsidian_heading_key(heading) != obsidian_heading_key(link)


_heading_text = st.text(
    alphabet=st.sampled_from(list("aAbB é1 \t.,:#|^[]%?!*_-’🎉\u200d\u0301ΣßİⒶ")), max_size=20
)


@given(_heading_text, _heading_text)
def test_key_is_looser_than_obsidian(a: str, b: str) -> None:
    if _obsidian_strip_heading(a) == _obsidian_strip_heading(b):
        assert obsidian_heading_key(a) == obsidian_heading_key(b)


@given(st.one_of(_heading_text, st.text()))
def test_key_idempotent_and_clean(text: str) -> None:
    key = obsidian_heading_key(text)
    assert obsidian_heading_key(key) == key
    assert key == key.strip()
    assert "  " not in key
    assert not any(ch in key for ch in "#|^:%[]")
    assert obsidian_heading_key(_obsidian_link_part(text)) == key
