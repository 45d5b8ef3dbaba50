"""Per-note work across processes: serial when there are few items, a pool when many."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def worker_count(items: int, min_items: int) -> int:
    """Processes to use for ``items`` items: none (serial) below ``min_items``, or on one core."""
    cores = min(os.cpu_count() or 1, 8)
    return 0 if items < min_items or cores < 2 else cores


def map_chunks(fn: Callable[..., list[T]], items: Sequence[Any], args: tuple[Any, ...],
               min_items: int) -> list[T]:
    """``fn(*args, chunk)`` over chunks of ``items``, results flattened in order.

    ``fn`` takes a list of items and returns one result per item; it must be picklable.
    """
    items = list(items)
    workers = worker_count(len(items), min_items)
    if not workers:
        return fn(*args, items)
    size = max(25, len(items) // (workers * 8))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    columns = [[a] * len(chunks) for a in args]
    with ProcessPoolExecutor(workers) as pool:
        return [r for part in pool.map(fn, *columns, chunks) for r in part]
