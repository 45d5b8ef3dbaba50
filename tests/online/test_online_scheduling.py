"""Concurrency limits and fairness, observed from the server side."""

from __future__ import annotations

import itertools
import threading
import time

from vaultkit.online import HostOverride, OnlineSettings, check_urls

from .conftest import Handler, LocalServer


def test_per_host_limit_is_never_exceeded(server: LocalServer) -> None:
    server.add("/w", {"status": 200, "delay": 0.15})
    hosts = ["127.0.0.1", "localhost"]
    urls = [server.url(f"/w?i={i}", host=h) for i in range(9) for h in hosts]
    settings = OnlineSettings(allow_private=True, concurrency=32, per_host=3)
    results = check_urls(urls, settings)
    assert {r.outcome for r in results.values()} == {"ok"}
    for host in hosts:
        assert server.stats.max_in_flight[f"{host}:{server.port}"] == 3


def test_host_override_per_host(server: LocalServer) -> None:
    server.add("/w", {"status": 200, "delay": 0.1})
    urls = [server.url(f"/w?i={i}") for i in range(5)]
    settings = OnlineSettings(
        allow_private=True, per_host=4, host_overrides={"127.0.0.1": HostOverride(per_host=1)}
    )
    check_urls(urls, settings)
    assert server.stats.max_in_flight[f"127.0.0.1:{server.port}"] == 1


def test_slow_host_does_not_stall_the_others(server: LocalServer) -> None:
    served: dict[str, list[float]] = {"slow": [], "fast": []}
    lock = threading.Lock()

    def route(h: Handler, n: int) -> None:
        kind = "slow" if h.headers["Host"].startswith("localhost") else "fast"
        time.sleep(0.5 if kind == "slow" else 0.02)
        with lock:
            served[kind].append(time.monotonic())
        h.reply(200)

    server.route("/r", route)
    slow = [server.url(f"/r?s={i}", host="localhost") for i in range(6)]
    fast = [server.url(f"/r?f={i}") for i in range(20)]
    settings = OnlineSettings(allow_private=True, concurrency=4, per_host=2)
    start = time.monotonic()
    results = check_urls(slow + fast, settings)  # slow host first in the input
    assert {r.outcome for r in results.values()} == {"ok"}
    assert max(served["fast"]) - start < 0.9  # fast host done while slow is still going
    assert max(served["slow"]) - start >= 1.4  # 6 x 0.5 s over 2 slots


def test_host_spacing(server: LocalServer) -> None:
    server.add("/s")
    urls = [server.url(f"/s?i={i}") for i in range(4)]
    check_urls(urls, OnlineSettings(allow_private=True, host_spacing_s=0.1))
    times = [seen.at for seen in server.stats.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # The server stamps a request when its thread gets to it, so on a loaded machine one
    # gap can shrink by that thread's delay; the span over all four can't.
    assert times[-1] - times[0] >= 0.27
    assert min(gaps) >= 0.05


def test_each_distinct_url_checked_once_and_progress(server: LocalServer) -> None:
    server.add("/d")
    server.add("/e", {"status": 404})
    urls = [server.url("/d"), server.url("/d"), server.url("/e"), "mailto:x@y.z"]
    calls: list[tuple[int, int, int]] = []
    results = check_urls(urls, OnlineSettings(allow_private=True), progress=lambda *a: calls.append(a))
    assert list(results) == [urls[0], urls[2], urls[3]]
    assert server.hits("/d") == 1
    assert calls[-1] == (3, 3, 1)
    assert [c[0] for c in calls] == [1, 2, 3]


def test_excluded_urls_are_not_requested(server: LocalServer) -> None:
    server.add("/skip")
    url = server.url("/skip")
    r = check_urls([url], OnlineSettings(allow_private=True, exclude=(r"/sk[i]p$",)))[url]
    assert r.outcome == "excluded"
    assert server.total_hits() == 0
