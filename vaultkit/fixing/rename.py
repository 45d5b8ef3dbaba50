"""Link-safe renames: the edits that keep every link pointing where it pointed when a note or
an attachment moves, or when a heading is renamed. One engine for ``vaultkit mv`` and the
language server's rename requests.

Each link keeps its form: a wikilink by name stays a name (the shortest form that still
resolves to the moved file from the linking note), a path stays a path, ``.md`` stays or
stays off, a relative markdown link stays relative to its note, an angle-bracket or
``%20``-encoded destination keeps its quoting, and anchors and aliases are untouched.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from vaultkit.index.names import VaultIndex, strip_md
from vaultkit.index.slug import GithubSlugger, obsidian_heading_key
from vaultkit.model import Edit, Heading, Link, Note

NoteSource = Callable[[str], Note | None]
WIKI = ("wikilink", "embed")
MARKDOWN = ("link", "image", "reference")


@dataclass
class RenamePlan:
    """The edits, per vault-relative note path, that a rename needs."""

    edits: dict[str, list[Edit]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, rel: str, edit: Edit) -> None:
        self.edits.setdefault(rel, []).append(edit)

    @property
    def links(self) -> int:
        return sum(len(v) for v in self.edits.values())


def moved_index(
    index: VaultIndex, notes: list[str], attachments: list[str], old: str, new: str
) -> VaultIndex:
    """The index as it will be once ``old`` is ``new``."""
    swap = [new if p == old else p for p in notes]
    swap_att = [new if p == old else p for p in attachments]
    if old not in notes and old not in attachments:
        (swap if new.lower().endswith(".md") else swap_att).append(new)
    after = VaultIndex(swap, swap_att)
    for rel, facts in index.facts.items():
        after.add_facts(new if rel == old else rel, facts)
    return after


def move_plan(
    candidates: Iterable[str], load: NoteSource, before: VaultIndex, after: VaultIndex, old: str, new: str
) -> RenamePlan:
    """Edits that keep links to ``old`` pointing at it once it is ``new``; ``candidates`` are
    the notes that may link to it (the moved note itself is always looked at)."""
    plan = RenamePlan()
    for rel in dict.fromkeys([*candidates, old]):
        note = load(rel)
        if note is None:
            continue
        for link in note.links:
            edit = _move_edit(note, link, before, after, old, new)
            if edit is not None:
                plan.add(rel, edit)
    return plan


def _move_edit(
    note: Note, link: Link, before: VaultIndex, after: VaultIndex, old: str, new: str
) -> Edit | None:
    src, dst_src = note.path, (new if note.path == old else note.path)
    if link.kind in WIKI:
        if before.resolve(link.target, src) != old or not link.target:
            return None
        raw = note.text[link.dest_start : link.dest_end]
        # Only the target: frontmatter links' spans also hold "#anchor|alias".
        raw = raw.replace("\\|", "|").partition("|")[0].partition("#")[0]
        form = _wiki_form(raw, dst_src, after, new)
        if form == raw:
            return None
        return Edit(link.dest_start, link.dest_start + len(raw), form)
    elif link.kind in MARKDOWN and link.dest_end > link.dest_start and "://" not in link.target:
        raw = note.text[link.dest_start : link.dest_end]
        path_part, hashmark, fragment = raw.partition("#")
        if not path_part.strip("<>"):
            return None
        target = before.resolve_path(unquote(path_part.strip("<>")), src)
        moved_self = src == old and target is not None
        if target != old and not moved_self:
            return None
        dest = new if target == old else target
        assert dest is not None
        angle = note.text[link.dest_start - 1 : link.dest_start] == "<"
        form = _path_form(path_part, dst_src, dest, angle) + hashmark + fragment
    else:
        return None
    if form == raw:
        return None
    return Edit(link.dest_start, link.dest_end, form)


def _wiki_form(raw: str, source: str, after: VaultIndex, new: str) -> str:
    keep_md = raw.lower().endswith(".md")
    bare = strip_md(new) if new.lower().endswith(".md") else new

    def shown(path: str) -> str:
        return path + ".md" if keep_md and new.lower().endswith(".md") else path

    if raw.startswith(("./", "../")):
        rel = posixpath.relpath(bare, posixpath.dirname(source) or ".")
        return shown(rel if rel.startswith("../") else "./" + rel)
    if "/" in raw.strip("/"):
        return shown(bare)
    parts = bare.split("/")
    for n in range(1, len(parts) + 1):
        form = "/".join(parts[-n:])
        if after.resolve(form, source) == new:
            return shown(form)
    return shown(bare)


def _path_form(written: str, source: str, dest: str, angle: bool = False) -> str:
    """``dest`` written the way ``written`` was: root-absolute or relative, with or without
    ``.md``, %-encoded unless inside angle brackets (which the span excludes)."""
    inner = written
    keep_md = inner.lower().endswith(".md") or not dest.lower().endswith(".md")
    target = dest if keep_md else strip_md(dest)
    if inner.startswith("/"):
        path = "/" + target
    else:
        path = posixpath.relpath(target, posixpath.dirname(source) or ".")
        if inner.startswith("./") and not path.startswith("../"):
            path = "./" + path
    if angle:
        return path
    return quote(path, safe="/()!$&'*+,;=:@-._~") if (" " in path or "%" in inner) else path


# --- headings ------------------------------------------------------------------------------


def heading_slug(note: Note, index: int, texts: list[str] | None = None) -> str:
    """GitHub's anchor for heading ``index`` of the note (duplicates counted in order)."""
    slugger = GithubSlugger()
    out = ""
    for i, h in enumerate(note.headings):
        text = texts[i] if texts is not None else h.text
        slug = slugger.slug(text)
        if i == index:
            out = slug
    return out


def heading_plan(
    candidates: Iterable[str], load: NoteSource, index: VaultIndex, note: Note, which: int, new_text: str
) -> RenamePlan:
    """Rename heading ``which`` of ``note`` to ``new_text`` and every link to it."""
    plan = RenamePlan()
    heading = note.headings[which]
    span = heading_text_span(note, heading)
    if span is None:
        plan.problems.append("the heading's text could not be located")
        return plan
    plan.add(note.path, Edit(span[0], span[1], new_text))
    old_key = obsidian_heading_key(heading.text)
    old_slug = heading_slug(note, which)
    texts = [new_text if i == which else h.text for i, h in enumerate(note.headings)]
    new_slug = heading_slug(note, which, texts)
    for rel in dict.fromkeys([*candidates, note.path]):
        other = note if rel == note.path else load(rel)
        if other is None:
            continue
        for link in other.links:
            edit = _anchor_edit(other, link, index, note.path, old_key, old_slug, new_text, new_slug)
            if edit is not None:
                plan.add(rel, edit)
    return plan


def heading_text_span(note: Note, heading: Heading) -> tuple[int, int] | None:
    line_start = note.line_starts[heading.line - 1] if note.line_starts else 0
    line = note.line_text(heading.line)
    at = line.find(heading.raw.strip()) if heading.raw.strip() else -1
    if at < 0:
        return None
    return line_start + at, line_start + at + len(heading.raw.strip())


def _anchor_edit(
    note: Note,
    link: Link,
    index: VaultIndex,
    target: str,
    old_key: str,
    old_slug: str,
    new_text: str,
    new_slug: str,
) -> Edit | None:
    if not link.anchor or link.anchor.startswith("^"):
        return None
    if link.kind in WIKI:
        if index.resolve(link.target, note.path) != target:
            return None
        last = link.anchor.rsplit("#", 1)[-1]
        if obsidian_heading_key(last) != old_key:
            return None
        return _replace_after(note, link, "#" + last, "#" + new_text)
    if link.kind not in MARKDOWN or "://" in link.target:
        return None
    path = link.target
    resolved = note.path if not path else index.resolve_path(path, note.path)
    if resolved != target:
        return None
    frag = link.anchor
    if frag == old_slug or frag.lower() == old_slug:
        return _replace_after(note, link, "#" + frag, "#" + new_slug)
    if obsidian_heading_key(unquote(frag)) == old_key:
        return _replace_after(note, link, "#" + frag, "#" + quote(new_text))
    return None


def _replace_after(note: Note, link: Link, old: str, new: str) -> Edit | None:
    """Replace the last ``old`` inside the link's source (its anchor) with ``new``."""
    body = note.text[link.start : link.end]
    at = body.rfind(old)
    if at < 0:
        return None
    start = link.start + at
    return Edit(start, start + len(old), new)


# --- the guard -----------------------------------------------------------------------------


def apply(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (any order) to ``text``."""
    out = text
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[: e.start] + e.replacement + out[e.end :]
    return out


def _targets(note: Note, index: VaultIndex, source: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for link in note.links:
        if link.kind in WIKI:
            out.append((link.kind, index.resolve(link.target, source) if link.target else "#self"))
        elif link.kind in MARKDOWN and "://" not in link.target and link.target:
            out.append((link.kind, index.resolve_path(unquote(link.target), source)))
        else:
            out.append((link.kind, link.target))
    return out


def guard_move(
    before_note: Note, after_note: Note, before: VaultIndex, after: VaultIndex, old: str, new: str
) -> str | None:
    """Why the rewritten note's links don't point where they did (None when they all do)."""
    source_after = new if before_note.path == old else before_note.path
    wanted = [(k, new if t == old else t) for k, t in _targets(before_note, before, before_note.path)]
    got = _targets(after_note, after, source_after)
    if len(wanted) != len(got):
        return f"{before_note.path}: the rewrite changed the number of links"
    for (kind, want), (_, have) in zip(wanted, got, strict=True):
        if want != have:
            return f"{before_note.path}: a {kind} would point at {have} instead of {want}"
    return None
