"""Status-badge image URLs (shields.io, CI status, coverage, ...).

The host lists below are the docs' source; ``is_badge_url`` is a pure function.
"""

from __future__ import annotations

import re
from typing import Final

from vaultkit.text.urls import match_host, parse_http

# Every URL on these hosts is a status badge image.
BADGE_HOSTS: Final[frozenset[str]] = frozenset(
    {
        "img.shields.io",
        "raster.shields.io",
        "badge.fury.io",
        "badgen.net",
        "flat.badgen.net",
        "badgen.now.sh",
        "badges.gitter.im",
        "img.badgesize.io",
        "forthebadge.com",
        "static.pepy.tech",
        "visitor-badge.laobi.icu",
        "hits.seeyoufarm.com",
        "api.securityscorecards.dev",
    }
)

# (host, path pattern): URLs on the host whose path (plus "?query") matches are badges.
BADGE_PATHS: Final[tuple[tuple[str, str], ...]] = (
    ("shields.io", r"^/badge/"),
    ("travis-ci.org", r"\.(svg|png)(\?|$)"),
    ("travis-ci.com", r"\.(svg|png)(\?|$)"),
    ("api.travis-ci.org", r"\.(svg|png)(\?|$)"),
    ("api.travis-ci.com", r"\.(svg|png)(\?|$)"),
    ("codecov.io", r"/(graph/)?badge\.svg|/badge(\?|$)"),
    ("app.codecov.io", r"/(graph/)?badge\.svg|/badge(\?|$)"),
    ("coveralls.io", r"/badge(\.svg|\.png)?(\?|$)"),
    ("circleci.com", r"\.svg(\?|$)"),
    ("dl.circleci.com", r"^/status-badge/"),
    ("ci.appveyor.com", r"^/api/projects/status/"),
    ("gitlab.com", r"/badges/.+\.svg(\?|$)"),
    ("readthedocs.org", r"^/projects/[^/]+/badge/?(\?|$)"),
    ("app.readthedocs.org", r"^/projects/[^/]+/badge/?(\?|$)"),
    ("pepy.tech", r"^/(personalized-)?badge/"),
    ("goreportcard.com", r"^/badge/"),
    ("pkg.go.dev", r"^/badge/"),
    ("godoc.org", r"\?status\.(svg|png)$"),
    ("app.codacy.com", r"^/project/badge/"),
    ("api.codacy.com", r"^/project/badge/"),
    ("api.codeclimate.com", r"^/v1/badges/"),
    ("sonarcloud.io", r"^/api/project_badges/"),
    ("api.netlify.com", r"^/api/v1/badges/"),
    ("app.fossa.com", r"^/api/projects/.+\.svg(\?|$)"),
    ("www.codefactor.io", r"/badge(/[^/]*)?(\?|$)"),
    ("bestpractices.coreinfrastructure.org", r"/badge(\.svg)?(\?|$)"),
    ("www.bestpractices.dev", r"/badge(\.svg)?(\?|$)"),
)

# On any host, a last path segment like this is a badge (GitHub Actions, Snyk, Coveralls...).
BADGE_FILENAMES: Final[frozenset[str]] = frozenset({"badge.svg", "badge.png"})

_BADGE_PATH_RES: Final = tuple((host, re.compile(pat)) for host, pat in BADGE_PATHS)


def is_badge_url(url: str) -> bool:
    """True for a status-badge image URL (shields.io, CI status, coverage, ...)."""
    parts = parse_http(url.strip())
    if parts is None:
        return False
    host = match_host(parts.host)
    if host in BADGE_HOSTS or (host.startswith("www.") and host[4:] in BADGE_HOSTS):
        return True
    if parts.path.rsplit("/", 1)[-1].lower() in BADGE_FILENAMES:
        return True
    target = parts.path + ("" if parts.query is None else "?" + parts.query)
    return any(h == host and rx.search(target) for h, rx in _BADGE_PATH_RES)
