"""Frontmatter: find the fenced YAML block and load it with python-frontmatter's safe loader."""

from __future__ import annotations

import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from vaultkit.limits import active
from vaultkit.model import Frontmatter

_HANDLER = YAMLHandler()
_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_FIX = "fix the YAML or quote the value"


def split_frontmatter(text: str) -> tuple[Frontmatter, int]:
    """Return the frontmatter and the offset where the body starts."""
    fence = fenced(text)
    if fence is None:
        return Frontmatter(None, "", 0, 0), 0
    raw, end_line, body_start = fence
    fm = load_yaml(raw, first_line=2)
    fm.start_line, fm.end_line, fm.present = 1, end_line, True
    return fm, body_start


def fenced(text: str) -> tuple[str, int, int] | None:
    """The frontmatter block's YAML, its closing line and the body's offset (YAML not loaded)."""
    m = _OPEN.match(text)
    if not m:
        return None
    close = _CLOSE.search(text, m.end())
    if not close:
        # An opening fence with no closing one: not frontmatter, as in Obsidian.
        return None
    end_line = text.count("\n", 0, close.start()) + 1
    body_start = close.end() + 1 if close.end() < len(text) else close.end()
    return text[m.end() : close.start()], end_line, body_start


def load_yaml(raw: str, first_line: int) -> Frontmatter:
    """Load YAML text that starts on ``first_line`` of the note."""
    fm = Frontmatter(None, raw, 0, 0, present=True)
    if not raw.strip():
        fm.data = {}
        return fm
    limit = active().frontmatter_size
    if len(raw) > limit:  # YAML loads at about 1 s a megabyte: a runaway block is not read
        fm.error = (
            f"the YAML is {len(raw):,} characters, over the {limit:,} limit, so it was not read; "
            "shorten it, or raise 'frontmatter-size' in [limits] of the config"
        )
        fm.error_line = first_line
        return fm
    try:
        data: Any = _HANDLER.load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context", None) or ""
        if context.startswith(("while parsing a flow", "while scanning a quoted")):
            # An unclosed [ { or quote: point where it opened, not where YAML gave up.
            mark = getattr(exc, "context_mark", None) or mark
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fm.error = f"YAML does not parse: {problem}; {_FIX}"
        fm.error_line = first_line + (mark.line if mark is not None else 0)
        return fm
    except (TypeError, ValueError) as exc:  # e.g. unhashable keys from {{template}}
        fm.error = f"YAML does not parse: {exc}; {_FIX}"
        fm.error_line = first_line
        return fm
    if data is None:
        fm.data = {}
    elif isinstance(data, dict):
        problem = alias_problem(data) if "*" in raw else None
        if problem:
            fm.error, fm.error_line = problem, first_line
        else:
            fm.data = data
    else:
        fm.error = (
            f"frontmatter is a {type(data).__name__}, not a mapping of keys to values; "
            "write it as `key: value` lines"
        )
        fm.error_line = first_line
    return fm


MAX_VALUES = 100_000  # what frontmatter may expand to through YAML aliases


def alias_problem(data: Any) -> str | None:
    """What is wrong with YAML aliases (``&a`` ... ``*a``) in loaded frontmatter, if anything:
    a value that contains itself, or one that expands to a "billion laughs". Either would
    hang or crash whatever walks the data (Obsidian does not read them either)."""
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    count = 0
    while stack:
        value, leaving = stack.pop()
        if leaving:
            on_path.discard(id(value))
            continue
        count += 1
        if count > MAX_VALUES:
            return (
                f"frontmatter expands to more than {MAX_VALUES:,} values through YAML aliases "
                "(*name); write the values out"
            )
        if isinstance(value, dict | list):
            if id(value) in on_path:
                return "frontmatter contains itself through a YAML alias (&name ... *name); remove it"
            on_path.add(id(value))
            stack.append((value, True))
            stack.extend((child, False) for child in (value.values() if isinstance(value, dict) else value))
    return None


def frontmatter_tags(data: dict[str, Any] | None) -> list[str]:
    """Tags from the ``tags`` (or ``tag``) property: a list or a comma/space separated string."""
    if not data:
        return []
    value = data.get("tags", data.get("tag"))
    items: list[Any]
    if value is None:
        return []
    if isinstance(value, str):
        items = [v for v in re.split(r"[,\s]+", value) if v]
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    return [str(v).lstrip("#") for v in items if v is not None and str(v).strip("# ")]
