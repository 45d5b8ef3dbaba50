"""URL rules that need the network: they run only with --online, on results checked once per URL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vaultkit.index.facts import LinkRow, NoteView, link_rows
from vaultkit.model import Diagnostic, Edit, Note, Severity
from vaultkit.rules.base import Context, FixKind, FixSafety, rule, this


def online_results(ctx: Context) -> dict[str, Any]:
    results: dict[str, Any] = ctx.settings.get("online_results") or {}
    return results


def _checked(note: Note | NoteView, ctx: Context) -> Iterator[tuple[LinkRow, Any, int]]:
    """(row, result, index into note.links) for each external link that was checked."""
    results = online_results(ctx)
    if not results:
        return
    rows = note.links if isinstance(note, NoteView) else link_rows(note)
    for i, row in enumerate(rows):
        if row.canonical is not None and row.canonical in results:
            yield row, results[row.canonical], i


def _extra(result: Any) -> dict[str, Any]:
    return {"status": result.status, "final_url": result.final_url, "elapsed_ms": result.elapsed_ms}


def _emit(
    rule_code: str,
    note: Note | NoteView,
    row: LinkRow,
    message: str,
    result: Any,
    edits: tuple[Edit, ...] = (),
) -> Diagnostic:
    d = this(rule_code).diag_at(note.path, row, message, **_extra(result))
    d.edits = edits
    if edits:
        d.extra["change"] = "redirected"
    return d


@rule("VK013", "dead-url", Severity.ERROR, online=True, scope="vault")
def dead_url(note: Note | NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    An external URL that is gone: 404 or 410, a DNS failure, a refused connection, a TLS
    error, a redirect loop, or a 5xx that persists after retries. The message names the cause.

    Runs only with `--online`. Each canonical URL is requested once per run (HEAD, then a
    capped GET when HEAD is refused) and results are cached (see the README).

    ## Why is this bad?
    The page the note relies on is no longer there; the sooner it is noticed, the likelier
    an archived copy can be found.

    ## Example
    ```markdown
    [Talk](https://example.com/talk-2019)
    ```
    where `https://example.com/talk-2019` answers 404.

    ## Use instead
    ```markdown
    [Talk](https://web.archive.org/web/2019/https://example.com/talk-2019)
    ```

    ## Fix safety

    No fix: only the author knows what should replace a dead link.
    """
    for row, result, _ in _checked(note, ctx):
        if result.outcome == "dead":
            yield _emit("VK013", note, row, f"dead link ({result.cause}): {row.target}", result)


@rule(
    "VK014",
    "redirected-url",
    Severity.INFO,
    fix=FixKind.URL,
    safety=FixSafety.SAFE,
    fix_message="rewrote {n} permanently redirected URL(s)",
    online=True,
    scope="vault",
)
def redirected_url(note: Note | NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    An external URL that has moved permanently (every hop a 301 or 308).

    `vaultkit fix --online` rewrites the link to its final location. Temporary
    redirects (302, 303, 307) are left alone.

    ## Why is this bad?
    Each visit costs a detour, and the old address may stop redirecting one day.

    ## Example
    ```markdown
    [Docs](http://example.com/docs)
    ```
    where `http://example.com/docs` answers 301 to `https://example.com/docs/`.

    ## Use instead
    ```markdown
    [Docs](https://example.com/docs/)
    ```

    ## Fix safety

    Safe, with `--online` only: every hop was a permanent redirect, so the final URL is
    where the link already leads.
    """
    full = note if isinstance(note, Note) else None
    links = full.links if full is not None else None
    for row, result, i in _checked(note, ctx):
        if result.outcome != "redirected" or not result.permanent or not result.final_url:
            continue
        edits: tuple[Edit, ...] = ()
        if full is not None and links is not None:
            link = links[i]
            if link.dest_start >= 0 and full.text[link.dest_start : link.dest_end] == link.target:
                edits = (Edit(link.dest_start, link.dest_end, result.final_url),)
        d = _emit("VK014", note, row, f"moved permanently to {result.final_url}", result, edits)
        if links is not None and edits:
            d.offset, d.end_offset = links[i].start, links[i].end
        d.extra["fixable"] = True
        yield d


@rule("VK015", "unverifiable-url", Severity.INFO, online=True, scope="vault")
def unverifiable_url(note: Note | NoteView, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    An external URL that could not be verified: 401, 403, 429, 999, a bot wall or a
    timeout, or one vaultkit refused to request (a private or loopback address; see
    `--allow-private`). These are never reported as dead.

    ## Why is this bad?
    It may be fine; the finding says the check could not tell, so you can look yourself.

    ## Example
    ```markdown
    [Profile](https://www.linkedin.com/in/someone)
    ```
    where the site answers 999 to anything but a browser.

    ## Use instead
    Open the link in a browser; if it works, ignore the finding for that note
    (`<!-- vaultkit-disable-next-line unverifiable-url -->` above it).

    ## Fix safety

    No fix: nothing is known to be wrong.
    """
    for row, result, _ in _checked(note, ctx):
        if result.outcome == "unverifiable":
            yield _emit("VK015", note, row, f"could not verify {row.target}: {result.cause}", result)
        elif result.outcome == "skipped":
            yield _emit("VK015", note, row, f"not requested: {result.cause}", result)
