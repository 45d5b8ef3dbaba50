"""Benchmark for vaultkit.online.check_urls against local servers only.

    python benchmarks/online_bench.py [--runs 3] [--compare] [--cli]

Starts 20 HTTP/1.1 servers on 127.0.0.2 ... 127.0.0.21 (one port, in a child
process so they do not compete with the checker for the GIL), each answering every
request after 50 ms. Times 2,000 unique URLs (100 per host), cold (fresh cache file)
and re-run within TTL, and prints a markdown table of medians. Only loopback
addresses are ever contacted.

--compare  also runs markdown-link-check (npm) on a markdown file of the same URLs,
           installing it into benchmarks/online/.node if npm is present.
--cli      also times `vaultkit check --online --allow-private` on a generated vault,
           if the installed CLI has --online.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaultkit.online import OnlineSettings, check_urls  # noqa: E402

HOSTS = [f"127.0.0.{i}" for i in range(2, 22)]
PER_HOST = 100
LATENCY_S = 0.05
NODE_DIR = ROOT / "benchmarks" / "online" / ".node"


# -- servers (child process) -------------------------------------------------------


def _serve(port_q: Any, stop: Any, count: Synchronized[int], conns: Synchronized[int]) -> None:
    import threading

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            with conns.get_lock():
                conns.value += 1

        def _answer(self) -> None:
            with count.get_lock():
                count.value += 1
            time.sleep(LATENCY_S)
            body = b"" if self.command == "HEAD" else b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_HEAD = _answer

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    servers: list[Server] = []
    for _ in range(20):  # find one port free on all 20 addresses
        servers = []
        try:
            first = Server((HOSTS[0], 0), Handler)
            servers.append(first)
            port = int(first.server_address[1])
            servers += [Server((h, port), Handler) for h in HOSTS[1:]]
            break
        except OSError:
            for s in servers:
                s.server_close()
    else:
        port_q.put(-1)
        return
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    port_q.put(port)
    stop.wait(timeout=3600)
    for s in servers:
        s.shutdown()
        s.server_close()


@dataclass
class Servers:
    port: int
    proc: Any
    stop: Any
    count: Synchronized[int]
    conns: Synchronized[int]

    @classmethod
    def start(cls) -> Servers:
        ctx = mp.get_context("spawn")
        port_q = ctx.Queue()
        stop = ctx.Event()
        count = ctx.Value("i", 0)
        conns = ctx.Value("i", 0)
        proc = ctx.Process(target=_serve, args=(port_q, stop, count, conns), daemon=True)
        proc.start()
        port = int(port_q.get(timeout=30))
        if port < 0:
            raise SystemExit("could not bind 127.0.0.2-21 on a common port")
        return cls(port, proc, stop, count, conns)

    def requests_seen(self) -> int:
        return int(self.count.value)

    def connections_seen(self) -> int:
        return int(self.conns.value)

    def close(self) -> None:
        self.stop.set()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.terminate()


# -- workloads -------------------------------------------------------------------------


def make_urls(port: int) -> list[str]:
    return [f"http://{h}:{port}/page/{i}" for i in range(PER_HOST) for h in HOSTS]


@dataclass
class Row:
    name: str
    urls: int
    seconds: list[float]
    requests: list[int]
    note: str = ""

    def line(self) -> str:
        med = statistics.median(self.seconds)
        rate = self.urls / med if med > 0 else float("inf")
        reqs = statistics.median(self.requests) if self.requests else 0
        return f"| {self.name} | {self.urls} | {med:.2f} | {rate:,.0f} | {reqs:,.0f} | {self.note} |"


def timed(fn: Callable[[], object], servers: Servers) -> tuple[float, int]:
    before = servers.requests_seen()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, servers.requests_seen() - before


def bench_library(servers: Servers, urls: list[str], runs: int) -> list[Row]:
    cold = Row("check_urls cold (fresh cache)", len(urls), [], [])
    warm = Row("check_urls re-run (cached)", len(urls), [], [])
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            settings = OnlineSettings(
                concurrency=32, per_host=4, allow_private=True, cache_path=Path(tmp) / "c.sqlite"
            )
            results: dict[str, Any] = {}

            def run(s: OnlineSettings = settings, out: dict[str, Any] = results) -> None:
                out.update(check_urls(urls, s))

            secs, reqs = timed(run, servers)
            bad = [r for r in results.values() if r.outcome != "ok"]
            if bad:
                print(f"warning: {len(bad)} not ok, e.g. {bad[0]}", file=sys.stderr)
            cold.seconds.append(secs)
            cold.requests.append(reqs)
            secs, reqs = timed(lambda: check_urls(urls, settings), servers)  # noqa: B023
            warm.seconds.append(secs)
            warm.requests.append(reqs)
    return [cold, warm]


def bench_mlc(servers: Servers, urls: list[str], runs: int) -> Row | None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        print("--compare: npm/node not found, skipping markdown-link-check", file=sys.stderr)
        return None
    binary = NODE_DIR / "node_modules" / ".bin" / "markdown-link-check"
    if not binary.exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        cmd = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR)]
        subprocess.run([*cmd, "markdown-link-check"], check=True, capture_output=True)
    row = Row("markdown-link-check (npm)", len(urls), [], [])
    with tempfile.TemporaryDirectory() as tmp:
        md = Path(tmp) / "links.md"
        md.write_text("".join(f"- <{u}>\n" for u in urls), encoding="utf-8")
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"timeout": "20s", "retryOn429": False}), encoding="utf-8")
        for _ in range(runs):
            cmd = [str(binary), "-q", "-c", str(config), str(md)]
            secs, reqs = timed(
                lambda: subprocess.run(cmd, capture_output=True, check=False),  # noqa: B023
                servers,
            )
            row.seconds.append(secs)
            row.requests.append(reqs)
    return row


def bench_cli(servers: Servers, urls: list[str], runs: int) -> list[Row]:
    exe = shutil.which("vaultkit")
    base = [exe] if exe else [sys.executable, "-m", "vaultkit"]
    help_text = subprocess.run([*base, "check", "--help"], capture_output=True, text=True, check=False)
    missing = [f for f in ("--online", "--allow-private") if f not in help_text.stdout]
    if missing:
        print(f"--cli: `vaultkit check` lacks {', '.join(missing)}; skipping", file=sys.stderr)
        return []
    row = Row("vaultkit check --online (CLI, cold)", len(urls), [], [])
    again = Row("vaultkit check --online (CLI, re-run within TTL)", len(urls), [], [])
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        vault.mkdir()
        for n in range(0, len(urls), 50):  # 40 notes of 50 links
            body = "".join(f"- [link {i}]({u})\n" for i, u in enumerate(urls[n : n + 50]))
            (vault / f"note{n // 50:03d}.md").write_text(f"# Note {n}\n\n{body}", encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        for i in range(runs):
            env["XDG_CACHE_HOME"] = str(Path(tmp) / f"cache{i}")
            cmd = [*base, "check", "--online", "--allow-private", str(vault)]
            codes: list[int] = []

            def run(c: list[str] = cmd, out: list[int] = codes) -> None:
                out.append(subprocess.run(c, capture_output=True, env=env, check=False).returncode)

            secs, reqs = timed(run, servers)
            row.seconds.append(secs)
            row.requests.append(reqs)
            row.note = f"exit {codes[0]}" + ("; no requests reached the servers" if not reqs else "")
            secs, reqs = timed(run, servers)  # the same cache: nothing should be requested
            again.seconds.append(secs)
            again.requests.append(reqs)
            again.note = f"exit {codes[-1]}"
    return [row, again]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also run markdown-link-check")
    parser.add_argument("--cli", action="store_true", help="also time the vaultkit CLI")
    args = parser.parse_args()
    servers = Servers.start()
    try:
        urls = make_urls(servers.port)
        rows = bench_library(servers, urls, args.runs)
        conns = servers.connections_seen()
        if args.compare and (row := bench_mlc(servers, urls, args.runs)) is not None:
            rows.append(row)
        if args.cli:
            rows.extend(bench_cli(servers, urls, args.runs))
    finally:
        servers.close()
    print(
        f"\n{len(HOSTS)} hosts x {PER_HOST} URLs, {LATENCY_S * 1000:.0f} ms server latency, "
        f"concurrency 32, per_host 4, medians of {args.runs} runs, {os.cpu_count()} CPUs; "
        f"check_urls opened {conns} connections in {args.runs} cold runs\n"
    )
    print("| run | URLs | seconds | URLs/s | requests served | note |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        print(row.line())


if __name__ == "__main__":
    main()
