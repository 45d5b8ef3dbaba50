"""Per-rule options: ``[rules.<name>]`` tables in the config, validated.

Each rule that takes options declares them in its own module (``declare_options``),
with a check per option. A
table for an unknown rule, an unknown key, or a bad value is a ``ConfigError``
naming the config file and the key, and suggesting the closest rule or key name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from vaultkit.errors import ConfigError
from vaultkit.rules.base import REGISTRY

Check = Callable[[Any], str | None]  # None when the value is fine, else what it must be


def share_option(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
    return None if ok else "a share of the notes from 0 to 1 (0.1 = 10%)"


def count_option(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "a whole number of notes, 1 or more"


def regexes_option(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "a list of regular expressions (strings)"
    for v in value:
        try:
            re.compile(v)
        except re.error as exc:
            return f"a list of valid regular expressions ({v!r}: {exc})"
    return None


OPTIONS: dict[str, dict[str, Check]] = {}  # rule name -> option -> check


def declare_options(rule_name: str, options: dict[str, Check]) -> None:
    """Called by a rule's module: the options its ``[rules.<name>]`` table may set."""
    OPTIONS[rule_name] = options


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def rule_names() -> dict[str, str]:
    """Every registered rule's code and name, mapped to its name."""

    out = {r.name: r.name for r in REGISTRY.values()}
    out.update({r.code: r.name for r in REGISTRY.values()})
    return out


def parse_rule_options(table: Any, path: Path) -> dict[str, dict[str, Any]]:
    """Validate the ``[rules]`` table of config ``path``; keyed by rule name."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'rules' must be a table of [rules.<name>] tables")
    names = rule_names()
    out: dict[str, dict[str, Any]] = {}
    for key, options in table.items():
        name = names.get(key) or names.get(key.upper())
        if name is None:
            raise ConfigError(
                f"{path}: [rules.{key}]: unknown rule '{key}'{did_you_mean(key, names)}; "
                "run 'vaultkit rules' to list them"
            )
        known = OPTIONS.get(name, {})
        if not isinstance(options, dict):
            raise ConfigError(f"{path}: 'rules.{key}' must be a table of options")
        for opt, value in options.items():
            if opt not in known:
                hint = did_you_mean(opt, known) if known else f"; {name} takes no options"
                raise ConfigError(f"{path}: rules.{key}.{opt}: unknown option{hint}")
            problem = known[opt](value)
            if problem:
                raise ConfigError(f"{path}: rules.{key}.{opt} must be {problem}, not {value!r}")
        out.setdefault(name, {}).update(options)
    return out


def rule_options_known() -> dict[str, dict[str, Check]]:
    """Every registered rule that takes options, and its options."""
    return dict(sorted(OPTIONS.items()))
