"""Whether the network is there at all: a few lookups before the run's requests.

Without this, a laptop on a train reports every URL of the vault as dead (each lookup fails).
Before any request, the most common hosts are resolved at once. When none resolves and the
failures say "no network" (a temporary failure, a timeout, or three or more names at once),
the run reports its URLs as unverifiable and says so once. A single name that does not
exist is not taken for a missing network: that URL is just dead.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable

from vaultkit.online.settings import Resolver

PROBED_HOSTS = 5
NAMES_FOR_VERDICT = 3  # this many missing names at once means the resolver has no network

_RESOLVED, _MISSING, _TEMPORARY = "resolved", "missing", "temporary"


def _lookup(resolver: Resolver, host: str, answers: queue.Queue[str]) -> None:
    try:
        answers.put(_RESOLVED if list(resolver(host.strip("[]"), 443)) else _MISSING)
    except socket.gaierror as exc:
        answers.put(_TEMPORARY if exc.errno == socket.EAI_AGAIN else _MISSING)
    except (OSError, UnicodeError):
        answers.put(_MISSING)
    except Exception:  # a resolver that fails oddly says nothing about the network
        answers.put(_RESOLVED)


def unreachable(hosts: Iterable[str], resolver: Resolver, timeout: float) -> str | None:
    """Why the network looks unreachable, or None when a probed host resolved (or none was)."""
    probed = [h for h, _ in Counter(h.lower().rstrip(".") for h in hosts).most_common(PROBED_HOSTS)]
    if not probed:
        return None
    answers: queue.Queue[str] = queue.Queue()
    for host in probed:  # daemon threads: a hung lookup never holds the process at exit
        threading.Thread(target=_lookup, args=(resolver, host, answers), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        for _ in probed:
            seen.append(answers.get(timeout=max(0.0, deadline - time.monotonic())))
            if seen[-1] == _RESOLVED:
                return None
    except queue.Empty:
        seen.append(_TEMPORARY)  # a lookup that takes longer than a connect timeout
    if _TEMPORARY in seen or len(probed) >= NAMES_FOR_VERDICT:
        names = ", ".join(probed[:3])
        return f"the network is unreachable: no host could be resolved ({names})"
    return None
