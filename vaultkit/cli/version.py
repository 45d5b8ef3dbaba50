"""``vaultkit --version``: vaultkit's version, its parser backends', and any plugin rules'."""

from __future__ import annotations

from importlib import metadata

from vaultkit.version import __version__

BACKENDS = (("markdown-it-py", "reference parser"), ("markdown-it-pyrs", "fast path"))
PLUGIN_GROUP = "vaultkit.rules"


def _installed(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def plugin_versions() -> list[tuple[str, str]]:
    """(distribution, version) of each package that provides rules to ``vaultkit.rules``."""
    found: dict[str, str] = {}
    for ep in metadata.entry_points(group=PLUGIN_GROUP):
        dist = ep.dist
        name = dist.metadata["Name"] if dist is not None else ep.value.partition(":")[0]
        found[name] = dist.version if dist is not None else "unknown"
    return sorted(found.items())


def version_text() -> str:
    lines = [f"vaultkit {__version__}"]
    for dist, role in BACKENDS:
        version = _installed(dist)
        lines.append(f"  {dist} {version or 'not installed'} ({role})")
    plugins = plugin_versions()
    if plugins:
        lines.extend(f"  plugin {name} {version}" for name, version in plugins)
    else:
        lines.append("  plugin rules: none")
    return "\n".join(lines)
