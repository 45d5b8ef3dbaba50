"""The edits of one fix pass, looked up by offset in O(log n) (the link guard asks once per link)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import TypeVar

from vaultkit.model import Edit

T = TypeVar("T")


class EditIndex:
    """``edits`` (each with its owner) sorted by position. When no two overlap, as the
    fixpoint applies them, shifts and overlaps are bisected; otherwise scanned."""

    def __init__(self, owned: Sequence[tuple[Edit, int]]) -> None:
        self.owned = sorted(owned, key=lambda p: (p[0].start, p[0].end))
        self.edits = [e for e, _ in self.owned]
        self.starts = [e.start for e in self.edits]
        self.ends = [e.end for e in self.edits]
        self.disjoint = all(a.end <= b.start for a, b in zip(self.edits, self.edits[1:], strict=False))
        deltas = (len(e.replacement) - (e.end - e.start) for e in self.edits)
        self.prefix = [0, *accumulate(deltas)]

    def shift(self, offset: int) -> int | None:
        """Where ``offset`` of the old text is in the new one; None inside a replaced span."""
        if not self.disjoint:
            delta = 0
            for e in self.edits:
                if e.end <= offset:
                    delta += len(e.replacement) - (e.end - e.start)
                elif e.start < offset:
                    return None
            return offset + delta
        k = bisect_right(self.ends, offset)
        if k < len(self.edits) and self.edits[k].start < offset:
            return None
        return offset + self.prefix[k]

    def owners_touching(self, start: int, end: int) -> list[int]:
        """The owners of the edits that overlap ``[start, end)``, in ascending order."""
        if not self.disjoint:
            return sorted({o for e, o in self.owned if e.start < end and start < e.end})
        lo, hi = bisect_right(self.ends, start), bisect_left(self.starts, end)
        return sorted({o for _, o in self.owned[lo:hi]})
