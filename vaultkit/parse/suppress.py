"""Inline and per-note suppression of diagnostics."""

from __future__ import annotations

from typing import Protocol

from vaultkit.model import Suppression

ALL_RULES = "*"


class Suppressible(Protocol):
    disabled: frozenset[str]
    suppressions: list[Suppression]


def is_suppressed(note: Suppressible, rule: str, code: str, line: int) -> bool:
    if note.disabled and (ALL_RULES in note.disabled or rule in note.disabled or code in note.disabled):
        return True
    for s in note.suppressions:
        if s.start_line <= line <= s.end_line and (
            ALL_RULES in s.rules or rule in s.rules or code in s.rules
        ):
            return True
    return False
