"""The SQLite cache: re-runs within TTL make zero requests (counted on the server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaultkit.online import OnlineSettings, check_urls, default_cache_path

from .conftest import LocalServer


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def settings(cache: Path, clock: Clock, **kw: Any) -> OnlineSettings:
    return OnlineSettings(
        allow_private=True, cache_path=cache, clock=clock, backoff_base=0.01, retries=0, **kw
    )


def test_rerun_within_ttl_makes_no_requests(server: LocalServer, tmp_path: Path) -> None:
    server.add("/ok")
    server.add("/gone", {"status": 410})
    server.add("/moved", {"status": 301, "headers": {"Location": "/ok"}})
    urls = [server.url(p) for p in ("/ok", "/gone", "/moved")] + [server.url("/ok") + "#x"]
    clock = Clock()
    first = check_urls(urls, settings(tmp_path / "c.sqlite", clock))
    hits = server.total_hits()
    assert hits == 4  # "/ok#x" shares the request for "/ok"
    clock.now += 60
    second = check_urls(urls, settings(tmp_path / "c.sqlite", clock))
    assert server.total_hits() == hits
    for url in urls:
        a, b = first[url], second[url]
        assert b.from_cache and not a.from_cache
        assert (a.outcome, a.status, a.final_url, a.permanent, a.cause) == (
            b.outcome,
            b.status,
            b.final_url,
            b.permanent,
            b.cause,
        )
    assert second[urls[3]].final_url == server.url("/ok") + "#x"


def test_ttl_expiry_by_outcome(server: LocalServer, tmp_path: Path) -> None:
    ok, dead = server.add("/ok"), server.add("/dead", {"status": 404})
    clock = Clock()
    cfg = settings(tmp_path / "c.sqlite", clock, ttl_ok_s=100.0, ttl_fail_s=10.0)
    check_urls([ok, dead], cfg)
    clock.now += 11  # failure entry expired, success entry still fresh
    results = check_urls([ok, dead], cfg)
    assert results[ok].from_cache and not results[dead].from_cache
    assert (server.hits("/ok"), server.hits("/dead")) == (1, 2)
    clock.now += 100
    assert not check_urls([ok], cfg)[ok].from_cache
    assert server.hits("/ok") == 2


def test_refresh_ignores_and_overwrites(server: LocalServer, tmp_path: Path) -> None:
    url = server.add("/flip", {"status": 404}, {"status": 200})
    clock = Clock()
    path = tmp_path / "c.sqlite"
    assert check_urls([url], settings(path, clock))[url].outcome == "dead"
    fresh = check_urls([url], settings(path, clock, refresh=True))[url]
    assert fresh.outcome == "ok" and not fresh.from_cache
    cached = check_urls([url], settings(path, clock))[url]
    assert cached.outcome == "ok" and cached.from_cache
    assert server.hits("/flip") == 2


def test_corrupt_cache_is_replaced(server: LocalServer, tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    url = server.add("/ok")
    clock = Clock()
    check_urls([url], settings(path, clock))
    data = bytearray(path.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # vaultkit's header, damaged pages
    path.write_bytes(bytes(data))
    assert check_urls([url], settings(path, clock))[url].outcome == "ok"
    assert check_urls([url], settings(path, clock))[url].from_cache
    assert server.hits("/ok") == 2


def test_a_file_that_is_not_vaultkits_cache_is_never_touched(server: LocalServer, tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 500)
    url = server.add("/ok")
    clock = Clock()
    assert check_urls([url], settings(path, clock))[url].outcome == "ok"
    assert not check_urls([url], settings(path, clock))[url].from_cache
    assert path.read_bytes() == b"this is not a database" * 500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite"]


def test_unusable_cache_location_is_tolerated(server: LocalServer, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    url = server.add("/ok")
    result = check_urls([url], settings(blocker / "sub" / "c.sqlite", Clock()))[url]
    assert result.outcome == "ok"


def test_skipped_results_are_not_cached(server: LocalServer, tmp_path: Path) -> None:
    url = server.add("/ok")
    path = tmp_path / "c.sqlite"
    blocked = OnlineSettings(cache_path=path)
    assert check_urls([url], blocked)[url].outcome == "skipped"
    assert check_urls([url], settings(path, Clock()))[url].outcome == "ok"
    assert server.hits("/ok") == 1


def test_default_cache_path() -> None:
    path = default_cache_path()
    assert path.name == "online.sqlite" and "vaultkit" in str(path)
