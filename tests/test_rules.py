"""Each rule's positive and negative cases, through `vaultkit check --format json` on real files.

Positive cases assert the code, line and column; negative cases assert silence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Vault = Callable[[dict[str, str | bytes]], Path]
Check = Callable[..., Any]


# --- VK000 unreadable-file -----------------------------------------------------------------


def test_unreadable_binary_and_broken_symlink(vault: Vault, check: Check) -> None:
    root = vault({"bin.md": b"\x00\x01\x02\x89PNG binary", "ok.md": "# fine\n"})
    (root / "gone.md").symlink_to(root / "nowhere.md")
    run = check(root)
    assert run.where("VK000") == [("bin.md", 1, 1, "VK000"), ("gone.md", 1, 1, "VK000")]
    assert run.diags(path="ok.md") == []
    assert run.data["summary"]["files"] == 3
    # An unreadable note gets no other diagnostics (e.g. a schema's missing keys).
    assert {d["code"] for d in run.diags(path="bin.md")} == {"VK000"}


def test_folder_named_like_a_note_is_a_folder(vault: Vault, check: Check) -> None:
    root = vault({"x.md/inner.md": "[[Nope]]\n", "a.md": "[[inner]]\n"})
    run = check(root)
    assert run.code == 1
    assert run.where() == [("x.md/inner.md", 1, 1, "VK001")]


# --- VK001 broken-wikilink -----------------------------------------------------------------


def test_broken_wikilink_position_and_plain_message(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "# A\n\nSee [[Nowhere at all]] here.\n"})
    (d,) = check(root).diags("VK001")
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == (3, 5, 3, 23)
    assert d["rule"] == "broken-wikilink" and d["severity"] == "error"
    assert "'Nowhere at all' is not in the vault" in d["message"]
    assert "did you mean" not in d["message"]


def test_broken_wikilink_suggests_close_names(vault: Vault, check: Check) -> None:
    root = vault({"ML/Attention.md": "# Attention\n", "a.md": "x [[Attension]]\n"})
    (d,) = check(root).diags("VK001")
    assert (d["line"], d["column"]) == (1, 3)
    assert "did you mean [[Attention]]?" in d["message"]


def test_broken_wikilink_suggestions_are_whole_name_matches(vault: Vault, check: Check) -> None:
    # A one-letter note is not a suggestion for a longer name (WRatio's partial match did that).
    root = vault(
        {
            "Real Name.md": "",
            "a.md": "[[Real Nme]]\n",
            "b.md": "[[Cross the chasm]]\n",
            "The Legend of Zelda Breath of the Wild.md": "",
        }
    )
    run = check(root)
    (a,) = run.diags("VK001", "a.md")
    assert a["message"].endswith("did you mean [[Real Name]]?")
    (b,) = run.diags("VK001", "b.md")
    assert "did you mean" not in b["message"]


def test_broken_wikilink_alias_says_did_you_mean_real_name(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Notes/Real Name.md": "---\naliases: [Nick, Other One]\n---\n# Real\n",
            "a.md": "Ask [[Nick]] and [[other one]].\n",
        }
    )
    run = check(root)
    first, second = run.diags("VK001")
    assert (first["line"], first["column"]) == (1, 5)
    assert "did you mean [[Real Name|Nick]]?" in first["message"]
    assert "alias of Notes/Real Name.md" in first["message"]
    assert (second["line"], second["column"]) == (1, 18)
    assert "did you mean [[Real Name|other one]]?" in second["message"]


def test_wikilink_that_resolves_is_silent(vault: Vault, check: Check) -> None:
    root = vault({"Notes/Real Name.md": "", "a.md": "[[Real Name]] [[real name]] ![[Real Name]]\n"})
    assert check(root).diags() == []


# --- VK002 broken-anchor -------------------------------------------------------------------

TARGET = """# Heading One

## Sub Heading

A paragraph with a block. ^blk1

## Intro

## Intro
"""


def test_broken_anchor_wikilinks(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Target.md": TARGET,
            "a.md": (
                "# Local Heading\n"
                "ok: [[Target#Heading One]] [[Target#Heading One#Sub Heading]] [[#Local Heading]]"
                " [[Target#^blk1]]\n"
                "[[Target#No Such]]\n"
                "[[Target#Sub Heading#Heading One]]\n"
                "[[#Not Here]]\n"
                "[[Target#^nope]]\n"
            ),
        }
    )
    run = check(root)
    assert run.where() == [
        ("a.md", 3, 1, "VK002"),
        ("a.md", 4, 1, "VK002"),
        ("a.md", 5, 1, "VK002"),
        ("a.md", 6, 1, "VK002"),
    ]
    msgs = [d["message"] for d in run.diags()]
    assert "heading '#No Such' is not in Target.md" in msgs[0]
    assert "heading '#Sub Heading#Heading One' is not in Target.md" in msgs[1]
    assert "heading '#Not Here' is not in this note" in msgs[2]
    assert "block '#^nope' is not in Target.md" in msgs[3]


def test_broken_anchor_markdown_fragments(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Target.md": TARGET,
            "a.md": (
                "# Local Heading\n"
                "[a](#local-heading) [b](Target.md#heading-one) [c](Target.md#intro)"
                " [d](Target.md#intro-1) [e](Target.md#^blk1)\n"
                "[f](#missing)\n"
                "x [g](Target.md#nope)\n"
                "[h](Target.md#intro-2)\n"
            ),
        }
    )
    run = check(root)
    assert run.where() == [
        ("a.md", 3, 1, "VK002"),
        ("a.md", 4, 3, "VK002"),
        ("a.md", 5, 1, "VK002"),
    ]
    assert "is not in this note" in run.diags()[0]["message"]
    assert "'#intro-2' is not in Target.md" in run.diags()[2]["message"]


def test_anchor_on_a_missing_note_is_only_the_missing_note(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "[[Nope#Heading]] [x](nope.md#h)\n"})
    assert [d["code"] for d in check(root).diags()] == ["VK001", "VK003"]


# --- VK003 missing-file --------------------------------------------------------------------


def test_missing_file(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "img/a.png": b"\x89PNG",
            "Target.md": "",
            "a.md": (
                "[t](Target.md) ![i](img/a.png) [w](https://example.com/x.md) [m](mailto:a@b.io)\n"
                "[missing](missing.md)\n"
                "  ![pic](img/none.png)\n"
            ),
        }
    )
    run = check(root)
    assert run.where() == [("a.md", 2, 1, "VK003"), ("a.md", 3, 3, "VK003")]
    assert "'missing.md' does not exist" in run.diags()[0]["message"]


# --- VK004 malformed-link ------------------------------------------------------------------


def test_malformed_links(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "- [space](https://simonwil lison.net/2024/x/)\n"
                "- [glued](https://a.io/x.htmlhttps://a.io/x.html)\n"
                "- [empty]()\n"
                "- [gap] (https://example.com/a)\n"
                "- [unclosed](https://example.com/b\n"
                "- stray](https://example.com/c)\n"
                "- [open(https://example.com/d)\n"
            )
        }
    )
    run = check(root)
    assert run.where("VK004") == [
        ("a.md", n, c, "VK004") for n, c in [(1, 3), (2, 3), (3, 3), (4, 3), (5, 3), (6, 8), (7, 3)]
    ]
    msgs = [d["message"] for d in run.diags("VK004")]
    assert "whitespace" in msgs[0] and "https://simonwillison.net/2024/x/" in msgs[0]
    assert "glued to a copy of itself" in msgs[1]
    assert "empty destination" in msgs[2]
    assert "space between ']' and '('" in msgs[3]
    assert "never closed" in msgs[4]
    assert "unbalanced" in msgs[5] and "unbalanced" in msgs[6]
    fixable = [d["fixable"] for d in run.diags("VK004")]
    assert fixable == [True, True, False, False, False, False, False]


def test_two_different_urls_glued(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "see https://a.io/y.htmlhttps://b.io/z.html\n"})
    (d,) = check(root).diags("VK004")
    assert (d["line"], d["column"]) == (1, 5)
    assert "2 URLs glued together" in d["message"]


def test_well_formed_links_are_not_malformed(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "My Note.md": "",
            "a.md": (
                '[ok](https://example.com/a_(b)) [angle](<My Note.md>) [t](https://e.io/x "title")\n'
                "[[My Note]] (https://example.com/c) [x] and (y)\n"
                "[ref][r] [frag](#)\n\n[r]: https://example.com/r\n"
            ),
        }
    )
    assert check(root).diags("VK004") == []


# --- VK005 duplicate-url -------------------------------------------------------------------


def test_duplicate_url_within_a_note(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "First [one](https://example.com/page) here.\n"
                "Again https://example.com/page here.\n"
                "- [dup](https://EXAMPLE.com:443/page?utm_source=x)\n"
            )
        }
    )
    run = check(root)
    warn = [d for d in run.diags("VK005") if d["severity"] == "warning"]
    assert [(d["line"], d["column"]) for d in warn] == [(2, 7), (3, 1)]
    assert all("already on line 1 (one)" in d["message"] for d in warn)
    # The list item that is nothing but the duplicate can go (only with --unsafe-fixes).
    assert warn[1]["fixable"] is True


def test_duplicate_url_across_notes_is_one_info_at_the_first(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": "[x](https://example.com/p) and [again](https://example.com/p)\n",
            "b.md": "\n\nhttps://example.com/p\n",
            "c.md": "<https://example.com/p>\n",
        }
    )
    run = check(root)
    infos = [d for d in run.diags("VK005") if d["severity"] == "info"]
    assert [(d["path"], d["line"], d["column"]) for d in infos] == [("a.md", 1, 1)]
    assert infos[0]["message"] == "duplicate URL https://example.com/p is saved in 3 notes: a.md, b.md, c.md"


def test_http_https_www_slash_probably_same_never_merged(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "[s](https://example.com/p)\n"
                "[h](http://example.com/p)\n"
                "[w](https://www.example.com/p)\n"
                "[t](https://example.com/p/)\n"
            ),
            "b.md": "[h](http://example.com/other)\n",
            "c.md": "[s](https://example.com/other)\n",
        }
    )
    run = check(root)
    a = run.diags("VK005", "a.md")
    assert [(d["line"], d["column"], d["severity"]) for d in a] == [
        (2, 1, "info"),
        (3, 1, "info"),
        (4, 1, "info"),
    ]
    assert all("probably the same URL as line 1" in d["message"] for d in a)
    assert not any("duplicate URL" in d["message"] for d in run.diags("VK005"))
    # Across notes, http and https are different URLs.
    assert run.diags("VK005", "b.md") == [] and run.diags("VK005", "c.md") == []


def test_unique_urls_are_silent(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "https://example.com/a https://example.com/b https://x.com/s?id=1\n"})
    assert check(root).diags("VK005") == []


# --- VK006 invalid-frontmatter -------------------------------------------------------------

SCHEMA = '[frontmatter]\nrequired = ["title"]\n[frontmatter.types]\ntitle = "string"\ndate = "date"\n'


def test_frontmatter_yaml_error_names_its_line(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "---\ntitle: ok\nx: y: z\n---\n[[Nope]]\n"})
    run = check(root)
    assert run.where() == [("a.md", 3, 1, "VK006"), ("a.md", 5, 1, "VK001")]
    assert "YAML does not parse: mapping values are not allowed" in run.diags()[0]["message"]


def test_frontmatter_unclosed_list_or_quote_names_where_it_opened(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": "---\ntitle: ok\ntags: [inbox\ndate: 2025-01-03\n---\n",
            "b.md": "---\ntitle: 'unclosed\nother: 1\n---\n",
        }
    )
    assert check(root).where() == [("a.md", 3, 1, "VK006"), ("b.md", 2, 1, "VK006")]


def test_frontmatter_list_not_mapping(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "---\n- a\n- b\n---\nbody\n"})
    (d,) = check(root).diags()
    assert (d["code"], d["line"], d["column"]) == ("VK006", 2, 1)
    assert "is a list, not a mapping" in d["message"]


def test_frontmatter_schema(vault: Vault, check: Check) -> None:
    root = vault(
        {
            ".vaultkit.toml": SCHEMA,
            "missing.md": "---\ndate: 2025-01-03\n---\n",
            "type.md": "---\ntitle: 3\n---\n",
            "date.md": "---\ntitle: Bad date\ndate: 2025-01-3 12:00:00 +0530\n---\n",
            "none.md": "no frontmatter\n",
            "good.md": "---\ntitle: Good\ndate: 2025-01-03 12:00:00 +05:30\n---\n",
            "good2.md": "---\ntitle: Good\ndate: 2025-01-03\n---\n",
        }
    )
    run = check(root)
    assert run.where() == [
        ("date.md", 3, 1, "VK006"),
        ("missing.md", 1, 1, "VK006"),
        ("none.md", 1, 1, "VK006"),
        ("type.md", 2, 1, "VK006"),
    ]
    by_path = {d["path"]: d["message"] for d in run.diags()}
    assert "'2025-01-3 12:00:00 +0530' is not a date" in by_path["date.md"]
    assert "missing required key 'title'" in by_path["missing.md"]
    assert "required key 'title' is missing" in by_path["none.md"]
    assert "expected string, got int" in by_path["type.md"]


def test_hidden_frontmatter_in_a_comment_is_checked(vault: Vault, check: Check) -> None:
    root = vault(
        {
            ".vaultkit.toml": SCHEMA,
            "draft.md": "<!-- ---\ntitle: Draft\ndate: 2025-01-3 12:00:00 +0530\n---\n\nbody -->\n",
        }
    )
    assert check(root).where() == [("draft.md", 3, 1, "VK006")]


def test_valid_frontmatter_without_schema_is_silent(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "---\ndate: 2025-01-3 12:00:00 +0530\ntags: [a]\n---\nbody\n"})
    assert check(root).diags() == []


# --- VK007 empty-list-item -----------------------------------------------------------------


def test_empty_list_items(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "- one\n-\n- three\n  - x\n  -\n\n1. a\n2.\n\n> - quoted\n> -\n"})
    run = check(root)
    # A fixable item is reported on its whole line (the span the fix removes).
    assert run.where() == [
        ("a.md", 2, 1, "VK007"),
        ("a.md", 5, 1, "VK007"),
        ("a.md", 8, 1, "VK007"),
        ("a.md", 11, 3, "VK007"),
    ]
    # The fix removes the line; inside a blockquote it is left to the user.
    assert [d["fixable"] for d in run.diags()] == [True, True, True, False]


def test_list_items_with_text_are_not_empty(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "- one\n- [ ] task\n- [[link]]\n\nsetext heading\n-\n\n- three\n  -\n"})
    assert check(root).diags("VK007") == []


# --- VK008 mojibake / VK012 non-utf8-encoding ----------------------------------------------


def test_mojibake(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "- café, naïve and 🙂 are fine\n- notion â€”> obsidian: donâ€™t\n"})
    (d,) = check(root).diags()
    assert (d["code"], d["line"], d["column"]) == ("VK008", 2, 10)
    assert "notion —> obsidian: don’t" in d["message"]


def test_non_utf8_note_is_read_and_reported(vault: Vault, check: Check) -> None:
    root = vault({"latin.md": b"caf\xe9 \x93quoted\x94 [[Nope]]\n", "utf8.md": "café\n"})
    run = check(root)
    assert run.where() == [("latin.md", 1, 1, "VK012"), ("latin.md", 1, 15, "VK001")]
    assert "cp1252" in run.diags("VK012")[0]["message"]


# --- VK009 nbsp-indent, VK010 list-marker-space, VK011 tracking-params ---------------------


def test_nbsp_indent(vault: Vault, check: Check) -> None:
    root = vault({"a.md": "- a\n\u00a0\u00a0- b\n  - c\n- d\u00a0e\n"})
    (d,) = check(root).diags()
    assert (d["code"], d["line"], d["column"], d["fixable"]) == ("VK009", 2, 1, True)


def test_list_marker_space(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": "- ok\n-[no space](https://example.com/a)\n*[emphasised](https://example.com/b)*\n"
            "- [fine](https://example.com/c)\n"
        }
    )
    (d,) = check(root).diags()
    assert (d["code"], d["line"], d["column"], d["fixable"]) == ("VK010", 2, 1, True)


def test_tracking_params(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "- [a](https://e.com/p?utm_source=x&id=3)\n"
                "- https://www.youtube.com/watch?v=abc&si=XYZ\n"
                "- https://x.com/u/status/1?s=20\n"
                "- https://www.youtube.com/watch?v=abc&t=10 https://example.com/?s=1&t=2\n"
            )
        }
    )
    run = check(root)
    assert run.where("VK011") == [("a.md", 1, 3, "VK011"), ("a.md", 2, 3, "VK011"), ("a.md", 3, 3, "VK011")]
    assert all(d["severity"] == "info" and d["fixable"] for d in run.diags("VK011"))
    assert "utm_source" in run.diags("VK011")[0]["message"]


def test_frontmatter_that_contains_itself_through_an_alias(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": "---\ntitle: ok\nloop: &x [1, *x]\n---\nbody\n",
            "b.md": "---\nbase: &b {x: 1}\nother: *b\n---\nbody\n",
        }
    )  # a plain alias is fine
    (d,) = check(root).diags()
    assert (d["path"], d["line"], d["code"]) == ("a.md", 2, "VK006")
    assert "contains itself through a YAML alias" in d["message"]


def test_frontmatter_billion_laughs_is_refused_quickly(vault: Vault, check: Check) -> None:
    import time

    levels = ["l0: &l0 [a, a, a, a, a, a, a, a, a, a]"] + [
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)
    ]
    root = vault({"a.md": "---\n" + "\n".join(levels) + "\n---\nbody\n"})
    started = time.monotonic()
    (d,) = check(root).diags()
    assert time.monotonic() - started < 30  # walking 10**9 values would take hours
    assert d["code"] == "VK006" and "more than 100,000 values" in d["message"]
