"""Note-level rules: frontmatter (and frontmatter not on line 1), list items, unreadable files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from vaultkit.model import Diagnostic, Edit, Frontmatter, ListItem, Note, Severity
from vaultkit.parse.frontmatter import split_frontmatter
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.rules.structure import safe_edits
from vaultkit.vault.files import in_folders

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "list": (list,),
    "mapping": (dict,),
}


@rule("VK000", "unreadable-file", Severity.ERROR)
def unreadable_file(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A note that could not be read: permission denied, a binary file named `.md`, or bytes
    that are not text. The run goes on with the other files.

    ## Why is this bad?
    No other rule can check the note, and Obsidian shows nothing useful for it: a broken
    symlink, a file without read permission or an image saved as `.md` hides whatever the
    vault meant to keep there.

    ## Example
    A file `scan.md` holding the bytes of a PNG image, or a symlink `old.md` to a file that
    was deleted.

    ## Use instead
    Rename the image to `scan.png` and link it (`![[scan.png]]`), restore the file the
    symlink points to, or remove the symlink.

    ## Fix safety

    No fix: vaultkit cannot know what the file should hold.
    """
    yield from ()


UNREADABLE = this("VK000")  # the loader reports unreadable notes itself


def unreadable(path: str, message: str) -> Diagnostic:
    """The finding for a note that could not be read."""
    r = UNREADABLE
    return Diagnostic(path, 1, 1, 1, 1, r.code, r.name, r.severity, message)


@rule("VK006", "invalid-frontmatter", Severity.ERROR)
def invalid_frontmatter(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Frontmatter YAML that does not parse, that is not a mapping of keys to values, or whose
    aliases make a value contain itself or expand past 100,000 values.

    When the config declares a schema (`[frontmatter] required = [...]`,
    `[frontmatter.types] key = "date"`), missing required keys, values of the
    wrong type and dates that don't parse (`date: 2025-01-3 12:00:00 +0530`) are
    reported too. Types: string, number, integer, boolean, list, mapping, date,
    datetime. Frontmatter hidden in a leading HTML comment (Jekyll drafts) is
    checked the same way; a note with no frontmatter at all is missing every
    required key. Notes in the vault's templates folder get no schema check (their
    `{{date}}` placeholders are filled in when the template is used).

    ## Why is this bad?
    Obsidian drops properties it cannot parse, so searches, Dataview queries and exports
    see none of the note's metadata.

    ## Example
    ```markdown
    ---
    title: Notes: week 1
    ---
    ```

    ## Use instead
    ```markdown
    ---
    title: "Notes: week 1"
    ---
    ```

    ## Fix safety

    No fix: which key or value was meant is the author's call.
    """
    template = in_folders(note.path, ctx.settings.get("template_dirs", []))
    hidden = note.hidden_frontmatter
    if not note.frontmatter.present and not (hidden and hidden.present):
        if not template:
            for key in ctx.settings.get("schema_required", []):
                yield this("VK006").diag(
                    note, 0, 0, f"note has no frontmatter; required key '{key}' is missing"
                )
        return
    for fm in (note.frontmatter, note.hidden_frontmatter):
        if fm is None or not fm.present:
            continue
        if fm.error:
            line = fm.error_line or fm.start_line
            off = note.line_starts[min(line, len(note.line_starts)) - 1]
            yield this("VK006").diag(note, off, off, fm.error)
            continue
        if not template:
            yield from _schema(note, fm, ctx)


def _schema(note: Note, fm: Frontmatter, ctx: Context) -> Iterator[Diagnostic]:
    required: list[str] = ctx.settings.get("schema_required", [])
    types: dict[str, str] = ctx.settings.get("schema_types", {})
    data = fm.data or {}
    start = note.line_starts[fm.start_line - 1] if fm.start_line else 0
    for key in required:
        if key not in data or data[key] is None:
            yield this("VK006").diag(note, start, start, f"frontmatter is missing required key '{key}'")
    for key, kind in types.items():
        if key not in data or data[key] is None:
            continue
        problem = _type_problem(data[key], kind)
        if problem:
            off = _key_offset(note, fm, key)
            yield this("VK006").diag(note, off, off, f"frontmatter '{key}': {problem}")


def _type_problem(value: Any, kind: str) -> str | None:
    if kind in ("date", "datetime"):
        if isinstance(value, dt.date):
            return None
        if isinstance(value, str) and _parse_date(value):
            return None
        return (
            f"'{value}' is not a date vaultkit can parse; write it as ISO 8601, "
            "e.g. 2025-01-03 or 2025-01-03 12:00:00 +05:30"
        )
    allowed = _TYPES[kind]
    if isinstance(value, bool) and bool not in allowed:
        return f"expected {kind}, got a boolean"
    if not isinstance(value, allowed):
        return f"expected {kind}, got {type(value).__name__}"
    return None


def _parse_date(text: str) -> bool:
    text = text.strip()
    try:
        dt.datetime.fromisoformat(text)
        return True
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"):
        try:
            dt.datetime.strptime(text, fmt)
            return re.match(r"\d{4}-\d{2}-\d{2}", text) is not None
        except ValueError:
            continue
    return False


def _key_offset(note: Note, fm: Frontmatter, key: str) -> int:
    first = fm.start_line + 1
    for line in range(first, fm.end_line):
        if note.line_text(line).startswith(f"{key}:"):
            return note.line_starts[line - 1]
    return note.line_starts[fm.start_line - 1]


_LEADING = re.compile(r"(?:[ \t]*\n)+(?=---[ \t]*\n)")


@rule(
    "VK017",
    "misplaced-frontmatter",
    Severity.WARNING,
    fix=FixKind.INLINE,
    safety=FixSafety.SAFE,
    fix_message="moved {n} frontmatter block(s) to line 1",
)
def misplaced_frontmatter(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A `---` block of `key: value` properties that does not start on line 1, because blank
    lines come before it. The fix removes those blank lines, so the block starts the note.

    A `---` thematic break in the body, after text, is not frontmatter and is left alone,
    as is a block whose lines are not a YAML mapping.

    ## Why is this bad?
    Obsidian reads properties only from a `---` block on the very first line. Anywhere
    else the block is a thematic break and a heading, so the note's tags, aliases and
    properties are lost to search, Dataview and the graph.

    ## Example
    ```markdown

    ---
    tags: [project]
    ---
    ```

    ## Use instead
    ```markdown
    ---
    tags: [project]
    ---
    ```

    ## Fix safety

    Safe: the fix only removes the blank lines before the block, and only when nothing
    but blank lines (or spaces) comes before it. Blank lines hold no text and no link,
    so the fix cannot change what any link points to.
    """
    if note.frontmatter.present or not note.text.lstrip(" \t\n").startswith("---"):
        return
    lead = _LEADING.match(note.text)
    if lead is None:
        return
    fm, _ = split_frontmatter(note.text[lead.end() :])
    if not fm.present or fm.error or not fm.data:
        return
    line = note.text.count("\n", 0, lead.end()) + 1
    yield this("VK017").diag(
        note,
        lead.end(),
        lead.end() + 3,
        f"frontmatter starts on line {line}, after blank lines; Obsidian reads properties only "
        "from a `---` block on line 1, so these are lost; remove the blank lines above it",
        (Edit(0, lead.end(), ""),),
    )


@rule(
    "VK007",
    "empty-list-item",
    Severity.WARNING,
    fix=FixKind.STRUCTURAL,
    safety=FixSafety.SAFE,
    on_import=True,
    fix_message="removed {n} empty list item(s)",
)
def empty_list_item(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A list marker with nothing after it. The fix removes the empty item's line (not when
    that would pull an indented code block below it into the list).

    Notes in the vault's templates folder (`.obsidian/templates.json`, or Templater's
    setting) are skipped: there an empty `- ` is where the user starts typing.

    ## Why is this bad?
    It shows as an empty bullet, and it splits or joins lists in ways the text does not
    show.

    ## Example
    ```markdown
    - milk
    -
    - eggs
    ```

    ## Use instead
    ```markdown
    - milk
    - eggs
    ```

    ## Fix safety

    Safe: an empty item holds no text and no link, and the fix is skipped where removing
    the line would change the nesting of what follows.
    """
    if in_folders(note.path, ctx.settings.get("template_dirs", [])):
        return
    found: list[tuple[ListItem, Edit | None]] = []
    for item in note.items:
        if not item.empty:
            continue
        edit = None
        if note.text and note.line_text(item.line).strip() == item.marker:
            start = note.line_starts[item.line - 1]
            end = note.line_starts[item.line] if item.line < len(note.line_starts) else len(note.text)
            edit = Edit(start, end, "")
        found.append((item, edit))
    # removing an item must not pull an indented code block below it into a list
    removals = [e for _, e in found if e is not None]
    good = {removals[i] for i in safe_edits(note.text, removals)}
    for item, edit in found:
        edits = (edit,) if edit is not None and edit in good else ()
        start, end = (
            (edit.start, edit.end) if edit is not None else (item.start, item.start + len(item.marker))
        )
        d = this("VK007").diag(
            note,
            start,
            max(start, end - 1) if edit is not None else end,
            "empty list item; add text or remove it",
            edits,
        )
        d.end_offset = end
        yield d
