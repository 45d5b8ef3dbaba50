"""Compact, picklable facts of a parsed note: what cross-note rules and the cache need.

A parsed ``Note`` is rich but costly to send between processes or to store, so
workers reduce each note to plain tuples (``NoteEntry``) that ``marshal`` handles:
the facts other notes resolve links against, the note's links with positions
already computed, its canonical URLs, and the diagnostics of per-note rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from vaultkit.index.names import NoteFacts
from vaultkit.model import Diagnostic, Link, Note, Severity, Suppression
from vaultkit.parse.shared import obsidian_comments
from vaultkit.text.urls import canonical_url, is_external

URL_KINDS = frozenset({"link", "bare", "autolink", "html", "reference"})


def body_url(link: Link) -> str | None:
    """The canonical URL of an external link in the note's body, or None."""
    if link.kind in URL_KINDS and not link.in_frontmatter and is_external(link.target):
        return canonical_url(link.target)
    return None


class LinkRow(NamedTuple):
    kind: str
    target: str
    anchor: str | None
    text: str
    line: int
    column: int
    end_line: int
    end_column: int
    in_frontmatter: bool
    malformed: str | None
    canonical: str | None  # canonical URL for external links in the body
    context: str | None = None  # "comment" (%% %% or <!-- -->) or "property", else None


@dataclass
class NoteView:
    """What cross-note rules see of a note: its links, and what suppresses diagnostics."""

    path: str
    links: list[LinkRow]
    disabled: frozenset[str]
    suppressions: list[Suppression]


def _context(link: Link, comments: list[tuple[int, int]]) -> str | None:
    if link.in_frontmatter:
        return "property"
    if link.commented or any(s <= link.start < e for s, e in comments):
        return "comment"
    return None


def link_rows(note: Note, comments: list[tuple[int, int]] | None = None) -> list[LinkRow]:
    """The note's links with positions; ``comments`` are its ``%% %%`` spans (found when None)."""
    rows = []
    pos = note.position
    comments = obsidian_comments(note) if comments is None else comments
    for link in note.links:
        line, col = pos(link.start)
        end_line, end_col = pos(link.end)
        rows.append(
            LinkRow(
                link.kind,
                link.target,
                link.anchor,
                link.text,
                line,
                col,
                end_line,
                end_col,
                link.in_frontmatter,
                link.malformed,
                body_url(link),
                _context(link, comments),
            )
        )
    return rows


def view_of(note: Note, rows: list[LinkRow] | None = None) -> NoteView:
    return NoteView(
        note.path, rows if rows is not None else link_rows(note), note.disabled, note.suppressions
    )


# --- plain-data encodings (marshal-able) ---------------------------------------------------


def encode_view(view: NoteView) -> tuple[Any, ...]:
    sup = tuple((tuple(sorted(s.rules)), s.start_line, s.end_line) for s in view.suppressions)
    return (tuple(tuple(r) for r in view.links), tuple(sorted(view.disabled)), sup)


def decode_view(path: str, data: tuple[Any, ...]) -> NoteView:
    rows, disabled, sup = data
    return NoteView(
        path,
        [LinkRow._make(r) for r in rows],
        frozenset(disabled),
        [Suppression(frozenset(r), a, b) for r, a, b in sup],
    )


def encode_facts(facts: NoteFacts) -> tuple[Any, ...]:
    return (
        tuple(facts.heading_keys),
        tuple(facts.heading_levels),
        tuple(sorted(facts.slugs)),
        tuple(sorted(facts.block_ids)),
        tuple(facts.aliases),
        tuple(facts.heading_texts),
    )


def decode_facts(data: tuple[Any, ...]) -> NoteFacts:
    keys, levels, slugs, blocks, aliases, texts = data
    return NoteFacts(list(keys), list(levels), set(slugs), set(blocks), list(aliases), list(texts))


def encode_diag(d: Diagnostic) -> tuple[Any, ...]:
    fixable = d.fixable or bool(d.extra.get("fixable")) or bool(d.extra.get("convert"))
    return (
        d.line,
        d.column,
        d.end_line,
        d.end_column,
        d.code,
        d.rule,
        d.severity.value,
        d.message,
        fixable,
        d.unsafe,
        d.extra or None,
    )


def decode_diag(path: str, data: tuple[Any, ...]) -> Diagnostic:
    line, col, end_line, end_col, code, rule, severity, message, fixable, unsafe, extra = data
    extra = dict(extra or {})
    if fixable:
        extra["fixable"] = True
    return Diagnostic(
        path, line, col, end_line, end_col, code, rule, Severity(severity), message, (), unsafe, extra
    )


def unique_urls(rows: list[LinkRow]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for r in rows:
        if r.canonical is not None:
            seen.setdefault(r.canonical, None)
    return tuple(seen)
