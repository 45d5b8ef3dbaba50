"""Naming rules: by code (``VK001``), by name (``broken-wikilink``), or by a code prefix
(``VK00``, as ruff takes ``E4``). An unknown name is an error that suggests the closest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaultkit.errors import ConfigError
from vaultkit.rules.base import REGISTRY, Rule, find_rule
from vaultkit.rules.options import did_you_mean


def match_rules(key: str) -> list[Rule]:
    """The rules ``key`` names: one by code or name, or every rule whose code starts with it."""
    found = find_rule(key)
    if found is not None:
        return [found]
    prefix = key.strip().upper()
    if len(prefix) < 3 or not prefix.startswith("VK"):
        return []
    return sorted((r for r in REGISTRY.values() if r.code.startswith(prefix)), key=lambda r: r.code)


def unknown_rule(key: str, where: str = "") -> str:
    """The message for a rule name that names nothing: where it was, and the closest names."""
    place = f"{where}: " if where else ""
    hint = closest_rule(key)
    return f"{place}unknown rule '{key}'" + (hint or "; run 'vaultkit rules' to list them")


def closest_rule(key: str) -> str:
    """``"; did you mean 'x'?"`` for the rule name or code closest to ``key``, or ``""``."""
    return did_you_mean(key, [n for r in REGISTRY.values() for n in (r.name, r.code)])


def rule_words() -> list[str]:
    """Every rule name and code (for shell completion)."""
    return sorted(n for r in REGISTRY.values() for n in (r.code, r.name))


def parse_per_file_ignores(table: Any, path: Path) -> dict[str, list[str]]:
    """Validate ``[per-file-ignores]`` (glob = [rules]); each rule becomes its code."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'per-file-ignores' must be a table of \"glob\" = [rules]")
    out: dict[str, list[str]] = {}
    for glob, keys in table.items():
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ConfigError(f'{path}: per-file-ignores."{glob}" must be a list of rule names or codes')
        codes: list[str] = []
        for key in keys:
            found = match_rules(key)
            if not found:
                raise ConfigError(unknown_rule(key, f'{path}: per-file-ignores."{glob}"'))
            codes.extend(r.code for r in found)
        out[glob] = codes
    return out
