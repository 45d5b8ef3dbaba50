"""Tests for vaultkit.text.urls, url_repair and badges: canonical, tracking, damaged URLs, badges."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultkit.text.badges import BADGE_HOSTS, is_badge_url
from vaultkit.text.url_repair import repair_space, split_glued
from vaultkit.text.urls import (
    HOST_TRACKING_PARAMS,
    TRACKING_PARAMS,
    canonical_url,
    is_external,
    loose_key,
    strip_tracking,
    tracking_params,
)

EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "examples"

# --- canonical_url ------------------------------------------------------------------

CANONICAL = [
    # scheme and host lowercased, path case kept
    ("HTTPS://Example.COM/Path/To", "https://example.com/Path/To"),
    ("HtTp://WWW.A.IO/X?Q=V", "http://www.a.io/X?Q=V"),
    # default ports dropped, others kept
    ("http://a.io:80/x", "http://a.io/x"),
    ("https://a.io:443/x", "https://a.io/x"),
    ("http://a.io:443/x", "http://a.io:443/x"),
    ("https://a.io:80/x", "https://a.io:80/x"),
    ("https://a.io:8443/x", "https://a.io:8443/x"),
    ("https://a.io:/x", "https://a.io/x"),  # empty port
    ("http://[::1]:80/x", "http://[::1]/x"),
    ("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"),
    ("https://a.io:99999999999999999999/", "https://a.io:99999999999999999999/"),
    ("https://a.io:0443/", "https://a.io:0443/"),  # only the exact default is dropped
    # empty ? and # dropped
    ("https://a.io/x?", "https://a.io/x"),
    ("https://a.io/x#", "https://a.io/x"),
    ("https://a.io/x?#", "https://a.io/x"),
    ("https://a.io/x?#top", "https://a.io/x#top"),
    ("https://a.io/x?q#", "https://a.io/x?q"),
    # never merged: scheme, www, trailing slash
    ("http://a.io/x", "http://a.io/x"),
    ("https://www.a.io/x/", "https://www.a.io/x/"),
    ("https://a.io", "https://a.io"),
    ("https://a.io/", "https://a.io/"),
    # percent-encoding and parameter order kept byte for byte
    (
        "https://a.io/%7Euser/a%2fb?b=%2F&a=%c3%a9&c=1+2",
        "https://a.io/%7Euser/a%2fb?b=%2F&a=%c3%a9&c=1+2",
    ),
    ("https://a.io/x?z=1&a=2&m=3", "https://a.io/x?z=1&a=2&m=3"),
    ("https://a.io/x?a=1&a=2&a=1", "https://a.io/x?a=1&a=2&a=1"),
    # tracking removed
    ("https://a.io/x?utm_source=news&id=7", "https://a.io/x?id=7"),
    ("https://a.io/x?id=7&utm_source=news&utm_medium=mail", "https://a.io/x?id=7"),
    ("https://a.io/x?utm_source=news#part", "https://a.io/x#part"),
    ("https://a.io/x?fbclid=abc", "https://a.io/x"),
    ("https://A.io:443/x?gclid=1#", "https://a.io/x"),
    # userinfo kept as written, host lowercased
    ("https://User:PW@Host.IO:443/", "https://User:PW@host.io/"),
    # IDN hosts only lowercased
    ("https://BÜCHER.de/Ä", "https://bücher.de/Ä"),
    ("https://XN--BCHER-KVA.DE/", "https://xn--bcher-kva.de/"),
    # surrounding whitespace
    ("  https://a.io/x \n", "https://a.io/x"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "garbage",
        "mailto:Someone@Example.COM",
        "ftp://Example.com/x",
        "obsidian://open?vault=V&file=utm_source",
        "https://",
        "https:///path",
        "https:example.com",
        "//a.io/x",
        "/relative/path?utm_source=x",
        "note.md#Heading",
        "http://[::1/x",
        "\x00\ud800https://",
    ],
)
def test_canonical_url_leaves_non_http_alone(url: str) -> None:
    assert canonical_url(url) == url.strip()


def test_http_and_https_are_different() -> None:
    assert canonical_url("http://a.io/x") != canonical_url("https://a.io/x")
    assert canonical_url("https://www.a.io/") != canonical_url("https://a.io/")
    assert canonical_url("https://a.io/x/") != canonical_url("https://a.io/x")


# --- loose_key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://a.io/x", "a.io/x"),
        ("http://a.io/x", "a.io/x"),
        ("https://www.a.io/x/", "a.io/x"),
        ("HTTP://WWW.A.IO:80/x//", "a.io/x"),
        ("https://a.io/", "a.io"),
        ("https://a.io", "a.io"),
        ("https://a.io/x/?q=1#f", "a.io/x?q=1#f"),
        ("https://a.io/x/?utm_source=z", "a.io/x"),
        ("https://www2.a.io/", "www2.a.io"),
        ("https://a.io:8080/x/", "a.io:8080/x"),
        ("mailto:x@y.z", "mailto:x@y.z"),
    ],
)
def test_loose_key(url: str, key: str) -> None:
    assert loose_key(url) == key


def test_probably_the_same() -> None:
    urls = ["https://a.io/x", "http://a.io/x", "https://www.a.io/x/", "http://www.a.io/x"]
    assert len({canonical_url(u) for u in urls}) == 4
    assert len({loose_key(u) for u in urls}) == 1
    assert loose_key("https://a.io/x") != loose_key("https://a.io/X")
    assert loose_key("https://a.io/x?a=1") != loose_key("https://a.io/x")


# --- tracking parameters ------------------------------------------------------------

TRACKING = [
    # (url, names found, stripped)
    (
        "https://a.io/?utm_source=a&utm_medium=b&utm_campaign=c",
        ["utm_source", "utm_medium", "utm_campaign"],
        "https://a.io/",
    ),
    ("https://a.io/?utm_anything_new=1&keep=2", ["utm_anything_new"], "https://a.io/?keep=2"),
    ("https://a.io/?UTM_Source=1&keep=2", ["UTM_Source"], "https://a.io/?keep=2"),
    ("https://a.io/?utm%5Fsource=1", ["utm%5Fsource"], "https://a.io/"),
    (
        "https://a.io/?fbclid=1&gclid=2&dclid=3&gbraid=4&wbraid=5&msclkid=6",
        ["fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid"],
        "https://a.io/",
    ),
    (
        "https://a.io/?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&mkt_tok=5",
        ["mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok"],
        "https://a.io/",
    ),
    (
        "https://a.io/?igshid=1&yclid=2&ref_src=twsrc&oly_anon_id=3&oly_enc_id=4&vero_id=5&_ga=6",
        ["igshid", "yclid", "ref_src", "oly_anon_id", "oly_enc_id", "vero_id", "_ga"],
        "https://a.io/",
    ),
    ("https://a.io/p?id=1&fbclid=x#sec", ["fbclid"], "https://a.io/p?id=1#sec"),
    ("https://a.io/p?fbclid=x#", ["fbclid"], "https://a.io/p#"),
    ("https://a.io/p?fbclid=x&fbclid=y&z=1", ["fbclid"], "https://a.io/p?z=1"),
    ("https://a.io/p?fbclid", ["fbclid"], "https://a.io/p"),
    # YouTube: si goes, v/list/t/index stay
    ("https://youtu.be/abc?si=XyZ", ["si"], "https://youtu.be/abc"),
    ("https://youtu.be/abc?si=XyZ&t=42", ["si"], "https://youtu.be/abc?t=42"),
    (
        "https://www.youtube.com/watch?v=abc&list=PL1&index=3&t=10s&si=q",
        ["si"],
        "https://www.youtube.com/watch?v=abc&list=PL1&index=3&t=10s",
    ),
    ("https://youtube.com/watch?si=q&v=abc", ["si"], "https://youtube.com/watch?v=abc"),
    ("https://m.youtube.com/watch?v=abc&si=q", ["si"], "https://m.youtube.com/watch?v=abc"),
    ("https://music.youtube.com/watch?v=abc&si=q", ["si"], "https://music.youtube.com/watch?v=abc"),
    ("https://WWW.YOUTUBE.COM/watch?v=abc&si=q", ["si"], "https://WWW.YOUTUBE.COM/watch?v=abc"),
    ("https://open.spotify.com/track/1?si=abc", ["si"], "https://open.spotify.com/track/1"),
    ("https://www.youtube.com/watch?v=abc&t=10s", [], "https://www.youtube.com/watch?v=abc&t=10s"),
    # si elsewhere is meaningful
    ("https://example.com/?si=1", [], "https://example.com/?si=1"),
    ("https://notyoutube.com/?si=1", [], "https://notyoutube.com/?si=1"),
    # X / Twitter: s and t go, only there
    ("https://x.com/user/status/1?s=20&t=AbC", ["s", "t"], "https://x.com/user/status/1"),
    ("https://twitter.com/user/status/1?s=20", ["s"], "https://twitter.com/user/status/1"),
    (
        "https://mobile.twitter.com/u/status/1?t=x&s=19",
        ["t", "s"],
        "https://mobile.twitter.com/u/status/1",
    ),
    ("https://www.x.com/u?s=1&lang=en", ["s"], "https://www.x.com/u?lang=en"),
    ("https://example.com/blog/?s=08", [], "https://example.com/blog/?s=08"),
    ("https://example.com/search?s=query&t=5", [], "https://example.com/search?s=query&t=5"),
    ("https://vimeo.com/1?t=30", [], "https://vimeo.com/1?t=30"),
    ("https://x.company.com/?s=1", [], "https://x.company.com/?s=1"),
    # everything else exactly as written
    (
        "HTTPS://A.IO:443/P%41th?b=%2f&utm_source=1&a=1+2#F",
        ["utm_source"],
        "HTTPS://A.IO:443/P%41th?b=%2f&a=1+2#F",
    ),
    ("https://a.io/x?", [], "https://a.io/x?"),
    ("https://a.io/x?a=1&&utm_term=2", ["utm_term"], "https://a.io/x?a=1&"),
    ("https://a.io/x#utm_source=in-fragment", [], "https://a.io/x#utm_source=in-fragment"),
    ("https://a.io/x?ref=home&source=rss", [], "https://a.io/x?ref=home&source=rss"),
    ("not a url?utm_source=x", [], "not a url?utm_source=x"),
]


@pytest.mark.parametrize(("url", "names", "stripped"), TRACKING)
def test_tracking_params(url: str, names: list[str], stripped: str) -> None:
    assert tracking_params(url) == names
    assert strip_tracking(url) == stripped


def test_strip_tracking_keeps_surrounding_whitespace() -> None:
    assert strip_tracking(" https://a.io/?fbclid=1&a=2\n") == " https://a.io/?a=2\n"
    assert strip_tracking(" https://a.io/?a=2 ") == " https://a.io/?a=2 "


def test_lists_are_lowercase_names() -> None:
    assert all(name == name.lower() for name in TRACKING_PARAMS)
    assert "v" not in TRACKING_PARAMS and "t" not in TRACKING_PARAMS
    for host, names in HOST_TRACKING_PARAMS.items():
        assert host == host.lower()
        assert not names & {"v", "list", "index"}
        if "youtu" in host:
            assert "t" not in names


# --- split_glued ----------------------------------------------------------------------

GLUED = [
    ("https://a.io/x.htmlhttps://a.io/x.html", ["https://a.io/x.html", "https://a.io/x.html"]),
    ("https://a.io/xhttp://b.io/y", ["https://a.io/x", "http://b.io/y"]),
    ("https://a.io/https://a.io/", ["https://a.io/", "https://a.io/"]),
    ("https://a.iohttps://b.io", ["https://a.io", "https://b.io"]),
    ("https://a.io/x?q=1https://b.io", ["https://a.io/x?q=1", "https://b.io"]),
    ("https://a.io/xHTTPS://b.io", ["https://a.io/x", "HTTPS://b.io"]),
    (
        "http://a.io/1http://b.io/2http://c.io/3",
        ["http://a.io/1", "http://b.io/2", "http://c.io/3"],
    ),
    (" https://a.io/xhttps://b.io/y ", ["https://a.io/x", "https://b.io/y"]),
]


@pytest.mark.parametrize(("url", "parts"), GLUED)
def test_split_glued(url: str, parts: list[str]) -> None:
    assert split_glued(url) == parts


@pytest.mark.parametrize(
    "url",
    [
        "https://a.io/x.html",
        "https://a.io/login?next=https://a.io/home",
        "https://a.io/r?url=https://b.io/y&x=1",
        "https://a.io/r?u=https%3A%2F%2Fb.io%2Fy",
        "https://href.li/?https://b.io",
        "https://a.io/app#https://b.io",
        "https://a.io/r?x=1&https://b.io",
        "https://web.archive.org/web/2020/https://b.io/page",
        "https://web.archive.org/web/20200101000000id_/http://b.io/",
        "https://r.jina.ai/https://b.io",
        "https://a.io/xhttps://",  # second part has no host
        "see https://a.io/x",
        "",
        "https://",
    ],
)
def test_split_glued_none(url: str) -> None:
    assert split_glued(url) is None


# --- repair_space -------------------------------------------------------------------------

SPACE_REPAIRS = [
    # a space in the path, query or fragment: %20, the same target
    (
        "https://raw.githubusercontent.com/u/r/HEAD/preview_Blue Topaz.png",
        "percent-encoded",
        "https://raw.githubusercontent.com/u/r/HEAD/preview_Blue%20Topaz.png",
    ),
    ("https://example.com/s?q=hello world", "percent-encoded", "https://example.com/s?q=hello%20world"),
    ("https://a.io/x#two  words", "percent-encoded", "https://a.io/x#two%20%20words"),
    (
        "https://example.org/2024/Dec/31/post- in-2024/",
        "percent-encoded",
        "https://example.org/2024/Dec/31/post-%20in-2024/",
    ),
    ("http://127.0.0.1:8000/ x", "percent-encoded", "http://127.0.0.1:8000/%20x"),
    # a space in the host: joined, when the host is then valid
    ("https://exam ple.org/2024/", "host-joined", "https://example.org/2024/"),
    ("https:// example.org/a", "host-joined", "https://example.org/a"),
    ("https://exa mple.o rg/a", "host-joined", "https://example.org/a"),
    ("http://local host:8000/x", "host-joined", "http://localhost:8000/x"),
    ("https://xn--bcher-kva.d e/", "host-joined", "https://xn--bcher-kva.de/"),
    ("https://simonwil lison.net", "host-joined", "https://simonwillison.net"),
]


@pytest.mark.parametrize(("text", "kind", "fixed"), SPACE_REPAIRS)
def test_repair_space(text: str, kind: str, fixed: str) -> None:
    repair = repair_space(text)
    assert repair is not None and (repair.kind, repair.replacement) == (kind, fixed)
    assert repair.safe and not repair.parts


def test_two_urls_in_one_destination_are_never_merged() -> None:
    repair = repair_space("https://example.com/k https://example.com/l")
    assert repair is not None and repair.kind == "urls-split" and not repair.safe
    assert repair.parts == ("https://example.com/k", "https://example.com/l")
    assert repair.replacement == ""


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/a",  # nothing broken
        "  https://example.org/a  ",
        'https://example.org/a "Title"',  # a link title, not a break
        "https://example.org/a 'Title'",
        "https://example.org/a (Title)",
        "see https://example.org/a",
        "ht tps://example.org/a",  # the scheme: no one reading
        "https://exam ple/x",  # no TLD once joined
        "https://exa mple.org/a b",  # breaks in host and path
        "https://exa_mple.org/x y",
        "https://-example.org/ x",
        "https://example.123/ x",
        "https://example.org:/ x",
        "https://example.org:99x/ x",
        "https://999.1.1.1/ x",
        "https://[::1/ x",
        "https://example.org/<x> y",
        "https://example.org/a\n/b",  # a line break: not plainly a space in a name
        "https://example.org/a\tb",
        "https://example.org/a\u00a0b",
        "ftp://example.org/ x",
        "example.org/ x",
        "",
        " ",
    ],
)
def test_repair_space_none(text: str) -> None:
    assert repair_space(text) is None


# --- badges and external links ---------------------------------------------------------

BADGES = [
    "https://img.shields.io/badge/license-MIT-blue.svg",
    "https://img.shields.io/pypi/v/vaultkit",
    "https://shields.io/badge/x-y-green",
    "https://badge.fury.io/py/vaultkit.svg",
    "https://badgen.net/npm/v/express",
    "https://github.com/u/r/workflows/CI/badge.svg",
    "https://github.com/u/r/actions/workflows/ci.yml/badge.svg?branch=main",
    "https://travis-ci.org/u/r.svg?branch=master",
    "https://api.travis-ci.com/u/r.svg",
    "https://codecov.io/gh/u/r/branch/main/graph/badge.svg?token=X",
    "https://codecov.io/gh/u/r/badge.svg",
    "https://coveralls.io/repos/github/u/r/badge.svg?branch=main",
    "https://circleci.com/gh/u/r.svg?style=svg",
    "https://dl.circleci.com/status-badge/img/gh/u/r/tree/main.svg",
    "https://ci.appveyor.com/api/projects/status/abc?svg=true",
    "https://gitlab.com/u/r/badges/main/pipeline.svg",
    "https://readthedocs.org/projects/vaultkit/badge/?version=latest",
    "https://static.pepy.tech/badge/vaultkit",
    "https://pepy.tech/badge/vaultkit/month",
    "https://goreportcard.com/badge/github.com/u/r",
    "https://pkg.go.dev/badge/github.com/u/r.svg",
    "https://godoc.org/github.com/u/r?status.svg",
    "https://api.codeclimate.com/v1/badges/abc/maintainability",
    "https://sonarcloud.io/api/project_badges/measure?project=x&metric=alert_status",
    "https://snyk.io/test/github/u/r/badge.svg",
    "https://api.netlify.com/api/v1/badges/abc/deploy-status",
    "https://www.codefactor.io/repository/github/u/r/badge",
    "https://app.codacy.com/project/badge/Grade/abc",
    "https://bestpractices.coreinfrastructure.org/projects/1/badge",
    "HTTPS://IMG.SHIELDS.IO/badge/x-y-z",
]


@pytest.mark.parametrize("url", BADGES)
def test_is_badge_url(url: str) -> None:
    assert is_badge_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/u/r",
        "https://github.com/u/r/actions",
        "https://codecov.io/gh/u/r",
        "https://travis-ci.org/u/r",
        "https://readthedocs.org/projects/vaultkit/",
        "https://gitlab.com/u/r",
        "https://example.com/badge-collecting-tips",
        "https://example.com/images/logo.svg",
        "https://shields.io/",
        "img.shields.io/badge/x",  # not a URL without its scheme
        "",
    ],
)
def test_is_not_badge_url(url: str) -> None:
    assert not is_badge_url(url)


def test_badge_hosts_are_lowercase() -> None:
    assert all(h == h.lower() for h in BADGE_HOSTS)


@pytest.mark.parametrize(
    ("url", "external"),
    [
        ("https://a.io", True),
        ("http://a.io/x", True),
        ("HTTPS://A.IO", True),
        (" https://a.io ", True),
        ("http://localhost:8000/", True),
        ("https://", False),
        ("https:///x", False),
        ("https://exam ple.org/x", False),  # whitespace in the host
        ("https://a.io\t/x", False),
        ("mailto:a@b.c", False),
        ("ftp://a.io/x", False),
        ("obsidian://open?vault=x", False),
        ("Note.md", False),
        ("#heading", False),
        ("//a.io/x", False),
        ("", False),
    ],
)
def test_is_external(url: str, external: bool) -> None:
    assert is_external(url) is external


# --- the shared example notes --------------------------------------------------------------


def _example_destinations() -> list[str]:
    if not EXAMPLES.is_dir():
        pytest.skip(f"shared examples not found at {EXAMPLES}")
    out: list[str] = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out += re.findall(r"\]\(([^)]*)\)", text)
    return out


def test_examples_space_broken_and_glued() -> None:
    dests = _example_destinations()
    spaced = [d for d in dests if d.startswith("http") and re.search(r"\s", d)]
    assert spaced
    for d in spaced:  # only the one broken host of the issue
        repair = repair_space(d)
        assert repair is not None and repair.kind == "host-joined"
        assert repair.replacement == re.sub(r"\s", "", d)
    glued = [parts for d in dests if (parts := split_glued(d))]
    assert len(glued) == 1
    assert glued[0][0] == glued[0][1]  # a URL pasted twice


def test_examples_only_real_tracking() -> None:
    for d in _example_destinations():
        for name in tracking_params(d):
            assert name.startswith("utm_") or name in TRACKING_PARAMS or name in {"si", "s", "t"}
            if name in {"s", "t"}:
                assert re.match(r"https?://(www\.|mobile\.)?(x|twitter)\.com/", d)


# --- properties ---------------------------------------------------------------------------

_url_chars = st.sampled_from(
    [
        *"aAzZ09-._~%2F/?#&=:@+ \t\n",
        "utm_source",
        "si",
        "s",
        "t",
        "fbclid",
        "www.",
        "%41",
        "é",
        "[",
        "]",
    ]
)
_hosts = st.sampled_from(
    [
        "a.io",
        "A.IO",
        "www.a.io",
        "x.com",
        "Twitter.com",
        "youtu.be",
        "www.youtube.com",
        "[::1]",
        "h",
        "",
        "ü.de",
    ]
)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS", "ftp", ""]))
    port = draw(st.sampled_from(["", ":80", ":443", ":", ":8080", "::"]))
    rest = draw(st.lists(_url_chars, max_size=25))
    sep = "://" if scheme else ""
    return f"{scheme}{sep}{draw(_hosts)}{port}{''.join(rest)}"


_any_url = st.one_of(_urls(), st.text())


@given(_any_url)
def test_canonical_url_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(_any_url)
def test_strip_tracking_idempotent(url: str) -> None:
    once = strip_tracking(url)
    assert strip_tracking(once) == once
    assert tracking_params(once) == []


@given(_any_url)
def test_canonical_consistent_with_other_views(url: str) -> None:
    canon = canonical_url(url)
    assert canonical_url(strip_tracking(url)) == canon
    assert loose_key(canon) == loose_key(url)
    assert is_external(canon) == is_external(url)
    assert tracking_params(canon) == []
    if not is_external(url):
        assert canon == url.strip()


@given(_any_url)
def test_never_raises(url: str) -> None:
    canonical_url(url)
    loose_key(url)
    tracking_params(url)
    strip_tracking(url)
    split_glued(url)
    repair_space(url)
    is_badge_url(url)
    is_external(url)


@given(st.text(max_size=40))
def test_never_raises_with_surrogates(text: str) -> None:
    for url in (
        text + "\udc80",
        "https://a.io/?\ud800" + text,
        "https://" + text + "\ud800?utm_source=1",
    ):
        canonical_url(url)
        strip_tracking(url)
        tracking_params(url)
        split_glued(url + "https://b.io")
        repair_space(url + " x")


@given(_any_url)
def test_split_glued_parts_rebuild_the_text(url: str) -> None:
    parts = split_glued(url)
    if parts is not None:
        assert "".join(parts) == url.strip()
        assert len(parts) >= 2
        assert all(is_external(p) for p in parts)


@given(_any_url)
def test_repair_space_keeps_the_target(text: str) -> None:
    """A safe repair either writes the spaces as %20 (the decoded URL is the text as written)
    or removes them from the host alone."""
    repair = repair_space(text)
    if repair is None or not repair.safe:
        return
    assert is_external(repair.replacement)
    if repair.kind == "percent-encoded":
        assert unquote(repair.replacement) == unquote(text.strip())
        assert repair.replacement == text.strip().replace(" ", "%20")
    else:
        assert repair.replacement == text.strip().replace(" ", "")


@given(
    st.from_regex(
        r"https?://[a-z0-9.-]{1,20}(/[a-zA-Z0-9._~%!$&'()*+,;=:-]{0,30}){0,3}(#[a-z0-9]{1,8})?",
        fullmatch=True,
    )
)
def test_fast_path_agrees_with_the_full_canonicalisation(url: str) -> None:
    from vaultkit.text.urls import _canonical

    assert canonical_url(url) == _canonical(url)


def _loose_key_by_parse(url: str) -> str:
    """loose_key without its fast path for plain URLs: the reference it must agree with."""
    from dataclasses import replace

    from vaultkit.text.urls import parse_http

    canon = canonical_url(url)
    parts = parse_http(canon)
    if parts is None:
        return canon
    host = parts.host[4:] if parts.host.startswith("www.") else parts.host
    return replace(parts, host=host, path=parts.path.rstrip("/")).text().split("://", 1)[1]


@given(_any_url)
def test_the_fast_paths_for_plain_urls_agree_with_a_parse(url: str) -> None:
    from vaultkit.text.urls import parse_http

    assert loose_key(url) == _loose_key_by_parse(url)
    assert is_external(url) == (parse_http(url.strip()) is not None)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.a.io/x/y/#frag/", "a.io/x/y#frag/"),
        ("http://a.io", "a.io"),
        ("https://a.io/p#a#b", "a.io/p#a#b"),
        ("https://w.a.io//", "w.a.io"),
    ],
)
def test_the_fast_paths_agree_on_plain_urls(url: str, key: str) -> None:
    assert loose_key(url) == _loose_key_by_parse(url) == key
    assert is_external(url)
