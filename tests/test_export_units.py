"""Export's parts: what counts, titles, badges, metadata, sections, similar titles, helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import vaultkit.exporting.similar as similar_mod
from vaultkit.cli.main import cli
from vaultkit.errors import ConfigError
from vaultkit.exporting.build import generated_stamp
from vaultkit.exporting.csv_out import neutralise
from vaultkit.exporting.sections import note_sections
from vaultkit.exporting.similar import find_similar, normalise
from vaultkit.exporting.text import clean, clean_as_written, plain
from vaultkit.exporting.titles import badge_difficulty
from vaultkit.parse.note import parse_note

Vault = Callable[[dict[str, str | bytes]], Path]


def export_note(vault: Vault, text: str, name: str = "Note.md") -> list[dict[str, Any]]:
    """The occurrences of one note, each with its resource's canonical URL as "url"."""
    root = vault({name: text})
    result = CliRunner().invoke(
        cli, ["export", "--generated", "2025-01-01T00:00:00Z", str(root)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    out = [dict(o, url=r["canonical_url"]) for r in doc["resources"] for o in r["occurrences"]]
    return sorted(out, key=lambda o: (o["line"], o["url"]))


def titles(occs: list[dict[str, Any]]) -> dict[str, str | None]:
    return {o["url"].rsplit("/", 1)[-1]: o["title"] for o in occs}


# --- what counts ---------------------------------------------------------------------------


def test_what_counts_and_what_does_not(vault: Vault) -> None:
    occs = export_note(
        vault,
        (
            "---\nsource: https://x.org/clip\ncover: https://x.org/cover.jpg\n---\n"
            "# Kinds\n\n"
            "- [md](https://x.org/md) and [ref][r] and <https://x.org/auto> and https://x.org/bare\n"
            '- <a href="https://x.org/html">anchor</a>\n'
            '- ![image](https://x.org/pic.png) and <img src="https://x.org/img.png">\n'
            "- [![Build](https://img.shields.io/badge/build-passing-green)](https://ci.x.org/run)\n"
            "- [mail](mailto:a@x.org), [here](#kinds), [[Other]], [note](Other.md)\n"
            "- `https://x.org/code` and\n\n"
            "```\nhttps://x.org/fenced\n```\n\n"
            "[r]: https://x.org/ref\n"
        ),
    )
    assert {(o["line"], o["url"].rsplit("/", 1)[-1]) for o in occs} == {
        (2, "clip"),
        (7, "md"),
        (7, "ref"),
        (7, "auto"),
        (7, "bare"),
        (8, "html"),
    }
    clip = occs[0]
    assert (clip["title"], clip["section"], clip["line"]) == ("Kinds", [], 2)


def test_titles(vault: Vault) -> None:
    occs = export_note(
        vault,
        (
            "# T\n\n"
            "- [https://x.org/a](https://x.org/a)\n"
            "- https://x.org/b A paper title\n"
            "- Read https://x.org/c (the long one) #later\n"
            "- Someone's talk by Jane Doe\n"
            "  - Link: https://x.org/d\n"
            "  - Source: <https://x.org/e>\n"
            "- **Bold title** — extra words\n"
            "  - URL: [https://x.org/f](https://x.org/f)\n"
            "- [-2+3](https://x.org/g)\n"
            "- 🟩 https://x.org/h ◻️ Decorated\n"
            "Loose line https://x.org/i here\n"
        ),
    )
    assert titles(occs) == {
        "a": None,
        "b": "A paper title",
        "c": "Read (the long one)",
        "d": "Someone's talk",
        "e": "Someone's talk",
        "f": "Bold title",
        "g": "-2+3",
        "h": "Decorated",
        "i": "Loose line here",
    }


def test_metadata_tags_and_difficulty_come_from_the_resource_item(vault: Vault) -> None:
    occs = export_note(
        vault,
        (
            "---\ntags: [fm]\n---\n"
            "- [Course](https://x.org/a) ![Beginner](https://img.shields.io/badge/level-Beginner-blue)"
            " #inline\n"
            "  - Type: Video #video\n"
            "  - **Time**: 2 h\n"
            "  - Related: [Other](https://x.org/b) #other\n"
            "  - just a note\n"
            "- [Plain](https://x.org/c) ![build](https://img.shields.io/badge/build-passing-green)\n"
        ),
    )
    a, b, c = occs
    assert a["metadata"] == {"Type": "Video", "Time": "2 h"}
    assert a["tags"] == ["inline", "video", "fm"]
    assert a["difficulty"] == "Beginner"
    assert b["metadata"] == {} and b["tags"] == ["other", "fm"] and b["difficulty"] is None
    assert c["difficulty"] is None


@pytest.mark.parametrize(
    ("alt", "url", "level"),
    [
        ("Easy", "https://img.shields.io/badge/difficulty-Easy-green", "Easy"),
        ("x", "https://img.shields.io/badge/Difficulty-Very_Hard-red.svg", "Very Hard"),
        ("x", "https://img.shields.io/badge/level-semi--pro-red", "semi-pro"),
        ("Medium", "https://img.shields.io/badge/any-thing-blue", "Medium"),
        ("x", "https://img.shields.io/static/v1?label=difficulty&message=Hard&color=red", "Hard"),
        ("Advanced", "https://img.shields.io/badge/Advanced-red", "Advanced"),
        ("build", "https://img.shields.io/badge/build-passing-green", None),
    ],
)
def test_badge_difficulty(alt: str, url: str, level: str | None) -> None:
    assert badge_difficulty(alt, url) == level


# --- sections ------------------------------------------------------------------------------


def test_pseudo_headings() -> None:
    note = parse_note(
        "n.md",
        (
            "# Top\n\n"  # 1
            "Reading list\n"  # 3: a pseudo-heading (a list follows)
            "- a\n\n"  # 4
            "* b\n\n"  # 6: another list, still under it
            "Some prose.\n\n"  # 8: between two lists: does not end it
            "- c\n\n"  # 10
            "A sentence that ends.\n"  # 12: not a title
            "- d\n\n"  # 13
            "Links [x](https://x.org)\n"  # 15: holds a link: not a title
            "- e\n\n"  # 16
            "## Sub\n\n"  # 18
            "🟩 Tools:\n"  # 20
            "- f\n\n"  # 21
            "Closing prose, no list after it.\n\n"  # 23: ends the pseudo-heading
            "---\n"  # 25
            "Next:\n"  # 26: a new pseudo-heading
            "- g\n"  # 27
        ),
    )
    sections = note_sections(note)
    assert sections.at(4) == ("Top", "Reading list")
    assert sections.at(6) == ("Top", "Reading list")
    assert sections.at(8) == sections.at(10) == ("Top", "Reading list")
    assert sections.at(13) == ("Top", "Reading list")
    assert sections.at(16) == ("Top", "Reading list")
    assert sections.at(21) == ("Top", "Sub", "Tools")
    assert sections.at(23) == ("Top", "Sub")
    assert sections.at(27) == ("Top", "Sub", "Next")


def test_heading_levels_nest_and_html_headings_count() -> None:
    note = parse_note("n.md", "## A\n### B\n- x\n## C\n<h4>D</h4>\n\n- y\n# E\n- z\n")
    s = note_sections(note)
    assert (s.at(3), s.at(7), s.at(9)) == (("A", "B"), ("C", "D"), ("E",))


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "out"),
    [
        ("\uf8ffüü© Model Architecture", "Model Architecture"),  # Mac Roman mojibake of 🟩
        ("◻️ Task ", "Task"),
        ("• bullet", "bullet"),
        ("Week 2:", "Week 2"),
        ("(the shaders thing)", "the shaders thing"),
        ("(new) KV Cache", "(new) KV Cache"),
        ("Tokenisation (P1)", "Tokenisation (P1)"),
        ("a\u00a0 b", "a b"),
    ],
)
def test_clean(raw: str, out: str) -> None:
    assert clean(raw) == out


def test_clean_as_written_keeps_punctuation() -> None:
    assert clean_as_written("-2+3") == "-2+3"
    assert clean_as_written("=SUM(A1) 🔥") == "=SUM(A1)"
    assert clean_as_written("YOU ðŸ«µ can") == "YOU 🫵 can"


def test_plain() -> None:
    md = "**Bold** [link](https://x.org) ![img](https://x.org/i.png) [[Note|alias]] #tag `c`"
    assert " ".join(plain(md).split()) == "Bold link alias c"
    assert " ".join(plain(md, drop_links=True).split()) == "Bold alias c"


def test_neutralise() -> None:
    for cell in ("=1", "+1", "-1", "@a", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("a=1") == "a=1" and neutralise("") == ""


def test_generated_stamp() -> None:
    assert generated_stamp("2025-01-01T00:00:00Z") == "2025-01-01T00:00:00Z"
    assert generated_stamp("2025-01-01") == "2025-01-01T00:00:00Z"
    assert generated_stamp(None, {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01T00:00:00Z"
    assert generated_stamp(None, {}).endswith("Z")
    with pytest.raises(ConfigError):
        generated_stamp("nope")
    with pytest.raises(ConfigError):
        generated_stamp(None, {"SOURCE_DATE_EPOCH": "1.5e9"})


# --- similar ---------------------------------------------------------------------------------

TITLES = [
    "Deepseek stuff 1",
    "Deepseek stuff 2",
    "Scaling laws",
    "scaling, LAWS",
    "Quantization",
    "Quantisation",
    "The Illustrated Transformer",
    None,
    "Something else entirely",
    "Illustrated transformer, the",
]


@pytest.mark.parametrize("full_max", [10_000, 0])  # every pair, and the blocked path
def test_find_similar(full_max: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similar_mod, "FULL_MAX", full_max)
    keys = [f"k{i}" for i in range(len(TITLES))]
    got = find_similar(TITLES, keys, 90)
    assert got == [["k1"], ["k0"], ["k3"], ["k2"], ["k5"], ["k4"], ["k9"], [], [], ["k6"]]
    assert find_similar(TITLES, keys, 100)[4] == []


def test_similar_lists_are_capped_and_ordered() -> None:
    titles: list[str | None] = ["Same title"] * 3 + ["Same titles", "Same titlez"]
    keys = [f"k{i}" for i in range(5)]
    got = find_similar(titles, keys, 90, limit=3)
    assert got[0] == ["k1", "k2", "k3"]  # identical titles (100) first, then by key
    assert got[3] == ["k0", "k1", "k2"]
    # a title more than SHARED_MAX resources share is generic: no lists
    assert find_similar(["Same title"] * 8 + ["Same titles"], [f"k{i}" for i in range(9)], 90) == [[]] * 9


@pytest.mark.parametrize("titles", [TITLES, ["Same title"] * 3 + ["Same titles", None, "Other"]])
def test_similar_json_is_find_similars_lists_as_text(titles: list[str | None]) -> None:
    from vaultkit.exporting.json_out import similar_json

    keys = [f"k{i}" for i in range(len(titles))]
    lists = find_similar(titles, keys, 90)
    expected = {i: json.dumps(found, ensure_ascii=False) for i, found in enumerate(lists) if found}
    assert similar_json(titles, keys, 90) == expected
    assert len(expected) >= 4


def test_normalise_is_token_sort() -> None:
    assert normalise("The Illustrated: transformer!") == "illustrated the transformer"


def test_frontmatter_values_become_json() -> None:
    import datetime as dt

    from vaultkit.exporting.resources import json_safe

    value = {
        "d": dt.date(2025, 1, 2),
        "t": dt.datetime(2025, 1, 2, 3, 4, 5),
        1: {3, 1},
        "n": float("nan"),
        "b": b"x",
        "ok": [True, None, 1.5, "caf\u00c3\u00a9"],
    }
    assert json_safe(value) == {
        "d": "2025-01-02",
        "t": "2025-01-02T03:04:05",
        "1": [1, 3],
        "n": "nan",
        "b": "b'x'",
        "ok": [True, None, 1.5, "café"],
    }


def test_worker_processes_give_the_same_export(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    import vaultkit.exporting.worker as worker
    from vaultkit.exporting.build import Filters, build_export
    from vaultkit.exporting.json_out import render_json
    from vaultkit.lint.session import open_vault

    root = vault(
        {
            f"n{i:03d}.md": (
                f"# N{i}\n\nList {i}\n- [Title {i % 7}](https://x.org/{i % 50})"
                f" #t{i % 3}\n  - Type: Post\n- [[n{(i + 1) % 210:03d}]]\n"
            )
            for i in range(210)
        }
    )

    def run(parallel_min: int) -> str:
        monkeypatch.setattr(worker, "PARALLEL_MIN_NOTES", parallel_min)
        return render_json(build_export(open_vault([root]), Filters(), "2025-01-01T00:00:00Z"))

    parallel, serial = run(2), run(10**9)
    assert parallel == serial
    assert len(json.loads(parallel)["resources"]) == 50
