"""Walk the sources, convert each file, name it and create it once; one Outcome per file."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from vaultkit.errors import AlreadyExistsError, ConfigError, ReadError, VaultkitError, WriteError
from vaultkit.importing.convert import HASH_KEY, convert, source_digest
from vaultkit.importing.naming import Names, resolve_folder, safe_file_name
from vaultkit.limits import active
from vaultkit.parse.frontmatter import split_frontmatter
from vaultkit.text.display import name_text
from vaultkit.vault.capped import read_regular
from vaultkit.vault.files import scan
from vaultkit.vault.read import decode_bytes, read_source
from vaultkit.vault.write import create_exclusive

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
Status = Literal["imported", "identical", "skipped", "failed"]


@dataclass
class Outcome:
    source: str  # the source path as the user gave it (joined with the walked sub-path)
    status: Status
    target: str | None = None  # vault-relative, "/" separators
    actions: list[str] = field(default_factory=list)
    reason: str = ""  # why it was skipped or failed


def import_date(env: Mapping[str, str] | None = None) -> date:
    """Today, or the UTC date of ``SOURCE_DATE_EPOCH`` (for reproducible output)."""
    raw = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return date.today()
    try:
        return datetime.fromtimestamp(int(raw), UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ConfigError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {raw!r}"
        ) from None


def collect(sources: Sequence[Path]) -> list[Path | Outcome]:
    """Files to import, in order; a folder is walked (sorted, dot-entries ignored).

    A missing source becomes a failed Outcome. Symlinked sub-folders are not
    followed (no loops); symlinked files are read.
    """
    out: list[Path | Outcome] = []
    for src in sources:
        if src.is_dir():
            for dirpath, dirnames, filenames in os.walk(src):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                out.extend(Path(dirpath, n) for n in sorted(filenames) if not n.startswith("."))
        elif os.path.lexists(src):
            out.append(src)
        else:
            out.append(Outcome(str(src), "failed", reason="no such file or folder"))
    return out


def imported_hashes(vault: Path) -> dict[str, str]:
    """``import-hash`` → vault-relative path, for every note of the vault that has one."""
    found: dict[str, str] = {}
    for rel in scan(vault, []).notes:
        try:  # regular files under the note-size limit only: a FIFO here would hang the run
            data, _ = read_regular(vault / rel, active().note_size, "note-size")
        except ReadError:
            continue
        if HASH_KEY.encode() not in data:
            continue
        text = decode_bytes(data)[0].replace("\r\n", "\n")
        fm, _ = split_frontmatter(text)
        value = (fm.data or {}).get(HASH_KEY)
        if isinstance(value, str):
            found.setdefault(value, rel)
    return found


def import_notes(
    sources: Sequence[Path],
    vault: Path,
    folder: str = "",
    *,
    dry_run: bool = False,
    encoding: str | None = None,
    today: date | None = None,
) -> Iterator[Outcome]:
    """Import ``sources`` into ``vault/folder``; yields one Outcome per file, as it goes.

    Raises UnsafePathError (before doing anything) if ``folder`` leaves the vault.
    A file's failure is an Outcome, never an exception. With ``dry_run`` nothing
    is written, not even the folder.
    """
    root = Path(os.path.realpath(vault))
    target_dir = resolve_folder(root, folder)
    run = _Run(root, target_dir, dry_run, encoding, today or import_date())
    for item in collect(sources):
        if isinstance(item, Outcome):
            yield item
            continue
        try:
            yield run.one(item)
        except VaultkitError as exc:
            yield Outcome(str(item), "failed", reason=str(exc))
        except Exception as exc:  # a bug must not stop the other files
            yield Outcome(
                str(item),
                "failed",
                reason=f"internal error: {type(exc).__name__}: {exc} (a bug; please report it)",
            )


class _Run:
    def __init__(
        self, root: Path, target_dir: Path, dry_run: bool, encoding: str | None, today: date
    ) -> None:
        self.root = root
        self.target_dir = target_dir
        self.dry_run = dry_run
        self.encoding = encoding
        self.today = today
        self.names = Names()
        self._known: dict[str, str] | None = None  # import-hash → note, read on first need

    @property
    def known(self) -> dict[str, str]:
        if self._known is None:
            self._known = imported_hashes(self.root)
        return self._known

    def one(self, path: Path) -> Outcome:
        shown = str(path)
        suffix = path.suffix.lower()
        if suffix not in NOTE_SUFFIXES:
            kind = f"a {path.suffix} file" if path.suffix else "a file without an extension"
            return Outcome(
                shown, "skipped", reason=f"{kind}; only .md, .markdown and .txt files are imported"
            )
        absolute = Path(os.path.abspath(path))
        if suffix == ".md" and Path(os.path.realpath(absolute)).is_relative_to(self.root):
            return Outcome(shown, "skipped", reason="it is already a note of this vault")
        src = read_source(path)
        digest = source_digest(src.data)
        if digest in self.known:
            return Outcome(
                shown, "identical", self.known[digest], reason=f"same {HASH_KEY} as {self.known[digest]}"
            )
        stem = path.name[: -len(path.suffix)] or path.name
        conv = convert(src, name_text(absolute.as_posix()), stem, self.today, self.encoding)
        base = safe_file_name(conv.title, stem)
        actions = conv.actions
        if base != conv.title:
            actions.append(f"title made safe for a file name: {base}.md")
        name = self._create(base, conv.text.encode("utf-8"))
        if name != f"{base}.md":
            actions.append(f"{base}.md is taken: named {name}")
        rel = (self.target_dir / name).relative_to(self.root).as_posix()
        self.known[digest] = rel
        return Outcome(shown, "imported", rel, actions)

    def _create(self, base: str, data: bytes) -> str:
        """Create the first free name (never overwriting); return it."""
        if not self.dry_run:
            try:
                self.target_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WriteError(f"cannot create the folder {self.target_dir}: {exc.strerror}") from exc
        for name in self.names.candidates(self.target_dir, base):
            if self.dry_run:
                return name
            try:
                create_exclusive(self.target_dir / name, data, root=self.root)
            except AlreadyExistsError:  # taken since we listed the folder
                continue
            return name
        raise WriteError(f"no free name left for {base}.md in {self.target_dir}")
