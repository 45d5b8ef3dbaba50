"""How the facts index keeps its cells: keys as bytes, blobs sealed, rows decoded.

Paths, URLs and keys are kept as UTF-8 bytes (BLOB): a file name that is not UTF-8 holds
lone surrogates, which SQLite's TEXT can't. Every marshal blob is sealed (``cache.seal``)
under its column and its note's path, so that a blob moved to another row fails too.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable
from typing import Any

from vaultkit.lint.cache import unseal


class Broken(Exception):
    """The database failed while in use (damaged underneath the run)."""


def as_key(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def from_key(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def grouped(rows: Iterable[tuple[bytes, bytes]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    names: dict[bytes, str] = {}  # each path decoded once
    for key, rel in rows:
        name = names.get(rel)
        if name is None:
            name = names[rel] = from_key(rel)
        out.setdefault(from_key(key), []).append(name)
    return out


def opened(rel: str, column: str, blob: object) -> bytes:
    """A row's sealed blob, opened; one that fails its keyed hash breaks the store."""
    body = unseal(tag(rel, column), blob)
    if body is None:
        raise Broken(f"a row of {rel} fails its keyed hash")
    return body


def tag(rel: str, column: str) -> bytes:
    return f"{column}\0{rel}".encode("utf-8", "surrogatepass")


def loads(body: bytes) -> Any:
    try:
        return marshal.loads(body)
    except (ValueError, EOFError, TypeError) as exc:
        raise Broken("a row does not decode") from exc
