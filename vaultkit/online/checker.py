"""check_urls: dedupe, exclude, cache, dispatch, and map verdicts back to the input."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from vaultkit.online.cache import Entry, ResultCache
from vaultkit.online.classify import Attempt
from vaultkit.online.fetch import Fetcher, make_session
from vaultkit.online.guard import Guard, system_resolver
from vaultkit.online.reach import unreachable
from vaultkit.online.scheduler import Dispatcher, Job
from vaultkit.online.settings import OnlineSettings, Outcome, Progress, UrlResult, UrlResults
from vaultkit.online.urls import Target, prepare, with_fragment


class _Tally:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.dead = 0
        self.results: dict[str, UrlResult] = {}
        self._progress = progress

    def add(self, result: UrlResult) -> None:
        self.results[result.url] = result
        self.done += 1
        self.dead += result.outcome == "dead"
        if self._progress is not None:
            self._progress(self.done, self.total, self.dead)


def _immediate(url: str, outcome: Outcome, cause: str) -> UrlResult:
    return UrlResult(url, outcome, None, None, False, cause, 0, False)


def check_urls(urls: Iterable[str], settings: OnlineSettings, progress: Progress | None = None) -> UrlResults:
    """Check each distinct URL once; return {url: result} in first-seen order.

    `progress(done, total, dead)` is called from the calling thread as results arrive.
    A bad URL never raises; an invalid `exclude` regex raises ValueError up front. When no
    host resolves (see reach.py), nothing is requested: the URLs are unverifiable and the
    result's ``unreachable`` says why.
    """
    try:
        excludes = [re.compile(p) for p in settings.exclude]
    except re.error as exc:
        raise ValueError(f"invalid exclude pattern: {exc}") from exc
    ordered = list(dict.fromkeys(urls))
    tally = _Tally(len(ordered), progress)
    groups: dict[str, list[tuple[str, Target]]] = {}  # request key -> input URLs
    for url in ordered:
        if not isinstance(url, str):
            tally.add(_immediate(str(url), "dead", "invalid URL: not a string"))
        elif (hit := next((p for p in excludes if p.search(url)), None)) is not None:
            tally.add(_immediate(url, "excluded", f"excluded by pattern {hit.pattern!r}"))
        else:
            target = prepare(url)
            if isinstance(target, tuple):
                tally.add(_immediate(url, *target))
            else:
                groups.setdefault(target.key, []).append((url, target))

    out = UrlResults()
    cache: ResultCache | None = None
    if settings.cache_path is not None:
        cache = ResultCache(settings.cache_path, settings.ttl_ok_s, settings.ttl_fail_s)
    try:
        if cache is not None and not settings.refresh:
            for key, entry in cache.fresh(groups, settings.clock()).items():
                for url, target in groups.pop(key):
                    tally.add(_from_entry(url, target, entry))
        if groups:
            out.unreachable = _offline(groups, settings, tally)
        if groups and out.unreachable is None:
            _run_network(groups, settings, tally, cache)
    finally:
        if cache is not None:
            cache.close()
    out.update((url, tally.results[url]) for url in dict.fromkeys(map(_as_key, ordered)))
    return out


def _offline(
    groups: dict[str, list[tuple[str, Target]]], settings: OnlineSettings, tally: _Tally
) -> str | None:
    """Why the network is unreachable (every URL then unverifiable, uncached), or None."""
    hosts = (target.host for members in groups.values() for _, target in members)
    why = unreachable(hosts, settings.resolver or system_resolver, settings.connect_timeout)
    if why is not None:
        for members in groups.values():
            for url, _ in members:
                tally.add(_immediate(url, "unverifiable", "the network is unreachable"))
    return why


def _as_key(url: object) -> str:
    return url if isinstance(url, str) else str(url)


def _from_entry(url: str, target: Target, entry: Entry) -> UrlResult:
    return UrlResult(
        url=url,
        outcome=entry.outcome,
        status=entry.status,
        final_url=with_fragment(entry.final_url, target.fragment),
        permanent=entry.permanent,
        cause=entry.cause,
        elapsed_ms=0,
        from_cache=True,
    )


def _run_network(
    groups: dict[str, list[tuple[str, Target]]],
    settings: OnlineSettings,
    tally: _Tally,
    cache: ResultCache | None,
) -> None:
    guard = Guard(settings.allow_private, settings.allow_hosts, settings.resolver)
    hosts = {members[0][1].host for members in groups.values()}
    limits = [settings.per_host] + [o.per_host or 0 for o in settings.host_overrides.values()]
    # Pools of finished hosts are dropped; the LRU cap bounds idle sockets on many hosts.
    pools = min(len(hosts) + 16, 128)
    session = make_session(settings, guard, pools=pools, pool_size=max(limits) + 2)
    fetcher = Fetcher(settings, session)

    def work(target: Target, use_get: bool, budget: float) -> Attempt:
        try:
            return fetcher.attempt(target, use_get, budget)
        except Exception as exc:  # never let a worker die on one URL
            cause = f"internal error: {exc!r}"
            return Attempt("unverifiable", None, target.key, False, cause, cacheable=False)

    def done(job: Job, attempt: Attempt) -> None:
        started = job.started if job.started is not None else time.monotonic()
        elapsed = int((time.monotonic() - started) * 1000)
        key = job.target.key
        if cache is not None and attempt.cacheable:
            cache.put(
                Entry(
                    key,
                    attempt.outcome,
                    attempt.status,
                    attempt.final_url,
                    attempt.permanent,
                    attempt.cause,
                    settings.clock(),
                )
            )
        for url, target in groups[key]:
            final_url = with_fragment(attempt.final_url, target.fragment)
            tally.add(
                UrlResult(
                    url,
                    attempt.outcome,
                    attempt.status,
                    final_url,
                    attempt.permanent,
                    attempt.cause,
                    elapsed,
                    False,
                )
            )

    jobs = [Job(members[0][1]) for members in groups.values()]
    try:
        Dispatcher(settings, work, done, fetcher.drop_host).run(jobs)
    finally:
        fetcher.close()
