"""The original bytes of a note that ``fix`` converts to UTF-8, kept beside it as ``NAME.orig``.

A conversion is proven lossless (vault.encoding), but undoing it needs the codec; the
``.orig`` copy needs nothing. It is created exclusively (never overwriting): an
existing ``.orig`` with the same bytes is reused, one with other bytes stops the
conversion of that note.
"""

from __future__ import annotations

import os
from pathlib import Path

from vaultkit.errors import AlreadyExistsError, WriteError
from vaultkit.vault.read import Source
from vaultkit.vault.write import create_exclusive

ORIG_SUFFIX = ".orig"


def keep_original(src: Source, root: Path) -> Path:
    """Write ``src``'s bytes to ``<note>.orig`` unless already there; return that path."""
    orig = src.path.with_name(src.path.name + ORIG_SUFFIX)
    try:
        create_exclusive(orig, src.data, root=root, mode=src.mode)
    except AlreadyExistsError:
        if os.path.islink(orig) or not os.path.isfile(orig) or orig.read_bytes() != src.data:
            raise WriteError(
                f"{orig.name} already exists and holds other bytes; move it away to convert {src.path.name}"
            ) from None
    return orig
