"""OnlineSettings from the `[online]` config table and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaultkit.errors import ConfigError
from vaultkit.online.cache import default_cache_path, foreign_reason
from vaultkit.online.settings import HostOverride, OnlineSettings

_NUMBERS = {
    "concurrency": ("concurrency", int),
    "per-host": ("per_host", int),
    "host-spacing": ("host_spacing_s", float),
    "connect-timeout": ("connect_timeout", float),
    "total-timeout": ("total_timeout", float),
    "url-deadline": ("url_deadline", float),
    "max-redirects": ("max_redirects", int),
    "retries": ("retries", int),
    "ttl-ok": ("ttl_ok_s", float),
    "ttl-fail": ("ttl_fail_s", float),
}
KNOWN = {*_NUMBERS, "accepted-status", "exclude", "hosts"}


def settings_from(
    table: dict[str, Any],
    *,
    allow_private: bool = False,
    cache: Path | None = None,
    no_cache: bool = False,
    refresh: bool = False,
) -> OnlineSettings:
    unknown = sorted(set(table) - KNOWN)
    if unknown:
        raise ConfigError(f"unknown [online] setting(s): {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for key, (name, kind) in _NUMBERS.items():
        if key in table:
            value = table[key]
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(f"[online] {key} must be a number")
            kwargs[name] = kind(value)
    if "accepted-status" in table:
        codes = table["accepted-status"]
        if not isinstance(codes, list) or not all(isinstance(c, int) for c in codes):
            raise ConfigError("[online] accepted-status must be a list of status codes")
        kwargs["accepted_status"] = frozenset(codes)
    if "exclude" in table:
        pats = table["exclude"]
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise ConfigError("[online] exclude must be a list of regular expressions")
        kwargs["exclude"] = tuple(pats)
    hosts = table.get("hosts", {})
    if not isinstance(hosts, dict):
        raise ConfigError("[online] hosts must be a table of host = {headers, per-host}")
    overrides = {}
    for host, spec in hosts.items():
        if not isinstance(spec, dict) or set(spec) - {"headers", "per-host", "spacing"}:
            raise ConfigError(f"[online.hosts.{host}] takes headers, per-host and spacing")
        overrides[host] = HostOverride(
            headers=dict(spec.get("headers", {})),
            per_host=spec.get("per-host"),
            spacing_s=spec.get("spacing"),
        )
    kwargs["host_overrides"] = overrides
    kwargs["allow_private"] = allow_private
    kwargs["refresh"] = refresh
    if cache is not None and not no_cache:
        why = foreign_reason(cache)
        if why is not None:
            raise ConfigError(
                f"--cache {cache}: {why}; vaultkit uses only a new file or its own URL cache, "
                "and changed nothing. Name a file that does not exist yet"
            )
    kwargs["cache_path"] = None if no_cache else (cache or default_cache_path())
    try:
        return OnlineSettings(**kwargs)
    except ValueError as exc:
        raise ConfigError(f"[online] {exc}") from exc
