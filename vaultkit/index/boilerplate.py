"""Boilerplate links: footers, navigation and template links, not saved resources.

A URL is boilerplate when a note in the vault's templates folder carries it (every
note made from the template will), or when more than ``share`` of the vault's notes
carry it and at least ``min_notes`` do. ``duplicate-url`` does not report it and
``export`` can leave it out; both ask this module, so they agree.

The thresholds live under ``[rules.duplicate-url]`` in the config
(``boilerplate-threshold``, a share of the notes from 0 to 1, and
``boilerplate-min-notes``); ``threshold_from`` reads them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vaultkit.vault.files import in_folders

DEFAULT_SHARE = 0.10
DEFAULT_MIN_NOTES = 5


@dataclass(frozen=True)
class Threshold:
    """How widespread a URL must be to count as boilerplate."""

    share: float = DEFAULT_SHARE  # more than this share of the notes...
    min_notes: int = DEFAULT_MIN_NOTES  # ...and at least this many notes

    def widespread(self, count: int, total_notes: int) -> bool:
        """Whether a URL in ``count`` of ``total_notes`` notes is past the threshold."""
        return count >= self.min_notes and count > self.share * total_notes


def threshold_from(options: Mapping[str, Any] | None) -> Threshold:
    """The threshold from validated ``[rules.duplicate-url]`` options (defaults if absent)."""
    options = options or {}
    return Threshold(
        float(options.get("boilerplate-threshold", DEFAULT_SHARE)),
        int(options.get("boilerplate-min-notes", DEFAULT_MIN_NOTES)),
    )


def boilerplate_urls(
    url_notes: Mapping[str, Collection[str]],
    total_notes: int,
    template_dirs: Sequence[str] = (),
    threshold: Threshold | None = None,
) -> frozenset[str]:
    """The boilerplate URLs among ``url_notes`` (URL -> the vault paths of the notes holding it).

    ``total_notes`` is the number of notes in the vault (the share is taken of it);
    ``template_dirs`` are the templates folders (vault-relative).
    """
    limit = threshold or Threshold()
    return frozenset(
        url
        for url, notes in url_notes.items()
        if is_boilerplate(set(notes), total_notes, template_dirs, limit)
    )


def is_boilerplate(
    notes: Collection[str], total_notes: int, template_dirs: Sequence[str], threshold: Threshold
) -> bool:
    """Whether a URL the (distinct) ``notes`` hold is boilerplate (see :func:`boilerplate_urls`)."""
    return threshold.widespread(len(notes), total_notes) or _in_template(notes, template_dirs)


def _in_template(paths: Iterable[str], template_dirs: Sequence[str]) -> bool:
    if not template_dirs:
        return False
    folders = list(template_dirs)
    return any(in_folders(p, folders) for p in paths)
