"""Text damage: mojibake, odd spaces in list indentation, missing list-marker spaces,
tracking parameters, and notes not stored as UTF-8."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vaultkit.limits import active
from vaultkit.model import Diagnostic, Edit, Note, Severity, long_line_spans
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this
from vaultkit.rules.structure import safe_edits
from vaultkit.text.urls import is_external, strip_tracking, tracking_params

UNICODE_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_NBSP_INDENT = re.compile(
    rf"^([ \t{UNICODE_SPACES}]*[{UNICODE_SPACES}][ \t{UNICODE_SPACES}]*)(?=(?:[-*+]|\d{{1,9}}[.)])[ \t])",
    re.M,
)
_NO_MARKER_SPACE = re.compile(r"^([ \t]*)([-*+])(?=\[[^\]\n]*\]\([^)\n]*\))", re.M)


@rule(
    "VK008",
    "mojibake",
    Severity.WARNING,
    fix=FixKind.URL,  # a repair may reach into a link's URL
    safety=FixSafety.SAFE,
    on_import=True,
    fix_message="repaired mojibake on {n} line(s)",
)
def mojibake(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Text garbled by a wrong encoding: UTF-8 read as Windows-1252, Latin-1 or Mac Roman.

    `â€”` for `—`, `Â` + no-break space, `ðŸ«µ` for 🫵, `‚óªÔ∏è` for `◻️`, and Mac
    Roman emoji (`\\uf8ffüü©` for 🟩). Every damaged line is reported with its
    repair; short lines are repaired too when the same damage shows elsewhere in
    the file or the sequence is unambiguous. Legitimate non-ASCII text (`café`,
    `×`, CJK, emoji) and inline code are left alone. The fix repairs encoding
    only: no quote uncurling, HTML unescaping or Unicode normalisation.

    ## Why is this bad?
    The text reads as garbage, and search does not find the words it holds.

    ## Example
    ```markdown
    Itâ€™s fine â€” really.
    ```

    ## Use instead
    ```markdown
    It’s fine — really.
    ```

    ## Fix safety

    Safe: a repair is made only where the damage is certain (ftfy agrees, the sequence is
    unambiguous, or the file shows the same damage elsewhere), and the repaired text
    encodes back to exactly the damaged one. Inside a link it may change the URL, the
    wikilink target or the fragment, from the garbled form to the one it was made from;
    a repaired `#fragment` is written only when it then matches a heading.
    """
    from vaultkit.rules.fragments import fragment_spans, unresolved_repairs
    from vaultkit.text.mojibake import find_mojibake, looks_like_mojibake

    text = note.text
    if not text or not looks_like_mojibake(text):
        return
    spans = fragment_spans(note)
    skip = note.code_spans + long_line_spans(note, active().line_length)  # the line-length limit
    repairs = find_mojibake(text, skip, [(s, e) for s, e, _ in spans])
    found = [Edit(rep.start, rep.end, rep.replacement) for rep in repairs]
    unresolved = unresolved_repairs(note, ctx.index, found) if spans else set()
    by_line: dict[int, list[Edit]] = {}
    for e in found:
        by_line.setdefault(note.position(e.start)[0], []).append(e)
    yield from _by_line(note, by_line, unresolved)


def _by_line(note: Note, by_line: dict[int, list[Edit]], unresolved: set[Edit]) -> Iterator[Diagnostic]:
    """One finding per damaged line, with the line as repaired; a line whose only repairs
    are fragments that would match no heading is reported, not fixed."""
    for line, all_edits in sorted(by_line.items()):
        edits = [e for e in all_edits if e not in unresolved]
        if not edits:
            first = all_edits[0]
            yield this("VK008").diag(
                note,
                first.start,
                all_edits[-1].end,
                "mojibake in a link fragment; not fixed: the repaired fragment "
                f"'{first.replacement}' would match no heading; correct the link by hand",
            )
            continue
        start, end = edits[0].start, edits[-1].end
        original = note.line_text(line)
        line_start = note.line_starts[line - 1]
        fixed = original
        for e in reversed(edits):
            fixed = fixed[: e.start - line_start] + e.replacement + fixed[e.end - line_start :]
        yield this("VK008").diag(
            note,
            start,
            end,
            f"mojibake; repaired the line reads: {fixed.strip()[:120]}",
            tuple(edits),
            change="mojibake-repaired",
        )


@rule(
    "VK009",
    "nbsp-indent",
    Severity.WARNING,
    fix=FixKind.STRUCTURAL,
    safety=FixSafety.SAFE,
    on_import=True,
    fix_message="re-indented {n} list item(s) indented with no-break spaces",
)
def nbsp_indent(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    No-break spaces (U+00A0) or other Unicode spaces in the indentation of a list item.

    Markdown only counts ASCII spaces and tabs as indentation, so such items lose
    their nesting. The fix turns each of them into a regular space, where the line
    then is a list item (four spaces with no list above would make it a code block).

    ## Why is this bad?
    The nested item shows as a paragraph or as part of the item above, not under it.

    ## Example
    The item `milk` is indented with two no-break spaces:
    ```markdown
    - groceries
    \u00a0\u00a0- milk
    ```

    ## Use instead
    ```markdown
    - groceries
      - milk
    ```

    ## Fix safety

    Safe: only the indentation changes, and only where the line then is the list item it
    was meant to be; no text or link is touched.
    """
    text = note.text
    if not text or not any(c in text for c in UNICODE_SPACES):
        return
    found: list[Edit] = []
    for m in _NBSP_INDENT.finditer(text):
        if _in_code(note, m.start()):
            continue
        indent = m.group(1)
        found.append(Edit(m.start(), m.end(), "".join(" " if c in UNICODE_SPACES else c for c in indent)))
    good = safe_edits(text, found, make_items=True)
    for i, e in enumerate(found):
        yield this("VK009").diag(
            note,
            e.start,
            e.end,
            "list item indented with no-break or other Unicode spaces; they do "
            "not count as indentation" + ("" if i in good else _NOT_FIXED),
            (e,) if i in good else (),
        )


_NOT_FIXED = (
    "; not fixed: the line would not become a list item, or lines below it would move "
    "in or out of a code block"
)


@rule(
    "VK010",
    "list-marker-space",
    Severity.WARNING,
    fix=FixKind.STRUCTURAL,
    safety=FixSafety.SAFE,
    on_import=True,
    fix_message="added the missing space after {n} list marker(s)",
)
def list_marker_space(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A line starting `-[text](url)` or `*[text](url)`: a list item missing the space
    after its marker, so it is not a list item. The fix inserts the space, unless the line
    would still not be a list item or an indented code block below would join the list.

    ## Why is this bad?
    The line shows as a paragraph with a stray `-`, not as an item of the list around it.

    ## Example
    ```markdown
    - [one](https://example.com/1)
    -[two](https://example.com/2)
    ```

    ## Use instead
    ```markdown
    - [one](https://example.com/1)
    - [two](https://example.com/2)
    ```

    ## Fix safety

    Safe: one space is inserted after the marker; the link is unchanged. Skipped where the
    line would still not be a list item or code below would join the list.
    """
    text = note.text
    if not text or "[" not in text:
        return
    found: list[tuple[int, str]] = []
    for m in _NO_MARKER_SPACE.finditer(text):
        pos = m.end(2)
        if _in_code(note, pos):
            continue
        line = note.line_text(note.position(pos)[0])
        if m.group(2) == "*" and line.rstrip().endswith("*"):
            continue  # *[emphasised link](url)*
        found.append((pos, m.group(2)))
    edits = [Edit(pos, pos, " ") for pos, _ in found]
    good = safe_edits(text, edits, make_items=True)
    for i, (pos, marker) in enumerate(found):
        yield this("VK010").diag(
            note,
            pos - 1,
            pos,
            f"'{marker}' is followed by a link without a space, so this "
            "line is not a list item; add a space" + ("" if i in good else _NOT_FIXED),
            (edits[i],) if i in good else (),
        )


@rule(
    "VK011",
    "tracking-params",
    Severity.INFO,
    fix=FixKind.URL,
    safety=FixSafety.SAFE,
    on_import=True,
    fix_message="removed tracking parameters from {n} URL(s)",
)
def tracking(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Tracking parameters (`utm_*`, `fbclid`, `gclid`, ...) in a link URL.

    The fix removes them and leaves the rest of the URL exactly as written;
    parameters that carry meaning (YouTube `v`, `list`, `t`) are never removed.

    ## Why is this bad?
    They make one page look like many (duplicates go unnoticed), they leak where a link
    came from, and they make URLs long.

    ## Example
    ```markdown
    [Post](https://example.com/post?utm_source=rss&id=7)
    ```

    ## Use instead
    ```markdown
    [Post](https://example.com/post?id=7)
    ```

    ## Fix safety

    Safe: tracking parameters only tell the site where a visitor came from; the page is
    the same without them, and every other character of the URL stays as written.
    """
    for link in note.links:
        if link.in_frontmatter or link.malformed or not is_external(link.target):
            continue
        names = tracking_params(link.target)
        if not names:
            continue
        edits: tuple[Edit, ...] = ()
        if link.dest_start >= 0 and note.text[link.dest_start : link.dest_end] == link.target:
            edits = (Edit(link.dest_start, link.dest_end, strip_tracking(link.target)),)
        writes = f"; the fix writes {edits[0].replacement}" if edits else ""
        yield this("VK011").diag(
            note,
            link.start,
            link.end,
            f"tracking parameter(s) {', '.join(names)} in {link.target}{writes}",
            edits,
            change="tracking-removed",
        )


@rule(
    "VK012",
    "non-utf8-encoding",
    Severity.WARNING,
    fix=FixKind.ENCODING,
    safety=FixSafety.SAFE,
    fix_message="rewrote {n} file(s) as UTF-8",
)
def non_utf8(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A note stored in an encoding other than UTF-8 (Windows-1252, Mac Roman, UTF-16...).

    The encoding is detected with charset-normalizer. The fix rewrites the file as
    UTF-8, and only when the detection is confident.

    ## Why is this bad?
    Obsidian and most tools read notes as UTF-8, so every accented letter and symbol
    shows as mojibake, and an edit saved by them mixes two encodings in one file.

    ## Example
    A note saved by an old editor as Windows-1252: `café` is stored as the bytes
    `63 61 66 e9`.

    ## Use instead
    The same note saved as UTF-8: `café` is the bytes `63 61 66 c3 a9`.

    ## Fix safety

    Safe when the detection is confident: the text is the same, only its bytes change.
    A guessed encoding is never converted.
    """
    enc = note.encoding
    if enc in ("utf-8", "utf-8-sig", "ascii"):
        return
    sure = "" if note.confident else " (detection not confident: convert it by hand)"
    yield this("VK012").diag(note, 0, 0, f"file is encoded as {enc}, not UTF-8{sure}", convert=note.confident)


def _in_code(note: Note, offset: int) -> bool:
    return any(s <= offset < e for s, e in note.code_spans)
