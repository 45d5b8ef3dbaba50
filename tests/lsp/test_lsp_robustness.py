"""The language server never crashes on a bad note: it logs, publishes what it can, and
keeps answering. The notes are the kinds the robustness suite uses."""

from __future__ import annotations

from pathlib import Path

from helpers.lsp_client import LspClient

BAD: dict[str, bytes] = {
    "binary.md": b"\x00\x01\x02PK\x03\x04" * 200,
    "huge.md": b"# Huge\n\n" + b"word " * 1_300_000,  # 6.5 MB: over the size limit
    "yaml.md": b"---\ntitle: [unclosed\n  - : :\n---\n# Broken YAML\n",
    "bomb.md": b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\nx\n",
    "nested.md": b"- " * 350 + b"deep\n",
    "quotes.md": b"> " * 350 + b"deep\n",
    "comments.md": b"<!--" * 200 + b"\n",
    "latin1.md": "caf\u00e9 na\u00efve".encode("latin-1") + b"\n",
    "nul-after.md": b"# Title\n\n" + b"text\n" * 2000 + b"\x00" * 10_000,
    "math.md": b"$a " * 3_000,
    "wikis.md": b"[[" * 20_000,
}


def test_bad_notes_never_crash_the_server(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "Good.md").write_text("# Good\n\n[[Nowhere]]\n", encoding="utf-8")
    for name, data in BAD.items():
        (root / name).write_bytes(data)
    c = LspClient(root, {"debounce_ms": 0})
    try:
        c.initialize()
        for name, data in BAD.items():
            c.open(name, data.decode("utf-8", "replace"))
            opened = c.diagnostics_for(name, timeout=60)
            if name == "huge.md":  # over note-size: reported as check reports it, not parsed
                assert [(d["code"], "note-size" in d["message"]) for d in opened] == [("VK000", True)]
            c.change(name, data.decode("utf-8", "replace") + "\nmore [[Good]]\n")
            c.diagnostics_for(name, timeout=60)
        c.open("Good.md")
        good = c.diagnostics_for("Good.md", timeout=60)
        assert [d["code"] for d in good] == ["VK001"]
        symbols = c.request("textDocument/documentSymbol", {"textDocument": {"uri": c.uri("Good.md")}})
        assert [s["name"] for s in symbols] == ["Good"]
        assert c.proc.poll() is None, c.stderr()
    finally:
        c.close()
