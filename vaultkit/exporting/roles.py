"""Role titles: link text that says what a link is for, not what it is.

``[Demo](…)``, ``[Source Code](…)``, ``[here](…)`` name a role; the thing they belong
to is the list item around them (``- [MiroTalk](…) - WebRTC video calls. ([Demo](…),
[Source Code](…))``). A title is a role when it is in :data:`ROLE_TITLES`, or when it
is short (at most :data:`ROLE_MAX_WORDS` words) and titles at least
:data:`ROLE_MIN_URLS` different URLs in one export ("GitHub repository" on thousands).
A role title becomes "item name — role" (:func:`with_name`); the raw text stays as the
occurrence's ``link_text``.
"""

from __future__ import annotations

from vaultkit.exporting.text import fold

ROLE_TITLES = frozenset(
    {
        # the link's role in its item
        "source",
        "source code",
        "code",
        "src",
        "repo",
        "repository",
        "github",
        "github repo",
        "github repository",
        "gitlab",
        "demo",
        "live demo",
        "online demo",
        "website",
        "site",
        "web",
        "homepage",
        "home page",
        "home",
        "official site",
        "official website",
        "docs",
        "doc",
        "documentation",
        "paper",
        "pdf",
        "slides",
        "video",
        "youtube",
        "blog",
        "blog post",
        "post",
        "article",
        "tutorial",
        "download",
        "install",
        "releases",
        "changelog",
        "license",
        "twitter",
        "discord",
        "reddit",
        "wiki",
        "arxiv",
        "url",
        "web page",
        "webpage",
        "page",
        "project page",
        "clients",
        "play store",
        "app store",
        "f-droid",
        # no title at all
        "link",
        "links",
        "here",
        "this",
        "click here",
        "read more",
        "more",
        "this link",
        "this one",
        "stuff",
        "idk",
    }
)
ROLE_MIN_URLS = 10  # a short title on this many different URLs is a role
ROLE_MAX_WORDS = 3
NAME_SEP = " — "


def is_listed_role(title: str | None) -> bool:
    return title is not None and fold(title) in ROLE_TITLES


def with_name(name: str, role: str) -> str:
    """ "MiroTalk" and "Demo" → "MiroTalk — Demo"."""
    return f"{name}{NAME_SEP}{role}"
