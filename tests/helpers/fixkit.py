"""Shared helpers for the tests of ``vaultkit fix`` (tests/test_fix*.py).

Real vaults in tmp_path, the real CLI through click's runner, the real rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ftfy  # noqa: F401  (registers the sloppy-windows-1252 codec the tests use)
from click.testing import CliRunner

from vaultkit.cli.main import cli
from vaultkit.fixing.fixpoint import FixResult, fix_text
from vaultkit.index.names import VaultIndex
from vaultkit.model import Note
from vaultkit.parse.note import parse_note
from vaultkit.rules import REGISTRY, Rule
from vaultkit.rules.base import Context

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
EXAMPLE_000 = EXAMPLES / "000_9b697ea2ae0f5582.txt"

# The rules whose fixes `vaultkit fix` applies.
FIX_RULES = (
    "mojibake",
    "nbsp-indent",
    "list-marker-space",
    "empty-list-item",
    "malformed-link",
    "tracking-params",
    "duplicate-url",
    "non-utf8-encoding",
)


def make_vault(tmp_path: Path, files: dict[str, str | bytes], name: str = "vault") -> Path:
    """A vault (with ``.obsidian/``) holding ``files`` (vault-relative path → text or bytes).

    Text is written as UTF-8 bytes exactly as given, so ``\r\n`` and a BOM survive.
    """
    root = tmp_path / name
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def vk(*args: str | Path) -> Run:
    """``vaultkit ARGS`` through click's runner; an internal error or a traceback fails."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert run.code != 3, run.output
    assert "Traceback" not in run.output, run.output
    return run


def fixable_rules(names: Sequence[str] = FIX_RULES) -> list[Rule]:
    by_name = {r.name: r for r in REGISTRY.values()}
    return [by_name[n] for n in names]


def empty_context() -> Context:
    return Context(VaultIndex([], []))


def note_of(text: str, path: str = "note.md") -> Note:
    return parse_note(path, text)


def fix(text: str, unsafe: bool = False, rules: Sequence[Rule] | None = None) -> FixResult:
    """``fix_text`` on ``text`` with the fixable rules, in an empty vault."""
    return fix_text(
        note_of(text), rules if rules is not None else fixable_rules(), empty_context(), unsafe=unsafe
    )
