"""The check pipeline: per-note work in worker processes, cross-note rules on compact facts.

1. Each note is read, parsed and run through the per-note rules once, in a
   worker process when there are many; the worker returns only plain data (the
   note's index facts, URLs, link rows and encoded diagnostics), which is also
   what the cache in ``.vaultkit_cache/`` stores.
2. The main process builds the index from those facts and runs the cross-note
   rules (links, anchors, files, duplicates across notes) on the link rows.
   Their results are reused from the cache only when nothing any note can see
   of another (names, headings, block ids, aliases, URLs) has changed.
"""

from __future__ import annotations

import contextlib
import marshal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultkit.index.facts import (
    decode_diag,
    decode_facts,
    decode_view,
    encode_diag,
    encode_facts,
    encode_view,
    link_rows,
    unique_urls,
    view_of,
)
from vaultkit.index.names import VaultIndex, note_facts
from vaultkit.limits import active as active_limits
from vaultkit.limits import failure_reason, guarded
from vaultkit.limits import use as use_limits
from vaultkit.lint.attached import analyze_attached
from vaultkit.lint.cache import digest, store_path
from vaultkit.lint.cells import Broken
from vaultkit.lint.changed import changed_files
from vaultkit.lint.payload import Analyzed, Payload, failed, problem_payload
from vaultkit.lint.session import Session, given_over_size, load_one, over_limits, rule_settings
from vaultkit.lint.store import FileRow, Fresh, Store, discard
from vaultkit.lint.stored import (
    Notes,
    alias_keys,
    keep_boilerplate,
    link_keys,
    prefetch,
    signatures,
    stored_context,
    url_hash,
    visible,
)
from vaultkit.lint.workers import iter_chunks, map_chunks, worker_count
from vaultkit.model import Diagnostic, Note, Severity
from vaultkit.parse.suppress import is_suppressed
from vaultkit.rules import REGISTRY, Rule
from vaultkit.rules.base import Context
from vaultkit.rules.notes import UNREADABLE
from vaultkit.rules.plugins import cache_key, load_plugins
from vaultkit.vault.files import excluded, in_folders, is_linking, relative

if TYPE_CHECKING:  # importing vaultkit.online loads requests: only ``check --online`` pays for it
    from vaultkit.online.settings import OnlineSettings, Progress

PARALLEL_MIN_NOTES = 200
# Up to this many parsed notes are also held in memory for the run's vault phase (quicker
# than reading them back); above it, memory stays flat and they are read back in batches.
HOLD_NOTES = 20_000
VAULT_BATCH = 1000  # targets checked across notes at a time (memory stays flat)


class Job:
    """Settings a worker needs, sent once per chunk (small and picklable)."""

    def __init__(
        self, root: Path, templates: Sequence[str], settings: dict[str, Any], severity: dict[str, str]
    ) -> None:
        self.root = root
        self.templates = list(templates)
        self.settings = settings
        self.severity = severity
        self.limits = active_limits()


def local_rules() -> list[Rule]:
    load_plugins()  # a worker started by spawn has only vaultkit's own rules until then
    return [r for r in REGISTRY.values() if r.scope in ("note", "split") and not r.online]


def vault_rules() -> list[Rule]:
    return [r for r in REGISTRY.values() if r.scope in ("vault", "split") and not r.online]


def _override(d: Diagnostic, severity: dict[str, str]) -> Diagnostic:
    where = d.extra.get("context")
    level = (where and severity.get(f"context:{where}")) or severity.get(d.rule) or severity.get(d.code)
    if level:
        d.severity = Severity(level)
    return d


def analyze(job: Job, rel: str) -> Analyzed:
    """Read, parse and lint one note; return plain data only. Whatever fails on the
    way (a RecursionError, MemoryError, the time limit) becomes a VK000 finding."""
    return guarded(lambda: _analyze(job, rel), lambda exc: failed(rel, failure_reason(exc)))


def _analyze(job: Job, rel: str) -> Analyzed:
    if is_linking(rel):
        return analyze_attached(job.root, rel)
    note, src, problems = load_one(job.root, rel, job.templates)
    if src is None:
        return Analyzed(rel, -1, 0, "", problem_payload(problems))
    sha = digest(src.data)
    if any(p.severity is Severity.ERROR for p in problems):
        return Analyzed(rel, src.size, src.mtime_ns, sha, problem_payload(problems))
    payload, _ = lint_note(job, note, problems)
    return Analyzed(rel, src.size, src.mtime_ns, sha, payload)


def lint_note(job: Job, note: Note, problems: Sequence[Diagnostic] = ()) -> tuple[Payload, list[Diagnostic]]:
    """Run the per-note rules on a parsed note: its payload, and the diagnostics with their
    edits. ``problems`` are findings from loading it (the limits it is over), kept first."""
    ctx = Context(_EMPTY_INDEX, job.settings, {})
    found = list(problems)
    for r in local_rules():
        for d in r.check(note, ctx):
            if not is_suppressed(note, d.rule, d.code, d.line):
                found.append(_override(d, job.severity))
    rows = link_rows(note)
    payload = Payload(
        encode_facts(note_facts(note)),
        unique_urls(rows),
        marshal.dumps(encode_view(view_of(note, rows))),
        marshal.dumps(tuple(encode_diag(d) for d in found)),
    )
    return payload, found


def analyze_text(job: Job, rel: str, text: str) -> Payload:
    """Parse and lint a note given as text (standard input), not read from the vault."""
    from vaultkit.parse.note import parse_note

    too_big = given_over_size(rel, text)
    if too_big:
        return problem_payload(too_big)
    return guarded(
        lambda: _lint_text(job, parse_note(rel, text, template=in_folders(rel, job.templates))),
        lambda exc: failed(rel, failure_reason(exc)).payload,
    )


def _lint_text(job: Job, note: Note) -> Payload:
    return lint_note(job, note, over_limits(note))[0]  # the limits it is over, as for a file


_EMPTY_INDEX = VaultIndex([], [])
_NONE = marshal.dumps(())


def _chunk(job: Job, rels: list[str]) -> list[Analyzed]:
    use_limits(job.limits)
    return [analyze(job, rel) for rel in rels]


def _chunk_rows(job: Job, now: int, rels: list[str]) -> list[Fresh]:
    """A worker's chunk as the store keeps it (its keys and hashes made in the worker)."""
    return [_fresh_of(a, now) for a in _chunk(job, rels)]


def _fresh_of(a: Analyzed, now: int) -> Fresh:
    return _fresh(a.rel, a.size, a.mtime_ns, a.sha, now, a.payload)


def analyze_all(job: Job, rels: list[str]) -> list[Analyzed]:
    return map_chunks(_chunk, rels, (job,), PARALLEL_MIN_NOTES, rescue=failed)


def run_check(
    session: Session,
    rules: Sequence[Rule],
    use_cache: bool = True,
    online: OnlineSettings | None = None,
    progress: Progress | None = None,
    texts: dict[Path, str] | None = None,
) -> list[Diagnostic]:
    """Check the session's targets against the whole vault; see the module docstring.

    ``texts`` gives notes as text (standard input) in place of the files at those paths;
    the index is read but not written then (it would hold what is not on disk). An index
    that breaks while in use is discarded and the run made again without it."""
    session.views_wanted = session.views_wanted or online is not None
    try:
        out = _run(session, rules, use_cache, texts or {})
    except Broken as exc:
        print(f"{store_path(session.root)}: discarded the cache ({exc}); it is rebuilt", file=sys.stderr)
        discard(session.root)
        try:
            out = _run(session, rules, use_cache, texts or {})
        except Broken:
            out = _run(session, rules, False, texts or {})
    if online is not None and any(r.online for r in rules):
        out.extend(_online(session, [r for r in rules if r.online], online, progress))
    if session.config.per_file_ignores:
        out = [d for d in out if not per_file_ignored(session.config.per_file_ignores, d)]
    out.sort(key=Diagnostic.sort_key)
    return out


def _run(
    session: Session, rules: Sequence[Rule], use_cache: bool, texts: dict[Path, str]
) -> list[Diagnostic]:
    settings = rule_settings(session)
    store = Store(session.root, session.config.digest(), enabled=use_cache, plugins=cache_key())
    given = {rel: t for p, t in texts.items() if (rel := relative(session.root, p)) is not None}
    try:
        with store.holding() if given else contextlib.nullcontext():  # nothing given is kept
            notes = note_phase(session, store, settings, given)
            vault_diags = _vault_phase(session, notes, settings)
            targets = [*session.targets, *session.canvases]
            wanted = {r.code for r in rules}
            local = notes.diags(targets)
            if session.views_wanted:
                _keep_views(session, notes, targets)
        session.stats["rows_read"] = store.rows_read
    finally:
        store.close()
    if store.refused:
        session.notices.append(f"vaultkit: cache not used: {store.refused}")
    if store.unsaved:
        session.notices.append(f"vaultkit: {store.unsaved}")
    return _collect(targets, local, vault_diags, wanted)


def _keep_views(session: Session, notes: Notes, targets: list[str]) -> None:
    """The link views ``check --staged`` and ``--online`` read: the targets', and those of
    the notes that link to a name in ``session.gone_keys`` (what the commit removes)."""
    linking = notes.store.linking(session.gone_keys) if session.gone_keys else set()
    found = notes.get([*targets, *sorted(linking - set(targets))])
    session.views = {rel: p.view for rel, p in found.items()}


def per_file_ignored(table: dict[str, list[str]], d: Diagnostic) -> bool:
    """Whether ``[per-file-ignores]`` turns ``d``'s rule off in ``d``'s file."""
    return any(d.code in codes and excluded(d.path, [glob]) for glob, codes in table.items())


def note_phase(
    session: Session, store: Store, settings: dict[str, Any], given: dict[str, str] | None = None
) -> Notes:
    """Every note of the vault: the text given, the store's rows of unchanged files, and
    (parallel) workers' payloads for the rest, written back to the store."""
    given = given or {}
    paths = list(dict.fromkeys([*session.files.notes, *session.files.linking(), *session.targets]))
    job = Job(session.root, session.files.template_dirs, settings, session.config.levels())
    known = store.files()
    now = time.time_ns()
    rows, todo, seen = changed_files(session, [p for p in paths if p not in given], known, now)
    notes = Notes(store, rows, {rel: analyze_text(job, rel, text) for rel, text in given.items()})
    notes.hold = len(todo) <= HOLD_NOTES
    with store.writing():
        store.seen(seen)
        store.prune(set(known) - set(paths))
    _keep(notes, [_fresh(rel, -1, 0, "", now, p) for rel, p in notes.fresh.items()])
    rescue = lambda rel, why: _fresh_of(failed(rel, why), now)  # noqa: E731
    for _, part in iter_chunks(_chunk_rows, todo, (job, now), PARALLEL_MIN_NOTES, rescue=rescue):
        _keep(notes, part)
    session.stats = {
        "notes": len(paths),
        "parsed": len(todo),
        "cached": len(paths) - len(todo) - len(given),
        "workers": worker_count(len(todo), PARALLEL_MIN_NOTES),
    }
    return notes


def _keep(notes: Notes, parsed: list[Fresh]) -> None:
    """Write a batch of parsed notes to the store as it comes; what can't be written
    (the disk is full, the lock not to be had) is held in memory for this run."""
    with notes.store.writing():
        notes.store.put(parsed)
    for f in parsed:
        notes.rows[f.rel] = f.file
        notes.parsed.add(f.rel)
        if notes.hold or notes.store.unsaved:
            notes.fresh[f.rel] = f.payload


def _fresh(rel: str, size: int, mtime_ns: int, sha: str, now: int, payload: Payload) -> Fresh:
    file = FileRow(size, mtime_ns, sha, now, visible(payload), url_hash(payload))
    return Fresh(rel, file, payload, alias_keys(payload.facts), link_keys(payload.view))


def _vault_phase(session: Session, notes: Notes, settings: dict[str, Any]) -> dict[str, bytes]:
    """The cross-note diagnostics of each target (marshalled), reused from the store
    when nothing any note can see of another has changed; the others are checked a
    batch at a time (their views read, checked, their results written, let go)."""
    sig, notes.url_sig = signatures(session, notes.rows)
    targets = [t for t in [*session.targets, *session.canvases] if t in notes]
    out = notes.store.vault_diags([t for t in targets if t not in notes.parsed], sig)
    need = [t for t in targets if t not in out]
    session.stats["cross_note_checked"] = len(need)
    if not need:
        return out
    ctx = stored_context(session, notes, settings, len(need))
    levels = session.config.levels()
    for i in range(0, len(need), VAULT_BATCH):
        payloads = notes.take(need[i : i + VAULT_BATCH])
        prefetch(ctx, payloads)
        found = {rel: vault_check(rel, p, ctx, levels) for rel, p in payloads.items()}
        with notes.store.writing():
            notes.store.put_vault_diags(sig, found)
        out.update(found)
    with notes.store.writing():
        keep_boilerplate(session, notes, ctx)
    return out


def _collect(
    targets: Sequence[str], diags: dict[str, bytes], vault_diags: dict[str, bytes], wanted: set[str]
) -> list[Diagnostic]:
    """The targets' diagnostics of the ``wanted`` rule codes (an unreadable note: VK000 only)."""
    out: list[Diagnostic] = []
    for rel in targets:
        found = diags.get(rel)
        if found is None:
            continue
        local = [decode_diag(rel, d) for d in marshal.loads(found)]
        if not any(d.code == UNREADABLE.code and d.severity is Severity.ERROR for d in local):
            local += [decode_diag(rel, d) for d in marshal.loads(vault_diags.get(rel, _NONE))]
        out.extend(d for d in local if d.code in wanted)
    return out


def _online(
    session: Session, rules: list[Rule], settings: OnlineSettings, progress: Progress | None
) -> list[Diagnostic]:
    """Check every external URL of the targets once over HTTP, then run the online rules."""
    from vaultkit.online import check_urls

    views = [
        decode_view(rel, marshal.loads(session.views[rel])) for rel in session.targets if rel in session.views
    ]
    urls = list(dict.fromkeys(r.canonical for v in views for r in v.links if r.canonical))
    results = check_urls(urls, settings, progress)
    session.unreachable = results.unreachable
    ctx = Context(VaultIndex([], []), {"online_results": results}, {})
    out: list[Diagnostic] = []
    for view in views:
        for r in rules:
            out.extend(d for d in r.check(view, ctx) if not is_suppressed(view, d.rule, d.code, d.line))
    return out


def vault_context(session: Session, payloads: dict[str, Payload], settings: dict[str, Any]) -> Context:
    index = VaultIndex(session.files.notes, session.files.attachments)
    url_notes: dict[str, list[tuple[str, int]]] = {}
    for rel, payload in sorted(payloads.items()):  # an alias two notes claim: the first path
        if payload.facts:  # () for a canvas, or a base that does not parse
            index.add_facts(rel, decode_facts(payload.facts))
        for u in payload.urls:
            url_notes.setdefault(u, []).append((rel, 0))
    return Context(index, {**settings, "notes_total": len(session.files.notes)}, url_notes)


def vault_check(rel: str, payload: Payload, ctx: Context, severity: dict[str, str]) -> bytes:
    view = decode_view(rel, marshal.loads(payload.view))
    found = []
    for r in vault_rules():
        for d in r.check(view, ctx):
            if not is_suppressed(view, d.rule, d.code, d.line):
                found.append(encode_diag(_override(d, severity)))
    return marshal.dumps(tuple(found))
