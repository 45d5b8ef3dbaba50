"""Damaged URLs: two URLs glued together, or one broken by whitespace.

Pure functions over strings, built on ``text.urls``' splitting; nothing raises on
garbage input.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

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


def find_space_broken(url_text: str) -> str | None:
    """The URL meant by link destination text broken by whitespace, or None.

    ``https://exam ple.org/a/`` gives ``https://example.org/a/``. The text must have
    one or two runs of whitespace, no piece after a break may start like a link
    title (``"``, ``'`` or ``(``), and with the whitespace removed it must be a
    well-formed http(s) URL whose host is a valid hostname or IP address.
    """
    pieces = url_text.split()
    if not 2 <= len(pieces) <= 3 or any(p[0] in "\"'(" for p in pieces[1:]):
        return None
    candidate = "".join(pieces)
    return candidate if _well_formed(candidate) else None
