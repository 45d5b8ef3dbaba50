"""vaultkit init: write a commented ``.vaultkit.toml`` for the vault found here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vaultkit.errors import AlreadyExistsError, ConfigError


@click.command("init")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def command(folder: Path | None) -> None:
    """Write a commented .vaultkit.toml at the vault root (never over an existing one).

    It names the templates folder, the excludes of Obsidian's "Excluded files"
    (.obsidian/app.json) and the attachment folder it finds.
    """
    from vaultkit.config import has_config
    from vaultkit.vault.files import find_root, template_folders
    from vaultkit.vault.write import create_exclusive

    start = folder or Path.cwd()
    if not start.is_dir():
        raise ConfigError(f"{start}: no such folder")
    root = find_root(start)
    target = root / ".vaultkit.toml"
    if has_config(root):
        existing = target if target.exists() else root / "pyproject.toml"
        raise ConfigError(f"{existing} already configures vaultkit; not overwriting it")
    app = _app_settings(root)
    templates = template_folders(root) or [
        p.name for p in sorted(root.iterdir()) if p.is_dir() and p.name.lower() in ("templates", "_templates")
    ]
    text = render_config(templates, _excludes(app), _attachments(root, app))
    try:
        create_exclusive(target, text.encode("utf-8"), root=root)
    except AlreadyExistsError as exc:
        raise ConfigError(f"{target} already exists; not overwriting it") from exc
    click.echo(f"wrote {target}")


def _app_settings(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / ".obsidian" / "app.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _excludes(app: dict[str, Any]) -> list[str]:
    """Obsidian's "Excluded files" as vaultkit globs ("Archive/" -> "Archive")."""
    filters = app.get("userIgnoreFilters")
    if not isinstance(filters, list):
        return []
    return [f.strip().rstrip("/") for f in filters if isinstance(f, str) and f.strip().rstrip("/")]


def _attachments(root: Path, app: dict[str, Any]) -> str | None:
    """Obsidian's attachment folder, else the folder holding the most non-note files."""
    value = app.get("attachmentFolderPath")
    if isinstance(value, str) and value.strip("./ "):
        return value.strip("/ ").removeprefix("./")
    counts: dict[str, int] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if (
            any(part.startswith(".") for part in rel.parts)
            or path.suffix.lower() == ".md"
            or len(rel.parts) < 2
        ):
            continue
        if path.is_file():
            counts[rel.parts[0]] = counts.get(rel.parts[0], 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def render_config(templates: list[str], excludes: list[str], attachments: str | None) -> str:
    """The commented config text (valid TOML that ``load_config`` accepts)."""
    lines = [
        "# vaultkit configuration (written by `vaultkit init`; see the README for every setting).",
        "",
        "# Rules to run, by code, name or code prefix (empty: every offline rule), and rules to skip.",
        "select = []",
        "ignore = []",
        "",
        "# Paths vaultkit skips (globs over vault-relative paths); from Obsidian's Excluded files.",
        f"exclude = {_toml_list(excludes)}",
        "",
        "# The templates folder: its notes get no frontmatter schema check, and a link that a",
        "# template carries is boilerplate, never reported as a duplicate URL.",
    ]
    if templates:
        lines.append(f"templates = {_toml_list(templates)}")
    else:
        lines.append('# templates = ["Templates"]   (none found in .obsidian/ or at the top)')
    lines += [
        "",
        "# The attachment folder: files there are link targets, not notes.",
        f"# attachments: {attachments}" if attachments else "# attachments: none found",
        "",
        "# Change a rule's severity: error | warning | info",
        "[severity]",
        "",
        "# Rules to skip in some files, as ruff's per-file-ignores:",
        '# "Archive/**" = ["rule-name", ...]',
        "[per-file-ignores]",
        "",
        "# Per-rule options, as [rules.<name or code>] tables:",
    ]
    import vaultkit.rules  # noqa: F401  (registers the rules, which declare their options)
    from vaultkit.rules.options import rule_options_known

    for name, options in rule_options_known().items():
        lines += [f"# [rules.{name}]   ({', '.join(options)}: see `vaultkit rules {name}`)"]
    lines.append("")
    return "\n".join(lines)
