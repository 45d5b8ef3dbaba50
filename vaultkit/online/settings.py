"""Settings and result types for the online URL checker."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vaultkit.version import __version__

Outcome = Literal["ok", "dead", "redirected", "unverifiable", "skipped", "excluded"]

# (hostname, port) -> IP address strings; raise OSError when the name does not resolve.
Resolver = Callable[[str, int], Sequence[str]]
Progress = Callable[[int, int, int], None]  # (done, total, dead so far)

DEFAULT_USER_AGENT = f"vaultkit/{__version__} (+link checker)"


@dataclass(frozen=True)
class HostOverride:
    """Per-host tweaks, keyed by lower-case hostname in `OnlineSettings.host_overrides`."""

    headers: Mapping[str, str] = field(default_factory=dict)
    per_host: int | None = None  # replaces OnlineSettings.per_host for this host
    spacing_s: float | None = None  # replaces OnlineSettings.host_spacing_s for this host


@dataclass(frozen=True)
class OnlineSettings:
    """Knobs for `check_urls`. All durations are in seconds."""

    concurrency: int = 32
    per_host: int = 4
    host_spacing_s: float = 0.0  # minimum delay between request starts to one host
    connect_timeout: float = 5.0
    total_timeout: float = 20.0  # one attempt: every redirect hop plus the capped body read
    max_redirects: int = 10
    retries: int = 2
    url_deadline: float = 30.0  # every attempt at one URL together (a trickling host)
    backoff_base: float = 0.5
    retry_after_cap: float = 30.0  # a longer Retry-After ends retrying instead of waiting
    max_body_bytes: int = 64 * 1024
    accepted_status: frozenset[int] = frozenset(range(200, 300))
    exclude: tuple[str, ...] = ()  # regexes searched in the URL; matches are not requested
    host_overrides: Mapping[str, HostOverride] = field(default_factory=dict)
    allow_private: bool = False  # lifts the SSRF guard entirely
    # Hostnames exempt from the SSRF guard (tests, intranets). Only the named host is
    # exempt: a redirect from it to another private address is still refused.
    allow_hosts: frozenset[str] = frozenset()
    cache_path: Path | None = None  # None = no cache; see cache.default_cache_path()
    ttl_ok_s: float = 86400.0  # ok / redirected
    ttl_fail_s: float = 3600.0  # dead / unverifiable
    refresh: bool = False  # ignore cached results (they are still overwritten)
    user_agent: str = DEFAULT_USER_AGENT
    clock: Callable[[], float] = time.time  # wall clock for cache timestamps (test hook)
    resolver: Resolver | None = None  # None = socket.getaddrinfo (test hook)

    def __post_init__(self) -> None:
        lowered = {k.lower().rstrip("."): v for k, v in self.host_overrides.items()}
        object.__setattr__(self, "host_overrides", lowered)
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("concurrency and per_host must be >= 1")
        if self.connect_timeout <= 0 or self.total_timeout <= 0 or self.url_deadline <= 0:
            raise ValueError("timeouts must be > 0")
        if self.max_redirects < 0 or self.retries < 0 or self.max_body_bytes < 0:
            raise ValueError("max_redirects, retries and max_body_bytes must be >= 0")
        for name, override in self.host_overrides.items():
            if override.per_host is not None and override.per_host < 1:
                raise ValueError(f"host_overrides[{name!r}].per_host must be >= 1")

    def override_for(self, host: str) -> HostOverride | None:
        return self.host_overrides.get(host.lower().rstrip("."))


@dataclass(frozen=True)
class UrlResult:
    """The verdict for one URL."""

    url: str
    outcome: Outcome
    status: int | None  # final HTTP status, None when no response was had
    final_url: str | None  # last URL requested (after redirects)
    permanent: bool  # redirected, and every hop was 301/308 (safe to rewrite the link)
    cause: str  # human-readable reason, e.g. "404 Not Found"
    elapsed_ms: int
    from_cache: bool


class UrlResults(dict[str, UrlResult]):
    """``check_urls``' verdicts by URL; ``unreachable`` says why none was requested."""

    unreachable: str | None = None
