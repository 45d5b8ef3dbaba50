"""Configuration: ``.vaultkit.toml`` at the vault root, or ``[tool.vaultkit]`` in pyproject.toml."""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultkit.errors import ConfigError
from vaultkit.limits import Limits, from_config

CONFIG_FILES = (".vaultkit.toml", "pyproject.toml")
SCHEMA_TYPES = ("string", "number", "integer", "boolean", "list", "mapping", "date", "datetime")


@dataclass
class Config:
    select: list[str] = field(default_factory=list)  # empty: every offline rule
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    # [severity.context]: the level of link findings inside a comment or a property
    context_severity: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    schema_required: list[str] = field(default_factory=list)
    schema_types: dict[str, str] = field(default_factory=dict)
    similar_threshold: float = 90.0
    online: dict[str, Any] = field(default_factory=dict)
    # [rules.<name>] options, validated (see rules.options.parse_rule_options)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    # [per-file-ignores]: glob -> rule codes, validated (rules.options.parse_per_file_ignores)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    templates: list[str] = field(default_factory=list)  # templates folders besides .obsidian's
    limits: Limits = field(default_factory=Limits)
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def levels(self) -> dict[str, str]:
        """Severity overrides by rule name or code, and by context as ``context:<where>``."""
        return {**self.severity, **{f"context:{k}": v for k, v in self.context_severity.items()}}

    def digest(self) -> str:
        """A hash of the settings that change diagnostics (for caches)."""
        blob = json.dumps(self.raw, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def has_config(folder: Path) -> bool:
    if (folder / ".vaultkit.toml").is_file():
        return True
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            return "vaultkit" in tomllib.loads(pyproject.read_text("utf-8")).get("tool", {})
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return False
    return False


def load_config(root: Path, file: Path | None = None) -> Config:
    """The vault's config: ``file`` when given (``--config``), else the first of
    ``.vaultkit.toml`` and ``pyproject.toml``'s ``[tool.vaultkit]`` at ``root``."""
    if file is not None:
        if not file.is_file():
            raise ConfigError(f"--config {file}: no such file")
        return _from_mapping(_section(file) or {}, file)
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file() and (section := _section(path)) is not None:
            return _from_mapping(section, path)
    return Config()


def _section(path: Path) -> dict[str, Any] | None:
    """The vaultkit settings in ``path``: all of it, or a pyproject.toml's [tool.vaultkit]."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name != "pyproject.toml":
        return data
    section = data.get("tool", {}).get("vaultkit")
    return section if isinstance(section, dict) else None


def _list(section: dict[str, Any], key: str, path: Path) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return list(value)


KNOWN = {"select", "ignore", "severity", "exclude", "frontmatter", "similar-threshold", "online"}
KNOWN |= {"rules", "per-file-ignores", "templates", "limits"}


def _from_mapping(section: dict[str, Any], path: Path) -> Config:
    known = KNOWN
    unknown = sorted(set(section) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; the settings are {', '.join(sorted(known))}"
        raise ConfigError(f"{path}: unknown setting '{unknown[0]}'{hint}")
    cfg = Config(source=path, raw=section)
    cfg.select = _list(section, "select", path)
    cfg.ignore = _list(section, "ignore", path)
    cfg.exclude = _list(section, "exclude", path)
    severity = section.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{path}: 'severity' must be a table of rule = level")
    severity = dict(severity)
    context = severity.pop("context", {})
    if not isinstance(context, dict) or not set(context) <= {"comment", "property"}:
        raise ConfigError(f"{path}: 'severity.context' must be a table with 'comment' and/or 'property'")
    for where, level in context.items():
        if level not in ("error", "warning", "info"):
            raise ConfigError(f"{path}: severity.context of '{where}' must be error, warning or info")
    cfg.context_severity = dict(context)
    for rule, level in severity.items():
        if level not in ("error", "warning", "info"):
            raise ConfigError(f"{path}: severity of '{rule}' must be error, warning or info")
    cfg.severity = dict(severity)
    fm = section.get("frontmatter", {})
    if not isinstance(fm, dict):
        raise ConfigError(f"{path}: 'frontmatter' must be a table")
    cfg.schema_required = _list(fm, "required", path)
    types = fm.get("types", {})
    if not isinstance(types, dict):
        raise ConfigError(f"{path}: 'frontmatter.types' must be a table of key = type")
    for key, kind in types.items():
        if kind not in SCHEMA_TYPES:
            raise ConfigError(f"{path}: frontmatter type of '{key}' must be one of {', '.join(SCHEMA_TYPES)}")
    cfg.schema_types = dict(types)
    threshold = section.get("similar-threshold", 90.0)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 100:
        raise ConfigError(f"{path}: 'similar-threshold' must be a number from 0 to 100")
    cfg.similar_threshold = float(threshold)
    online = section.get("online", {})
    if not isinstance(online, dict):
        raise ConfigError(f"{path}: 'online' must be a table")
    cfg.online = dict(online)
    # [rules.<name>] options and [per-file-ignores] are validated against the rules by the
    # session (lint.session.open_vault): the registry is a later stage than the config.
    cfg.templates = [t.strip("/ ") for t in _list(section, "templates", path) if t.strip("/ ")]
    cfg.limits = from_config(section.get("limits", {}), path)
    return cfg
