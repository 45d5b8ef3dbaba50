"""Issue 15: the resource index as a reading list: titles, roles, descriptions, sections,
images, filters and CSV for Excel, on small generated vaults through the real CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from vaultkit.cli.main import cli

STAMP = "2025-01-01T00:00:00Z"
Vault = Callable[[dict[str, str | bytes]], Path]


def run(*args: str | Path) -> tuple[int, bytes, str]:
    argv = ["export", "--generated", STAMP, *map(str, args)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code != 3, result.stderr
    return result.exit_code, result.stdout_bytes, result.stderr


def export_json(*args: str | Path) -> dict[str, Any]:
    code, out, err = run(*args)
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def occs(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Occurrences by URL (one each in these vaults), with the resource's title added."""
    out = {}
    for r in doc["resources"]:
        for o in r["occurrences"]:
            out[r["url"]] = {**o, "resource_title": r["title"]}
    return out


AWESOME = (
    "# Awesome Self-hosted\n\n## Communication - Video Conferencing\n\n"
    "- [MiroTalk](https://github.com/miroslavpejic85/mirotalk) - WebRTC video calls. "
    "([Demo](https://p2p.mirotalk.com/), [Source Code](https://github.com/miroslavpejic85/mirotalk-src))\n"
    "- [Jitsi Meet](https://jitsi.org/jitsi-meet/) - Secure video conferencing. "
    "([Source Code](https://github.com/jitsi/jitsi-meet))\n"
    "- Galène: [Demo](https://galene.org/demo) ([Source Code](https://github.com/jech/galene))\n"
)


def test_role_links_are_titled_after_their_item(vault: Vault) -> None:
    found = occs(export_json(vault({"awesome.md": AWESOME})))
    demo = found["https://p2p.mirotalk.com/"]
    assert demo["title"] == "MiroTalk — Demo"
    assert demo["link_text"] == "Demo"
    assert found["https://github.com/miroslavpejic85/mirotalk-src"]["title"] == "MiroTalk — Source Code"
    assert found["https://github.com/jitsi/jitsi-meet"]["title"] == "Jitsi Meet — Source Code"
    assert found["https://galene.org/demo"]["title"] == "Galène — Demo"  # the item's leading text
    # the item's name itself stays as written, with its description around it
    mirotalk = found["https://github.com/miroslavpejic85/mirotalk"]
    assert (mirotalk["title"], mirotalk["link_text"]) == ("MiroTalk", "MiroTalk")
    assert mirotalk["description"] == "WebRTC video calls."  # no markup, no role links
    assert demo["description"] == "MiroTalk - WebRTC video calls."


def test_a_title_on_many_different_urls_is_a_role(vault: Vault) -> None:
    items = "".join(
        f"- [Tool {i}](https://tool{i}.example.org/) - does {i}. [GitHub repository](https://github.com/x/t{i})\n"
        for i in range(12)
    )
    doc = export_json(vault({"tools.md": "# Tools\n\n" + items}))
    found = occs(doc)
    assert found["https://github.com/x/t3"]["title"] == "Tool 3 — GitHub repository"
    assert found["https://github.com/x/t3"]["link_text"] == "GitHub repository"
    # and role titles are not "similar" to each other; names are compared
    assert all(r["similar"] == [] for r in doc["resources"] if "github.com" in r["url"])


def test_a_role_that_names_its_item_stays(vault: Vault) -> None:
    text = "- [GitHub](https://github.com/phillipadsmith/awesome-github) - Hosting service for Git repos.\n"
    found = occs(export_json(vault({"a.md": text})))
    assert found["https://github.com/phillipadsmith/awesome-github"]["title"] == "GitHub"


def test_a_lone_role_link_is_named_after_its_note(vault: Vault) -> None:
    text = "---\ntitle: Floyd Pro\n---\n- Website: <http://floyd.pro> ^website\n"
    found = occs(export_json(vault({"People/Floyd.md": text})))
    assert found["http://floyd.pro"]["title"] == "Floyd Pro — Website"


def test_titles_carry_no_block_ids_footnote_markers_or_trailing_separators(vault: Vault) -> None:
    text = (
        "- https://a.example.org/ A paper on things ^para1\n"
        "- [Attention is all you need[^1]](https://b.example.org/)\n"
        "- [Guide |](https://c.example.org/)\n"
        "- Reading list: https://d.example.org/ —\n"
        "\n[^1]: Vaswani et al.\n"
    )
    titles = {u: o["title"] for u, o in occs(export_json(vault({"n.md": text}))).items()}
    assert titles["https://a.example.org/"] == "A paper on things"
    assert titles["https://b.example.org/"] == "Attention is all you need"
    assert titles["https://c.example.org/"] == "Guide"
    assert titles["https://d.example.org/"] == "Reading list"
    for title in titles.values():
        assert "^" not in title and not title.endswith(("|", ":", "-", "—"))


def test_images_and_screenshots_are_not_resources(vault: Vault) -> None:
    text = (
        "- [Project](https://project.example.org/) - a tool\n"
        "  ![screenshot](https://project.example.org/shot.png)\n"
        "  [screenshot](https://project.example.org/static/screen.jpg?v=2)\n"
        "  <img src='https://cdn.example.org/pic.webp'>\n"
        "  [![CI](https://img.shields.io/badge/ci-passing-green)](https://ci.example.org/)\n"
    )
    doc = export_json(vault({"n.md": text}))
    assert [r["url"] for r in doc["resources"]] == ["https://project.example.org/"]


def test_filters_that_match_nothing_say_so(vault: Vault) -> None:
    root = vault({"n.md": "# LLM101\n## KV Cache\n- [KV caching](https://kv.example.org/) #ml\n"})
    code, out, err = run(root, "--tag", "nosuch", "--section", "Nope*")
    assert code == 0
    assert json.loads(out)["resources"] == []
    assert "--tag 'nosuch' matched nothing" in err
    assert "--section 'Nope*' matched nothing" in err
    # a glob matches any part of the section path, not only from the top
    code, out, err = run(root, "--section", "KV*", "--tag", "ml")
    assert code == 0 and err == ""
    assert [r["url"] for r in json.loads(out)["resources"]] == ["https://kv.example.org/"]


def test_csv_excel_has_a_bom_and_crlf(vault: Vault) -> None:
    root = vault({"n.md": "- [Café crème](https://cafe.example.org/)\n"})
    code, out, err = run(root, "--format", "csv", "--excel")
    assert code == 0, err
    assert out.startswith(b"\xef\xbb\xbfcanonical_url,")
    assert out.count(b"\r\n") == 2 and b"\n" not in out.replace(b"\r\n", b"")
    assert "Café crème".encode() in out
    code, out, _ = run(root, "--format", "csv")
    assert out.startswith(b"canonical_url,")  # no BOM unless asked
    code, _, err = run(root, "--excel")
    assert code == 2 and "--excel applies to --format csv only" in err


def test_similar_is_for_names_and_not_for_generic_titles() -> None:
    from vaultkit.exporting.similar import LIMIT, SHARED_MAX, find_similar

    titles: list[str | None] = ["Quantization", "Quantisation", "Quantization guide", None, "Quantization!"]
    keys = [f"u{i}" for i in range(len(titles))]
    got = find_similar(titles, keys, 90)
    assert got[0] == ["u4", "u1"]  # the same normalised title first, then the near one
    assert got[3] == []  # no title (a role, or the URL): never similar
    generic: list[str | None] = ["GitHub repository"] * (SHARED_MAX + 1) + ["GitHub repositories"]
    assert find_similar(generic, [f"g{i}" for i in range(len(generic))], 90) == [[]] * len(generic)
    many: list[str | None] = [f"Deepseek stuff {i}" for i in range(9)]
    assert all(len(s) == LIMIT for s in find_similar(many, [f"d{i}" for i in range(9)], 80))


def test_a_footer_on_every_note_is_boilerplate_and_left_out(vault: Vault) -> None:
    footer = "\n---\n[Download this vault](https://example.org/download) · [Edit](https://example.org/edit)\n"
    files: dict[str, str | bytes] = {
        f"Notes/n{i}.md": f"# Note {i}\n- [Paper {i}](https://papers.example.org/{i})\n{footer}"
        for i in range(12)
    }
    files["Templates/Daily.md"] = "# {{date}}\n- [Journal prompts](https://prompts.example.org/)\n"
    files[".obsidian/templates.json"] = '{"folder": "Templates"}'
    urls = [r["url"] for r in export_json(vault(files))["resources"]]
    assert len(urls) == 12 and all(u.startswith("https://papers.example.org/") for u in urls)
    kept = export_json(vault(files), "--include-boilerplate")["resources"]
    flagged = {r["url"] for r in kept if r.get("boilerplate")}
    assert flagged == {
        "https://example.org/download",
        "https://example.org/edit",
        "https://prompts.example.org/",  # in a template
    }
    assert len(kept) == 15
