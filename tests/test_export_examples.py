"""Issue 4's Done-when on the two shared example notes, exported as a vault."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli
from vaultkit.exporting.json_out import schema
from vaultkit.text.mojibake import looks_like_mojibake

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
NOTE0 = "000_9b697ea2ae0f5582.md"
NOTE1 = "001_5b424d46e803c8ce.md"
MOJIBAKE_MARKS = ("Ã", "Â", "â€", "ðŸ", "ï¸", "\uf8ff")


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not EXAMPLES.is_dir():
        pytest.skip(f"{EXAMPLES} is not here")
    root = tmp_path_factory.mktemp("examples")
    (root / ".obsidian").mkdir()
    for src in sorted(EXAMPLES.glob("*.txt")):
        shutil.copyfile(src, root / (src.stem + ".md"))
    result = CliRunner().invoke(
        cli, ["export", "--generated", "2025-01-01T00:00:00Z", str(root)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def occurrences(doc: dict[str, Any], note: str | None = None) -> Iterator[dict[str, Any]]:
    for r in doc["resources"]:
        for o in r["occurrences"]:
            if note is None or o["note"] == note:
                yield o


def by_url(doc: dict[str, Any], url: str) -> dict[str, Any]:
    found = [r for r in doc["resources"] if r["canonical_url"] == url]
    assert len(found) == 1, url
    return found[0]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_validates_against_the_schema(doc: dict[str, Any]) -> None:
    jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)


def test_each_resource_once_with_all_its_occurrences(doc: dict[str, Any]) -> None:
    urls = [r["canonical_url"] for r in doc["resources"]]
    assert len(urls) == len(set(urls))
    puzzles = by_url(doc, "https://github.com/srush/GPU-Puzzles")
    assert [(o["note"], o["line"]) for o in puzzles["occurrences"]] == [(NOTE1, 61), (NOTE1, 71)]
    assert puzzles["title"] == "GPU puzzles"  # the link text beats the bare URL
    assert [o["title"] for o in puzzles["occurrences"]] == [None, "GPU puzzles"]
    r1 = by_url(doc, "https://arxiv.org/pdf/2501.12948")
    assert [o["line"] for o in r1["occurrences"]] == [32, 267]
    # 000's repeated URLs collapse too (the glued LangChain URL is the one URL twice)
    langchain = by_url(doc, "https://amaarora.github.io/posts/2023-07-25-llmchain.html")
    assert len(langchain["occurrences"]) == 1
    total = sum(len(r["occurrences"]) for r in doc["resources"])
    assert total > len(doc["resources"]) > 200


def test_sections_follow_the_headings(doc: dict[str, Any]) -> None:
    for o in occurrences(doc, NOTE0):
        assert o["section"][0] == "LLM101"
    sec = {o["title"]: o["section"] for o in occurrences(doc, NOTE0)}
    assert sec["HF Tokenization"] == ["LLM101", "Tokenisation (P1)"]
    assert sec["Introduction to attention mechanism"] == ["LLM101", "Transformer Notes (review)"]
    assert sec["Improving Cursor Tab With RL | Cursor"] == ["LLM101", "Week 38 - Sept '25", "Other Reads"]
    assert sec["Defeating Nondeterminism in LLM Inference"] == ["LLM101", "Week 38 - Sept '25"]
    assert sec["Why We Think | Lil'Log"] == ["LLM101", "SGLang architecture | HF", "Thinking and . . ."]
    assert sec["SGLang Arch | HF"] == ["LLM101"]


def test_pseudo_headings_title_the_lists_of_the_draft(doc: dict[str, Any]) -> None:
    sec = {o["line"]: o["section"] for o in occurrences(doc, NOTE1)}
    assert sec[11] == ["Evolution of LLMs"]
    assert sec[42] == ["Reasoning models"]
    assert sec[61] == ["CUDA & optimising GPUs"]
    assert sec[259] == ["Papers to read"]
    # "Challenge by unsloth https://..." is content, not a title, and as a paragraph
    # between two lists it does not end the section (issue 15)
    superfast = "Superfast inference with vLLMs, triton etc/ quantization"
    assert sec[108] == sec[110] == [superfast]
    # a parent item whose children are links is a section level
    assert sec[114] == sec[119] == [superfast, "Guide for distributed training and training multiple GPUs"]
    assert sec[124] == ["A guide to hacking LLMs"]


def test_a_titling_list_item_is_a_section_level(doc: dict[str, Any]) -> None:
    sec = {o["title"]: o["section"] for o in occurrences(doc, NOTE0)}
    # "* Annotated Transformer" over its (mojibake-indented) sub-items
    assert sec["An even more annotated Transformer"] == ["LLM101", "KV Cache", "Annotated Transformer"]
    assert sec["Adam and friends"] == ["LLM101", "KV Cache", "Annotated Transformer"]
    assert sec["RNN Cheatsheet | CS230"] == ["LLM101", "KV Cache"]


def test_the_note_title_is_its_first_heading_of_any_level(doc: dict[str, Any]) -> None:
    notes = {n["path"]: n for n in doc["notes"]}
    assert notes[NOTE0]["title"] == "LLM101"  # "#### LLM101", no frontmatter title


def test_the_commented_out_draft_is_included_and_flagged(doc: dict[str, Any]) -> None:
    draft = list(occurrences(doc, NOTE1))
    assert len(draft) > 150
    assert all(o["commented"] for o in draft)
    assert not any(o["commented"] for o in occurrences(doc, NOTE0))
    notes = {n["path"]: n for n in doc["notes"]}
    assert notes[NOTE1]["title"] == "Future blogs to write"  # its commented-out frontmatter
    assert notes[NOTE1]["frontmatter"]["categories"] == ["personal", "technology"]


def test_titles_from_context(doc: dict[str, Any]) -> None:
    titles = {o["line"]: o["title"] for o in occurrences(doc, NOTE1)}
    assert titles[259] == "LARGE BATCH TRAINING OF CONVOLUTIONAL NETWORKS"
    assert titles[176] == "the shaders thing"
    assert titles[110] == "Challenge by unsloth"
    assert titles[124] == "Pliny the liberator"
    assert by_url(doc, "https://www.adamcasson.com/posts/transformer-flops")["title"] == (
        "https://www.adamcasson.com/posts/transformer-flops"
    )  # [url](url): no real title


def test_no_mojibake_in_any_exported_string(doc: dict[str, Any]) -> None:
    for s in strings(doc):
        assert not looks_like_mojibake(s), s
        assert not any(mark in s for mark in MOJIBAKE_MARKS), s
    res = by_url(doc, "https://huggingface.co/blog/faster-transformers")
    assert res["title"] == "Tricks from OpenAI gpt-oss YOU 🫵 can use with transformers"
    nbsp = by_url(doc, "https://huggingface.co/blog/structured-codeagent")
    assert nbsp["title"] == "CodeAgents + Structure: A Better Way to Execute Actions"


def test_similar_titles(doc: dict[str, Any]) -> None:
    stuff = by_url(doc, "https://arxiv.org/pdf/2402.03300")  # "Deepseek stuff 2"
    deepseek = {r["canonical_url"] for r in doc["resources"] if r["title"].startswith("Deepseek stuff ")}
    assert len(deepseek) == 5
    assert len(stuff["similar"]) == 3 and set(stuff["similar"]) < deepseek  # at most the 3 best
    quant = [r for r in doc["resources"] if r["title"] == "Quantization"]
    assert len(quant) == 2
    assert quant[0]["similar"][0] == quant[1]["canonical_url"]
    assert all(r["canonical_url"] not in r["similar"] for r in doc["resources"])
