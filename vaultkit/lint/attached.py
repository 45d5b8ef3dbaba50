"""Canvases and bases: attachments with links or anchors of their own.

A canvas (``.canvas``) links to notes and files like a note does; its links are checked
by the same cross-note rules, from a link view built from its JSON. A base (``.base``)
offers its view names to ``![[X.base#View]]`` as a note offers headings. Both go through
the note phase and the cache like notes, but no per-note rule reads them.
"""

from __future__ import annotations

import marshal
from pathlib import Path

from vaultkit.errors import ReadError
from vaultkit.index.facts import encode_facts, encode_view, link_rows, view_of
from vaultkit.index.names import NoteFacts
from vaultkit.index.slug import GithubSlugger, obsidian_heading_key
from vaultkit.lint.cache import digest
from vaultkit.lint.payload import NO_VIEW, Analyzed, Payload, problem_payload
from vaultkit.model import Diagnostic
from vaultkit.parse.canvas import CanvasError, base_views, parse_canvas
from vaultkit.rules.notes import unreadable
from vaultkit.vault.files import is_canvas
from vaultkit.vault.read import read_source

_EMPTY = marshal.dumps(())


def analyze_attached(root: Path, rel: str) -> Analyzed:
    """A canvas's link view (a VK000 when it is not a canvas), or a base's view names."""
    try:
        src = read_source(root / rel)
    except ReadError as exc:
        problems = [unreadable(rel, str(exc))] if is_canvas(rel) else []
        return Analyzed(rel, -1, 0, "", _nothing(problems))
    sha = digest(src.data)
    if src.is_binary:
        problems = [unreadable(rel, f"{rel} is a binary file, not a canvas")] if is_canvas(rel) else []
        return Analyzed(rel, src.size, src.mtime_ns, sha, _nothing(problems))
    if is_canvas(rel):
        try:
            note = parse_canvas(rel, src.text)
        except CanvasError as exc:
            problem = unreadable(rel, f"{exc}; correct the JSON to have its links checked")
            return Analyzed(rel, src.size, src.mtime_ns, sha, _nothing([problem]))
        view = marshal.dumps(encode_view(view_of(note, link_rows(note, comments=[]))))
        return Analyzed(rel, src.size, src.mtime_ns, sha, Payload((), (), view, _EMPTY))
    views = base_views(src.text)
    facts = encode_facts(view_facts(views)) if views is not None else ()
    return Analyzed(rel, src.size, src.mtime_ns, sha, Payload(facts, (), NO_VIEW, _EMPTY))


def view_facts(views: list[str]) -> NoteFacts:
    """A base's views as the headings an anchor is matched against (all at level 1)."""
    slugger = GithubSlugger()
    facts = NoteFacts()
    for name in views:
        facts.heading_keys.append(obsidian_heading_key(name))
        facts.heading_texts.append(name)
        facts.heading_levels.append(1)
        facts.slugs.add(slugger.slug(name))
    return facts


def _nothing(problems: list[Diagnostic]) -> Payload:
    return problem_payload(problems)._replace(facts=())
