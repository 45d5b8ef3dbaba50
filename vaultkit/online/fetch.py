"""One attempt at one URL: HEAD (or GET), manual redirects, capped body reads."""

from __future__ import annotations

import contextlib
import http.cookiejar
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from vaultkit.online.classify import (
    HEAD_FALLBACK,
    HEAD_UNSUPPORTED,
    REDIRECTS,
    Attempt,
    is_reset,
    judge_exception,
    judge_status,
)
from vaultkit.online.guard import Guard, GuardedAdapter
from vaultkit.online.settings import OnlineSettings
from vaultkit.online.urls import Target, join, prepare, with_fragment
from vaultkit.online.watchdog import Deadline, Watchdog

_CHUNK = 16 * 1024
_MARKERS = (b"challenge-platform", b"cf-chl", b"cf_chl_opt", b"just a moment...")


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Refuse to store or return any cookie."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


class _Expired(Exception):
    """The attempt's total deadline passed between hops."""


@dataclass
class _Chain:
    url: str
    method: str
    fragment: str = ""
    hops: list[int] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    set_cookie: bool = False
    head_unsupported: bool = False
    prefer_get: bool = False


def make_session(settings: OnlineSettings, guard: Guard, pools: int, pool_size: int) -> requests.Session:
    """A cookie-less, environment-blind session whose connections pass the guard."""
    session = requests.Session()
    session.trust_env = False  # no proxies, .netrc or CA overrides from the environment
    session.cookies.set_policy(_NoCookies())
    session.headers.clear()
    session.headers.update(
        {"User-Agent": settings.user_agent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
    )
    adapter = GuardedAdapter(guard, pool_connections=pools, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Fetcher:
    """Runs attempts; thread-safe (the session is shared, its cookie jar never written)."""

    def __init__(self, settings: OnlineSettings, session: requests.Session) -> None:
        self._s = settings
        self.session = session
        self.watchdog = Watchdog()

    def close(self) -> None:
        self.watchdog.stop()
        self.session.close()

    def drop_host(self, host: str) -> None:
        """Close the pooled connections to `host` (it has no work left)."""
        adapter = self.session.get_adapter("http://")
        pools = getattr(getattr(adapter, "poolmanager", None), "pools", None)
        if pools is None:
            return
        for key in list(pools.keys()):
            if getattr(key, "key_host", None) == host:
                with contextlib.suppress(KeyError):
                    del pools[key]  # disposing closes the pool's idle connections

    def attempt(self, target: Target, use_get: bool, budget: float | None = None) -> Attempt:
        """One attempt, within the total timeout, and within ``budget`` seconds (what is
        left of the URL's deadline over all its attempts) when that is shorter."""
        s = self._s
        chain = _Chain(url=target.key, method="GET" if use_get else "HEAD")
        chain.visited.add(target.key)
        limit = s.total_timeout if budget is None else max(0.05, min(s.total_timeout, budget))
        with self.watchdog.watch(limit) as deadline:
            try:
                result = self._follow(chain, deadline)
            except Exception as exc:
                if deadline.expired or isinstance(exc, _Expired):
                    cause = f"timed out after {float(limit):g} s"
                    result = Attempt("unverifiable", None, chain.url, False, cause, True)
                else:
                    result = judge_exception(exc, chain.url, s.connect_timeout, s.total_timeout)
                result.prefer_get = chain.prefer_get or chain.method == "HEAD"
                result.head_unsupported = chain.head_unsupported
        if chain.fragment:
            result.final_url = with_fragment(result.final_url, chain.fragment)
        return result

    def _follow(self, chain: _Chain, deadline: Deadline) -> Attempt:
        s = self._s
        while True:
            try:
                resp = self._send(chain.method, chain.url, deadline)
            except ValueError as exc:  # requests parses a Location even without following it
                return Attempt("dead", None, chain.url, False, f"bad redirect target: invalid URL: {exc}")
            except Exception as exc:
                if chain.method == "HEAD" and is_reset(exc) and not deadline.expired:
                    chain.method, chain.prefer_get = "GET", True  # some servers drop HEAD
                    continue
                raise
            if deadline.expired:  # headers were cut short by the watchdog
                resp.close()
                raise _Expired()
            status = resp.status_code
            server = resp.headers.get("server", "").lower()
            if chain.method == "HEAD" and (
                status in HEAD_FALLBACK or (status == 503 and "cloudflare" in server)
            ):
                self._finish(resp, deadline, sniff=False)
                chain.head_unsupported |= status in HEAD_UNSUPPORTED
                chain.method = "GET"
                continue
            location = self.session.get_redirect_target(resp) if status in REDIRECTS else None
            if location:
                chain.set_cookie |= "set-cookie" in resp.headers
                self._finish(resp, deadline, sniff=False)
                stop = self._hop(chain, status, location)
                if stop is not None:
                    return stop
                continue
            seen = self._finish(resp, deadline, sniff=chain.method == "GET")
            result = judge_status(
                status, resp.reason, resp.headers, s.accepted_status, chain.hops, chain.url, seen
            )
            result.head_unsupported = chain.head_unsupported
            result.prefer_get = chain.prefer_get or (chain.method == "HEAD" and result.retryable)
            return result

    def _hop(self, chain: _Chain, status: int, location: str) -> Attempt | None:
        """Advance the chain to `location`; an Attempt if the chain must stop here."""
        s = self._s
        target = prepare(join(chain.url, location))
        if isinstance(target, tuple):
            outcome, cause = target
            if outcome == "skipped":
                return Attempt("unverifiable", status, chain.url, False, f"redirected to {cause}")
            return Attempt("dead", status, chain.url, False, f"bad redirect target: {cause}")
        if target.key in chain.visited:
            if chain.set_cookie:  # a cookie wall looping because we never send cookies
                cause = "redirect loop (the site sets cookies; vaultkit never sends them)"
                return Attempt("unverifiable", status, target.key, False, cause)
            return Attempt("dead", status, target.key, False, "redirect loop")
        if len(chain.hops) >= s.max_redirects:
            cause = f"too many redirects (more than {s.max_redirects})"
            return Attempt("dead", status, target.key, False, cause)
        chain.hops.append(status)
        chain.visited.add(target.key)
        chain.url = target.key
        if target.fragment:
            chain.fragment = target.fragment
        return None

    def _send(self, method: str, url: str, deadline: Deadline) -> requests.Response:
        s = self._s
        remaining = deadline.remaining()
        if remaining <= 0:
            raise _Expired()
        override = s.override_for(urlsplit(url).hostname or "")
        headers = dict(override.headers) if override is not None else None
        return self.session.request(
            method,
            url,
            headers=headers,
            allow_redirects=False,
            stream=True,
            timeout=(min(s.connect_timeout, remaining), remaining),
        )

    def _finish(self, resp: requests.Response, deadline: Deadline, sniff: bool) -> bool:
        """Read at most max_body_bytes (nothing is kept), then release or close.

        Returns True if the body looked like an anti-bot challenge page.
        """
        cap = self._s.max_body_bytes
        sniff = sniff and resp.headers.get("content-encoding", "identity").lower() == "identity"
        total, seen, exhausted, tail = 0, False, False, b""
        try:
            while total < cap:
                chunk = resp.raw.read(min(_CHUNK, cap - total), decode_content=False)
                if not chunk:
                    exhausted = True
                    break
                total += len(chunk)
                if sniff and not seen:
                    window = tail + chunk.lower()
                    seen = any(marker in window for marker in _MARKERS)
                    tail = window[-32:]
            else:
                exhausted = resp.raw.length_remaining == 0
        except Exception:
            exhausted = False
        if exhausted:
            resp.raw.release_conn()  # keep-alive: back to the pool
        else:
            deadline.detach()
            resp.close()  # drops the connection with the unread rest of the body
        return seen
