"""File names for imported notes, and the folder they go to, kept inside the vault."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from vaultkit.errors import UnsafePathError
from vaultkit.index.names import fold

# Obsidian refuses * " \ / < > : | ? and treats # ^ [ ] as link syntax; C0 and C1
# control characters are no good in any file name.
_FORBIDDEN = re.compile(r'[*"\\/<>:|?#^\[\]\x00-\x1f\x7f-\x9f]')
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # a file name's undecodable bytes
# Windows device names, matched case-insensitively on the part before the first dot
# (trailing spaces ignored): also COM0/LPT0, the superscript digits Windows accepts
# there (COM¹ LPT²), and the console devices.
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{p}{i}" for p in ("COM", "LPT") for i in "0123456789\u00b9\u00b2\u00b3"]
)
MAX_CHARS = 100  # a title longer than this is cut (Obsidian shows long names badly)
MAX_BYTES = 200  # well under the usual 255-byte limit, leaving room for " 12.md"
MAX_SUFFIX = 9999
_ZWJ = "\u200d"


def _invisible(ch: str) -> bool:
    """Format characters: bidi controls (RLO spoofing: ``evil\u202etxt.exe``),
    zero-width spaces and joiners, the BOM, soft hyphens."""
    return unicodedata.category(ch) == "Cf"


def _drop_invisible(name: str) -> str:
    """Remove format characters, except a zero-width joiner inside an emoji sequence."""
    out = []
    for i, ch in enumerate(name):
        in_emoji = ch == _ZWJ and 0 < i < len(name) - 1 and ord(name[i - 1]) > 0x2000 < ord(name[i + 1])
        if in_emoji or not _invisible(ch):
            out.append(ch)
    return "".join(out)


def safe_file_name(title: str, fallback: str = "") -> str:
    """A file stem (without ``.md``) for ``title`` that is valid everywhere.

    Undecodable bytes of a file name become U+FFFD; bidi and zero-width characters
    are removed; forbidden characters and whitespace runs become one space; leading
    and trailing dots and spaces are trimmed (no hidden files, no ``..``, nothing
    Windows refuses); the length is capped; Windows device names (``CON``,
    ``nul.txt``, ``COM¹``, ``CONIN$``...) get a ``_``. An empty result falls back
    to ``fallback``, then to ``Untitled``.
    """
    name = unicodedata.normalize("NFC", _drop_invisible(_SURROGATE.sub("\ufffd", title)))
    name = _SPACES.sub(" ", _FORBIDDEN.sub(" ", name)).strip(". ")
    if len(name) > MAX_CHARS:
        name = name[:MAX_CHARS]
    while len(name.encode("utf-8")) > MAX_BYTES:
        name = name[:-1]
    name = name.strip(". ")
    if not name:
        return safe_file_name(fallback) if fallback else "Untitled"
    first = name.split(".", 1)[0].rstrip(" ")
    if first.upper() in _RESERVED:
        name = first + "_" + name[len(first) :]
    return name


def resolve_folder(vault: Path, folder: str) -> Path:
    """``vault/folder`` after checking it stays in the vault; raises UnsafePathError.

    ``folder`` must be relative, free of ``..`` and of dot-folders (``.obsidian``,
    ``.git/hooks``: Obsidian and vaultkit skip them, git runs what lands there); it may not reach outside the
    vault through a symlink either. The folder need not exist yet.
    """
    raw = folder.replace("\\", "/") if os.sep == "\\" else folder
    pure = PurePosixPath(raw)
    if pure.is_absolute() or Path(folder).is_absolute() or Path(folder).drive:
        raise UnsafePathError(
            f"--folder must be a folder inside the vault, relative to it; got the absolute path {folder}"
        )
    if ".." in pure.parts:
        raise UnsafePathError(f"--folder must stay inside the vault; '..' is not allowed: {folder}")
    hidden = next((p for p in pure.parts if p.startswith(".") and p != "."), None)
    if hidden is not None:
        raise UnsafePathError(
            f"--folder {folder}: '{hidden}' is a dot-folder (like .obsidian or .git), which "
            "vaultkit and Obsidian skip; choose a folder whose name does not start with '.'"
        )
    root = Path(os.path.realpath(vault))
    target = root.joinpath(*[p for p in pure.parts if p not in ("", ".")])
    real = Path(os.path.realpath(target))
    if not real.is_relative_to(root):
        raise UnsafePathError(
            f"--folder {folder} resolves to {real} through a symlink, outside the vault {root}"
        )
    if real.exists() and not real.is_dir():
        raise UnsafePathError(f"--folder {folder}: {real} exists and is not a folder")
    return target


class Names:
    """Hands out free note names per folder: ``Title.md``, ``Title 2.md``, ...

    Names are compared as Obsidian and case-insensitive file systems do (NFC,
    case-folded). Names handed out in this run count as taken, so a dry run
    plans the same names a real run writes.
    """

    def __init__(self) -> None:
        self._taken: dict[Path, set[str]] = {}

    def _folder(self, folder: Path) -> set[str]:
        if folder not in self._taken:
            try:
                self._taken[folder] = {fold(n) for n in os.listdir(folder)}
            except OSError:  # not created yet
                self._taken[folder] = set()
        return self._taken[folder]

    def candidates(self, folder: Path, stem: str) -> Iterator[str]:
        """Free names, best first; each one yielded is marked as taken."""
        taken = self._folder(folder)
        for n in range(1, MAX_SUFFIX + 1):
            name = f"{stem}.md" if n == 1 else f"{stem} {n}.md"
            if fold(name) not in taken:
                taken.add(fold(name))
                yield name
