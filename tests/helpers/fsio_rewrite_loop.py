"""Rewrite many files forever with write_atomic; test_fsio SIGKILLs this process.

Usage: python fsio_rewrite_loop.py FOLDER COUNT
Every file is always one of two versions (see ``content``); the loop flips all
files to the other version, pass after pass, until killed.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SIZE = 64 * 1024


def name(i: int) -> str:
    return f"note{i:03d}.md"


def content(i: int, version: int) -> bytes:
    """Version 0 is the "old" content of file i, version 1 the "new" one."""
    return random.Random(i * 2 + version).randbytes(SIZE)


def main() -> None:
    from vaultkit.vault.write import write_atomic

    folder, count = Path(sys.argv[1]), int(sys.argv[2])
    print("ready", flush=True)
    version = 1
    while True:
        for i in range(count):
            write_atomic(folder / name(i), content(i, version), root=folder)
        version = 1 - version


if __name__ == "__main__":
    main()
