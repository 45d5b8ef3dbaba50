"""Fuzzing the note-level check and fix: random markdown and random bytes, at a fixed seed
and budget (hypothesis, derandomized). No exception ever escapes, and fix is idempotent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaultkit
from vaultkit.vault.encoding import decode_bytes

BUDGET = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that markdown, Obsidian and vaultkit's own scanners give meaning to.
PIECES = [
    "- ",
    "* ",
    "1. ",
    "> ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "# ",
    "## ",
    "---\n",
    "```\n",
    "~~~",
    "`",
    "$",
    "$$",
    "[",
    "]",
    "(",
    ")",
    "![",
    "[[",
    "]]",
    "|",
    "#",
    "^",
    "%%",
    "<!--",
    "-->",
    '<a href="',
    '">',
    "</a>",
    "<",
    ">",
    "*",
    "_",
    "**",
    "~~",
    "\\",
    "https://",
    "http://",
    "www.",
    "e.com/",
    "?utm_source=x",
    "&",
    "#frag",
    "mailto:a@b.c",
    ":",
    "tags: [a]\n",
    "title: x\n",
    "\u00a0",
    "Ã©",
    "â€™",
    "é",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\r",
    "word",
    " ",
    "0",
    "1)",
]
markdown = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=60).map("".join)


def check_and_fix(text: str) -> None:
    """The public note-level API: check, then fix twice; the second fix changes nothing."""
    vaultkit.check_text(text, path="fuzz.md")
    once = vaultkit.fix_text(text, path="fuzz.md", unsafe=True)
    if once.refused:
        return
    twice = vaultkit.fix_text(once.text, path="fuzz.md", unsafe=True)
    assert twice.text == once.text, (text, once.text, twice.text)


@BUDGET
@given(markdown)
def test_random_markdown_checks_and_fixes_idempotently(text: str) -> None:
    check_and_fix(text)


@BUDGET
@given(st.binary(max_size=400))
def test_random_bytes_decode_check_and_fix(data: bytes) -> None:
    text = decode_bytes(data)[0].replace("\r\n", "\n").replace("\r", "\n")
    check_and_fix(text)
