"""Between vaultkit's model and the protocol's: positions (1-based code points against 0-based
units of the negotiated encoding, UTF-16 by default), diagnostics, URIs."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from vaultkit.model import Diagnostic, Note, Severity
from vaultkit.schema_ids import REPOSITORY

SOURCE = "vaultkit"
RULE_DOCS = f"{REPOSITORY}/blob/main/README.md#rules"
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def path_of(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


_UNITS = {"utf-8": 0, "utf-16": 1, "utf-32": 2}
_encoding = ["utf-16"]  # the position encoding negotiated at initialize


def set_encoding(kind: str) -> None:
    _encoding[0] = kind if kind in _UNITS else "utf-16"


def _width(ch: str) -> int:
    kind = _encoding[0]
    if kind == "utf-32":
        return 1
    if kind == "utf-8":
        return len(ch.encode("utf-8", "surrogatepass"))
    return 2 if ord(ch) > 0xFFFF else 1


def units_len(text: str) -> int:
    """The length of ``text`` in the negotiated position units."""
    if text.isascii() or _encoding[0] == "utf-32":
        return len(text)
    return sum(_width(ch) for ch in text)


def char_index(line_text: str, column: int) -> int:
    """The code-point index in ``line_text`` of a column in position units."""
    units = 0
    for i, ch in enumerate(line_text):
        if units >= column:
            return i
        units += _width(ch)
    return len(line_text)


def position(note: Note, line: int, column: int) -> lsp.Position:
    """A 1-based (line, code-point column) as a protocol position."""
    count = len(note.line_starts) or 1
    line = min(max(line, 1), count)
    text = note.line_text(line)
    return lsp.Position(line - 1, units_len(text[: max(column - 1, 0)]))


def offset_position(note: Note, offset: int) -> lsp.Position:
    line, column = note.position(max(0, min(offset, len(note.text))))
    return position(note, line, column)


def span(note: Note, start: int, end: int) -> lsp.Range:
    return lsp.Range(offset_position(note, start), offset_position(note, end))


def offset_of(note: Note, pos: lsp.Position) -> int:
    """The text offset of a protocol position (clamped to the note)."""
    starts = note.line_starts or [0]
    if pos.line >= len(starts):
        return len(note.text)
    text = note.line_text(pos.line + 1)
    return starts[pos.line] + char_index(text, pos.character)


def diagnostic(note: Note, d: Diagnostic) -> lsp.Diagnostic:
    start = position(note, d.line, d.column)
    end = position(note, d.end_line, d.end_column)
    return lsp.Diagnostic(
        range=lsp.Range(start, end),
        message=d.message,
        severity=_SEVERITY[d.severity],
        code=d.code,
        code_description=lsp.CodeDescription(href=RULE_DOCS),
        source=SOURCE,
        data={"rule": d.rule, "fixable": d.fixable, "unsafe": d.unsafe},
    )
