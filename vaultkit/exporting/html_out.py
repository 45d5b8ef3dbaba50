"""``--format html``: the reading list as one self-contained page people open from disk.

The page holds its CSS and JavaScript inline (``assets/report.css`` and
``assets/report.js``) and the export as JSON in a ``<script type="application/json">``
block, escaped so that no note text can close it. The script builds the list with
``textContent`` and checked ``href``s only, so text from a note is never markup; the
page's Content-Security-Policy allows nothing but its own inline script and style
(by hash): no network, no CDN, no outside load.

Resources are grouped by the section path of their first occurrence, in reading
order (the note and line where each is first saved); the script searches title,
description and URL as you type, filters by tag, difficulty and section, and shows
each occurrence as an ``obsidian://open`` link and a plain ``path:line``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources as pkg_resources
from typing import Any

from vaultkit.exporting.build import SECTION_SEP, Export
from vaultkit.exporting.similar import find_similar
from vaultkit.exporting.sqlite_out import host_of

# canonical URL -> ("dead" or "redirected", the final URL or the cause)
LinkStatus = Mapping[str, tuple[str, str]]
StatusOf = Callable[[list[str]], LinkStatus]  # the status of these canonical URLs


@dataclass(frozen=True)
class Summary:
    resources: int
    notes: int
    sections: int
    merged: int  # occurrences folded into a resource saved more than once
    near: int  # resources with near-duplicate titles
    dead: int
    redirected: int


def _asset(name: str) -> str:
    return pkg_resources.files("vaultkit").joinpath(f"exporting/assets/{name}").read_text("utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` (``</script>``,
    ``<!--``) and no line separators, all as ``\\uXXXX`` escapes JSON.parse reads back."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        text = text.replace(ch, esc)
    return text.replace("\u2029", "\\u2029")


def _rows(export: Export) -> list[list[Any]]:
    """Each resource as the page's row, in reading order, still with the section, tags
    and notes as text (ids are given in that order, after) and its canonical URL in
    place of its similar list."""
    keyed = []
    for r in export.resources:
        first = r.occurrences[0]
        row = [
            r.url,
            r.title,
            host_of(r.canonical_url),
            SECTION_SEP.join(first.section),
            r.tags,
            next((o.difficulty for o in r.occurrences if o.difficulty), None),
            next((o.description for o in r.occurrences if o.description), None),
            [(o.note, o.line) for o in r.occurrences],
            r.canonical_url,
            "",
            "",
        ]
        keyed.append(((first.note, first.line, r.canonical_url), row))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


def report_data(export: Export, status_of: StatusOf | None = None) -> tuple[dict[str, Any], Summary]:
    """The page's data (compact arrays, see ``report.js``) and its summary. The export's
    resources are read once and kept as the page's rows; then the similar lists are
    found from their titles, and ``status_of`` looks up dead and redirected links."""
    rows = _rows(export)
    titles, keys, threshold = export.similar_inputs()
    similar = {keys[i]: found for i, found in enumerate(find_similar(titles, keys, threshold)) if found}
    status = status_of(keys) if status_of is not None else {}
    position = {row[8]: i for i, row in enumerate(rows)}
    note_ids: dict[str, int] = {}
    sections: dict[str, int] = {}
    tags: dict[str, int] = {}
    merged = 0
    for row in rows:
        canon = row[8]
        row[3] = sections.setdefault(row[3], len(sections))
        row[4] = [tags.setdefault(t, len(tags)) for t in row[4]]
        merged += len(row[7]) - 1
        row[7] = [[note_ids.setdefault(note, len(note_ids)), line] for note, line in row[7]]
        row[8] = [position[u] for u in similar.get(canon, ()) if u in position]
        row[9], row[10] = status.get(canon, ("", ""))
    notes = export.note_titles
    data = {
        "vault": export.vault,
        "notes": [[path, notes.get(path, path)] for path in note_ids],
        "sections": list(sections),
        "tags": list(tags),
        "resources": rows,
    }
    summary = Summary(
        len(rows),
        len(export.notes),
        len([s for s in sections if s]),
        merged,
        sum(1 for row in rows if row[8]),
        sum(1 for row in rows if row[9] == "dead"),
        sum(1 for row in rows if row[9] == "redirected"),
    )
    return data, summary


def _summary_html(s: Summary) -> str:
    items = [
        (s.resources, "resources"),
        (s.notes, "notes"),
        (s.sections, "sections"),
        (s.merged, "duplicates merged"),
        (s.near, "with near-duplicate titles"),
    ]
    if s.dead or s.redirected:
        items += [(s.dead, "dead links"), (s.redirected, "redirected")]
    return "".join(f"<li><b>{n:,}</b> {label}</li>" for n, label in items)


def iter_html(export: Export, status_of: StatusOf | None = None) -> Iterator[str]:
    """The page, in pieces (the data is most of it, and one JSON document, so it is
    held until written)."""
    data, summary = report_data(export, status_of)
    css, js = _asset("report.css"), _asset("report.js")
    csp = (
        f"default-src 'none'; script-src {_hash(js)}; style-src {_hash(css)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    vault = html.escape(export.vault)
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>Reading list — {vault}</title>\n<style>{css}</style>\n</head>\n<body>\n<header>\n"
        f"<h1>Reading list — {vault}</h1>\n"
        f'<p class="stamp">Exported by vaultkit on {html.escape(export.generated)}</p>\n'
        f'<ul class="summary" id="summary">{_summary_html(summary)}</ul>\n'
        '<div class="controls" role="search">\n'
        '<input id="q" type="search" placeholder="Search titles, descriptions, URLs" '
        'aria-label="Search" autocomplete="off">\n'
        '<select id="tag" aria-label="Tag"></select>\n'
        '<select id="level" aria-label="Difficulty"></select>\n'
        '<select id="section" aria-label="Section"></select>\n'
        "</div>\n</header>\n<main>\n"
        '<p id="shown" aria-live="polite"></p>\n<div id="list"></div>\n'
        '<button class="more" id="more" type="button" hidden>Show more</button>\n'
        "<noscript><p>The list needs JavaScript to show; the data is in this file.</p></noscript>\n"
        '</main>\n<script type="application/json" id="data">'
    )
    yield script_json(data)
    yield f"</script>\n<script>{js}</script>\n</body>\n</html>\n"
