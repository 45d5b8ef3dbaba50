"""URL normalisation for requests: scheme check, userinfo and fragment removal."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from vaultkit.online.settings import Outcome

SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class Target:
    key: str  # what is requested and cached: no userinfo, no fragment
    host: str  # lower-case hostname, the scheduling key
    fragment: str  # with a redirect, a Location's own fragment wins over the original


def prepare(url: str) -> Target | tuple[Outcome, str]:
    """A request target, or an immediate (outcome, cause) for unusable URLs."""
    text = url.strip()
    if not text:
        return "dead", "invalid URL: empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "dead", "invalid URL: control character"
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        return "dead", f"invalid URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        if not scheme:
            return "dead", "invalid URL: no scheme"
        return "skipped", f"unsupported URL scheme {scheme!r}"
    if not host:
        return "dead", "invalid URL: no host"
    if port == 0 or any(c.isspace() or c in '\\<>"{}|^`' for c in host):
        return "dead", f"invalid URL: bad host or port in {parts.netloc!r}"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    key = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(key=key, host=host.rstrip("."), fragment=parts.fragment)


def join(base: str, location: str) -> str:
    """``location`` resolved against ``base``; as written when it does not parse (a
    malformed ``Location: http://[::1`` then fails ``prepare`` as a bad redirect)."""
    try:
        return urljoin(base, location)
    except ValueError:
        return location


def with_fragment(url: str | None, fragment: str) -> str | None:
    """Re-attach the original fragment (RFC 9110: a Location without one inherits it)."""
    if url is None or not fragment or "#" in url:
        return url
    return f"{url}#{fragment}"
