"""vaultkit: keep Obsidian and markdown vaults healthy.

The public API (implemented in ``vaultkit.api``, loaded on first use so that
``vaultkit --version`` stays fast)::

    check_text(text, path="note.md")   -> list[Diagnostic]   one note, as a string
    fix_text(text, path="note.md")     -> FixedText
    check(path)                        -> CheckResult        a vault folder, or notes in it
    fix(path, dry_run=False)           -> FixReport
    export(path, format="json")        -> ExportResult
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaultkit.version import __version__

if TYPE_CHECKING:
    from vaultkit.api import (
        CheckResult,
        ExportResult,
        FileFix,
        FixedText,
        FixReport,
        Online,
        check,
        check_text,
        export,
        fix,
        fix_text,
    )
    from vaultkit.model import Diagnostic, Severity

__all__ = ["CheckResult", "Diagnostic", "ExportResult", "FileFix", "FixReport", "FixedText", "Online"]
__all__ += ["Severity", "__version__", "check", "check_text", "export", "fix", "fix_text"]

_MODEL = frozenset({"Diagnostic", "Severity"})


def __getattr__(name: str) -> Any:
    """The API's names, imported when first asked for (PEP 562)."""
    if name in _MODEL:
        from vaultkit import model

        value = getattr(model, name)
    elif name in __all__:
        from vaultkit import api

        value = getattr(api, name)
    else:
        raise AttributeError(f"module 'vaultkit' has no attribute {name!r}")
    globals()[name] = value  # asked once
    return value
