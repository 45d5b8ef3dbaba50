"""Per-note export work, in worker processes when there are many notes.

Like ``check``'s pipeline, each note is read and parsed once, in a worker, and the
worker sends back plain tuples (occurrences and the note's entry), not the parsed
``Note``: sending rich objects between processes would cost more than parsing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from vaultkit.exporting.resources import NOTE_LINK_KINDS, Occurrence, collect, note_meta
from vaultkit.limits import Limits, failure_reason, guarded
from vaultkit.limits import active as active_limits
from vaultkit.limits import use as use_limits
from vaultkit.lint.session import failed_note, load_one
from vaultkit.lint.workers import iter_chunks
from vaultkit.model import Severity

PARALLEL_MIN_NOTES = 200

# (path, problem or None, (title, frontmatter, tags, note links), occurrence tuples)
NotePayload = tuple[str, str | None, tuple[Any, ...], list[tuple[Any, ...]]]


def export_note(root: Path, rel: str, templates: Sequence[str]) -> NotePayload:
    """One note's payload; a note that fails on the way is a problem, never an exception."""
    return guarded(lambda: _export_note(root, rel, templates), lambda exc: failed(rel, failure_reason(exc)))


def failed(rel: str, why: str) -> NotePayload:
    return rel, failed_note(rel, why).message, (), []


def _export_note(root: Path, rel: str, templates: Sequence[str]) -> NotePayload:
    note, _, problems = load_one(root, rel, templates)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        return rel, errors[0].message, (), []
    occs = [
        (
            o.url,
            o.canonical_url,
            o.line,
            o.offset,
            tuple(o.section),
            o.title,
            o.rank,
            tuple(o.tags),
            o.difficulty,
            o.metadata,
            o.commented,
            o.description,
            o.link_text,
            o.name,
        )
        for o in collect(note)
    ]
    title, frontmatter, tags = note_meta(note)
    links = tuple(
        (link.kind, link.target, note.position(link.start)[0])
        for link in note.links
        if link.target
        and (link.kind in NOTE_LINK_KINDS or link.kind == "link")
        and ":" not in link.target.split("/", 1)[0]
    )
    return rel, None, (title, frontmatter, tuple(tags), links), occs


def _chunk(
    root: Path, templates: Sequence[str], limits: Limits, items: list[tuple[int, str]]
) -> list[tuple[int, NotePayload]]:
    use_limits(limits)
    return [(i, export_note(root, rel, templates)) for i, rel in items]


def _rescue(item: tuple[int, str], why: str) -> tuple[int, NotePayload]:
    return item[0], failed(item[1], why)


def export_notes(root: Path, rels: list[str], templates: Sequence[str]) -> Iterator[tuple[int, NotePayload]]:
    """Each note's number (its place in ``rels``) and payload, as the workers finish them."""
    args = (root, list(templates), active_limits())
    for _, part in iter_chunks(_chunk, list(enumerate(rels)), args, PARALLEL_MIN_NOTES, rescue=_rescue):
        yield from part


def occurrence(note: str, data: tuple[Any, ...]) -> Occurrence:
    url, canon, line, offset, section, title, rank, tags, difficulty, metadata, commented, *rest = data
    return Occurrence(
        url,
        canon,
        note,
        line,
        offset,
        list(section),
        title,
        rank,
        list(tags),
        difficulty,
        metadata,
        commented,
        *rest,
    )
