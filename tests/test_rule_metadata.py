"""A rule carries everything about itself: the fixer, import and the commands ask the rule.

Two proofs. At run time, a copy of a real rule under a fresh code and name (the original
turned off) still has its fix applied with its kind's handling, through the real CLI.
Statically, no module of the package names a rule (by code or name) outside the rule's
own module.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.fixkit import REPO, make_vault, vk

from vaultkit.cli.main import cli
from vaultkit.model import Diagnostic, Note
from vaultkit.rules import REGISTRY, Rule, find_rule
from vaultkit.rules.base import CheckFn, Context, FixKind, FixSafety

PACKAGE = REPO / "vaultkit"
ENCODED = "# Café notes\n\nThe naïve façade — “quoted” and ‘single’, déjà vu.\n- Résumé für Jürgen\n"


def _as(check: CheckFn, code: str, name: str) -> CheckFn:
    """``check``, its findings credited to the rule ``code`` / ``name``."""

    def renamed(note: Note, ctx: Context) -> Iterator[Diagnostic]:
        for d in check(note, ctx):
            d.code, d.rule = code, name
            yield d

    renamed.__doc__ = check.__doc__
    return renamed


@contextmanager
def renamed(name: str, kind: FixKind | None = None) -> Iterator[Rule]:
    """A copy of rule ``name`` registered as VK9xx ``renamed-NAME`` (of fix kind ``kind``,
    else the original's); the original keeps reporting but import no longer applies it
    (the CLI tests turn it off with --ignore)."""
    original = find_rule(name)
    assert original is not None
    code, new_name = "VK9" + original.code[-2:], "renamed-" + original.name
    copy = dataclasses.replace(
        original,
        code=code,
        name=new_name,
        check=_as(original.check, code, new_name),
        fix=kind or original.fix,
    )
    assert code not in REGISTRY and find_rule(new_name) is None
    REGISTRY[code] = copy
    REGISTRY[original.code] = dataclasses.replace(original, on_import=False)
    try:
        yield copy
    finally:
        del REGISTRY[code]
        REGISTRY[original.code] = original


# fix kind → (a rule of that kind, a note it fixes, extra options of `vaultkit fix`)
CASES = {
    FixKind.URL: ("tracking-params", b"[post](https://example.com/post?utm_source=rss)\n", ()),
    # The empty items' removal and the re-indent below them take turns (one structural rule
    # a pass): in one pass, re-indenting "- b" under "  -" keeps that item from being empty.
    FixKind.STRUCTURAL: ("nbsp-indent", "-\n  -\n\u00a0\u00a0- b\n".encode(), ()),
    # The link removed is the same canonical URL as the one kept, not the same text.
    FixKind.REMOVAL: (
        "duplicate-url",
        b"- [a](https://example.com/x)\n- [again](https://EXAMPLE.com/x)\n",
        ("--unsafe-fixes",),
    ),
    FixKind.ENCODING: ("non-utf8-encoding", ENCODED.encode("cp1252"), ()),
}


def _fixed(tmp_path: Path, folder: str, data: bytes, *options: str) -> tuple[bytes, str]:
    root = make_vault(tmp_path, {"n.md": data}, name=folder)
    run = vk("fix", *options, root)
    return (root / "n.md").read_bytes(), run.output


@pytest.mark.parametrize("kind", list(CASES), ids=lambda k: k.value)
def test_a_renamed_rule_keeps_its_fix(tmp_path: Path, kind: FixKind) -> None:
    """No module but the rule's own names it: under a fresh code and name its fix is applied
    as the original's is, and a copy declaring another fix kind is handled otherwise."""
    name, data, options = CASES[kind]
    want, _ = _fixed(tmp_path, "original", data, *options)
    assert want != data  # the original rule fixes this note
    with renamed(name) as copy:
        assert copy.fix is kind
        got, output = _fixed(tmp_path, "renamed", data, *options, "--ignore", name)
        assert got == want, output
        assert f"{copy.name} ×1" in output and not re.search(rf"(?<![\w-]){name} ×", output)
    with renamed(name, FixKind.INLINE):
        other, output = _fixed(tmp_path, "inline", data, *options, "--ignore", name)
    assert other != want, output  # the kind, not the name, drives the handling


def test_import_applies_a_renamed_rule(tmp_path: Path) -> None:
    """Import asks each rule whether it applies on import and how to summarise its fix."""
    vault = make_vault(tmp_path, {})
    (tmp_path / "a.md").write_text("# Notes\n\n\u00a0\u00a0- nested?\n", encoding="utf-8")
    with renamed("nbsp-indent") as copy:
        REGISTRY[copy.code] = dataclasses.replace(copy, fix_message="copy re-indented {n} item(s)")
        result = CliRunner().invoke(cli, ["import", str(tmp_path / "a.md"), "--vault", str(vault)])
    assert result.exit_code == 0, result.output
    assert "copy re-indented 1 item(s)" in result.output
    assert "\n  - nested?\n" in (vault / "Notes.md").read_text("utf-8")


def test_every_rule_declares_its_fix() -> None:
    for r in REGISTRY.values():
        assert (r.fix is FixKind.NONE) == (r.safety is FixSafety.NONE), r.code
        if r.fixable:
            assert "{n}" in r.fix_message and r.fixed(2) != r.fix_message, r.code
    assert {r.fix for r in REGISTRY.values()} >= set(FixKind) - {FixKind.INLINE}


def test_a_rule_must_declare_a_safety_with_its_fix() -> None:
    with pytest.raises(ValueError, match="fix safety"):
        Rule("VK999", "half-declared", REGISTRY["VK004"].severity, REGISTRY["VK004"].check, FixKind.URL)


# ------------------------------------------------------------------ no names outside


def _rule_modules() -> dict[str, Path]:
    """Rule code and name → the file of the module that registers it."""
    out: dict[str, Path] = {}
    for r in REGISTRY.values():
        module = r.check.__module__
        path = REPO / (module.replace(".", "/") + ".py")
        out[r.code] = out[r.name] = path
    return out


def _strings(tree: ast.AST) -> Iterator[ast.Constant]:
    """The string constants of a module that are not docstrings."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_no_rule_is_named_outside_its_own_module() -> None:
    """A rule code or name as (part of) a string literal anywhere else in vaultkit/ is the
    sign of behaviour kept about a rule away from it: the fix of a renamed rule would then
    silently stop working."""
    homes = _rule_modules()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in _strings(tree):
            for word in set(node.value.replace("`", " ").replace(",", " ").split()):
                home = homes.get(word.strip("'\"()[]:.;"))
                if home is not None and home != path:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {word!r}")
    assert not found, "rules named outside their module:\n" + "\n".join(found)


def test_the_static_check_sees_a_name() -> None:
    """The scan above finds a rule name in a string (so it can fail)."""
    tree = ast.parse(
        '"""Docs may say mojibake."""\nRULES = ("mojibake", "x")\nmessage = f"{n} VK004 found"\n'
    )
    words = {w for node in _strings(tree) for w in node.value.split()}
    assert {"mojibake", "VK004"} <= words and "Docs" not in words
