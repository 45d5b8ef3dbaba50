"""duplicate-url at scale: boilerplate, one resource per list item, the allow-list, and
the validated ``[rules.duplicate-url]`` options. Real vaults, through the real CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from vaultkit.index.boilerplate import Threshold, boilerplate_urls, threshold_from

Vault = Callable[[dict[str, str | bytes]], Path]
Check = Callable[..., Any]
FOOTER = "https://example.org/download-this-vault"


def _notes(n: int, body: str = "") -> dict[str, str | bytes]:
    return {f"n{i:02}.md": f"# Note {i}\n\n- [own {i}](https://x.org/{i})\n{body}" for i in range(n)}


def test_boilerplate_share_and_minimum() -> None:
    urls = {"foot": [f"n{i}" for i in range(11)], "pair": ["a", "b"], "five": list("abcde")}
    assert boilerplate_urls(urls, 100) == {"foot"}  # 11% of 100 notes, and >= 5
    assert boilerplate_urls(urls, 20) == {"foot", "five"}  # 25% of 20 notes
    assert boilerplate_urls(urls, 4, threshold=Threshold(0.1, 5)) == {"foot", "five"}
    assert boilerplate_urls(urls, 20, threshold=Threshold(1.0, 5)) == frozenset()
    assert boilerplate_urls({"t": ["Templates/Daily.md", "x.md"]}, 1000, ["Templates"]) == {"t"}
    assert threshold_from({"boilerplate-threshold": 0.5}) == Threshold(0.5, 5)


def test_footer_in_every_note_is_not_reported(vault: Vault, check: Check) -> None:
    root = vault(_notes(30, f"\nDownload: [this vault]({FOOTER})\n"))
    run = check(root)
    assert run.diags("VK005") == []


def test_a_link_a_template_carries_is_boilerplate(vault: Vault, check: Check) -> None:
    files = {
        "Templates/Book.md": f"# {{{{title}}}}\n\n[Buy it]({FOOTER})\n",
        "a.md": f"[Buy]({FOOTER})\n",
        "b.md": f"[Buy]({FOOTER})\n",
        "c.md": "[one](https://x.org/same)\n",
        "d.md": "[two](https://x.org/same)\n",
    }
    root = vault(files)
    (root / ".obsidian" / "templates.json").write_text('{"folder": "Templates"}')
    (d,) = check(root).diags("VK005")
    assert d["path"] == "c.md" and "https://x.org/same is saved in 2 notes: c.md, d.md" in d["message"]


def test_threshold_is_configurable(vault: Vault, check: Check) -> None:
    files = _notes(30, f"\n[footer]({FOOTER})\n")
    files[".vaultkit.toml"] = "[rules.duplicate-url]\nboilerplate-threshold = 1.0\n"
    (d,) = check(vault(files)).diags("VK005")
    assert (d["path"], d["line"]) == ("n00.md", 5)
    assert d["message"].startswith(f"duplicate URL {FOOTER} is saved in 30 notes: n00.md, n01.md, n02.md")
    assert d["message"].endswith("and 27 more (--verbose lists them)")


def test_same_url_twice_in_one_list_item_is_one_resource(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "- [Project](https://p.dev) (Demo: https://p.dev)\n"
                "- [Other](https://o.dev) and [again](https://o.dev)\n"
                "- https://p.dev\n"
            )
        }
    )
    (d,) = check(root).diags("VK005")
    assert (d["line"], d["severity"]) == (3, "warning")


def test_ignore_allow_list(vault: Vault, check: Check) -> None:
    files: dict[str, str | bytes] = {
        "a.md": "https://wiki.example.com/a https://wiki.example.com/a https://k.org/x\n",
        "b.md": "https://k.org/x\n",
    }
    assert len(check(vault(files)).diags("VK005")) == 2
    files[".vaultkit.toml"] = '[rules.duplicate-url]\nignore = ["^https://wiki\\\\.", "k\\\\.org/x$"]\n'
    assert check(vault(files)).diags("VK005") == []


def test_rule_options_are_validated_naming_file_and_key(vault: Vault, vk: Check) -> None:
    cases = {
        "[rules.duplicate-url]\nboilerplate-treshold = 0.2\n": (
            "rules.duplicate-url.boilerplate-treshold: unknown option; did you mean 'boilerplate-threshold'?"
        ),
        "[rules.duplicate-url]\nboilerplate-threshold = 10\n": (
            "rules.duplicate-url.boilerplate-threshold must be a share of the notes from 0 to 1"
        ),
        "[rules.duplicate-url]\nignore = ['(']\n": "rules.duplicate-url.ignore must be a list of valid",
        "[rules.duplicate-ulr]\nignore = []\n": "unknown rule 'duplicate-ulr'; did you mean 'duplicate-url'?",
        "[rules.mojibake]\nx = 1\n": "rules.mojibake.x: unknown option; mojibake takes no options",
    }
    for text, message in cases.items():
        root = vault({"a.md": "x\n", ".vaultkit.toml": text})
        run = vk("check", root)
        assert run.code == 2, text
        assert str(root / ".vaultkit.toml") in run.stderr and message in run.stderr, run.stderr


def test_rule_options_accept_codes(vault: Vault, check: Check) -> None:
    files = _notes(30, f"\n[footer]({FOOTER})\n")
    files[".vaultkit.toml"] = "[rules.VK005]\nboilerplate-min-notes = 31\n"
    assert len(check(vault(files)).diags("VK005")) == 1


def test_verbose_lists_every_note(vault: Vault, vk: Check) -> None:
    files = _notes(8, "\n[same](https://x.org/shared)\n")
    files[".vaultkit.toml"] = "[rules.duplicate-url]\nboilerplate-threshold = 1.0\n"
    root = vault(files)
    short = [line for line in vk("check", root).stdout.splitlines() if "VK005" in line]
    assert len(short) == 1 and short[0].endswith("n00.md, n01.md, n02.md and 5 more (--verbose lists them)")
    (long,) = [line for line in vk("check", "--verbose", root).stdout.splitlines() if "VK005" in line]
    assert long.endswith("is saved in 8 notes: " + ", ".join(f"n{i:02}.md" for i in range(8)))
