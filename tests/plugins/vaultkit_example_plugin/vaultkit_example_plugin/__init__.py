"""An example vaultkit plugin: one per-note rule, ``EX001 no-todo``.

The entry point (pyproject.toml, group ``vaultkit.rules``) names ``NO_TODO``; the other
rules here are wrong on purpose, for the tests that check vaultkit refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note, Severity
from vaultkit.rules.base import Context, Rule

_TODO = re.compile(r"\bTODO\b")


def no_todo(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """A `TODO` marker left in a note.

    A `TODO` in the text (not in code) is work left undone; finish it or remove the marker.
    """
    for m in _TODO.finditer(note.text):
        if not any(s <= m.start() < e for s, e in note.code_spans):
            yield NO_TODO.diag(note, m.start(), m.end(), "TODO left in the note; finish it or remove it")


NO_TODO = Rule("EX001", "no-todo", Severity.WARNING, no_todo)
# Refused: a code in vaultkit's own VK range, and a name vaultkit already has.
VK_CODED = Rule("VK900", "no-todo-vk", Severity.WARNING, no_todo)
DUPLICATE = Rule("EX002", "broken-wikilink", Severity.WARNING, no_todo)
