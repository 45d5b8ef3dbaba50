"""The SSRF guard: counted on the server, so a refusal provably sent nothing."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import pytest

from vaultkit.online import OnlineSettings, check_urls, is_blocked_address
from vaultkit.online.guard import Blocked, DnsFailure, Guard

from .conftest import LocalServer


def test_loopback_is_refused_without_a_request(server: LocalServer) -> None:
    server.add("/x")
    urls = [server.url("/x"), server.url("/x", host="localhost"), f"http://[::1]:{server.port}/x"]
    results = check_urls(urls, OnlineSettings())
    for r in results.values():
        assert r.outcome == "skipped"
        assert r.cause.startswith("blocked: resolves to private address ")
    assert results[urls[0]].cause == "blocked: resolves to private address 127.0.0.1"
    assert server.total_hits() == 0


def test_decimal_ip_host_is_resolved_then_refused(server: LocalServer) -> None:
    url = f"http://2130706433:{server.port}/x"  # 127.0.0.1 written as one integer
    assert check_urls([url], OnlineSettings())[url].outcome == "skipped"
    assert server.total_hits() == 0


def test_redirect_from_allowed_host_to_private_address_is_refused(server: LocalServer) -> None:
    server.add("/secret")
    target = server.url("/secret")  # http://127.0.0.1:PORT/secret, not exempt
    server.add("/hop", {"status": 302, "headers": {"Location": target}})
    url = server.url("/hop", host="localhost")
    settings = OnlineSettings(allow_hosts=frozenset({"localhost"}))
    r = check_urls([url], settings)[url]
    assert r.outcome == "skipped"
    assert r.cause == "blocked: resolves to private address 127.0.0.1"
    assert r.final_url == target
    assert server.hits("/hop") == 1
    assert server.hits("/secret") == 0  # the second hop never left the client


def test_allow_hosts_exempts_only_that_host(server: LocalServer) -> None:
    server.add("/fine")
    settings = OnlineSettings(allow_hosts=frozenset({"localhost"}))
    results = check_urls([server.url("/fine", "localhost"), server.url("/fine")], settings)
    assert [r.outcome for r in results.values()] == ["ok", "skipped"]
    assert server.hits("/fine") == 1


def test_connects_to_the_vetted_address(server: LocalServer) -> None:
    # A name only our resolver knows: the request reaches the server, so the socket went
    # to the address the guard vetted, never through a second (system) lookup.
    def resolver(host: str, port: int) -> Sequence[str]:
        if host == "wiki.vault.test":
            return ["127.0.0.1"]
        raise socket.gaierror(socket.EAI_NONAME, "unknown")

    server.add("/page")
    url = f"http://wiki.vault.test:{server.port}/page"
    r = check_urls([url], OnlineSettings(allow_private=True, resolver=resolver))[url]
    assert r.outcome == "ok"
    assert server.stats.requests[0].headers["Host"] == f"wiki.vault.test:{server.port}"
    blocked = check_urls([url], OnlineSettings(resolver=resolver))[url]
    assert blocked.outcome == "skipped"
    assert server.hits("/page") == 1


def test_dns_failure_is_dead() -> None:
    def resolver(host: str, port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    url = "http://no-such-host.vault.test/"
    r = check_urls([url], OnlineSettings(resolver=resolver))[url]
    assert (r.outcome, r.cause) == ("dead", "DNS lookup failed for host no-such-host.vault.test")


def test_any_blocked_address_refuses_the_host() -> None:
    guard = Guard(False, frozenset(), lambda host, port: ["203.0.113.7", "127.0.0.1"])
    with pytest.raises(Blocked):
        guard.vet("mixed.test", 80)
    with pytest.raises(DnsFailure):
        Guard(False, frozenset(), lambda host, port: []).vet("empty.test", 80)
    open_guard = Guard(True, frozenset(), lambda host, port: ["127.0.0.1"])
    assert list(open_guard.vet("any.test", 80)) == ["127.0.0.1"]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.9.9.9",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "not-an-ip",
    ],
)
def test_blocked_addresses(address: str) -> None:
    assert is_blocked_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert not is_blocked_address(address)  # pure computation: nothing is contacted


def test_non_http_schemes_are_skipped() -> None:
    urls = ["mailto:a@b.c", "ftp://files.test/x", "file:///etc/passwd", "javascript:alert(1)"]
    results = check_urls(urls, OnlineSettings())
    assert {r.outcome for r in results.values()} == {"skipped"}


def test_bad_urls_never_raise() -> None:
    urls = ["http://", "http://host:99999/", "https://exa mple.test/", "www.no-scheme.test", ""]
    results = check_urls(urls, OnlineSettings())
    assert len(results) == len(urls)
    for r in results.values():
        assert r.outcome == "dead" and r.cause.startswith("invalid URL")
