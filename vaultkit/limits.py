"""Limits every note is read and parsed under, so that no note can take the run down.

Below each limit the work on a note is linear in its size; above it the note is
reported (a VK000 finding saying which limit and what to do) and that work is
skipped. The values come from ``[limits]`` in the config (see the README's
"Limits" section); a worker process receives them with its job and sets them
with :func:`use`, so the parser, the rules and the export read the same ones.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from vaultkit.errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    note_size: int = 1_000_000  # bytes; a larger note is not read
    line_length: int = 20_000  # characters; the line-based rules skip a longer line
    links: int = 20_000  # per note; links past this one are not checked or exported
    frontmatter_size: int = 256_000  # characters of YAML (frontmatter, a base) loaded at most
    block_markup: int = 50_000  # line breaks and | [ * _ ` < ~ $ in one block; more: not parsed
    nesting: int = 40  # lists, quotes and inline markup nested deeper are plain text
    title_length: int = 300  # characters of an exported title (then "…")
    description_length: int = 2_000  # characters of an exported description (then "…")
    note_seconds: float = 60.0  # time to read, parse and check (or fix) one note
    file_size: int = 5_000_000  # bytes of any other file vaultkit reads (config, .obsidian)
    cache_size: int = 1_000_000_000  # bytes of the facts cache


_KEYS = {f.name.replace("_", "-"): f for f in fields(Limits)}
_active = Limits()


def active() -> Limits:
    """The limits in force in this process."""
    return _active


def use(limits: Limits) -> None:
    """Put ``limits`` in force in this process (a worker does this with its job's)."""
    global _active
    _active = limits


def from_config(section: Any, path: Path) -> Limits:
    """``[limits]`` of a config file; raises ConfigError naming a bad key or value."""
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: 'limits' must be a table")
    values: dict[str, Any] = {}
    for key, value in section.items():
        f = _KEYS.get(key)
        if f is None:
            raise ConfigError(f"{path}: unknown limit '{key}'; known: {', '.join(_KEYS)}")
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        if not ok or (f.type == "int" and not isinstance(value, int)):
            kind = "a positive number" if f.type == "float" else "a positive whole number"
            raise ConfigError(f"{path}: limit '{key}' must be {kind}")
        values[f.name] = value
    return Limits(**values)


class NoteTimeout(BaseException):
    """Raised inside the work on a note that took longer than ``note_seconds`` (a
    BaseException, so that no ``except Exception`` on the way swallows it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise NoteTimeout in this thread after ``seconds`` (main thread only; elsewhere none)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise NoteTimeout(f"it took longer than {seconds:g} s (the note-seconds limit)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def guarded(work: Callable[[], T], rescue: Callable[[BaseException], T]) -> T:
    """``work()`` under the note-seconds limit; any failure (RecursionError, MemoryError,
    the time limit, a bug) becomes ``rescue(exc)`` instead of ending the run.

    The cycle collector is paused meanwhile: a note's facts are many small objects and no
    cycles, and collections over them cost a fifth of a large note's parse."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with time_limit(_active.note_seconds):
            return work()
    except (Exception, NoteTimeout) as exc:  # one note must never take the run down
        return rescue(exc)
    finally:
        if collecting:
            gc.enable()


def failure_reason(exc: BaseException) -> str:
    """Why the work on a note failed, as the end of a one-line message."""
    if isinstance(exc, NoteTimeout):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to process (RecursionError); flatten its lists or quotes"
    if isinstance(exc, MemoryError):
        return "processing it ran out of memory; split the note"
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    name = type(exc).__name__
    return f"vaultkit failed on it ({name}{': ' + detail if detail else ''}); please report this bug"
