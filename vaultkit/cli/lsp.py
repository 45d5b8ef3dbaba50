"""vaultkit lsp."""

from __future__ import annotations

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk the protocol over standard input and output (the default).")
def command(stdio: bool) -> None:
    """Run the language server: diagnostics, quick fixes, navigation, completion and
    link-safe renames for the vault in your editor."""
    from vaultkit.lsp.server import run

    run(stdio=True)
