"""What a worker returns for one file, and what the cache stores: plain data only."""

from __future__ import annotations

import marshal
from typing import Any, NamedTuple

from vaultkit.index.facts import encode_diag, encode_facts
from vaultkit.index.names import NoteFacts
from vaultkit.lint.session import failed_note
from vaultkit.model import Diagnostic


class Payload(NamedTuple):
    """What a worker returns for one note, and what the cache stores (as a plain tuple)."""

    facts: tuple[Any, ...]  # encode_facts(note_facts(note)); () for a file with none to offer
    urls: tuple[str, ...]  # the note's canonical URLs, once each
    view: bytes  # marshal of encode_view(...): what cross-note rules see
    diags: bytes  # marshal of the per-note rules' encoded diagnostics


class Analyzed(NamedTuple):
    """One note as analysed; ``size`` is -1 for a file that could not be read."""

    rel: str
    size: int
    mtime_ns: int
    sha: str
    payload: Payload


NO_VIEW = marshal.dumps(((), (), ()))


def problem_payload(problems: list[Diagnostic]) -> Payload:
    diags = tuple(encode_diag(d) for d in problems)
    return Payload(encode_facts(NoteFacts()), (), NO_VIEW, marshal.dumps(diags))


def failed(rel: str, why: str) -> Analyzed:
    """The result for a note that could not be processed (never cached)."""
    return Analyzed(rel, -1, 0, "", problem_payload([failed_note(rel, why)]))
