"""Tests for vaultkit.vault.read and vaultkit.vault.write: decoding, byte-identical rendering, safe writes."""

from __future__ import annotations

import codecs
import importlib.util
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultkit.errors import AlreadyExistsError, ConflictError, ReadError, UnsafePathError, WriteError
from vaultkit.vault.read import BINARY, Source, decode_bytes, read_source, render
from vaultkit.vault.write import (
    TEMP_SUFFIX,
    cleanup_temp_files,
    create_exclusive,
    write_atomic,
    write_text_atomic,
)

REPO = Path(__file__).resolve().parents[1]
HELPER = REPO / "tests" / "helpers" / "fsio_rewrite_loop.py"

# Western samples with accents and curly quotes. 64 characters is enough for
# every sample below to be detected confidently in both cp1252 and mac_roman.
SAMPLES = {
    "fr": "Le café était déjà fermé quand nous sommes arrivés. « C’est la vie », a dit "
    "le garçon, très déçu. Nous avons mangé une crêpe à la crème près de l’église. ",
    "en": "She said, “It’s the naïve café’s résumé — don’t worry.” He replied: ‘Fine’… ",
    "de": "Über die Brücke gingen wir zur Straße, wo die Bäcker schöne Brötchen "
    "verkaufen. Grüße aus München! ",
    "es": "El niño comió una manzana en el jardín. ¿Dónde está la señora? ¡Qué día más "
    "bonito! Mañana será mejor. ",
}


def sample(lang: str, length: int) -> str:
    return (SAMPLES[lang] * (length // len(SAMPLES[lang]) + 1))[:length]


def roundtrip(path: Path, data: bytes) -> Source:
    """Write ``data``, read it, and check that rendering the text gives it back."""
    path.write_bytes(data)
    src = read_source(path)
    assert src.data == data and src.size == len(data)
    assert render(src, src.text) == data
    return src


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


# ------------------------------------------------------------------ reading


@pytest.mark.parametrize(
    ("data", "encoding", "newline", "mixed", "final"),
    [
        (b"# A\n\nbody\n", "utf-8", "\n", False, True),
        (b"# A\r\n\r\nbody\r\n", "utf-8", "\r\n", False, True),
        (b"# A\rbody\r", "utf-8", "\r", False, True),  # classic Mac
        (b"a\r\nb\nc\r\nd\r\n", "utf-8", "\r\n", True, True),
        (b"a\nb\rc\r\n", "utf-8", "\n", True, True),  # tie: "\n" wins
        (b"no final newline", "utf-8", "\n", False, False),
        (b"x\r\ny", "utf-8", "\r\n", False, False),
        (b"", "utf-8", "\n", False, False),
        (codecs.BOM_UTF8 + "café\r\n".encode(), "utf-8-sig", "\r\n", False, True),
        (codecs.BOM_UTF16_LE + "naïve “x”\n".encode("utf-16-le"), "utf-16-le", "\n", False, True),
        (codecs.BOM_UTF16_BE + "a\r\nb".encode("utf-16-be"), "utf-16-be", "\r\n", False, False),
        (codecs.BOM_UTF32_LE + "ß\n".encode("utf-32-le"), "utf-32-le", "\n", False, True),
    ],
)
def test_roundtrip_text(
    tmp_path: Path, data: bytes, encoding: str, newline: str, mixed: bool, final: bool
) -> None:
    src = roundtrip(tmp_path / "n.md", data)
    assert (src.encoding, src.newline, src.mixed_newlines, src.final_newline) == (
        encoding,
        newline,
        mixed,
        final,
    )
    assert src.confident and not src.is_binary
    assert "\r" not in src.text
    assert src.bom == (encoding != "utf-8")
    assert not src.text.startswith("\ufeff")


def test_binary_file(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    src = roundtrip(tmp_path / "img.md", data)
    assert src.is_binary and src.text == "" and src.encoding == BINARY
    with pytest.raises(WriteError, match="binary"):
        render(src, "text")


@pytest.mark.parametrize("lang", sorted(SAMPLES))
@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_legacy_encodings(tmp_path: Path, lang: str, encoding: str, newline: str) -> None:
    text = sample(lang, 64) + "\n" + sample(lang, 300) + "\n"
    src = roundtrip(tmp_path / "n.md", text.replace("\n", newline).encode(encoding))
    assert src.encoding == encoding
    assert src.text == text and src.confident and not src.bom and src.newline == newline


@pytest.mark.parametrize("lang", sorted(SAMPLES))
@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman"])
def test_legacy_never_confidently_wrong(lang: str, encoding: str) -> None:
    """Short text may be misread, but then it must not claim confidence."""
    for length in (8, 12, 16, 24, 32, 48, 64, 96, 128):
        text = sample(lang, length)
        data = text.encode(encoding)
        decoded, _enc, bom, confident = decode_bytes(data)
        assert decoded == text or not confident, (length, _enc)
        assert not bom
        if length >= 64:
            assert decoded == text and confident


def test_decode_bytes_keeps_newlines() -> None:
    assert decode_bytes(b"a\r\nb\rc\n") == ("a\r\nb\rc\n", "utf-8", False, True)
    assert decode_bytes(b"\x00\x01") == ("", BINARY, False, False)
    assert decode_bytes(codecs.BOM_UTF8 + b"x") == ("x", "utf-8-sig", True, True)


def test_cyrillic_is_not_read_as_western() -> None:
    text = "Привет, мир! Это простой текст на русском языке для проверки кодировки. " * 2
    decoded, encoding, _bom, confident = decode_bytes(text.encode("cp1251"))
    assert (decoded, encoding, confident) == (text, "cp1251", True)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^cannot read .*missing\.md: no such file or directory$"):
        read_source(tmp_path / "missing.md")
    with pytest.raises(ReadError, match="not a regular file"):
        read_source(tmp_path)
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="not a regular file"):
        read_source(fifo)  # must not block


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.md"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(ReadError, match="permission denied"):
        read_source(path)


# ---------------------------------------------------------------- rendering

line_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n\x00\ufeff"),
    min_size=1,
    max_size=12,
)
ending = st.sampled_from(["\n", "\r\n", "\r"])
unicode_encoding = st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le"])


def build(lines: list[tuple[str, str]], tail: str, encoding: str) -> bytes:
    raw = "".join(text + end for text, end in lines) + tail
    bom = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE}
    bom |= {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE}
    return bom.get(encoding, b"") + raw.encode(encoding.replace("-sig", ""))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.tuples(line_text, ending), max_size=12),
    tail=st.one_of(st.just(""), line_text),
    encoding=unicode_encoding,
)
def test_property_roundtrip(tmp_path: Path, lines: list[tuple[str, str]], tail: str, encoding: str) -> None:
    src = roundtrip(tmp_path / "p.md", build(lines, tail, encoding))
    assert src.final_newline == (bool(lines) and not tail)


legacy_text = st.text(st.sampled_from("abc XYZ.,\n\r\t’“”—…éèàçüöäßñÉ«»€"), max_size=200)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=legacy_text, encoding=st.sampled_from(["cp1252", "mac_roman"]))
def test_property_roundtrip_legacy(tmp_path: Path, text: str, encoding: str) -> None:
    roundtrip(tmp_path / "p.md", text.encode(encoding))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.tuples(line_text, ending), min_size=1, max_size=12),
    tail=st.one_of(st.just(""), line_text),
    encoding=unicode_encoding,
    data=st.data(),
)
def test_property_edits_keep_other_endings(
    tmp_path: Path,
    lines: list[tuple[str, str]],
    tail: str,
    encoding: str,
    data: st.DataObject,
) -> None:
    src = roundtrip(tmp_path / "p.md", build(lines, tail, encoding))
    k = data.draw(st.integers(0, len(lines) - 1))
    mark = "\ufeffEDIT"  # \ufeff is not in the alphabet: the mark is unique
    pieces = src.text.split("\n")
    # edit line k in place: it keeps its own ending
    edited = [*lines[:k], (lines[k][0] + mark, lines[k][1]), *lines[k + 1 :]]
    new = "\n".join([*pieces[:k], pieces[k] + mark, *pieces[k + 1 :]])
    assert render(src, new) == build(edited, tail, encoding)
    # insert a line before k: it gets the dominant ending (uniform files: the only one)
    inserted = [*lines[:k], (mark, src.newline), *lines[k:]]
    new = "\n".join([*pieces[:k], mark, *pieces[k:]])
    assert render(src, new) == build(inserted, tail, encoding)
    # delete line k: the others keep theirs (with duplicates, any copy may go)
    new = "\n".join([*pieces[:k], *pieces[k + 1 :]])
    same = [j for j, (text, _) in enumerate(lines) if text == lines[k][0]]
    allowed = {build([*lines[:j], *lines[j + 1 :]], tail, encoding) for j in same}
    assert render(src, new) in allowed


def test_render_uniform_crlf_and_final_newline(tmp_path: Path) -> None:
    src = roundtrip(tmp_path / "n.md", b"a\r\nb\r\n")
    assert render(src, "a\nnew\nb\n") == b"a\r\nnew\r\nb\r\n"
    assert render(src, "a\nb") == b"a\r\nb"  # the new text drops the final newline
    assert render(src, "a\r\nb\r\n") == b"a\r\nb\r\n"  # stray CRs are normalised


def test_render_mixed(tmp_path: Path) -> None:
    src = roundtrip(tmp_path / "n.md", b"one\r\ntwo\nthree\r\nfour")
    assert src.mixed_newlines and src.newline == "\r\n" and not src.final_newline
    assert render(src, "one\nTWO\nthree\nfour\n") == b"one\r\nTWO\nthree\r\nfour\r\n"
    assert render(src, "zero\none\nthree\nfour") == b"zero\r\none\r\nthree\r\nfour"


def test_render_to_utf8(tmp_path: Path) -> None:
    text = sample("fr", 120)
    src = roundtrip(tmp_path / "a.md", text.encode("mac_roman"))
    assert render(src, src.text, to_utf8=True) == text.encode("utf-8")
    src = roundtrip(tmp_path / "b.md", codecs.BOM_UTF16_LE + "é\r\n".encode("utf-16-le"))
    assert render(src, src.text, to_utf8=True) == "é\r\n".encode()  # UTF-16 BOM dropped
    src = roundtrip(tmp_path / "c.md", codecs.BOM_UTF8 + b"x\n")
    assert render(src, "y\n", to_utf8=True) == codecs.BOM_UTF8 + b"y\n"  # UTF-8 BOM kept


def test_render_unencodable(tmp_path: Path) -> None:
    src = roundtrip(tmp_path / "a.md", sample("de", 100).encode("cp1252"))
    with pytest.raises(WriteError, match="cannot be encoded in cp1252"):
        render(src, src.text + "→")
    assert render(src, src.text + "→", to_utf8=True).endswith("→".encode())


# ------------------------------------------------------------------ writing


@pytest.mark.parametrize("perm", [0o600, 0o755, 0o640])
def test_permissions_kept(tmp_path: Path, perm: int) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"old\n")
    path.chmod(perm)
    src = read_source(path)
    assert src.mode == perm
    assert write_text_atomic(src, "new\n", root=tmp_path)
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == perm
    write_atomic(path, b"again\n")  # no expect: the existing file's mode
    assert stat.S_IMODE(path.stat().st_mode) == perm


def test_new_file_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    write_atomic(tmp_path / "new.md", b"x", root=tmp_path)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644 & ~umask
    write_atomic(tmp_path / "exec.md", b"x", mode=0o700)
    assert stat.S_IMODE((tmp_path / "exec.md").stat().st_mode) == 0o700


def test_write_text_atomic_skips_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"same\r\n")
    src = read_source(path)
    os.utime(path, ns=(0, 1_000_000_000))  # would be a conflict if it wrote
    assert not write_text_atomic(src, "same\n")


def test_conflict_same_size_same_mtime(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"version A\n")
    src = read_source(path)
    path.write_bytes(b"version B\n")  # same size...
    os.utime(path, ns=(src.mtime_ns, src.mtime_ns))  # ...and same mtime: bytes decide
    with pytest.raises(ConflictError, match="changed on disk since it was read; not written"):
        write_atomic(path, b"fixed\n", expect=src)
    assert path.read_bytes() == b"version B\n"
    assert temp_files(tmp_path) == []


def test_conflict_mtime_only(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"content\n")
    src = read_source(path)
    os.utime(path, ns=(src.mtime_ns, src.mtime_ns + 1_000_000_000))
    with pytest.raises(ConflictError):
        write_text_atomic(src, "fixed\n")
    assert path.read_bytes() == b"content\n"
    assert temp_files(tmp_path) == []


def test_conflict_deleted_or_grown(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"content\n")
    src = read_source(path)
    with path.open("ab") as handle:
        handle.write(b"more\n")
    with pytest.raises(ConflictError):
        write_atomic(path, b"x", expect=src)
    path.unlink()
    with pytest.raises(ConflictError, match="deleted"):
        write_atomic(path, b"x", expect=src)
    assert not path.exists() and temp_files(tmp_path) == []


def test_symlink_leaving_root_refused(tmp_path: Path) -> None:
    vault, outside = tmp_path / "vault", tmp_path / "outside.md"
    vault.mkdir()
    outside.write_bytes(b"precious\n")
    link = vault / "link.md"
    link.symlink_to(outside)
    src = read_source(link)  # reading through it is fine
    with pytest.raises(UnsafePathError, match="outside the vault"):
        write_text_atomic(src, "overwritten\n", root=vault)
    with pytest.raises(UnsafePathError):
        write_atomic(link, b"overwritten\n", root=vault)
    (vault / "sub").symlink_to(tmp_path)  # a linked folder leading out
    with pytest.raises(UnsafePathError):
        write_atomic(vault / "sub" / "outside.md", b"overwritten\n", root=vault)
    assert outside.read_bytes() == b"precious\n" and link.is_symlink()
    assert temp_files(tmp_path) == []


def test_dotdot_escape_refused(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "notes").mkdir(parents=True)
    with pytest.raises(UnsafePathError):
        write_atomic(vault / "notes" / ".." / ".." / "evil.md", b"x", root=vault)
    with pytest.raises(UnsafePathError):
        create_exclusive(vault / ".." / "evil.md", b"x", root=vault)
    assert not (tmp_path / "evil.md").exists()
    write_atomic(vault / "notes" / ".." / "ok.md", b"x", root=vault)  # stays inside
    assert (vault / "ok.md").read_bytes() == b"x"


def test_symlink_inside_vault_writes_target(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_bytes(b"old\n")
    link = tmp_path / "alias.md"
    link.symlink_to("real.md")
    write_text_atomic(read_source(link), "new\n", root=tmp_path)
    assert link.is_symlink() and os.readlink(link) == "real.md"
    assert (tmp_path / "real.md").read_bytes() == b"new\n"


def test_long_multibyte_name(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 120 + ".md")  # 243 bytes: the temp name must be shortened
    write_atomic(path, b"x\n", root=tmp_path)
    create_exclusive(tmp_path / ("ü" * 120 + ".md"), b"y\n", root=tmp_path)
    assert path.read_bytes() == b"x\n" and temp_files(tmp_path) == []


def test_create_exclusive_through_linked_folder_refused(tmp_path: Path) -> None:
    vault, elsewhere = tmp_path / "vault", tmp_path / "elsewhere"
    vault.mkdir()
    elsewhere.mkdir()
    (vault / "linked").symlink_to(elsewhere)
    with pytest.raises(UnsafePathError):
        create_exclusive(vault / "linked" / "new.md", b"x", root=vault)
    assert list(elsewhere.iterdir()) == []


class Exploding:
    """Not bytes: the write fails after the temp file exists."""


def test_failed_writes_leave_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"old\n")
    with pytest.raises(WriteError, match=r"^cannot write .*n\.md: "):
        write_atomic(path, Exploding(), root=tmp_path)  # type: ignore[arg-type]
    released = memoryview(b"data")
    released.release()
    with pytest.raises(WriteError):
        write_atomic(path, released)  # type: ignore[arg-type]
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(tmp_path / "folder.md", b"x")
    with pytest.raises(WriteError, match="not a directory"):
        write_atomic(path / "child.md", b"x")  # parent is a file
    assert path.read_bytes() == b"old\n"
    assert temp_files(tmp_path) == []


def test_create_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "imported.md"
    create_exclusive(path, b"first\n", root=tmp_path)
    assert path.read_bytes() == b"first\n"
    with pytest.raises(AlreadyExistsError, match="already exists; not overwritten"):
        create_exclusive(path, b"second\n", root=tmp_path)
    assert path.read_bytes() == b"first\n"
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(AlreadyExistsError):
        create_exclusive(dangling, b"x", root=tmp_path)
    assert not (tmp_path / "nowhere.md").exists()
    with pytest.raises(WriteError):
        create_exclusive(tmp_path / "no" / "such" / "dir.md", b"x", root=tmp_path)
    assert temp_files(tmp_path) == []


def test_cleanup_temp_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    stale = [tmp_path / ".a.md.x1y2z3.vaultkit-tmp", tmp_path / "sub" / ".b.md.q.vaultkit-tmp"]
    for p in stale:
        p.write_bytes(b"partial")
    keep = [tmp_path / "a.md", tmp_path / "notes.vaultkit-tmp"]  # no leading dot: not ours
    for p in keep:
        p.write_bytes(b"x")
    assert cleanup_temp_files(tmp_path, recursive=False) == [stale[0]]
    assert cleanup_temp_files(tmp_path) == [stale[1]]
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)


def load_helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fsio_rewrite_loop", HELPER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sigkill_leaves_old_or_new(tmp_path: Path) -> None:
    helper = load_helper()
    count = 300
    old = {i: helper.content(i, 0) for i in range(count)}
    new = {i: helper.content(i, 1) for i in range(count)}
    for i in range(count):
        (tmp_path / helper.name(i)).write_bytes(old[i])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    rng = random.Random(20240607)
    changed = 0
    leftovers: set[Path] = set()
    for _kill in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(HELPER), str(tmp_path), str(count)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.05, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL  # it was still writing
        for i in range(count):
            data = (tmp_path / helper.name(i)).read_bytes()
            assert data in (old[i], new[i]), f"{helper.name(i)} is neither old nor new"
            changed += data == new[i]
        extra = [p for p in tmp_path.iterdir() if not p.name.startswith("note")]
        assert all(p.name.startswith(".note") and p.name.endswith(TEMP_SUFFIX) for p in extra)
        leftovers.update(extra)
    assert changed > 0  # the helper made progress before being killed
    assert set(cleanup_temp_files(tmp_path)) == leftovers
    assert sorted(p.name for p in tmp_path.iterdir()) == [helper.name(i) for i in range(count)]
