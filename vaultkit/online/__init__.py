"""HTTP URL validation behind `vaultkit check --online`.

    from vaultkit.online import OnlineSettings, check_urls
    results = check_urls(urls, OnlineSettings(cache_path=default_cache_path()))

See vaultkit/online/README.md for outcome rules and design notes.
"""

from __future__ import annotations

from vaultkit.online.cache import default_cache_path
from vaultkit.online.checker import check_urls
from vaultkit.online.guard import is_blocked_address
from vaultkit.online.settings import (
    DEFAULT_USER_AGENT,
    HostOverride,
    OnlineSettings,
    Outcome,
    Progress,
    Resolver,
    UrlResult,
    UrlResults,
)

__all__ = [
    "DEFAULT_USER_AGENT",
    "HostOverride",
    "OnlineSettings",
    "Outcome",
    "Progress",
    "Resolver",
    "UrlResult",
    "UrlResults",
    "check_urls",
    "default_cache_path",
    "is_blocked_address",
]
