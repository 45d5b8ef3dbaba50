"""The rule registry. A rule carries everything about itself: its code, kebab-case name,
severity and docs, and how its fix behaves (kind, safety, whether import applies it, the
words for a fix summary). The fixer, import and the commands ask the rule; none of them
names one."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
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


CheckFn = Callable[[Any, Context], Iterator[Diagnostic]]


class FixKind(Enum):
    """How the fixer treats a rule's edits."""

    NONE = "none"  # reports only
    INLINE = "inline"  # in-line edits that leave every link as it was
    URL = "url"  # edits that may rewrite a link's destination (the link guard maps the link)
    STRUCTURAL = "structural"  # changes which lines are list items or how they nest
    REMOVAL = "removal"  # structural, and removes a link whose URL stays in the note
    ENCODING = "encoding"  # no edits: the file is rewritten as UTF-8

    @property
    def maps_urls(self) -> bool:
        """The link guard expects each link edited by these fixes to carry the edited URL."""
        return self is FixKind.URL

    @property
    def structural(self) -> bool:
        """Only one rule of this kind has its fixes applied per pass: each judges its edits
        on the current parse, and two of them in one pass can together make what neither
        meant (an empty item removed above a line re-indented to nest under it leaves that
        line an indented code block)."""
        return self in (FixKind.STRUCTURAL, FixKind.REMOVAL)

    @property
    def removes_links(self) -> bool:
        """A link inside these edits may go, when its canonical URL stays in the note."""
        return self is FixKind.REMOVAL


class FixSafety(Enum):
    """Whether ``vaultkit fix`` applies a rule's fixes by default."""

    NONE = "none"  # the rule has no fix
    SAFE = "safe"  # applied by default
    UNSAFE = "unsafe"  # applied with --unsafe-fixes only


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: CheckFn
    fix: FixKind = FixKind.NONE
    safety: FixSafety = FixSafety.NONE
    on_import: bool = False  # `vaultkit import` applies its fix to every imported file
    fix_message: str = ""  # for a fix summary: "repaired mojibake on {n} line(s)"
    online: bool = False
    # "note": runs on a parsed Note; "vault": runs on a NoteView with the whole index;
    # "split": both, doing its per-note part in one phase and its cross-note part in the other
    scope: str = "note"

    def __post_init__(self) -> None:
        if (self.fix is FixKind.NONE) != (self.safety is FixSafety.NONE):
            raise ValueError(f"rule {self.code} {self.name}: a fix kind needs a fix safety, and back")
        if self.fix is not FixKind.NONE and "{n}" not in self.fix_message:
            raise ValueError(f"rule {self.code} {self.name}: its fix_message needs a {{n}} count")
        if self.on_import and self.fix is FixKind.NONE:
            raise ValueError(f"rule {self.code} {self.name}: import can only apply a fix")

    @property
    def fixable(self) -> bool:
        return self.fix is not FixKind.NONE

    @property
    def unsafe_fix(self) -> bool:
        """Fixes from this rule need --unsafe-fixes."""
        return self.safety is FixSafety.UNSAFE

    def fixed(self, n: int) -> str:
        """The fix summary for ``n`` fixes: "repaired mojibake on 2 line(s)"."""
        return self.fix_message.format(n=n)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def sections(self) -> dict[str, str]:
        """The docs by section (ruff's: What it does, Why is this bad?, Example, Use
        instead, Fix safety): heading → text."""
        return doc_sections(self.doc)

    @property
    def summary(self) -> str:
        """The first paragraph of what the rule does, on one line."""
        what = self.sections.get("What it does", self.doc)
        return " ".join(what.split("\n\n", 1)[0].split())

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


DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")


def doc_sections(doc: str) -> dict[str, str]:
    """``## Heading`` → the text under it, in order."""
    out: dict[str, str] = {}
    for part in re.split(r"^## ", doc, flags=re.M)[1:]:
        heading, _, text = part.partition("\n")
        out[heading.strip()] = text.strip()
    return out


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    fix: FixKind = FixKind.NONE,
    safety: FixSafety = FixSafety.NONE,
    on_import: bool = False,
    fix_message: str = "",
    online: bool = False,
    scope: str = "note",
) -> Callable[[CheckFn], CheckFn]:
    """Register a rule function; its docstring is the rule's documentation."""

    def register(fn: CheckFn) -> CheckFn:
        register_rule(Rule(code, name, severity, fn, fix, safety, on_import, fix_message, online, scope))
        return fn

    return register


def register_rule(r: Rule) -> Rule:
    """Add ``r`` to the registry; a code or name already there is refused."""
    if r.code in REGISTRY or any(other.name == r.name for other in REGISTRY.values()):
        raise ValueError(f"duplicate rule {r.code} {r.name}")
    REGISTRY[r.code] = r
    return r


def this(code: str) -> Rule:
    return REGISTRY[code]


def find_rule(key: str) -> Rule | None:
    key = key.strip()
    for r in REGISTRY.values():
        if key in (r.code, r.name) or key.upper() == r.code:
            return r
    return None
