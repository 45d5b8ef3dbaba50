"""The rule registry. Importing this package registers every rule."""

from __future__ import annotations

from vaultkit.rules import (  # noqa: F401  (registration)
    ambiguous,
    duplicates,
    links,
    malformed,
    notes,
    online,
    suppressions,
    text,
)
from vaultkit.rules.base import REGISTRY, Context, Rule, find_rule

__all__ = ["REGISTRY", "Context", "Rule", "find_rule"]
