"""Per-note work across processes: serial when there are few items, a pool when many."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


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


class Pending(Protocol[T_co]):
    """A result that may still be on its way (``concurrent.futures.Future`` is one)."""

    def done(self) -> bool: ...

    def result(self) -> T_co: ...


class Deferred(Generic[T]):
    """``fn(*args)``, computed here on the first ``result()``; always ``done()``, so a
    caller waiting for it does not hold back work."""

    _value: T

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._fn, self._args, self._computed = fn, args, False

    def done(self) -> bool:
        return True

    def result(self) -> T:
        if not self._computed:
            self._value, self._computed = self._fn(*self._args), True
        return self._value


@contextmanager
def in_background(fn: Callable[..., T], args: tuple[Any, ...],
                  parallel: bool) -> Iterator[Pending[T]]:
    """``fn(*args)`` in another process while this one goes on, when ``parallel`` (and
    there is a second core); otherwise computed here when asked for. ``fn`` and ``args``
    must be picklable."""
    if not parallel or worker_count(2, 2) == 0:
        yield Deferred(fn, args)
        return
    with ProcessPoolExecutor(1) as pool:
        yield pool.submit(fn, *args)
