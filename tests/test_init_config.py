"""vaultkit init (a commented config for the vault it finds) and --config FILE."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

Vault = Callable[[dict[str, str | bytes]], Path]
VK = Callable[..., Any]


def test_init_writes_what_it_finds(vault: Vault, vk: VK) -> None:
    root = vault({"a.md": "x\n", "Templates/Day.md": "# {{date}}\n", "Media/p.png": b"\x89PNG"})
    (root / ".obsidian" / "templates.json").write_text('{"folder": "Templates"}', "utf-8")
    app = {"userIgnoreFilters": ["Archive/", "Private/Diary"], "attachmentFolderPath": "Media"}
    (root / ".obsidian" / "app.json").write_text(json.dumps(app), "utf-8")
    run = vk("init", root)
    assert run.code == 0, run.stderr
    text = (root / ".vaultkit.toml").read_text("utf-8")
    data = tomllib.loads(text)
    assert data["exclude"] == ["Archive", "Private/Diary"]
    assert data["templates"] == ["Templates"]
    assert "# attachments: Media" in text
    assert "[rules.duplicate-url]" in text and "boilerplate-threshold" in text
    assert sum(line.startswith("#") for line in text.splitlines()) >= 10  # commented
    assert vk("check", root).code == 0  # the config it writes loads


def test_init_finds_the_attachment_folder_by_its_files(vault: Vault, vk: VK) -> None:
    root = vault({"a.md": "x\n", "assets/1.png": b"1", "assets/2.png": b"2", "docs/x.pdf": b"3"})
    assert vk("init", root).code == 0
    assert "# attachments: assets" in (root / ".vaultkit.toml").read_text("utf-8")


def test_init_refuses_to_overwrite(vault: Vault, vk: VK) -> None:
    root = vault({"a.md": "x\n", ".vaultkit.toml": "select = []\n"})
    run = vk("init", root)
    assert run.code == 2 and "already configures vaultkit; not overwriting it" in run.stderr
    assert (root / ".vaultkit.toml").read_text("utf-8") == "select = []\n"
    py = vault({"pyproject.toml": "[tool.vaultkit]\nignore = []\n"})
    assert vk("init", py).code == 2


def test_config_option_on_every_command(vault: Vault, vk: VK, tmp_path: Path) -> None:
    root = vault({"a.md": "[[Nope]]\n\n-\n", "b.md": "[x](https://e.com/y?utm_source=1)\n"})
    other = tmp_path / "elsewhere.toml"
    other.write_text('ignore = ["broken-wikilink"]\n', "utf-8")
    assert "VK001" in vk("check", root).stdout
    assert "VK001" not in vk("check", "--config", other, root).stdout
    other.write_text('ignore = ["empty-list-item"]\n', "utf-8")
    assert vk("fix", "--config", other, "--check", root).stdout.count("empty") == 0
    other.write_text('exclude = ["b.md"]\n', "utf-8")
    doc = json.loads(vk("export", "--config", other, root).stdout)
    assert doc["resources"] == []
    bad = tmp_path / "bad.toml"
    bad.write_text("selec = 1\n", "utf-8")
    run = vk("check", "--config", bad, root)
    assert run.code == 2 and f"{bad}: unknown setting 'selec'; did you mean 'select'?" in run.stderr
    assert vk("check", "--config", tmp_path / "none.toml", root).code == 2
    py = tmp_path / "pyproject.toml"
    py.write_text('[tool.vaultkit]\nselect = ["VK007"]\n', "utf-8")
    assert json.loads(vk("check", "--format", "json", "--config", py, root).stdout)["summary"]["errors"] == 0


def test_init_finds_a_templates_folder_by_its_name(vault: Vault, vk: VK) -> None:
    root = vault({"a.md": "x\n", "Templates/Day.md": "# {{date}}\n"})
    assert vk("init", root).code == 0
    assert tomllib.loads((root / ".vaultkit.toml").read_text("utf-8"))["templates"] == ["Templates"]
