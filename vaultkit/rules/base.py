"""The rule registry: each rule has a code, a kebab-case name, a severity and docs."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vaultkit.index.names import VaultIndex
from vaultkit.model import Diagnostic, Edit, Note, Severity


@dataclass
class Context:
    """What a rule may look at besides its note: the index and shared settings."""

    index: VaultIndex
    settings: dict[str, Any] = field(default_factory=dict)
    # canonical URL → [(path, line)], filled before rules run (for duplicate-url)
    url_notes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # "note": per-note rules on a parsed Note; "vault": cross-note rules on a NoteView
    phase: str = "note"


CheckFn = Callable[[Any, Context], Iterator[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fixable: bool
    check: CheckFn
    online: bool = False
    unsafe_fix: bool = False  # fixes from this rule need --unsafe-fixes
    # "note": runs on a parsed Note; "vault": runs on a NoteView with the whole index;
    # "split": both, doing its per-note part in one phase and its cross-note part in the other
    scope: str = "note"

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first paragraph of the docs, on one line."""
        return " ".join(self.doc.split("\n\n", 1)[0].split())

    def diag(
        self,
        note: Note,
        start: int,
        end: int,
        message: str,
        edits: tuple[Edit, ...] = (),
        severity: Severity | None = None,
        unsafe: bool = False,
        **extra: Any,
    ) -> Diagnostic:
        line, col = note.position(start)
        end_line, end_col = note.position(max(end, start))
        return Diagnostic(
            note.path,
            line,
            col,
            end_line,
            end_col,
            self.code,
            self.name,
            severity or self.severity,
            message,
            edits,
            unsafe or self.unsafe_fix,
            dict(extra),
            start,
            max(end, start),
        )

    def diag_at(
        self, path: str, row: Any, message: str, severity: Severity | None = None, **extra: Any
    ) -> Diagnostic:
        """A diagnostic at a position computed in advance (a LinkRow)."""
        return Diagnostic(
            path,
            row.line,
            row.column,
            row.end_line,
            row.end_column,
            self.code,
            self.name,
            severity or self.severity,
            message,
            (),
            False,
            dict(extra),
        )


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    fixable: bool = False,
    online: bool = False,
    unsafe_fix: bool = False,
    scope: str = "note",
) -> Callable[[CheckFn], CheckFn]:
    """Register a rule function; its docstring is the rule's documentation."""

    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY or any(r.name == name for r in REGISTRY.values()):
            raise ValueError(f"duplicate rule {code} {name}")
        REGISTRY[code] = Rule(code, name, severity, fixable, fn, online, unsafe_fix, scope)
        return fn

    return register


def this(code: str) -> Rule:
    return REGISTRY[code]


def find_rule(key: str) -> Rule | None:
    key = key.strip()
    for r in REGISTRY.values():
        if key in (r.code, r.name) or key.upper() == r.code:
            return r
    return None
