"""The vault as the language server holds it: every note's payload (the same plain data the
check pipeline and its facts cache use), the cross-note context built from them, and the
open documents, parsed from the editor's text rather than from disk.

A change to one note re-lints that note only. The cross-note context (names, headings,
block ids, aliases, URLs) is rebuilt only when what other notes can see of it changed.
"""

from __future__ import annotations

import marshal
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import unquote

from vaultkit.errors import ReadError
from vaultkit.index.facts import LinkRow, NoteView, decode_diag, decode_view
from vaultkit.index.names import VaultIndex, fold
from vaultkit.limits import active as active_limits
from vaultkit.lint.payload import Analyzed, Payload, problem_payload
from vaultkit.lint.pipeline import (
    Job,
    analyze_all,
    lint_note,
    note_phase,
    vault_check,
    vault_context,
)
from vaultkit.lint.session import (
    Session,
    given_over_size,
    load_one,
    open_vault,
    over_limits,
    rule_settings,
    select_rules,
)
from vaultkit.lint.store import Store
from vaultkit.model import Diagnostic, Frontmatter, Link, LinkKind, Note, line_starts
from vaultkit.parse.inline import TAG
from vaultkit.parse.note import parse_note
from vaultkit.parse.shared import dest_span
from vaultkit.rules.base import Context
from vaultkit.rules.notes import UNREADABLE, unreadable
from vaultkit.rules.plugins import cache_key
from vaultkit.vault.files import in_folders
from vaultkit.vault.read import read_source


def _last_name(target: str) -> str:
    base = fold(unquote(target)).rstrip("/").rsplit("/", 1)[-1]
    return base[:-3] if base.endswith(".md") else base


def placed_link(text: str, starts: Sequence[int], row: LinkRow) -> Link | None:
    """A Link rebuilt from a cached row and the note's text, or None if they disagree."""
    if row.line > len(starts) or row.end_line > len(starts):
        return None
    start = starts[row.line - 1] + row.column - 1
    end = starts[row.end_line - 1] + row.end_column - 1
    src = text[start:end]
    if row.kind in ("wikilink", "embed"):
        opener = "![[" if row.kind == "embed" else "[["
        if not (src.startswith(opener) and src.endswith("]]")):
            return None
        body = start + len(opener)
        raw = src[len(opener) : -2].replace("\\|", "||")
        cut = min((i for i in (raw.find("#"), raw.find("|")) if i >= 0), default=len(raw))
        ds, de = body, body + cut
    elif row.kind in ("link", "image") and "](" in src:
        a, b = dest_span(src)
        ds, de = start + a, start + b
    else:
        ds = de = -1
    kind = cast(LinkKind, row.kind)
    return Link(kind, row.target, row.anchor, row.text, start, end, ds, de, in_frontmatter=row.in_frontmatter)


def _unreadable(rel: str, reason: str) -> Diagnostic:
    message = f"vaultkit could not check this note ({reason}); the rest of the vault is checked"
    return unreadable(rel, message)


@dataclass
class OpenDoc:
    rel: str
    text: str
    note: Note
    local: list[Diagnostic]  # per-note diagnostics, with their edits


class VaultState:
    """One vault, indexed once at start-up and kept current from editor and disk events."""

    def __init__(self, root: Path, use_cache: bool = True) -> None:
        # A folder (the editor's workspace) is the vault; from a file, the vault is found.
        self.session: Session = open_vault([], root) if root.is_dir() else open_vault([root])
        self.root = self.session.root
        settings = rule_settings(self.session)
        config = self.session.config
        self.job = Job(self.root, self.session.files.template_dirs, settings, config.severity)
        self.codes = {r.code for r in select_rules(config)}  # what check reports by default
        self.payloads: dict[str, Payload] = self._load(use_cache)
        self.ctx: Context = vault_context(self.session, self.payloads, settings)
        self.views: dict[str, NoteView] = {}
        self.open: dict[str, OpenDoc] = {}
        self.version = 0  # bumped whenever the cross-note context is rebuilt
        self._names: dict[str, frozenset[str]] = {}
        self._disk_tags: dict[str, list[str]] | None = None

    # --- loading -------------------------------------------------------------------------

    def _load(self, use_cache: bool) -> dict[str, Payload]:
        """Every note's payload, through the check pipeline's note phase and facts cache."""
        self.session.targets = list(self.session.files.notes)
        try:
            store = Store(self.root, self.session.config.digest(), enabled=use_cache, plugins=cache_key())
            try:
                notes = note_phase(self.session, store, self.job.settings)
                payloads, fresh = notes.all(), set(notes.parsed)
            finally:
                store.close()
        except Exception:
            found = self._analyze(list(self.session.files.notes))
            payloads, fresh = {a.rel: a.payload for a in found}, {a.rel for a in found}
        self.parsed_at_start = len(fresh)
        return payloads

    def _analyze(self, rels: list[str]) -> list[Analyzed]:
        """The pipeline's per-note work; a note that makes it fail is reported alone."""
        try:
            return analyze_all(self.job, rels)
        except Exception:
            out: list[Analyzed] = []
            for rel in rels:
                try:
                    out.extend(analyze_all(self.job, [rel]))
                except Exception as exc:
                    reason = f"{type(exc).__name__}: {exc}"[:200]
                    out.append(Analyzed(rel, -1, 0, "", problem_payload([_unreadable(rel, reason)])))
            return out

    # --- paths ---------------------------------------------------------------------------

    def rel_of(self, path: Path) -> str | None:
        """The vault-relative path of ``path``, or None when it is outside the vault."""
        try:
            rel = Path(os.path.abspath(path)).relative_to(self.root)
        except ValueError:
            return None
        return rel.as_posix()

    def is_note(self, rel: str) -> bool:
        return rel.lower().endswith(".md")

    # --- changes -------------------------------------------------------------------------

    def update(self, rel: str, text: str) -> set[str]:
        """Take ``text`` as the note's content; return the open notes to re-check."""
        problems = given_over_size(rel, text)
        if problems:  # reported, not parsed
            text = ""
        templates = self.session.files.template_dirs
        try:
            note = parse_note(rel, text, template=in_folders(rel, list(templates)))
            payload, local = lint_note(self.job, note, problems or over_limits(note))
        except Exception as exc:
            note = parse_note(rel, "")
            local = [_unreadable(rel, f"{type(exc).__name__}: {exc}"[:200])]
            payload = problem_payload(local)
        self.open[rel] = OpenDoc(rel, text, note, local)
        return self._replace(rel, payload)

    def reload(self, rel: str) -> set[str]:
        """A note changed, appeared or went away on disk."""
        path = self.root / rel
        if not path.is_file():
            return self.remove(rel)
        if rel in self.open:
            return set()  # the editor's text wins while the note is open
        results = self._analyze([rel])
        return self._replace(rel, results[0][4]) if results else set()

    def remove(self, rel: str) -> set[str]:
        self.open.pop(rel, None)
        existed = self.payloads.pop(rel, None) is not None
        files = self.session.files
        if rel in files.notes:
            files.notes.remove(rel)
        elif rel in files.attachments:
            files.attachments.remove(rel)
            existed = True
        if existed:
            self._rebuild()
        return self._linking_open(rel)

    def add_file(self, rel: str) -> set[str]:
        """A new attachment (or note) exists: links to it may now resolve."""
        files = self.session.files
        if self.is_note(rel):
            return self.reload(rel)
        if rel not in files.attachments:
            files.attachments.append(rel)
            self._rebuild()
        return self._linking_open(rel)

    def _replace(self, rel: str, payload: Payload) -> set[str]:
        old = self.payloads.get(rel)
        self.payloads[rel] = payload
        self.views.pop(rel, None)
        self._names.pop(rel, None)
        files = self.session.files
        new_file = rel not in files.notes
        if new_file:
            files.notes.append(rel)
        seen_changed = old is None or old.facts != payload.facts or old.urls != payload.urls
        if new_file or seen_changed:
            self._rebuild()
            return {rel} | self._linking_open(rel)
        return {rel}

    def _rebuild(self) -> None:
        self.ctx = vault_context(self.session, self.payloads, self.job.settings)
        self.version += 1

    # --- queries -------------------------------------------------------------------------

    def view(self, rel: str) -> NoteView | None:
        found = self.views.get(rel)
        if found is None and rel in self.payloads:
            found = decode_view(rel, marshal.loads(self.payloads[rel][2]))
            self.views[rel] = found
        return found

    @property
    def index(self) -> VaultIndex:
        return self.ctx.index

    def resolve(self, rel: str, kind: str, target: str) -> str | None:
        """What a link of ``kind`` from note ``rel`` points to (a vault path), or None."""
        if kind in ("wikilink", "embed"):
            return self.index.resolve(target, rel)
        if "://" in target or target.startswith("mailto:"):
            return None
        return self.index.resolve_path(target, rel)

    def diagnostics(self, rel: str) -> list[Diagnostic]:
        """What ``check`` reports for the note: its per-note and its cross-note findings."""
        payload = self.payloads.get(rel)
        if payload is None:
            return []
        doc = self.open.get(rel)
        local = doc.local if doc else [decode_diag(rel, d) for d in marshal.loads(payload.diags)]
        if any(d.code == UNREADABLE.code for d in local):
            return local
        cross = marshal.loads(vault_check(rel, payload, self.ctx, self.job.severity))
        out = [d for d in local + [decode_diag(rel, d) for d in cross] if d.code in self.codes]
        out.sort(key=Diagnostic.sort_key)
        return out

    def tag_counts(self) -> Counter[str]:
        """Tags in use: read once from the notes on disk, then the open notes' own."""
        if self._disk_tags is None:
            self._disk_tags = {}
            for rel in self.payloads:
                try:
                    with open(self.root / rel, "rb") as fh:
                        text = fh.read(active_limits().note_size).decode("utf-8", "replace")
                except OSError:
                    continue
                self._disk_tags[rel] = [m.group(1) for m in TAG.finditer(text)]
        counts: Counter[str] = Counter()
        for rel, tags in self._disk_tags.items():
            if rel not in self.open:
                counts.update(tags)
        for doc in self.open.values():
            counts.update(t.name for t in doc.note.tags)
        return counts

    def online_status(self, url: str) -> str:
        """What ``check --online`` last found for ``url``, from its cache ("" when unknown)."""
        from vaultkit.online.cache import default_cache_path, lookup_readonly

        found = lookup_readonly(default_cache_path(), [url, url.partition("#")[0]])
        if found is None:
            return ""
        outcome, status, final = found
        text = outcome + (f" (HTTP {status})" if status else "")
        return text + (f" -> {final}" if final and final != url else "")

    def note(self, rel: str) -> Note | None:
        """The parsed note: the editor's text when it is open, else the file on disk."""
        doc = self.open.get(rel)
        if doc is not None:
            return doc.note
        if rel not in self.payloads:
            return None
        note, _, problems = load_one(self.root, rel, self.session.files.template_dirs)
        return None if problems else note

    def linking(self, rel: str, among: Iterable[str] | None = None) -> list[str]:
        """Notes with a link whose target names ``rel``: its file name, its name without
        ``.md`` or one of its aliases, as the last part of the target. A cheap filter on the
        cached link rows: resolve the links of the notes it returns to be sure."""
        name = fold(rel.rsplit("/", 1)[-1])
        names = {name, name[:-3] if name.endswith(".md") else name}
        facts = self.index.facts.get(rel)
        if facts is not None:
            names.update(fold(a) for a in facts.aliases)
        out = []
        for other in self.payloads if among is None else among:
            if not names.isdisjoint(self._target_names(other)):
                out.append(other)
        return out

    def _target_names(self, rel: str) -> frozenset[str]:
        """The last name of each link target of the note (cached until it changes)."""
        found = self._names.get(rel)
        if found is None:
            payload = self.payloads.get(rel)
            rows = marshal.loads(payload.view)[0] if payload else ()
            found = frozenset(_last_name(row[1]) for row in rows if row[1])
            self._names[rel] = found
        return found

    def link_note(self, rel: str) -> Note | None:
        """The note's text and links, the links placed from the cached link rows rather than
        a parse (renames touch hundreds of notes). Falls back to a parse when a row doesn't
        match the text (the file changed since it was indexed)."""
        doc = self.open.get(rel)
        view = self.view(rel)
        if doc is not None or view is None:
            return doc.note if doc else None
        try:
            text = read_source(self.root / rel).text
        except ReadError:
            return None
        starts = line_starts(text)
        links = []
        for row in view.links:
            link = placed_link(text, starts, row)
            if link is None:
                return self.note(rel)
            links.append(link)
        return Note(rel, text, Frontmatter(None, "", 0, 0), links=links, line_starts=starts)

    def _linking_open(self, rel: str) -> set[str]:
        """The open notes with a link that may point at ``rel``."""
        return set(self.linking(rel, list(self.open)))
