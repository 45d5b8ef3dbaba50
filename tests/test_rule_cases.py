"""Every rule's cases, kept as data: tests/rules/<rule-name>.yaml (sqlfluff's YAML cases
are the model). One parametrised test runs them all through the real CLI on real files.

A file holds ``cases``, each with:

- ``name``; ``note``: the text of the note under test, written to ``path`` (default
  ``note.md``); ``files``: the other files of the vault (path → text, ``{bytes: "..."}``
  for the Latin-1 code points of raw bytes, or ``{symlink: target}``); ``config``: the
  vault's ``.vaultkit.toml``; ``server``: routes of a real HTTP server on 127.0.0.1
  (path → reply or list of replies; ``{server}`` in any text is its base URL), which
  makes the run ``--online``.
- ``check``: the paths given to ``vaultkit check`` (default: the vault); ``options``.
- ``expect``: the diagnostics, in report order, with the codes of ``codes`` (default:
  the rule's own; ``all`` for every rule). Each is a mapping of report fields (``line``,
  ``column``, ``end_column``, ``severity``, ``fixable``, ``status``...; ``path`` defaults
  to the note's and ``code`` to the rule's), plus ``contains`` / ``lacks`` / ``ends``
  for the message. ``exit`` and ``summary`` check the exit code and report summary.
- ``fixed``: for fixable rules, the note after ``vaultkit fix`` (``fix_options``), which
  a second ``fix`` leaves alone; ``within_seconds`` bounds the check's time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.fixkit import make_vault, vk
from online.conftest import LocalServer

from vaultkit.rules import REGISTRY, Rule, find_rule

CASES = Path(__file__).resolve().parent / "rules"
MESSAGE_KEYS = ("contains", "lacks", "ends")


def _load() -> Iterator[Any]:
    for path in sorted(CASES.glob("*.yaml")):
        rule = find_rule(path.stem)
        assert rule is not None and rule.name == path.stem, f"{path.name} names no rule"
        doc = yaml.safe_load(path.read_text("utf-8"))
        for case in doc["cases"]:
            yield pytest.param(rule, case, id=f"{rule.name}: {case['name']}")


def _content(value: str | dict[str, str]) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return value["bytes"].encode("latin-1")


def _fill(value: Any, base: str) -> Any:
    """``value`` with ``{server}`` replaced by the server's base URL, all the way down."""
    if isinstance(value, str):
        return value.replace("{server}", base)
    if isinstance(value, list):
        return [_fill(v, base) for v in value]
    if isinstance(value, dict):
        return {_fill(k, base): _fill(v, base) for k, v in value.items()}
    return value


def _vault(tmp_path: Path, case: dict[str, Any], name: str) -> Path:
    files: dict[str, str | bytes] = {}
    links: dict[str, str] = {}
    for rel, value in (case.get("files") or {}).items():
        if isinstance(value, dict) and "symlink" in value:
            links[rel] = value["symlink"]
        else:
            files[rel] = _content(value)
    if "note" in case:
        files[case.get("path", "note.md")] = _content(case["note"])
    if "config" in case:
        files[".vaultkit.toml"] = case["config"]
    root = make_vault(tmp_path, files, name=name)
    for rel, target in links.items():
        (root / rel).symlink_to(root / target)
    for rel in files:  # each file exists under the very name given (no normalisation)
        assert Path(rel).name in os.listdir((root / rel).parent), rel
    return root


def _serve(routes: dict[str, Any]) -> LocalServer:
    server = LocalServer().start()
    for path, replies in routes.items():
        server.add(path, *(replies if isinstance(replies, list) else [replies]))
    return server


def _online(case: dict[str, Any], tmp_path: Path) -> list[str]:
    if "server" not in case:
        return []
    return ["--online", "--allow-private", "--cache", str(tmp_path / "online.db")]


def _match(rule: Rule, case: dict[str, Any], want: dict[str, Any], got: dict[str, Any]) -> None:
    want = {"code": rule.code, **({"path": case.get("path", "note.md")} if "note" in case else {}), **want}
    for key, value in want.items():
        if key not in MESSAGE_KEYS:
            assert got[key] == value, (key, got)
    for part in _listed(want.get("contains")):
        assert part in got["message"], got
    for part in _listed(want.get("lacks")):
        assert part not in got["message"], got
    if "ends" in want:
        assert got["message"].endswith(want["ends"]), got


def _listed(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else value


def _check(rule: Rule, case: dict[str, Any], root: Path, tmp_path: Path) -> None:
    targets = [root / p for p in case.get("check", [])] or [root]
    started = time.monotonic()
    run = vk("check", "--format", "json", *_online(case, tmp_path), *case.get("options", []), *targets)
    if "within_seconds" in case:
        assert time.monotonic() - started < case["within_seconds"]
    report = json.loads(run.stdout)
    codes = case.get("codes", [rule.code])
    got = [d for d in report["diagnostics"] if codes == "all" or d["code"] in codes]
    expected = case.get("expect", [])
    assert len(got) == len(expected), [(d["path"], d["line"], d["column"], d["code"]) for d in got]
    for want, found in zip(expected, got, strict=True):
        _match(rule, case, want, found)
    if "exit" in case:
        assert run.code == case["exit"], run.output
    for key, value in (case.get("summary") or {}).items():
        assert report["summary"][key] == value, key


def _fix(rule: Rule, case: dict[str, Any], root: Path, tmp_path: Path) -> None:
    note = root / case.get("path", "note.md")
    options = [*_online(case, tmp_path), *case.get("fix_options", [])]
    vk("fix", *options, root)
    assert note.read_bytes() == _content(case["fixed"])
    again = vk("fix", "--check", *options, root)
    assert again.code == 0, again.output  # the fix is idempotent


@pytest.mark.parametrize(("rule", "case"), list(_load()))
def test_rule_case(tmp_path: Path, rule: Rule, case: dict[str, Any]) -> None:
    server = _serve(case["server"]) if "server" in case else None
    try:
        if server is not None:
            case = _fill(case, server.url(""))
        root = _vault(tmp_path, case, "vault")
        _check(rule, case, root, tmp_path)
        if "fixed" in case:
            assert rule.fixable, f"{rule.name} has no fix"
            _fix(rule, case, root, tmp_path)
    finally:
        if server is not None:
            server.stop()


def test_every_rule_has_cases() -> None:
    """Adding a rule means adding its fixture file, with a case that reports it and, for a
    fixable rule, one that shows the fixed text."""
    for r in REGISTRY.values():
        path = CASES / f"{r.name}.yaml"
        assert path.is_file(), f"{r.code} {r.name} has no {path.relative_to(CASES.parent.parent)}"
        cases = yaml.safe_load(path.read_text("utf-8"))["cases"]
        assert any(c.get("expect") for c in cases), f"{r.name}: no case reports the rule"
        assert any(not c.get("expect") for c in cases), f"{r.name}: no case where it is silent"
        if r.fixable:
            assert any("fixed" in c for c in cases), f"{r.name}: no case shows its fix"
