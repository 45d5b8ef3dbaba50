"""A real HTTP/1.1 server on 127.0.0.1 for the online checker tests.

Routes are scripted per test; the server counts hits per path, tracks in-flight
requests per Host header and records request headers, so tests assert on what really
crossed the wire. Nothing here talks to any address outside 127.0.0.0/8.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

RouteFn = Callable[["Handler", int], None]  # (handler, 1-based hit number for the path)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    at: float  # monotonic arrival time


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: Counter[str] = field(default_factory=Counter)
    method_hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    requests: list[Seen] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    max_in_flight: Counter[str] = field(default_factory=Counter)
    body_bytes_sent: Counter[str] = field(default_factory=Counter)
    connections: int = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LocalServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        with self.server.stats.lock:
            self.server.stats.connections += 1

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        stats = self.server.stats
        path = self.path.split("?", 1)[0]
        host = self.headers.get("Host", "")
        with stats.lock:
            stats.hits[path] += 1
            stats.method_hits[(self.command, path)] += 1
            n = stats.hits[path]
            seen = Seen(self.command, self.path, dict(self.headers.items()), time.monotonic())
            stats.requests.append(seen)
            stats.in_flight[host] += 1
            stats.max_in_flight[host] = max(stats.max_in_flight[host], stats.in_flight[host])
        try:
            route = self.server.routes.get(path)
            if route is None:
                self.reply(404)
            else:
                route(self, n)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with stats.lock:
                stats.in_flight[host] -= 1

    def reply(
        self,
        status: int,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        delay: float = 0.0,
    ) -> None:
        if delay:
            time.sleep(delay)
        self.send_response(status)
        merged = {"Content-Length": str(len(body)), **(headers or {})}
        for name, value in merged.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), Handler)
        self.host = host
        self.stats = Stats()
        self.routes: dict[str, RouteFn] = {}
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def route(self, path: str, fn: RouteFn) -> str:
        self.routes[path] = fn
        return self.url(path)

    def add(self, path: str, *replies: dict[str, Any]) -> str:
        """Scripted replies: hit n gets replies[n-1], the last one repeats."""
        scripted = replies or ({"status": 200},)

        def fn(h: Handler, n: int) -> None:
            h.reply(**scripted[min(n, len(scripted)) - 1])

        return self.route(path, fn)

    def hits(self, path: str) -> int:
        with self.stats.lock:
            return self.stats.hits[path]

    def total_hits(self) -> int:
        with self.stats.lock:
            return sum(self.stats.hits.values())

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer().start()
    try:
        yield srv
    finally:
        srv.stop()
