"""Finding the vault root, listing its notes and attachments, reading each note once."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit.config import has_config
from vaultkit.limits import active
from vaultkit.vault.capped import read_small_text, special_kind

SKIP_DIRS = frozenset({".obsidian", ".trash", ".git", ".vaultkit_cache"})


@dataclass
class VaultFiles:
    root: Path
    notes: list[str] = field(default_factory=list)  # vault-relative, "/" separators
    attachments: list[str] = field(default_factory=list)
    template_dirs: list[str] = field(default_factory=list)  # Obsidian's templates folders
    external: list[str] = field(default_factory=list)  # symlinks out of the vault, not read
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why) not walked or read
    # notes Obsidian's "Excluded files" (userIgnoreFilters) name: indexed, so links to them
    # resolve as in Obsidian, but not reported
    ignored: set[str] = field(default_factory=set)
    # (size, mtime_ns) of each note and attachment as the walk saw it (what the index compares)
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def linking(self) -> list[str]:
        """The canvases and bases: attachments with links, or views, of their own."""
        return [a for a in self.attachments if is_linking(a)]


def find_root(start: Path) -> Path:
    """The nearest ancestor holding ``.obsidian/`` or a vaultkit config, else ``start``."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".obsidian").is_dir() or has_config(candidate):
            return candidate
    return folder


def is_note(name: str) -> bool:
    return name.lower().endswith(".md")


def is_canvas(name: str) -> bool:
    return name.lower().endswith(".canvas")


def is_linking(name: str) -> bool:
    """A canvas or a base: an attachment with links, or views, of its own."""
    return name.lower().endswith((".canvas", ".base"))


def excluded(rel: str, patterns: list[str]) -> bool:
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(rel, pat + "/*"):
            return True
        if "/" not in pat and any(fnmatch.fnmatchcase(part, pat) for part in rel.split("/")):
            return True
    return False


def scan(root: Path, exclude: list[str], follow_external: bool = False) -> VaultFiles:
    """Every note and attachment under ``root``, skipping tool folders and dot-folders.

    Each folder is entered once, by its real path: a symlink back to a folder already
    walked (a loop, or a second way in) is skipped and noted in ``skipped``. FIFOs,
    sockets and devices are noted and skipped without being opened. A symlink that
    resolves outside the vault (``passwd.md -> /etc/passwd``) is not a note: it is
    listed in ``external`` and never read, unless ``follow_external``. Symlinked
    folders that leave the vault are never walked."""
    files = VaultFiles(root)
    visited = {os.path.realpath(root)}
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = sorted(os.scandir(root / rel_dir if rel_dir else root), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if exclude and excluded(rel, exclude):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            mode = 0 if is_dir else _file_mode(entry, rel, files)
            if is_dir:
                if entry.name in SKIP_DIRS or entry.name.startswith("."):
                    continue
                if entry.is_symlink() and not _inside(root, Path(entry.path)):
                    continue
                real = os.path.realpath(entry.path)
                if real in visited:
                    files.skipped.append(
                        (rel, "a link to a folder already walked (a loop?); not walked again")
                    )
                    continue
                visited.add(real)
                stack.append(rel)
            elif special_kind(mode) and not is_note(entry.name):
                continue  # never opened; a note of this kind becomes a VK000 without being opened
            elif is_note(entry.name):
                if not follow_external and entry.is_symlink() and not _inside(root, Path(entry.path)):
                    files.external.append(rel)
                    continue
                files.notes.append(rel)
            elif not entry.name.startswith("."):
                files.attachments.append(rel)
    files.notes.sort()
    files.attachments.sort()
    files.external.sort()
    files.template_dirs = template_folders(root)
    filters = ignore_filters(root)
    if filters:
        files.ignored = {n for n in files.notes if obsidian_ignored(n, filters)}
    return files


def _file_mode(entry: os.DirEntry[str], rel: str, files: VaultFiles) -> int:
    """The mode of a file the walk found, its size and mtime kept in ``files.seen``."""
    try:
        st = entry.stat()
    except OSError:
        return stat.S_IFREG  # a dangling link: reported when the note is read
    if stat.S_ISREG(st.st_mode):
        files.seen[rel] = (st.st_size, st.st_mtime_ns)
    return st.st_mode


def ignore_filters(root: Path) -> list[str]:
    """``userIgnoreFilters`` from ``.obsidian/app.json`` (Settings > Files and links >
    Excluded files): folder or file path prefixes, or ``/regex/``."""
    text = read_small_text(root / ".obsidian" / "app.json", active().file_size)
    try:
        value = json.loads(text or "{}").get("userIgnoreFilters")
    except (ValueError, AttributeError, RecursionError):
        return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()]


def obsidian_ignored(rel: str, filters: list[str]) -> bool:
    """Whether Obsidian's excluded-files filters match vault path ``rel``."""
    for f in filters:
        if len(f) > 2 and f.startswith("/") and f.endswith("/"):
            try:
                if re.search(f[1:-1], rel):
                    return True
            except re.error:
                continue
        elif rel.startswith(f) or rel == f.rstrip("/"):
            return True
    return False


# Where Obsidian's core Templates plugin and the Templater plugin keep their settings.
_TEMPLATE_SETTINGS = (
    (".obsidian/templates.json", "folder"),
    (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"),
)


def template_folders(root: Path) -> list[str]:
    """The vault's templates folders, as configured in ``.obsidian/`` (none when unset)."""
    out: list[str] = []
    for rel, key in _TEMPLATE_SETTINGS:
        text = read_small_text(root / rel, active().file_size)
        try:
            value = json.loads(text).get(key) if text is not None else None
        except (ValueError, AttributeError, RecursionError):
            continue
        if isinstance(value, str) and value.strip("/ "):
            out.append(value.strip("/ "))
    return out


def in_folders(rel: str, folders: list[str]) -> bool:
    """Whether vault path ``rel`` lies inside one of ``folders``."""
    return any(rel.startswith(f + "/") for f in folders)


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def relative(root: Path, path: Path) -> str | None:
    """Vault-relative "/" path of ``path``, or None when it is outside the vault."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
