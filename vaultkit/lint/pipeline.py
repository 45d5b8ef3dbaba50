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

import hashlib
import marshal
import os
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
from vaultkit.lint.cache import FactsCache, digest
from vaultkit.lint.payload import Analyzed, Payload, failed, problem_payload
from vaultkit.lint.session import Session, given_over_size, load_one, over_limits, rule_settings
from vaultkit.lint.workers import map_chunks, worker_count
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


def analyze_all(job: Job, rels: list[str]) -> list[Analyzed]:
    return map_chunks(_chunk, rels, (job,), PARALLEL_MIN_NOTES, rescue=failed)


def _signature(files_notes: list[str], attachments: list[str], payloads: dict[str, Payload]) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    # marshal format 2: no shared references, so equal data always gives equal bytes
    h.update(marshal.dumps((files_notes, attachments), 2))
    for rel in sorted(payloads):
        payload = payloads[rel]
        h.update(marshal.dumps((rel, payload.facts, payload.urls), 2))
    return h.hexdigest()


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
    the cache is read but not written then (it would hold what is not on disk)."""
    settings = rule_settings(session)
    cache = FactsCache(session.root, session.config.digest(), enabled=use_cache, plugins=cache_key())
    given = {rel: t for p, t in (texts or {}).items() if (rel := relative(session.root, p)) is not None}
    payloads, fresh = note_phase(session, cache, settings, given)
    vault_diags = _vault_phase(session, cache, payloads, fresh, settings)
    if not given:
        cache.save()
    if cache.refused:
        session.notices.append(f"vaultkit: cache not used: {cache.refused}")
    out = _collect([*session.targets, *session.canvases], payloads, vault_diags, {r.code for r in rules})
    if online is not None and any(r.online for r in rules):
        out.extend(_online(session, payloads, [r for r in rules if r.online], online, progress))
    if session.config.per_file_ignores:
        out = [d for d in out if not per_file_ignored(session.config.per_file_ignores, d)]
    out.sort(key=Diagnostic.sort_key)
    return out


def per_file_ignored(table: dict[str, list[str]], d: Diagnostic) -> bool:
    """Whether ``[per-file-ignores]`` turns ``d``'s rule off in ``d``'s file."""
    return any(d.code in codes and excluded(d.path, [glob]) for glob, codes in table.items())


def note_phase(
    session: Session, cache: FactsCache, settings: dict[str, Any], given: dict[str, str] | None = None
) -> tuple[dict[str, Payload], set[str]]:
    """Every note's payload, from the text given, the cache or (parallel) workers; and the
    fresh ones."""
    root = session.root
    given = given or {}
    paths = list(dict.fromkeys([*session.files.notes, *session.files.linking(), *session.targets]))
    job = Job(root, session.files.template_dirs, settings, session.config.levels())
    payloads = {rel: analyze_text(job, rel, text) for rel, text in given.items()}
    todo = []
    for rel in paths:
        if rel in given:
            continue
        try:
            st = os.stat(root / rel)
        except OSError:
            todo.append(rel)
            continue
        hit = cache.lookup(rel, st)
        if hit is None:
            todo.append(rel)
        else:
            payloads[rel] = Payload._make(hit)
    for done in analyze_all(job, todo):
        payloads[done.rel] = done.payload
        if done.size >= 0:
            cache.store(done.rel, done.size, done.mtime_ns, done.sha, tuple(done.payload))
    cache.prune(set(paths))
    session.views = {rel: p[2] for rel, p in payloads.items()}
    session.stats = {
        "notes": len(paths),
        "parsed": len(todo),
        "cached": len(paths) - len(todo),
        "workers": worker_count(len(todo), PARALLEL_MIN_NOTES),
    }
    return payloads, {*todo, *given}


def _vault_phase(
    session: Session,
    cache: FactsCache,
    payloads: dict[str, Payload],
    fresh: set[str],
    settings: dict[str, Any],
) -> dict[str, bytes]:
    """The cross-note diagnostics of each target (marshalled), reused from the cache
    when nothing any note can see of another has changed."""
    sig = _signature(session.files.notes, session.files.attachments, payloads)
    old = cache.extra.get("vault")
    old_sig, old_diags = old if isinstance(old, tuple) else ("", {})
    vault_diags: dict[str, bytes] = dict(old_diags) if old_sig == sig else {}
    targets = [*session.targets, *session.canvases]
    need = [t for t in targets if t in payloads and (t in fresh or t not in vault_diags)]
    session.stats["cross_note_checked"] = len(need)
    if need:
        ctx = vault_context(session, payloads, settings)
        for rel in need:
            vault_diags[rel] = vault_check(rel, payloads[rel], ctx, session.config.levels())
    if vault_diags != dict(old_diags) or old_sig != sig:
        cache.extra["vault"] = (sig, vault_diags)
        cache.dirty = True
    return vault_diags


def _collect(
    targets: Sequence[str], payloads: dict[str, Payload], vault_diags: dict[str, bytes], wanted: set[str]
) -> list[Diagnostic]:
    """The targets' diagnostics of the ``wanted`` rule codes (an unreadable note: VK000 only)."""
    out: list[Diagnostic] = []
    for rel in targets:
        found = payloads.get(rel)
        if found is None:
            continue
        local = [decode_diag(rel, d) for d in marshal.loads(found.diags)]
        if not any(d.code == UNREADABLE.code and d.severity is Severity.ERROR for d in local):
            local += [decode_diag(rel, d) for d in marshal.loads(vault_diags.get(rel, _NONE))]
        out.extend(d for d in local if d.code in wanted)
    return out


def _online(
    session: Session,
    payloads: dict[str, Payload],
    rules: list[Rule],
    settings: OnlineSettings,
    progress: Progress | None,
) -> list[Diagnostic]:
    """Check every external URL of the targets once over HTTP, then run the online rules."""
    from vaultkit.online import check_urls

    views = [
        decode_view(rel, marshal.loads(payloads[rel].view)) for rel in session.targets if rel in payloads
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
    for rel, payload in payloads.items():
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
