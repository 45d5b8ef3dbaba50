"""vaultkit.importing.naming: safe file names and folders that stay in the vault."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultkit.errors import UnsafePathError
from vaultkit.importing import safe_file_name
from vaultkit.importing.naming import MAX_BYTES, MAX_CHARS, Names, resolve_folder


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Plain title", "Plain title"),
        ('a*b"c\\d/e<f>g:h|i?j#k^l[m]n', "a b c d e f g h i j k l m n"),
        ("Attention: is it all you need?", "Attention is it all you need"),
        ("../../etc/passwd", "etc passwd"),
        ("..", "fallback"),
        ("...hidden.", "hidden"),
        ("  spaced \t out\n title  ", "spaced out title"),
        ("tab\x00and\x1fcontrols", "tab and controls"),
        ("CON", "CON_"),
        ("nul.txt", "nul_.txt"),
        ("Com1 notes", "Com1 notes"),
        ("LPT9", "LPT9_"),
        ("Cafe\u0301", "Café"),  # NFC
        ("[[]]", "fallback"),
    ],
)
def test_safe_file_name(title: str, name: str) -> None:
    assert safe_file_name(title, "fallback") == name


def test_empty_everywhere_is_untitled() -> None:
    assert safe_file_name("###", "..") == "Untitled"


def test_long_titles_are_capped() -> None:
    assert len(safe_file_name("x" * 500)) == MAX_CHARS
    emoji = safe_file_name("🫵" * 100)
    assert len(emoji.encode("utf-8")) <= MAX_BYTES and set(emoji) == {"🫵"}
    assert safe_file_name("a" * 99 + ". b") == "a" * 99  # no trailing dot after the cut


@given(st.text(max_size=300))
def test_any_title_gives_one_safe_path_component(title: str) -> None:
    name = safe_file_name(title, "x")
    assert name and name == name.strip(". ") and "/" not in name and "\\" not in name
    assert not any(c in name for c in '*"<>:|?#^[]') and name not in (".", "..")
    assert len(name) <= MAX_CHARS and len(name.encode("utf-8")) <= MAX_BYTES
    assert all(ord(c) >= 0x20 and c != "\x7f" for c in name)


def test_resolve_folder(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    vault.mkdir()
    real = vault.resolve()
    assert resolve_folder(vault, "") == real
    assert resolve_folder(vault, "./A/B/") == real / "A" / "B"
    for bad in ("..", "../x", "A/../../x", "/abs", str(tmp_path)):
        with pytest.raises(UnsafePathError):
            resolve_folder(vault, bad)
    (tmp_path / "out").mkdir()
    (vault / "esc").symlink_to(tmp_path / "out")
    with pytest.raises(UnsafePathError, match="through a symlink"):
        resolve_folder(vault, "esc/deeper")
    (vault / "file").write_text("x")
    with pytest.raises(UnsafePathError, match="not a folder"):
        resolve_folder(vault, "file")


def test_names_are_case_insensitive_and_reserved(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("x")
    (tmp_path / "Note 2.MD").write_text("x")
    names = Names()
    first = names.candidates(tmp_path, "NOTE")
    assert next(first) == "NOTE 3.md"
    assert next(names.candidates(tmp_path, "Note")) == "Note 4.md"  # 3 is handed out already
    assert next(names.candidates(tmp_path / "new", "Note")) == "Note.md"
