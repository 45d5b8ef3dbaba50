"""The command line: parse options, call the library, format, exit code.

Exit codes: 0 no errors (warnings allowed unless --strict); 1 errors found, or
changes pending with ``fix --check``, or a file failed; 2 usage or config error;
3 an internal error (a bug: please report it with the version).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, NoReturn

import click

from vaultkit.errors import ConfigError, VaultkitError
from vaultkit.version import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class Group(click.Group):
    """Loads commands on demand; turns library errors into one clear line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from SHORT_HELP: importing every command (and with
        them the parser and the rules) only to print a line about each took 0.2–0.4 s."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, SHORT_HELP.get(name, "")) for name in sorted(COMMANDS)])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (`| head`): click exits 1, quietly
            raise
        except ConfigError as exc:
            click.echo(_printable(f"vaultkit: error: {exc}"), err=True)
            ctx.exit(EXIT_USAGE)
        except VaultkitError as exc:
            click.echo(_printable(f"vaultkit: error: {exc}"), err=True)
            ctx.exit(EXIT_FINDINGS)
        except KeyboardInterrupt:
            click.echo("vaultkit: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if os.environ.get("VAULTKIT_DEBUG"):
                raise
            click.echo(
                _printable(f"vaultkit {__version__}: internal error: {type(exc).__name__}: {exc}") + "\n"
                "This is a bug; please report it with this line (set VAULTKIT_DEBUG=1 for details).",
                err=True,
            )
            ctx.exit(EXIT_BUG)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from vaultkit.cli.version import version_text

    click.echo(version_text())
    ctx.exit(EXIT_OK)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show vaultkit's version, its parser backends' and any plugin rules', and exit.",
)
def cli() -> None:
    """Keep Obsidian and markdown vaults healthy: check, fix, export and import notes."""


# Commands are imported when used, so that `vaultkit check` doesn't pay for export's imports.
COMMANDS = {
    "check": ("vaultkit.cli.check", "check"),
    "fix": ("vaultkit.cli.fix", "command"),
    "export": ("vaultkit.cli.export", "command"),
    "import": ("vaultkit.cli.importer", "command"),
    "init": ("vaultkit.cli.init", "command"),
    "rules": ("vaultkit.cli.rules", "rules"),
    "lsp": ("vaultkit.cli.lsp", "command"),
    "mv": ("vaultkit.cli.mv", "command"),
}
# Each command's first docstring sentence (a test keeps them equal).
SHORT_HELP = {
    "check": "Lint a vault, or the notes named (as pre-commit passes them).",
    "export": "Export the vault's external links as one deduplicated resource index.",
    "fix": "Repair what can be repaired safely, in place, atomically and idempotently.",
    "import": "Bring outside notes (.md, .markdown, .txt; any encoding) into the vault as clean notes.",
    "init": "Write a commented .vaultkit.toml at the vault root (never over an existing one).",
    "lsp": "Run the language server: diagnostics, quick fixes, navigation, completion and link-safe "
    "renames for the vault in your editor.",
    "mv": "Move OLD to NEW (a note or an attachment) and rewrite every link to it, keeping each link's "
    "form, as Obsidian does when it renames a file.",
    "rules": "List every rule, or print one rule's documentation (plugin rules too).",
}


def main(argv: list[str] | None = None) -> NoReturn:
    """The console script (and ``python -m vaultkit``). Once the output is flushed, the
    process ends with ``os._exit``, skipping the interpreter's teardown: freeing a large
    vault's millions of objects one by one on the way out is slow (see the README's Speed
    section; mypy exits the same way). Every file vaultkit writes is complete and closed by then."""
    try:
        cli.main(args=argv, prog_name="vaultkit")
    except SystemExit as exc:
        _hard_exit(_exit_status(exc.code))  # here, before the handler frees exc's frames
    _hard_exit(EXIT_OK)


def _hard_exit(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`... | head`)
            stream.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    """What ``sys.exit(code)`` would make the exit status."""
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _printable(text: str) -> str:
    """Control characters made visible (imported only on an error: start-up stays lean)."""
    from vaultkit.text.display import printable

    return printable(text)
