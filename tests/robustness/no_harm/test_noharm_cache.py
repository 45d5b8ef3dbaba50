"""No harm from the cache: symlinked cache folders and files, and --cache on files
that are not vaultkit's. Each case runs the real command in a git work tree and
compares the whole tree byte for byte."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from noharm_kit import CACHE, assert_no_harm, make_place, picture, vaultkit

from vaultkit.lint.cache import store_path

NOTES = {
    "Important.md": "# Important\n\nDo not lose this. [[Other]]\n",
    "Other.md": "# Other\n\n- [a link](https://example.org/a)\n",
}


def _links(vault: Path, outside: Path, case: str) -> None:
    cache = vault / ".vaultkit_cache"
    current = store_path(vault)  # .vaultkit_cache/<version>/facts-<code hash>.marshal
    if case == "file -> note":
        current.parent.mkdir(parents=True)
        current.symlink_to("../../Important.md")
    elif case == "version folder -> vault":
        cache.mkdir()
        current.parent.symlink_to("..")
    elif case == "gitignore -> note":
        cache.mkdir()
        (cache / ".gitignore").symlink_to("../Important.md")
    elif case == "folder -> vault":
        cache.symlink_to(".")
    elif case == "folder -> outside":
        cache.symlink_to(outside)
    elif case == "folder -> notes folder":
        (vault / "Notes").mkdir()
        (vault / "Notes" / "keep.md").write_text("# keep\n")
        cache.symlink_to("Notes")
    elif case == "file -> outside":
        current.parent.mkdir(parents=True)
        current.symlink_to(outside / "secret.md")


CASES = ["file -> note", "gitignore -> note", "folder -> vault", "folder -> outside"]
CASES += ["folder -> notes folder", "file -> outside", "version folder -> vault"]


@pytest.mark.parametrize("case", CASES)
def test_check_never_writes_through_a_symlinked_cache(tmp_path: Path, case: str) -> None:
    place = make_place(tmp_path, NOTES)
    _links(place.vault, place.outside, case)
    place.commit()
    before, outside = picture(place.vault), picture(place.outside)
    for _ in range(2):  # the second run would read what the first one wrote
        result = vaultkit("check", place.vault, cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert b"cache not used" in result.stderr and b"symlink" in result.stderr
        assert_no_harm(place, before, outside, set(), result)
    assert not (place.vault / ".gitignore").exists()


def test_a_plain_cache_folder_is_still_written(tmp_path: Path) -> None:
    place = make_place(tmp_path, NOTES)
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit("check", place.vault, cwd=tmp_path)
    assert_no_harm(place, before, outside, CACHE, result)
    assert store_path(place.vault).is_file()
    assert place.git("status", "--porcelain") == ""  # its own .gitignore hides it


def _foreign_db(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE results (url TEXT PRIMARY KEY, verdict TEXT)")
    db.execute("INSERT INTO results VALUES ('https://a.example/', 'mine')")
    db.execute("PRAGMA user_version=7")
    db.commit()
    db.close()


@pytest.mark.parametrize("kind", ["text file", "foreign database", "empty file", "note"])
@pytest.mark.parametrize("command", ["check", "fix"])
def test_cache_option_refuses_what_is_not_vaultkits(tmp_path: Path, kind: str, command: str) -> None:
    place = make_place(tmp_path, {"Plain.md": "# Plain\n\nNo URL here.\n"})
    target = {"note": place.vault / "Plain.md"}.get(kind, place.vault / "notes.txt")
    if kind == "text file":
        target.write_text("my shopping list\n")
    elif kind == "foreign database":
        _foreign_db(target)
    elif kind == "empty file":
        target.write_bytes(b"")
    place.commit()
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit(command, place.vault, "--online", "--cache", target, cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert b"--cache" in result.stderr and b"changed nothing" in result.stderr
    assert_no_harm(place, before, outside, set(), result)


def test_cache_option_accepts_a_new_file_and_vaultkits_own(tmp_path: Path) -> None:
    place = make_place(tmp_path, {"Plain.md": "# Plain\n\nNo URL here.\n"})
    cache = tmp_path / "urls.sqlite"
    for _ in range(2):  # absent, then vaultkit's own
        result = vaultkit("check", place.vault, "--online", "--cache", cache, cwd=tmp_path)
        assert result.code == 0, result.stderr
    db = sqlite3.connect(cache)
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x564B4F4E
    db.close()
