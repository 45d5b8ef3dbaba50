"""vaultkit export: one deduplicated index of the external resources in a vault.

``resources`` says what a resource is, ``sections`` and ``titles`` what is read
around each link, ``similar`` how near-duplicate titles are found, ``build`` turns
an opened vault into an :class:`Export`, and ``json_out``, ``csv_out`` and
``sqlite_out`` render it.
"""

from __future__ import annotations

from vaultkit.export.build import Export, Filters, build_export, generated_stamp

__all__ = ["Export", "Filters", "build_export", "generated_stamp"]
