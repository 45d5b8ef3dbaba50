"""unknown-rule: a suppression that names no rule silences nothing."""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note, Severity
from vaultkit.parse.suppress import ALL_RULES
from vaultkit.rules.base import Context, rule, this
from vaultkit.rules.select import closest_rule, match_rules


@rule("VK016", "unknown-rule", Severity.WARNING)
def unknown_rule_name(note: Note, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    A `<!-- vaultkit-disable … -->` comment, or a frontmatter `vaultkit-disable`, that names
    no rule.

    Rules are named by code (`VK001`), name (`broken-wikilink`) or code prefix
    (`VK00`); the message gives the closest rule name.

    ## Why is this bad?
    A typo there silences nothing: the finding the comment meant to hide is still reported,
    and the comment reads as if it worked.

    ## Example
    ```markdown
    <!-- vaultkit-disable-next-line broken-wikilnk -->
    See [[Someday]].
    ```

    ## Use instead
    ```markdown
    <!-- vaultkit-disable-next-line broken-wikilink -->
    See [[Someday]].
    ```

    ## Fix safety

    No fix: vaultkit cannot know which rule the comment meant to silence.
    """
    from vaultkit.parse.note import directives  # here: `vaultkit.rules` loads for shell completion

    r = this("VK016")
    for start, end, kind, names in directives(note.text):
        for name in names:
            if name != ALL_RULES and not match_rules(name):
                message = f"vaultkit-{kind} names unknown rule '{name}'{_hint(name)}"
                yield r.diag(note, start, end, message)
    unknown = sorted(n for n in note.disabled - {ALL_RULES} if not match_rules(n))
    if unknown:
        at = max(note.text.find("vaultkit"), 0)  # the frontmatter key (vaultkit-disable or vaultkit:)
        for name in unknown:
            message = f"frontmatter vaultkit-disable names unknown rule '{name}'{_hint(name)}"
            yield r.diag(note, at, at + len("vaultkit"), message)


def _hint(name: str) -> str:
    close = closest_rule(name)  # "; did you mean 'x'?" or ""
    return f"{close} It silences nothing." if close else "; it silences nothing (run 'vaultkit rules')."
