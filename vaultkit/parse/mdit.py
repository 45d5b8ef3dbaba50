"""The markdown-it-py parser vaultkit uses, with position-recording inline rules.

markdown-it-py gives block tokens line maps but inline tokens no positions, so
each inline rule we care about is wrapped to record where in the inline source
it started and ended (``token.meta["span"]``). A wikilink rule adds ``[[...]]``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

InlineRule = Callable[[StateInline, bool], bool]

# Inline rules whose output we need positions for, and the token type each starts with.
_TRACKED = {
    "link": "link_open",
    "image": "image",
    "autolink": "link_open",
    "html_inline": "html_inline",
    "backticks": "code_inline",
    "math_inline": "math_inline",
    "math_inline_double": "math_inline_double",
}


def _track(rule: InlineRule, token_type: str) -> InlineRule:
    def tracked(state: StateInline, silent: bool) -> bool:
        start = state.pos
        first = len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent:
            for tok in state.tokens[first:]:
                if tok.type == token_type:
                    tok.meta["span"] = (start, state.pos)
                    break
        return ok

    return tracked


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[target#anchor|alias]]`` and ``![[embed]]`` on one line."""
    if silent:
        # Only a link label's scan (parseLinkLabel) asks silently. As CommonMark reads it,
        # `[text with [[x]] inside](url)` is a link: its brackets are balanced, and the
        # wikilink inside is found when the label is parsed for real.
        return False
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    open_end = pos + (3 if embed else 2)
    close = src.find("]]", open_end)
    if close < 0:
        return False
    body = src[open_end:close]
    if "\n" in body or not body.strip() or "[[" in body:
        return False
    if not silent:
        tok = state.push("wikilink", "", 0)
        tok.content = body
        tok.markup = "![[" if embed else "[["
        tok.meta["span"] = (pos, close + 2)
        tok.meta["body_start"] = open_end
        tok.meta["embed"] = embed
    state.pos = close + 2
    return True


def _identity(url: str) -> str:
    return url


def _allow(url: str) -> bool:
    return True


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": 100}).enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)
    # Keep destinations exactly as written: no percent-encoding, no scheme filtering.
    md.normalizeLink = _identity  # type: ignore[method-assign]
    md.normalizeLinkText = _identity  # type: ignore[method-assign,assignment]
    md.validateLink = _allow  # type: ignore[method-assign]
    md.inline.ruler.before("link", "wikilink", wikilink_rule)
    for name, token_type in _TRACKED.items():
        try:
            idx = md.inline.ruler.__find__(name)
        except Exception:  # rule not present in this configuration
            continue
        if idx < 0:
            continue
        rule = md.inline.ruler.__rules__[idx]
        rule.fn = _track(rule.fn, token_type)
    md.inline.ruler.__compile__()
    return md
