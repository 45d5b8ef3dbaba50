"""check_urls against a real local HTTP server: statuses, methods, redirects, bodies."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from urllib3.response import HTTPResponse

from vaultkit import __version__
from vaultkit.online import OnlineSettings, UrlResult, check_urls

from .conftest import Handler, LocalServer

FAST = OnlineSettings(allow_private=True, backoff_base=0.02, connect_timeout=2, total_timeout=5)


def one(url: str, settings: OnlineSettings = FAST) -> UrlResult:
    return check_urls([url], settings)[url]


def test_200_ok(server: LocalServer) -> None:
    url = server.add("/ok", {"status": 200, "body": b"hello"})
    r = one(url)
    assert (r.outcome, r.status, r.cause, r.final_url) == ("ok", 200, "200 OK", url)
    assert not r.permanent and not r.from_cache
    assert server.stats.method_hits[("HEAD", "/ok")] == 1
    assert server.stats.method_hits[("GET", "/ok")] == 0


def test_head_405_falls_back_to_get(server: LocalServer) -> None:
    def route(h: Handler, n: int) -> None:
        h.reply(405 if h.command == "HEAD" else 200, body=b"x" * 10)

    url = server.route("/nohead", route)
    r = one(url)
    assert (r.outcome, r.status) == ("ok", 200)
    assert server.stats.method_hits[("HEAD", "/nohead")] == 1
    assert server.stats.method_hits[("GET", "/nohead")] == 1


def test_head_connection_reset_falls_back_to_get(server: LocalServer) -> None:
    def route(h: Handler, n: int) -> None:
        if h.command == "HEAD":
            h.close_connection = True  # hang up without answering
        else:
            h.reply(200)

    url = server.route("/dropshead", route)
    assert one(url).outcome == "ok"
    assert server.stats.method_hits[("GET", "/dropshead")] == 1


def test_301_chain_is_permanent(server: LocalServer) -> None:
    server.add("/a", {"status": 301, "headers": {"Location": "/b"}})
    server.add("/b", {"status": 308, "headers": {"Location": "/c#frag"}})
    server.add("/c")
    r = one(server.url("/a"))
    assert (r.outcome, r.status, r.permanent) == ("redirected", 200, True)
    assert r.final_url == server.url("/c") + "#frag"
    assert [server.hits(p) for p in ("/a", "/b", "/c")] == [1, 1, 1]


def test_302_is_not_permanent(server: LocalServer) -> None:
    server.add("/p", {"status": 301, "headers": {"Location": "/t"}})
    server.add("/t", {"status": 302, "headers": {"Location": "/end"}})
    server.add("/end")
    r = one(server.url("/p") + "#keep")
    assert (r.outcome, r.permanent) == ("redirected", False)
    assert r.final_url == server.url("/end") + "#keep"  # original fragment carried over


@pytest.mark.parametrize(("status", "cause"), [(404, "404 Not Found"), (410, "410 Gone")])
def test_404_and_410_are_dead(server: LocalServer, status: int, cause: str) -> None:
    url = server.add(f"/s{status}", {"status": status})
    r = one(url)
    assert (r.outcome, r.status, r.cause) == ("dead", status, cause)
    assert server.hits(f"/s{status}") == 1  # not retried


@pytest.mark.parametrize("status", [401, 403, 999])
def test_access_walls_are_unverifiable(server: LocalServer, status: int) -> None:
    url = server.add(f"/w{status}", {"status": status})
    r = one(url)
    assert (r.outcome, r.status) == ("unverifiable", status)


def test_cloudflare_challenge_is_unverifiable_and_not_retried(server: LocalServer) -> None:
    url = server.add("/cf", {"status": 503, "headers": {"cf-mitigated": "challenge"}})
    r = one(url)
    assert r.outcome == "unverifiable" and "Cloudflare challenge" in r.cause
    assert server.hits("/cf") == 1


def test_cloudflare_challenge_page_sniffed(server: LocalServer) -> None:
    page = b"<html><title>Just a moment...</title><script src=/cdn-cgi/challenge-platform/x>"
    url = server.add("/cfp", {"status": 403, "headers": {"Server": "cloudflare"}, "body": page})
    r = one(url)
    assert r.outcome == "unverifiable" and "Cloudflare challenge" in r.cause


def test_500_then_200_is_ok_after_retry(server: LocalServer) -> None:
    url = server.add("/flaky", {"status": 500}, {"status": 200})
    r = one(url)
    assert (r.outcome, r.status) == ("ok", 200)
    assert server.hits("/flaky") == 2


def test_persistent_500_is_dead_after_retries(server: LocalServer) -> None:
    url = server.add("/broken", {"status": 500})
    r = one(url)
    assert (r.outcome, r.status) == ("dead", 500)
    assert r.cause == "500 Internal Server Error (after 3 attempts)"
    assert server.hits("/broken") == 3


def test_429_retry_after_honoured_then_ok(server: LocalServer) -> None:
    url = server.add("/rl", {"status": 429, "headers": {"Retry-After": "1"}}, {"status": 200})
    start = time.monotonic()
    r = one(url)
    assert (r.outcome, r.status) == ("ok", 200)
    assert time.monotonic() - start >= 1.0
    assert server.hits("/rl") == 2


def test_always_429_is_unverifiable(server: LocalServer) -> None:
    url = server.add("/rl2", {"status": 429, "headers": {"Retry-After": "1"}})
    r = one(url, OnlineSettings(allow_private=True, retries=1))
    assert (r.outcome, r.status) == ("unverifiable", 429)
    assert server.hits("/rl2") == 2


def test_retry_after_beyond_cap_gives_up_at_once(server: LocalServer) -> None:
    url = server.add("/rl3", {"status": 429, "headers": {"Retry-After": "3600"}})
    start = time.monotonic()
    r = one(url)
    assert r.outcome == "unverifiable" and "Retry-After 3600" in r.cause
    assert server.hits("/rl3") == 1 and time.monotonic() - start < 1.0


def test_slow_response_times_out(server: LocalServer) -> None:
    url = server.add("/slow", {"status": 200, "delay": 1.5})
    settings = OnlineSettings(
        allow_private=True, connect_timeout=0.3, total_timeout=0.3, retries=1, backoff_base=0.01
    )
    start = time.monotonic()
    r = one(url, settings)
    assert r.outcome == "unverifiable"
    assert r.cause.startswith("timed out after 0.3 s")
    assert time.monotonic() - start < 1.2
    assert server.hits("/slow") == 2  # timeouts are retried


def test_trickling_headers_hit_the_total_timeout(server: LocalServer) -> None:
    def trickle(h: Handler, n: int) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(30):  # one header byte every 0.1 s: no single read ever times out
            h.wfile.write(b"X")
            h.wfile.flush()
            time.sleep(0.1)
        h.close_connection = True

    url = server.route("/trickle", trickle)
    settings = OnlineSettings(allow_private=True, total_timeout=0.5, retries=0)
    start = time.monotonic()
    r = one(url, settings)
    assert r.outcome == "unverifiable" and r.cause == "timed out after 0.5 s"
    assert time.monotonic() - start < 1.5


def test_redirect_loop_is_dead(server: LocalServer) -> None:
    server.add("/l1", {"status": 302, "headers": {"Location": "/l2"}})
    server.add("/l2", {"status": 302, "headers": {"Location": "/l1"}})
    r = one(server.url("/l1"))
    assert (r.outcome, r.cause) == ("dead", "redirect loop")
    assert server.hits("/l1") == 1 and server.hits("/l2") == 1


def test_cookie_wall_loop_is_unverifiable(server: LocalServer) -> None:
    headers = {"Location": "/cw", "Set-Cookie": "session=1"}
    r = one(server.add("/cw", {"status": 302, "headers": headers}))
    assert r.outcome == "unverifiable" and r.cause.startswith("redirect loop")


def test_too_many_redirects(server: LocalServer) -> None:
    def hop(h: Handler, n: int) -> None:
        step = int(h.path.rsplit("=", 1)[1])
        h.reply(301, {"Location": f"/hop?n={step + 1}"})

    server.route("/hop", hop)
    settings = OnlineSettings(allow_private=True, max_redirects=3)
    r = one(server.url("/hop?n=0"), settings)
    assert (r.outcome, r.cause) == ("dead", "too many redirects (more than 3)")
    assert server.hits("/hop") == 4


def test_huge_body_read_is_capped(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    size = 50 * 1024 * 1024

    def huge(h: Handler, n: int) -> None:
        if h.command == "HEAD":
            h.reply(405)
            return
        h.send_response(200)
        h.send_header("Content-Length", str(size))
        h.end_headers()
        chunk = b"a" * 65536
        for _ in range(size // len(chunk)):
            h.wfile.write(chunk)
            with h.server.stats.lock:
                h.server.stats.body_bytes_sent["/huge"] += len(chunk)

    url = server.route("/huge", huge)
    read_total = 0
    real_read = HTTPResponse.read

    def spy(self: HTTPResponse, *args: Any, **kwargs: Any) -> bytes:
        nonlocal read_total
        data = real_read(self, *args, **kwargs)
        read_total += len(data)
        return data

    monkeypatch.setattr(HTTPResponse, "read", spy)  # a spy: the real read still runs
    start = time.monotonic()
    r = one(url, OnlineSettings(allow_private=True, max_body_bytes=64 * 1024))
    assert (r.outcome, r.status) == ("ok", 200)
    assert read_total <= 64 * 1024
    assert time.monotonic() - start < 2.0
    time.sleep(0.2)
    assert server.stats.body_bytes_sent["/huge"] < size  # the server was cut off


def test_user_agent_names_vaultkit_and_version(server: LocalServer) -> None:
    one(server.add("/ua"))
    ua = server.stats.requests[0].headers["User-Agent"]
    assert ua.startswith(f"vaultkit/{__version__}")


def test_no_cookies_ever_sent(server: LocalServer) -> None:
    server.add("/give", {"status": 302, "headers": {"Set-Cookie": "a=1; Path=/", "Location": "/x"}})
    server.add("/x", {"status": 200, "headers": {"Set-Cookie": "b=2; Path=/"}})
    server.add("/later")
    urls = [server.url("/give"), server.url("/later")]
    check_urls(urls, OnlineSettings(allow_private=True, concurrency=1))
    check_urls(urls, OnlineSettings(allow_private=True, concurrency=1))
    assert server.total_hits() == 6
    assert all("Cookie" not in seen.headers for seen in server.stats.requests)


def test_userinfo_is_stripped(server: LocalServer) -> None:
    server.add("/private")
    url = f"http://alice:secret@127.0.0.1:{server.port}/private"
    r = check_urls([url], FAST)[url]
    assert r.outcome == "ok" and r.final_url == server.url("/private")
    assert "Authorization" not in server.stats.requests[0].headers


def test_host_override_headers(server: LocalServer) -> None:
    from vaultkit.online import HostOverride

    server.add("/h")
    settings = OnlineSettings(
        allow_private=True, host_overrides={"127.0.0.1": HostOverride(headers={"X-Token": "t"})}
    )
    one(server.url("/h"), settings)
    assert server.stats.requests[0].headers.get("X-Token") == "t"


def test_connection_refused_is_dead() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    r = one(f"http://127.0.0.1:{port}/")
    assert (r.outcome, r.cause) == ("dead", "connection refused")


def test_tls_error_is_dead(server: LocalServer) -> None:
    # TLS to a plain-HTTP port: a real handshake failure, no certificate needed.
    r = one(f"https://127.0.0.1:{server.port}/", OnlineSettings(allow_private=True, retries=0))
    assert r.outcome == "dead" and r.cause.startswith("TLS error: ")
