"""``vaultkit lsp``: the vault in the editor, over the Language Server Protocol (pygls).

The server indexes the workspace folder once (through the facts cache), then keeps it
current from the editor's document events and the client's file-system events. Every
handler is guarded: a note that can't be checked is logged and reported, never fatal.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from vaultkit.lint.live import VaultState
from vaultkit.lsp import actions, complete, convert, edits, navigate
from vaultkit.model import Diagnostic
from vaultkit.rules.notes import unreadable
from vaultkit.version import __version__

log = logging.getLogger("vaultkit.lsp")
T = TypeVar("T")
CONFIG_NAMES = (".vaultkit.toml", "pyproject.toml", "app.json")


class VaultServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("vaultkit", __version__)
        self.state: VaultState | None = None
        self.debounce_s = 0.03
        self.timers: dict[str, asyncio.TimerHandle] = {}

    # --- helpers -------------------------------------------------------------------------

    def rel(self, uri: str) -> str | None:
        path = convert.path_of(uri)
        if self.state is None or path is None:
            return None
        return self.state.rel_of(path)

    def publish(self, rels: set[str]) -> None:
        state = self.state
        if state is None:
            return
        for rel in sorted(rels):
            doc = state.open.get(rel)
            if doc is None:
                continue
            try:
                found = state.diagnostics(rel)
            except Exception as exc:  # a bug in a rule: say so on the note, keep serving
                found = [_failure(rel, exc)]
            items = [convert.diagnostic(doc.note, d) for d in found]
            uri = convert.uri_of(state.root / rel)
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, items))

    def refresh(self, uri: str) -> None:
        """Re-read an open document's text from the workspace and re-check what it affects."""
        self.timers.pop(uri, None)
        rel = self.rel(uri)
        if self.state is None or rel is None:
            return
        text = self.workspace.get_text_document(uri).source
        self.publish(_guarded(lambda: self.state.update(rel, text) if self.state else set(), {rel}))


server = VaultServer()


def _failure(rel: str, exc: BaseException) -> Diagnostic:
    reason = f"{type(exc).__name__}: {exc}"[:300]
    log.error("checking %s failed:\n%s", rel, traceback.format_exc())
    message = f"vaultkit could not check this note ({reason}); the rest of the vault is still checked"
    return unreadable(rel, message)


def _guarded(fn: Callable[[], T], default: T) -> T:
    try:
        return fn()
    except Exception:
        log.error("vaultkit lsp: %s", traceback.format_exc())
        return default


def guarded(default: Any = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A handler that logs its failure and answers ``default`` instead of dying."""

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def inner(*args: Any) -> T:
            try:
                return fn(*args)
            except Exception:
                log.error("vaultkit lsp: %s failed:\n%s", fn.__name__, traceback.format_exc())
                server.window_log_message(
                    lsp.LogMessageParams(lsp.MessageType.Error, f"vaultkit: {fn.__name__} failed")
                )
                return default  # type: ignore[no-any-return]

        return inner

    return wrap


# --- lifecycle -----------------------------------------------------------------------------


@server.feature(lsp.INITIALIZE)
@guarded()
def initialize(params: lsp.InitializeParams) -> None:
    root = _root_of(params)
    options = params.initialization_options or {}
    if isinstance(options, dict) and "debounce_ms" in options:
        server.debounce_s = max(0.0, float(options["debounce_ms"]) / 1000)
    encoding = server.workspace.position_encoding
    convert.set_encoding(str(getattr(encoding, "value", encoding) or "utf-16"))
    if root is not None:
        server.state = VaultState(root, use_cache=not (isinstance(options, dict) and options.get("no_cache")))


def _root_of(params: lsp.InitializeParams) -> Path | None:
    uri = params.workspace_folders[0].uri if params.workspace_folders else params.root_uri
    if uri:
        return convert.path_of(uri)
    return Path(params.root_path) if params.root_path else None


@server.feature(lsp.INITIALIZED)
@guarded()
def initialized(params: lsp.InitializedParams) -> None:
    if server.state is not None:
        n, parsed = len(server.state.payloads), server.state.parsed_at_start
        text = f"vaultkit: indexed {n} notes ({parsed} parsed, {n - parsed} from the facts cache)"
        server.window_log_message(lsp.LogMessageParams(lsp.MessageType.Info, text))
    caps = server.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps else None
    if watched and watched.dynamic_registration:
        watchers = [lsp.FileSystemWatcher(glob_pattern="**/*")]
        options = lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        reg = lsp.Registration(
            id="vaultkit-watch", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        server.client_register_capability(lsp.RegistrationParams([reg]))


# --- documents -----------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
@guarded()
def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
    server.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
@guarded()
def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    old = server.timers.pop(uri, None)
    if old is not None:
        old.cancel()
    loop = asyncio.get_event_loop()
    server.timers[uri] = loop.call_later(server.debounce_s, server.refresh, uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
@guarded()
def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
    server.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
@guarded()
def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
    rel, state = server.rel(params.text_document.uri), server.state
    if rel is None or state is None:
        return
    state.open.pop(rel, None)
    server.publish(state.reload(rel))
    server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(params.text_document.uri, []))


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@guarded()
def did_change_watched(params: lsp.DidChangeWatchedFilesParams) -> None:
    state = server.state
    if state is None:
        return
    affected: set[str] = set()
    for change in params.changes:
        rel = server.rel(change.uri)
        if rel is None or rel.startswith((".git/", ".vaultkit_cache/")):
            continue
        if rel.rsplit("/", 1)[-1] in CONFIG_NAMES:
            _reload_config()
            return
        if change.type == lsp.FileChangeType.Deleted:
            affected |= state.remove(rel)
        elif state.is_note(rel):
            affected |= state.reload(rel)
        else:
            affected |= state.add_file(rel)
    server.publish(affected)


def _reload_config() -> None:
    """The config changed: index afresh with it, keep the open documents, re-check them."""
    old = server.state
    if old is None:
        return
    server.state = VaultState(old.root)
    for rel, doc in old.open.items():
        server.state.update(rel, doc.text)
    server.publish(set(server.state.open))


# --- requests ------------------------------------------------------------------------------


def _doc(uri: str) -> Any:
    rel, state = server.rel(uri), server.state
    if rel is None or state is None:
        return None
    return state.open.get(rel)


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, actions.FIX_ALL]),
)
@guarded(default=[])
def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    doc = _doc(params.text_document.uri)
    if doc is None or server.state is None:
        return []
    only = [str(k) for k in params.context.only] if params.context.only else None
    return actions.code_actions(server.state, doc, params.range, only)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
@guarded()
def definition(params: lsp.DefinitionParams) -> lsp.Location | None:
    doc = _doc(params.text_document.uri)
    return navigate.definition(server.state, doc.note, params.position) if doc and server.state else None


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
@guarded(default=[])
def references(params: lsp.ReferenceParams) -> list[lsp.Location]:
    doc = _doc(params.text_document.uri)
    return navigate.references(server.state, doc.note, params.position) if doc and server.state else []


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded(default=[])
def document_symbol(params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    doc = _doc(params.text_document.uri)
    return navigate.document_symbols(doc.note) if doc else []


@server.feature(lsp.WORKSPACE_SYMBOL)
@guarded(default=[])
def workspace_symbol(params: lsp.WorkspaceSymbolParams) -> list[lsp.WorkspaceSymbol]:
    return navigate.workspace_symbols(server.state, params.query) if server.state else []


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
@guarded()
def hover(params: lsp.HoverParams) -> lsp.Hover | None:
    doc = _doc(params.text_document.uri)
    return navigate.hover(server.state, doc.note, params.position) if doc and server.state else None


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["[", "#", "^", "("]))
@guarded(default=None)
def completion(params: lsp.CompletionParams) -> lsp.CompletionList | None:
    uri = params.text_document.uri
    doc, state = _doc(uri), server.state
    if doc is None or state is None:
        return None
    document = server.workspace.get_text_document(uri)
    lines = document.lines
    line = lines[params.position.line].rstrip("\r\n") if params.position.line < len(lines) else ""
    before = line[: convert.char_index(line, params.position.character)]
    items = complete.complete(state, doc.note, params.position.line + 1, before, document.source)
    return lsp.CompletionList(is_incomplete=len(items) >= complete.MAX_ITEMS, items=items)


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
@guarded()
def prepare_rename(params: lsp.PrepareRenameParams) -> lsp.PrepareRenamePlaceholder | None:
    doc = _doc(params.text_document.uri)
    return edits.prepare_heading_rename(doc.note, params.position) if doc else None


@server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
@guarded()
def rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    doc, state = _doc(params.text_document.uri), server.state
    if doc is None or state is None:
        return None
    return edits.rename_heading(state, doc.note, params.position, params.new_name)


@server.feature(
    lsp.WORKSPACE_WILL_RENAME_FILES,
    lsp.FileOperationRegistrationOptions(
        filters=[lsp.FileOperationFilter(pattern=lsp.FileOperationPattern("**/*"))]
    ),
)
@guarded()
def will_rename_files(params: lsp.RenameFilesParams) -> lsp.WorkspaceEdit | None:
    state = server.state
    if state is None:
        return None
    moves = [(convert.path_of(f.old_uri), convert.path_of(f.new_uri)) for f in params.files]
    return edits.rename_files(state, [(a, b) for a, b in moves if a and b])


def run(stdio: bool = True) -> None:
    logging.basicConfig(level=logging.WARNING)
    server.start_io()
