"""Pure pieces: Retry-After parsing, status texts and verdicts, URL preparation."""

from __future__ import annotations

import email.utils

import pytest

from vaultkit.online import OnlineSettings
from vaultkit.online.classify import judge_status, parse_retry_after, status_text
from vaultkit.online.urls import Target, prepare, with_fragment

OK = frozenset(range(200, 300))


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 120 ") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


def test_status_text() -> None:
    assert status_text(404) == "404 Not Found"
    assert status_text(999) == "999 Request denied"
    assert status_text(599, "Odd") == "599 Odd"


@pytest.mark.parametrize(
    ("status", "outcome", "retryable"),
    [
        (200, "ok", False),
        (204, "ok", False),
        (404, "dead", False),
        (410, "dead", False),
        (418, "dead", False),
        (401, "unverifiable", False),
        (403, "unverifiable", False),
        (999, "unverifiable", False),
        (429, "unverifiable", True),
        (408, "unverifiable", True),
        (500, "dead", True),
        (503, "dead", True),
    ],
)
def test_judge_status(status: int, outcome: str, retryable: bool) -> None:
    a = judge_status(status, None, {}, OK, [], "http://x.test/")
    assert (a.outcome, a.retryable) == (outcome, retryable)


def test_judge_status_redirects_and_accepted() -> None:
    a = judge_status(200, None, {}, OK, [301, 308], "http://x.test/b")
    assert (a.outcome, a.permanent) == ("redirected", True)
    a = judge_status(200, None, {}, OK, [301, 302], "http://x.test/b")
    assert (a.outcome, a.permanent) == ("redirected", False)
    a = judge_status(403, None, {}, OK | {403}, [], "http://x.test/")
    assert a.outcome == "ok"  # accepted_status is configurable
    a = judge_status(503, None, {"retry-after": "7"}, OK, [], "http://x.test/")
    assert a.retry_after == 7.0


def test_prepare_strips_credentials_and_fragment() -> None:
    t = prepare("HTTPS://bob:pw@Example.TEST:8443/a b?q=1#frag")
    assert t == Target("https://example.test:8443/a b?q=1", "example.test", "frag")
    assert prepare("http://[::1]/") == Target("http://[::1]/", "::1", "")


@pytest.mark.parametrize(
    ("url", "outcome"),
    [
        ("mailto:a@b.test", "skipped"),
        ("obsidian://open?vault=x", "skipped"),
        ("http://", "dead"),
        ("http://a.test:0/", "dead"),
        ("http://a\nb.test/", "dead"),
        ("no-scheme.test/page", "dead"),
    ],
)
def test_prepare_rejects(url: str, outcome: str) -> None:
    result = prepare(url)
    assert isinstance(result, tuple) and result[0] == outcome


def test_with_fragment() -> None:
    assert with_fragment("http://a.test/", "x") == "http://a.test/#x"
    assert with_fragment("http://a.test/#y", "x") == "http://a.test/#y"
    assert with_fragment(None, "x") is None


def test_settings_validation_and_override_keys() -> None:
    with pytest.raises(ValueError):
        OnlineSettings(concurrency=0)
    from vaultkit.online import HostOverride

    s = OnlineSettings(host_overrides={"GitHub.com": HostOverride(per_host=1)})
    assert s.override_for("github.com") is not None
    assert s.override_for("GITHUB.COM.") is not None
