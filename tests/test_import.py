"""vaultkit import, end to end: real files in tmp_path, the real command line."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from vaultkit.cli.main import cli
from vaultkit.parse.frontmatter import split_frontmatter
from vaultkit.parse.note import parse_note

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
LLM101 = EXAMPLES / "000_9b697ea2ae0f5582.txt"
BLOG = EXAMPLES / "001_5b424d46e803c8ce.txt"
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z
TODAY = date(2025, 1, 1)
CLEAN = "mojibake,nbsp-indent,list-marker-space"

needs_examples = pytest.mark.skipif(
    not LLM101.is_file() or not BLOG.is_file(), reason="shared examples not found"
)


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "Home.md").write_text("# Home\n", encoding="utf-8")
    return root


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["import", *map(str, args)], catch_exceptions=False)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes); symlinks as their target text."""
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames + [d for d in dirnames if Path(dirpath, d).is_symlink()]:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            out[rel] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return out


def note(path: Path) -> tuple[dict[str, Any], str]:
    """(frontmatter, body) of a written note; also checks it is UTF-8 with LF endings."""
    data = path.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    fm, start = split_frontmatter(text)
    assert fm.present and fm.error is None and fm.data is not None
    return fm.data, text[start:]


def check_clean(vault: Path) -> None:
    """The real CLI, in a subprocess: no finding from the repair rules, and nothing at all
    that a safe fix could fix (import applies them all)."""
    proc = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", str(vault), "--select", CLEAN],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors, 0 warnings, 0 infos." in proc.stdout
    every = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--no-cache", str(vault)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # nothing a safe fix would change is left (unsafe duplicate removals may be)
    assert "(fixable)" not in every.stdout and not re.search(r"^\d+ fixable with", every.stdout, re.M)


def only_new_in_vault(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Files added; asserts nothing existing changed and nothing new is outside the vault."""
    for rel, data in before.items():
        assert after.get(rel) == data, f"{rel} changed or vanished"
    added = sorted(set(after) - set(before))
    assert all(rel.startswith("vault/") for rel in added), added
    return added


# ------------------------------------------------------------------ examples


@needs_examples
def test_examples_are_imported_as_clean_notes(tmp_path: Path, vault: Path) -> None:
    before = tree(tmp_path)
    examples = {p.name: p.read_bytes() for p in EXAMPLES.iterdir()}
    result = run(LLM101, BLOG, "--vault", vault, "--folder", "Inbox")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"imported {LLM101} -> Inbox/LLM101.md")
    assert "repaired mojibake" in lines[0] and "no-break spaces" in lines[0]
    assert "the first heading (H4)" in lines[0]
    assert lines[1].startswith(f"imported {BLOG} -> Inbox/Future blogs to write.md")
    assert "hidden in an HTML comment" in lines[1]
    assert lines[-1] == "2 imported"
    assert only_new_in_vault(before, tree(tmp_path)) == [
        "vault/Inbox/Future blogs to write.md",
        "vault/Inbox/LLM101.md",
    ]
    assert {p.name: p.read_bytes() for p in EXAMPLES.iterdir()} == examples  # sources untouched

    # 000: the first heading is "#### LLM101" (no H1); mojibake and NBSP indents repaired
    fm, body = note(vault / "Inbox" / "LLM101.md")
    assert fm == {
        "title": "LLM101",
        "source": LLM101.as_posix(),
        "imported": TODAY,
        "import-hash": "sha256:" + hashlib.sha256(LLM101.read_bytes()).hexdigest(),
    }
    assert body.startswith("#### LLM101\n")
    for damage in ("â€", "Â\xa0", "ðŸ", "Ã"):
        assert damage not in body
    assert "YOU 🫵 can use" in body
    assert "- notion —> obsidian" in body
    assert "\n    * [An even more annotated Transformer](" in body
    assert "\n        * [Adam and friends](" in body
    parsed = parse_note("LLM101.md", body)
    items = {i.text.split("](")[0]: i for i in parsed.items}
    parent = items["[Adam and friends"].parent
    assert parent is not None and items["[Adam and friends"].indent == 8
    assert parsed.items[parent].text.startswith("[The Annotated GPT-2")  # nested, not flat

    # 001: the Jekyll front matter hidden in a comment is real frontmatter now
    path = vault / "Inbox" / "Future blogs to write.md"
    fm, body = note(path)
    assert list(fm) == ["layout", "title", "date", "categories", "image", "source", "imported", "import-hash"]
    assert fm["layout"] == "blog" and fm["title"] == "Future blogs to write"
    assert fm["categories"] == ["personal", "technology"] and fm["source"] == BLOG.as_posix()
    text = path.read_text("utf-8")
    assert text.startswith(
        "---\nlayout: blog\ntitle: Future blogs to write\n"
        "date: 2025-01-3 12:00:00 +0530\ncategories: [personal, technology]\n"
    )
    assert "<!--" not in text and "-->" not in text  # the draft is unwrapped
    assert body.startswith("\nEvolution of LLMs\n\n  - [Flash Attention Blog](")
    assert body.endswith("\n7. PPC\n")  # "- -->" leaves nothing behind, no stray "-"
    assert text.count("[Book on LLMs](https://cyrilzakka.github.io/llm-playbook/SUMMARY.html)") == 1

    check_clean(vault)


@needs_examples
def test_reimport_is_a_no_op(tmp_path: Path, vault: Path) -> None:
    assert run(EXAMPLES, "--vault", vault).exit_code == 0
    before = tree(tmp_path)
    for extra in ([], ["--dry-run"]):
        result = run(EXAMPLES, "--vault", vault, *extra)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            f"identical {LLM101} = LLM101.md: already imported, skipped",
            f"identical {BLOG} = Future blogs to write.md: already imported, skipped",
            "dry run: 0 to import, 2 identical; nothing written" if extra else "0 imported, 2 identical",
        ]
    assert tree(tmp_path) == before
    # the user's later edits do not make it "different": still skipped, still unchanged
    edited = vault / "LLM101.md"
    edited.write_text(edited.read_text("utf-8") + "\nMy own notes.\n", encoding="utf-8")
    before = tree(tmp_path)
    assert "identical" in run(LLM101, "--vault", vault).output
    assert tree(tmp_path) == before


@needs_examples
def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path, vault: Path) -> None:
    before = tree(tmp_path)
    result = run(EXAMPLES, "--vault", vault, "--folder", "New/Sub", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        f"would import {LLM101} -> New/Sub/LLM101.md  "
        "(repaired 1 malformed link(s); repaired mojibake on 11 line(s); "
    )
    assert "would import" in result.output.splitlines()[1]
    assert result.output.splitlines()[-1] == "dry run: 2 to import; nothing written"
    assert tree(tmp_path) == before
    assert not (vault / "New").exists()


# ----------------------------------------------------------------- encodings

ACCENTED = "# Café crème\n\nLe garçon a dit « bonjour » — c’était l’été.\n- première “idée”\n  - naïve\n"


@pytest.mark.parametrize(
    ("encoding", "data", "said"),
    [
        ("cp1252", ACCENTED.encode("cp1252"), "decoded from Windows-1252"),
        ("mac_roman", ACCENTED.encode("mac_roman"), "decoded from Mac Roman"),
        ("utf-16", ACCENTED.encode("utf-16"), "decoded from UTF-16 LE"),
        ("utf-16-be", b"\xfe\xff" + ACCENTED.encode("utf-16-be"), "decoded from UTF-16 BE"),
        ("utf-8-sig", ACCENTED.encode("utf-8-sig"), "decoded from UTF-8 with a BOM"),
        ("crlf", ACCENTED.replace("\n", "\r\n").encode("cp1252"), "line endings changed to LF"),
    ],
)
def test_legacy_encodings_are_decoded(vault: Path, src: Path, encoding: str, data: bytes, said: str) -> None:
    path = src / f"{encoding}.txt"
    path.write_bytes(data)
    result = run(path, "--vault", vault)
    assert result.exit_code == 0, result.output
    assert said in result.output and "-> Café crème.md" in result.output
    fm, body = note(vault / "Café crème.md")
    assert body == ACCENTED
    assert fm["title"] == "Café crème" and fm["source"] == path.as_posix()
    check_clean(vault)


def test_mojibake_in_a_legacy_file_is_repaired_after_decoding(vault: Path, src: Path) -> None:
    text = "# Résumé\n\nIt’s fine — really.\n\u00a0\u00a0- nested?\n-[a link](https://example.com)\n"
    (src / "double.md").write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    result = run(src / "double.md", "--vault", vault)
    assert result.exit_code == 0, result.output
    assert "repaired mojibake" in result.output and "missing space" in result.output
    _, body = note(vault / "Résumé.md")
    assert body == "# Résumé\n\nIt’s fine — really.\n  - nested?\n- [a link](https://example.com)\n"
    check_clean(vault)


def test_unsure_encoding_fails_until_one_is_given(vault: Path, src: Path) -> None:
    (src / "odd.txt").write_bytes(b"abc \x8a\x9a\n")
    result = run(src / "odd.txt", "--vault", vault)
    assert result.exit_code == 1
    assert "cannot be told for sure" in result.output and "--encoding" in result.output
    result = run(src / "odd.txt", "--vault", vault, "--encoding", "utf-8")
    assert result.exit_code == 1 and "not valid utf-8 (byte 0x8a at offset 4)" in result.output
    result = run(src / "odd.txt", "--vault", vault, "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert "decoded as cp1252 (--encoding)" in result.output
    assert note(vault / "odd.md")[1] == "abc Šš\n"
    assert run(src / "odd.txt", "--vault", vault, "--encoding", "klingon").exit_code == 2


# -------------------------------------------------------------------- titles


def test_readme_title_from_html_h1(vault: Path, src: Path) -> None:
    readme = src / "README.md"
    readme.write_text(
        '<p align="center"><img src="logo.png" width="80"></p>\n\n'
        '<h1 align="center">Awesome <b>LLM</b> &amp; friends</h1>\n\n'
        '<p align="center">A curated list.</p>\n\n## Contents\n\n- [Papers](#papers)\n',
        encoding="utf-8",
    )
    result = run(readme, "--vault", vault)
    assert result.exit_code == 0, result.output
    assert "-> Awesome LLM & friends.md" in result.output and "the first H1" in result.output
    fm, body = note(vault / "Awesome LLM & friends.md")
    assert fm["title"] == "Awesome LLM & friends"
    assert body.startswith('<p align="center"><img src="logo.png"')


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("---\ntitle: From frontmatter\n---\n# Heading\n", "From frontmatter.md", None),
        ("## Second level\n\nSetext title\n============\n", "Setext title.md", "Setext title"),
        ("Intro\n\n### Only an H3\n\n#### And an H4\n", "Only an H3.md", "Only an H3"),
        ("<!-- # Commented out -->\n## Real\n", "Real.md", "Real"),
        ("No heading at all.\n", "plain note.md", "plain note"),
    ],
)
def test_title_precedence(vault: Path, src: Path, text: str, name: str, title: str | None) -> None:
    (src / "plain note.markdown").write_text(text, encoding="utf-8")
    assert run(src / "plain note.markdown", "--vault", vault).exit_code == 0
    fm, _ = note(vault / name)
    if title is None:
        assert next(iter(fm)) == "title" and fm["title"] == "From frontmatter"
    else:
        assert fm["title"] == title


def test_illegal_titles_stay_inside_the_vault(tmp_path: Path, vault: Path, src: Path) -> None:
    titles = {
        "a.md": '# What is: "attention"? <part 1/2> [draft] #ml ^x | a\\b *',
        "b.md": "# ../../../escaped",
        "c.md": "---\ntitle: /etc/passwd\n---\nbody\n",
        "d.md": "# ..",
        "e.md": "# CON",
        "f.md": "# " + "long " * 60,
        "g.md": "# .hidden",
        "h.md": "---\ntitle: ..\\..\\windows\n---\n",
    }
    for name, text in titles.items():
        (src / name).write_text(text + "\n", encoding="utf-8")
    before = tree(tmp_path)
    result = run(src, "--vault", vault, "--folder", "In")
    assert result.exit_code == 0, result.output
    added = only_new_in_vault(before, tree(tmp_path))
    names = sorted(a.removeprefix("vault/In/") for a in added)
    assert all("/" not in n for n in names)
    assert names == sorted(
        [
            "What is attention part 1 2 draft ml x a b.md",
            "escaped.md",
            "etc passwd.md",
            "d.md",
            "CON_.md",
            ("long " * 20).strip() + ".md",
            "hidden.md",
            "windows.md",
        ]
    )
    fm, _ = note(vault / "In" / "What is attention part 1 2 draft ml x a b.md")
    assert fm["title"] == 'What is: "attention"? <part 1/2> [draft] #ml ^x | a\\b *'
    assert "title made safe for a file name" in result.output
    assert note(vault / "In" / "etc passwd.md")[0]["title"] == "/etc/passwd"


@pytest.mark.parametrize("folder", ["../outside", "/tmp/abs", "a/../../b", "link/inside"])
def test_folder_outside_the_vault_is_refused(tmp_path: Path, vault: Path, src: Path, folder: str) -> None:
    (tmp_path / "elsewhere").mkdir()
    (vault / "link").symlink_to(tmp_path / "elsewhere")
    (src / "n.md").write_text("# N\n", encoding="utf-8")
    before = tree(tmp_path)
    result = run(src, "--vault", vault, "--folder", folder)
    assert result.exit_code == 2
    assert "--folder" in result.output and "Traceback" not in result.output
    assert tree(tmp_path) == before


def test_symlinked_folder_inside_the_vault_is_fine(vault: Path, src: Path) -> None:
    (vault / "Real").mkdir()
    (vault / "alias").symlink_to(vault / "Real")
    (src / "n.md").write_text("# N\n", encoding="utf-8")
    assert run(src, "--vault", vault, "--folder", "alias").exit_code == 0
    assert (vault / "Real" / "N.md").is_file()


# ---------------------------------------------------------------- collisions


def test_collision_gets_a_suffix_and_nothing_is_overwritten(tmp_path: Path, vault: Path, src: Path) -> None:
    (vault / "Inbox").mkdir()
    (vault / "Inbox" / "my note.md").write_text("# Mine, written by hand\n", encoding="utf-8")
    (src / "one.txt").write_text("# My Note\nfirst\n", encoding="utf-8")
    (src / "two.txt").write_text("# My Note\nsecond\n", encoding="utf-8")
    before = tree(tmp_path)
    result = run(src / "one.txt", src / "two.txt", "--vault", vault, "--folder", "Inbox")
    assert result.exit_code == 0, result.output
    assert "My Note.md is taken: named My Note 2.md" in result.output
    assert "My Note.md is taken: named My Note 3.md" in result.output
    assert only_new_in_vault(before, tree(tmp_path)) == [
        "vault/Inbox/My Note 2.md",
        "vault/Inbox/My Note 3.md",
    ]
    assert note(vault / "Inbox" / "My Note 2.md")[1] == "# My Note\nfirst\n"
    assert note(vault / "Inbox" / "My Note 3.md")[1] == "# My Note\nsecond\n"
    # both are known now: importing them again is a no-op
    result = run(src, "--vault", vault, "--folder", "Inbox")
    assert result.output.splitlines()[-1] == "0 imported, 2 identical" and result.exit_code == 0


def test_same_file_twice_in_one_run(vault: Path, src: Path) -> None:
    (src / "a.md").write_text("# A\n", encoding="utf-8")
    result = run(src / "a.md", src, "--vault", vault, "--dry-run")
    assert result.output.splitlines()[1] == f"identical {src / 'a.md'} = A.md: already imported, skipped"
    assert not (vault / "A.md").exists()


# --------------------------------------------------------------- frontmatter


def test_existing_frontmatter_is_kept_as_written(vault: Path, src: Path) -> None:
    (src / "clip.md").write_text(
        "---\n# clipped by a web clipper\nsource: https://example.com/post\ntags: [a, b]\n"
        "created: 2024-03-05\n---\n# Clipped Post\n\nText.\n",
        encoding="utf-8",
    )
    assert run(src / "clip.md", "--vault", vault).exit_code == 0
    text = (vault / "Clipped Post.md").read_text("utf-8")
    assert text.startswith(
        "---\n# clipped by a web clipper\nsource: https://example.com/post\n"
        "tags: [a, b]\ncreated: 2024-03-05\ntitle: Clipped Post\n"
        f"import-source: {(src / 'clip.md').as_posix()}\nimported: 2025-01-01\n"
        "import-hash: sha256:"
    )
    assert text.endswith("---\n# Clipped Post\n\nText.\n")


def test_titles_that_need_quoting_are_valid_yaml(vault: Path, src: Path) -> None:
    (src / "q.md").write_text("# Yes: no? 'quotes' & #tags\n", encoding="utf-8")
    assert run(src / "q.md", "--vault", vault).exit_code == 0
    text = (vault / "Yes no 'quotes' & tags.md").read_text("utf-8")
    fm = yaml.safe_load(text.split("---\n")[1])
    assert fm["title"] == "Yes: no? 'quotes' & #tags"


def test_hidden_frontmatter_after_text_or_not_yaml_is_left_alone(vault: Path, src: Path) -> None:
    (src / "late.md").write_text("Intro\n<!-- ---\ntitle: Late\n---\n-->\n", encoding="utf-8")
    (src / "rule.md").write_text("<!-- ---\njust a line\n--- -->\n# Rule\n", encoding="utf-8")
    result = run(src, "--vault", vault)
    assert result.exit_code == 0, result.output
    assert "HTML comment" not in result.output
    assert note(vault / "late.md")[1] == "Intro\n<!-- ---\ntitle: Late\n---\n-->\n"
    assert note(vault / "Rule.md")[1] == "<!-- ---\njust a line\n--- -->\n# Rule\n"


def test_hidden_frontmatter_with_closing_marker_on_its_own_line(vault: Path, src: Path) -> None:
    (src / "d.md").write_text(
        "<!--\n---\ntitle: Draft\ntags: [x]\n---\n# Body\n\ntext\n-->\n\nafter\n", encoding="utf-8"
    )
    assert run(src / "d.md", "--vault", vault).exit_code == 0
    text = (vault / "Draft.md").read_text("utf-8")
    assert text.startswith("---\ntitle: Draft\ntags: [x]\nsource: ")
    assert text.endswith("---\n# Body\n\ntext\n\nafter\n")


def test_broken_frontmatter_fails_that_file_only(vault: Path, src: Path) -> None:
    (src / "bad.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    (src / "good.md").write_text("# Good\n", encoding="utf-8")
    result = run(src, "--vault", vault)
    assert result.exit_code == 1
    assert f"failed {src / 'bad.md'}: its frontmatter is broken (line" in result.output
    assert (vault / "Good.md").is_file() and not (vault / "bad.md").exists()


# ------------------------------------------------------------------ failures


def test_failures_and_skips_never_stop_the_others(tmp_path: Path, vault: Path, src: Path) -> None:
    (src / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (src / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "LICENSE").write_text("MIT\n", encoding="utf-8")
    (src / "gone.md").symlink_to(tmp_path / "missing.md")
    (src / ".DS_Store").write_bytes(b"\x00\x01")
    (src / ".git").mkdir()
    (src / ".git" / "HEAD.md").write_text("ref\n", encoding="utf-8")
    (src / "sub").mkdir()
    (src / "sub" / "ok.txt").write_text("# Fine\n", encoding="utf-8")
    result = run(src, tmp_path / "nope", "--vault", vault)
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    assert f"failed {src / 'binary.md'}: it is a binary file, not text" in out
    assert f"skipped {src / 'picture.png'}: a .png file; only .md, .markdown and .txt" in out
    assert f"skipped {src / 'LICENSE'}: a file without an extension" in out
    assert f"failed {src / 'gone.md'}: cannot read" in out
    assert f"failed {tmp_path / 'nope'}: no such file or folder" in out
    assert f"imported {src / 'sub' / 'ok.txt'} -> Fine.md" in out
    assert "DS_Store" not in out and "HEAD" not in out
    assert out.splitlines()[-1] == "1 imported, 2 skipped, 3 failed"


def test_vault_notes_are_not_imported_into_themselves(vault: Path) -> None:
    (vault / "Inbox").mkdir()
    (vault / "Inbox" / "raw.txt").write_text("# Raw\n", encoding="utf-8")
    result = run(vault, "--vault", vault, "--folder", "Inbox")
    assert result.exit_code == 0, result.output
    assert "Home.md: it is already a note of this vault" in result.output
    assert (vault / "Inbox" / "Raw.md").is_file()
    again = run(vault, "--vault", vault, "--folder", "Inbox")
    assert "identical" in again.output and "Raw.md: it is already a note" in again.output


def test_vault_defaults_to_the_one_around_the_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: Path, src: Path
) -> None:
    (src / "n.md").write_text("# N\n", encoding="utf-8")
    (vault / "Sub").mkdir()
    monkeypatch.chdir(vault / "Sub")
    assert run(src / "n.md").exit_code == 0
    assert (vault / "N.md").is_file()
    monkeypatch.chdir(tmp_path)
    result = run(src / "n.md")
    assert result.exit_code == 2 and "pass --vault DIR" in result.output


def test_bad_source_date_epoch_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, vault: Path, src: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    (src / "n.md").write_text("# N\n", encoding="utf-8")
    result = run(src / "n.md", "--vault", vault)
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.output
    assert not (vault / "N.md").exists()


@needs_examples
def test_real_command_line(tmp_path: Path, vault: Path) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    args = [sys.executable, "-m", "vaultkit", "import", str(EXAMPLES), "--vault", str(vault)]
    first = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "2 imported" and first.stderr == ""
    again = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == "0 imported, 2 identical"
    check_clean(vault)


def _left_by_reparse(text: str) -> list[tuple[int, str]]:
    """The repair rules' findings on the written note, from a parse of the whole of it."""
    from vaultkit.importing.convert import _PLACEHOLDER_PATH, _context, clean_rules
    from vaultkit.parse.note import is_suppressed

    note = parse_note(_PLACEHOLDER_PATH, text)
    found = [d for r in clean_rules() for d in r.check(note, _context())]
    return sorted((d.line, d.rule) for d in found if not is_suppressed(note, d.rule, d.code, d.line))


@pytest.mark.parametrize(
    "source",
    [
        "# T\n\n- \n- [a](http://x.com/?utm_source=f) [b] (http://y.com)\n",
        "---\ntitle: Ã©tÃ©\ntags: [a]\n---\n\n# caf\u00e9\n\n-\n\n*  item\n",
        "<!--\n---\ntitle: hidden\n---\n-->\nbody [x] (https://e.com) \u00a0\u00a0- nbsp\n",
        "no heading, one line without a newline [l](https://e.com/?fbclid=1)",
    ],
)
def test_the_one_parse_verify_agrees_with_a_whole_reparse(tmp_path: Path, source: str) -> None:
    """The import's verify reuses the cleaned parse for the body: its warning must be the
    one a parse of the whole written note gives (lines shifted by the new frontmatter)."""
    from vaultkit.importing.convert import convert
    from vaultkit.vault.read import read_source

    path = tmp_path / "x.txt"
    path.write_text(source, encoding="utf-8")
    done = convert(read_source(path), "x.txt", "x", date(2026, 1, 1))
    left = _left_by_reparse(done.text)
    said = [a for a in done.actions if a.startswith("warning:")]
    if not left:
        assert said == []
    else:
        lines = ", ".join(str(line) for line, _ in left[:5])
        assert said == [f"warning: {len(left)} finding(s) left ({left[0][1]}, line {lines})"]
