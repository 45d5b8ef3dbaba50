"""Text that is safe to show: on a terminal, in an annotation, in a UTF-8 document.

Two hazards, both handled by replacing characters:

- Control characters from note content (``\\x1b]52;c;...\\x07`` writes the clipboard,
  ``\\x1b[2K\\x1b[1A`` erases earlier lines of a report). ``printable`` shows every C0
  control but tab, DEL, every C1 control and the bidi controls as ``\\x1b``-style
  escapes, so an ESC sequence arrives as harmless visible text.
- File names that are not UTF-8. Python holds their undecodable bytes as lone
  surrogates (``\\udcff``), which no UTF-8 output can carry. In documents (JSON, CSV,
  SQLite, frontmatter) ``name_text`` replaces each such byte with U+FFFD (the
  documented replacement form), and ``name_bytes_hex`` gives the exact bytes for the
  ``path_bytes`` fields; on a terminal ``printable`` shows the byte as ``\\xe9``.
"""

from __future__ import annotations

import os
import re

__all__ = ["has_raw_bytes", "name_bytes_hex", "name_text", "printable", "printable_lines"]

_BREAKS = re.compile(r"(\r\n|\r|\n)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSAFE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, bidi and surrogate characters shown as visible escapes."""
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """``printable`` for each line of ``text``, keeping its line breaks."""
    return "".join(printable(p) if i % 2 == 0 else p for i, p in enumerate(_BREAKS.split(text)))


def name_text(name: str) -> str:
    """A file name as UTF-8-safe text: each undecodable byte becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", name)


def has_raw_bytes(name: str) -> bool:
    """Whether ``name`` holds bytes that are not UTF-8 (lone surrogates)."""
    return _SURROGATE.search(name) is not None


def name_bytes_hex(name: str) -> str:
    """The exact bytes of a file name (as the OS has them), in hex."""
    try:
        return os.fsencode(name).hex()
    except UnicodeEncodeError:  # a surrogate that no file name decoded to
        return name.encode("utf-8", "surrogatepass").hex()
