"""Issue 3, "Done when" 1: `vaultkit fix` on a copy of the 000 example.

Every mojibake goes, the indented lists become nested lists (checked on the
markdown-it-py token tree), and a second run changes nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers.fixkit import EXAMPLE_000, make_vault, vk
from markdown_it.token import Token

from vaultkit.parse.mdit import parser

MOJIBAKE = ("â€", "Â", "ðŸ", "Ã")

pytestmark = pytest.mark.skipif(not EXAMPLE_000.is_file(), reason=f"{EXAMPLE_000} not found")


@dataclass
class Item:
    """A list item of the token tree: its first line's text and where it sits."""

    title: str = ""
    list_level: int = -1  # ``level`` of the bullet_list_open holding the item
    depth: int = 0  # how many lists enclose it (1 = top-level list)
    parents: list[str] = field(default_factory=list)  # titles of the enclosing items


def list_items(text: str) -> list[Item]:
    """Walk markdown-it-py's tokens and record every list item with its ancestry."""
    tokens: list[Token] = parser().parse(text)
    lists: list[Token] = []
    items: list[Item] = []
    stack: list[Item] = []
    for tok in tokens:
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(tok)
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif tok.type == "list_item_open":
            item = Item(list_level=lists[-1].level, depth=len(lists), parents=[i.title for i in stack])
            stack.append(item)
            items.append(item)
        elif tok.type == "list_item_close":
            stack.pop()
        elif tok.type == "inline" and stack and not stack[-1].title:
            stack[-1].title = tok.content
    return items


def find(items: list[Item], start: str) -> Item:
    found = [i for i in items if i.title.startswith(start)]
    assert len(found) == 1, (start, [i.title for i in items])
    return found[0]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = make_vault(tmp_path, {})
    shutil.copyfile(EXAMPLE_000, root / "000.md")
    return root


def test_fix_removes_every_mojibake(example: Path) -> None:
    before = (example / "000.md").read_text("utf-8")
    assert all(m in before for m in MOJIBAKE[:3])  # the example really is damaged

    run = vk("fix", example)

    assert run.code == 0, run.output
    assert "000.md: fixed" in run.stdout and "mojibake" in run.stdout
    text = (example / "000.md").read_text("utf-8")
    for bad in MOJIBAKE:
        assert bad not in text, (bad, [ln for ln in text.splitlines() if bad in ln])
    assert "notion —> obsidian" in text
    assert "YOU 🫵 can use" in text
    assert "A\u00a0Better Way" in text  # `Â` + NBSP inside a link text: the NBSP stays
    # nothing but repairs: the same number of lines, every URL still there
    assert len(text.splitlines()) == len(before.splitlines())
    check = vk("check", "--select", "mojibake,nbsp-indent,list-marker-space", example)
    assert check.code == 0 and "VK0" not in check.stdout, check.output


def test_fix_nests_the_indented_lists(example: Path) -> None:
    before = list_items((example / "000.md").read_text("utf-8"))
    # damaged: "Â  Â  * [An even more...]" is a paragraph line, not an item under the heading item
    assert not [i for i in before if i.title.startswith("[An even more annotated")]
    assert find(before, "Annotated Transformer").depth == 1

    assert vk("fix", example).code == 0
    items = list_items((example / "000.md").read_text("utf-8"))

    top = find(items, "Annotated Transformer")
    assert top.depth == 1
    children = [i for i in items if i.parents[-1:] == ["Annotated Transformer"]]
    assert [c.title.split("]")[0] for c in children] == [
        "[An even more annotated Transformer",
        "[Notes on Implementing GPT-2 from scratch | W&B",
        "[The Annotated GPT-2 | Aman Arora",
    ]
    for child in children:
        assert child.depth == 2 and child.list_level > top.list_level
    grandchildren = [
        i
        for i in items
        if i.parents[-1:]
        == [
            "[The Annotated GPT-2 | Aman Arora]"
            "(https://amaarora.github.io/posts/"
            "2020-02-18-annotatedGPT2.html)"
        ]
    ]
    assert len(grandchildren) == 4
    for g in grandchildren:
        assert g.depth == 3 and g.list_level > children[0].list_level
        assert g.parents[0] == "Annotated Transformer"
    # the bare URL indented under "makeMoE" is that item's child
    moe = find(items, "https://huggingface.co/blog/NormalUhr/moe-balance")
    assert moe.depth == 2 and moe.parents[-1].startswith("[makeMoE")
    # the glued URL inside the nested list became one URL
    assert find(items, "[Deciphering LangChain").title.endswith(
        "(https://amaarora.github.io/posts/2023-07-25-llmchain.html)"
    )


def test_second_run_changes_nothing(example: Path) -> None:
    assert vk("fix", example).code == 0
    once = (example / "000.md").read_bytes()
    mtime = (example / "000.md").stat().st_mtime_ns

    run = vk("fix", example)

    assert run.code == 0, run.output
    assert "fixed 0 problem(s) in 0 file(s)" in run.output
    assert (example / "000.md").read_bytes() == once
    assert (example / "000.md").stat().st_mtime_ns == mtime  # not even rewritten
    check = vk("fix", "--check", example)
    assert check.code == 0 and "would fix 0 problem(s)" in check.output
