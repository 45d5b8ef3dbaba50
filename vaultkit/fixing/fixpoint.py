"""Fixing: take the edits of fixable diagnostics, apply the non-overlapping ones from the
end backwards, re-parse, repeat to a fixpoint, then write once, atomically.

A fix must not change a note's links except as intended: before writing, the
links of the fixed note are compared with the original ones mapped through the
intended URL repairs, and a file whose links changed otherwise is not written.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vaultkit.model import Diagnostic, Edit, Note
from vaultkit.parse.note import parse_note
from vaultkit.parse.suppress import is_suppressed
from vaultkit.rules.base import Context, FixKind, Rule
from vaultkit.text.urls import canonical_url

MAX_PASSES = 10


@dataclass
class FixResult:
    text: str
    applied: Counter[str] = field(default_factory=Counter)  # rule name → fixes applied
    convert: bool = False  # re-encode as UTF-8 (an ENCODING rule asked; counted in applied)
    refused: str | None = None  # why the file must not be written
    remaining: list[Diagnostic] = field(default_factory=list)


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

    Each rule's fix kind says how its edits are handled: URL fixes tell the link guard
    which URLs they rewrite, structural fixes take turns (one rule per pass), removals
    may drop a link whose URL stays in the note, and an encoding fix asks for UTF-8.
    """
    fixers = [r for r in rules if r.fixable]
    kinds = {r.code: r.fix for r in fixers}
    result = FixResult(note.text)
    current = note
    url_map: dict[str, str] = {}
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
        removed: list[tuple[int, int]] = []
        for i in chosen:
            d = usable[i]
            result.applied[d.rule] += 1
            if _kind(d, kinds).maps_urls:
                _record_urls(current, d.edits, url_map)
            if _kind(d, kinds).removes_links:
                removed.extend((e.start, e.end) for e in d.edits)
        new_note = parse_note(note.path, new_text)
        new_note.encoding, new_note.confident = note.encoding, note.confident
        problem = _links_changed(current, new_note, url_map, removed)
        if problem:
            result.refused = problem
            return result
        url_map = {}
        current = new_note
    result.text = current.text
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


def _record_urls(note: Note, edits: tuple[Edit, ...], url_map: dict[str, str]) -> None:
    """Intended URL repairs: an edit inside a link's destination changes that URL."""
    for link in note.links:
        if link.dest_start < 0:
            continue
        inside = [e for e in edits if link.dest_start <= e.start and e.end <= link.dest_end]
        if not inside:
            continue
        dest = note.text[link.dest_start : link.dest_end]
        for e in sorted(inside, key=lambda e: e.start, reverse=True):
            s, t = e.start - link.dest_start, e.end - link.dest_start
            dest = dest[:s] + e.replacement + dest[t:]
        url_map[link.target] = dest


def _targets(note: Note) -> set[str]:
    return {link.target for link in note.links if link.target}


def _links_changed(
    before: Note, after: Note, url_map: dict[str, str], removed: Sequence[tuple[int, int]] = ()
) -> str | None:
    """Why the links of ``after`` are not those of ``before`` mapped through the intended
    URL repairs; None when they are. A link inside a ``removed`` span may go if its
    canonical URL is still in the note (a duplicate removed)."""
    expected: set[str] = set()
    dropped: set[str] = set()
    for link in before.links:
        if not link.target:
            continue
        target = url_map.get(link.target, link.target)
        if any(s <= link.start and link.end <= e for s, e in removed):
            dropped.add(target)
        else:
            expected.add(target)
    actual = _targets(after)
    canonical = {canonical_url(t) for t in actual}
    expected |= {t for t in dropped - actual if canonical_url(t) not in canonical}
    lost, gained = sorted(expected - actual), sorted(actual - expected - dropped)
    if not lost and not gained:
        return None
    parts = []
    if lost:
        parts.append("would lose " + ", ".join(lost[:3]))
    if gained:
        parts.append("would gain " + ", ".join(gained[:3]))
    return "a fix would change the note's links (" + "; ".join(parts) + "); not written"
