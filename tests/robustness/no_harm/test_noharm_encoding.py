"""Transcoding only with proof, and the original bytes kept: real notes, the real fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from noharm_kit import assert_no_harm, make_place, picture, vaultkit

from vaultkit.vault import encoding
from vaultkit.vault.encoding import decode_bytes

CORRUPT = b"hello \xff\xfe world \xc3 and \x80\x81\n"
CP1252 = "# Café\n\nLe café était déjà fermé quand nous sommes arrivés, « C’est la vie ».\n"


@pytest.mark.parametrize(
    "data",
    [CORRUPT, b"# x\n\n\xc3\x28 \xa0\xa1 \x80\x81\x82\n", b"\xb3\xb4\xb5\xb6 \xc4\xc5\xcd\xba\n"],
)
def test_doubtful_bytes_are_never_confident(data: bytes) -> None:
    assert decode_bytes(data)[3] is False


@pytest.mark.parametrize("codec", ["cp775", "cp437", "cp850", "cp852"])
def test_a_dos_code_page_is_not_proof(codec: str) -> None:
    """charset-normalizer's pick for these bytes varies by version (cp775 in the issue's
    run, cp1125 here); whichever it names, our scoring of it must not be confident."""
    text, name, _bom, sure = encoding._latin_guess(CORRUPT, codec) or ("", "", False, True)
    assert name == codec and text.encode(codec) == CORRUPT and not sure


def test_fix_leaves_corrupt_utf8_alone(tmp_path: Path) -> None:
    place = make_place(tmp_path, {"Broken.md": CORRUPT})
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit("fix", place.vault, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert b"Broken.md: skipped: encoding" in result.stderr and b"convert it by hand" in result.stderr
    assert_no_harm(place, before, outside, set(), result)
    assert (place.vault / "Broken.md").read_bytes() == CORRUPT
    check = vaultkit("check", place.vault, cwd=tmp_path)
    assert b"detection not confident" in check.stdout


def test_conversion_keeps_the_original_bytes(tmp_path: Path) -> None:
    data = CP1252.encode("cp1252")
    place = make_place(tmp_path, {"Caf.md": data})
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit("fix", place.vault, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert b"the original bytes are in Caf.md.orig" in result.stdout
    assert (place.vault / "Caf.md").read_text("utf-8") == CP1252
    assert (place.vault / "Caf.md.orig").read_bytes() == data
    place.git("checkout", "--", "Caf.md")  # the documented writes: the note and its .orig
    assert_no_harm(place, before, outside, {"Caf.md.orig", "Caf.md"}, result)


def test_a_foreign_orig_file_stops_the_conversion(tmp_path: Path) -> None:
    data = CP1252.encode("cp1252")
    place = make_place(tmp_path, {"Caf.md": data, "Caf.md.orig": "my own backup\n"})
    before, outside = picture(place.vault), picture(place.outside)
    result = vaultkit("fix", place.vault, cwd=tmp_path)
    assert result.code == 1
    assert b"Caf.md.orig already exists and holds other bytes" in result.stderr
    assert_no_harm(place, before, outside, set(), result)
