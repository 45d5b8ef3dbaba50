"""Per-host fair dispatch onto a thread pool.

The dispatcher (the calling thread) keeps one queue per host and hands a URL to the
pool only when its host has a free slot (`per_host`) and its spacing / Retry-After
pause has elapsed, and only while fewer than `concurrency` attempts are in flight. So
workers never block on a busy host: a slow or rate-limited host holds at most its own
slots, and the other hosts keep the remaining workers busy. Retries are re-queued with
a delay instead of sleeping in a worker.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from vaultkit.online.classify import Attempt
from vaultkit.online.settings import OnlineSettings
from vaultkit.online.urls import Target


@dataclass
class Job:
    target: Target
    attempts: int = 0
    prefer_get: bool = False
    started: float | None = None  # monotonic time of the first attempt


class _Host:
    __slots__ = (
        "delayed",
        "head_ok",
        "in_flight",
        "limit",
        "next_start",
        "placed",
        "queue",
        "spacing",
    )

    def __init__(self, limit: int, spacing: float) -> None:
        self.limit = limit
        self.spacing = spacing
        self.queue: deque[Job] = deque()
        self.in_flight = 0
        self.delayed = 0  # jobs waiting to be retried
        self.next_start = 0.0
        self.placed = False  # in the runnable deque or the sleepers heap
        self.head_ok = True  # False once the host answered HEAD with 405/501


Work = Callable[[Target, bool, float], Attempt]  # (target, use_get, seconds left) -> attempt
Done = Callable[[Job, Attempt], None]
HostDone = Callable[[str], None]  # a host has no work left (its connections can go)


class Dispatcher:
    def __init__(
        self,
        settings: OnlineSettings,
        work: Work,
        on_done: Done,
        on_host_done: HostDone | None = None,
    ) -> None:
        self._s = settings
        self._work = work
        self._on_done = on_done
        self._on_host_done = on_host_done
        self._hosts: dict[str, _Host] = {}
        self._runnable: deque[_Host] = deque()
        self._sleepers: list[tuple[float, int, _Host]] = []
        self._delayed: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._results: queue.SimpleQueue[tuple[Job, Future[Attempt]]] = queue.SimpleQueue()
        self._in_flight = 0

    def _host(self, name: str) -> _Host:
        host = self._hosts.get(name)
        if host is None:
            override = self._s.override_for(name)
            limit = override.per_host if override and override.per_host else self._s.per_host
            spacing = self._s.host_spacing_s
            if override is not None and override.spacing_s is not None:
                spacing = override.spacing_s
            host = self._hosts[name] = _Host(limit, spacing)
        return host

    def _place(self, host: _Host, now: float) -> None:
        if host.placed or not host.queue or host.in_flight >= host.limit:
            return  # a finishing attempt will place it again
        host.placed = True
        if host.next_start > now:
            heapq.heappush(self._sleepers, (host.next_start, next(self._seq), host))
        else:
            self._runnable.append(host)

    def run(self, jobs: Iterable[Job]) -> None:
        pending = 0
        for job in jobs:
            self._host(job.target.host).queue.append(job)
            pending += 1
        if not pending:
            return
        now = time.monotonic()
        for host in self._hosts.values():
            self._place(host, now)
        pool = ThreadPoolExecutor(self._s.concurrency, thread_name_prefix="vaultkit-online")
        try:
            while pending:
                self._wake(time.monotonic())
                self._start(pool)
                for job, future in self._wait():
                    if self._complete(job, future):
                        pending -= 1
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _wake(self, now: float) -> None:
        while self._delayed and self._delayed[0][0] <= now:
            job = heapq.heappop(self._delayed)[2]
            host = self._host(job.target.host)
            host.delayed -= 1
            host.queue.appendleft(job)
            self._place(host, now)
        while self._sleepers and self._sleepers[0][0] <= now:
            host = heapq.heappop(self._sleepers)[2]
            host.placed = False
            self._place(host, now)

    def _start(self, pool: ThreadPoolExecutor) -> None:
        while self._in_flight < self._s.concurrency and self._runnable:
            host = self._runnable.popleft()
            host.placed = False
            now = time.monotonic()
            if not host.queue or host.in_flight >= host.limit:
                continue
            if host.next_start > now:
                self._place(host, now)
                continue
            job = host.queue.popleft()
            host.in_flight += 1
            host.next_start = now + host.spacing
            self._in_flight += 1
            job.attempts += 1
            if job.started is None:
                job.started = now
            budget = self._s.url_deadline - (now - job.started)
            future = pool.submit(self._work, job.target, job.prefer_get or not host.head_ok, budget)
            future.add_done_callback(self._reporter(job))
            self._place(host, now)

    def _reporter(self, job: Job) -> Callable[[Future[Attempt]], None]:
        def report(future: Future[Attempt]) -> None:
            self._results.put((job, future))

        return report

    def _wait(self) -> list[tuple[Job, Future[Attempt]]]:
        """Block until an attempt finishes or the next timed event is due."""
        wakeups = [t[0][0] for t in (self._delayed, self._sleepers) if t]
        # Capped so Ctrl-C is noticed promptly even with nothing scheduled.
        timeout = min(max(0.0, min(wakeups) - time.monotonic()), 1.0) if wakeups else 1.0
        try:
            first = self._results.get(timeout=timeout)
        except queue.Empty:
            return []
        done = [first]
        while True:
            try:
                done.append(self._results.get_nowait())
            except queue.Empty:
                return done

    def _complete(self, job: Job, future: Future[Attempt]) -> bool:
        """Book a finished attempt; True when the job is final."""
        now = time.monotonic()
        host = self._host(job.target.host)
        host.in_flight -= 1
        self._in_flight -= 1
        try:
            attempt = future.result()
        except Exception as exc:  # the worker guards itself; belt and braces
            cause = f"internal error: {exc!r}"
            attempt = Attempt("unverifiable", None, job.target.key, False, cause, cacheable=False)
        if attempt.head_unsupported:
            host.head_ok = False
        delay = self._retry_delay(job, attempt)
        if delay is None:
            if job.attempts > 1:
                attempt.cause = f"{attempt.cause} (after {job.attempts} attempts)"
            self._on_done(job, attempt)
            self._place(host, now)
            if self._on_host_done and not (host.queue or host.in_flight or host.delayed):
                self._on_host_done(job.target.host)
            return True
        job.prefer_get = job.prefer_get or attempt.prefer_get
        heapq.heappush(self._delayed, (now + delay, next(self._seq), job))
        host.delayed += 1
        if attempt.status == 429 or attempt.retry_after is not None:
            host.next_start = max(host.next_start, now + delay)  # the whole host backs off
        self._place(host, now)
        return False

    def _retry_delay(self, job: Job, attempt: Attempt) -> float | None:
        s = self._s
        if not attempt.retryable or job.attempts > s.retries:
            return None
        if attempt.retry_after is not None:
            if attempt.retry_after > s.retry_after_cap:
                attempt.cause = f"{attempt.cause} (Retry-After {attempt.retry_after:g} s)"
                return None  # not worth waiting for
            return attempt.retry_after + random.uniform(0, 0.05)
        backoff = s.backoff_base * 2.0 ** (job.attempts - 1)
        delay = backoff + random.uniform(0, backoff / 4)
        started = job.started if job.started is not None else time.monotonic()
        if time.monotonic() + delay >= started + s.url_deadline:
            attempt.cause = f"{attempt.cause} (the URL's {s.url_deadline:g} s deadline passed)"
            return None  # one slow host can't hold a URL for longer
        return delay
