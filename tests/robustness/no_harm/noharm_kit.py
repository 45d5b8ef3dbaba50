"""Helpers for the no-harm suite: a vault that is a git work tree, a byte-for-byte
picture of a folder, and the real vaultkit command in a subprocess."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from vaultkit.lint.cache import store_path

SECRET = "TOP-SECRET-7c1f9e outside the vault"
_CURRENT = store_path(Path(""))
# What a check may add to a vault: its cache folder and files, nothing else.
CACHE = {".vaultkit_cache", ".vaultkit_cache/.gitignore", ".vaultkit_cache/CACHEDIR.TAG"}
CACHE |= {_CURRENT.parent.as_posix(), _CURRENT.as_posix()}
CACHE |= {f"{_CURRENT.as_posix()}-wal", f"{_CURRENT.as_posix()}-shm"}  # SQLite's, while in use
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


@dataclass
class Place:
    """A vault (git work tree, committed) next to an ``outside`` folder holding a secret."""

    vault: Path
    outside: Path

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        out = subprocess.run(["git", *args], cwd=self.vault, env=env, capture_output=True, check=True)
        return out.stdout.decode("utf-8", "surrogateescape")

    def commit(self) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "state before vaultkit")


def make_place(tmp_path: Path, files: dict[str, str | bytes]) -> Place:
    place = Place(tmp_path / "vault", tmp_path / "outside")
    place.outside.mkdir()
    (place.outside / "secret.md").write_text(f"# Secret\n\n{SECRET}\n- [x](https://secret.example/)\n")
    (place.vault / ".obsidian").mkdir(parents=True)
    (place.vault / ".obsidian" / "app.json").write_text("{}\n")
    for rel, content in files.items():
        path = place.vault / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    place.git("init", "-q")
    place.commit()
    return place


def picture(folder: Path, skip: tuple[str, ...] = (".git",)) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed): a file's sha256 and mode, a
    link's target, a folder's mode."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        rel_dir = os.path.relpath(dirpath, folder)
        dirnames[:] = [d for d in dirnames if os.path.normpath(os.path.join(rel_dir, d)) not in skip]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = "link -> " + os.readlink(path)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = f"dir {stat.S_IMODE(st.st_mode):o}"
            else:
                with open(path, "rb") as handle:
                    out[rel] = (
                        f"file {stat.S_IMODE(st.st_mode):o} " + hashlib.sha256(handle.read()).hexdigest()
                    )
    return out


def changes(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: bytes

    @property
    def output(self) -> bytes:
        return self.stdout + self.stderr


def vaultkit(*args: str | Path, cwd: Path, timeout: float = 60) -> Result:
    """The real command in a subprocess (no terminal: stdout and stderr are pipes)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("VAULTKIT_DEBUG", None)
    run = subprocess.run(
        [sys.executable, "-m", "vaultkit", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    assert run.returncode != 3, run.stderr
    assert b"Traceback" not in run.stderr, run.stderr
    return Result(run.returncode, run.stdout, run.stderr)


def assert_no_harm(
    place: Place,
    before_vault: dict[str, str],
    before_outside: dict[str, str],
    allowed: set[str],
    result: Result,
) -> None:
    """Only ``allowed`` vault entries changed, nothing outside did, nothing outside leaked,
    and git sees no change to tracked files."""
    assert changes(before_outside, picture(place.outside)) == set()
    changed = changes(before_vault, picture(place.vault))
    assert changed <= allowed, sorted(changed - allowed)
    assert SECRET.encode() not in result.output
    assert place.git("diff", "--stat") == ""
