"""End-to-end tests of `vaultkit lsp`: the real server process, over stdio, driven by a
small JSON-RPC client (tests/helpers/lsp_client.py). No part of the protocol is mocked."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.lsp_client import LspClient, apply_text_edits

HOME = (
    "# Home\n\n"
    "See [[Ideas]] and [[Missing]] and [[Ideas#Later]] and [[Ideas#^blk1]].\n\n"
    "CafÃ© latte\n\n"
    "[deep](sub/Deep.md#part-two) ![[shot.png]]\n\n"
    "[site](https://example.com/page)\n"
)
IDEAS = "---\naliases: [Thoughts]\n---\n# Ideas\n\n## Later\n\nBack to [[Home]]. ^blk1\n"
DEEP = "# Deep\n\n## Part two\n\ntext #tag1 and #project/alpha\n"


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make(
        tmp_path / "vault",
        {"Home.md": HOME, "Ideas.md": IDEAS, "sub/Deep.md": DEEP, "shot.png": b"\x89PNG\r\n\x1a\n"},
    )


@pytest.fixture
def client(vault: Path, tmp_path: Path) -> Iterator[LspClient]:
    c = LspClient(vault, {"debounce_ms": 10}, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    c.initialize()
    yield c
    c.close()


def codes(diags: list[dict[str, Any]]) -> list[str]:
    return sorted(d["code"] for d in diags)


def pos(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def doc(c: LspClient, rel: str) -> dict[str, str]:
    return {"uri": c.uri(rel)}


# --- initialize and diagnostics --------------------------------------------------------------


def test_initialize_advertises_every_capability(vault: Path) -> None:
    c = LspClient(vault)
    try:
        caps = c.initialize()["capabilities"]
        assert set(caps["completionProvider"]["triggerCharacters"]) >= {"[", "#", "^"}
        assert caps["renameProvider"] == {"prepareProvider": True}
        assert "source.fixAll.vaultkit" in caps["codeActionProvider"]["codeActionKinds"]
        assert caps["workspace"]["fileOperations"]["willRename"]["filters"]
        for key in ("definitionProvider", "referencesProvider", "hoverProvider"):
            assert caps[key]
        assert caps["documentSymbolProvider"] and caps["workspaceSymbolProvider"]
        log = c.wait_for("window/logMessage", lambda p: "indexed 3 notes" in p["message"])
        assert "3 parsed" in log["message"]
    finally:
        c.close()


def test_warm_start_reads_the_facts_cache(vault: Path) -> None:
    for expected in ("3 parsed, 0 from the facts cache", "0 parsed, 3 from the facts cache"):
        c = LspClient(vault)
        try:
            c.initialize()
            c.wait_for("window/logMessage", lambda p, e=expected: e in p["message"])
        finally:
            c.close()


def test_diagnostics_for_a_broken_link_match_check(client: LspClient) -> None:
    client.open("Home.md")
    diags = client.diagnostics_for("Home.md")
    broken = [d for d in diags if d["code"] == "VK001"]
    assert len(broken) == 1
    assert broken[0]["range"]["start"] == pos(2, 18)
    assert "'Missing'" in broken[0]["message"]
    assert broken[0]["source"] == "vaultkit" and broken[0]["severity"] == 1
    assert broken[0]["codeDescription"]["href"].startswith("https://")
    assert "VK008" in codes(diags)  # the mojibake line


def test_config_and_inline_disables_apply_and_a_config_change_rechecks(
    client: LspClient, vault: Path
) -> None:
    text = HOME.replace("See [[Ideas]]", "<!-- vaultkit-disable-next-line mojibake -->\nSee [[Ideas]]")
    text = text.replace("CafÃ© latte", "<!-- vaultkit-disable-next-line mojibake -->\nCafÃ© latte")
    client.open("Home.md", text)
    assert "VK008" not in codes(client.diagnostics_for("Home.md"))
    (vault / ".vaultkit.toml").write_text('ignore = ["broken-wikilink"]\n', encoding="utf-8")
    client.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": client.uri(".vaultkit.toml"), "type": 1}]}
    )
    diags = client.diagnostics_for("Home.md", lambda ds: "VK001" not in codes(ds))
    assert "VK001" not in codes(diags)


# --- code actions --------------------------------------------------------------------------


def _actions(c: LspClient, rel: str, line: int, only: list[str] | None = None) -> list[dict[str, Any]]:
    ctx: dict[str, Any] = {"diagnostics": []}
    if only:
        ctx["only"] = only
    params = {
        "textDocument": doc(c, rel),
        "range": {"start": pos(line, 0), "end": pos(line, 0)},
        "context": ctx,
    }
    return c.request("textDocument/codeAction", params) or []  # type: ignore[no-any-return]


def test_a_quick_fix_repairs_mojibake_and_applying_it_clears_the_diagnostic(client: LspClient) -> None:
    client.open("Home.md")
    assert "VK008" in codes(client.diagnostics_for("Home.md"))
    fixes = [a for a in _actions(client, "Home.md", 4) if a["title"].startswith("Fix:")]
    assert fixes and fixes[0]["kind"] == "quickfix"
    edits = fixes[0]["edit"]["changes"][client.uri("Home.md")]
    fixed = apply_text_edits(HOME, edits)
    assert "Café latte" in fixed and fixed.replace("Café", "CafÃ©") == HOME
    client.change("Home.md", fixed)
    assert "VK008" not in codes(client.diagnostics_for("Home.md", lambda ds: "VK008" not in codes(ds)))


def test_fix_all_gives_the_same_text_as_vaultkit_fix(client: LspClient, vault: Path) -> None:
    import subprocess
    import sys

    client.open("Home.md")
    client.diagnostics_for("Home.md")
    [fix_all] = _actions(client, "Home.md", 0, only=["source.fixAll.vaultkit"])
    assert fix_all["title"] == "Fix all safe problems in this note"
    fixed = apply_text_edits(HOME, fix_all["edit"]["changes"][client.uri("Home.md")])
    subprocess.run(
        [sys.executable, "-m", "vaultkit", "fix", str(vault / "Home.md")], capture_output=True, timeout=120
    )
    assert fixed == (vault / "Home.md").read_text(encoding="utf-8")


def test_disable_comment_did_you_mean_and_create_note(client: LspClient) -> None:
    text = HOME.replace("[[Missing]]", "[[Idea]]")
    client.open("Home.md", text)
    client.diagnostics_for("Home.md")
    titles = {a["title"]: a for a in _actions(client, "Home.md", 2)}
    assert "Did you mean 'Ideas'?" in titles
    edit = titles["Did you mean 'Ideas'?"]["edit"]["changes"][client.uri("Home.md")]
    assert "[[Ideas]] and [[Ideas]]" in apply_text_edits(text, edit)
    create = titles["Create note 'Idea.md'"]["edit"]["documentChanges"][0]
    assert create == {"kind": "create", "uri": client.uri("Idea.md")}
    disable = titles["Add <!-- vaultkit-disable-next-line broken-wikilink -->"]
    fixed = apply_text_edits(text, disable["edit"]["changes"][client.uri("Home.md")])
    client.change("Home.md", fixed)
    assert "VK001" not in codes(client.diagnostics_for("Home.md", lambda ds: "VK001" not in codes(ds)))


# --- navigation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "character", "rel", "target_line"),
    [
        (2, 7, "Ideas.md", 0),  # [[Ideas]]
        (2, 38, "Ideas.md", 5),  # [[Ideas#Later]]
        (2, 58, "Ideas.md", 7),  # [[Ideas#^blk1]]
        (6, 3, "sub/Deep.md", 2),  # [deep](sub/Deep.md#part-two)
        (6, 33, "shot.png", 0),  # ![[shot.png]]
    ],
)
def test_definition(client: LspClient, line: int, character: int, rel: str, target_line: int) -> None:
    client.open("Home.md")
    found = client.request(
        "textDocument/definition", {"textDocument": doc(client, "Home.md"), "position": pos(line, character)}
    )
    assert found["uri"] == client.uri(rel)
    assert found["range"]["start"]["line"] == target_line


def test_references_on_a_heading_a_block_id_and_the_first_line(client: LspClient) -> None:
    client.open("Ideas.md")

    def refs(line: int) -> list[tuple[str, int, int]]:
        params = {
            "textDocument": doc(client, "Ideas.md"),
            "position": pos(line, 3),
            "context": {"includeDeclaration": False},
        }
        found = client.request("textDocument/references", params)
        return sorted(
            (r["uri"].rsplit("/", 1)[-1], r["range"]["start"]["line"], r["range"]["start"]["character"])
            for r in found
        )

    assert refs(5) == [("Home.md", 2, 34)]  # ## Later
    assert refs(7) == [("Home.md", 2, 54)]  # ^blk1
    assert refs(0) == [("Home.md", 2, 4)]  # the note: [[Ideas]]


def test_document_and_workspace_symbols(client: LspClient) -> None:
    client.open("Ideas.md")
    symbols = client.request("textDocument/documentSymbol", {"textDocument": doc(client, "Ideas.md")})
    assert [s["name"] for s in symbols] == ["Ideas"]
    assert [c["name"] for c in symbols[0]["children"]] == ["Later"]
    found = client.request("workspace/symbol", {"query": "part"})
    assert any(s["name"] == "part two" and s["location"]["uri"] == client.uri("sub/Deep.md") for s in found)
    assert any(s["name"] == "Deep" for s in client.request("workspace/symbol", {"query": "dee"}))


def test_hover_previews_a_note_and_a_saved_resource(client: LspClient, tmp_path: Path) -> None:
    db_dir = tmp_path / "xdg" / "vaultkit"
    db_dir.mkdir(parents=True, exist_ok=True)  # the cache key may be there already
    with sqlite3.connect(db_dir / "online.sqlite") as db:
        db.execute(
            "CREATE TABLE results (url TEXT PRIMARY KEY, outcome TEXT, status INTEGER, final_url TEXT,"
            " permanent INTEGER, cause TEXT, checked_at REAL)"
        )
        db.execute(
            "INSERT INTO results VALUES ('https://example.com/page', 'dead', 404, NULL, 1, '', ?)",
            (time.time(),),
        )
    client.open("Home.md")
    note = client.request(
        "textDocument/hover", {"textDocument": doc(client, "Home.md"), "position": pos(2, 38)}
    )
    assert "**Ideas.md**" in note["contents"]["value"] and "## Later" in note["contents"]["value"]
    url = client.request(
        "textDocument/hover", {"textDocument": doc(client, "Home.md"), "position": pos(8, 3)}
    )
    text = url["contents"]["value"]
    assert "https://example.com/page" in text and "Saved in 1 note(s): `Home.md`" in text
    assert "Online: dead (HTTP 404)" in text


# --- completion ----------------------------------------------------------------------------


def _complete(c: LspClient, rel: str, text: str, line: int, character: int) -> list[dict[str, Any]]:
    c.change(rel, text)
    params = {"textDocument": doc(c, rel), "position": pos(line, character)}
    return c.request("textDocument/completion", params)["items"]  # type: ignore[no-any-return]


def test_completion_of_names_headings_blocks_tags_and_keys(client: LspClient, vault: Path) -> None:
    (vault / ".vaultkit.toml").write_text('[frontmatter]\nrequired = ["status"]\n', encoding="utf-8")
    client.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": client.uri(".vaultkit.toml"), "type": 1}]}
    )
    client.open("New.md", "")
    names = _complete(client, "New.md", "see [[", 0, 6)
    assert {i["label"] for i in names} >= {"Home", "Ideas", "Deep", "Thoughts"}
    alias = next(i for i in names if i["label"] == "Thoughts")
    assert alias["insertText"] == "Ideas|Thoughts"
    heads = _complete(client, "New.md", "see [[Ideas#", 0, 12)
    assert [i["label"] for i in heads] == ["Ideas", "Later"]
    blocks = _complete(client, "New.md", "see [[Ideas#^", 0, 13)
    assert [i["label"] for i in blocks] == ["blk1"]
    slugs = _complete(client, "New.md", "see [x](sub/Deep.md#", 0, 20)
    assert [i["label"] for i in slugs] == ["deep", "part-two"]
    tags = _complete(client, "New.md", "see #", 0, 5)
    assert {i["label"] for i in tags} >= {"tag1", "project/alpha"}
    keys = _complete(client, "New.md", "---\n\n---\n", 1, 0)
    assert "status" in {i["label"] for i in keys}


# --- renames -------------------------------------------------------------------------------


def test_renaming_a_heading_updates_fragments_and_wikilinks_in_other_notes(
    client: LspClient, vault: Path
) -> None:
    client.open("sub/Deep.md")
    prep = client.request(
        "textDocument/prepareRename", {"textDocument": doc(client, "sub/Deep.md"), "position": pos(2, 5)}
    )
    assert prep["placeholder"] == "Part two"
    edit = client.request(
        "textDocument/rename",
        {"textDocument": doc(client, "sub/Deep.md"), "position": pos(2, 5), "newName": "Second part"},
    )
    changes = edit["changes"]
    home = apply_text_edits(HOME, changes[client.uri("Home.md")])
    assert "[deep](sub/Deep.md#second-part)" in home
    assert apply_text_edits(DEEP, changes[client.uri("sub/Deep.md")]).startswith("# Deep\n\n## Second part\n")
    client.open("Ideas.md")
    params = {"textDocument": doc(client, "Ideas.md"), "position": pos(5, 4), "newName": "Soon"}
    edit = client.request("textDocument/rename", params)
    assert "[[Ideas#Soon]]" in apply_text_edits(HOME, edit["changes"][client.uri("Home.md")])


def test_will_rename_files_keeps_each_wikilink_form(client: LspClient, vault: Path) -> None:
    (vault / "Links.md").write_text(
        "[[Ideas]] [[Ideas|my ideas]] [[Ideas#Later]] [[Ideas.md]] ![[Ideas]] [i](Ideas.md#later)\n",
        encoding="utf-8",
    )
    client.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": client.uri("Links.md"), "type": 1}]}
    )
    params = {"files": [{"oldUri": client.uri("Ideas.md"), "newUri": client.uri("archive/Old ideas.md")}]}
    edit = client.request("workspace/willRenameFiles", params)
    links = apply_text_edits(
        (vault / "Links.md").read_text(encoding="utf-8"), edit["changes"][client.uri("Links.md")]
    )
    assert links == (
        "[[Old ideas]] [[Old ideas|my ideas]] [[Old ideas#Later]] [[Old ideas.md]] ![[Old ideas]]"
        " [i](archive/Old%20ideas.md#later)\n"
    )
    home = apply_text_edits(HOME, edit["changes"][client.uri("Home.md")])
    assert "[[Old ideas]] and [[Missing]] and [[Old ideas#Later]] and [[Old ideas#^blk1]]" in home


def test_a_change_that_breaks_a_link_in_another_open_note(client: LspClient) -> None:
    client.open("Home.md")
    client.open("Ideas.md")
    before = client.diagnostics_for("Home.md")
    assert not [d for d in before if "Later" in d["message"]]
    client.change("Ideas.md", IDEAS.replace("## Later", "## Much later"))
    after = client.diagnostics_for("Home.md", lambda ds: any("Later" in d["message"] for d in ds))
    assert any("Later" in d["message"] for d in after)


def test_a_note_created_on_disk_resolves_links_to_it(client: LspClient, vault: Path) -> None:
    client.open("Home.md")
    assert "VK001" in codes(client.diagnostics_for("Home.md"))
    (vault / "Missing.md").write_text("# Missing\n", encoding="utf-8")
    client.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": client.uri("Missing.md"), "type": 1}]}
    )
    assert "VK001" not in codes(client.diagnostics_for("Home.md", lambda ds: "VK001" not in codes(ds)))
    (vault / "Missing.md").unlink()
    client.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": client.uri("Missing.md"), "type": 3}]}
    )
    assert "VK001" in codes(client.diagnostics_for("Home.md", lambda ds: "VK001" in codes(ds)))


def test_typing_is_debounced_to_the_last_version(vault: Path) -> None:
    c = LspClient(vault, {"debounce_ms": 300})
    try:
        c.initialize()
        c.open("Home.md")
        c.diagnostics_for("Home.md")
        for i in range(5):
            c.change("Home.md", HOME + f"\n[[Nope{i}]]\n")
        diags = c.diagnostics_for("Home.md", lambda ds: any("Nope" in d["message"] for d in ds))
        assert [d["message"] for d in diags if "Nope" in d["message"]] == [
            next(d["message"] for d in diags if "Nope4" in d["message"])
        ]
        time.sleep(0.5)
        published = [m for m in c.seen if m.get("method") == "textDocument/publishDiagnostics"]
        assert (
            len([m for m in published if any("Nope" in d["message"] for d in m["params"]["diagnostics"])])
            == 1
        )
    finally:
        c.close()
