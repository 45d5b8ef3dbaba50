"""Fixing: take the edits of fixable diagnostics, apply the non-overlapping ones from the
end backwards, re-parse, repeat to a fixpoint, then write once, atomically.

A fix must not change a note's links except as intended: before writing, the
links of the fixed note are compared with the original ones mapped through the
intended URL repairs, and a file whose links changed otherwise is not written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from vaultkit.model import Diagnostic, Edit, Note
from vaultkit.parse import is_suppressed, parse_note
from vaultkit.rules.base import Context, Rule

MAX_PASSES = 10
URL_RULES = frozenset({"malformed-link", "tracking-params", "redirected-url", "mojibake"})


@dataclass
class FixResult:
    text: str
    applied: Counter[str] = field(default_factory=Counter)  # rule name → fixes applied
    convert: bool = False  # re-encode as UTF-8
    refused: str | None = None  # why the file must not be written
    remaining: list[Diagnostic] = field(default_factory=list)


def apply_edits(text: str, groups: Sequence[tuple[Edit, ...]]) -> tuple[str, list[int]]:
    """Apply edit groups (each all-or-nothing) that don't overlap earlier-chosen ones.

    Returns the new text and the indexes of the groups applied.
    """
    chosen: list[int] = []
    taken: list[tuple[int, int]] = []
    order = sorted(range(len(groups)), key=lambda i: (groups[i][0].start, i))
    for i in order:
        spans = [(e.start, e.end) for e in groups[i]]
        if any(_overlaps(s, taken) for s in spans):
            continue
        taken.extend(spans)
        chosen.append(i)
    edits = sorted((e for i in chosen for e in groups[i]), key=lambda e: (e.start, e.end))
    out = text
    for e in reversed(edits):
        out = out[: e.start] + e.replacement + out[e.end :]
    return out, chosen


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    s, e = span
    for ts, te in taken:
        if s < te and ts < e:
            return True
        if s == e == ts or (s == e and ts < s < te):  # two insertions at one point
            return True
    return False


def fix_text(note: Note, rules: Sequence[Rule], ctx: Context, unsafe: bool = False) -> FixResult:
    """Run fixable rules on ``note`` to a fixpoint and return the fixed text."""
    fixers = [r for r in rules if r.fixable]
    result = FixResult(note.text)
    current = note
    url_map: dict[str, str] = {}
    for _ in range(MAX_PASSES):
        diags = [d for d in _diagnostics(current, fixers, ctx)]
        if any(d.extra.get("convert") for d in diags):
            result.convert = True
        usable = [d for d in diags if d.edits and (unsafe or not d.unsafe)]
        if not usable:
            result.remaining = diags
            break
        new_text, chosen = apply_edits(current.text, [d.edits for d in usable])
        if new_text == current.text:
            break
        for i in chosen:
            d = usable[i]
            result.applied[d.rule] += 1
            if d.rule in URL_RULES:
                _record_urls(current, d.edits, url_map)
        new_note = parse_note(note.path, new_text)
        new_note.encoding, new_note.confident = note.encoding, note.confident
        problem = _links_changed(current, new_note, url_map)
        if problem:
            result.refused = problem
            return result
        url_map = {}
        current = new_note
    result.text = current.text
    return result


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


def _links_changed(before: Note, after: Note, url_map: dict[str, str]) -> str | None:
    expected = {url_map.get(t, t) for t in _targets(before)}
    actual = _targets(after)
    lost, gained = sorted(expected - actual), sorted(actual - expected)
    if not lost and not gained:
        return None
    parts = []
    if lost:
        parts.append("would lose " + ", ".join(lost[:3]))
    if gained:
        parts.append("would gain " + ", ".join(gained[:3]))
    return "a fix would change the note's links (" + "; ".join(parts) + "); not written"
