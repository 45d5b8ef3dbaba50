"""vaultkit export on the sample vault: every field, every format, filters and exit codes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli
from vaultkit.exporting.json_out import schema

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_vault"
STAMP = "2025-01-01T00:00:00Z"
HEADER = [
    "canonical_url",
    "url",
    "title",
    "note",
    "section",
    "line",
    "tags",
    "difficulty",
    "commented",
    "occurrences",
]
Vault = Callable[[dict[str, str | bytes]], Path]


class Run:
    def __init__(self, code: int, raw: bytes, stderr: str) -> None:
        self.code, self.raw, self.stderr = code, raw, stderr
        self.stdout = raw.decode("utf-8")  # click's own .stdout turns CRLF into LF

    @property
    def data(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.stdout)
        return doc


def run_cli(*args: str | Path) -> Run:
    """``vaultkit ARGS`` through click's runner; a bug (exit 3) fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code != 3, result.stderr
    return Run(result.exit_code, result.stdout_bytes, result.stderr)


def export(*args: str | Path) -> Run:
    run = run_cli("export", "--generated", STAMP, *args)
    assert run.code == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    data: dict[str, Any] = export(SAMPLE).data
    return data


def resource(doc: dict[str, Any], url: str) -> dict[str, Any]:
    found = [r for r in doc["resources"] if r["canonical_url"] == url]
    assert len(found) == 1, url
    return found[0]


def only(res: dict[str, Any]) -> dict[str, Any]:
    assert len(res["occurrences"]) == 1
    occ: dict[str, Any] = res["occurrences"][0]
    return occ


# --- the JSON document ------------------------------------------------------------------


def test_json_validates_against_the_shipped_schema(doc: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)
    assert doc["version"] == 1 and doc["generated"] == STAMP and doc["vault"] == "sample_vault"


def test_resources_are_sorted_and_unique(doc: dict[str, Any]) -> None:
    urls = [r["canonical_url"] for r in doc["resources"]]
    assert urls == sorted(set(urls))


def test_title_from_the_parent_item_with_url_type_time_sub_items(doc: dict[str, Any]) -> None:
    res = resource(doc, "https://jalammar.github.io/illustrated-transformer/")
    occ = only(res)
    assert res["title"] == occ["title"] == "The Illustrated Transformer"
    assert occ["metadata"] == {"Type": "Blog post", "Time": "30 min"}
    assert occ["tags"] == ["beginner", "ml", "attention"]  # the item's, then frontmatter's
    assert occ["section"] == ["Attention", "Self-attention"]
    assert (occ["note"], occ["line"], occ["commented"], occ["difficulty"]) == (
        "ML/Attention.md",
        22,
        False,
        None,
    )


def test_badge_on_the_parent_item_gives_the_difficulty(doc: dict[str, Any]) -> None:
    occ = only(resource(doc, "https://karpathy.ai/zero-to-hero.html"))
    assert occ["title"] == "Neural Networks: Zero to Hero"
    assert occ["difficulty"] == "Easy"
    assert occ["metadata"] == {"Type": "Video course", "Time": "20 hours"}
    assert occ["section"] == ["Deep Learning Course", "Week 1: Foundations"]


def test_badges_next_to_links(doc: dict[str, Any]) -> None:
    annotated = only(resource(doc, "https://nlp.seas.harvard.edu/annotated-transformer/"))
    assert annotated["difficulty"] == "Medium"
    assert annotated["metadata"] == {
        "Why": "code alongside the paper",
        "Key topics": "attention, positional encoding",
    }
    paper = resource(doc, "https://arxiv.org/abs/1706.03762")
    levels = {o["note"]: o["difficulty"] for o in paper["occurrences"]}
    assert levels["ML/Attention.md"] == "Hard"
    assert levels["Archive/Transformers.md"] is None


def test_badge_images_are_not_resources(doc: dict[str, Any]) -> None:
    assert not [r for r in doc["resources"] if "shields.io" in r["canonical_url"]]


def test_a_resource_collects_its_occurrences_and_best_title(doc: dict[str, Any]) -> None:
    paper = resource(doc, "https://arxiv.org/abs/1706.03762")
    notes = [o["note"] for o in paper["occurrences"]]
    assert notes == sorted(notes) and len(notes) == 3  # incl. the malformed "[...] (url)"
    assert paper["title"] == "Attention Is All You Need"
    assert paper["tags"] == ["archive", "attention", "inbox", "ml", "paper"]


def test_inline_tag_and_frontmatter_tags(doc: dict[str, Any]) -> None:
    occ = only(resource(doc, "https://kipp.ly/transformer-inference-arithmetic/"))
    assert occ["tags"] == ["inference", "ml", "transformers"]
    assert occ["section"] == ["Transformers", "Reading"]


def test_autolink_html_anchor_and_bare_urls(doc: dict[str, Any]) -> None:
    auto = only(resource(doc, "https://jaykmody.com/blog/gpt-from-scratch"))
    assert auto["title"] is None  # "<url>" alone in its item: nothing else to go by
    assert resource(doc, "https://jaykmody.com/blog/gpt-from-scratch")["title"] == (
        "https://jaykmody.com/blog/gpt-from-scratch"
    )
    html = only(resource(doc, "https://karpathy.github.io/2015/05/21/rnn-effectiveness/"))
    assert html["title"] == "The Unreasonable Effectiveness of RNNs"


def test_commented_draft_links_are_flagged(doc: dict[str, Any]) -> None:
    nano = resource(doc, "https://github.com/karpathy/nanoGPT")
    assert [o["commented"] for o in nano["occurrences"]] == [True, True]
    assert [o["title"] for o in nano["occurrences"]] == [None, "nanoGPT again"]
    assert nano["title"] == "nanoGPT again"  # a real title over the bare URL
    assert nano["occurrences"][0]["section"] == ["Posts to write"]  # a pseudo-heading
    flash = only(resource(doc, "https://gordicaleksa.medium.com/eli5-flash-attention-5c44017022ad"))
    assert flash["commented"] is True


def test_damaged_urls_count_as_the_url_meant(doc: dict[str, Any]) -> None:
    spaced = only(resource(doc, "https://simonwillison.net/2024/Dec/31/llms-in-2024/"))
    assert spaced["title"] == "Things we learned about LLMs in 2024"
    glued = only(resource(doc, "https://amaarora.github.io/posts/2023-07-25-llmchain.html"))
    assert glued["title"] == "LangChain deep dive"
    tracked = resource(doc, "https://cameronrwolfe.substack.com/p/gpt-oss")
    assert tracked["url"].startswith("https://cameronrwolfe.substack.com/p/gpt-oss?utm_source")


def test_what_is_not_a_resource(doc: dict[str, Any]) -> None:
    urls = {r["canonical_url"] for r in doc["resources"]}
    assert not any("example.com/in-code" in u for u in urls)  # code
    assert all(u.startswith(("http://", "https://")) for u in urls)  # no #anchors, mailto, notes
    assert not any(u.endswith((".png", ".pdf")) for u in urls)


def test_notes_and_the_wikilink_graph(doc: dict[str, Any]) -> None:
    notes = {n["path"]: n for n in doc["notes"]}
    assert "Attachments/corrupt.md" not in notes  # binary: skipped with a warning
    hub = notes["Reading List.md"]
    assert hub["title"] == "Reading List"
    assert hub["links_to"] == [
        "Archive/Transformers.md",
        "Courses/Deep Learning Course.md",
        "ML/Attention.md",
        "ML/Transformers.md",
    ]
    assert hub["tags"] == ["reading", "hub"]
    attention = notes["ML/Attention.md"]
    assert attention["frontmatter"]["date"] == "2025-02-14"  # a date, as an ISO string
    assert attention["frontmatter"]["aliases"] == ["Attn", "Attention mechanism"]
    assert attention["links_to"] == ["ML/Transformers.md"]
    assert notes["Drafts/Blog Draft.md"]["title"] == "Future posts"  # commented-out frontmatter
    assert notes["Inbox/Broken Frontmatter.md"]["frontmatter"] == {}


def test_skipped_note_warns_on_stderr() -> None:
    run = export(SAMPLE)
    assert "skipped Attachments/corrupt.md" in run.stderr


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite"])
def test_self_referencing_frontmatter_is_exported_without_it(fmt: str, vault: Vault, tmp_path: Path) -> None:
    """A YAML alias that makes the frontmatter contain itself crashed the export (exit 3)."""
    root = vault({"a.md": "---\ntags: [t]\nloop: &x [1, *x]\n---\n- [A](https://a.org/x)\n"})
    out = tmp_path / f"out.{fmt}"
    run = run_cli("export", "--format", fmt, "-o", out, root)
    assert run.code == 0, run.stderr
    if fmt == "json":
        doc = json.loads(out.read_text("utf-8"))
        assert doc["notes"][0]["frontmatter"] == {}
        assert [r["canonical_url"] for r in doc["resources"]] == ["https://a.org/x"]


# --- output handling ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite"])
def test_same_vault_same_bytes(fmt: str, tmp_path: Path) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    export(SAMPLE, "--format", fmt, "-o", first)
    export(SAMPLE, "--format", fmt, "-o", second)
    assert first.read_bytes() == second.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_json_to_stdout_equals_file(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    export(SAMPLE, "-o", out)
    assert out.read_bytes() == export(SAMPLE).raw


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    run = run_cli("export", SAMPLE)
    assert run.data["generated"] == "2023-11-14T22:13:20Z"
    run = run_cli("export", "--generated", "2024-06-01T12:00:00+02:00", SAMPLE)
    assert run.data["generated"] == "2024-06-01T10:00:00Z"


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "sqlite"],  # sqlite needs -o
        ["--dedupe"],  # csv only
        ["--generated", "yesterday"],
        ["--format", "xml"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    run = run_cli("export", *args, SAMPLE)
    assert run.code == 2
    assert run.stdout == ""


def test_bad_source_date_epoch_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert run_cli("export", SAMPLE).code == 2


def test_output_replaces_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "index.json"
    out.write_text("old")
    export(SAMPLE, "-o", out)
    assert json.loads(out.read_text("utf-8"))["version"] == 1


# --- filters ---------------------------------------------------------------------------


def test_filters() -> None:
    by_tag = export(SAMPLE, "--tag", "#course").data
    assert {o["note"] for r in by_tag["resources"] for o in r["occurrences"]} == {
        "Courses/Deep Learning Course.md"
    }
    by_section = export(SAMPLE, "--section", "attention").data  # a parent path matches too
    assert {tuple(o["section"]) for r in by_section["resources"] for o in r["occurrences"]} == {
        ("Attention", "Self-attention")
    }
    glob = export(SAMPLE, "--section", "*Week 1*").data
    assert len(glob["resources"]) == 2
    by_note = export(SAMPLE, "--note", "ML/*").data
    assert {n["path"] for n in by_note["notes"]} == {"ML/Attention.md", "ML/Transformers.md"}
    both = export(SAMPLE, "--note", "ML/*", "--tag", "paper").data
    assert [r["canonical_url"] for r in both["resources"]] == ["https://arxiv.org/abs/1706.03762"]


def test_paths_limit_the_export() -> None:
    data = export(SAMPLE / "Courses").data
    assert [n["path"] for n in data["notes"]] == ["Courses/Deep Learning Course.md"]
    assert len(data["resources"]) == 3


# --- CSV ---------------------------------------------------------------------------------


def test_csv_round_trips_through_the_csv_module(doc: dict[str, Any]) -> None:
    text = export(SAMPLE, "--format", "csv").stdout
    assert text.startswith(",".join(HEADER) + "\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == HEADER
    body = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert len(body) == sum(len(r["occurrences"]) for r in doc["resources"])
    row = next(r for r in body if r["canonical_url"].startswith("https://jalammar"))
    assert row["title"] == "The Illustrated Transformer"
    assert row["section"] == "Attention > Self-attention"
    assert row["tags"] == "beginner;ml;attention"
    assert (row["line"], row["commented"], row["occurrences"]) == ("22", "false", "1")
    paper = [r for r in body if r["canonical_url"] == "https://arxiv.org/abs/1706.03762"]
    assert [r["occurrences"] for r in paper] == ["3", "3", "3"]
    assert "Hard" in [r["difficulty"] for r in paper]


def test_csv_dedupe_gives_one_row_per_resource(doc: dict[str, Any]) -> None:
    text = export(SAMPLE, "--format", "csv", "--dedupe").stdout
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["canonical_url"] for r in rows] == [r["canonical_url"] for r in doc["resources"]]
    paper = next(r for r in rows if r["canonical_url"] == "https://arxiv.org/abs/1706.03762")
    assert (paper["title"], paper["occurrences"], paper["difficulty"]) == (
        "Attention Is All You Need",
        "3",
        "Hard",
    )
    assert paper["tags"] == "archive;attention;inbox;ml;paper"
    nano = next(r for r in rows if r["canonical_url"] == "https://github.com/karpathy/nanoGPT")
    assert nano["commented"] == "true"


def test_csv_neutralises_formula_injection(vault: Vault) -> None:
    root = vault(
        {
            "Evil.md": (
                "# Evil\n\n"
                '- [=HYPERLINK("http://evil")](https://a.example.org/1)\n'
                "- [-2+3](https://a.example.org/2)\n"
                "- [+SUM(A1)](https://a.example.org/3)\n"
                "- [@cmd](https://a.example.org/4)\n"
                "- [fine = ok](https://a.example.org/5)\n"
            )
        }
    )
    text = export(root, "--format", "csv").stdout
    titles = [r["title"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    assert titles == ['\'=HYPERLINK("http://evil")', "'-2+3", "'+SUM(A1)", "'@cmd", "fine = ok"]
    assert '"\'=HYPERLINK(""http://evil"")"' in text  # RFC 4180 quoting of the quotes


# --- SQLite ------------------------------------------------------------------------------


def test_sqlite_tables_and_full_text_search(tmp_path: Path, doc: dict[str, Any]) -> None:
    db_path = tmp_path / "index.db"
    export(SAMPLE, "--format", "sqlite", "-o", db_path)
    db = sqlite3.connect(db_path)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"resources", "occurrences", "notes", "links", "meta", "resources_fts"} <= tables
        assert db.execute("SELECT count(*) FROM resources").fetchone()[0] == len(doc["resources"])
        by_title = {
            r[0] for r in db.execute("SELECT title FROM resources_fts WHERE resources_fts MATCH 'attention'")
        }
        assert {"Attention Is All You Need", "The Illustrated Transformer"} <= by_title
        by_section = {
            r[0]
            for r in db.execute(
                "SELECT r.canonical_url FROM resources_fts JOIN resources r ON r.id = resources_fts.rowid"
                " WHERE resources_fts MATCH 'sections:foundations'"
            )
        }
        assert by_section == {"https://d2l.ai/", "https://karpathy.ai/zero-to-hero.html"}
        by_meta = [
            r[0]
            for r in db.execute("SELECT title FROM resources_fts WHERE resources_fts MATCH 'metadata:video'")
        ]
        assert by_meta == ["Neural Networks: Zero to Hero"]
        occ = db.execute(
            "SELECT o.note, o.line, o.section, o.difficulty, o.metadata, o.commented FROM occurrences o"
            " JOIN resources r ON r.id = o.resource_id WHERE r.canonical_url = ?",
            ("https://karpathy.ai/zero-to-hero.html",),
        ).fetchall()
        assert occ == [
            (
                "Courses/Deep Learning Course.md",
                11,
                "Deep Learning Course > Week 1: Foundations",
                "Easy",
                '{"Type": "Video course", "Time": "20 hours"}',
                0,
            )
        ]
        links = db.execute("SELECT target_note FROM links WHERE source = 'ML/Attention.md'").fetchall()
        assert links == [("ML/Transformers.md",)]
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        assert meta == {"version": "1", "generated": STAMP, "vault": "sample_vault"}
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # How Datasette finds a table's full-text index (its detect_fts): a search box
        datasette_fts = db.execute(
            "SELECT name FROM sqlite_master WHERE rootpage = 0 AND "
            """sql LIKE '%VIRTUAL TABLE%USING FTS%content="resources"%'"""
        ).fetchall()
        assert datasette_fts == [("resources_fts",)]
    finally:
        db.close()


def test_unwritable_output_is_one_clear_error(tmp_path: Path) -> None:
    run = run_cli("export", "--generated", STAMP, "-o", tmp_path / "missing" / "x.json", SAMPLE)
    assert run.code == 1
    assert "cannot write" in run.stderr and "Traceback" not in run.stderr


def test_output_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    export(SAMPLE, "--format", "csv", "-o", link)
    assert link.is_symlink() and real.read_text("utf-8").startswith("canonical_url,")
    assert real.stat().st_mode & 0o777 == 0o640
