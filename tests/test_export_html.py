"""Issue 15: ``--format html``, opened from disk in a real headless Chromium (Debian's
``chromium``, driven by Playwright; ``.ci/run`` installs it). The browser can reach
nothing but the file: every host name resolves to nothing, background networking and
component updates are off, and every request the page makes is recorded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_vault"
STAMP = "2025-01-01T00:00:00Z"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-sandbox",
]
EVIL_NOTE = (  # titles, a note title and a section that are markup once unescaped
    "---\n"
    'title: "<script>window.__pwned = 5</script>\\"><img src=x onerror=window.__pwned=6>"\n'
    "---\n"
    "# <b>bold</b> & co\n"
    "- [`<script>window.__pwned = 1</script>`](https://evil.example.org/1)\n"
    "- [&lt;script&gt;window.__pwned = 2&lt;/script&gt;](https://evil.example.org/2)\n"
    '- [\\"><img src=x onerror=window.__pwned=3\\>](https://evil.example.org/3)\n'
    "- [`</script><script>window.__pwned = 4</script>`](https://evil.example.org/4)\n"
)


def export_html(root: Path, out: Path, *args: str) -> Path:
    argv = ["export", "--generated", STAMP, "--format", "html", "-o", str(out), *args, str(root)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


class Page:
    """A page opened from disk, with its console errors, page errors and requests."""

    def __init__(self, browser: Any, path: Path, **context: Any) -> None:
        self.ctx = browser.new_context(**context)
        self.page = self.ctx.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.responses: list[str] = []
        self.failures: dict[str, str] = {}
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: self.responses.append(r.url))
        self.page.on("requestfailed", lambda r: self.failures.update({r.url: r.failure or ""}))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready='1']", timeout=10_000)

    def count(self) -> int:
        return int(self.page.locator("li.resource").count())

    def type(self, text: str) -> None:
        self.page.fill("#q", text)
        self.settle()

    def settle(self) -> None:
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_html(SAMPLE, tmp_path_factory.mktemp("html") / "reading-list.html")


def test_the_report_lists_searches_and_filters(browser: Any, sample_html: Path, tmp_path: Path) -> None:
    import json

    doc = json.loads(CliRunner().invoke(cli, ["export", str(SAMPLE)]).stdout_bytes)
    page = Page(browser, sample_html)
    try:
        total = len(doc["resources"])
        assert page.count() == total
        summary = page.page.text_content("#summary") or ""
        assert f"{total} resources" in summary and "duplicates merged" in summary
        groups = page.page.locator("section.group h2").all_text_contents()
        assert len(groups) >= 5 and all(g.rsplit(" ", 1)[-1].isdigit() for g in groups)  # with counts
        page.type("attention")
        hits = page.page.locator("li.resource").all_text_contents()
        assert 0 < len(hits) < total and all("attention" in h.lower() for h in hits)
        page.type("attention zzzz-nothing")
        assert page.count() == 0
        page.type("")
        assert page.count() == total
        page.page.select_option("#level", "Easy")
        page.settle()
        easy = page.count()
        assert 0 < easy < total
        assert all("Easy" in t for t in page.page.locator("li.resource .chips").all_text_contents())
        page.page.select_option("#level", "")
        page.page.select_option("#tag", "paper")
        page.settle()
        assert 0 < page.count() < total
        assert all("#paper" in t for t in page.page.locator("li.resource").all_text_contents())
        hrefs = page.page.locator(".occ a").evaluate_all("els => els.map(e => e.href)")
        assert hrefs and all(h.startswith("obsidian://open?vault=sample_vault&file=") for h in hrefs)
        assert page.page.locator(".occ code").first.text_content().endswith((".md:10", ".md:25", ".md:19"))
        shot = tmp_path / "reading-list.png"
        page.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert page.errors == []
        assert page.requests == page.responses == [sample_html.as_uri()]  # nothing but the file
    finally:
        page.close()


def test_hostile_titles_show_as_text_and_never_run(browser: Any, vault: Any, tmp_path: Path) -> None:
    page = Page(browser, export_html(vault({"Evil </script>.md": EVIL_NOTE}), tmp_path / "evil.html"))
    try:
        assert page.page.evaluate("() => window.__pwned") is None
        titles = page.page.locator("li.resource a.title").all_text_contents()
        assert set(titles) == {
            "<script>window.__pwned = 1</script>",
            "<script>window.__pwned = 2</script>",
            '"><img src=x onerror=window.__pwned=3>',
            "</script><script>window.__pwned = 4</script>",
        }
        note = page.page.locator(".occ a").first.text_content() or ""
        assert note.startswith("<script>window.__pwned = 5</script>")
        assert page.page.locator("main img, main svg, main b, main script").count() == 0
        assert page.errors == []
        csp = page.page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content") or ""
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    finally:
        page.close()


def test_the_csp_forbids_outside_loads(browser: Any, sample_html: Path, tmp_path: Path) -> None:
    """The same page with an outside image and script added: the browser refuses both."""
    text = sample_html.read_text("utf-8").replace(
        "<main>",
        '<main><img src="http://198.51.100.7/x.png"><script src="http://198.51.100.7/x.js"></script>',
    )
    patched = tmp_path / "patched.html"
    patched.write_text(text, "utf-8")
    page = Page(browser, patched)
    try:
        outside = [r for r in page.requests if not r.startswith("file:")]
        assert len(outside) == 2
        assert all(page.failures.get(r) == "csp" for r in outside)  # refused before any network
        assert page.responses == [patched.as_uri()]
        assert sum("Content Security Policy" in e for e in page.errors) == 2
    finally:
        page.close()


def test_phone_width_and_dark_scheme(browser: Any, sample_html: Path, tmp_path: Path) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        page = Page(browser, sample_html, viewport={"width": 390, "height": 844}, color_scheme=scheme)
        try:
            assert page.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
            colours[scheme] = page.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            page.page.screenshot(path=str(tmp_path / f"phone-{scheme}.png"))
            assert page.errors == []
        finally:
            page.close()
    assert colours["light"] != colours["dark"]


def test_dead_and_redirected_links_from_the_online_cache(browser: Any, vault: Any, tmp_path: Path) -> None:
    from vaultkit.online.cache import Entry, ResultCache

    root = vault(
        {
            "n.md": "- [Gone](https://gone.example.org/a)\n- [Moved](https://moved.example.org/)\n"
            "- [Fine](https://fine.example.org/)\n"
        }
    )
    cache_path = tmp_path / "online.sqlite"
    cache = ResultCache(cache_path, 3600, 3600)
    cache.put(Entry("https://gone.example.org/a", "dead", 404, None, True, "HTTP 404", 1.0))
    cache.put(
        Entry("https://moved.example.org/", "redirected", 301, "https://new.example.org/", True, "", 1.0)
    )
    cache.put(Entry("https://fine.example.org/", "ok", 200, None, False, "", 1.0))
    cache.close()
    page = Page(browser, export_html(root, tmp_path / "status.html", "--cache", str(cache_path)))
    try:
        rows = dict(
            zip(
                page.page.locator("li.resource a.title").all_text_contents(),
                page.page.locator("li.resource").all_text_contents(),
                strict=True,
            )
        )
        assert "dead link" in rows["Gone"] and "redirected" in rows["Moved"]
        assert "dead link" not in rows["Fine"] and "redirected" not in rows["Fine"]
        assert "1 dead links" in (page.page.text_content("#summary") or "")
    finally:
        page.close()
