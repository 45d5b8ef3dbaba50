"""Writing the export: streamed to standard output, or atomically to ``-o FILE``.

The output of a large vault runs to tens of megabytes, so it is written piece by
piece instead of being held whole (twice, as text and as bytes) in memory. A file is
written with ``vault.write.write_atomic``: a temp file in the same folder, fsynced, given
the existing file's permissions, then renamed over the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from vaultkit.vault.write import write_atomic


def write_stream(stream: BinaryIO, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to a binary stream (standard output)."""
    for chunk in chunks:
        stream.write(chunk)
    stream.flush()


def write_file_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Replace ``path`` with the concatenated ``chunks``, or leave it untouched."""

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)

    write_atomic(path, fill)
