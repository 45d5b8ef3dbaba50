"""No harm in what vaultkit shows: notes that are symlinks out of the vault, hostile
control characters, and file names that are not UTF-8. Real commands in a git work tree."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from noharm_kit import CACHE, assert_no_harm, make_place, picture, vaultkit


def _secret_vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    place = make_place(tmp_path, {"Home.md": "# Home\n\n[[passwd]] and [[secret]]\n", "sub/.keep": ""})
    (place.vault / "passwd.md").symlink_to(place.outside / "secret.md")
    (place.vault / "sub" / "secret.md").symlink_to("../../outside/secret.md")
    (place.vault / "inside.md").symlink_to("Home.md")  # a link inside the vault is fine
    place.commit()
    return place


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--format", "json"],
        ["check", "--format", "github"],
        ["export"],
        ["export", "--format", "csv"],
        ["fix", "--diff"],
    ],
)
def test_notes_linked_from_outside_are_not_read(tmp_path: Path, args: list[str]) -> None:
    place = _secret_vault(tmp_path)
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit(*args, place.vault, cwd=tmp_path)
    assert result.code in (0, 1), result.stderr
    assert b"secret.example" not in result.output
    notes = [line for line in result.stderr.splitlines() if b"outside the vault" in line]
    assert sorted(notes)[0].startswith(b"passwd.md: skipped") and len(notes) == 2
    assert_no_harm(place, before, outside, CACHE, result)


def test_sqlite_export_holds_nothing_from_outside(tmp_path: Path) -> None:
    place = _secret_vault(tmp_path)
    db_path = tmp_path / "index.db"
    result = vaultkit("export", "--format", "sqlite", "-o", db_path, place.vault, cwd=tmp_path)
    assert result.code == 0, result.stderr
    db = sqlite3.connect(db_path)
    dump = "\n".join(db.iterdump())
    db.close()
    assert "secret.example" not in dump and "Home.md" in dump


def test_follow_external_symlinks_reads_them(tmp_path: Path) -> None:
    place = _secret_vault(tmp_path)
    result = vaultkit("export", "--follow-external-symlinks", place.vault, cwd=tmp_path)
    assert b"secret.example" in result.stdout and b"skipped" not in result.stderr


HOSTILE = "\x1b]52;c;aGVsbG8=\x07\x1b[2K\x1b[1A"


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    name = "evil\x1b[2J\x9b.md"
    place = make_place(
        tmp_path,
        {
            "Home.md": f"# Home\n\nSee [[Gone{HOSTILE}]] and [x](missing\x1b[31m.md)\n",
            name: "# E\n\n[[nowhere\x9b\x07]]\n",
        },
    )
    before, outside = picture(place.vault), picture(place.outside)
    for fmt in ("text", "github"):
        result = vaultkit("check", "--format", fmt, place.vault, cwd=tmp_path)
        assert result.code == 1, result.stderr
        text = result.stdout.decode("utf-8")
        assert not [c for c in text if (ord(c) < 0x20 and c not in "\n") or 0x7F <= ord(c) <= 0x9F]
        assert "Gone\\x1b]52;c;aGVsbG8=\\x07\\x1b[2K\\x1b[1A" in text
        assert "evil\\x1b[2J\\x9b.md" in text and "nowhere\\x9b\\x07" in text
        assert_no_harm(place, before, outside, CACHE, result)
    data = json.loads(vaultkit("check", "--format", "json", place.vault, cwd=tmp_path).stdout)
    assert any(HOSTILE in d["message"] for d in data["diagnostics"])  # JSON keeps the text


NON_UTF8 = os.fsdecode(b"caf\xe9 notes.md")


def test_names_that_are_not_utf8(tmp_path: Path) -> None:
    place = make_place(tmp_path, {NON_UTF8: "# Caf\n\n[[Missing]] [x](https://a.example/)\n"})
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit("check", "--format", "json", place.vault, cwd=tmp_path)
    assert result.code == 1, result.stderr
    (diag,) = json.loads(result.stdout.decode("utf-8"))["diagnostics"]
    assert diag["path"] == "caf\ufffd notes.md" and bytes.fromhex(diag["path_bytes"]) == b"caf\xe9 notes.md"
    text = vaultkit("check", place.vault, cwd=tmp_path).stdout.decode("utf-8")
    assert text.startswith("vault/caf\\xe9 notes.md:3:1: VK001")  # from the current folder
    for fmt in ("json", "csv"):
        out = vaultkit("export", "--format", fmt, place.vault, cwd=tmp_path)
        assert out.code == 0, out.stderr
        assert "caf\ufffd notes.md" in out.stdout.decode("utf-8")
    doc = json.loads(vaultkit("export", place.vault, cwd=tmp_path).stdout)
    (note,) = doc["notes"]
    assert bytes.fromhex(note["path_bytes"]) == b"caf\xe9 notes.md"
    assert_no_harm(place, before, outside, CACHE, result)
