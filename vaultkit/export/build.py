"""From an opened vault to the export: per-note work (one parse each, see ``worker``),
then filter, group into resources, and find similar titles."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from vaultkit.errors import ConfigError
from vaultkit.export.resources import NoteEntry, Occurrence, Resource, group, links_to
from vaultkit.export.similar import find_similar
from vaultkit.export.text import fold
from vaultkit.export.worker import export_notes, occurrence
from vaultkit.index.names import VaultIndex
from vaultkit.lint.session import Session

VERSION = 1
SECTION_SEP = " > "


@dataclass
class Filters:
    """Occurrence filters; several values of one filter are alternatives (any may match)."""

    tags: Sequence[str] = ()
    sections: Sequence[str] = ()  # globs over the joined section path (or a parent's)
    notes: Sequence[str] = ()  # globs over the vault-relative note path

    def note_ok(self, path: str) -> bool:
        key = fold(path)
        return not self.notes or any(fnmatchcase(key, fold(g)) for g in self.notes)

    def occurrence_ok(self, occ: Occurrence) -> bool:
        if self.tags:
            have = {fold(t) for t in occ.tags}
            wanted = [fold(t.lstrip("#")) for t in self.tags]
            if not any(w in have or any(h.startswith(w + "/") for h in have) for w in wanted):
                return False
        if self.sections:
            paths = [fold(SECTION_SEP.join(occ.section[:n])) for n in range(1, len(occ.section) + 1)]
            paths = paths or [""]
            globs = [fold(g) for g in self.sections]
            if not any(fnmatchcase(p, g) for p in paths for g in globs):
                return False
        return True


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
        notes.append(NoteEntry(rel, title, frontmatter, list(tags), links_to(rel, links, index)))
        for data in occs:
            occ = occurrence(rel, data)
            if filters.occurrence_ok(occ):
                occurrences.append(occ)
    limit = session.config.similar_threshold if threshold is None else threshold
    export = Export(generated, session.root.name, group(occurrences), notes, limit, skipped)
    if similar:
        export.set_similar(find_similar(*export.similar_inputs()))
    return export
