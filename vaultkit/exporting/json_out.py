"""``--format json``: the export as one JSON document (schema: vaultkit/schemas/export.schema.json)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from importlib import resources as pkg_resources
from typing import Any

from vaultkit.exporting.build import Export
from vaultkit.exporting.resources import NoteEntry, Occurrence, Resource
from vaultkit.exporting.similar import LIMIT, best_by_title, own_list
from vaultkit.lint.workers import Deferred, Submit
from vaultkit.schema_ids import EXPORT_SCHEMA_ID
from vaultkit.version import __version__

# JSON text made as json.dumps(..., ensure_ascii=False) makes it, byte for byte, but faster:
# one C encoder for every object, and resource lines put together from their parts, so
# that ``similar`` can be added last.

_ENCODER = json.JSONEncoder(ensure_ascii=False)
string: Callable[[str], str] = json.encoder.encode_basestring  # what that encoder uses


def _make_dump() -> Callable[[Any], str]:
    """``_ENCODER.encode``, with its C encoder made once instead of on every call (a third
    of the cost of encoding a small object). Where there is no C encoder, ``encode``."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _ENCODER.encode
    e = _ENCODER
    run = make(
        None,
        e.default,
        string,
        e.indent,
        e.key_separator,
        e.item_separator,
        e.sort_keys,
        e.skipkeys,
        e.allow_nan,
    )

    def dump(obj: Any) -> str:
        return "".join(run(obj, 0))

    return dump


dump = _make_dump()


def strings(items: Iterable[str]) -> str:
    return f"[{', '.join(map(string, items))}]"


def occurrence_json(o: Occurrence) -> str:
    return dump(
        {
            "note": o.note,
            "line": o.line,
            "section": o.section,
            "title": o.title,
            "link_text": o.link_text,
            "description": o.description,
            "tags": o.tags,
            "difficulty": o.difficulty,
            "metadata": o.metadata,
            "commented": o.commented,
        }
    )


def resource_head(r: Resource) -> str:
    """A resource's JSON object up to its last key, ``similar`` (then ``_tail``)."""
    occs = ", ".join([occurrence_json(o) for o in r.occurrences])
    return (
        f'{{"url": {string(r.url)}, "canonical_url": {string(r.canonical_url)}, '
        f'"title": {string(r.title)}, "occurrences": [{occs}], "tags": {strings(r.tags)}'
        + (', "boilerplate": true' if r.boilerplate else "")
    )


_NO_SIMILAR = ', "similar": []}'


def note_dict(n: NoteEntry) -> dict[str, Any]:
    out = {
        "path": n.path,
        "title": n.title,
        "frontmatter": n.frontmatter,
        "tags": n.tags,
        "links_to": n.links_to,
    }
    if n.path_bytes is not None:
        out["path_bytes"] = n.path_bytes
    return out


# The resources' similar lists as JSON text (``similar_json``), by resource index, where
# not empty.
SimilarText = dict[int, str]


def similar_json(titles: list[str | None], keys: list[str], threshold: float) -> SimilarText:
    """The lists :func:`find_similar` makes, as JSON text, where not empty. Made in the
    background process; the items of one title that share a list share its text, which
    crosses the pipe once."""
    found: SimilarText = {}
    for members, best in best_by_title(titles, keys, threshold, LIMIT):
        shared = strings(best[:LIMIT])  # the list of every item not among the best
        for i in members:
            me = keys[i]
            text = strings(own_list(best, me, LIMIT)) if me in best else shared
            if text != "[]":
                found[i] = text
    return found


def iter_json(export: Export, search: Submit[SimilarText] | None = None) -> Iterator[str]:
    """The document in pieces: top-level keys on their own lines, then one line per
    resource and per note (as readable in a diff as indented JSON, several times faster
    to write, and streamed).

    The resources are encoded as they are read back, and kept in the export's spill;
    then ``search`` (:func:`similar_json` here, or in another process) finds the similar
    lists from their titles, and each line goes out with its list.
    """
    yield (
        f'{{\n  "$schema": {dump(EXPORT_SCHEMA_ID)},\n  "vaultkit": {dump(__version__)},'
        f'\n  "version": {dump(export.version)},\n  "generated": {dump(export.generated)},'
        f'\n  "vault": {dump(export.vault)},\n'
    )
    export.spill.keep_texts(resource_head(r) for r in export.resources)
    inputs = export.similar_inputs()
    found = (search or _here)(inputs).result()
    resources = (head + _tail(found, i) for i, head in export.spill.texts())
    notes = (dump(note_dict(n)) for n in export.notes)
    for key, lines, last in (("resources", resources, False), ("notes", notes, True)):
        yield f'  "{key}": ['
        empty = True
        for line in lines:
            yield ("\n    " if empty else ",\n    ") + line
            empty = False
        yield ("]" if empty else "\n  ]") + ("\n}\n" if last else ",\n")


def _here(inputs: tuple[list[str | None], list[str], float]) -> Deferred[SimilarText]:
    return Deferred(similar_json, inputs)


def _tail(found: SimilarText, i: int) -> str:
    text = found.get(i)
    return _NO_SIMILAR if text is None else f', "similar": {text}}}'


def render_json(export: Export) -> str:
    return "".join(iter_json(export))


def schema() -> dict[str, Any]:
    """The JSON Schema the output follows (shipped in the package)."""
    text = pkg_resources.files("vaultkit").joinpath("schemas/export.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
