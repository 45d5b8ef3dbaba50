"""vaultkit's public API: check and fix one note given as text, or check, fix and export a vault.

    import vaultkit

    diags = vaultkit.check_text("See [[Missing]] and <https://a.io/?utm_source=x>\\n")
    fixed = vaultkit.fix_text("- [a](https://a.io/?utm_source=x)\\n").text
    result = vaultkit.check("path/to/vault")
    report = vaultkit.fix("path/to/vault", dry_run=True)
    export = vaultkit.export("path/to/vault", format="json")

The functions return the model's ``Diagnostic`` objects and the dataclasses below.
Library errors are ``vaultkit.errors.VaultkitError`` subclasses (``ConfigError`` for a bad
path, rule name or config). Nothing is written to the vault unless asked: no
``.vaultkit_cache/`` folder without ``cache=True``, no note without ``fix(dry_run=False)``.
The command line calls these functions (``vaultkit.cli``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from vaultkit.config import Config
from vaultkit.errors import ConfigError
from vaultkit.fixing.files import FileFix, fix_files, leaves_vault
from vaultkit.fixing.fixpoint import fix_text as _fix_note
from vaultkit.index.names import VaultIndex, note_facts
from vaultkit.lint.session import Session, build_context, load_notes, open_vault, select_rules
from vaultkit.model import Diagnostic, Note, Severity
from vaultkit.parse.note import parse_note
from vaultkit.parse.suppress import is_suppressed
from vaultkit.rules.base import Context, Rule

if TYPE_CHECKING:  # vaultkit.online loads requests: only online checks pay for it
    from vaultkit.online.settings import OnlineSettings, Progress

__all__ = ["CheckResult", "ExportResult", "FileFix", "FixReport", "FixedText", "Online"]
__all__ += ["check", "check_text", "export", "fix", "fix_text"]

StrPath = str | os.PathLike[str]
ExportFormat = Literal["json", "csv", "sqlite", "html"]


@dataclass(frozen=True)
class Online:
    """How to check URLs over HTTP (``check(online=...)``, ``fix(online=...)``).

    ``cache`` is the SQLite file of URL results (default: in the user cache folder, and
    only with the function's ``cache=True``); ``allow_private`` lets requests reach
    loopback and private addresses (off: SSRF guard); ``refresh`` ignores cached results.
    """

    allow_private: bool = False
    cache: Path | None = None
    no_cache: bool = False
    refresh: bool = False


@dataclass
class CheckResult:
    """The findings of ``check``: sorted by path, line, column and code."""

    root: Path  # the vault root
    files: int  # notes reported on
    diagnostics: list[Diagnostic]
    rules: list[Rule] = field(default_factory=list)  # the rules that ran
    targets: list[str] = field(default_factory=list)  # the notes reported on, vault-relative
    outside: list[str] = field(default_factory=list)  # one-line notes on paths not in the vault
    notices: list[str] = field(default_factory=list)  # notes skipped, cache not used...
    unreachable: str | None = None  # --online: why no URL could be requested (no network)

    def count(self, severity: Severity) -> int:
        return sum(d.severity == severity for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)


@dataclass
class FixedText:
    """``fix_text``'s result: the fixed text, what was applied, what is left."""

    text: str
    applied: dict[str, int]  # rule name -> fixes applied
    remaining: list[Diagnostic]  # diagnostics of the fixable rules still found
    refused: str | None = None  # why the fixes were not applied (the text is unchanged)


@dataclass
class FixReport:
    """``fix``'s result: one FileFix per note changed (or that would change) or left alone."""

    root: Path
    dry_run: bool
    files: list[FileFix] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # one-line notes on paths not in the vault
    notices: list[str] = field(default_factory=list)  # notes skipped, temp files swept...
    unreachable: str | None = None  # --online: why no URL could be requested (no network)

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.status in ("fixed", "would-fix")]

    @property
    def failed(self) -> list[FileFix]:
        return [f for f in self.files if f.status in ("refused", "not-written")]

    def totals(self) -> dict[str, int]:
        """Fixes applied (or that would be) per rule name, over every changed note."""
        total: dict[str, int] = {}
        for f in self.changed:
            for name, n in f.applied.items():
                total[name] = total.get(name, 0) + n
        return total


@dataclass
class ExportResult:
    """``export``'s result. Returned, not written: ``text`` (json, csv) or ``data`` (sqlite)."""

    format: ExportFormat
    resources: int
    notes: int
    skipped: list[tuple[str, str]]  # (note, why it was not read)
    unmatched: list[str]  # the filters that matched nothing ("--tag 'x'", ...)
    output: Path | None = None  # the file written, if any
    text: str | None = None
    data: bytes | None = None
    outside: list[str] = field(default_factory=list)  # one-line notes on paths not in the vault
    notices: list[str] = field(default_factory=list)  # notes skipped, temp files swept...


# --- one note, as text ---------------------------------------------------------------


def _text_rules(select: Sequence[str], ignore: Sequence[str], *, fixable: bool = False) -> list[Rule]:
    rules = select_rules(Config(), select, ignore)
    return [r for r in rules if r.scope in ("note", "split") and (r.fixable or not fixable)]


def _text_context(note: Note) -> Context:
    """A context in which the note is the whole vault (for its own links and anchors)."""
    index = VaultIndex([note.path], [])
    index.add_facts(note.path, note_facts(note))
    return Context(index, {"schema_required": [], "schema_types": {}, "template_dirs": []})


def check_text(
    text: str, path: str = "note.md", *, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Diagnostic]:
    """Check one note given as text; return its diagnostics, sorted by position.

    Only the rules that need no other note run (links to other notes, missing files and
    duplicates across notes need the vault: use ``check``). ``path`` is the note's
    vault-relative path, used in the diagnostics. ``select`` and ``ignore`` take rule
    codes or names, as ``--select`` and ``--ignore`` do.
    """
    note = parse_note(path, text)
    ctx = _text_context(note)
    out = [
        d
        for r in _text_rules(select, ignore)
        for d in r.check(note, ctx)
        if not is_suppressed(note, d.rule, d.code, d.line)
    ]
    return sorted(out, key=Diagnostic.sort_key)


def fix_text(
    text: str,
    path: str = "note.md",
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    unsafe: bool = False,
) -> FixedText:
    """Fix one note given as text, to a fixpoint, as ``vaultkit fix`` would.

    ``unsafe`` also applies the opt-in fixes (``--unsafe-fixes``). If a fix would change
    the note's links other than as intended, nothing is applied and ``refused`` says why.
    """
    note = parse_note(path, text)
    ctx = _text_context(note)
    result = _fix_note(note, _text_rules(select, ignore, fixable=True), ctx, unsafe=unsafe)
    if result.refused:
        return FixedText(text, {}, [], result.refused)
    return FixedText(result.text, dict(result.applied), result.remaining)


# --- a vault ---------------------------------------------------------------------------


def swept(folder: Path, *, recursive: bool = True, prefix: str = ".") -> list[str]:
    """Remove the stale temp files under ``folder``; a notice when there were any."""
    from vaultkit.vault.tempfiles import sweep

    removed = sweep(folder, recursive=recursive, prefix=prefix)
    if not removed:
        return []
    return [f"vaultkit: removed {len(removed)} stale temp file(s) left by an interrupted run"]


def _paths(path: StrPath | Sequence[StrPath]) -> list[Path]:
    if isinstance(path, str | os.PathLike):
        return [Path(path)]
    return [Path(p) for p in path]


def _vault(vault: StrPath | None) -> Path | None:
    return None if vault is None else Path(vault)


def _online_settings(session: Session, online: bool | Online, cache: bool) -> OnlineSettings | None:
    if online is False:
        return None
    from vaultkit.online.options import settings_from

    opts = Online(no_cache=not cache) if online is True else online
    return settings_from(
        session.config.online,
        allow_private=opts.allow_private,
        cache=opts.cache,
        no_cache=opts.no_cache,
        refresh=opts.refresh,
    )


def check(
    path: StrPath | Sequence[StrPath],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    online: bool | Online = False,
    cache: bool = False,
    progress: Progress | None = None,
    config: StrPath | None = None,
    texts: Mapping[StrPath, str] | None = None,
    follow_external: bool = False,
    vault: StrPath | None = None,
    staged: bool = False,
) -> CheckResult:
    """Check a vault folder, or note files in it (the whole vault is indexed either way).

    ``cache=True`` reuses and updates the facts cache in the vault's ``.vaultkit_cache/``
    (and, with ``online=True``, the URL results in the user cache folder). ``online``
    also checks external URLs over HTTP; ``progress(done, total, dead)`` follows it.
    ``config`` is a config file to use instead of the vault root's. ``texts`` maps note
    paths (which need not exist) to their text, checked in place of the files (an editor's
    unsaved buffer); the cache is not written then.
    ``vault`` is the vault root (default: found from the paths; see ``vault.root``).
    ``staged`` also reports what the staged git commit breaks (see ``lint.staged``).
    """
    from vaultkit.lint.pipeline import run_check
    from vaultkit.lint.staged import open_staged, staged_diagnostics
    from vaultkit.lint.stored import name_keys

    given = {Path(p): t for p, t in (texts or {}).items()}
    changes = None
    paths, root = _paths(path), _vault(vault)
    config_file = _path_or_none(config)
    if staged:
        session, changes = open_staged(paths, root, follow_external, config_file)
        session.gone_keys = {key for old in changes.gone for key in name_keys(old)}
        session.views_wanted = True
    else:
        session = open_vault(paths, root, follow_external, stdin=list(given), config_file=config_file)
    rules = select_rules(session.config, select, ignore, online is not False)
    settings = _online_settings(session, online, cache)
    diags = run_check(session, rules, use_cache=cache, online=settings, progress=progress, texts=given)
    if changes is not None:
        wanted = {r.code for r in rules}
        extra = [d for d in staged_diagnostics(session, changes, session.views) if d.code in wanted]
        diags = sorted([*diags, *extra], key=Diagnostic.sort_key)
    targets = [*session.targets, *session.canvases]
    result = CheckResult(session.root, len(targets), diags, rules, targets, session.skipped, session.notices)
    result.unreachable = session.unreachable
    return result


def _path_or_none(path: StrPath | None) -> Path | None:
    return None if path is None else Path(path)


def fix(
    path: StrPath | Sequence[StrPath],
    *,
    dry_run: bool = False,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    unsafe: bool = False,
    online: bool | Online = False,
    cache: bool = False,
    progress: Progress | None = None,
    on_file: Callable[[FileFix], None] | None = None,
    config: StrPath | None = None,
    follow_external: bool = False,
    vault: StrPath | None = None,
) -> FixReport:
    """Fix a vault folder, or note files in it, in place and atomically.

    With ``dry_run`` nothing is written, and each FileFix keeps the text before and after
    (``FileFix.diff()``). ``unsafe`` also applies the opt-in fixes; ``online`` also
    rewrites permanently redirected URLs (checked over HTTP). ``on_file`` is called with
    each FileFix as soon as that note is done (written, or left alone). ``config`` is a
    config file to use instead of the vault root's.
    """
    for p in _paths(path):
        outside = leaves_vault(p)
        if outside is not None:
            raise ConfigError(
                f"{p} resolves to {Path(os.path.realpath(p))}, outside the vault "
                f"{outside}; not fixing through a link that leaves the vault"
            )
    session = open_vault(_paths(path), _vault(vault), follow_external, config_file=_path_or_none(config))
    if not dry_run:  # temp files an interrupted run left (ones no live process holds)
        session.notices.extend(swept(session.root))
    rules = [r for r in select_rules(session.config, select, ignore, online is not False) if r.fixable]
    load_notes(session, session.targets, keep_sources=True)
    ctx = build_context(session)
    settings = _online_settings(session, online, cache)
    if settings is not None and any(r.online for r in rules):
        from vaultkit.index.facts import link_rows
        from vaultkit.online import check_urls

        rows = (row for note in session.notes.values() for row in link_rows(note))
        urls = list(dict.fromkeys(row.canonical for row in rows if row.canonical))
        ctx.settings["online_results"] = results = check_urls(urls, settings, progress)
        session.unreachable = results.unreachable
    report = FixReport(session.root, dry_run, outside=session.skipped, notices=session.notices)
    report.notices.extend(p.message for p in session.problems if p.severity is not Severity.ERROR)
    report.unreachable = session.unreachable
    for done in fix_files(session, rules, ctx, unsafe=unsafe, write=not dry_run):
        report.files.append(done)
        if on_file is not None:
            on_file(done)
    return report


def export(
    path: StrPath | Sequence[StrPath],
    format: ExportFormat = "json",
    *,
    output: StrPath | BinaryIO | None = None,
    dedupe: bool = False,
    excel: bool = False,
    tags: Sequence[str] = (),
    sections: Sequence[str] = (),
    notes: Sequence[str] = (),
    generated: str | None = None,
    similar_threshold: float | None = None,
    with_diagnostics: bool = False,
    cache: StrPath | None = None,
    include_boilerplate: bool = False,
    config: StrPath | None = None,
    follow_external: bool = False,
    vault: StrPath | None = None,
) -> ExportResult:
    """Export the vault's external links as one deduplicated resource index.

    Without ``output`` the export is returned (``ExportResult.text``, or ``.data`` for
    sqlite); with a path it is written there atomically; with a binary stream it is
    streamed to it. ``tags``, ``sections`` and ``notes`` filter as ``--tag``,
    ``--section`` and ``--note`` do; ``dedupe`` gives one CSV row per resource, ``excel``
    starts the CSV with a UTF-8 BOM.
    ``generated`` fixes the time stamp (default: SOURCE_DATE_EPOCH, else now).
    ``include_boilerplate`` keeps footer and template links (flagged ``boilerplate``).
    ``with_diagnostics`` adds the check findings to sqlite; ``cache`` is the online
    check's cache from which html marks dead and redirected links.
    ``config`` is a config file to use instead of the vault root's.
    """
    from vaultkit.exporting.run import Filters, run_export

    session = open_vault(_paths(path), _vault(vault), follow_external, config_file=_path_or_none(config))
    target = Path(output) if isinstance(output, str | os.PathLike) else output
    if isinstance(target, Path):  # the temp files of an earlier, interrupted export there
        real = Path(os.path.realpath(target))
        session.notices.extend(swept(real.parent, recursive=False, prefix=f".{real.name[:64]}."))
    done = run_export(
        session,
        format,
        target,
        filters=Filters(tuple(tags), tuple(sections), tuple(notes), include_boilerplate),
        dedupe=dedupe,
        excel=excel,
        generated=generated,
        threshold=similar_threshold,
        with_diagnostics=with_diagnostics,
        cache=Path(cache) if cache is not None else None,
    )
    written = target if isinstance(target, Path) else None
    counts = (done.resources, done.notes, done.skipped, done.unmatched)
    return ExportResult(format, *counts, written, done.text, done.data, session.skipped, session.notices)
