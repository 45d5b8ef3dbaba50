"""duplicate-url: the same resource saved more than once."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from vaultkit.index.boilerplate import Threshold, boilerplate_urls, threshold_from
from vaultkit.index.facts import NoteView, body_url
from vaultkit.model import Diagnostic, Edit, Link, Note, Severity
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.rules.options import count_option, declare_options, regexes_option, share_option
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
    """## What it does
    The same URL saved more than once, compared as canonical URLs.

    Within one note it is a warning at each later occurrence, naming the first.
    The same URL twice in one list item (a homepage given again as its "Demo")
    is one resource, not a duplicate.
    Across notes it is one info per URL, at its first occurrence (the first note
    in path order), naming the URL, how many notes hold it and a few of them
    (`--verbose` lists them all).
    Boilerplate is not reported across notes: a URL in a note of the templates
    folder, or in more than `boilerplate-threshold` of the notes (default 0.1,
    that is 10%) and in at least `boilerplate-min-notes` notes (default 5), is a
    footer or a navigation link, not a saved resource.
    URLs that differ only in http/https, a leading `www.` or a trailing slash
    are never merged; they are reported as "probably the same" (info).
    The fix removes a list item that is nothing but the duplicate link: the later
    one, or the bare URL when the other copy has a descriptive title.

    Options, under `[rules.duplicate-url]` in the config:
    `boilerplate-threshold = 0.1`, `boilerplate-min-notes = 5`, and
    `ignore = ["regex", ...]`: URLs matching one of these (searched in the
    canonical URL) are never reported as duplicates.

    ## Why is this bad?
    A reading list or bookmark note that holds a link twice is harder to keep: the copies
    drift apart, and counts and exports show the resource twice.

    ## Example
    ```markdown
    - [Post](https://example.com/post)
    - [Post again](https://example.com/post?utm_source=rss)
    ```

    ## Use instead
    ```markdown
    - [Post](https://example.com/post)
    ```

    ## Fix safety

    Unsafe (`--unsafe-fixes` only): the link is removed on purpose, and what the
    removed line meant to its author (a second context, a reminder) cannot be known.
    The URL itself always stays in the note.
    """
    ignored = _ignore_pattern(ctx)
    if isinstance(note, NoteView):
        yield from _across_notes(note, ctx, ignored)
    else:
        yield from _within_note(note, ignored)


SHOWN_NOTES = 3
declare_options(
    "duplicate-url",
    {"boilerplate-threshold": share_option, "boilerplate-min-notes": count_option, "ignore": regexes_option},
)


def _options(ctx: Context) -> dict[str, Any]:
    options: dict[str, Any] = ctx.settings.get("rule_options", {}).get(this("VK005").name, {})
    return options


def boilerplate_threshold(rule_options: Mapping[str, Mapping[str, Any]]) -> Threshold:
    """The boilerplate threshold of the config's options for this rule (export uses it)."""
    return threshold_from(rule_options.get(this("VK005").name))


def _ignore_pattern(ctx: Context) -> re.Pattern[str] | None:
    patterns = _options(ctx).get("ignore") or []
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _boilerplate(ctx: Context) -> frozenset[str]:
    """The vault's boilerplate URLs, worked out once per run (kept in the context)."""
    found: frozenset[str] | None = ctx.settings.get("boilerplate")
    if found is None:
        holders = {u: [p for p, _ in notes] for u, notes in ctx.url_notes.items() if len(notes) > 1}
        total = ctx.settings.get("notes_total", len(ctx.url_notes))
        dirs = ctx.settings.get("template_dirs", [])
        found = boilerplate_urls(holders, total, dirs, threshold_from(_options(ctx)))
        ctx.settings["boilerplate"] = found
    return found


def notes_message(url: str, notes: list[str], verbose: bool = False) -> str:
    """The cross-note message: the URL, how many notes hold it, and some (or all) of them."""
    shown = notes if verbose else notes[:SHOWN_NOTES]
    more = len(notes) - len(shown)
    tail = f" and {more} more (--verbose lists them)" if more > 0 else ""
    return f"duplicate URL {url} is saved in {len(notes)} notes: {', '.join(shown)}{tail}"


def _across_notes(view: NoteView, ctx: Context, ignored: re.Pattern[str] | None) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    boilerplate = _boilerplate(ctx)
    for row in view.links:
        canon = row.canonical
        if canon is None or canon in seen:
            continue
        seen.add(canon)
        if canon in boilerplate or (ignored is not None and ignored.search(canon)):
            continue
        notes = sorted({p for p, _ in ctx.url_notes.get(canon, ())})
        if len(notes) > 1 and notes[0] == view.path:
            yield this("VK005").diag_at(
                view.path, row, notes_message(canon, notes), severity=Severity.INFO, notes=notes, url=canon
            )


def _within_note(note: Note, ignored: re.Pattern[str] | None) -> Iterator[Diagnostic]:
    found = list(_duplicates(note, ignored))
    # removing an item must not pull an indented code block below it into a list
    removals = [d.edits[0] for d in found if d.edits]
    good = {removals[i] for i in safe_edits(note.text, removals)}
    for d in found:
        if d.edits and d.edits[0] not in good:
            d.edits = ()
        yield d


def _duplicates(note: Note, ignored: re.Pattern[str] | None) -> Iterator[Diagnostic]:
    r = this("VK005")
    first: dict[str, Link] = {}
    loose_first: dict[str, tuple[str, Link]] = {}
    in_items: set[tuple[str, int]] = set()  # (URL, list item) pairs seen
    for canon, link in note_urls(note):
        if ignored is not None and ignored.search(canon):
            continue
        if link.item is not None:
            if (canon, link.item) in in_items:
                continue  # one resource: its homepage given again as its "Demo"
            in_items.add((canon, link.item))
        if canon in first:
            prev = first[canon]
            if _bare(prev) and not _bare(link) and _remove_item(note, prev):
                first[canon] = link  # keep the described copy; the bare URL goes
                yield _duplicate(note, prev, link, "also on line {line} with a title ({title})")
            else:
                yield _duplicate(note, link, prev, "already on line {line} ({title})")
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


def _bare(link: Link) -> bool:
    """A link with no title of its own: a bare URL, or link text that is the URL."""
    text = link.text.strip().strip("<>")
    return link.kind in ("bare", "autolink") or not text or text == link.target


def _duplicate(note: Note, gone: Link, kept: Link, where: str) -> Diagnostic:
    """The finding at ``gone``, the copy the unsafe fix removes (its list item)."""
    edits = _remove_item(note, gone)
    start, end = (edits[0].start, edits[0].end - 1) if edits else (gone.start, gone.end)
    line = note.position(kept.start)[0]
    message = "duplicate URL: " + where.format(line=line, title=kept.text or kept.target)
    if edits:
        message += f"; 'vaultkit fix --unsafe-fixes' removes line {note.position(gone.start)[0]}"
    d = this("VK005").diag(note, start, end, message, edits, change="duplicate-removed")
    d.end_offset = edits[0].end if edits else d.end_offset
    return d


_LAST_PARENTS: list[Any] = [None, set()]  # the last note seen, and its items with sub-items


def _parents(note: Note) -> set[int]:
    """The items of ``note`` that have sub-items, found once per note (not once per duplicate:
    20,000 duplicates took 16 s)."""
    if _LAST_PARENTS[0] is not note:
        _LAST_PARENTS[:] = [note, {i.parent for i in note.items if i.parent is not None}]
    return _LAST_PARENTS[1]  # type: ignore[no-any-return]


def _remove_item(note: Note, link: Link) -> tuple[Edit, ...]:
    """Delete the list item holding ``link`` when the item is nothing but that link
    (and has no sub-items)."""
    if link.item is None or not note.text:
        return ()
    item = note.items[link.item]
    if item.line != item.end_line or link.item in _parents(note):
        return ()
    start = note.line_starts[item.line - 1]
    end = note.line_starts[item.line] if item.line < len(note.line_starts) else len(note.text)
    body = note.text[item.start + len(item.marker) : end].strip()
    src = note.text[link.start : link.end]
    if body != src:
        return ()
    return (Edit(start, end, ""),)
