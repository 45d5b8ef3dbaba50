"""duplicate-url: the same resource saved more than once."""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.index.facts import NoteView, body_url
from vaultkit.model import Diagnostic, Edit, Link, Note, Severity
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.rules.structure import safe_edits
from vaultkit.text.urls import loose_key


def note_urls(note: Note) -> list[tuple[str, Link]]:
    """(canonical URL, link) for every external link in the body, in order."""
    return [(canon, link) for link in note.links if (canon := body_url(link)) is not None]


@rule(
    "VK005",
    "duplicate-url",
    Severity.WARNING,
    fix=FixKind.REMOVAL,
    safety=FixSafety.UNSAFE,
    fix_message="removed {n} list item(s) holding a duplicate URL",
    scope="split",
)
def duplicate_url(note: Note | NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """The same URL saved more than once, compared as canonical URLs.

    Within one note it is a warning at each later occurrence, naming the first.
    Across notes it is an info, once per note and URL, listing the other notes.
    URLs that differ only in http/https, a leading `www.` or a trailing slash
    are never merged; they are reported as "probably the same" (info).
    The fix (with `--unsafe-fixes` only) removes a later list item that is
    nothing but the duplicate link.
    """
    if isinstance(note, NoteView):
        yield from _across_notes(note, ctx)
    else:
        yield from _within_note(note)


def _across_notes(view: NoteView, ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for row in view.links:
        canon = row.canonical
        if canon is None or canon in seen:
            continue
        seen.add(canon)
        others = sorted({p for p, _ in ctx.url_notes.get(canon, ()) if p != view.path})
        if others:
            more = len(others) - 5
            yield this("VK005").diag_at(
                view.path,
                row,
                f"URL also saved in {', '.join(others[:5])}" + (f" (+{more} more)" if more > 0 else ""),
                severity=Severity.INFO,
            )


def _within_note(note: Note) -> Iterator[Diagnostic]:
    found = list(_duplicates(note))
    # removing an item must not pull an indented code block below it into a list
    removals = [d.edits[0] for d in found if d.edits]
    good = {removals[i] for i in safe_edits(note.text, removals)}
    for d in found:
        if d.edits and d.edits[0] not in good:
            d.edits = ()
        yield d


def _duplicates(note: Note) -> Iterator[Diagnostic]:
    r = this("VK005")
    first: dict[str, Link] = {}
    loose_first: dict[str, tuple[str, Link]] = {}
    for canon, link in note_urls(note):
        if canon in first:
            prev = first[canon]
            edits = _remove_item(note, link)
            start, end = (edits[0].start, edits[0].end - 1) if edits else (link.start, link.end)
            d = r.diag(
                note,
                start,
                end,
                f"duplicate URL: already on line {note.position(prev.start)[0]} ({prev.text or prev.target})",
                edits,
            )
            d.end_offset = edits[0].end if edits else d.end_offset
            yield d
            continue
        first[canon] = link
        key = loose_key(canon)
        if key in loose_first and loose_first[key][0] != canon:
            other = loose_first[key][1]
            yield r.diag(
                note,
                link.start,
                link.end,
                f"probably the same URL as line {note.position(other.start)[0]} "
                f"({other.target}); they differ only in scheme, 'www.' or a trailing "
                "slash",
                severity=Severity.INFO,
            )
        else:
            loose_first.setdefault(key, (canon, link))


def _remove_item(note: Note, link: Link) -> tuple[Edit, ...]:
    """Delete the list item holding ``link`` when the item is nothing but that link."""
    if link.item is None or not note.text:
        return ()
    item = note.items[link.item]
    if item.line != item.end_line or any(i.parent == link.item for i in note.items):
        return ()
    start = note.line_starts[item.line - 1]
    end = note.line_starts[item.line] if item.line < len(note.line_starts) else len(note.text)
    body = note.text[item.start + len(item.marker) : end].strip()
    src = note.text[link.start : link.end]
    if body != src:
        return ()
    return (Edit(start, end, ""),)
