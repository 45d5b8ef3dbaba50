"""A wikilink whose name matches several files, so Obsidian's tie-break picks one."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from vaultkit.index.facts import NoteView
from vaultkit.index.names import strip_md
from vaultkit.model import Diagnostic, Severity
from vaultkit.rules.base import Context, rule, this
from vaultkit.rules.links import PLACEHOLDER, WHERE


@rule("VK018", "ambiguous-wikilink", Severity.INFO, scope="vault")
def ambiguous_wikilink(note: NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A wikilink or embed whose name matches more than one file of the vault, as
    `[[Attention]]` does with `ML/Attention.md` and `Projects/Attention.md`. The message
    names the file Obsidian opens: one in the linking note's own folder, else the one with
    the shortest path.

    A path-qualified link (`[[ML/Attention]]`) that matches one file, and a name only one
    file has, are not reported.

    ## Why is this bad?
    Which file opens depends on a tie-break, not on the link: adding a note with the same
    name elsewhere, or moving the linking note, silently sends the link to another file.

    ## Example
    `See [[Attention]].` in a vault that holds both `ML/Attention.md` and
    `Projects/Attention.md`.

    ## Use instead
    `See [[ML/Attention]].`: the path says which file is meant.

    ## Fix safety

    No fix: only the author knows which of the files was meant.
    """
    for link in note.links:
        if link.kind not in ("wikilink", "embed") or not link.target:
            continue
        if PLACEHOLDER.search(link.target):
            continue
        cands = ctx.index.tie_break(link.target)
        if not cands:
            continue
        chosen = ctx.index.resolve(link.target, note.path)
        if chosen is None:
            continue
        folder = posixpath.dirname(note.path)
        why = "it is in this note's folder" if posixpath.dirname(chosen) == folder else "its path is shortest"
        where = WHERE.get(link.context or "", "")
        d = this("VK018").diag_at(
            note.path,
            link,
            f"'{link.target}'{where} matches {len(cands)} files ({', '.join(cands)}); Obsidian opens "
            f"{chosen} because {why}; write [[{strip_md(chosen)}]] to say which",
        )
        if link.context:
            d.extra["context"] = link.context
        yield d
