"""One outside file → the text of a clean note.

Steps: decode (``vault.read``: charset-normalizer and friends; LF endings), unwrap a
Jekyll draft hidden in a leading HTML comment, repair with the fixes of the rules
that declare ``on_import`` (every safe in-note fix) through ``fix_text``, pick
a title, then add ``title`` / ``source`` / ``imported`` / ``import-hash`` to the
frontmatter. Existing frontmatter is kept as written (comments, quoting, dates);
the new keys are appended, dumped with ``yaml.safe_dump``.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from vaultkit.errors import VaultkitError
from vaultkit.fixing.fixpoint import fix_text
from vaultkit.index.names import VaultIndex
from vaultkit.model import Frontmatter, Note
from vaultkit.parse.frontmatter import fenced, load_yaml, split_frontmatter
from vaultkit.parse.note import is_suppressed, offset_in, parse_note
from vaultkit.rules import REGISTRY, Context, Rule
from vaultkit.vault.read import Source

HASH_KEY = "import-hash"
_PLACEHOLDER_PATH = "import.md"  # rules only use a note's path in messages

_EOL = re.compile(r"\r\n|\r")
_LEADING_COMMENT = re.compile(r"\s*<!--")
_HIDDEN_HEAD = re.compile(r"[ \t]*\n?[ \t]*(?=---[ \t]*\n)")  # as parse._HIDDEN_FM
_SPACES = re.compile(r"\s+")
_ENCODING_NAMES = {
    "utf-8-sig": "UTF-8 with a BOM",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE",
    "utf-32-be": "UTF-32 BE",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "mac_roman": "Mac Roman",
    "latin_1": "Latin-1",
}


class ConvertError(VaultkitError):
    """The file cannot become a note (binary, undecodable, broken frontmatter...)."""


@dataclass
class Converted:
    text: str  # the whole note: frontmatter, body, final newline
    title: str
    digest: str  # "sha256:<hex>" of the source bytes, recorded as import-hash
    actions: list[str] = field(default_factory=list)


def source_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def clean_rules() -> list[Rule]:
    """The rules whose fixes import applies, in code order."""
    return sorted((r for r in REGISTRY.values() if r.on_import), key=lambda r: r.code)


def convert(src: Source, source_path: str, stem: str, today: date, encoding: str | None = None) -> Converted:
    """Build the note for ``src``; ``source_path`` is recorded, ``stem`` is the last-resort title."""
    actions: list[str] = []
    text = _decode(src, encoding, actions)
    unwrapped = _unwrap_hidden(text)
    if unwrapped is not None:
        text = unwrapped
        actions.append("recovered the frontmatter hidden in an HTML comment (draft unwrapped)")
    text, note = _clean(text, actions)
    fm = note.frontmatter
    body_start = fence[2] if (fence := fenced(text)) is not None else 0
    if fm.present and (fm.error or fm.data is None):
        line = f"line {fm.error_line}: " if fm.error_line else ""
        raise ConvertError(f"its frontmatter is broken ({line}{fm.error}); fix it and import again")
    data: dict[str, Any] = dict(fm.data or {})
    body = text[body_start:]
    title, origin = pick_title(data, note, stem)
    actions.append(f"title from {origin}")

    added: dict[str, Any] = {}
    if not _usable_title(data.get("title")) and not isinstance(data.get("title"), list | dict):
        added["title"] = title
    added["source" if data.get("source", source_path) == source_path else "import-source"] = source_path
    added["imported" if "imported" not in data else "import-date"] = today
    digest = source_digest(src.data)
    added[HASH_KEY] = digest

    if body and not body.endswith("\n"):
        body += "\n"
    head = _frontmatter(fm, data, added)
    _verify(head, note, body_start, actions)
    result = head + body
    return Converted(result, title, digest, actions)


# ---------------------------------------------------------------- decoding


def _decode(src: Source, encoding: str | None, actions: list[str]) -> str:
    if encoding is not None:
        try:
            text = src.data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ConvertError(
                f"it is not valid {encoding} (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
            ) from None
        if "\x00" in text:
            raise ConvertError(f"it is not text in {encoding} (it holds NUL characters)")
        actions.append(f"decoded as {encoding} (--encoding)")
        text = _EOL.sub("\n", text.removeprefix("\ufeff"))
    elif src.is_binary:
        raise ConvertError("it is a binary file, not text")
    elif not src.confident:
        raise ConvertError(
            f"its encoding cannot be told for sure (best guess: {_describe(src.encoding)}); "
            "pass --encoding to choose one"
        )
    else:
        text = src.text
        if src.encoding != "utf-8":
            actions.append(f"decoded from {_describe(src.encoding)}")
    if src.mixed_newlines or src.newline != "\n":
        actions.append("line endings changed to LF")
    return text


def _describe(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = encoding
    return _ENCODING_NAMES.get(encoding) or _ENCODING_NAMES.get(name.replace("-", "_"), encoding)


# ------------------------------------------------------- hidden frontmatter


def _unwrap_hidden(text: str) -> str | None:
    """``<!-- ---\\nyaml\\n---\\ndraft... -->`` → ``---\\nyaml\\n---\\ndraft...``.

    Only a comment at the very top whose YAML is a mapping counts (as Jekyll
    drafts are commented out whole); the comment's markers are removed so the
    draft becomes the note's body. Anything after ``-->`` is kept.
    """
    opening = _LEADING_COMMENT.match(text)
    if opening is None:
        return None
    close = text.find("-->", opening.end())
    inner_end, after = (close, close + 3) if close >= 0 else (len(text), len(text))
    inner = text[opening.end() : inner_end]
    head = _HIDDEN_HEAD.match(inner)
    if head is None:
        return None
    block = inner[head.end() :]
    fm, body_start = split_frontmatter(block)
    if not fm.present or fm.error or not isinstance(fm.data, dict):
        return None
    fence = block[:body_start]
    if not fence.endswith("\n"):
        fence += "\n"
    body = block[body_start:].rstrip(" \t")
    last = body.rfind("\n") + 1
    if body[last:] in ("-", "*", "+"):  # "- -->": the marker only opened the closing line
        body = body[:last]
    tail = text[after:]
    if close >= 0 and (not body or body.endswith("\n")) and tail.startswith("\n"):
        tail = tail[1:]  # "-->" stood on a line of its own: drop that line
    return fence + body + tail


# ----------------------------------------------------------------- cleaning


def _context() -> Context:
    return Context(VaultIndex([], []))


def _clean(text: str, actions: list[str]) -> tuple[str, Note]:
    """Apply the repair rules' own fixes to a fixpoint (``fixer.fix_text``); the text, parsed."""
    result = fix_text(parse_note(_PLACEHOLDER_PATH, text), clean_rules(), _context())
    if result.refused or result.note is None:
        raise ConvertError(result.refused or "the repairs did not settle")
    for r in clean_rules():
        if result.applied.get(r.name):
            actions.append(r.fixed(result.applied[r.name]))
    return result.text, result.note


def _verify(head: str, cleaned: Note, body_start: int, actions: list[str]) -> None:
    """The note as written must give no findings from the repair rules; say so if not.

    The body is the cleaned note's as it was parsed, so its findings come from that parse
    (shifted by the lines the new frontmatter adds); only the new frontmatter, ``head``, is
    parsed again. A large note is parsed once more, not twice."""
    ctx = _context()
    first = cleaned.position(body_start)[0] if body_start else 1
    shift = head.count("\n") - (first - 1)
    left = [
        (d.line + shift, d.rule)
        for r in clean_rules()
        for d in r.check(cleaned, ctx)
        if d.line >= first and not is_suppressed(cleaned, d.rule, d.code, d.line)
    ]
    if head:
        top = parse_note(_PLACEHOLDER_PATH, head)
        found = [d for r in clean_rules() for d in r.check(top, ctx)]
        left[:0] = [(d.line, d.rule) for d in found if not is_suppressed(top, d.rule, d.code, d.line)]
    if left:
        shown = ", ".join(str(line) for line, _ in sorted(left)[:5])
        actions.append(f"warning: {len(left)} finding(s) left ({min(left)[1]}, line {shown})")


# -------------------------------------------------------------------- title


def _one_line(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _usable_title(value: Any) -> bool:
    return (
        isinstance(value, str | int | float) and not isinstance(value, bool) and bool(_one_line(str(value)))
    )


def pick_title(data: dict[str, Any], note: Note, stem: str) -> tuple[str, str]:
    """(title, where it came from): frontmatter, first H1, first heading, file name."""
    if _usable_title(data.get("title")):
        return _one_line(str(data["title"])), "frontmatter"
    headings = sorted(
        (h for h in note.headings if not offset_in(note.comments, h.start)),
        key=lambda h: h.start,
    )
    named = [(h.level, _one_line(html.unescape(h.text))) for h in headings]
    named = [(level, text) for level, text in named if text]
    for level, text in named:
        if level == 1:
            return text, "the first H1"
    if named:
        return named[0][1], f"the first heading (H{named[0][0]})"
    return stem, "the file name"


# -------------------------------------------------------------- frontmatter


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1 << 30)


def _frontmatter(fm: Frontmatter, data: dict[str, Any], added: dict[str, Any]) -> str:
    """Existing YAML kept as written, new keys appended; re-dumped only if that fails."""
    merged = {**data, **added}  # a clashing key keeps its place, gets the new value
    if fm.present and not any(k in data for k in added):
        raw = fm.raw if not fm.raw or fm.raw.endswith("\n") else fm.raw + "\n"
        candidate = raw + _dump(added)
        if load_yaml(candidate, 2).data == merged:
            return f"---\n{candidate}---\n"
    elif not fm.present:
        return f"---\n{_dump(added)}---\n"
    return f"---\n{_dump(merged)}---\n"
