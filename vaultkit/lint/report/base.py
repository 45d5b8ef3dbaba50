"""What every format renders (``Report``) and the helpers they share."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from vaultkit.model import Diagnostic, Severity


@dataclass
class Report:
    """What every format renders: the findings and where they were found."""

    diags: Sequence[Diagnostic]
    files: int  # notes checked
    root: Path  # the vault root (diagnostic paths are relative to it)
    base: Path = field(default_factory=Path.cwd)  # printed paths are relative to this
    colour: bool = False
    fix_command: str = "vaultkit fix"
    rules: Sequence[Any] = ()  # the rules that ran (SARIF lists their metadata)
    targets: Sequence[str] = ()  # the notes checked, vault-relative (junit's test cases)

    def path(self, d: Diagnostic, base: Path | None = None) -> str:
        """``d``'s file relative to ``base`` (default: the report's), with ``/`` separators."""
        return display_path(self.root, d.path, base or self.base)


def display_path(root: Path, rel: str, base: Path) -> str:
    """Vault path ``rel`` as seen from folder ``base``, with ``/`` separators.

    Relative when the vault and ``base`` are one inside the other (``a.md`` from the vault,
    ``vault/a.md`` from its parent, ``../a.md`` from a subfolder), else absolute, as
    linters print paths outside the current folder."""
    prefix = _prefix(str(root), str(base))
    if prefix is not None:  # one string join a finding (13k findings took 0.6 s before)
        return prefix + rel
    full, here = os.path.abspath(root / rel), os.path.abspath(base)
    return Path(os.path.relpath(full, here)).as_posix()


@lru_cache(maxsize=8)
def _prefix(root: str, base: str) -> str | None:
    """What goes before every vault path seen from ``base``: "" from the vault itself,
    ``vault/`` from above it, the absolute root from elsewhere; None from a subfolder."""
    here, top = os.path.abspath(base), os.path.abspath(root)
    if _within(here, top) and here != top:
        return None
    if not _within(top, here):
        return Path(top).as_posix().rstrip("/") + "/"
    inside = Path(os.path.relpath(top, here)).as_posix()
    return "" if inside == "." else inside + "/"


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def fixable(d: Diagnostic) -> bool:
    """``vaultkit fix`` repairs it without ``--unsafe-fixes``."""
    return (d.fixable or bool(d.extra.get("convert"))) and not d.unsafe


def summary(diags: Sequence[Diagnostic], files: int) -> dict[str, int]:
    count = {s: 0 for s in Severity}
    for d in diags:
        count[d.severity] += 1
    return {
        "files": files,
        "errors": count[Severity.ERROR],
        "warnings": count[Severity.WARNING],
        "infos": count[Severity.INFO],
        "fixable": sum(1 for d in diags if fixable(d)),
    }
