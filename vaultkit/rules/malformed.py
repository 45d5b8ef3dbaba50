"""malformed-link: text meant as a link that did not become one."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vaultkit.model import Diagnostic, Edit, Link, Note, Severity
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.text.url_repair import describe, fix_scheme, repair_space, scheme_typo, split_glued
from vaultkit.text.urls import is_external

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Templater (`<% tp.date.now() %>`) and core Templates (`{{date}}`) placeholders.
_PLACEHOLDER = re.compile(r"<%.*?%>|\{\{.*?\}\}")
_WHERE = {"comment": " in a comment", "property": " in a property"}


_WHY = {
    "space-before-paren": "a space between ']' and '(' stops this from being a link",
    "double-paren": "two '(' before the URL stop this from being a link",
    "no-parens": "the URL after ']' needs parentheses to make a link",
    "reversed": "the URL and the text are the wrong way round",
    "unclosed-wikilink": "the wikilink's '[[' is never closed with ']]' on its line",
    "undefined-reference": "no '[label]: URL' defines this reference link",
    "unclosed": "the link's '(' is never closed",
    "unbalanced": "unbalanced brackets or parentheses around a link",
}


@rule(
    "VK004",
    "malformed-link",
    Severity.ERROR,
    fix=FixKind.URL,
    safety=FixSafety.SAFE,
    on_import=True,
    fix_message="repaired {n} malformed link(s)",
)
def malformed_link(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Text meant as a link that did not become one, or a URL that can't be right.

    Also reports `[t]((https://…)`, `[t]https://…` and `(https://…)[t]` (rebuilt as
    `[t](https://…)` by the fix: each has one reading), an unclosed `[[…`, a
    reference link `[t][ref]` with no `[ref]:` definition, and a misspelt scheme
    (`htps://`, `https//`, `http:/x`, fixed to `https://`/`http://`).

    Reports whitespace inside a URL (`[t](https://simonwil lison.net/x)`), two
    URLs in one link (`[t](https://a.io/k https://a.io/l)`), two URLs glued
    together (`https://a.io/x.htmlhttps://a.io/x.html`), an empty destination
    (`[t]()`), and unbalanced brackets or parentheses around a link. Each message
    says what the fix will write.

    ## Why is this bad?
    The markdown shows as literal brackets, or the link opens a URL that does not exist.

    ## Example
    ```markdown
    [Post](https://example.com/a.htmlhttps://example.com/a.html)
    ```

    ## Use instead
    ```markdown
    [Post](https://example.com/a.html)
    ```

    ## Fix safety

    Safe, where there is only one reading and the target stays the same:

    - a space in the path, query or fragment is written `%20`
      (`preview_Blue Topaz.png` → `preview_Blue%20Topaz.png`): the same file on the
      server, the same local file;
    - a space in the host is removed when the joined host is a valid host name
      (`simonwil lison.net` → `simonwillison.net`): a host cannot hold a space;
    - a URL glued to a copy of itself becomes one copy.

    Unsafe (`--unsafe-fixes` only): two whole URLs in one destination are split into
    two links with the same text; they are never merged. Tabs, line breaks, other
    glued URLs and hosts that stay invalid are reported and left alone.
    """
    r = this("VK004")
    for link in note.links:
        if link.malformed == "whitespace":
            yield _whitespace(note, link)
        elif link.malformed:
            yield _shaped(note, link)
        elif link.kind in ("link", "image") and scheme_typo(link.target):
            yield _typo(note, link)
        elif link.kind == "link" and not link.target and link.anchor is None:
            yield r.diag(
                note,
                link.start,
                link.end,
                "link has an empty destination '()'; add the URL or remove the link",
            )
        elif is_external(link.target):
            yield from _glued(note, link)


def _whitespace(note: Note, link: Link) -> Diagnostic:
    repair = repair_space(link.target)
    written = note.text[link.dest_start : link.dest_end] == link.target
    message = describe(link.target, repair)
    if repair is None or not written:
        return this("VK004").diag(note, link.start, link.end, message)
    if repair.kind != "urls-split":
        edit = Edit(link.dest_start, link.dest_end, repair.replacement)
        return this("VK004").diag(note, link.start, link.end, message, (edit,), change=repair.kind)
    before, after = note.text[link.start : link.dest_start], note.text[link.dest_end : link.end]
    if note.text[link.start - 1 : link.start] == "!":
        before = "!" + before  # an image: split it into two images
    split = " ".join(before + part + after for part in repair.parts)
    start = link.start - (1 if before.startswith("!") else 0)
    edit = Edit(start, link.end, split)
    return this("VK004").diag(note, start, link.end, message, (edit,), unsafe=True, change="urls-split")


# Malformed shapes with a single reading, rebuilt as `[text](url)` by the fix.
_REBUILT = frozenset({"double-paren", "no-parens", "reversed"})


def _shaped(note: Note, link: Link) -> Diagnostic:
    """A malformed shape: rebuilt as ``[text](url)`` when it has a single reading."""
    r, why = this("VK004"), link.malformed or ""
    if why in _REBUILT:
        rebuilt = f"[{link.text}]({link.target})"
        message = f"{_WHY[why]}: it should probably be {rebuilt}"
        return r.diag(note, link.start, link.end, message, (Edit(link.start, link.end, rebuilt),))
    if why == "undefined-reference":
        label = link.target
        message = f"{_WHY[why]}: '[{label}]'; add '[{label}]: URL' or correct the label"
        return r.diag(note, link.start, link.end, message)
    return r.diag(note, link.start, link.end, f"{_WHY.get(why, 'malformed link')}: {link.target}")


def _typo(note: Note, link: Link) -> Diagnostic:
    fixed = fix_scheme(link.target) or link.target
    edits: tuple[Edit, ...] = ()
    if link.dest_start >= 0 and note.text[link.dest_start : link.dest_end] == link.target:
        edits = (Edit(link.dest_start, link.dest_end, fixed),)
    message = f"misspelt URL scheme: '{link.target}' should be {fixed}"
    return this("VK004").diag(note, link.start, link.end, message, edits)


def _glued(note: Note, link: Link) -> Iterator[Diagnostic]:
    parts = split_glued(link.target)
    if not parts:
        return
    edits: tuple[Edit, ...] = ()
    same = all(p == parts[0] for p in parts)
    if same and link.dest_start >= 0 and note.text[link.dest_start : link.dest_end] == link.target:
        edits = (Edit(link.dest_start, link.dest_end, parts[0]),)
    if same:
        what = f"a URL glued to a copy of itself: {link.target}" + (
            f"; the fix writes {parts[0]}" if edits else ""
        )
    else:
        what = f"{len(parts)} URLs glued together: {link.target}; separate them by hand"
    yield this("VK004").diag(note, link.start, link.end, what, edits, change="glued-duplicate-removed")
