"""Work in other processes: per-note work over a pool (serial when there are few items),
and one job in a background child while this process goes on."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


def worker_count(items: int, min_items: int) -> int:
    """Processes to use for ``items`` items: none (serial) below ``min_items``, or on one core."""
    cores = min(os.cpu_count() or 1, 8)
    return 0 if items < min_items or cores < 2 else cores


def map_chunks(
    fn: Callable[..., list[T]],
    items: Sequence[Any],
    args: tuple[Any, ...],
    min_items: int,
    rescue: Callable[[Any, str], T] | None = None,
) -> list[T]:
    """``fn(*args, chunk)`` over chunks of ``items``, results flattened in order (see
    ``iter_chunks``)."""
    parts = sorted(iter_chunks(fn, items, args, min_items, rescue), key=lambda p: p[0])
    return [r for _, part in parts for r in part]


def iter_chunks(
    fn: Callable[..., list[T]],
    items: Sequence[Any],
    args: tuple[Any, ...],
    min_items: int,
    rescue: Callable[[Any, str], T] | None = None,
) -> Iterator[tuple[int, list[T]]]:
    """``fn(*args, chunk)`` over chunks of ``items``: each chunk's number and results as
    it is done (in order, but a chunk whose worker died comes last), so that the caller
    need not hold them all.

    ``fn`` takes a list of items and returns one result per item; it must be picklable.
    When a worker process dies (a crash in native code, the out-of-memory killer), the
    items of every chunk it took down are run again one at a time in a fresh worker,
    so that only the item that kills it again is lost: ``rescue(item, why)`` stands in
    for its result (without ``rescue``, the failure is raised).
    """
    items = list(items)
    workers = worker_count(len(items), min_items)
    if not workers:
        if items:
            yield 0, fn(*args, items)
        return
    size = max(25, len(items) // (workers * 8))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    broken: list[int] = []
    with ProcessPoolExecutor(workers) as pool:
        futures: list[Future[list[T]] | None] = [pool.submit(fn, *args, chunk) for chunk in chunks]
        for i, future in enumerate(futures):
            assert future is not None
            futures[i] = None  # its results are the caller's once yielded
            try:
                part = future.result()
            except BrokenProcessPool:
                if rescue is None:
                    raise
                broken.append(i)
                continue
            yield i, part
    for i in broken:
        yield i, _one_at_a_time(fn, chunks[i], args, rescue)


DIED = "the worker process reading it died (a crash in native code, or out of memory)"


def _one_at_a_time(
    fn: Callable[..., list[T]], items: list[Any], args: tuple[Any, ...], rescue: Any
) -> list[T]:
    """Each item in a worker of its own until one dies; a fresh worker for the rest."""
    out: list[T] = []
    pool: ProcessPoolExecutor | None = None
    try:
        for item in items:
            if pool is None:
                pool = ProcessPoolExecutor(1)
            try:
                out.extend(pool.submit(fn, *args, [item]).result())
            except BrokenProcessPool:
                out.append(rescue(item, DIED))
                pool.shutdown(wait=True)
                pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return out


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


class Child(Generic[T]):
    """A child process that runs ``fn`` on arguments sent later, and sends back the result.

    Start it early, while this process is small: a forked child shares this process's
    memory, and each page either of them then touches is copied (forked late, beside a
    built export, it doubled the peak memory). This thread reads the result itself when
    ``done()`` says it is there; a process pool's helper thread would have to win the
    GIL from this busy thread for every 64 KB read (the README's Speed section has the cost)."""

    def __init__(self, fn: Callable[..., T]) -> None:
        context = multiprocessing.get_context()
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, self._conn, fn), daemon=True)
        self._process.start()
        theirs.close()
        self._fn = fn
        self._args: tuple[Any, ...] = ()

    def submit(self, args: tuple[Any, ...]) -> Child[T]:
        """Send the arguments (they must pickle); the result is then pending."""
        self._args = args
        with contextlib.suppress(OSError):  # the child is gone: result() does the work here
            self._conn.send(args)
        return self

    def done(self) -> bool:
        try:
            return self._conn.poll()
        except OSError:
            return True

    def result(self) -> T:
        try:
            ok, value = self._conn.recv()
        except (EOFError, OSError):  # the child died (killed?): do the work here instead
            return self._fn(*self._args)
        finally:
            self.close()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _serve(conn: Connection, parents: Connection, fn: Callable[..., Any]) -> None:
    parents.close()  # a forked child holds the parent's end too; without it, EOF shows
    try:
        args = conn.recv()
    except (EOFError, OSError):  # the parent needed nothing after all
        return
    try:
        outcome = (True, fn(*args))
    except Exception as exc:  # raised again in the parent
        outcome = (False, exc)
    # If the parent stopped listening, or the outcome does not pickle, the parent sees
    # the pipe close and does the work itself.
    with contextlib.suppress(Exception):
        conn.send(outcome)
    conn.close()


Submit = Callable[[tuple[Any, ...]], Pending[T]]


@contextlib.contextmanager
def background(fn: Callable[..., T], parallel: bool) -> Iterator[Submit[T]]:
    """A ``submit(args)`` that runs ``fn(*args)`` in a child process started now (when
    ``parallel``, and there is a second core), while this one goes on; otherwise ``fn``
    runs here when its result is asked for. ``fn`` and the arguments must pickle."""
    if not parallel or worker_count(2, 2) == 0:
        yield lambda args: Deferred(fn, args)
        return
    child = Child(fn)
    try:
        yield child.submit
    finally:
        child.close()
