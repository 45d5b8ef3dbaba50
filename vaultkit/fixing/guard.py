"""The link guard: the last check before a fixed note is written.

Each link of the note before a fix pass is matched with the same link after it (its
start mapped through the pass's edits) and the two *resolved targets* are compared:
the note, attachment and heading (by position) or block for a local link, the decoded
URL for an external one. A link may change only where a fix applied to it declared
its kind of change, and the change must be of that kind:

- ``tracking-removed``: the URL minus its tracking parameters;
- ``percent-encoded``: whitespace in a path, query or fragment written as ``%20``
  (the decoded URL is the same, so this shows as no change at all);
- ``host-joined``: whitespace removed from a host, giving a valid host name;
- ``glued-duplicate-removed``: a URL glued to copies of itself, now one copy;
- ``mojibake-repaired``: the repaired text encodes back to exactly the damaged one
  (and a repaired ``#fragment`` must resolve);
- ``redirected``: the final URL of a permanent redirect (``--online``);
- unsafe fixes only: ``urls-split`` (two URLs in one destination made two links),
  ``retargeted`` (a broken link now resolving), ``duplicate-removed`` (a link whose
  URL stays in the note).

A broken same-note anchor that starts resolving because its heading was repaired is
allowed too. Anything else refuses the write, and the message says which link would
have changed, how, and why that was not allowed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from vaultkit.fixing.spans import EditIndex
from vaultkit.index.names import VaultIndex, fold
from vaultkit.index.slug import GithubSlugger, obsidian_heading_key
from vaultkit.model import Diagnostic, Edit, Link, Note
from vaultkit.rules.base import FixKind
from vaultkit.text.mojibake import round_trips
from vaultkit.text.url_repair import repair_space, split_glued
from vaultkit.text.urls import canonical_url, strip_tracking

Target = tuple[str, ...]
_LOCAL = ("link", "image", "html", "reference")
UNSAFE_CHANGES = frozenset({"urls-split", "retargeted", "duplicate-removed"})


@dataclass(frozen=True, slots=True)
class Applied:
    """One applied fix: its edits and the kind of link change it declared ("" for none)."""

    edits: tuple[Edit, ...]
    change: str
    rule: str
    may_change_links: bool = True  # its rule's fix kind lets it change a link at all


def applied_of(d: Diagnostic, kind: FixKind) -> Applied:
    """What the guard needs of an applied diagnostic. Only a rule whose fix kind is URL may
    change a link, and only one of kind REMOVAL may remove one (``duplicate-removed``)."""
    change = str(d.extra.get("change", ""))
    allowed = kind.maps_urls or kind.removes_links
    if change == "duplicate-removed" and not kind.removes_links:
        change = ""
    return Applied(d.edits, change if allowed else "", d.rule, allowed)


def _headings_ids(texts: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
    """GitHub slug → heading position, Obsidian key → first heading position."""
    slugger = GithubSlugger()
    slugs: dict[str, int] = {}
    keys: dict[str, int] = {}
    for i, text in enumerate(texts):
        slugs.setdefault(slugger.slug(text), i)
        keys.setdefault(obsidian_heading_key(text), i)
    return slugs, keys


class _Resolver:
    """Resolved targets of one version of a note's links."""

    def __init__(self, note: Note, index: VaultIndex) -> None:
        self.note, self.index = note, index
        self.cache: dict[str, tuple[dict[str, int], dict[str, int]] | None] = {}

    def headings(self, path: str) -> tuple[dict[str, int], dict[str, int]] | None:
        if path not in self.cache:
            if path == self.note.path:
                texts: list[str] | None = [h.text for h in self.note.headings]
            else:
                facts = self.index.facts.get(path)
                texts = facts.heading_texts if facts else None
            self.cache[path] = None if texts is None else _headings_ids(texts)
        return self.cache[path]

    def anchor(self, path: str, anchor: str, fragment: bool) -> Target:
        if anchor.startswith("^"):
            return ("block", anchor[1:].casefold())
        ids = self.headings(path)
        if ids is None:  # an attachment, or a note not indexed: nothing to resolve
            return ("anchor", anchor)
        slugs, keys = ids
        if fragment:
            found = slugs.get(anchor, slugs.get(anchor.lower()))
            if found is None:
                found = keys.get(obsidian_heading_key(unquote(anchor)))
        else:
            found = keys.get(obsidian_heading_key(anchor.rsplit("#", 1)[-1]))
        return ("unresolved", anchor) if found is None else ("heading", str(found))

    def target(self, link: Link) -> Target:
        note, index = self.note, self.index
        if link.kind in ("wikilink", "embed"):
            path = index.resolve(link.target, note.path) if link.target.strip() else note.path
            if path is None:
                return ("missing", fold(link.target.strip()))
            return ("file", path, *self.anchor(path, link.anchor, False)) if link.anchor else ("file", path)
        scheme = link.target.split(":", 1)[0] if ":" in link.target.split("/", 1)[0] else ""
        if link.kind in _LOCAL and not scheme and not link.target.startswith("//"):
            path = index.resolve_path(link.target, note.path) if link.target else note.path
            if path is None:
                return ("missing", posixpath.normpath(unquote(link.target.strip())))
            return ("file", path, *self.anchor(path, link.anchor, True)) if link.anchor else ("file", path)
        return ("url", unquote(link.target.strip()))


def _aligned(by_start: dict[int, Link], start: int | None, text: str) -> Link | None:
    """The link at ``start`` of the new text; an image starts one earlier, at its ``!``
    (a malformed ``![x](a b)`` is found from its ``[``)."""
    if start is None:
        return None
    found = by_start.get(start)
    if found is None and start > 0 and text[start - 1] == "!":
        found = by_start.get(start - 1)
    return found


def _space(kind: str) -> Check:
    def check(old: str, new: str, _: Target) -> bool:
        repair = repair_space(old)
        return repair is not None and repair.kind == kind and repair.replacement == new

    return check


def _glued_once(old: str, new: str, _: Target) -> bool:
    parts = split_glued(old)
    return bool(parts) and len(set(parts or ())) == 1 and (parts or [""])[0] == new


def _split_first(old: str, new: str, _: Target) -> bool:
    repair = repair_space(old)
    return repair is not None and repair.kind == "urls-split" and repair.parts[0] == new


def _resolves(target: Target) -> bool:
    return target[0] != "missing" and target[-2:-1] != ("unresolved",)


Check = Callable[[str, str, Target], bool]
_CHANGES: dict[str, Check] = {
    "tracking-removed": lambda old, new, _: strip_tracking(old) == new,
    "percent-encoded": _space("percent-encoded"),
    "host-joined": _space("host-joined"),
    "glued-duplicate-removed": _glued_once,
    "mojibake-repaired": lambda old, new, now: round_trips(old, new) and ("#" not in new or _resolves(now)),
    "redirected": lambda old, new, _: new.startswith(("http://", "https://")),
    "urls-split": _split_first,
    "retargeted": lambda old, new, now: _resolves(now),
}


def _describe(link: Link) -> str:
    if link.kind in ("wikilink", "embed"):
        return f"[[{link.target}{'#' + link.anchor if link.anchor else ''}]]"
    return link.target + (f"#{link.anchor}" if link.anchor and "#" not in link.target else "")


def check_links(
    before: Note, after: Note, applied: Sequence[Applied], index: VaultIndex, unsafe: bool = False
) -> str | None:
    """Why the links of ``after`` are not those of ``before`` changed only as the applied
    fixes declared; None when they are."""
    spans = EditIndex([(e, i) for i, a in enumerate(applied) for e in a.edits])
    old_r, new_r = _Resolver(before, index), _Resolver(after, index)
    by_start = {link.start: link for link in after.links}
    matched: set[int] = set()
    for link in before.links:
        where = f"line {before.position(link.start)[0]}"
        start = spans.shift(link.start)
        new = _aligned(by_start, start, after.text)
        touching = [applied[i] for i in spans.owners_touching(link.start, link.end)]
        if new is None:
            why = _removed(after, link, touching, unsafe)
            if why:
                return f"{where}: {why}; not written"
            continue
        matched.add(new.start)
        was, now = old_r.target(link), new_r.target(new)
        if was == now:
            continue
        why = _changed(link, new, was, now, touching, unsafe)
        if why:
            return f"{where}: a fix would change {_describe(link)} to {_describe(new)} ({why}); not written"
    for link in after.links:
        if link.start not in matched and not _split_from(before, link, applied, unsafe):
            where = f"line {after.position(link.start)[0]}"
            return f"{where}: a fix would add the link {_describe(link)}, which no fix declared; not written"
    return None


def _changed(
    old: Link,
    new: Link,
    was: Target,
    now: Target,
    touching: Sequence[Applied],
    unsafe: bool,
) -> str | None:
    same_link = old.target == new.target and old.anchor == new.anchor
    if same_link and was[-2:-1] == ("unresolved",) and now[:2] == was[:2] and now[-2:-1] == ("heading",):
        return None  # a broken anchor that its repaired heading now matches
    if not touching:
        return "no fix was applied to this link"
    old_text = _link_value(old)
    new_text = _link_value(new)
    declared = [a.change for a in touching if a.change]
    if not declared:
        inline = sorted({a.rule for a in touching if not a.may_change_links})
        if inline:
            return f"{', '.join(inline)} may not change a link: its fix kind leaves links as they are"
        return f"{', '.join(sorted({a.rule for a in touching}))} did not declare a change to a link"
    for change in declared:
        if change in UNSAFE_CHANGES and not unsafe:
            continue
        check = _CHANGES.get(change)
        if check is not None and check(old_text, new_text, now):
            return None
    return f"not a {' or '.join(sorted(set(declared)))} change"


def _link_value(link: Link) -> str:
    """What the link points at, as written: target plus anchor."""
    if link.kind in ("wikilink", "embed") or (link.anchor and "#" not in link.target):
        return link.target + ("#" + link.anchor if link.anchor else "")
    return link.target


def _removed(after: Note, link: Link, touching: Sequence[Applied], unsafe: bool) -> str | None:
    changes = {a.change for a in touching}
    if "duplicate-removed" in changes and unsafe:
        canon = canonical_url(link.target)
        if any(canonical_url(other.target) == canon for other in after.links):
            return None
        return f"a fix would remove {link.target}, the only link to it"
    if "urls-split" in changes and unsafe:
        return None
    return f"a fix would remove the link {_describe(link)}"


def _split_from(before: Note, link: Link, applied: Sequence[Applied], unsafe: bool) -> bool:
    """A link that an unsafe split of two URLs in one destination made: its URL is one
    of the parts of a link that the split replaced."""
    if not unsafe:
        return False
    for old in before.links:
        if not any(a.change == "urls-split" and _covers(a, old) for a in applied):
            continue
        repair = repair_space(old.target)
        if repair is not None and link.target in repair.parts:
            return True
    return False


def _covers(a: Applied, link: Link) -> bool:
    return any(e.start <= link.start and link.end <= e.end for e in a.edits)
