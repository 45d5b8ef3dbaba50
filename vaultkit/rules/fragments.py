"""Mojibake inside links: where the fragments are, and whether a repaired one resolves.

A GitHub README pasted through Mac Roman has headings such as ``#### ‚óªÔ∏èTraining``
and a table of contents linking to ``(#Ô∏ètraining)``: the mojibake of GitHub's slug,
which keeps the U+FE0F of the emoji. The mojibake rule repairs both with the same
engine; a fragment's repair is kept only when the repaired fragment resolves (in the
note as repaired, or in the linked note's headings as repaired).
"""

from __future__ import annotations

from collections.abc import Sequence

from vaultkit.index.names import VaultIndex
from vaultkit.index.slug import GithubSlugger, obsidian_heading_key
from vaultkit.model import Edit, Link, Note

_LOCAL = ("link", "image", "html", "reference")


def fragment_span(note: Note, link: Link) -> tuple[int, int] | None:
    """The text span of a link's ``#anchor`` (after the ``#``), when written as parsed."""
    if not link.anchor or link.dest_start < 0 or link.in_frontmatter:
        return None
    text, anchor = note.text, "#" + link.anchor
    if link.kind in ("wikilink", "embed"):
        if text[link.dest_end : link.dest_end + len(anchor)] == anchor:
            return link.dest_end + 1, link.dest_end + len(anchor)
        return None
    if link.kind in _LOCAL and text[link.dest_start : link.dest_end].endswith(anchor):
        return link.dest_end - len(anchor) + 1, link.dest_end
    return None


def fragment_spans(note: Note) -> list[tuple[int, int, Link]]:
    out = []
    for link in note.links:
        span = fragment_span(note, link)
        if span is not None:
            out.append((*span, link))
    return out


def _matches(anchor: str, headings: Sequence[str], fragment: bool) -> bool:
    from urllib.parse import unquote

    from vaultkit.text.mojibake import repair_text

    texts = [repair_text(h) for h in headings]
    if fragment:
        slugger = GithubSlugger()
        slugs = {slugger.slug(t) for t in texts}
        if anchor in slugs or anchor.lower() in slugs:
            return True
        anchor = unquote(anchor)
    keys = {obsidian_heading_key(t) for t in texts}
    return obsidian_heading_key(anchor.rsplit("#", 1)[-1]) in keys


def unresolved_repairs(note: Note, index: VaultIndex, edits: Sequence[Edit]) -> set[Edit]:
    """The edits inside a link fragment whose repaired fragment would not resolve.

    Unknown targets (a note outside the index, as in the per-note phase of check)
    are given the benefit of the doubt; ``fix`` has the whole index."""
    bad: set[Edit] = set()
    for start, end, link in fragment_spans(note):
        inside = [e for e in edits if start <= e.start and e.end <= end]
        if not inside or link.anchor is None or link.anchor.startswith("^"):
            continue
        fragment = note.text[start:end]
        for e in sorted(inside, key=lambda e: e.start, reverse=True):
            fragment = fragment[: e.start - start] + e.replacement + fragment[e.end - start :]
        if link.target.strip() == "":
            headings: list[str] | None = [h.text for h in note.headings]
        else:
            resolve = index.resolve if link.kind in ("wikilink", "embed") else index.resolve_path
            path = resolve(link.target, note.path)
            facts = index.facts.get(path) if path else None
            headings = facts.heading_texts if facts else None
        if headings is not None and not _matches(fragment, headings, link.kind in _LOCAL):
            bad.update(inside)
    return bad
