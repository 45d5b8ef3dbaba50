"""Damaged URLs: two URLs glued together, or whitespace inside a URL.

Pure functions over strings, built on ``text.urls``' splitting; nothing raises on
garbage input.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Final, Literal

from vaultkit.text.urls import parse_http

_SCHEME_START: Final = re.compile(r"https?://", re.IGNORECASE)
# A scheme right after one of these is a value inside the first URL
# (``?url=https://...``, ``?https://...``, ``#https://...``), not a second URL.
_EMBED_BEFORE: Final = frozenset("=?#&")


def split_glued(url: str) -> list[str] | None:
    """The parts of two or more URLs written with nothing between them, or None.

    A second ``http://`` / ``https://`` inside the text starts a new URL, except:

    - right after ``=``, ``?``, ``#`` or ``&``: a parameter value such as
      ``?url=https://...`` (an encoded ``https%3A%2F%2F...`` never matches at all);
    - right after ``/``: a URL embedded in a path (``web.archive.org/web/2020/https://...``),
      unless the rest of the text repeats it from the start (``https://a.io/https://a.io/``).

    Every part must be an http(s) URL with a host, or the answer is None.
    """
    text = url.strip()
    if not _SCHEME_START.match(text):
        return None
    cuts = [0]
    for m in _SCHEME_START.finditer(text, 1):
        i = m.start()
        before = text[i - 1]
        if before in _EMBED_BEFORE or (before == "/" and not text.startswith(text[i:])):
            continue
        cuts.append(i)
    if len(cuts) == 1:
        return None
    parts = [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    if not all(parse_http(p) for p in parts):
        return None
    return parts


# a DNS label: letters/digits (any script), "-" only inside, at most 63 characters
_LABEL_RE: Final = re.compile(r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")
_URL_FORBIDDEN: Final = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')


def _valid_hostname(host: str) -> bool:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "")
        except ValueError:
            return False
        return True
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return False
    if all(label.isdigit() for label in labels):  # dotted IPv4
        return len(labels) == 4 and all(int(label) <= 255 for label in labels)
    if len(labels) == 1:
        return name.lower() == "localhost"
    tld = labels[-1].lower()
    return tld.startswith("xn--") or (tld.isalpha() and len(tld) >= 2)


def _well_formed(url: str) -> bool:
    parts = parse_http(url)
    return (
        parts is not None
        and not _URL_FORBIDDEN.search(url)
        and parts.port != ""
        and _valid_hostname(parts.host)
    )


# --- whitespace inside a URL ----------------------------------------------------------
#
# - In the path, query or fragment, a space is part of the name on the server or on disk
#   (``preview_Blue Topaz.png``, ``?q=hello world``): writing it ``%20`` keeps the target
#   byte for byte. This is the only reading, so the repair is safe.
# - In the host, a space cannot be part of the name (``simonwil lison.net``): removing it
#   is safe when, and only when, the joined host is a valid host name.
# - Two whole URLs in one destination (``https://a.io/k https://a.io/l``) are two links
#   written as one. Merging them would invent a third URL; the repair, which only the
#   author can choose, splits them into two links (unsafe).

SpaceKind = Literal["percent-encoded", "host-joined", "urls-split"]

_URL_START = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)
_AUTHORITY = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#]*)(.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class SpaceRepair:
    kind: SpaceKind
    replacement: str  # the destination to write ("" for urls-split: see parts)
    parts: tuple[str, ...] = ()  # the URLs, for urls-split

    @property
    def safe(self) -> bool:
        return self.kind != "urls-split"


def two_urls(dest: str) -> tuple[str, ...] | None:
    """The URLs when ``dest`` is two or more whole URLs separated by whitespace."""
    pieces = dest.split()
    if len(pieces) < 2 or not all(_URL_START.match(p) for p in pieces):
        return None
    if not all(parse_http(p) is not None for p in pieces if not p.lower().startswith("www.")):
        return None
    return tuple(pieces)


def repair_space(dest: str) -> SpaceRepair | None:
    """The repair of a destination that holds whitespace, or None when there is no one
    reading (a tab or line break, a host that stays invalid, what looks like a title)."""
    dest = dest.strip()
    parts = two_urls(dest)
    if parts is not None:
        return SpaceRepair("urls-split", "", parts)
    m = _AUTHORITY.match(dest)
    if m is None or not any(c.isspace() for c in dest):
        return None
    scheme, host, rest = m.groups()
    pieces = rest.split(" ")
    if any(p[:1] and p[:1] in "\"'(" for p in pieces[1:]):  # [t](url "title") is a title, not a path
        return None
    if any(c.isspace() and c != " " for c in host + rest):
        return None  # a tab, a line break, a no-break space: not plainly a space in a name
    kind: SpaceKind = "percent-encoded"
    if " " in host:
        if " " in rest:
            return None  # breaks in the host and the path: a wrapped line, or prose
        joined = host.replace(" ", "")
        hostname = joined.rsplit("@", 1)[-1].split(":", 1)[0]
        if not _valid_hostname(hostname):
            return None
        host, kind = joined, "host-joined"
    candidate = scheme + host + rest.replace(" ", "%20")
    if not _well_formed(candidate):
        return None
    return SpaceRepair(kind, candidate)


def describe(dest: str, repair: SpaceRepair | None) -> str:
    """The message for a destination with whitespace: what is wrong, and what a fix writes."""
    if repair is None:
        return f"URL contains whitespace: '{dest}'; no single reading, so it is not fixed: correct it by hand"
    if repair.kind == "urls-split":
        return (
            f"two URLs in one link: '{dest}'; 'vaultkit fix --unsafe-fixes' splits it into "
            f"{len(repair.parts)} links, to " + ", ".join(repair.parts)
        )
    if repair.kind == "host-joined":
        return f"whitespace in the host name of '{dest}'; the fix writes {repair.replacement}"
    return f"URL contains a space: '{dest}'; the fix writes it as %20: {repair.replacement}"


# `htps://`, `https//`, `http:/x`, `http:x`: a scheme that can only be http(s).
SCHEME_TYPO = re.compile(
    r"^(?:(?P<s>htps|htttps|hhttps|httsp|htpps)://|(?P<c>https?)//|(?P<o>https?):/(?!/)|(?P<n>https?):(?!/))",
    re.I,
)


def scheme_typo(target: str) -> str | None:
    """The ``http://``/``https://`` a misspelt scheme stands for, or None."""
    m = SCHEME_TYPO.match(target)
    if m is None:
        return None
    if m.group("s"):
        return "https://"
    word = (m.group("c") or m.group("o") or m.group("n")).lower()
    return word + "://"


def fix_scheme(target: str) -> str | None:
    """``target`` with its misspelt scheme written right, or None when it has none."""
    m = SCHEME_TYPO.match(target)
    scheme = scheme_typo(target)
    return None if m is None or scheme is None else scheme + target[m.end() :]
