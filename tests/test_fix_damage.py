"""Issue 3, "Done when" 2 and 3: each kind of damage repaired by `vaultkit fix` as a whole
note and as a short line on its own; legitimate non-ASCII text left byte-identical.

Every test writes real files into a vault in tmp_path and runs the real CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.fixkit import Run, make_vault, vk

from vaultkit.parse.mdit import parser

CP1252 = "sloppy-windows-1252"  # ftfy's cp1252 that also maps the five undefined bytes


def fix_file(
    tmp_path: Path, content: str | bytes, *options: str, name: str = "note.md"
) -> tuple[Run, bytes, Path]:
    """Write one note, run `vaultkit fix [options]` on the vault; the run and the new bytes."""
    root = make_vault(tmp_path, {name: content})
    run = vk("fix", *options, root)
    assert run.code == 0, run.output
    return run, (root / name).read_bytes(), root


def fixed_text(tmp_path: Path, content: str, *options: str) -> str:
    return fix_file(tmp_path, content, *options)[1].decode("utf-8")


# ---------------------------------------------------------------- mojibake

# A note using every character the issue lists, and more (NBSP only inside text:
# in a list item's indentation it would rightly become a space).
LEGIT_NOTE = """# Field notes — week 38

Don’t forget: “quotes”, ‘single’, an em dash — here, and a no-break\u00a0space.
Café, naïve, déjà vu, résumé, señor, Größe, smørrebrød, Ærø, coöperate.

### 🟩 Model Architecture

- ◻️ open task
- • a bullet kept as text
- [🐦 Bird post](https://x.com/someone/status/1)
- 📧 mail me — YOU 🫵 can use it
- [[#🟩 Model Architecture]]
- “Transformers” → attention … ≈ 2× faster
"""

SINGLE = [("cp1252", CP1252), ("latin-1", "latin-1"), ("mac_roman", "mac_roman")]


@pytest.mark.parametrize(("label", "codec"), SINGLE, ids=[s[0] for s in SINGLE])
def test_whole_note_read_with_the_wrong_codec(tmp_path: Path, label: str, codec: str) -> None:
    damaged = LEGIT_NOTE.encode("utf-8").decode(codec)
    assert damaged != LEGIT_NOTE

    run, data, root = fix_file(tmp_path, damaged)

    assert data == LEGIT_NOTE.encode("utf-8")
    assert "mojibake" in run.stdout
    # the repaired heading and the wikilink to it agree: no broken anchor
    check = vk("check", root)
    assert "VK002" not in check.stdout and "VK008" not in check.stdout, check.output


# The damage the issue lists, and what it must become.
WIN1252 = [
    ("â€”", "—"),
    ("â€™", "’"),
    ("Â\u00a0", "\u00a0"),
    ("ðŸ«µ", "🫵"),
    ("â€œ", "“"),
    ("Ã©", "é"),
]
MAC_ROMAN = [
    ("‚óªÔ∏è", "◻️"),
    ("‚Ä¢", "•"),
    ("\uf8ffüü©", "🟩"),
    ("\uf8ffüê¶", "🐦"),
    ("\uf8ffüìß", "📧"),
    ("‚Äî", "—"),
    ("‚Äô", "’"),
]
SEQUENCES = [("cp1252", *s) for s in WIN1252] + [("mac_roman", *s) for s in MAC_ROMAN]


def test_the_listed_sequences_are_what_the_codecs_make() -> None:
    for codec, bad, good in SEQUENCES:
        made = good.encode("utf-8").decode(CP1252 if codec == "cp1252" else codec)
        assert made == bad, (codec, good)


@pytest.mark.parametrize(("codec", "bad", "good"), SEQUENCES, ids=[f"{c}-{g}" for c, _, g in SEQUENCES])
@pytest.mark.parametrize(
    "template",
    [
        "### {} Model Architecture\n",
        "- {} item\n",
        "{}\n",
        "Short {} line.\n",
        "- [{} link text](https://example.com/a)\n",
    ],
    ids=["heading", "item", "alone", "sentence", "link-text"],
)
def test_short_line_on_its_own(tmp_path: Path, codec: str, bad: str, good: str, template: str) -> None:
    """One short line carrying one sequence, in a note with no other damage."""
    clean = "# Notes\n\nPlain text here.\n\n"
    after = "\nMore plain text.\n"
    text = fixed_text(tmp_path, clean + template.format(bad) + after)
    assert text == clean + template.format(good) + after


def test_repaired_heading_makes_its_anchor_links_work(tmp_path: Path) -> None:
    note = (
        "# Doc\n\n- [[#🟩 Model Architecture]]\n- [[Doc#🟩 Model Architecture|section]]\n\n"
        "### \uf8ffüü© Model Architecture\n\nText.\n"
    )
    root = make_vault(tmp_path, {"Doc.md": note})
    before = vk("check", root)
    assert before.stdout.count("VK002") == 2 and "VK008" in before.stdout

    assert vk("fix", root).code == 0

    assert (root / "Doc.md").read_text("utf-8") == note.replace("\uf8ffüü©", "🟩")
    after = vk("check", root)
    assert after.code == 0 and "VK0" not in after.stdout, after.output


def test_every_line_of_a_table_of_contents_is_repaired(tmp_path: Path) -> None:
    """ftfy alone repairs the long damaged lines; the short ones must come out repaired too."""
    good = (
        "## Contents\n- [[#🟩 Model Architecture]]\n- [[#🐦 Posts]]\n- [[#📧 Mail]]\n\n"
        "### 🟩 Model Architecture\nThe model’s layers — all “twelve” of them — sit in one "
        "stack • nothing more ◻️ to add.\n### 🐦 Posts\n### 📧 Mail\n"
    )
    damaged = good.encode("utf-8").decode("mac_roman")
    root = make_vault(tmp_path, {"toc.md": damaged})
    assert vk("fix", root).code == 0
    assert (root / "toc.md").read_text("utf-8") == good
    assert "VK002" not in vk("check", root).stdout


def _double(text: str, first: str, second: str) -> str:
    return text.encode("utf-8").decode(first).encode("utf-8").decode(second)


DOUBLE = ["café", "naïve résumé", "it’s", "an em dash — here", "YOU 🫵", "a • b", "déjà vu"]


@pytest.mark.parametrize("good", DOUBLE)
def test_double_encoded_cp1252(tmp_path: Path, good: str) -> None:
    line = f"- Some words {good} and more words\n"
    damaged = _double(line, CP1252, CP1252)
    assert vk("check", make_vault(tmp_path, {"n.md": damaged}, name="probe")).stdout.count("VK008") == 1
    assert fixed_text(tmp_path, damaged) == line


def test_double_encoded_whole_note(tmp_path: Path) -> None:
    good = (
        "# Notes — week 1\n\nIt’s a café; ‘quoted’… naïve résumé, “open quote.\n"
        "- YOU 🫵 can use it\n- • bullet\n"
    )
    damaged = _double(good, CP1252, CP1252)
    assert fixed_text(tmp_path, damaged) == good


@pytest.mark.parametrize(
    ("good", "first", "second"),
    [
        ("”", CP1252, CP1252),
        ("🐦", CP1252, CP1252),
        ("◻️", CP1252, CP1252),
        ("ö", "mac_roman", "mac_roman"),
        ("🟩", "mac_roman", "mac_roman"),
    ],
)
def test_double_encoded_hard_cases(tmp_path: Path, good: str, first: str, second: str) -> None:
    """Double encoding through bytes cp1252 cannot show (0x9D, 0x90, 0x8F), and Mac Roman twice."""
    line = f"Some words {good} and more words\n"
    assert fixed_text(tmp_path, _double(line, first, second)) == line


@pytest.mark.parametrize("good", ["Kaffee, café\xa0„stark“", "café\xa0±1", "le thé\xa0€", "café\xa0©"])
def test_known_false_repairs(tmp_path: Path, good: str) -> None:
    """A letter à-ï, a no-break space and a cp1252 0x80-0xBF symbol look like one UTF-8
    sequence (a CJK character) but are legitimate text: left alone."""
    note = f"{good}\n"
    assert fixed_text(tmp_path, note) == note


def test_only_encoding_is_repaired(tmp_path: Path) -> None:
    """No quote uncurling, HTML unescaping or Unicode normalisation around a repair."""
    good = "“Curly” &amp; ﬁne — café vs cafe\u0301, ½ Ｆｕｌｌ\n"
    damaged = good.replace("—", "â€”")
    assert fixed_text(tmp_path, damaged) == good


# ---------------------------------------------------------------- the other rules


def test_nbsp_indent(tmp_path: Path) -> None:
    note = (
        "- parent\n\u00a0\u00a0- child\n\u00a0 \u00a0 - grandchild\n"
        "\u2003\u2003- em-space child\n\u202f\u202f1. narrow-nbsp child\n"
        "text with a no-break\u00a0space stays\n"
    )
    run, data, _ = fix_file(tmp_path, note)
    text = data.decode("utf-8")
    assert text == (
        "- parent\n  - child\n    - grandchild\n  - em-space child\n"
        "  1. narrow-nbsp child\ntext with a no-break\u00a0space stays\n"
    )
    assert "nbsp-indent ×4" in run.stdout
    # the token tree: child and grandchild are nested lists now
    levels = [t.level for t in parser().parse(text) if t.type in ("bullet_list_open", "ordered_list_open")]
    assert levels == [0, 2, 4, 2]


def test_nbsp_inside_code_block_is_left(tmp_path: Path) -> None:
    note = "```\n\u00a0\u00a0- not a list\n```\n"
    assert fix_file(tmp_path, note)[1] == note.encode("utf-8")


def test_list_marker_space(tmp_path: Path) -> None:
    note = (
        "-[Paper](https://arxiv.org/abs/1706.03762)\n*[Blog](https://a.io/post)\n"
        "  -[Nested](https://a.io/n)\n*[emphasised link](https://a.io/e)*\n"
    )
    run, data, _ = fix_file(tmp_path, note)
    assert data.decode("utf-8") == (
        "- [Paper](https://arxiv.org/abs/1706.03762)\n* [Blog](https://a.io/post)\n"
        "  - [Nested](https://a.io/n)\n*[emphasised link](https://a.io/e)*\n"
    )
    assert "list-marker-space ×3" in run.stdout


def test_empty_list_item(tmp_path: Path) -> None:
    note = "- a\n- \n- b\n-\n\n1. one\n2.\n3. three\n* x\n*   \n"
    run, data, _ = fix_file(tmp_path, note)
    assert data.decode("utf-8") == "- a\n- b\n\n1. one\n3. three\n* x\n"
    assert "empty-list-item ×4" in run.stdout


def test_empty_list_item_in_templates_folder_is_kept(tmp_path: Path) -> None:
    root = make_vault(
        tmp_path,
        {"Templates/daily.md": "## Tasks\n- \n", ".obsidian/templates.json": '{"folder": "Templates"}'},
    )
    assert vk("fix", root).code == 0
    assert (root / "Templates/daily.md").read_text("utf-8") == "## Tasks\n- \n"


def test_malformed_link_glued_to_a_copy_of_itself(tmp_path: Path) -> None:
    url = "https://amaarora.github.io/posts/2023-07-25-llmchain.html"
    note = f"- [Deciphering LangChain]({url}{url})\n- {url}{url}\n"
    run, data, _ = fix_file(tmp_path, note)
    assert data.decode("utf-8") == f"- [Deciphering LangChain]({url})\n- {url}\n"
    assert "malformed-link ×2" in run.stdout


def test_malformed_link_whitespace_removed(tmp_path: Path) -> None:
    note = "See [Simon](https://simonwil lison.net/2024/Dec/31/llms/) for the year.\n"
    text = fixed_text(tmp_path, note)
    assert text == "See [Simon](https://simonwillison.net/2024/Dec/31/llms/) for the year.\n"


@pytest.mark.parametrize(
    "note",
    [
        "- [two](https://a.io/posts/xhttps://b.io/other/y)\n",  # two different glued URLs
        "- https://a.io/xhttps://b.io/y\n",
        "- [t](https://exa mple.org/a b/c d)\n",  # breaks in host and path: no one reading
        "- [t](https://exa mple/a)\n",  # the joined host is still not a host name
        "- [t](https://a.io/a\tb)\n",  # a tab: not plainly a space in a name
        "- [t]()\n",
    ],
)
def test_malformed_link_left_when_ambiguous(tmp_path: Path, note: str) -> None:
    run, data, root = fix_file(tmp_path, note)
    assert data == note.encode("utf-8")
    assert "fixed 0 problem(s)" in run.output
    assert "VK004" in vk("check", root).stdout  # still reported


def test_tracking_params(tmp_path: Path) -> None:
    note = (
        "- [a](https://example.com/post?utm_source=nl&utm_medium=email&id=42&utm_campaign=x)\n"
        "- [b](https://example.com/p?fbclid=IwAR0abc)\n"
        "- [c](https://shop.example/item?gclid=Cj0K&color=red#reviews)\n"
        "- [yt](https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&t=42&utm_source=share)\n"
        "- https://example.com/bare?utm_source=x&q=1\n"
        "- [keep](https://example.com/search?q=utm_source&page=2)\n"
    )
    run, data, _ = fix_file(tmp_path, note)
    assert data.decode("utf-8") == (
        "- [a](https://example.com/post?id=42)\n"
        "- [b](https://example.com/p)\n"
        "- [c](https://shop.example/item?color=red#reviews)\n"
        "- [yt](https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&t=42)\n"
        "- https://example.com/bare?q=1\n"
        "- [keep](https://example.com/search?q=utm_source&page=2)\n"
    )
    assert "tracking-params ×5" in run.stdout


DUPLICATES = (
    "- [First](https://example.com/a)\n- [Other](https://example.com/b)\n"
    "- [Again](https://example.com/a)\n- see https://example.com/a again\n"
)


def test_duplicate_url_needs_unsafe_fixes(tmp_path: Path) -> None:
    run, data, root = fix_file(tmp_path, DUPLICATES)
    assert data == DUPLICATES.encode("utf-8")
    assert "fixed 0 problem(s)" in run.output
    assert "VK005" in vk("check", root).stdout


def test_duplicate_url_with_unsafe_fixes(tmp_path: Path) -> None:
    run, data, _ = fix_file(tmp_path, DUPLICATES, "--unsafe-fixes")
    # the item that is nothing but the duplicate link goes; the one with more text stays
    assert data.decode("utf-8") == (
        "- [First](https://example.com/a)\n- [Other](https://example.com/b)\n"
        "- see https://example.com/a again\n"
    )
    assert "duplicate-url ×1" in run.stdout


NOT_UTF8 = (
    "# Café notes\n\nThe naïve façade — “quoted” and ‘single’, déjà vu.\n"
    "- Résumé für Jürgen\n- crème brûlée, piñata, señor\n"
)


@pytest.mark.parametrize("codec", ["cp1252", "mac_roman"])
def test_non_utf8_file_converted(tmp_path: Path, codec: str) -> None:
    raw = NOT_UTF8.encode(codec)
    root = make_vault(tmp_path, {"legacy.md": raw})
    assert f"encoded as {codec}" in vk("check", root).stdout

    run = vk("fix", root)

    assert run.code == 0, run.output
    assert "non-utf8-encoding ×1" in run.stdout
    assert (root / "legacy.md").read_bytes() == NOT_UTF8.encode("utf-8")
    assert vk("fix", "--check", root).code == 0


def test_non_utf8_cp1252_crlf_converted_keeps_line_endings(tmp_path: Path) -> None:
    raw = NOT_UTF8.replace("\n", "\r\n").encode("cp1252")
    _, data, _ = fix_file(tmp_path, raw)
    assert data == NOT_UTF8.replace("\n", "\r\n").encode("utf-8")


def test_non_utf8_not_converted_when_unsure(tmp_path: Path) -> None:
    raw = b"\xe9\xe8\xe0\n"  # three high bytes: any single-byte codec fits
    root = make_vault(tmp_path, {"unsure.md": raw})
    run = vk("fix", root)
    assert "is a guess" in run.stderr
    assert (root / "unsure.md").read_bytes() == raw


# ---------------------------------------------------------------- legitimate text

LEGIT = """---
title: Légitime — “ok”
tags: [café, 数学]
---
# Résumé: naïve café, déjà vu, Zürich, São Paulo, Ærøskøbing, İstanbul, Łódź

Maths: √2 ≈ 1.414, 3 × 4 · 5 ≤ 60, ∑ xᵢ, π r², ∞, ±1, x ≠ y, ∂f/∂x, √π, 10 ÷ 2, 5 °C, µs.
Dashes — and – ranges; “double”, ‘single’, «guillemets», „German“, ‚low‘ … and it’s fine.
CJK: 漢字 かな カタカナ 한국어; emoji: 🎉 🫵 🟩 🐦 📧 ◻️ • 👩‍💻 🇫🇷 ❤️.
A no-break\u00a0space, a thin\u2009space, a narrow\u202fno-break space, a zero-width\u200bspace.
Ã la carte? No: À la carte. ÆØÅ æøå ß ẞ Þórr Ðð.

- [Café ☕](https://example.com/café?q=naïve#résumé)
- [[Ünïcödé Nöte#Hëading]]
- Inline code keeps mojibake quoted on purpose: `â€”` and `ðŸ«µ` and `\uf8ffüü©`.
- Math span $a × b ≤ c$ stays.

```text
Mojibake in a fenced block stays: â€” â€™ Â\u00a0 ðŸ«µ ‚óªÔ∏è \uf8ffüü©
```

    indented code: â€”

Last line without a final newline: ça marche ✓"""


def test_legitimate_non_ascii_is_byte_identical(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"legit.md": LEGIT})
    before = (root / "legit.md").stat()

    run = vk("fix", root)

    assert run.code == 0, run.output
    assert "fixed 0 problem(s) in 0 file(s)" in run.output
    assert (root / "legit.md").read_bytes() == LEGIT.encode("utf-8")
    assert (root / "legit.md").stat().st_mtime_ns == before.st_mtime_ns
    check = vk("check", "--select", "mojibake,nbsp-indent,non-utf8-encoding", root)
    assert "VK0" not in check.stdout, check.output


def test_legitimate_text_with_bom_and_crlf_is_byte_identical(tmp_path: Path) -> None:
    raw = LEGIT.replace("\n", "\r\n").encode("utf-8-sig")
    root = make_vault(tmp_path, {"legit.md": raw})
    assert vk("fix", root).code == 0
    assert (root / "legit.md").read_bytes() == raw


def test_legitimate_utf16_text_only_changes_encoding(tmp_path: Path) -> None:
    """UTF-16 is not UTF-8: the fix converts it, and nothing else (line endings kept)."""
    root = make_vault(tmp_path, {"legit.md": LEGIT.replace("\n", "\r\n").encode("utf-16")})
    run = vk("fix", root)
    assert run.code == 0 and "non-utf8-encoding ×1" in run.stdout, run.output
    assert (root / "legit.md").read_bytes() == LEGIT.replace("\n", "\r\n").encode("utf-8")


# ---------------------------------------------------------------- regressions found by the property tests


def test_nbsp_indent_never_makes_a_code_block(tmp_path: Path) -> None:
    """Four spaces with no list above is an indented code block: that NBSP indent stays,
    reported as not fixed, and the file is still written with the other fixes."""
    note = "# Notes\n\u00a0\u00a0\u00a0\u00a0- [notes](https://example.com/)\n- a â€” b\n"
    _, data, root = fix_file(tmp_path, note)
    assert data.decode("utf-8") == note.replace("â€”", "—")
    check = vk("check", "--select", "nbsp-indent", root)
    assert "not fixed" in check.stdout and "(fixable)" not in check.stdout


def test_empty_item_removed_above_an_nbsp_indented_item(tmp_path: Path) -> None:
    """Both fixes used to be applied in one pass: the re-indented item lost the empty item
    it nested under and became an indented code block, so the guard refused the whole
    file. Now each line-structure fix gets its own pass, judged on the note as it is."""
    note = "-\n\u00a0\u00a0\u00a0\u00a0- [b](https://example.com/b)\nfix â€” this\n"
    run, data, root = fix_file(tmp_path, note)
    assert "not written" not in run.output
    assert data.decode("utf-8") == "\u00a0\u00a0\u00a0\u00a0- [b](https://example.com/b)\nfix — this\n"
    assert "not fixed" in vk("check", root).stdout
    nested = "- a\n-\n\u00a0\u00a0- [b](https://example.com/b)\n"
    assert fixed_text(tmp_path / "2", nested) == "- a\n  - [b](https://example.com/b)\n"


@pytest.mark.parametrize(
    "note",
    [
        "- a\n-\n\n    plain code, not a list\n",  # removing "-" would pull the code into item "a"
        "-[notes](https://example.com/)\n\n    - code https://example.com/x\n",
        "\u00a0\u00a0- notes\n\n    - code https://example.com/x\n",
    ],
)
def test_structure_fixes_never_pull_code_into_a_list(tmp_path: Path, note: str) -> None:
    run, data, _ = fix_file(tmp_path, note)
    assert data == note.encode("utf-8")
    assert "not written" not in run.output
    tokens = parser().parse(data.decode("utf-8"))
    assert [t.type for t in tokens if t.type == "code_block"] == ["code_block"]


def test_duplicate_with_tracking_params_removed_with_unsafe_fixes(tmp_path: Path) -> None:
    """The duplicate differs from the first URL only by tracking parameters; removing it
    is intended and must not trip the link guard."""
    note = "- [a](https://example.com/post?v=1)\n- [b](https://example.com/post?v=1&utm_source=nl)\n"
    run, data, _ = fix_file(tmp_path, note, "--unsafe-fixes")
    assert data.decode("utf-8") == "- [a](https://example.com/post?v=1)\n"
    assert "duplicate-url ×1" in run.stdout


def test_suppressed_lines_are_not_fixed(tmp_path: Path) -> None:
    note = (
        "<!-- vaultkit-disable-next-line mojibake -->\nquoted on purpose: â€”\nfix this â€” one\n"
        "<!-- vaultkit-disable empty-list-item -->\n- a\n-\n<!-- vaultkit-enable -->\n- b\n-\n"
    )
    text = fixed_text(tmp_path, note)
    assert text == (
        "<!-- vaultkit-disable-next-line mojibake -->\nquoted on purpose: â€”\nfix this — one\n"
        "<!-- vaultkit-disable empty-list-item -->\n- a\n-\n<!-- vaultkit-enable -->\n- b\n"
    )
