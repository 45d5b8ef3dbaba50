"""From an opened vault to the export: per-note work (one parse each, see ``worker``),
then filter, group into resources, and find similar titles."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from vaultkit.errors import ConfigError
from vaultkit.exporting.resources import NoteEntry, Occurrence, Resource, group, links_to, note_edges
from vaultkit.exporting.roles import ROLE_TITLES, frequent_roles, with_name
from vaultkit.exporting.similar import find_similar
from vaultkit.exporting.text import fold
from vaultkit.exporting.worker import export_notes, occurrence
from vaultkit.index.boilerplate import boilerplate_urls
from vaultkit.index.names import VaultIndex
from vaultkit.lint.session import Session
from vaultkit.rules.duplicates import boilerplate_threshold
from vaultkit.text.display import has_raw_bytes, name_bytes_hex, name_text

VERSION = 1
SECTION_SEP = " > "


@dataclass
class Filters:
    """Occurrence filters; several values of one filter are alternatives (any may match).
    Each value that let something through is noted, so that :meth:`unmatched` can say
    which matched nothing."""

    tags: Sequence[str] = ()
    sections: Sequence[str] = ()  # globs over any part of the section path
    notes: Sequence[str] = ()  # globs over the vault-relative note path
    include_boilerplate: bool = False  # keep footer and template links (flagged)
    matched: set[tuple[str, str]] = field(default_factory=set)  # (option, value)

    def note_ok(self, path: str) -> bool:
        if not self.notes:
            return True
        key = fold(path)
        hits = [g for g in self.notes if fnmatchcase(key, fold(g))]
        self.matched.update(("--note", g) for g in hits)
        return bool(hits)

    def occurrence_ok(self, occ: Occurrence) -> bool:
        ok = True
        if self.tags:
            have = {fold(t) for t in occ.tags}
            hits = [t for t in self.tags if _has_tag(have, fold(t.lstrip("#")))]
            self.matched.update(("--tag", t) for t in hits)
            ok = bool(hits)
        if self.sections:
            parts = section_parts(occ.section)
            found = [g for g in self.sections if any(fnmatchcase(p, fold(g)) for p in parts)]
            self.matched.update(("--section", g) for g in found)
            ok = ok and bool(found)
        return ok

    def unmatched(self) -> list[str]:
        """``--tag X`` and the like for each value that matched nothing."""
        given = [
            *(("--tag", v) for v in self.tags),
            *(("--section", v) for v in self.sections),
            *(("--note", v) for v in self.notes),
        ]
        return [f"{opt} {v!r}" for opt, v in given if (opt, v) not in self.matched]


def _has_tag(have: set[str], wanted: str) -> bool:
    return wanted in have or any(h.startswith(wanted + "/") for h in have)


def section_parts(section: Sequence[str]) -> list[str]:
    """Every run of consecutive levels of a section path, joined and folded: what a
    ``--section`` glob may match (``KV*`` matches ``LLM101 > KV Cache``)."""
    keys = [fold(s) for s in section]
    n = len(keys)
    return [SECTION_SEP.join(keys[i:j]) for i in range(n) for j in range(i + 1, n + 1)] or [""]


@dataclass
class Export:
    generated: str
    vault: str
    resources: list[Resource]
    notes: list[NoteEntry]
    threshold: float  # title similarity for ``Resource.similar``
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (note, why it was not read)
    version: int = VERSION

    def similar_inputs(self) -> tuple[list[str | None], list[str], float]:
        """The arguments of :func:`find_similar` for the resources (titles, keys, threshold)."""
        titles = [r.title if r.titled else None for r in self.resources]
        return titles, [r.canonical_url for r in self.resources], self.threshold

    def set_similar(self, lists: list[list[str]]) -> None:
        for res, similar in zip(self.resources, lists, strict=True):
            res.similar = similar


def name_roles(occurrences: list[Occurrence], note_titles: Mapping[str, str]) -> None:
    """Role titles ("Demo", "Source Code", and short titles on many URLs) become "item
    name — role". The name is the item's; for a link with nothing else around it
    (``- Website: <https://…>``), the innermost section's, else the note's. A role
    title that names its item (``- [GitHub](…) - Hosting service for Git…``) stays."""
    keys: dict[str, str] = {}
    for o in occurrences:
        if o.title is not None and o.title not in keys:
            keys[o.title] = fold(o.title)
    roles = ROLE_TITLES | frequent_roles((o.title, o.canonical_url) for o in occurrences if o.title)
    for o in occurrences:
        if o.title is None or keys[o.title] not in roles:
            continue
        o.role = True
        name = o.name
        if name is None and o.description is None:
            name = (o.section[-1] if o.section else None) or note_titles.get(o.note)
        if name and fold(name) != keys[o.title]:
            o.title = with_name(name, o.title)


def boilerplate(occurrences: list[Occurrence], total: int, session: Session) -> frozenset[str]:
    """The canonical URLs that are boilerplate among the exported notes: in a template,
    or in more than the threshold of the notes (``index.boilerplate``, as duplicate-url)."""
    holders: dict[str, set[str]] = {}
    for o in occurrences:
        holders.setdefault(o.canonical_url, set()).add(o.note)
    threshold = boilerplate_threshold(session.config.rules)
    return boilerplate_urls(holders, total, session.files.template_dirs, threshold)


def generated_stamp(value: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--generated``, else ``SOURCE_DATE_EPOCH``, else now: UTC, ISO 8601 with ``Z``."""
    env = os.environ if environ is None else environ
    if value:
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ConfigError(f"--generated: not an ISO 8601 date-time: {value!r}") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    elif env.get("SOURCE_DATE_EPOCH", "").strip():
        raw = env["SOURCE_DATE_EPOCH"].strip()
        try:
            when = datetime.fromtimestamp(int(raw), UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH: not a number of seconds: {raw!r}") from exc
    else:
        when = datetime.now(UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_export(
    session: Session, filters: Filters, generated: str, threshold: float | None = None, similar: bool = True
) -> Export:
    """The export of the session's target notes (each read and parsed once). Without
    ``similar``, ``Resource.similar`` is left empty for the caller to fill (or not: CSV
    has no column for it)."""
    targets = [t for t in session.targets if filters.note_ok(t)]
    index = VaultIndex(session.files.notes, session.files.attachments)
    occurrences: list[Occurrence] = []
    notes: list[NoteEntry] = []
    skipped: list[tuple[str, str]] = []
    for rel, problem, meta, occs in export_notes(session.root, targets, session.files.template_dirs):
        if problem is not None:
            skipped.append((rel, problem))
            continue
        title, frontmatter, tags, links = meta
        shown = name_text(rel)  # a file name that is not UTF-8: U+FFFD, real bytes in path_bytes
        edges = note_edges(rel, links, index)
        linked = [name_text(t) for t in links_to(rel, edges)]
        entry = NoteEntry(shown, name_text(title), frontmatter, list(tags), linked, edges)
        entry.path_bytes = name_bytes_hex(rel) if has_raw_bytes(rel) else None
        notes.append(entry)
        occurrences.extend(occurrence(shown, data) for data in occs)
    name_roles(occurrences, {n.path: n.title for n in notes})
    flagged = boilerplate(occurrences, len(notes), session)
    occurrences = [o for o in occurrences if filters.occurrence_ok(o)]
    limit = session.config.similar_threshold if threshold is None else threshold
    resources = group(occurrences)
    for r in resources:
        r.boilerplate = r.canonical_url in flagged
    if not filters.include_boilerplate:
        resources = [r for r in resources if not r.boilerplate]
    export = Export(generated, name_text(session.root.name), resources, notes, limit, skipped)
    if similar:
        export.set_similar(find_similar(*export.similar_inputs()))
    return export
