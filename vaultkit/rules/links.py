"""Link rules: wikilinks, anchors, local files, malformed links."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vaultkit.index.facts import NoteView
from vaultkit.index.names import fold, strip_md
from vaultkit.model import Diagnostic, Edit, Link, Note, Severity
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.text.url_repair import find_space_broken, split_glued
from vaultkit.text.urls import is_external

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
LOCAL_KINDS = ("link", "image", "html", "reference")


def _sort_key(name: str) -> str:
    """rapidfuzz's token_sort_ratio, precomputed: processed and token-sorted."""
    from rapidfuzz import utils

    return " ".join(sorted(utils.default_process(name).split()))


def _suggest(target: str, ctx: Context) -> str:
    from rapidfuzz import fuzz, process

    alias_of = ctx.index.alias_to.get(fold(target))
    if alias_of:
        name = strip_md(alias_of.rsplit("/", 1)[-1])
        return (
            f"; did you mean [[{name}|{target}]]? '{target}' is an alias of {alias_of}, "
            "and Obsidian does not resolve aliases"
        )
    key = target.rsplit("/", 1)[-1]
    names = ctx.index.suggestion_names()
    keys = ctx.settings.get("_name_keys")
    if keys is None or len(keys) != len(names):
        keys = ctx.settings["_name_keys"] = [_sort_key(n) for n in names]
    # Whole-name similarity: WRatio's partial matching offered 'a' for 'Real Nme'.
    found = process.extract(_sort_key(key), keys, scorer=fuzz.ratio, processor=None, limit=3, score_cutoff=75)
    if found:
        return "; did you mean " + ", ".join(f"[[{names[i]}]]" for _, _, i in found) + "?"
    return "; create the note, or correct the link"


@rule("VK001", "broken-wikilink", Severity.ERROR, scope="vault")
def broken_wikilink(note: NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """A wikilink or embed whose target note or file is not in the vault.

    Targets resolve as Obsidian resolves them: case-insensitive, NFC-normalised,
    `.md` optional, a path-qualified target matches as a path suffix, and `../`
    is relative to the linking note. The message suggests the closest note names
    and, when the link text is an alias of a note, the link Obsidian needs.
    Links inside frontmatter properties (`"[[Note]]"`) are checked too.
    """
    for link in note.links:
        if link.kind not in ("wikilink", "embed") or not link.target:
            continue
        if ctx.index.resolve(link.target, note.path) is None:
            what = "embed" if link.kind == "embed" else "wikilink"
            yield this("VK001").diag_at(
                note.path,
                link,
                f"{what} target '{link.target}' is not in the vault{_suggest(link.target, ctx)}",
            )


@rule("VK002", "broken-anchor", Severity.ERROR, scope="vault")
def broken_anchor(note: NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """A `#heading` or `#^block` part that the target note does not have.

    Wikilink headings match as Obsidian matches them (case-insensitive,
    punctuation stripped, spaces collapsed; `[[Note#H1#H2]]` needs H2 under H1).
    Markdown `#fragment` links match GitHub's heading slugs (with `-1`, `-2` for
    repeated headings) or Obsidian's URL-encoded heading text. Same-note links
    (`[[#Heading]]`, `[x](#heading)`) are checked against the note itself.
    """
    for link in note.links:
        if not link.anchor or link.in_frontmatter:
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
            where = "this note" if path == note.path else path
            kind = "block" if link.anchor.startswith("^") else "heading"
            yield this("VK002").diag_at(
                note.path,
                link,
                f"{kind} '#{link.anchor}' is not in {where}; check the {kind} text or the link",
            )


@rule("VK003", "missing-file", Severity.ERROR, scope="vault")
def missing_file(note: NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """A markdown link or image that points to a local path that does not exist.

    The path is URL-decoded (`My%20Note.md`), `<My Note.md>` is accepted, and it
    is looked up relative to the note, then from the vault root, then by name as
    Obsidian does. Links with a scheme (`https:`, `mailto:`, `obsidian:`) are
    not local and are left to the URL rules.
    """
    for link in note.links:
        if link.kind not in LOCAL_KINDS or not link.target or link.malformed:
            continue
        if _SCHEME.match(link.target) or link.target.startswith("//"):
            continue
        if ctx.index.resolve_path(link.target, note.path) is None:
            yield this("VK003").diag_at(
                note.path,
                link,
                f"'{link.target}' does not exist (looked up from {_folder(note.path)}, the vault root "
                "and by name); correct the path or add the file",
            )


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/" if "/" in path else "the note's folder"


_WHY = {
    "space-before-paren": "a space between ']' and '(' stops this from being a link",
    "unclosed": "the link's '(' is never closed",
    "unbalanced": "unbalanced brackets or parentheses around a link",
}


@rule(
    "VK004",
    "malformed-link",
    Severity.ERROR,
    fix=FixKind.URL,
    safety=FixSafety.SAFE,
    fix_message="repaired {n} malformed link(s)",
)
def malformed_link(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """Text meant as a link that did not become one, or a URL that can't be right.

    Reports whitespace inside a URL (`[t](https://simonwil lison.net/x)`), two
    URLs glued together (`https://a.io/x.htmlhttps://a.io/x.html`), an empty
    destination (`[t]()`), and unbalanced brackets or parentheses around a link.
    The fix is applied only where it is unambiguous: a URL glued to a copy of
    itself becomes one URL, and whitespace is removed from a URL that is
    otherwise well-formed.
    """
    r = this("VK004")
    for link in note.links:
        if link.malformed == "whitespace":
            fixed = find_space_broken(link.target)
            edits = (Edit(link.dest_start, link.dest_end, fixed),) if fixed else ()
            yield r.diag(
                note,
                link.start,
                link.end,
                f"URL contains whitespace: '{link.target}'"
                + (f"; it should probably be {fixed}" if fixed else ""),
                edits,
            )
        elif link.malformed:
            yield r.diag(
                note, link.start, link.end, f"{_WHY.get(link.malformed, 'malformed link')}: {link.target}"
            )
        elif link.kind == "link" and not link.target and link.anchor is None:
            yield r.diag(
                note,
                link.start,
                link.end,
                "link has an empty destination '()'; add the URL or remove the link",
            )
        elif is_external(link.target):
            yield from _glued(note, link)


def _glued(note: Note, link: Link) -> Iterator[Diagnostic]:
    parts = split_glued(link.target)
    if not parts:
        return
    edits: tuple[Edit, ...] = ()
    same = all(p == parts[0] for p in parts)
    if same and link.dest_start >= 0 and note.text[link.dest_start : link.dest_end] == link.target:
        edits = (Edit(link.dest_start, link.dest_end, parts[0]),)
    what = "a URL glued to a copy of itself" if same else f"{len(parts)} URLs glued together"
    yield this("VK004").diag(note, link.start, link.end, f"{what}: {link.target}", edits)
