"""Read a note once, and give back its bytes the way it was stored.

``read_source`` decodes a file (UTF-8 first; UTF-16/32 only with a BOM; otherwise
charset-normalizer plus a cp1252-vs-mac_roman check, see ``vault.encoding``) and
records how it was stored, so ``render`` gives back byte-identical output for
unchanged text. Writing the result is ``vault.write``'s job.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from vaultkit.errors import WriteError
from vaultkit.limits import active
from vaultkit.vault.capped import os_reason, read_regular
from vaultkit.vault.encoding import BINARY, BOM_OF, CODEC, decode_bytes

__all__ = ["BINARY", "Source", "decode_bytes", "os_reason", "read_source", "render"]

EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Source:
    """A file as read: its bytes, its decoded text and how it was stored."""

    path: Path
    data: bytes  # the raw bytes as read
    text: str  # decoded, BOM removed, "\r\n" and "\r" normalised to "\n"
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le", "cp1252", "mac_roman", BINARY...
    bom: bool
    newline: str  # dominant ending: "\n", "\r\n" or (classic Mac) "\r"; "\n" if none
    mixed_newlines: bool
    final_newline: bool
    size: int
    mtime_ns: int
    mode: int  # permission bits only (stat.S_IMODE)
    confident: bool  # decoding is certain, or the guess passed our thresholds
    is_binary: bool  # NUL bytes / not text at all: text is ""
    inode: tuple[int, int] = (0, 0)  # (st_dev, st_ino) as read; (0, 0) when unknown


# ----------------------------------------------------------------- reading


def read_source(path: Path) -> Source:
    """Read and decode ``path`` once, if it is a regular file under the ``note-size`` limit
    (checked with ``fstat`` before reading; at most the limit plus one byte is read).
    Raises ReadError with a one-line message."""
    path = Path(path)
    data, st = read_regular(path, active().note_size, "note-size")
    return _make_source(path, data, st)


def _make_source(path: Path, data: bytes, st: os.stat_result) -> Source:
    raw, encoding, bom, confident = decode_bytes(data)
    crlf = raw.count("\r\n")
    counts = {"\n": raw.count("\n") - crlf, "\r\n": crlf, "\r": raw.count("\r") - crlf}  # ties: "\n"
    text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    return Source(
        path=path,
        data=data,
        text=text,
        encoding=encoding,
        bom=bom,
        newline=max(counts, key=counts.__getitem__) if any(counts.values()) else "\n",
        mixed_newlines=sum(n > 0 for n in counts.values()) > 1,
        final_newline=raw.endswith(("\n", "\r")),
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        mode=stat.S_IMODE(st.st_mode),
        confident=confident,
        is_binary=encoding == BINARY,
        inode=(st.st_dev, st.st_ino),
    )


# --------------------------------------------------------------- rendering


def render(source: Source, new_text: str, *, to_utf8: bool = False) -> bytes:
    """Encode ``new_text`` (LF endings) the way ``source`` was stored.

    Uniform files get their ending everywhere; files with mixed endings keep
    each surviving line's own ending and the dominant one for new lines. The
    final newline follows ``new_text``. ``to_utf8`` writes UTF-8, keeping a BOM
    only if the file had a UTF-8 BOM. Raises WriteError if a character cannot
    be encoded, or if ``source`` is binary and ``new_text`` is not "".
    """
    if source.is_binary:
        if new_text:
            raise WriteError(f"cannot write {source.path}: it is a binary file")
        return source.data
    new_text = EOL.sub("\n", new_text)  # tolerate stray "\r" from callers
    if source.mixed_newlines:
        body = _reapply_mixed(source, new_text)
    elif source.newline != "\n":
        body = new_text.replace("\n", source.newline)
    else:
        body = new_text
    encoding = source.encoding
    if to_utf8:  # a UTF-16/32 BOM is dropped; a UTF-8 BOM is kept
        encoding = "utf-8-sig" if encoding == "utf-8-sig" else "utf-8"
    bom = BOM_OF.get(encoding, b"") if source.bom else b""
    try:
        return bom + body.encode(CODEC.get(encoding, encoding))
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise WriteError(f"cannot write {source.path}: {bad!r} cannot be encoded in {encoding}") from None


def _reapply_mixed(source: Source, new_text: str) -> str:
    start = len(BOM_OF.get(source.encoding, b"")) if source.bom else 0
    raw = source.data[start:].decode(CODEC.get(source.encoding, source.encoding))
    old, old_ends = EOL.split(raw), EOL.findall(raw)
    new = new_text.split("\n")
    mapping = _map_lines(old, new)
    out: list[str] = []
    for j, line in enumerate(new):
        out.append(line)
        if j < len(new) - 1:  # every piece but the last is followed by a newline
            i = mapping.get(j)
            out.append(old_ends[i] if i is not None and i < len(old_ends) else source.newline)
    return "".join(out)


def _map_lines(old: list[str], new: list[str]) -> dict[int, int]:
    """Map new line index -> old line index for unchanged or edited-in-place lines."""
    limit = min(len(old), len(new))
    pre = 0
    while pre < limit and old[pre] == new[pre]:
        pre += 1
    suf = 0
    while suf < limit - pre and old[-1 - suf] == new[-1 - suf]:
        suf += 1
    mapping = {k: k for k in range(pre)}
    mapping.update({len(new) - 1 - k: len(old) - 1 - k for k in range(suf)})
    mid_old, mid_new = old[pre : len(old) - suf], new[pre : len(new) - suf]
    matcher = difflib.SequenceMatcher(None, mid_old, mid_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):  # a replaced line keeps its slot's ending
            for k in range(min(i2 - i1, j2 - j1)):
                mapping[pre + j1 + k] = pre + i1 + k
    return mapping
