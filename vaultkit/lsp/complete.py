"""Completion: note names after ``[[``, headings after ``[[Note#`` and ``](path#``, block ids
after ``#^``, tags after ``#``, and frontmatter keys from the configured schema."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote

from lsprotocol import types as lsp

from vaultkit.index.names import fold, strip_md
from vaultkit.index.slug import GithubSlugger
from vaultkit.lint.live import VaultState
from vaultkit.model import Note

MAX_ITEMS = 200
_WIKI_OPEN = re.compile(r"(!?)\[\[([^\[\]|#]*)$")
_WIKI_ANCHOR = re.compile(r"\[\[([^\[\]|#]*)#(\^?)([^\[\]|]*)$")
_MD_ANCHOR = re.compile(r"\]\(([^()\s#]*)#([^()\s]*)$")
_TAG = re.compile(r"(?:^|\s)#([\w/-]*)$")
_KEY = re.compile(r"^([\w-]*)$")


def complete(
    state: VaultState, note: Note, line: int, text_before: str, text: str | None = None
) -> list[lsp.CompletionItem]:
    """Items for the cursor at the end of ``text_before`` on 1-based ``line`` of ``text`` (the
    editor's current text, which may be newer than the last parse of ``note``)."""
    m = _WIKI_ANCHOR.search(text_before)
    if m:
        return _anchors(state, note, m.group(1), bool(m.group(2)), wiki=True)
    m = _WIKI_OPEN.search(text_before)
    if m:
        return _names(state, note.path, embed=bool(m.group(1)), typed=m.group(2))
    m = _MD_ANCHOR.search(text_before)
    if m:
        return _anchors(state, note, unquote(m.group(1)), m.group(2).startswith("^"), wiki=False)
    if _KEY.match(text_before) and _in_frontmatter(note.text if text is None else text, line):
        return _frontmatter_keys(state)
    m = _TAG.search(text_before)
    if m:
        return _tags(state)
    return []


def _in_frontmatter(text: str, line: int) -> bool:
    """Whether 1-based ``line`` is inside the leading ``---`` block (open or closed)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or line < 2:
        return False
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return line <= i
    return True


def _names(state: VaultState, source: str, embed: bool, typed: str) -> list[lsp.CompletionItem]:
    """Names matching what was typed after ``[[`` (all when nothing was), at most MAX_ITEMS:
    the list is marked incomplete, so the editor asks again as the user types."""
    needle = fold(typed.strip())
    out = []
    for form, path, alias in _name_table(state, embed):
        shown = alias or form
        if needle and needle not in fold(shown) and needle not in fold(path):
            continue
        if alias:
            item = lsp.CompletionItem(
                label=alias,
                kind=lsp.CompletionItemKind.Reference,
                detail=f"alias of {path}",
                insert_text=f"{form}|{alias}",
                filter_text=alias,
                sort_text="2" + alias.casefold(),
            )
        else:
            item = lsp.CompletionItem(
                label=form,
                kind=lsp.CompletionItemKind.File,
                detail=path,
                insert_text=form,
                sort_text=("0" if "/" not in form else "1") + form.casefold(),
            )
        out.append(item)
        if len(out) >= MAX_ITEMS:
            break
    return out


_TABLES: dict[tuple[int, int, bool], list[tuple[str, str, str]]] = {}


def _name_table(state: VaultState, embed: bool) -> list[tuple[str, str, str]]:
    """(shortest unique form, path, alias or "") for every note (and attachment, for
    embeds), sorted as shown; rebuilt only when the vault's names change."""
    key = (id(state), state.version, embed)
    if key not in _TABLES:
        _TABLES.clear()
        files = state.session.files
        paths = list(files.notes) + (list(files.attachments) if embed else [])
        stems = Counter(fold(_stem(p)) for p in paths)
        rows = []
        for path in paths:
            stem = _stem(path)
            form = stem if stems[fold(stem)] == 1 else (strip_md(path) if path.endswith(".md") else path)
            rows.append((("0" if "/" not in form else "1") + form.casefold(), form, path, ""))
            facts = state.index.facts.get(path)
            rows.extend(("2" + a.casefold(), form, path, a) for a in (facts.aliases if facts else []))
        rows.sort()
        _TABLES[key] = [(form, path, alias) for _, form, path, alias in rows]
    return _TABLES[key]


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return strip_md(name) if name.lower().endswith(".md") else name


def _anchors(
    state: VaultState, note: Note, target: str, blocks: bool, wiki: bool
) -> list[lsp.CompletionItem]:
    if not target:
        rel: str | None = note.path
    elif wiki:
        rel = state.index.resolve(target, note.path)
    else:
        rel = state.index.resolve_path(target, note.path)
    other = note if rel == note.path else (state.note(rel) if rel and state.is_note(rel) else None)
    if other is None:
        return []
    if blocks:
        return [
            lsp.CompletionItem(label=b.id, kind=lsp.CompletionItemKind.Reference, detail="block id")
            for b in other.block_ids
        ]
    slugger = GithubSlugger()
    items = []
    for i, h in enumerate(other.headings):
        slug = slugger.slug(h.text)
        insert = h.text if wiki else slug
        items.append(
            lsp.CompletionItem(
                label=h.text if wiki else slug,
                kind=lsp.CompletionItemKind.Reference,
                detail=("#" * h.level) + " " + h.text,
                insert_text=insert,
                sort_text=f"{i:05d}",
            )
        )
    return items


def _tags(state: VaultState) -> list[lsp.CompletionItem]:
    counts = state.tag_counts()
    return [
        lsp.CompletionItem(label=tag, kind=lsp.CompletionItemKind.Keyword, detail=f"{n} use(s)")
        for tag, n in counts.most_common(MAX_ITEMS)
    ]


def _frontmatter_keys(state: VaultState) -> list[lsp.CompletionItem]:
    config = state.session.config
    keys = dict.fromkeys([*config.schema_required, *config.schema_types, "aliases", "tags"])
    return [
        lsp.CompletionItem(
            label=k,
            kind=lsp.CompletionItemKind.Property,
            detail=config.schema_types.get(k, "required" if k in config.schema_required else ""),
            insert_text=f"{k}: ",
        )
        for k in keys
    ]
