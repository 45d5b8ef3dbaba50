"""Stable ids of the JSON schemas shipped in ``vaultkit/schemas/``.

Each JSON document vaultkit prints names its schema in a ``$schema`` key equal to the
schema's ``$id``. The ids live under the project's repository URL and change only with
the schema's own version (``check/v1``), never with the package version.
"""

from __future__ import annotations

REPOSITORY = "https://github.com/vaultkit/vaultkit"
_BASE = f"{REPOSITORY}/raw/main/vaultkit/schemas"
CHECK_SCHEMA_ID = f"{_BASE}/check.schema.json"
EXPORT_SCHEMA_ID = f"{_BASE}/export.schema.json"
