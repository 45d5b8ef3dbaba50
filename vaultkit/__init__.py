"""vaultkit: keep Obsidian and markdown vaults healthy."""

from __future__ import annotations

__version__ = "0.1.0"
