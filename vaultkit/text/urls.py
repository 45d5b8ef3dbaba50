"""URL text helpers: splitting, canonical forms, tracking parameters.

Pure functions over strings; nothing here touches the network, and nothing raises
on garbage input. URLs are split with the RFC 3986 (appendix B) pattern rather
than :func:`urllib.parse.urlsplit`, which drops tab/newline characters, loses
an empty ``?`` on the way back and rejects odd brackets: every part the rules don't touch
comes back byte for byte as it was written. Damaged URLs are ``text.url_repair``'s;
badges are ``text.badges``'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Final
from urllib.parse import unquote_plus

# --- the lists (docs are generated from these) ------------------------------------

# Any query parameter whose name starts with one of these is tracking.
TRACKING_PREFIXES: Final[tuple[str, ...]] = ("utm_",)

# Query parameters that are tracking on every host.
TRACKING_PARAMS: Final[frozenset[str]] = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",  # Google Display
        "gbraid",  # Google Ads (iOS)
        "wbraid",  # Google Ads (iOS)
        "msclkid",  # Microsoft Ads
        "mc_cid",  # Mailchimp
        "mc_eid",  # Mailchimp
        "_hsenc",  # HubSpot
        "_hsmi",  # HubSpot
        "mkt_tok",  # Marketo
        "igshid",  # Instagram
        "yclid",  # Yandex
        "ref_src",  # Twitter embeds
        "oly_anon_id",  # Omeda
        "oly_enc_id",  # Omeda
        "vero_id",  # Vero
        "_ga",  # Google Analytics cross-domain
    }
)

_YOUTUBE_SHARE = frozenset({"si"})
_X_SHARE = frozenset({"s", "t"})

# Parameters that are tracking only on these exact hosts (compared lowercased).
# YouTube's own `v`, `list`, `t` and `index` are never listed: they carry meaning.
HOST_TRACKING_PARAMS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "youtube.com": _YOUTUBE_SHARE,
        "www.youtube.com": _YOUTUBE_SHARE,
        "m.youtube.com": _YOUTUBE_SHARE,
        "music.youtube.com": _YOUTUBE_SHARE,
        "youtu.be": _YOUTUBE_SHARE,
        "www.youtu.be": _YOUTUBE_SHARE,
        "open.spotify.com": _YOUTUBE_SHARE,
        "x.com": _X_SHARE,
        "www.x.com": _X_SHARE,
        "mobile.x.com": _X_SHARE,
        "twitter.com": _X_SHARE,
        "www.twitter.com": _X_SHARE,
        "mobile.twitter.com": _X_SHARE,
    }
)

DEFAULT_PORTS: Final[Mapping[str, str]] = MappingProxyType({"http": "80", "https": "443"})

# --- splitting --------------------------------------------------------------------

# RFC 3986 appendix B, with the scheme restricted to valid scheme characters.
_URI_RE: Final = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?",
    re.DOTALL,
)


_BAD_HOST_CHAR: Final = re.compile(r"[\s\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class UrlParts:
    """An http(s) URL split into its parts, each exactly as written."""

    scheme: str
    userinfo: str  # with its "@", or ""
    host: str
    port: str | None  # digits or "" after a ":", None without one
    path: str
    query: str | None  # None: no "?"
    fragment: str | None  # None: no "#"

    def text(self) -> str:
        """The URL written back from its parts."""
        port = "" if self.port is None else ":" + self.port
        query = "" if self.query is None else "?" + self.query
        frag = "" if self.fragment is None else "#" + self.fragment
        return f"{self.scheme}://{self.userinfo}{self.host}{port}{self.path}{query}{frag}"


def _split_host_port(hostport: str) -> tuple[str, str | None]:
    if hostport.startswith("["):  # IPv6 literal
        end = hostport.find("]")
        if end != -1 and hostport[end + 1 : end + 2] == ":":
            rest = hostport[end + 2 :]
            if rest.isdigit() or not rest:
                return hostport[: end + 1], rest
        return hostport, None
    host, colon, port = hostport.rpartition(":")
    # one colon and a numeric (or empty) port; anything else stays part of the host
    if colon and ":" not in host and (port.isdigit() or not port):
        return host, port
    return hostport, None


# A lowercase http(s) URL with a plain host, no port, no query and no empty fragment.
# (host, path, fragment)
_PLAIN = re.compile(r"https?://([a-z0-9.-]+)((?:/[^\s?#@]*)?)((?:#[^\s]+)?)")


def parse_http(url: str) -> UrlParts | None:
    """The parts of an http(s) URL with a host (no whitespace in it), or None."""
    m = _URI_RE.fullmatch(url)
    if m is None:
        return None
    scheme, authority, path, query, fragment = m.groups()
    if scheme is None or scheme.lower() not in DEFAULT_PORTS or authority is None:
        return None
    userinfo, at, hostport = authority.rpartition("@")
    host, port = _split_host_port(hostport)
    if not host or _BAD_HOST_CHAR.search(host):
        return None
    return UrlParts(scheme, userinfo + at, host, port, path, query, fragment)


def match_host(host: str) -> str:
    """``host`` in the form the host lists are keyed by."""
    return host.lower().rstrip(".")


# --- tracking parameters ------------------------------------------------------------


def _is_tracking(name: str, host: str) -> bool:
    key = unquote_plus(name).lower()
    if key.startswith(TRACKING_PREFIXES) or key in TRACKING_PARAMS:
        return True
    return key in HOST_TRACKING_PARAMS.get(match_host(host), frozenset())


def _query_names(query: str) -> list[str]:
    return [piece.split("=", 1)[0] for piece in query.split("&")]


def tracking_params(url: str) -> list[str]:
    """Names of the tracking parameters in ``url``'s query, as written, in order, once each."""
    return list(_tracking_params(url))


@lru_cache(maxsize=1 << 16)
def _tracking_params(url: str) -> tuple[str, ...]:
    if "?" not in url:
        return ()
    parts = parse_http(url.strip())
    if parts is None or not parts.query:
        return ()
    found: list[str] = []
    for name in _query_names(parts.query):
        if name and name not in found and _is_tracking(name, parts.host):
            found.append(name)
    return tuple(found)


def _without_tracking(parts: UrlParts) -> UrlParts:
    if not parts.query:
        return parts
    pieces = parts.query.split("&")
    kept = [p for p in pieces if not _is_tracking(p.split("=", 1)[0], parts.host)]
    if len(kept) == len(pieces):
        return parts
    return replace(parts, query="&".join(kept) or None)  # a now-empty "?" goes too


def strip_tracking(url: str) -> str:
    """``url`` without its tracking parameters; every other character stays as written.

    Remaining parameters keep their order and encoding, a ``?`` left with nothing
    after it is dropped, and the fragment is kept. Non-http(s) text comes back as is.
    """
    core = url.strip()
    parts = parse_http(core)
    if parts is None:
        return url
    cleaned = _without_tracking(parts)
    if cleaned is parts:
        return url
    lead = url[: len(url) - len(url.lstrip())]
    return lead + cleaned.text() + url[len(lead) + len(core) :]


# --- canonical forms ----------------------------------------------------------------


@lru_cache(maxsize=1 << 16)  # the same URL is asked about several times per run
def canonical_url(url: str) -> str:
    """The form under which two http(s) URLs are the same resource.

    Scheme and host are lowercased (IDN hosts are not converted to punycode), a
    default or empty port is dropped, tracking parameters are removed, and an
    empty ``?`` or ``#`` is dropped. Path case, parameter order and percent-encoding
    are kept as written, and http/https, ``www.`` and a trailing slash are *not*
    merged (see :func:`loose_key`). Anything that is not an http(s) URL with a
    host comes back stripped of surrounding whitespace, and nothing raises.
    """
    text = url.strip()
    if _PLAIN.fullmatch(text):  # most URLs: nothing to change (and nothing to parse)
        return text
    return _canonical(text)


def _canonical(text: str) -> str:
    for _ in range(4):  # dropping "?" or "#" can expose whitespace to strip again
        parts = parse_http(text)
        if parts is None:
            return text
        scheme = parts.scheme.lower()
        port = parts.port
        if port is not None and port in ("", DEFAULT_PORTS[scheme]):
            port = None
        parts = replace(parts, scheme=scheme, host=parts.host.lower(), port=port)
        parts = _without_tracking(parts)
        parts = replace(parts, query=parts.query or None, fragment=parts.fragment or None)
        done = parts.text().strip()
        if done == text:
            break
        text = done
    return text


@lru_cache(maxsize=1 << 16)
def loose_key(url: str) -> str:
    """The key for "probably the same": the canonical URL without its scheme,
    a leading ``www.`` and trailing ``/`` of the path.

    ``https://www.a.io/x/`` and ``http://a.io/x`` share the key ``a.io/x``.
    """
    canon = canonical_url(url)
    m = _PLAIN.fullmatch(canon)
    if m is not None:  # most URLs: the key without a parse
        host, path, fragment = m.groups()
        return (host[4:] if host.startswith("www.") else host) + path.rstrip("/") + fragment
    parts = parse_http(canon)
    if parts is None:
        return canon
    host = parts.host[4:] if parts.host.startswith("www.") else parts.host
    return replace(parts, host=host, path=parts.path.rstrip("/")).text().split("://", 1)[1]


@lru_cache(maxsize=1 << 16)
def is_external(url: str) -> bool:
    """True for an http(s) URL with a host."""
    text = url.strip()
    return _PLAIN.fullmatch(text) is not None or parse_http(text) is not None
