"""Turn HTTP statuses and exceptions into outcomes, causes and retry decisions."""

from __future__ import annotations

import email.utils
import http.client
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus

import requests
import urllib3.exceptions as u3

from vaultkit.online.guard import Blocked, DnsFailure, GuardError
from vaultkit.online.settings import Outcome

# HEAD answers that make us try GET before judging.
HEAD_FALLBACK = frozenset({400, 403, 405, 501})
HEAD_UNSUPPORTED = frozenset({405, 501})  # remembered per host: skip HEAD there
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
UNVERIFIABLE = frozenset({401, 403, 429, 999})  # access/rate walls: never "dead"
RETRY_STATUS = frozenset({408, 429}) | frozenset(range(500, 600))


@dataclass
class Attempt:
    """What one attempt (all redirect hops, HEAD and maybe GET) found out."""

    outcome: Outcome
    status: int | None
    final_url: str | None
    permanent: bool
    cause: str
    retryable: bool = False
    retry_after: float | None = None  # seconds the server asked us to wait
    head_unsupported: bool = False  # the host answered HEAD with 405/501
    prefer_get: bool = False  # use GET on a retry (HEAD looked broken)
    cacheable: bool = True


def status_text(status: int, reason: str | None = None) -> str:
    if status == 999:
        return "999 Request denied"
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = (reason or "").strip()
    return f"{status} {phrase}".strip()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        reference = time.time() if now is None else now
        return max(0.0, when.timestamp() - reference)
    return seconds if seconds >= 0 else None


def bot_wall(status: int, headers: Mapping[str, str], challenge_seen: bool) -> str | None:
    """Name the anti-bot wall that answered, if the response looks like one."""
    if headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare challenge"
    server = headers.get("server", "").lower()
    if status in (403, 429, 503) and "cloudflare" in server and challenge_seen:
        return "Cloudflare challenge"
    if status in (403, 503) and "ddos-guard" in server:
        return "DDoS-Guard challenge"
    return None


def judge_status(
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    accepted: frozenset[int],
    hops: list[int],
    final_url: str,
    challenge_seen: bool = False,
) -> Attempt:
    """Classify the final (non-redirect) response of a chain."""
    text = status_text(status, reason)
    permanent = bool(hops) and all(h in PERMANENT for h in hops)
    if status in accepted:
        outcome: Outcome = "redirected" if hops else "ok"
        return Attempt(outcome, status, final_url, permanent, text)
    wall = bot_wall(status, headers, challenge_seen)
    if wall is not None:
        return Attempt("unverifiable", status, final_url, permanent, f"{text} ({wall})")
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status in UNVERIFIABLE or status == 408:
        retryable = status in RETRY_STATUS
        return Attempt("unverifiable", status, final_url, permanent, text, retryable, retry_after)
    if status >= 500:
        return Attempt("dead", status, final_url, permanent, text, True, retry_after)
    return Attempt("dead", status, final_url, permanent, text)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes/contexts and urllib3's wrapped reasons."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        for nxt in (item.__cause__, item.__context__, getattr(item, "reason", None)):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
        stack.extend(a for a in item.args if isinstance(a, BaseException))


def judge_exception(exc: BaseException, url: str, connect_timeout: float, total_timeout: float) -> Attempt:
    """Classify a failure that produced no HTTP response."""
    chain = list(_chain(exc))

    def has(*kinds: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, kinds)), None)

    if (blocked := has(Blocked)) is not None:
        return Attempt("skipped", None, url, False, str(blocked), cacheable=False)
    if isinstance(dns := has(DnsFailure), DnsFailure):
        return Attempt("dead", None, url, False, str(dns), retryable=dns.transient)
    if (guard := has(GuardError)) is not None:
        return Attempt("unverifiable", None, url, False, str(guard), cacheable=False)
    invalid = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)
    if has(*invalid, u3.LocationParseError):
        return Attempt("dead", None, url, False, f"invalid URL: {exc}")
    if has(ConnectionRefusedError):
        return Attempt("dead", None, url, False, "connection refused")
    if (tls := has(requests.exceptions.SSLError, ssl.SSLError, u3.SSLError)) is not None:
        detail = next((e for e in reversed(chain) if isinstance(e, ssl.SSLError)), tls)
        return Attempt("dead", None, url, False, f"TLS error: {detail}")
    # NewConnectionError subclasses ConnectTimeoutError in urllib3; it is not a timeout.
    if any(
        isinstance(e, (requests.exceptions.ConnectTimeout, u3.ConnectTimeoutError))
        and not isinstance(e, u3.NewConnectionError)
        for e in chain
    ):
        cause = f"timed out after {float(connect_timeout)} s (connecting)"
        return Attempt("unverifiable", None, url, False, cause, retryable=True)
    if has(requests.exceptions.ReadTimeout, u3.ReadTimeoutError, TimeoutError):
        cause = f"timed out after {float(total_timeout)} s"
        return Attempt("unverifiable", None, url, False, cause, retryable=True)
    if has(ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
        return Attempt("dead", None, url, False, "connection reset", retryable=True)
    if has(u3.ProtocolError, requests.exceptions.ChunkedEncodingError):
        return Attempt("dead", None, url, False, f"protocol error: {exc}", retryable=True)
    if has(OSError, requests.exceptions.ConnectionError):
        os_error = next((e for e in reversed(chain) if isinstance(e, OSError) and e.strerror), None)
        why = os_error.strerror if os_error is not None else str(exc)
        return Attempt("dead", None, url, False, f"connection failed: {why}", retryable=True)
    return Attempt("unverifiable", None, url, False, f"internal error: {exc!r}", cacheable=False)


def is_reset(exc: BaseException) -> bool:
    """A connection reset/abort (the HEAD-to-GET fallback trigger)."""
    kinds = (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)
    return any(isinstance(e, kinds) for e in _chain(exc))
