"""Wall-clock deadlines for whole requests.

requests' read timeout applies to each socket read, so a server that trickles a byte
every few seconds never trips it. A single watchdog thread shuts down the socket of
any attempt that outlives its deadline; the blocked read in the worker then returns.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


def _shutdown(sock: socket.socket) -> None:
    # Base-class call: SSLSocket.shutdown would also unwrap TLS under the reader.
    with contextlib.suppress(OSError, ValueError, TypeError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Deadline:
    """One attempt's deadline and the socket it is currently reading from."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.expired = False
        self._done = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            if self._done or sock is None:
                return
            self._sock = sock
            if self.expired:
                _shutdown(sock)

    def detach(self, sock: socket.socket | None = None) -> None:
        """Forget the socket (only `sock`, if given): it is going back to the pool."""
        with self._lock:
            if sock is None or self._sock is sock:
                self._sock = None

    def fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def finish(self) -> None:
        with self._lock:
            self._done = True
            self._sock = None


def current() -> Deadline | None:
    """The deadline of the attempt running on this thread, if any."""
    deadline: Deadline | None = getattr(_local, "deadline", None)
    return deadline


class Watchdog:
    """A daemon thread that fires deadlines; one per `check_urls` call."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="vaultkit-watchdog", daemon=True)
        self._thread.start()

    @contextmanager
    def watch(self, seconds: float) -> Iterator[Deadline]:
        deadline = Deadline(time.monotonic() + seconds)
        with self._cv:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            self._cv.notify()
        previous = current()
        _local.deadline = deadline
        try:
            yield deadline
        finally:
            deadline.finish()
            _local.deadline = previous

    def stop(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify()
        self._thread.join(timeout=1.0)

    def _run(self) -> None:
        with self._cv:
            while not self._stopped:
                if not self._heap:
                    self._cv.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                _, _, deadline = heapq.heappop(self._heap)
                deadline.fire()
