"""``vaultkit --version``: vaultkit's version, its parser backends', and any plugin rules'.

It reads the installed distributions' ``*.dist-info`` folders on ``sys.path`` itself (their
names carry the version; ``entry_points.txt`` names plugins) rather than importing
``importlib.metadata``, which with the e-mail parser it loads doubled ``--version``'s time.
"""

from __future__ import annotations

import os
import re
import sys

from vaultkit.version import __version__

BACKENDS = (("markdown-it-py", "reference parser"), ("markdown-it-pyrs", "fast path"))
PLUGIN_GROUP = "vaultkit.rules"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _dists() -> dict[str, tuple[str, str]]:
    """Normalised name -> (dist-info folder, version) of each installed distribution (first on
    ``sys.path`` wins, as the import system does)."""
    found: dict[str, tuple[str, str]] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                dist, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(_normal(dist), (os.path.join(entry, name), version))
    return found


def _display_name(folder: str, fallback: str) -> str:
    try:
        with open(os.path.join(folder, "METADATA"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Name:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    break
    except OSError:
        pass
    return fallback


def plugin_versions(dists: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(distribution, version) of each package that provides rules to ``vaultkit.rules``."""
    out = []
    for key, (folder, version) in (dists if dists is not None else _dists()).items():
        try:
            with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        if re.search(rf"^\[{re.escape(PLUGIN_GROUP)}\]\s*$", text, re.M):
            out.append((_display_name(folder, key), version))
    return sorted(out)


def version_text() -> str:
    dists = _dists()
    lines = [f"vaultkit {__version__}"]
    for dist, role in BACKENDS:
        version = dists.get(_normal(dist), ("", ""))[1]
        lines.append(f"  {dist} {version or 'not installed'} ({role})")
    plugins = plugin_versions(dists)
    if plugins:
        lines.extend(f"  plugin {name} {version}" for name, version in plugins)
    else:
        lines.append("  plugin rules: none")
    return "\n".join(lines)
