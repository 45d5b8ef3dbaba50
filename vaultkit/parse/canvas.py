"""Links in JSON Canvas files (``.canvas``) and the views of Bases files (``.base``).

A canvas is JSON (jsoncanvas.org): its file nodes name a vault path (``file``, with an
optional ``subpath`` such as ``#Heading``), its text nodes hold markdown, its link nodes a
URL and its groups an optional ``background`` image. Each becomes a ``Link`` of a ``Note``
whose text is the canvas file itself, so that positions point into the JSON as written:
the link in a text node at the character it starts at, inside its JSON string.

A base is YAML; its views are named under ``views:``, and ``![[X.base#View]]`` embeds one.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from vaultkit.model import Frontmatter, Link, Note
from vaultkit.parse.frontmatter import load_yaml
from vaultkit.parse.shared import obsidian_comments

# A JSON string literal (no raw newlines), and a key's value that is one.
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_COLON = re.compile(r"\s*:\s*")
_FIELDS = ("text", "file", "url", "background")
Places = dict[str, list[tuple[str, int, int]]]  # field -> (decoded, start, end) in order


class CanvasError(ValueError):
    """The file is not a JSON canvas; the message says why."""


def parse_canvas(rel: str, text: str) -> Note:
    """The links of canvas ``rel`` (its JSON ``text``), as a Note of that text."""
    try:
        data = json.loads(text) if text.strip() else {}
    except (ValueError, RecursionError) as exc:
        raise CanvasError(f"{rel} is not valid JSON: {exc}") from None
    nodes = data.get("nodes", []) if isinstance(data, dict) else None
    if not isinstance(nodes, list):
        raise CanvasError(f"{rel} is not a JSON canvas: no list of nodes")
    note = Note(path=rel, text=text, frontmatter=Frontmatter(None, "", 0, 0))
    places = _value_places(text)
    for node in nodes:
        if isinstance(node, dict):
            note.links.extend(_node_links(rel, node, text, places))
    return note


def _value_places(text: str) -> Places:
    """Each field's string values in document order: (decoded, start, end) of the literal."""
    out: Places = {f: [] for f in _FIELDS}
    tokens = list(_STRING.finditer(text))
    for key, value in itertools.pairwise(tokens):
        name = key.group()[1:-1]
        if name in out and _COLON.fullmatch(text, key.end(), value.start()):
            try:
                decoded = json.loads(value.group())
            except ValueError:
                continue
            out[name].append((decoded, value.start(), value.end()))
    return out


def _place(places: Places, field: str, value: str) -> tuple[int, int]:
    """The span of the next literal of ``field`` that decodes to ``value`` (used up)."""
    queue = places[field]
    for i, (decoded, start, end) in enumerate(queue):
        if decoded == value:
            del queue[: i + 1]
            return start, end
    return 0, 0


def _node_links(rel: str, node: dict[str, Any], raw: str, places: Places) -> Iterator[Link]:
    kind = node.get("type")
    if kind == "text" and isinstance(node.get("text"), str):
        yield from _text_links(rel, node["text"], raw, places)
        return
    field = {"file": "file", "link": "url", "group": "background"}.get(str(kind))
    value = node.get(field) if field else None
    if field is None or not isinstance(value, str) or not value.strip():
        return
    start, end = _place(places, field, value)
    if field == "url":
        yield Link("autolink", value.strip(), None, "", start, end, -1, -1)
        return
    sub = node.get("subpath") if field == "file" else None
    anchor = sub[1:] if isinstance(sub, str) and sub.startswith("#") and len(sub) > 1 else None
    yield Link("embed", value, anchor, "", start, end, -1, -1)


def _text_links(rel: str, text: str, raw: str, places: Places) -> Iterator[Link]:
    from vaultkit.parse.note import parse_note

    start, end = _place(places, "text", text)
    inner = parse_note(rel, text)
    where = literal_offsets(raw, start, end, len(inner.text))
    comments = obsidian_comments(inner)
    for link in inner.links:
        commented = link.commented or any(s <= link.start < e for s, e in comments)
        yield Link(
            link.kind,
            link.target,
            link.anchor,
            link.text,
            where(link.start),
            where(link.end),
            -1,
            -1,
            commented=commented,
            malformed=link.malformed,
        )


def literal_offsets(raw: str, start: int, end: int, length: int) -> Callable[[int], int]:
    """A map from an offset in the decoded JSON string ``raw[start:end]`` (its quotes
    included) to the offset in ``raw`` where that character is written. When the literal
    was not found (``end == start``), or decodes to another length, every offset maps to
    the literal's start."""
    out: list[int] = []
    i = start + 1
    while i < end - 1:
        out.append(i)
        if raw[i] != "\\":
            i += 1
        elif raw[i + 1] != "u":
            i += 2
        elif 0xD800 <= int(raw[i + 2 : i + 6], 16) < 0xDC00 and raw[i + 6 : i + 8] == "\\u":
            i += 12  # a surrogate pair: one character
        else:
            i += 6
    if len(out) != length:
        return lambda _: start
    out.append(max(start, end - 1))
    return lambda offset: out[min(max(offset, 0), length)]


def base_views(text: str) -> list[str] | None:
    """The names of a base's views, or None when it is not a YAML mapping."""
    fm = load_yaml(text, first_line=1)
    if fm.data is None:
        return None
    views = fm.data.get("views")
    if not isinstance(views, list):
        return []
    return [str(v["name"]) for v in views if isinstance(v, dict) and v.get("name") is not None]
