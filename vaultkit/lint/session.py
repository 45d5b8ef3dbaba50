"""One engine behind check and fix: open the vault, load notes, index them, run rules."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultkit.config import Config, load_config
from vaultkit.errors import ConfigError, ReadError
from vaultkit.index.names import VaultIndex, note_facts
from vaultkit.limits import Limits, failure_reason, guarded
from vaultkit.limits import active as active_limits
from vaultkit.limits import use as use_limits
from vaultkit.lint.workers import map_chunks
from vaultkit.model import Diagnostic, Frontmatter, Note, Severity, long_line_spans
from vaultkit.rules import REGISTRY, Rule
from vaultkit.rules.base import Context
from vaultkit.rules.notes import unreadable
from vaultkit.rules.options import parse_rule_options
from vaultkit.rules.plugins import load_plugins
from vaultkit.rules.select import match_rules, parse_per_file_ignores, unknown_rule
from vaultkit.vault.capped import os_reason
from vaultkit.vault.files import VaultFiles, excluded, in_folders, is_canvas, relative, scan
from vaultkit.vault.read import Source, read_source
from vaultkit.vault.root import choose_root

PARALLEL_MIN_NOTES = 200


@dataclass
class Session:
    root: Path
    config: Config
    files: VaultFiles
    targets: list[str]  # vault-relative paths to report on
    notes: dict[str, Note] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)  # what the last check did (for tests)
    skipped: list[str] = field(default_factory=list)  # one-line notes on paths not checked
    views: dict[str, bytes] = field(default_factory=dict)  # encoded link views: targets', linking notes'
    views_wanted: bool = False  # keep ``views`` (check --staged and --online read them)
    gone_keys: set[str] = field(default_factory=set)  # names a staged commit removes (check --staged)
    notices: list[str] = field(default_factory=list)  # one-line notes for stderr
    canvases: list[str] = field(default_factory=list)  # canvases to report on (check only)
    unreachable: str | None = None  # --online found no network (why); the CLI exits 2

    def notes_skipped(self) -> list[str]:
        """A one-line note per symlink out of the vault that was not read."""
        return [
            f"{rel}: skipped: a symlink that resolves outside the vault; not read "
            "(--follow-external-symlinks reads it)"
            for rel in self.files.external
        ]


def open_vault(
    paths: Sequence[Path],
    vault: Path | None = None,
    follow_external: bool = False,
    stdin: Sequence[Path] = (),
    config_file: Path | None = None,
) -> Session:
    """The vault holding ``paths`` (see ``vault.root``) and the notes among them to report.

    A path outside the vault, or one the config excludes (named files too, as ruff's
    ``--force-exclude``), is not reported; the ones outside are listed in ``skipped``.
    ``stdin`` are paths whose text comes from standard input (they need not exist);
    ``config_file`` is ``--config``."""
    paths = list(paths)
    for p in [*(p for p in paths if p not in stdin), *([vault] if vault is not None else [])]:
        try:
            os.stat(p)
        except FileNotFoundError:
            raise ConfigError(f"{p}: no such file or folder") from None
        except OSError as exc:
            raise ConfigError(f"{p}: {os_reason(exc)}") from None
    if vault is not None and not vault.is_dir():
        raise ConfigError(f"--vault {vault}: not a folder")
    choice = choose_root(paths, vault)
    root = choice.root
    config = load_config(root, config_file)
    load_plugins()  # before the config's rule names and options are checked
    if "rules" in config.raw:
        config.rules = parse_rule_options(config.raw["rules"], config.source or root)
    if "per-file-ignores" in config.raw:
        config.per_file_ignores = parse_per_file_ignores(
            config.raw["per-file-ignores"], config.source or root
        )
    use_limits(config.limits)
    files = scan(root, config.exclude, follow_external)
    files.template_dirs = list(dict.fromkeys([*files.template_dirs, *config.templates]))
    targets: list[str] = []
    canvases: list[str] = []
    skipped = [f"{p}: outside the vault at {root}; skipped" for p in choice.outside]
    skipped += [f"{rel}: skipped: {why}" for rel, why in files.skipped]
    for p in choice.inside if paths else [root]:
        rel = relative(root, p)
        if rel is None:
            continue
        if p.is_dir():
            prefix = "" if rel == "." else rel + "/"
            targets.extend(n for n in files.notes if n.startswith(prefix) and n not in files.ignored)
            canvases.extend(c for c in files.linking() if c.startswith(prefix) and is_canvas(c))
        elif not excluded(rel, config.exclude) and rel not in files.ignored:
            (canvases if is_canvas(rel) else targets).append(rel)
    session = Session(root, config, files, sorted(set(targets)))
    session.canvases = sorted(set(canvases) - files.ignored)
    session.skipped = skipped
    session.notices.extend(session.notes_skipped())
    return session


def select_rules(
    config: Config, select: Iterable[str] = (), ignore: Iterable[str] = (), online: bool = False
) -> list[Rule]:
    """The rules to run. Names are codes, names or code prefixes (``VK00``); an unknown one
    is a ConfigError saying where it was (the option, or the config file and key)."""
    load_plugins()
    cli_select, cli_ignore = list(select), list(ignore)
    source = str(config.source) if config.source else "config"
    named = [
        *((k, "--select") for k in cli_select),
        *((k, "--ignore") for k in cli_ignore),
        *((k, f"{source}: select") for k in config.select),
        *((k, f"{source}: ignore") for k in config.ignore),
        *((k, f"{source}: severity") for k in config.severity),
    ]
    for key, where in named:
        if not match_rules(key):
            raise ConfigError(unknown_rule(key, where))
    chosen = cli_select or config.select
    # An explicit --select runs what it names, even rules the config ignores.
    skip = cli_ignore or ([] if cli_select else config.ignore)
    rules = [r for k in chosen for r in match_rules(k)] if chosen else list(REGISTRY.values())
    skipped = {r.code for k in skip for r in match_rules(k)}
    out = [r for r in dict.fromkeys(rules) if (online or not r.online) and r.code not in skipped]
    return out


Loaded = tuple[Note, "Source | None", list[Diagnostic]]


def load_one(root: Path, rel: str, templates: Sequence[str] = ()) -> Loaded:
    """Read and parse one note. Problems become diagnostics, never exceptions."""
    path = root / rel
    try:
        src = read_source(path)
    except ReadError as exc:
        return _empty(rel), None, [_problem(rel, str(exc))]
    if src.is_binary:
        return _empty(rel), src, [_problem(rel, f"{rel} is a binary file, not a markdown note")]
    from vaultkit.parse.note import parse_note

    note = parse_note(rel, src.text, template=in_folders(rel, list(templates)))
    note.encoding, note.confident = src.encoding, src.confident
    return note, src, over_limits(note)


def over_limits(note: Note) -> list[Diagnostic]:
    """Findings for the limits a parsed note is over (its links past the limit are dropped)."""
    limits = active_limits()
    out = []
    if len(note.links) > limits.links:
        out.append(
            _problem(
                note.path,
                f"{note.path} has {len(note.links):,} links, over the limit of {limits.links:,}; "
                "links past that one are not checked or exported (raise 'links' in [limits])",
                Severity.WARNING,
            )
        )
        del note.links[limits.links :]
    if note.big_blocks:
        out.append(_big_blocks(note, limits.block_markup))
    long_lines = long_line_spans(note, limits.line_length)
    if long_lines:
        line = note.position(long_lines[0][0])[0]
        out.append(
            _problem(
                note.path,
                f"{note.path} has {len(long_lines):,} line(s) over the line-length limit of "
                f"{limits.line_length:,} characters (the first: line {line}); the line-based rules "
                "skip them (raise 'line-length' in [limits])",
                Severity.WARNING,
            )
        )
    return out


def given_over_size(rel: str, text: str) -> list[Diagnostic]:
    """The finding for a note given as text (an editor's buffer, standard input) over the
    note-size limit, as a file that size is reported; [] under it."""
    limit = active_limits().note_size
    size = len(text.encode("utf-8", "replace")) if len(text) * 4 > limit else len(text)
    if size <= limit:
        return []
    return [
        _problem(
            rel,
            f"{rel} is {size:,} bytes, over the note-size limit of {limit:,}; not parsed "
            "(raise 'note-size' in [limits])",
        )
    ]


def _big_blocks(note: Note, limit: int) -> Diagnostic:
    offset, count = note.big_blocks[0]
    line = note.position(offset)[0]
    more = f" (and {len(note.big_blocks) - 1:,} more)" if len(note.big_blocks) > 1 else ""
    d = _problem(
        note.path,
        f"{note.path} has a block of {count:,} line breaks and markup characters at line {line}{more}, "
        f"over the block-markup limit of {limit:,}; it was not parsed, so its links are not checked "
        "or exported and fix leaves it alone (split it with blank lines, or raise 'block-markup' "
        "in [limits])",
        Severity.WARNING,
    )
    d.line = d.end_line = line
    return d


def failed_note(rel: str, why: str) -> Diagnostic:
    """The VK000 finding for a note whose reading, parsing or checking failed (``why``)."""
    return _problem(rel, f"{rel} could not be processed: {why}")


def guarded_load(root: Path, rel: str, templates: Sequence[str]) -> Loaded:
    """``load_one`` under the limits: a failure is a VK000 finding, never an exception."""
    return guarded(lambda: load_one(root, rel, templates), lambda exc: failed_load(rel, failure_reason(exc)))


def failed_load(rel: str, why: str) -> Loaded:
    return _empty(rel), None, [failed_note(rel, why)]


def _empty(rel: str) -> Note:
    return Note(path=rel, text="", frontmatter=Frontmatter(None, "", 0, 0), line_starts=[0])


def _problem(rel: str, message: str, severity: Severity | None = None) -> Diagnostic:
    d = unreadable(rel, message)
    if severity is not None:
        d.severity = severity
    return d


def _load_chunk(root: Path, templates: Sequence[str], limits: Limits, rels: list[str]) -> list[Loaded]:
    use_limits(limits)
    return [guarded_load(root, rel, templates) for rel in rels]


def load_notes(session: Session, rels: Sequence[str], keep_sources: bool = False) -> None:
    """Read and parse ``rels`` into the session (in parallel when there are many)."""
    rels = [r for r in rels if r not in session.notes]
    args = (session.root, session.files.template_dirs, active_limits())
    results = map_chunks(_load_chunk, rels, args, PARALLEL_MIN_NOTES, rescue=failed_load)
    for note, src, problems in results:
        session.notes[note.path] = note
        if keep_sources and src is not None:
            session.sources[note.path] = src
        session.problems.extend(problems)


def rule_settings(session: Session) -> dict[str, Any]:
    """The config the rules read, as plain data (workers receive it)."""
    return {
        "schema_required": session.config.schema_required,
        "schema_types": session.config.schema_types,
        "template_dirs": session.files.template_dirs,
        "rule_options": session.config.rules,
    }


def build_context(session: Session) -> Context:
    """A per-note rule context over the notes loaded in this process (used by fix)."""
    index = VaultIndex(session.files.notes, session.files.attachments)
    for path, note in session.notes.items():
        index.add_facts(path, note_facts(note))
    return Context(index, rule_settings(session))
