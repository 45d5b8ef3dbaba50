"""Fixing: take the edits of fixable diagnostics, apply the non-overlapping ones from the
end backwards, re-parse, repeat to a fixpoint, then write once, atomically.

A fix must not change where a note's links point except as its rule declared: after
each pass the link guard (``vaultkit.fixing.guard``) compares every link's resolved
target before and after, and a note whose links changed otherwise is not written.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vaultkit.fixing.guard import applied_of, check_links
from vaultkit.model import Diagnostic, Edit, Note
from vaultkit.parse.note import parse_note
from vaultkit.parse.suppress import is_suppressed
from vaultkit.rules.base import Context, FixKind, Rule

MAX_PASSES = 10


@dataclass
class FixResult:
    text: str
    applied: Counter[str] = field(default_factory=Counter)  # rule name → fixes applied
    convert: bool = False  # re-encode as UTF-8 (an ENCODING rule asked; counted in applied)
    refused: str | None = None  # why the file must not be written
    remaining: list[Diagnostic] = field(default_factory=list)
    note: Note | None = None  # ``text`` parsed (None when refused)


def apply_edits(text: str, groups: Sequence[tuple[Edit, ...]]) -> tuple[str, list[int]]:
    """Apply edit groups (each all-or-nothing) that don't overlap earlier-chosen ones.

    Groups are taken in order of their first edit; a group whose edits overlap each
    other or fall outside the text is skipped. Returns the new text and the indexes
    of the groups applied.
    """
    chosen: list[int] = []
    taken: list[tuple[int, int]] = []  # sorted spans of the chosen edits
    order = sorted(range(len(groups)), key=lambda i: (groups[i][0].start, i))
    for i in order:
        spans = [(e.start, e.end) for e in groups[i]]
        if any(not 0 <= s <= e <= len(text) for s, e in spans):
            continue
        own: list[tuple[int, int]] = []
        ok = True
        for span in spans:
            if _overlaps(span, taken) or _overlaps(span, own):
                ok = False
                break
            insort(own, span)
        if not ok:
            continue
        for span in own:
            insort(taken, span)
        chosen.append(i)
    edits = sorted((e for i in chosen for e in groups[i]), key=lambda e: (e.start, e.end))
    parts, pos = [], 0
    for e in edits:
        parts += [text[pos : e.start], e.replacement]
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts), chosen


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` conflicts with one of the sorted, non-overlapping ``taken`` spans."""
    s, e = span
    k = max(bisect_left(taken, (s, s)) - 2, 0)  # spans starting before s may reach past it
    while k < len(taken) and taken[k][0] <= e:
        ts, te = taken[k]
        if s < te and ts < e:
            return True
        if s == e == ts or (s == e and ts < s < te):  # two insertions at one point
            return True
        k += 1
    return False


def fix_text(note: Note, rules: Sequence[Rule], ctx: Context, unsafe: bool = False) -> FixResult:
    """Run fixable rules on ``note`` to a fixpoint and return the fixed text.

    Each rule's fix kind says how its edits are handled: URL fixes may change a link in
    the way each of their diagnostics declares (the link guard checks it), structural
    fixes take turns (one rule per pass), removals may drop a link whose URL stays in
    the note, and an encoding fix asks for UTF-8.
    """
    fixers = [r for r in rules if r.fixable]
    kinds = {r.code: r.fix for r in fixers}
    result = FixResult(note.text)
    current = note
    for _ in range(MAX_PASSES):
        diags = [d for d in _diagnostics(current, fixers, ctx)]
        for d in diags:
            if d.extra.get("convert") and _kind(d, kinds) is FixKind.ENCODING and not result.convert:
                result.convert = True
                result.applied[d.rule] += 1
        usable = pass_fixes(diags, kinds, unsafe)
        if not usable:
            result.remaining = diags
            break
        new_text, chosen = apply_edits(current.text, [d.edits for d in usable])
        if new_text == current.text:
            break
        for i in chosen:
            result.applied[usable[i].rule] += 1
        new_note = parse_note(note.path, new_text)
        new_note.encoding, new_note.confident = note.encoding, note.confident
        applied = [applied_of(usable[i], _kind(usable[i], kinds)) for i in chosen]
        problem = check_links(current, new_note, applied, ctx.index, unsafe)
        if problem:
            result.refused = problem
            return result
        current = new_note
    result.text, result.note = current.text, current
    return result


def pass_fixes(
    diags: Sequence[Diagnostic], kinds: Mapping[str, FixKind], unsafe: bool = False
) -> list[Diagnostic]:
    """The diagnostics whose edits one pass may apply: every in-line repair, and the
    fixes of the first rule with a structural fix kind that has any (``kinds``: rule
    code → its fix kind; see ``FixKind.structural``)."""
    usable = [d for d in diags if d.edits and (unsafe or not d.unsafe)]
    structural = next((d.code for d in usable if _kind(d, kinds).structural), None)
    return [d for d in usable if not _kind(d, kinds).structural or d.code == structural]


def _kind(d: Diagnostic, kinds: Mapping[str, FixKind]) -> FixKind:
    """The fix kind of the rule that made ``d``; INLINE, the strictest, for a code not known."""
    return kinds.get(d.code, FixKind.INLINE)


def _diagnostics(note: Note, rules: Sequence[Rule], ctx: Context) -> list[Diagnostic]:
    out = []
    for r in rules:
        for d in r.check(note, ctx):
            if not is_suppressed(note, d.rule, d.code, d.line):
                out.append(d)
    return out
