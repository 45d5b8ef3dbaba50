"""Plugin rules: third-party per-note rules from the entry-point group ``vaultkit.rules``.

A plugin package declares, in its pyproject.toml::

    [project.entry-points."vaultkit.rules"]
    no-todo = "vaultkit_example_plugin:NO_TODO"

where the object named is a ``vaultkit.rules.base.Rule`` (or a list of them) whose check
function takes a parsed ``Note`` and a ``Context`` and yields diagnostics (``rule.diag``).
Plugin rules are per-note only (``scope="note"``, not online, not applied by import);
their codes must not start with ``VK`` (vaultkit's own), and a code or name already
taken is refused. Any of these is a ``ConfigError``: one line naming the plugin.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from vaultkit.errors import ConfigError
from vaultkit.rules.base import REGISTRY, Rule, register_rule

GROUP = "vaultkit.rules"


@dataclass(frozen=True)
class Plugin:
    """An installed distribution that provides rules."""

    name: str
    version: str
    codes: tuple[str, ...]  # its rules, in entry-point order


_LOADED: list[Plugin] | None = None
_ORIGIN: dict[str, Plugin] = {}  # rule code -> the plugin that brought it


def load_plugins() -> list[Plugin]:
    """Register every plugin rule once (later calls return the same list), sorted by name."""
    global _LOADED
    if _LOADED is not None:
        return _LOADED
    found: dict[str, tuple[str, list[Rule]]] = {}
    for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: (_dist(e)[0], e.name)):
        name, version = _dist(ep)
        found.setdefault(name, (version, []))[1].extend(_rules_of(ep, f"{name} {version}"))
    plugins = [
        Plugin(name, version, tuple(r.code for r in rules)) for name, (version, rules) in found.items()
    ]
    pending: dict[str, tuple[Rule, Plugin]] = {}  # checked all together: all are added, or none
    for plugin, (_, rules) in zip(plugins, found.values(), strict=True):
        for r in rules:
            _check_free(r, plugin, pending)
            pending[r.code] = (r, plugin)
    for r, plugin in pending.values():
        register_rule(r)
        _ORIGIN[r.code] = plugin
    _LOADED = plugins
    return plugins


def plugin_of(code: str) -> Plugin | None:
    """The plugin a rule came from; None for vaultkit's own rules."""
    return _ORIGIN.get(code)


def cache_key() -> tuple[tuple[str, str], ...]:
    """(name, version) of each loaded plugin: part of the facts cache header."""
    return tuple((p.name, p.version) for p in load_plugins())


def _dist(ep: metadata.EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return ep.value.partition(":")[0], "unknown"
    return str(dist.metadata["Name"]), dist.version


def _rules_of(ep: metadata.EntryPoint, origin: str) -> list[Rule]:
    where = f"plugin {origin}: entry point {ep.name} = {ep.value}"
    try:
        obj = ep.load()
    except Exception as exc:
        raise ConfigError(
            f"{where}: cannot load it ({type(exc).__name__}: {exc}); fix or uninstall it"
        ) from exc
    rules = list(obj) if isinstance(obj, list | tuple) else [obj]
    for r in rules:
        if not isinstance(r, Rule):
            raise ConfigError(f"{where}: {r!r} is not a vaultkit Rule (vaultkit.rules.base.Rule)")
        problem = _problem(r)
        if problem:
            raise ConfigError(f"{where}: rule {r.code} ({r.name}) {problem}")
    return rules


def _problem(r: Rule) -> str | None:
    if r.code.upper().startswith("VK"):
        return "has a code starting with VK, which is vaultkit's own; choose another prefix"
    if not r.code or not r.name or any(ch.isspace() for ch in r.code + r.name):
        return "needs a code and a name without spaces"
    if r.scope != "note" or r.online:
        return "is not a per-note rule; plugins can only add per-note rules"
    if r.on_import:
        return "asks to be applied by import, which only vaultkit's own rules are"
    return None


def _check_free(r: Rule, plugin: Plugin, pending: dict[str, tuple[Rule, Plugin]]) -> None:
    """Refuse a code or name that vaultkit or another plugin rule already has."""
    taken: tuple[Rule, Plugin | None] | None = None
    for other, owner in [*((o, None) for o in REGISTRY.values()), *pending.values()]:
        if r.code.upper() == other.code.upper() or r.name == other.name:
            taken = (other, owner)
            break
    if taken is None:
        return
    other, owner = taken
    by = f"plugin {owner.name} {owner.version}" if owner else "vaultkit"
    raise ConfigError(
        f"plugin {plugin.name} {plugin.version}: rule {r.code} ({r.name}) clashes with rule "
        f"{other.code} ({other.name}) of {by}; uninstall one of the two"
    )
