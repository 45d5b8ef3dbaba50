"""`vaultkit check` and `vaultkit rules` through the real CLI: formats, exit codes, config,
suppression, file arguments and bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from vaultkit import __version__
from vaultkit.rules import REGISTRY
from vaultkit.schema_ids import CHECK_SCHEMA_ID

Vault = Callable[[dict[str, str | bytes]], Path]
Check = Callable[..., Any]
Cli = Callable[..., Any]

REPO = Path(__file__).resolve().parents[1]
TEXT_LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>VK\d{3}) "
    r"\[(?P<rule>[a-z0-9]+(?:-[a-z0-9]+)*)\] (?P<message>.+)$"
)
SUMMARY = re.compile(r"^Checked \d+ files?: \d+ errors?, \d+ warnings?, \d+ infos?\.$")
MIXED = {
    "a.md": "# A\n\n[[Nope]]\n\n- item\n-\n- [x](https://e.com/p?utm_source=z)\n",
    "b.md": "# B\n\nfine [[a]]\n",
}


def _schema() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((files("vaultkit") / "schemas" / "check.schema.json").read_text("utf-8"))
    return doc


# --- text ----------------------------------------------------------------------------------


def test_text_format_line_shape_without_colour(
    vault: Vault, vk: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = vault(MIXED)
    monkeypatch.chdir(root)
    run = vk("check", ".")
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert "\x1b[" not in run.stdout
    parsed = [TEXT_LINE.match(line) for line in lines[:-2]]
    assert all(parsed), lines
    assert [(m["path"], m["line"], m["col"], m["code"], m["rule"]) for m in parsed if m] == [
        ("a.md", "3", "1", "VK001", "broken-wikilink"),
        ("a.md", "6", "1", "VK007", "empty-list-item"),
        ("a.md", "7", "3", "VK011", "tracking-params"),
    ]
    assert SUMMARY.match(lines[-2])
    assert lines[-2:] == ["Checked 2 files: 1 error, 1 warning, 1 info.", "2 fixable with `vaultkit fix .`."]


def test_color_flag_forces_ansi(vault: Vault, vk: Cli) -> None:
    root = vault(MIXED)
    coloured = vk("check", "--color", root).stdout
    assert "\x1b[" in coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert plain == vk("check", "--no-color", root).stdout


def test_real_process_pipe_is_plain_and_color_forces_ansi(vault: Vault) -> None:
    root = vault(MIXED)
    cmd = [sys.executable, "-m", "vaultkit", "check", str(root)]
    piped = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert piped.returncode == 1 and "\x1b[" not in piped.stdout
    assert TEXT_LINE.match(piped.stdout.splitlines()[0])
    forced = subprocess.run([*cmd, "--color"], capture_output=True, text=True, timeout=60)
    assert forced.returncode == 1 and "\x1b[" in forced.stdout


# --- json ----------------------------------------------------------------------------------


def test_json_schema_is_valid_and_strict() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {
        "version": 1,
        "diagnostics": [
            {
                "path": "a/b.md",
                "line": 1,
                "column": 1,
                "end_line": 1,
                "end_column": 2,
                "code": "VK001",
                "rule": "broken-wikilink",
                "severity": "error",
                "message": "m",
                "fixable": False,
            }
        ],
        "summary": {"files": 1, "errors": 1, "warnings": 0, "infos": 0},
    }
    jsonschema.validate(good, schema)
    bad_docs: list[dict[str, Any]] = []
    for key, value in [
        ("severity", "fatal"),
        ("line", 0),
        ("path", "C:\\a.md"),
        ("code", "E1"),
        ("extra", 1),
    ]:
        doc = json.loads(json.dumps(good))
        doc["diagnostics"][0][key] = value
        bad_docs.append(doc)
    missing = json.loads(json.dumps(good))
    del missing["diagnostics"][0]["fixable"]
    bad_docs += [missing, {**good, "version": 2}]
    for doc in bad_docs:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, schema)


def test_json_output_matches_schema(vault: Vault, check: Check) -> None:
    root = vault({**MIXED, "sub/c.md": "[t]()\nhttps://e.com/p https://e.com/p\n"})
    run = check(root)
    jsonschema.validate(run.data, _schema())
    assert run.data["version"] == 1
    assert run.data["summary"] == {"files": 3, "errors": 2, "warnings": 2, "infos": 2, "fixable": 2}
    d = run.diags(path="sub/c.md")[0]
    assert d == {
        "path": "sub/c.md",
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 6,
        "code": "VK004",
        "rule": "malformed-link",
        "severity": "error",
        "message": d["message"],
        "fixable": False,
    }


def test_json_on_the_sample_vault_matches_schema(check: Check) -> None:
    run = check(REPO / "sample_vault")
    jsonschema.validate(run.data, _schema())


def test_json_clean_vault(vault: Vault, check: Check) -> None:
    run = check(vault({"a.md": "# Clean\n\n[[b]]\n", "b.md": "ok\n"}))
    assert run.code == 0
    assert run.data == {
        "$schema": CHECK_SCHEMA_ID,
        "vaultkit": __version__,
        "version": 1,
        "diagnostics": [],
        "summary": {"files": 2, "errors": 0, "warnings": 0, "infos": 0, "fixable": 0},
    }
    jsonschema.validate(run.data, _schema())


# --- github --------------------------------------------------------------------------------


def test_github_annotations(vault: Vault, vk: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault(MIXED)
    monkeypatch.chdir(root)
    run = vk("check", "--format", "github", ".")
    assert run.code == 1
    assert run.stdout.splitlines() == [
        "::error file=a.md,line=3,col=1,endLine=3,endColumn=9,title=VK001 broken-wikilink::"
        "wikilink target 'Nope' is not in the vault; create the note, or correct the link",
        "::warning file=a.md,line=6,col=1,endLine=6,endColumn=2,title=VK007 empty-list-item::"
        "empty list item; add text or remove it",
        "::notice file=a.md,line=7,col=3,endLine=7,endColumn=36,title=VK011 tracking-params::"
        "tracking parameter(s) utm_source in https://e.com/p?utm_source=z; the fix writes https://e.com/p",
    ]
    # From the repository root, annotations name the file from there.
    monkeypatch.chdir(tmp_path)
    run = vk("check", "--format", "github", "vault")
    assert run.stdout.startswith("::error file=vault/a.md,line=3,col=1,")


def test_github_clean_prints_nothing(vault: Vault, vk: Cli) -> None:
    run = vk("check", "--format", "github", vault({"a.md": "fine\n"}))
    assert (run.code, run.stdout) == (0, "")


# --- exit codes ----------------------------------------------------------------------------


def test_exit_codes(vault: Vault, vk: Cli, tmp_path: Path) -> None:
    clean = vault({"a.md": "fine\n", "warn.md": "- a\n-\n", "info.md": "https://e.com/?fbclid=1\n"})
    assert vk("check", clean / "a.md").code == 0
    assert vk("check", clean / "warn.md").code == 0
    assert vk("check", "--strict", clean / "warn.md").code == 1
    assert vk("check", "--strict", clean / "info.md").code == 0
    assert vk("check", clean).code == 0
    assert vk("check", "--strict", clean).code == 1
    broken = vault({"b.md": "[[Nope]]\n"})
    assert vk("check", broken).code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--select", "no-such-rule"],
        ["--ignore", "VK999"],
        ["--format", "xml"],
    ],
)
def test_usage_errors_exit_2(vault: Vault, vk: Cli, args: list[str]) -> None:
    run = vk("check", *args, vault({"a.md": "x\n"}))
    assert run.code == 2
    assert run.stdout == ""


def test_nonexistent_path_exits_2(vk: Cli, tmp_path: Path) -> None:
    run = vk("check", tmp_path / "nope")
    assert run.code == 2
    assert run.stderr.strip() == f"vaultkit: error: {tmp_path / 'nope'}: no such file or folder"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".vaultkit.toml", "select = [\n"),
        (".vaultkit.toml", 'select = ["broken-wikilnk"]\n'),
        (".vaultkit.toml", 'severity = { broken-wikilink = "fatal" }\n'),
        (".vaultkit.toml", "no-such-setting = 1\n"),
        ("pyproject.toml", "[tool.vaultkit]\nexclude = 3\n"),
        ("pyproject.toml", "[tool.vaultkit\n"),
    ],
)
def test_bad_config_exits_2_with_one_line(vault: Vault, vk: Cli, name: str, text: str) -> None:
    run = vk("check", vault({name: text, "a.md": "x\n"}))
    assert run.code == 2
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith("vaultkit: error: ")


# --- config --------------------------------------------------------------------------------


def test_vaultkit_toml(vault: Vault, check: Check) -> None:
    root = vault(
        {
            ".vaultkit.toml": (
                'ignore = ["empty-list-item"]\n'
                'exclude = ["Archive", "*.draft.md"]\n'
                '[severity]\nbroken-wikilink = "warning"\nVK011 = "error"\n'
            ),
            "a.md": "[[Nope]]\n-\nhttps://e.com/?gclid=1\n",
            "Archive/old.md": "[[Nope]]\n",
            "b.draft.md": "[[Nope]]\n",
        }
    )
    run = check(root)
    assert [(d["path"], d["code"], d["severity"]) for d in run.diags()] == [
        ("a.md", "VK001", "warning"),
        ("a.md", "VK011", "error"),
    ]
    assert run.code == 1  # the tracking parameter is now an error


def test_pyproject_tool_vaultkit(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.vaultkit]\nselect = ["VK007"]\n'
            '[tool.vaultkit.frontmatter]\nrequired = ["title"]\n',
            "a.md": "[[Nope]]\n\n-\n",
        }
    )
    assert check(root).where() == [("a.md", 3, 1, "VK007")]
    # The schema from the same table, when its rule is selected.
    assert check("--select", "invalid-frontmatter", root).where() == [("a.md", 1, 1, "VK006")]


def test_cli_select_and_ignore_override_config(vault: Vault, check: Check) -> None:
    root = vault(
        {
            ".vaultkit.toml": 'select = ["VK007"]\nignore = ["broken-wikilink"]\n',
            "a.md": "[[Nope]]\n\n-\n\n[t]()\n",
        }
    )
    assert [d["code"] for d in check(root).diags()] == ["VK007"]
    assert [d["code"] for d in check("--select", "broken-wikilink", root).diags()] == ["VK001"]
    assert [d["code"] for d in check("--select", "VK001,VK004", "--ignore", "VK004", root).diags()] == [
        "VK001"
    ]
    assert [d["code"] for d in check("--select", "vk004", root).diags()] == ["VK004"]
    assert [d["code"] for d in check("--ignore", "VK007", root).diags()] == []


def test_root_is_found_from_a_subfolder(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Top.md": "# T\n",
            "sub/a.md": "[[Top#T]] [[Nope]]\n",
            "other/b.md": "[[Nope]]\n",
            ".trash/t.md": "[[Nope]]\n",
            ".git/g.md": "[[Nope]]\n",
        }
    )
    assert check(root / "sub").where() == [("sub/a.md", 1, 11, "VK001")]
    assert [d["path"] for d in check(root).diags()] == ["other/b.md", "sub/a.md"]


# --- inline suppression --------------------------------------------------------------------


def test_inline_suppression(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "a.md": (
                "[[N1]]\n"
                "<!-- vaultkit-disable broken-wikilink -->\n"
                "[[N2]] [t]()\n"
                "<!-- vaultkit-enable broken-wikilink -->\n"
                "[[N3]]\n"
                "<!-- vaultkit-disable-next-line VK001 -->\n"
                "[[N4]]\n"
                "[[N5]]\n"
                "<!-- vaultkit-disable -->\n"
                "[[N6]] [t]()\n"
                "<!-- vaultkit-enable -->\n"
                "[[N7]]\n"
                "<!-- vaultkit-disable-next-line broken-wikilink, malformed-link -->\n"
                "[[N8]] [t]()\n"
            ),
            "b.md": "---\nvaultkit-disable: [broken-wikilink]\n---\n[[N9]] [t]()\n",
            "c.md": "---\nvaultkit-disable: true\n---\n[[N10]] [t]()\n",
            "d.md": "---\nvaultkit-disable: VK004, VK001\n---\n[[N11]] [t]()\n",
        }
    )
    assert check(root).where() == [
        ("a.md", 1, 1, "VK001"),
        ("a.md", 3, 8, "VK004"),
        ("a.md", 5, 1, "VK001"),
        ("a.md", 8, 1, "VK001"),
        ("a.md", 12, 1, "VK001"),
        ("b.md", 4, 8, "VK004"),
    ]


# --- rules ---------------------------------------------------------------------------------


def test_rules_lists_every_rule(vk: Cli) -> None:
    run = vk("rules")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "fix", "summary"]
    codes = [line.split()[0] for line in lines[1:]]
    assert codes == sorted(REGISTRY)
    assert {f"VK{n:03d}" for n in range(13)} <= set(codes)
    row = next(line for line in lines if line.startswith("VK001"))
    assert row.split()[1:4] == ["broken-wikilink", "error", "unsafe"]
    fix = {line.split()[0]: line.split()[3] for line in lines[1:]}
    assert (fix["VK004"], fix["VK005"]) == ("safe", "unsafe")  # each rule's fix safety
    names = [line.split()[1] for line in lines[1:]]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)


@pytest.mark.parametrize("key", ["broken-wikilink", "VK001", "vk001"])
def test_rules_prints_one_rules_docs(vk: Cli, key: str) -> None:
    run = vk("rules", key)
    assert run.code == 0
    assert run.stdout.startswith("VK001 broken-wikilink (error, unsafe fix (url), with --unsafe-fixes)\n\n")
    assert "case-insensitive" in run.stdout and "alias" in run.stdout


def test_rules_unknown_exits_2(vk: Cli) -> None:
    run = vk("rules", "nope")
    assert run.code == 2 and "unknown rule 'nope'" in run.stderr


# --- file arguments ------------------------------------------------------------------------


def test_files_named_are_reported_and_the_vault_is_indexed(vault: Vault, check: Check) -> None:
    root = vault(
        {
            "Notes/Other.md": "# Part\n[[Nope]]\n",
            "a.md": "[[Other#Part]] [[Gone]]\n",
            "b.md": "[[Nope]]\n",
            "c.txt": "[[Other]] [[Nope]]\n",
        }
    )
    run = check(root / "a.md")
    assert run.where() == [("a.md", 1, 16, "VK001")]
    assert run.data["summary"]["files"] == 1
    # Any file passed explicitly is checked, whatever its extension.
    run = check(root / "a.md", root / "c.txt")
    assert run.where() == [("a.md", 1, 16, "VK001"), ("c.txt", 1, 11, "VK001")]
    assert run.data["summary"]["files"] == 2


def test_file_outside_the_vault_is_skipped_with_a_note(vault: Vault, vk: Cli, tmp_path: Path) -> None:
    root = vault({"a.md": "[[Nope]]\n"})
    other = tmp_path / "elsewhere"
    (other / ".obsidian").mkdir(parents=True)
    (other / "b.md").write_text("[[Nope]]\n")
    run = vk("check", root / "a.md", other / "b.md")
    assert run.code == 1  # a.md's finding, never a usage error
    assert run.stderr.count("\n") == 1 and "b.md: outside the vault at" in run.stderr
    assert "a.md:1:1: VK001" in run.stdout and "b.md:" not in run.stdout


# --- bad input -----------------------------------------------------------------------------

BAD_INPUT: dict[str, str | bytes] = {
    "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.md": b"Caf\xe9 cr\xe8me [[Nope]]\n",
    "mixed.md": b"ok \xc3\xa9 then bad \xff\xfe byte\n",
    "yaml.md": "---\ntitle: [unclosed\n---\n[[Gone]]\n",
    "x.md/inside.md": "fine\n",
    "good.md": "[[Missing]]\n",
}


def test_bad_input_never_stops_the_run(vault: Vault, check: Check) -> None:
    root = vault(BAD_INPUT)
    (root / "dangling.md").symlink_to(root / "no-such-target.md")
    run = check(root)
    assert run.code == 1
    got = run.where()
    assert ("binary.md", 1, 1, "VK000") in got
    assert ("dangling.md", 1, 1, "VK000") in got
    assert ("latin1.md", 1, 1, "VK012") in got and ("latin1.md", 1, 12, "VK001") in got
    assert ("yaml.md", 2, 1, "VK006") in got and ("yaml.md", 4, 1, "VK001") in got
    assert ("good.md", 1, 1, "VK001") in got
    mixed = {c for p, _, _, c in got if p == "mixed.md"}
    assert "VK012" in mixed or "VK000" in mixed
    assert not [p for p, *_ in got if p.startswith("x.md/")]


def test_bad_input_in_a_real_process_prints_no_traceback(vault: Vault) -> None:
    root = vault(BAD_INPUT)
    (root / "dangling.md").symlink_to(root / "no-such-target.md")
    for fmt in ("text", "json", "github"):
        proc = subprocess.run(
            [sys.executable, "-m", "vaultkit", "check", "--format", fmt, str(root)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert proc.stderr == ""
