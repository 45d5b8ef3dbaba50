"""The vault index: names, paths, aliases, headings and block ids, and Obsidian's link resolution.

Resolution follows Obsidian: names are matched case-insensitively after NFC
normalisation, ``.md`` is optional for notes, a target with a ``/`` matches as a
path suffix (``../`` is relative to the linking note), and when several files
share a name the tie-break is: the exact vault path, then a file in the linking
note's own folder, then the shortest path string (then alphabetical, for stability).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote

from vaultkit.index.slug import GithubSlugger, obsidian_heading_key
from vaultkit.model import Note


def fold(s: str) -> str:
    if s.isascii():
        return s.lower()  # the same as NFC and casefold on ASCII, and quicker
    return unicodedata.normalize("NFC", s).casefold()


def strip_md(name: str) -> str:
    return name[:-3] if name.lower().endswith(".md") else name


@dataclass
class NoteFacts:
    """What other notes need to know about a note to resolve links into it."""

    heading_keys: list[str] = field(default_factory=list)  # Obsidian keys, in order
    heading_levels: list[int] = field(default_factory=list)
    slugs: set[str] = field(default_factory=set)  # GitHub slugs, deduplicated in order
    block_ids: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)
    heading_texts: list[str] = field(default_factory=list)  # as rendered, in order (suggestions)


# `<a name="x">` and `<a id="x">`: anchors GitHub (and browsers) link to with `#x`.
_HTML_ANCHOR = re.compile(r"""<a\b[^>]*?\b(?:name|id)\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s>"']+))""", re.I)
# GitHub prefixes the ids it renders; `#user-content-x` reaches heading or anchor `x`.
USER_CONTENT = "user-content-"


def note_facts(note: Note) -> NoteFacts:
    facts = NoteFacts()
    slugger = GithubSlugger()
    for h in note.headings:
        facts.heading_keys.append(obsidian_heading_key(h.text))
        facts.heading_texts.append(h.text)
        facts.heading_levels.append(h.level)
        facts.slugs.add(slugger.slug(h.text))
    if "<a" in note.text or "<A" in note.text:
        for m in _HTML_ANCHOR.finditer(note.text):
            if not any(s <= m.start() < e for s, e in note.code_spans):
                facts.slugs.add(next(g for g in m.groups() if g))
    facts.block_ids = {b.id.casefold() for b in note.block_ids}
    data = note.frontmatter.data or {}
    raw = data.get("aliases", data.get("alias"))
    if isinstance(raw, str):
        facts.aliases = [a.strip() for a in raw.split(",") if a.strip()]
    elif isinstance(raw, list):
        facts.aliases = [str(a) for a in raw if a is not None]
    return facts


class VaultIndex:
    def __init__(self, notes: list[str], attachments: list[str]) -> None:
        self.paths: dict[str, str] = {}  # folded path → real path
        self.by_name: dict[str, list[str]] = defaultdict(list)  # folded name → paths
        self.facts: dict[str, NoteFacts] = {}
        self.alias_to: dict[str, str] = {}
        for path in notes:
            self._add(path, True)
        for path in attachments:
            self._add(path, False)
        self.names: list[str] = []  # display names for suggestions

    def extended(self, notes: list[str], attachments: list[str]) -> VaultIndex:
        """A new index of these files and this one's (without its facts and aliases):
        cheaper than building it again from every file."""
        out = VaultIndex([], [])
        out.paths = dict(self.paths)
        out.by_name = defaultdict(list, {k: list(v) for k, v in self.by_name.items()})
        for path in notes:
            out._add(path, True)
        for path in attachments:
            out._add(path, False)
        return out

    def _add(self, path: str, is_note: bool) -> None:
        folded = fold(path)
        self.paths[folded] = path
        name = folded.rsplit("/", 1)[-1]
        self.by_name[name].append(path)
        if is_note:
            self.by_name[strip_md(name)].append(path)

    def add_facts(self, path: str, facts: NoteFacts) -> None:
        self.facts[path] = facts
        for alias in facts.aliases:
            self.alias_to.setdefault(fold(alias), path)

    def suggestion_names(self) -> list[str]:
        if not self.names:
            names = {strip_md(p.rsplit("/", 1)[-1]) for p in self.paths.values()}
            self.names = sorted(names)
        return self.names

    def resolve(self, target: str, source: str) -> str | None:
        """The vault path a wikilink target from note ``source`` points to, or None."""
        target = target.strip()
        if not target:
            return source
        folded = fold(target).lstrip("/")
        src_dir = posixpath.dirname(source)
        if folded.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(fold(src_dir), folded))
            return self._exact(joined)
        if "/" in folded:
            exact = self._exact(folded)
            if exact:
                return exact
            suffix = "/" + folded
            cands = [p for f, p in self.paths.items() if f.endswith(suffix) or f.endswith(suffix + ".md")]
            return self._pick(cands, src_dir)
        cands = self.by_name.get(folded) or []
        if not cands and folded.endswith(".md"):
            cands = self.by_name.get(folded[:-3]) or []
        return self._pick(cands, src_dir, folded)

    def tie_break(self, target: str) -> list[str]:
        """The files a wikilink target names when Obsidian must pick one of several by the
        tie-break (sorted); empty when it names one file, or a vault path exactly."""
        folded = fold(target.strip()).lstrip("/")
        if not folded or folded.startswith(("./", "../")) or self._exact(folded):
            return []
        if "/" in folded:
            suffix = "/" + folded
            cands = {p for f, p in self.paths.items() if f.endswith(suffix) or f.endswith(suffix + ".md")}
        else:
            cands = set(self.by_name.get(folded) or [])
            if not cands and folded.endswith(".md"):
                cands = set(self.by_name.get(folded[:-3]) or [])
        return sorted(cands) if len(cands) > 1 else []

    def resolve_path(self, dest: str, source: str) -> str | None:
        """A markdown link destination: relative to the note, then the vault root, then by name."""
        dest = unquote(dest).strip()
        if not dest:
            return source
        src_dir = posixpath.dirname(source)
        rel = posixpath.normpath(posixpath.join(src_dir, dest)) if not dest.startswith("/") else dest
        for candidate in (rel, dest.lstrip("/")):
            found = self._exact(fold(candidate))
            if found:
                return found
        if dest.startswith(("./", "../")):
            return None
        return self.resolve(dest, source)

    def _exact(self, folded: str) -> str | None:
        return self.paths.get(folded) or self.paths.get(folded + ".md")

    @staticmethod
    def _pick(cands: list[str], src_dir: str, exact: str | None = None) -> str | None:
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]
        if exact is not None:
            for c in cands:
                if fold(c) in (exact, exact + ".md"):
                    return c
        same = [c for c in cands if posixpath.dirname(c) == src_dir]
        if same:
            return sorted(same, key=lambda c: (len(c), c))[0]
        # The shortest path *string* (a/b/N.md beats zzzz/N.md), as Obsidian picks.
        return sorted(cands, key=lambda c: (len(c), c))[0]

    def has_heading_path(self, path: str, parts: list[str]) -> bool:
        """``[[Note#H1#H2]]``: each part names a heading, each nested under the one before."""
        facts = self.facts.get(path)
        if facts is None:
            return True  # not a note we parsed (an attachment): nothing to check
        keys, levels = facts.heading_keys, facts.heading_levels
        pos, level = 0, 0
        for part in parts:
            key = obsidian_heading_key(part)
            for i in range(pos, len(keys)):
                if keys[i] == key and levels[i] > level:
                    pos, level = i + 1, levels[i]
                    break
            else:
                return False
        return True

    def has_fragment(self, path: str, fragment: str) -> bool:
        """A markdown ``#fragment``: a GitHub slug, or Obsidian's URL-encoded heading text."""
        facts = self.facts.get(path)
        if facts is None:
            return True
        if fragment.startswith("^"):
            return fragment[1:].casefold() in facts.block_ids
        if fragment.lower() == "readme" and path.rsplit("/", 1)[-1].lower().startswith("readme"):
            return True  # GitHub's anchor for the README it shows
        fragment = fragment.removeprefix(USER_CONTENT)
        if fragment in facts.slugs or fragment.lower() in facts.slugs:
            return True
        return obsidian_heading_key(unquote(fragment)) in facts.heading_keys

    def has_block(self, path: str, block: str) -> bool:
        facts = self.facts.get(path)
        return facts is None or block.casefold() in facts.block_ids
