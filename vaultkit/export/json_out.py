"""``--format json``: the export as one JSON document (schema: vaultkit/schemas/export.schema.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources as pkg_resources
from typing import Any

from vaultkit.export.build import Export
from vaultkit.export.resources import NoteEntry, Occurrence, Resource
from vaultkit.workers import Pending


def occurrence_dict(o: Occurrence) -> dict[str, Any]:
    return {
        "note": o.note,
        "line": o.line,
        "section": o.section,
        "title": o.title,
        "tags": o.tags,
        "difficulty": o.difficulty,
        "metadata": o.metadata,
        "commented": o.commented,
    }


def resource_dict(r: Resource) -> dict[str, Any]:
    return {
        "url": r.url,
        "canonical_url": r.canonical_url,
        "title": r.title,
        "occurrences": [occurrence_dict(o) for o in r.occurrences],
        "tags": r.tags,
        "similar": r.similar,
    }


def note_dict(n: NoteEntry) -> dict[str, Any]:
    return {
        "path": n.path,
        "title": n.title,
        "frontmatter": n.frontmatter,
        "tags": n.tags,
        "links_to": n.links_to,
    }


def export_dict(export: Export) -> dict[str, Any]:
    return {
        "version": export.version,
        "generated": export.generated,
        "vault": export.vault,
        "resources": [resource_dict(r) for r in export.resources],
        "notes": [note_dict(n) for n in export.notes],
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False)
_CHECK_EVERY = 1024  # resources encoded between looks at whether ``similar`` is ready


def iter_json(export: Export, similar: Pending[list[list[str]]] | None = None) -> Iterator[str]:
    """The document in pieces: top-level keys on their own lines, then one line per
    resource and per note (as readable in a diff as indented JSON, several times faster
    to write, and streamed).

    With ``similar`` (the resources' similar lists, perhaps still being computed in
    another process), resources are encoded meanwhile and ``similar`` is added to each.
    """
    dump = _ENCODER.encode  # one encoder: json.dumps with options builds one per call

    yield (f'{{\n  "version": {dump(export.version)},\n  "generated": {dump(export.generated)},'
           f'\n  "vault": {dump(export.vault)},\n')
    resources = (_resource_lines(export.resources, similar) if similar is not None
                 else (dump(resource_dict(r)) for r in export.resources))
    notes = (dump(note_dict(n)) for n in export.notes)
    for key, lines, last in (("resources", resources, False), ("notes", notes, True)):
        yield f'  "{key}": ['
        empty = True
        for line in lines:
            yield ("\n    " if empty else ",\n    ") + line
            empty = False
        yield ("]" if empty else "\n  ]") + ("\n}\n" if last else ",\n")


def _resource_lines(resources: list[Resource], similar: Pending[list[list[str]]]) -> Iterator[str]:
    """Each resource's JSON, with ``similar`` added once it is ready. Lines encoded before
    that are held back, then sent in order; after it, each line goes out as it is made."""
    dump = _ENCODER.encode
    held: list[str] = []
    lists: list[list[str]] | None = None
    for i, res in enumerate(resources):
        if lists is None and i % _CHECK_EVERY == 0 and similar.done():
            lists = similar.result()
            yield from map(_with_similar, held, lists)
            held = []
        data = resource_dict(res)
        del data["similar"]  # the last key: added back by _with_similar
        line = dump(data)
        if lists is None:
            held.append(line)
        else:
            yield _with_similar(line, lists[i])
    if lists is None:
        yield from map(_with_similar, held, similar.result())


def _with_similar(line: str, similar: list[str]) -> str:
    return f'{line[:-1]}, "similar": {_ENCODER.encode(similar)}}}'


def render_json(export: Export) -> str:
    return "".join(iter_json(export))


def schema() -> dict[str, Any]:
    """The JSON Schema the output follows (shipped in the package)."""
    text = pkg_resources.files("vaultkit").joinpath("schemas/export.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
