"""Link rules: wikilinks, anchors, local files, malformed links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vaultkit.index.facts import LinkRow, NoteView
from vaultkit.index.names import fold, strip_md
from vaultkit.index.suggest import Suggestion, suggest_heading, suggest_names
from vaultkit.model import Diagnostic, Edit, Link, Note, Severity
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.text.url_repair import scheme_typo
from vaultkit.vault.files import in_folders

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Templater (`<% tp.date.now() %>`) and core Templates (`{{date}}`) placeholders.
PLACEHOLDER = re.compile(r"<%.*?%>|\{\{.*?\}\}")
WHERE = {"comment": " in a comment", "property": " in a property"}


def _placeholder(target: str, path: str, ctx: Context) -> bool:
    """A link made by a template, in the vault's templates folder: not a link yet."""
    return bool(PLACEHOLDER.search(target)) and in_folders(path, ctx.settings.get("template_dirs", []))


def _context(row: Any) -> dict[str, str]:
    """Where a link sits, when that is a comment or a property (for its own severity)."""
    return {"context": row.context} if getattr(row, "context", None) else {}


LOCAL_KINDS = ("link", "image", "html", "reference")


def is_local_target(target: str) -> bool:
    """Whether a markdown link destination is a path in the vault (no scheme, not ``//host``)."""
    return not _SCHEME.match(target) and not target.startswith("//")


def _suggest(target: str, ctx: Context, source: str) -> tuple[str, Suggestion | None]:
    """The "did you mean" of a broken name, and the one clear candidate if there is one."""
    alias_of = ctx.index.alias_to.get(fold(target))
    if alias_of:
        name = strip_md(alias_of.rsplit("/", 1)[-1])
        return (
            f"; did you mean [[{name}|{target}]]? '{target}' is an alias of {alias_of}, "
            "and Obsidian does not resolve aliases"
        ), None
    found = suggest_names(ctx.index, target, source)
    if not found:
        return "; create the note, or correct the link", None
    names = ", ".join(f"[[{s.value}]]" for s in found)
    clear = found[0] if found[0].clear and len(found) == 1 else None
    return f"; did you mean {names}?" + (_UNSAFE if clear else ""), clear


_UNSAFE = " ('vaultkit fix --unsafe-fixes' writes it)"


def _report(
    rule_code: str, note: Note | NoteView, link: Link | LinkRow, message: str, edit: Edit | None
) -> Diagnostic:
    r = this(rule_code)
    if isinstance(note, NoteView):
        return r.diag_at(note.path, link, message)
    assert isinstance(link, Link)
    if edit is None:
        return r.diag(note, link.start, link.end, message)
    return r.diag(note, link.start, link.end, message, (edit,), change="retargeted")


@rule(
    "VK001",
    "broken-wikilink",
    Severity.ERROR,
    fix=FixKind.URL,
    safety=FixSafety.UNSAFE,
    fix_message="pointed {n} broken link(s) at the one file they can have meant",
    scope="vault",
)
def broken_wikilink(note: NoteView | Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A wikilink or embed whose target note or file is not in the vault.

    Targets resolve as Obsidian resolves them: case-insensitive, NFC-normalised,
    `.md` optional, a path-qualified target matches as a path suffix, and `../`
    is relative to the linking note. The message suggests the closest note names
    and, when the link text is an alias of a note, the link Obsidian needs.
    Links inside frontmatter properties (`"[[Note]]"`) and comments are checked too; the
    message says so, and `[severity.context]` in the config can give them their own level.
    Template placeholders (`[[<% tp.file.title %>]]`, `[[{{date}}]]`) in the templates
    folder are not links yet, and are skipped.
    Suggestions compare the words of names (`obsidian-dataview` finds `dataview`),
    offer only files of the right kind (an `.mp4` embed gets no note), and say
    nothing rather than offer a poor match.

    ## Why is this bad?
    Clicking the link creates an empty note instead of opening the one meant, and the
    note it should point to loses a backlink.

    ## Example
    ```markdown
    Notes from [[Meeting Notse]].
    ```

    ## Use instead
    ```markdown
    Notes from [[Meeting notes]].
    ```

    ## Fix safety

    Unsafe (`--unsafe-fixes` only): when exactly one file's name differs from the
    target only in case, accents or punctuation, or the note was moved to another
    folder, the fix rewrites the target to that file. It changes what the link points
    to, which only the author can confirm, so it is never applied by a plain `fix`.
    """
    for link in note.links:
        if link.kind not in ("wikilink", "embed") or not link.target:
            continue
        if _placeholder(link.target, note.path, ctx):
            continue
        if ctx.index.resolve(link.target, note.path) is None:
            what = "embed" if link.kind == "embed" else "wikilink"
            hint, clear = _suggest(link.target, ctx, note.path)
            edit = _target_edit(note, link, clear.value) if clear else None
            where = WHERE.get(getattr(link, "context", None) or "", "")
            d = _report(
                "VK001", note, link, f"{what} target '{link.target}'{where} is not in the vault{hint}", edit
            )
            d.extra.update(_context(link))
            yield d


@rule(
    "VK002",
    "broken-anchor",
    Severity.ERROR,
    fix=FixKind.URL,
    safety=FixSafety.UNSAFE,
    fix_message="pointed {n} broken anchor(s) at the one heading they can have meant",
    scope="vault",
)
def broken_anchor(note: NoteView | Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A `#heading` or `#^block` part that the target note does not have.

    Wikilink headings match as Obsidian matches them (case-insensitive,
    punctuation stripped, spaces collapsed; `[[Note#H1#H2]]` needs H2 under H1).
    Markdown `#fragment` links match GitHub's heading slugs (with `-1`, `-2` for
    repeated headings) or Obsidian's URL-encoded heading text. Same-note links
    (`[[#Heading]]`, `[x](#heading)`) are checked against the note itself.
    The message suggests the closest heading of the target, when one is close
    enough and clearly ahead of the second best.

    ## Why is this bad?
    The link opens the note at its top instead of the section meant; usually the heading
    was renamed and the links to it were not.

    ## Example
    ```markdown
    See [[Meeting notes#Agneda]].
    ```

    ## Use instead
    ```markdown
    See [[Meeting notes#Agenda]].
    ```

    ## Fix safety

    Unsafe (`--unsafe-fixes` only): the fix rewrites the anchor to that one clear
    heading. A heading that merely looks alike may not be the one meant.
    """
    for link in note.links:
        if not link.anchor or link.in_frontmatter or _placeholder(link.anchor, note.path, ctx):
            continue
        if link.kind in ("wikilink", "embed"):
            path = ctx.index.resolve(link.target, note.path) if link.target else note.path
            if path is None:
                continue
            anchor = link.anchor
            if anchor.startswith("^"):
                ok = ctx.index.has_block(path, anchor[1:])
            else:
                ok = ctx.index.has_heading_path(path, [p for p in anchor.split("#") if p.strip()])
        elif link.kind in LOCAL_KINDS and not _SCHEME.match(link.target):
            path = ctx.index.resolve_path(link.target, note.path) if link.target else note.path
            if path is None:
                continue
            ok = ctx.index.has_fragment(path, link.anchor)
        else:
            continue
        if not ok:
            yield _broken_anchor(note, link, path, ctx)


def _target_edit(note: NoteView | Note, link: Link | LinkRow, new: str) -> Edit | None:
    if not isinstance(note, Note) or not isinstance(link, Link) or link.in_frontmatter:
        return None
    if note.text[link.dest_start : link.dest_end] != link.target:
        return None
    return Edit(link.dest_start, link.dest_end, new)


def _broken_anchor(note: NoteView | Note, link: Link | LinkRow, path: str, ctx: Context) -> Diagnostic:
    anchor = link.anchor or ""
    where = "this note" if path == note.path else path
    kind = "block" if anchor.startswith("^") else "heading"
    fragment = link.kind not in ("wikilink", "embed")
    if isinstance(note, Note) and path == note.path:
        headings = [h.text for h in note.headings]
    else:
        facts = ctx.index.facts.get(path)
        headings = facts.heading_texts if facts else []
    found = suggest_heading(anchor, headings, fragment)
    hint = f"; did you mean '#{found.value}'?{_UNSAFE}" if found else f"; check the {kind} text or the link"
    if path.lower().endswith(".base"):  # a base's views stand in for headings
        kind, where = "view", f"the views of {path}"
        hint = f"; did you mean '#{found.value}'?{_UNSAFE}" if found else f" ({_names(headings)})"
    edit = _anchor_edit(note, link, found.value) if found and isinstance(note, Note) else None
    return _report("VK002", note, link, f"{kind} '#{anchor}' is not in {where}{hint}", edit)


def _names(views: list[str]) -> str:
    shown = ", ".join(views[:8]) + (", ..." if len(views) > 8 else "")
    return f"its views: {shown}" if views else "it has no named views"


def _anchor_edit(note: Note, link: Link | LinkRow, new: str) -> Edit | None:
    """Rewrite the anchor as written in the note, when it is written as parsed."""
    if not isinstance(link, Link) or link.in_frontmatter or link.dest_start < 0 or not link.anchor:
        return None
    text, anchor = note.text, "#" + link.anchor
    if link.kind in ("wikilink", "embed"):
        start = link.dest_end
        if text[start : start + len(anchor)] == anchor:
            return Edit(start + 1, start + len(anchor), new)
        return None
    if text[link.dest_start : link.dest_end].endswith(anchor):
        return Edit(link.dest_end - len(anchor) + 1, link.dest_end, new)
    return None


@rule("VK003", "missing-file", Severity.ERROR, scope="vault")
def missing_file(note: NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A markdown link or image that points to a local path that does not exist.

    The path is URL-decoded (`My%20Note.md`), `<My Note.md>` is accepted, and it
    is looked up relative to the note, then from the vault root, then by name as
    Obsidian does. Links with a scheme (`https:`, `mailto:`, `obsidian:`) are
    not local and are left to the URL rules.

    ## Why is this bad?
    The image does not show and the link goes nowhere; the file was usually moved or
    renamed outside Obsidian.

    ## Example
    ```markdown
    ![diagram](attachments/diagramm.png)
    ```

    ## Use instead
    ```markdown
    ![diagram](attachments/diagram.png)
    ```

    ## Fix safety

    No fix: the file may be missing on purpose, or be elsewhere under another name.
    """
    for link in note.links:
        if link.kind not in LOCAL_KINDS or not link.target or link.malformed:
            continue
        if not is_local_target(link.target) or _placeholder(link.target, note.path, ctx):
            continue
        if scheme_typo(link.target):
            continue  # malformed-link reports it
        if ctx.index.resolve_path(link.target, note.path) is None:
            where = WHERE.get(getattr(link, "context", None) or "", "")
            d = this("VK003").diag_at(
                note.path,
                link,
                f"'{link.target}'{where} does not exist (looked up from {_folder(note.path)}, the vault "
                "root and by name); " + _www(link.target),
            )
            d.extra.update(_context(link))
            yield d


def commit_link_diag(path: str, row: Any, message: str) -> Diagnostic:
    """A link that the staged commit breaks (``check --staged``), reported as what it will be
    once committed: a broken wikilink, or a missing file for a markdown link."""
    code = "VK001" if row.kind in ("wikilink", "embed") else "VK003"
    return this(code).diag_at(path, row, message)


def _www(target: str) -> str:
    if target.lower().startswith("www.") and "." in target[4:]:
        return f"did you mean https://{target}? Without a scheme it is a path to a file"
    return "correct the path or add the file"


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/" if "/" in path else "the note's folder"
