"""Navigation: go to definition, find references (backlinks), symbols and hover."""

from __future__ import annotations

from urllib.parse import unquote

from lsprotocol import types as lsp

from vaultkit.index.slug import GithubSlugger, obsidian_heading_key
from vaultkit.lint.live import VaultState
from vaultkit.lsp.convert import offset_of, position, span, uri_of
from vaultkit.model import Link, Note
from vaultkit.text.urls import canonical_url, is_external

PREVIEW_LINES = 12


def link_at(note: Note, offset: int) -> Link | None:
    for link in note.links:
        if link.start <= offset <= link.end:
            return link
    return None


def target_of(state: VaultState, note: Note, link: Link) -> str | None:
    """The vault path a local link points to (the note itself for ``[[#H]]``)."""
    if is_external(link.target):
        return None
    if not link.target:
        return note.path
    return state.resolve(note.path, link.kind, unquote(link.target))


def anchor_line(target: Note, anchor: str | None, wiki: bool) -> int:
    """The 1-based line the anchor names in ``target`` (1 when none or not found)."""
    if not anchor:
        return 1
    if anchor.startswith("^"):
        block = anchor[1:].casefold()
        for b in target.block_ids:
            if b.id.casefold() == block:
                return target.position(b.start)[0]
        return 1
    part = anchor.rsplit("#", 1)[-1]
    key = obsidian_heading_key(unquote(part))
    slugger = GithubSlugger()
    for h in target.headings:
        slug = slugger.slug(h.text)
        if obsidian_heading_key(h.text) == key or (not wiki and part.lower() == slug):
            return h.line
    return 1


def definition(state: VaultState, note: Note, pos: lsp.Position) -> lsp.Location | None:
    link = link_at(note, offset_of(note, pos))
    if link is None:
        return None
    rel = target_of(state, note, link)
    if rel is None:
        return None
    line = 1
    target = state.note(rel) if state.is_note(rel) else None
    if target is not None:
        line = anchor_line(target, link.anchor, link.kind in ("wikilink", "embed"))
    start = lsp.Position(line - 1, 0)
    return lsp.Location(uri_of(state.root / rel), lsp.Range(start, start))


def references(state: VaultState, note: Note, pos: lsp.Position) -> list[lsp.Location]:
    """Links to the heading or block id on this line, or to the note from its first line."""
    line = pos.line + 1
    heading = next((h for h in note.headings if h.line == line), None)
    block = next((b for b in note.block_ids if note.position(b.start)[0] == line), None)
    if heading is None and block is None and line != 1:
        return []
    out = []
    for rel in [*state.linking(note.path), note.path]:
        other = state.note(rel)
        if other is None:
            continue
        for link in other.links:
            if target_of(state, other, link) != note.path or (rel == note.path and link.target):
                continue
            if _points_at(link, note, heading, block):
                out.append(lsp.Location(uri_of(state.root / rel), span(other, link.start, link.end)))
    return out


def _points_at(link: Link, note: Note, heading: object, block: object) -> bool:
    from vaultkit.model import BlockId, Heading

    if isinstance(block, BlockId):
        return bool(link.anchor) and link.anchor == "^" + block.id
    if isinstance(heading, Heading):
        wiki = link.kind in ("wikilink", "embed")
        return bool(link.anchor) and anchor_line(note, link.anchor, wiki) == heading.line
    return not link.anchor or link.kind not in ("wikilink", "embed", "link")


def document_symbols(note: Note) -> list[lsp.DocumentSymbol]:
    """Headings, nested by level."""
    roots: list[lsp.DocumentSymbol] = []
    stack: list[tuple[int, lsp.DocumentSymbol]] = []
    last = len(note.line_starts) or 1
    for h in note.headings:
        start = position(note, h.line, 1)
        end = position(note, h.line, len(note.line_text(h.line)) + 1)
        sym = lsp.DocumentSymbol(
            name=h.text or "(empty heading)",
            kind=lsp.SymbolKind.String,
            range=lsp.Range(start, position(note, last, 1)),
            selection_range=lsp.Range(start, end),
            children=[],
        )
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(sym)  # type: ignore[union-attr]
        stack.append((h.level, sym))
    return roots


def workspace_symbols(state: VaultState, query: str, limit: int = 200) -> list[lsp.WorkspaceSymbol]:
    q = query.casefold()
    out: list[lsp.WorkspaceSymbol] = []
    for rel in sorted(state.payloads):
        uri = uri_of(state.root / rel)
        name = rel.rsplit("/", 1)[-1][:-3]
        if q in name.casefold():
            loc = lsp.Location(uri, _top())
            out.append(lsp.WorkspaceSymbol(location=loc, name=name, kind=lsp.SymbolKind.File))
        facts = state.index.facts.get(rel)
        for key in facts.heading_keys if facts else []:
            if q and q in key:
                loc = lsp.Location(uri, _top())
                out.append(
                    lsp.WorkspaceSymbol(
                        location=loc, name=key, kind=lsp.SymbolKind.String, container_name=name
                    )
                )
        if len(out) >= limit:
            break
    return out[:limit]


def _top() -> lsp.Range:
    return lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))


def hover(state: VaultState, note: Note, pos: lsp.Position) -> lsp.Hover | None:
    link = link_at(note, offset_of(note, pos))
    if link is None:
        return None
    if is_external(link.target):
        text = _resource_text(state, link)
    else:
        rel = target_of(state, note, link)
        if rel is None:
            return None
        text = _preview(state, rel, link)
    if not text:
        return None
    content = lsp.MarkupContent(lsp.MarkupKind.Markdown, text)
    return lsp.Hover(content, span(note, link.start, link.end))


def _preview(state: VaultState, rel: str, link: Link) -> str:
    target = state.note(rel) if state.is_note(rel) else None
    if target is None:
        return f"`{rel}`"
    first = anchor_line(target, link.anchor, link.kind in ("wikilink", "embed"))
    lines = target.text.split("\n")[first - 1 : first - 1 + PREVIEW_LINES]
    return f"**{rel}**\n\n" + "\n".join(lines).strip()


def _resource_text(state: VaultState, link: Link) -> str:
    url = canonical_url(link.target)
    notes = sorted({rel for rel, _ in state.ctx.url_notes.get(url, [])})
    title = link.text or url
    shown = ", ".join(f"`{n}`" for n in notes[:5]) + (f" and {len(notes) - 5} more" if len(notes) > 5 else "")
    lines = [f"**{title}**", "", url, "", f"Saved in {len(notes)} note(s): {shown}" if notes else ""]
    status = state.online_status(url)
    if status:
        lines += ["", f"Online: {status}"]
    return "\n".join(line for line in lines if line is not None).strip()
