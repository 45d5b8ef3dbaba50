"""Hostile servers on 127.0.0.1: a malformed redirect target, and a host that trickles its
answer a byte at a time, held to the per-URL deadline over all attempts."""

from __future__ import annotations

import time

from vaultkit.online import OnlineSettings, check_urls

from .conftest import Handler, LocalServer


def test_a_malformed_redirect_target_is_a_bad_redirect(server: LocalServer) -> None:
    url = server.add("/r", {"status": 301, "headers": {"Location": "http://[::1"}})
    r = check_urls([url], OnlineSettings(allow_private=True, total_timeout=5))[url]
    assert r.outcome == "dead"
    assert "bad redirect target" in r.cause and "Invalid IPv6 URL" in r.cause


def _trickle(h: Handler, n: int) -> None:
    """Headers a byte at a time, 10 bytes a second: each attempt runs into its timeout."""
    try:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        pass
    h.close_connection = True


def test_a_trickling_host_holds_a_url_no_longer_than_its_deadline(server: LocalServer) -> None:
    url = server.route("/slow", _trickle)
    settings = OnlineSettings(
        allow_private=True, total_timeout=1.0, retries=5, backoff_base=0.05, url_deadline=1.5
    )
    start = time.monotonic()
    r = check_urls([url], settings)[url]
    took = time.monotonic() - start
    assert r.outcome == "unverifiable" and "timed out" in r.cause
    assert took < 2.5, took  # six attempts of 1 s each would take over 6 s
    assert server.hits("/slow") <= 3
