"""vaultkit's version (modules import it from here, not from the package's public API)."""

from __future__ import annotations

__version__ = "0.2.0"
