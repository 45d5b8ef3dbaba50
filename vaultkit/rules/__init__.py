"""The rule registry. Importing this package registers every rule."""

from __future__ import annotations

from vaultkit.rules import duplicates, links, malformed, notes, online, suppressions, text  # noqa: F401  (registration)
from vaultkit.rules.base import REGISTRY, Context, Rule, find_rule

__all__ = ["REGISTRY", "Context", "Rule", "find_rule"]
