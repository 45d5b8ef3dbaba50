"""From an opened vault to the export: per-note work (one parse each, see ``worker``),
then filter, group into resources, and find similar titles."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from vaultkit.errors import ConfigError
from vaultkit.exporting.resources import Occurrence, links_to, note_edges
from vaultkit.exporting.spill import Spill
from vaultkit.exporting.stream import NoteEntries, NoteNames, Resources
from vaultkit.exporting.text import fold
from vaultkit.exporting.worker import export_notes
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
    """An export being written: its resources and notes are read back from ``spill``
    (see ``stream``); :meth:`close` deletes it."""

    generated: str
    vault: str
    resources: Resources
    notes: NoteEntries
    note_titles: dict[str, str]  # path as shown -> title
    threshold: float  # title similarity for ``Resource.similar``
    spill: Spill
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (note, why it was not read)
    version: int = VERSION

    def similar_inputs(self) -> tuple[list[str | None], list[str], float]:
        """The arguments of :func:`find_similar` for the resources (titles, keys,
        threshold), from the last whole pass over them (made here if there was none)."""
        if self.resources.count is None:
            for _ in self.resources:
                pass
        return self.resources.titles, self.resources.keys, self.threshold

    def close(self) -> None:
        self.spill.close()


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
    session: Session, filters: Filters, generated: str, threshold: float | None = None
) -> Export:
    """The export of the session's target notes (each read and parsed once, and written
    to the spill as its worker returns it)."""
    targets = [t for t in session.targets if filters.note_ok(t)]
    index = VaultIndex(session.files.notes, session.files.attachments)
    spill = Spill()
    paths, titles = [""] * len(targets), [""] * len(targets)
    skipped: list[tuple[int, str, str]] = []
    for i, (rel, problem, meta, occs) in export_notes(session.root, targets, session.files.template_dirs):
        if problem is not None:
            skipped.append((i, rel, problem))
            continue
        title, frontmatter, tags, links = meta
        paths[i] = shown = name_text(rel)  # a name that is not UTF-8: U+FFFD, real bytes in path_bytes
        titles[i] = name_text(title)
        edges = note_edges(rel, links, index)
        linked = [name_text(t) for t in links_to(rel, edges)]
        raw = name_bytes_hex(rel) if has_raw_bytes(rel) else None
        spill.add(i, (shown, titles[i], frontmatter, list(tags), linked, edges, raw), occs)
    count = len(targets) - len(skipped)
    threshold_of = boilerplate_threshold(session.config.rules)
    names = NoteNames(paths, titles, count, session.files.template_dirs, threshold_of)
    resources = Resources(spill, names, filters, filters.include_boilerplate)
    limit = session.config.similar_threshold if threshold is None else threshold
    shown_titles = {p: t for p, t in zip(paths, titles, strict=True) if p}  # skipped notes: ""
    return Export(
        generated,
        name_text(session.root.name),
        resources,
        NoteEntries(spill, count),
        shown_titles,
        limit,
        spill,
        [(rel, why) for _, rel, why in sorted(skipped)],
    )
