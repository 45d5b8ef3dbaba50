"""Two real processes racing on one note (run by test_noharm_race.py).

python race_actors.py vaultkit NOTE SECONDS DELAY   rewrite the note with write_atomic in a
                                                    loop, the check-to-replace window widened
                                                    by DELAY seconds; print "written N conflicts M"
python race_actors.py editor NOTE COUNT             save COUNT versions like an editor (in
                                                    place and by rename, in turn) and print
                                                    "lost N": saves later overwritten by a
                                                    version made from an older one
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path


def vaultkit(note: Path, seconds: float, delay: float) -> None:
    from vaultkit.errors import ConflictError, ReadError
    from vaultkit.vault import write
    from vaultkit.vault.read import read_source

    try:
        from vaultkit.vault import replace as guard
    except ImportError:
        guard = None
    if guard is not None:
        guard._before_link = lambda: time.sleep(delay)
        if os.environ.get("RACE_NO_EXCHANGE"):  # the fallback without renameat2
            guard._exchange = lambda a, b: False
    else:  # a vaultkit without the guard: widen the same window, right before os.replace
        real = os.replace
        write.os.replace = lambda a, b: (time.sleep(delay), real(a, b))[1]  # type: ignore[attr-defined]
    written = conflicts = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            src = read_source(note)
        except ReadError:  # it kept changing while being read: fix skips it, as here
            continue
        if src.data.endswith(b"vaultkit\n"):
            time.sleep(0.001)
            continue
        try:
            write.write_atomic(note, src.data + b"vaultkit\n", expect=src)
            written += 1
        except ConflictError:
            conflicts += 1
    print(f"written {written} conflicts {conflicts}", flush=True)


def version(note: Path) -> int:
    return int(note.read_bytes().split(b"\n", 1)[0].split()[1])


def editor(note: Path, count: int) -> None:
    rng = random.Random(18)
    lost = 0
    for i in range(1, count + 1):
        data = b"editor %d\n" % i
        if i % 2:
            with open(note, "r+b") as handle:  # in place, as vim with backupcopy=yes
                handle.write(data)
                handle.truncate()
        else:
            tmp = note.with_name(".editor-save")
            tmp.write_bytes(data)
            os.replace(tmp, note)  # by rename, as most editors
        time.sleep(rng.uniform(0.005, 0.04))
        lost += version(note) < i
    print(f"lost {lost}", flush=True)


if __name__ == "__main__":
    role, path = sys.argv[1], Path(sys.argv[2])
    if role == "vaultkit":
        vaultkit(path, float(sys.argv[3]), float(sys.argv[4]))
    else:
        editor(path, int(sys.argv[3]))
