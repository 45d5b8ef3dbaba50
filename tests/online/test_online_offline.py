"""`--online` with no network: said once, URLs unverifiable (never dead), exit 2.

The network is taken away in-process: socket.getaddrinfo fails as glibc does with no DNS
server (EAI_AGAIN) and every socket connect is recorded and refused, so these tests send no
DNS query and no packet anywhere. The second half gives the network back, mapped to a real
server on 127.0.0.1, to show that nothing of the offline run was cached.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli
from vaultkit.online import OnlineSettings, check_urls
from vaultkit.online.reach import unreachable

from .conftest import LocalServer

HOSTS = ("go.dev", "github.com", "example.org", "docs.python.org")


class NoNetwork:
    """Every lookup fails with EAI_AGAIN; every connect is recorded and refused."""

    def __init__(self) -> None:
        self.lookups: list[str] = []
        self.connects: list[Any] = []
        self.answer: str | None = None  # set: every name resolves to this address

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        self.lookups.append(str(host))
        if self.answer is None:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (self.answer, int(port or 0)))]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[NoNetwork]:
    net = NoNetwork()
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        if not (isinstance(address, tuple) and str(address[0]).startswith("127.")):
            net.connects.append(address)
            raise OSError("test: no packet may leave loopback")
        if net.answer is None:
            net.connects.append(address)
            raise OSError("test: offline, not even loopback")
        real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", net.getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield net


def _vault(tmp_path: Path, port: int) -> Path:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    lines = [f"- [{h}](http://{h}:{port}/page)" for h in HOSTS]
    lines += [f"- again http://{HOSTS[0]}:{port}/other", "- [[Missing note]]"]
    (vault / "n.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return vault


def _run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_check_online_without_a_network_says_so_once_and_exits_2(
    tmp_path: Path, offline: NoNetwork, server: LocalServer
) -> None:
    server.add("/page", {"status": 200})
    server.add("/other", {"status": 404})
    vault = _vault(tmp_path, server.port)
    args = ("check", "--online", "--allow-private", "--cache", str(tmp_path / "c.db"), str(vault))
    done = _run(*args)
    assert done.exit_code == 2, done.output
    assert done.stderr.count("network is unreachable") == 1
    assert "vaultkit: error: --online: the network is unreachable: no host could be resolved" in done.stderr
    assert "[dead-url]" not in done.stdout
    assert done.stdout.count("[unverifiable-url] could not verify") == 5
    assert "the network is unreachable" in done.stdout
    assert "n.md:6:3: VK001 [broken-wikilink]" in done.stdout  # the offline rules still ran
    assert offline.connects == [] and len(offline.lookups) <= len(HOSTS)
    assert server.total_hits() == 0
    # The network comes back (every name maps to the local server): nothing was cached.
    offline.answer = "127.0.0.1"
    back = _run(*args)
    assert back.exit_code == 1, back.output
    assert "unreachable" not in back.output
    assert back.stdout.count("[dead-url]") == 1 and server.hits("/page") == len(HOSTS)


def test_fix_online_offline_rewrites_nothing_and_exits_2(tmp_path: Path, offline: NoNetwork) -> None:
    vault = _vault(tmp_path, 8080)
    before = (vault / "n.md").read_bytes()
    done = _run("fix", "--online", "--cache", str(tmp_path / "c.db"), str(vault))
    assert done.exit_code == 2, done.output
    assert done.stderr.count("network is unreachable") == 1
    assert (vault / "n.md").read_bytes() == before
    assert offline.connects == []


def _resolver(fails: dict[str, int | None], delay: float = 0.0) -> Any:
    def resolve(host: str, port: int) -> Sequence[str]:
        time.sleep(delay)
        errno = fails.get(host, 0)
        if errno == 0:
            return ["127.0.0.1"]  # refused by the guard: no packet even then
        if errno is None:
            return []
        raise socket.gaierror(errno, "lookup failed")

    return resolve


AGAIN, NONAME = socket.EAI_AGAIN, socket.EAI_NONAME


@pytest.mark.parametrize(
    ("hosts", "fails", "verdict"),
    [
        (["a.test"], {"a.test": AGAIN}, True),  # glibc with no DNS server
        (["a.test"], {"a.test": NONAME}, False),  # one name that doesn't exist: just dead
        (["a.test", "b.test"], {"a.test": NONAME, "b.test": NONAME}, False),
        (["a.test", "b.test", "c.test"], {h: NONAME for h in ("a.test", "b.test", "c.test")}, True),
        (["a.test", "b.test"], {"a.test": AGAIN}, False),  # one host resolves: online
        (["a.test", "b.test"], {"a.test": None, "b.test": AGAIN}, True),
        ([], {}, False),
    ],
)
def test_unreachable_verdicts(hosts: list[str], fails: dict[str, int | None], verdict: bool) -> None:
    assert (unreachable(hosts, _resolver(fails), timeout=2.0) is not None) is verdict


def test_a_hung_resolver_counts_as_no_network_within_the_timeout() -> None:
    start = time.monotonic()
    why = unreachable(["a.test", "b.test"], _resolver({}, delay=5.0), timeout=0.3)
    assert why is not None and time.monotonic() - start < 2.0


def test_check_urls_offline_requests_nothing_and_caches_nothing(tmp_path: Path) -> None:
    urls = [f"https://{h}/x" for h in HOSTS]
    cache = tmp_path / "c.db"
    calls: list[str] = []

    def down(host: str, port: int) -> Sequence[str]:
        calls.append(host)
        raise socket.gaierror(AGAIN, "Temporary failure in name resolution")

    results = check_urls(urls, OnlineSettings(cache_path=cache, resolver=down))
    assert results.unreachable is not None
    assert {r.outcome for r in results.values()} == {"unverifiable"}
    assert sorted(calls) == sorted(HOSTS)  # the probe only: no retries, no per-URL lookups
    back = OnlineSettings(cache_path=cache, resolver=_resolver({h: NONAME for h in HOSTS[1:]}))
    online = check_urls(urls, back)  # HOSTS[0] resolves to loopback, which the guard refuses
    assert online.unreachable is None and not any(r.from_cache for r in online.values())
    assert online[urls[0]].outcome == "skipped" and online[urls[1]].outcome == "dead"
