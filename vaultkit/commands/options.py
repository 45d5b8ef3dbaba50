"""Options shared by check and fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def split_rules(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def rule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--ignore", multiple=True, metavar="RULES",
                        help="Skip these rules (codes or names, comma-separated).")(func)
    func = click.option("--select", multiple=True, metavar="RULES",
                        help="Run only these rules (codes or names, comma-separated).")(func)
    return func
