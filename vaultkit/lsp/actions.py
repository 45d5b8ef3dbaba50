"""Code actions: each fixable diagnostic's own edits (the edits ``fix`` applies), "fix all safe
problems" (the same fixpoint as ``fix``), a disable comment, and for a broken link a "did you
mean" per candidate and "Create note"."""

from __future__ import annotations

from urllib.parse import unquote

from lsprotocol import types as lsp
from rapidfuzz import fuzz, process

from vaultkit.fixing.fixpoint import fix_text
from vaultkit.index.names import strip_md
from vaultkit.lint.live import OpenDoc, VaultState
from vaultkit.lint.session import select_rules
from vaultkit.lsp.convert import position, span, uri_of
from vaultkit.model import Diagnostic, Edit, Note
from vaultkit.text.urls import is_external

FIX_ALL = "source.fixAll.vaultkit"
SUGGESTION_CUTOFF = 80.0


def _edit(note: Note, e: Edit) -> lsp.TextEdit:
    return lsp.TextEdit(span(note, e.start, e.end), e.replacement)


def _workspace_edit(uri: str, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={uri: edits})


def _overlaps(d: Diagnostic, rng: lsp.Range) -> bool:
    return not (d.end_line - 1 < rng.start.line or d.line - 1 > rng.end.line)


def code_actions(
    state: VaultState, doc: OpenDoc, rng: lsp.Range, only: list[str] | None
) -> list[lsp.CodeAction]:
    uri = uri_of(state.root / doc.rel)
    wanted = only or []
    out: list[lsp.CodeAction] = []
    if not wanted or any(k.startswith("source") for k in wanted):
        fix_all = _fix_all(state, doc, uri)
        if fix_all is not None:
            out.append(fix_all)
    if wanted and not any(k.startswith("quickfix") for k in wanted):
        return out
    for d in state.diagnostics(doc.rel):
        if _overlaps(d, rng):
            out.extend(_for_diagnostic(state, doc, uri, d))
    return out


def _for_diagnostic(state: VaultState, doc: OpenDoc, uri: str, d: Diagnostic) -> list[lsp.CodeAction]:
    from vaultkit.lsp.convert import diagnostic

    proto = diagnostic(doc.note, d)
    out = []
    live = next((x for x in doc.local if x.code == d.code and x.line == d.line and x.column == d.column), d)
    if live.edits:
        title = f"Fix: {d.message}" + (" (unsafe)" if live.unsafe else "")
        edits = [_edit(doc.note, e) for e in live.edits]
        out.append(
            lsp.CodeAction(
                title=title,
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[proto],
                edit=_workspace_edit(uri, edits),
                is_preferred=not live.unsafe,
            )
        )
    out.extend(_link_actions(state, doc, uri, d, proto))
    out.append(_disable(doc.note, uri, d, proto))
    return out


def _disable(note: Note, uri: str, d: Diagnostic, proto: lsp.Diagnostic) -> lsp.CodeAction:
    line = note.line_text(d.line)
    indent = line[: len(line) - len(line.lstrip())]
    comment = f"{indent}<!-- vaultkit-disable-next-line {d.rule} -->\n"
    at = position(note, d.line, 1)
    return lsp.CodeAction(
        title=f"Add <!-- vaultkit-disable-next-line {d.rule} -->",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[proto],
        edit=_workspace_edit(uri, [lsp.TextEdit(lsp.Range(at, at), comment)]),
    )


def _link_actions(
    state: VaultState, doc: OpenDoc, uri: str, d: Diagnostic, proto: lsp.Diagnostic
) -> list[lsp.CodeAction]:
    note = doc.note
    link = next((lk for lk in note.links if note.position(lk.start) == (d.line, d.column)), None)
    if link is None or link.dest_end <= link.dest_start or not link.target or is_external(link.target):
        return []
    if state.resolve(note.path, link.kind, unquote(link.target)) is not None:
        return []  # the link resolves: the finding is about something else
    out = []
    names = state.index.suggestion_names()
    wanted = strip_md(link.target.rsplit("/", 1)[-1])
    for name, score, _ in process.extract(wanted, names, scorer=fuzz.WRatio, limit=3):
        if score < SUGGESTION_CUTOFF or name == wanted:
            continue
        edit = lsp.TextEdit(span(note, link.dest_start, link.dest_end), name)
        out.append(
            lsp.CodeAction(
                title=f"Did you mean '{name}'?",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[proto],
                edit=_workspace_edit(uri, [edit]),
            )
        )
    if link.kind in ("wikilink", "link") and link.target:
        out.append(_create_note(state, link.target, proto))
    return out


def _create_note(state: VaultState, target: str, proto: lsp.Diagnostic) -> lsp.CodeAction:
    rel = target if target.lower().endswith(".md") else target + ".md"
    new_uri = uri_of(state.root / rel.lstrip("/"))
    return lsp.CodeAction(
        title=f"Create note '{rel}'",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[proto],
        edit=lsp.WorkspaceEdit(document_changes=[lsp.CreateFile(uri=new_uri)]),
    )


def _fix_all(state: VaultState, doc: OpenDoc, uri: str) -> lsp.CodeAction | None:
    rules = [r for r in select_rules(state.session.config) if r.fixable]
    result = fix_text(doc.note, rules, state.ctx)
    if result.text == doc.note.text:
        return None
    last = len(doc.note.line_starts) or 1
    end = position(doc.note, last, len(doc.note.line_text(last)) + 1)
    whole = lsp.Range(lsp.Position(0, 0), end)
    return lsp.CodeAction(
        title="Fix all safe problems in this note",
        kind=FIX_ALL,
        edit=_workspace_edit(uri, [lsp.TextEdit(whole, result.text)]),
    )
