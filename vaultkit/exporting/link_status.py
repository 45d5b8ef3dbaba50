"""Dead and redirected links for the HTML report, from ``check --online``'s cache.

Read-only: the cache is opened with ``mode=ro`` and never created, written or
refreshed here (export stays offline). A URL's verdict is looked up by the key the
online checker stores it under; ``ok`` and unknown URLs are not marked, and neither
is anything when the cache is missing or unreadable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from vaultkit.online.urls import prepare


def cached_status(cache: Path | None, urls: Iterable[str]) -> dict[str, tuple[str, str]]:
    """canonical URL -> ("dead", cause) or ("redirected", final URL), for cached verdicts."""
    if cache is None or not cache.is_file():
        return {}
    keys: dict[str, str] = {}
    for url in urls:
        target = prepare(url)
        if not isinstance(target, tuple):
            keys[target.key] = url
    found: dict[str, tuple[str, str]] = {}
    try:
        db = sqlite3.connect(f"{cache.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        batch = list(keys)
        for start in range(0, len(batch), 500):
            chunk = batch[start : start + 500]
            sql = (
                "SELECT url, outcome, final_url, cause FROM results WHERE outcome IN ('dead', 'redirected')"
                f" AND url IN ({','.join('?' * len(chunk))})"
            )
            for key, outcome, final_url, cause in db.execute(sql, chunk):
                found[keys[key]] = (outcome, (final_url if outcome == "redirected" else cause) or "")
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    return found
