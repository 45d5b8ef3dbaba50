"""vaultkit rules."""

from __future__ import annotations

import click

from vaultkit.cli.options import complete_rules
from vaultkit.errors import ConfigError
from vaultkit.rules import REGISTRY, Rule, find_rule
from vaultkit.rules.plugins import load_plugins, plugin_of


@click.command()
@click.argument("name", required=False, shell_complete=complete_rules)
@click.option("--markdown", is_flag=True, help="Print the list as a markdown table (for docs).")
def rules(name: str | None, markdown: bool) -> None:
    """List every rule, or print one rule's documentation (plugin rules too)."""
    load_plugins()
    if markdown and not name:
        click.echo(markdown_table())
        return
    if name:
        r = find_rule(name)
        if r is None:
            from vaultkit.rules.select import unknown_rule

            raise ConfigError(unknown_rule(name))
        flags = [f"{r.safety.value} fix ({r.fix.value})"] if r.fixable else []
        if r.unsafe_fix:
            flags.append("with --unsafe-fixes")
        if r.online:
            flags.append("needs --online")
        if r.on_import:
            flags.append("applied by import")
        plugin = plugin_of(r.code)
        if plugin is not None:
            flags.append(f"from plugin {plugin.name} {plugin.version}")
        click.echo(f"{r.code} {r.name} ({r.severity.value}{', ' if flags else ''}{', '.join(flags)})\n")
        click.echo(r.doc)
        return
    click.echo(f"{'code':<7}{'name':<22}{'severity':<10}{'fix':<8}summary")
    for r in sorted(REGISTRY.values(), key=lambda r: r.code):
        plugin = plugin_of(r.code)
        origin = f"[plugin {plugin.name} {plugin.version}] " if plugin else ""
        click.echo(f"{r.code:<7}{r.name:<22}{r.severity.value:<10}{_fix(r):<8}{origin}{r.summary}")


def _fix(r: Rule) -> str:
    """safe, unsafe (applied with --unsafe-fixes only) or no (the rule has no fix)."""
    return r.safety.value if r.fixable else "no"


def markdown_table() -> str:
    """The README's table of vaultkit's own rules (plugin rules are not in it)."""
    rows = ["| code | name | severity | fix | what it reports |", "|---|---|---|---|---|"]
    for r in sorted(REGISTRY.values(), key=lambda r: r.code):
        if plugin_of(r.code) is not None:
            continue
        fix = _fix(r) + (" (`--unsafe-fixes`)" if r.unsafe_fix else "")
        if r.online and r.fixable:
            fix += " (`--online`)"
        name = f"`{r.name}`" + (" (`--online`)" if r.online else "")
        rows.append(f"| {r.code} | {name} | {r.severity.value} | {fix} | {r.summary} |")
    return "\n".join(rows)
