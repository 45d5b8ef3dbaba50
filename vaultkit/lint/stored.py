"""The cross-note context of a run, read from the facts index as rules ask for it.

``Notes`` holds the run's notes: their file rows, and payloads read from the store when
needed (a target's findings, a linked note's facts); only what could not be written
(a note given as text, a write that failed) is held in memory. ``stored_context`` gives
the cross-note rules a ``VaultIndex`` whose facts and aliases, and a URL table, are
looked up by key and kept for one batch of targets (``prefetch`` reads the batch's
URLs, and the facts of the notes its anchored links point at, in a few queries, and
lets go of the batch before).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterable, Iterator
from typing import Any

from vaultkit.index.facts import decode_facts
from vaultkit.index.names import NoteFacts, VaultIndex, fold, strip_md
from vaultkit.lint.payload import Payload
from vaultkit.lint.session import Session
from vaultkit.lint.store import FileRow, Store
from vaultkit.rules.base import Context

WHOLE_SHARE = 0.25  # read the facts and URL rows whole when this share of the vault is checked
WHOLE_MAX = 20_000  # ...and the vault has at most this many notes (beyond, memory would grow)


class Notes:
    """The notes of one run: their file rows, this run's payloads, the rest on demand."""

    def __init__(self, store: Store, rows: dict[str, FileRow], fresh: dict[str, Payload]) -> None:
        self.store = store
        self.rows = rows  # every note in the vault now (a file that failed: size -1)
        self.fresh = fresh  # payloads held in memory: given as text, or not written
        self.parsed: set[str] = set(fresh)  # parsed in this run
        self.hold = False  # keep this run's parsed payloads in ``fresh`` too
        self.url_sig = ""  # set with the vault signature (``signatures``)
        self._loaded: dict[str, Payload] = {}

    def __contains__(self, rel: str) -> bool:
        return rel in self.fresh or rel in self.rows

    def get(self, rels: Iterable[str]) -> dict[str, Payload]:
        rels = [r for r in rels if r in self]
        missing = [r for r in rels if r not in self.fresh and r not in self._loaded]
        self._loaded.update(self.store.payloads(missing))
        found = {**self._loaded, **self.fresh}
        return {r: found[r] for r in rels if r in found}

    def take(self, rels: Iterable[str]) -> dict[str, Payload]:
        """The payloads of ``rels``, not kept (a batch of the vault phase)."""
        rels = [r for r in rels if r in self]
        found = self.store.payloads(r for r in rels if r not in self.fresh)
        found.update((r, self.fresh[r]) for r in rels if r in self.fresh)
        return found

    def diags(self, rels: Iterable[str]) -> dict[str, bytes]:
        """The per-note findings (marshalled) of ``rels``: only that column is read."""
        rels = [r for r in rels if r in self]
        out = {r: self.fresh[r].diags for r in rels if r in self.fresh}
        out.update((r, p.diags) for r, p in self._loaded.items() if r not in out)
        out.update(self.store.diags(r for r in rels if r not in out))
        return {r: out[r] for r in rels if r in out}

    def all(self) -> dict[str, Payload]:
        return self.get(self.rows)


def visible(payload: Payload) -> bytes:
    """A hash of what other notes see of a note: its facts and URLs."""
    return hashlib.sha1(marshal.dumps((payload.facts, payload.urls), 2), usedforsecurity=False).digest()


def url_hash(payload: Payload) -> bytes:
    return hashlib.sha1(marshal.dumps(payload.urls, 2), usedforsecurity=False).digest()


def signatures(session: Session, rows: dict[str, FileRow]) -> tuple[str, str]:
    """Hashes of everything any note can see of another (the files, and each note's facts
    and URLs), and of which note holds which URL (the boilerplate share comes from it)."""
    h = hashlib.sha1(usedforsecurity=False)
    u = hashlib.sha1(usedforsecurity=False)
    h.update(marshal.dumps((session.files.notes, session.files.attachments), 2))
    for rel in sorted(rows):
        key = rel.encode("utf-8", "surrogatepass")
        row = rows[rel]
        h.update(key)
        h.update(row.visible)
        u.update(key)
        u.update(row.urls)
    return h.hexdigest(), u.hexdigest()


def link_keys(view: bytes) -> tuple[str, ...]:
    """The folded last names that a note's links point at (``links`` table keys)."""
    rows = marshal.loads(view)[0]
    keys: set[str] = set()
    for row in rows:
        target, canonical = row[1], row[10]
        if target and canonical is None:
            keys.update(name_keys(target))
    return tuple(keys)


def name_keys(target: str) -> set[str]:
    """The keys a link target or a vault path is found under (as written, and URL-decoded)."""
    from urllib.parse import unquote

    name = strip_md(fold(target.strip().rsplit("/", 1)[-1]))
    if "%" not in target:
        return {name}
    return {name, strip_md(fold(unquote(target).strip().rsplit("/", 1)[-1]))}


def alias_keys(facts: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple({fold(a) for a in facts[4]}) if facts else ()


class _StoredFacts(dict[str, NoteFacts]):
    def __init__(self, notes: Notes) -> None:
        super().__init__()
        self.notes = notes
        self.asked: set[str] = set()
        self.whole = False

    def get(self, key: str, default: Any = None) -> Any:
        if not self.whole and key not in self.asked:
            self.load([key])
        return super().get(key, default)

    def load_all(self) -> None:
        fresh = self.notes.fresh
        stored = self.notes.store.facts_all() if len(fresh) < len(self.notes.rows) else {}
        for rel, encoded in stored.items():
            if rel in self.notes.rows and rel not in fresh and encoded:
                self[rel] = decode_facts(encoded)
        for rel, payload in fresh.items():
            if payload.facts:
                self[rel] = decode_facts(payload.facts)

    def load(self, rels: Iterable[str]) -> None:
        rels = [r for r in rels if r not in self.asked]
        self.asked.update(rels)
        fresh = self.notes.fresh
        stored = self.notes.store.facts(r for r in rels if r in self.notes.rows and r not in fresh)
        for rel in rels:
            encoded = fresh[rel].facts if rel in fresh else stored.get(rel)
            if encoded:  # () for a canvas, or a base that does not parse: not checked into
                self[rel] = decode_facts(encoded)


class _StoredAliases(dict[str, str]):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.asked:
            self.asked.add(key)
            self.update(self.store.alias_owners([key]))
        return super().get(key, default)


class _StoredUrls(dict[str, list[tuple[str, int]]]):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.asked: set[str] = set()
        self.whole = False

    def get(self, key: str, default: Any = None) -> Any:
        if not self.whole and key not in self.asked:
            self.asked.add(key)
            for url, rels in self.store.url_holders([key]).items():
                self[url] = [(r, 0) for r in rels]
        return super().get(key, default)

    def items(self) -> Iterator[tuple[str, list[tuple[str, int]]]]:  # type: ignore[override]
        """Only the URLs that more than one note holds (all that the boilerplate rule needs)."""
        for url, rels in self.store.shared_urls().items():
            yield url, [(r, 0) for r in rels]


def stored_context(session: Session, notes: Notes, settings: dict[str, Any], checked: int) -> Context:
    """The cross-note context over the store (see the module docstring). When ``checked``
    targets are most of the vault, the facts and URL rows are read whole, in two scans,
    rather than by key."""
    index = VaultIndex(session.files.notes, session.files.attachments)
    facts = _StoredFacts(notes)
    urls = _StoredUrls(notes.store)
    index.facts = facts
    index.alias_to = _StoredAliases(notes.store)
    ctx = Context(index, {**settings, "notes_total": len(session.files.notes)}, urls)
    if checked > WHOLE_SHARE * len(notes.rows) and len(notes.rows) <= WHOLE_MAX:
        facts.load_all()
        _all_urls(notes, urls)
        urls.whole = facts.whole = True
    cached = notes.store.meta("boilerplate")
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == _boilerplate_key(session, notes):
        ctx.settings["boilerplate"] = frozenset(cached[1])
        ctx.settings["boilerplate_kept"] = True
    return ctx


def keep_boilerplate(session: Session, notes: Notes, ctx: Context) -> None:
    """Keep the boilerplate URLs the duplicate rule worked out (a scan of every URL row),
    for the runs to come while no note's URLs change."""
    found = ctx.settings.get("boilerplate")
    if isinstance(found, frozenset) and not ctx.settings.get("boilerplate_kept"):
        notes.store.set_meta("boilerplate", (_boilerplate_key(session, notes), tuple(sorted(found))))


def _boilerplate_key(session: Session, notes: Notes) -> tuple[Any, ...]:
    return (notes.url_sig, len(session.files.notes), tuple(session.files.template_dirs))


def _all_urls(notes: Notes, urls: dict[str, list[tuple[str, int]]]) -> None:
    """Who holds each URL, from the payloads in memory when they are all there."""
    if len(notes.fresh) < len(notes.rows):
        for url, rels in notes.store.url_holders_all().items():
            urls[url] = [(r, 0) for r in rels]
        return
    for rel in sorted(notes.fresh):
        for u in notes.fresh[rel].urls:
            urls.setdefault(u, []).append((rel, 0))


def prefetch(ctx: Context, payloads: dict[str, Payload]) -> None:
    """Before a batch of targets: forget the last batch's lookups, and read who holds
    each URL of this batch, and the facts of the notes its anchored links point at (in
    a few queries rather than one a key)."""
    facts, urls = ctx.index.facts, ctx.url_notes
    if isinstance(facts, _StoredFacts) and facts.whole:
        return
    if isinstance(facts, _StoredFacts):
        facts.clear()
        facts.asked.clear()
        facts.load(_anchored_targets(ctx.index, payloads))
    if isinstance(urls, _StoredUrls):
        urls.clear()
        wanted = {u for p in payloads.values() for u in p.urls}
        urls.asked = wanted
        for url, rels in urls.store.url_holders(wanted).items():
            urls[url] = [(r, 0) for r in rels]


def _anchored_targets(index: VaultIndex, payloads: dict[str, Payload]) -> set[str]:
    """The notes the batch's links with a heading, block or fragment resolve to (the
    facts the anchor rules ask for; any other ask is read when made)."""
    found: set[str] = set()
    for rel, payload in payloads.items():
        if not payload.view:
            continue
        for row in marshal.loads(payload.view)[0]:
            target, anchor, canonical = row[1], row[2], row[10]
            if anchor and target and canonical is None:
                wiki = row[0] in ("wikilink", "embed")
                path = index.resolve(target, rel) if wiki else index.resolve_path(target, rel)
                if path:
                    found.add(path)
    return found
