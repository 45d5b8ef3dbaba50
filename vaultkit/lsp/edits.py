"""Renames as workspace edits: a heading (``textDocument/rename``) and notes or attachments
moved by the editor (``workspace/willRenameFiles``), through vaultkit.fixing.rename."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lsprotocol import types as lsp

from vaultkit.fixing.move import plan_move
from vaultkit.fixing.rename import RenamePlan, heading_plan, heading_text_span
from vaultkit.lint.live import VaultState
from vaultkit.lsp.convert import span, uri_of
from vaultkit.model import Heading, Note


def heading_at(note: Note, pos: lsp.Position) -> tuple[int, Heading] | None:
    for i, h in enumerate(note.headings):
        if h.line == pos.line + 1:
            return i, h
    return None


def prepare_heading_rename(note: Note, pos: lsp.Position) -> lsp.PrepareRenamePlaceholder | None:
    found = heading_at(note, pos)
    if found is None:
        return None
    where = heading_text_span(note, found[1])
    if where is None:
        return None
    return lsp.PrepareRenamePlaceholder(span(note, *where), found[1].text)


def rename_heading(
    state: VaultState, note: Note, pos: lsp.Position, new_name: str
) -> lsp.WorkspaceEdit | None:
    found = heading_at(note, pos)
    if found is None or not new_name.strip():
        return None
    plan = heading_plan(state.linking(note.path), _loader(state), state.index, note, found[0], new_name)
    return _workspace_edit(state, plan)


def rename_files(state: VaultState, moves: list[tuple[Path, Path]]) -> lsp.WorkspaceEdit | None:
    out: dict[str, list[lsp.TextEdit]] = {}
    for old_path, new_path in moves:
        old, new = state.rel_of(old_path), state.rel_of(new_path)
        if old is None or new is None or old == new:
            continue
        plan = plan_move(state, old, new)
        edit = _workspace_edit(state, plan)
        for uri, changes in (edit.changes or {}).items() if edit else ():
            out.setdefault(uri, []).extend(changes)
    return lsp.WorkspaceEdit(changes=out) if out else None


def _loader(state: VaultState) -> Callable[[str], Note | None]:
    cache: dict[str, Note | None] = {}

    def load(rel: str) -> Note | None:
        if rel not in cache:
            cache[rel] = state.link_note(rel)
        return cache[rel]

    return load


def _workspace_edit(state: VaultState, plan: RenamePlan) -> lsp.WorkspaceEdit | None:
    changes: dict[str, list[lsp.TextEdit]] = {}
    for rel, found in plan.edits.items():
        note = state.note(rel)
        if note is None:
            continue
        uri = uri_of(state.root / rel)
        changes[uri] = [lsp.TextEdit(span(note, e.start, e.end), e.replacement) for e in found]
    return lsp.WorkspaceEdit(changes=changes) if changes else None
