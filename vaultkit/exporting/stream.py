"""The export's resources and notes, read back from the spill as they are written out.

A pass over :class:`Resources` makes one resource at a time, in canonical URL order,
from that URL's occurrences: role titles named after their item, the boilerplate flag,
the occurrence filters, then the resource. What a pass keeps is the titles and keys
the similar-title search needs, not the resources.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vaultkit.exporting.resources import NoteEntry, Occurrence, Resource, resource_of
from vaultkit.exporting.roles import ROLE_TITLES, with_name
from vaultkit.exporting.spill import Spill
from vaultkit.exporting.text import fold
from vaultkit.exporting.worker import occurrence
from vaultkit.index.boilerplate import Threshold, is_boilerplate


@dataclass
class NoteNames:
    """What a pass needs of the exported notes, by note number."""

    paths: list[str]  # as shown (a name that is not UTF-8 has U+FFFD)
    titles: list[str]
    count: int  # notes exported (the share boilerplate is taken of)
    templates: Sequence[str]  # the vault's templates folders
    threshold: Threshold  # boilerplate's


class Resources:
    """The resources, one pass per iteration. After a whole pass, ``titles`` and ``keys``
    hold each resource's title (None when it is not a name) and canonical URL, and
    ``count`` their number. (Their similar lists are the writers' to find, from these.)"""

    def __init__(self, spill: Spill, names: NoteNames, filters: Any, include_boilerplate: bool) -> None:
        self.spill, self.names, self.filters = spill, names, filters
        self.include_boilerplate = include_boilerplate
        self.roles = ROLE_TITLES | spill.roles()
        self.titles: list[str | None] = []
        self.keys: list[str] = []
        self.count: int | None = None

    def __iter__(self) -> Iterator[Resource]:
        titles: list[str | None] = []
        keys: list[str] = []
        for canon, rows in self.spill.groups():
            res = self._resource(canon, rows)
            if res is None:
                continue
            titles.append(res.title if res.titled else None)
            keys.append(canon)
            yield res
        self.titles, self.keys, self.count = titles, keys, len(keys)

    def _resource(self, canon: str, rows: list[tuple[int, tuple[Any, ...]]]) -> Resource | None:
        names = self.names
        occs = []
        for n, data in rows:
            o = occurrence(names.paths[n], data)
            if o.title is not None:
                name_role(o, self.roles, names.titles[n])
            occs.append(o)
        holders = {o.note for o in occs}
        flagged = is_boilerplate(holders, names.count, names.templates, names.threshold)
        occs = [o for o in occs if self.filters.occurrence_ok(o)]
        if not occs or (flagged and not self.include_boilerplate):
            return None
        res = resource_of(canon, occs)
        res.boilerplate = flagged
        return res


def name_role(o: Occurrence, roles: frozenset[str], note_title: str) -> None:
    """A role title ("Demo", "Source Code", and short titles on many URLs) becomes "item
    name — role". The name is the item's; for a link with nothing else around it
    (``- Website: <https://…>``), the innermost section's, else the note's. A role
    title that names its item (``- [GitHub](…) - Hosting service for Git…``) stays."""
    assert o.title is not None
    key = fold(o.title)
    if key not in roles:
        return
    o.role = True
    name = o.name
    if name is None and o.description is None:
        name = (o.section[-1] if o.section else None) or note_title
    if name and fold(name) != key:
        o.title = with_name(name, o.title)


class NoteEntries:
    """The exported notes' entries, read back in note order."""

    def __init__(self, spill: Spill, count: int) -> None:
        self.spill, self.count = spill, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[NoteEntry]:
        for path, title, frontmatter, tags, linked, edges, path_bytes in self.spill.notes():
            yield NoteEntry(path, title, frontmatter, tags, linked, edges, path_bytes)
