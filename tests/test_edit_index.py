"""EditIndex (the link guard's look-ups) gives the same answers as scanning every edit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vaultkit.fixing.spans import EditIndex
from vaultkit.model import Edit


def _shift(offset: int, edits: list[Edit]) -> int | None:
    delta = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.end <= offset:
            delta += len(e.replacement) - (e.end - e.start)
        elif e.start < offset:
            return None
    return offset + delta


@st.composite
def _edits(draw: st.DrawFn) -> list[Edit]:
    cuts = sorted(draw(st.lists(st.integers(0, 60), max_size=12)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    if draw(st.booleans()) and pairs:  # sometimes overlapping: the scanning fallback
        pairs.append((pairs[0][0], pairs[-1][1]))
    return [Edit(s, e, draw(st.text("ab", max_size=4))) for s, e in pairs]


@given(_edits(), st.integers(0, 70), st.integers(0, 70))
def test_the_index_agrees_with_a_scan(edits: list[Edit], a: int, b: int) -> None:
    index = EditIndex([(e, i % 3) for i, e in enumerate(edits)])
    assert index.shift(a) == _shift(a, edits)
    start, end = min(a, b), max(a, b)
    touching = sorted({i % 3 for i, e in enumerate(edits) if e.start < end and start < e.end})
    assert index.owners_touching(start, end) == touching
