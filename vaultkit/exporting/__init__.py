"""vaultkit export: one deduplicated index of the external resources in a vault.

``resources`` says what a resource is, ``sections`` and ``titles`` what is read
around each link, ``text`` how exported strings are cleaned (mojibake repaired in
memory), ``similar`` how near-duplicate titles are found. ``worker`` does the
per-note work (one read and parse per note, in worker processes for large vaults),
``build`` turns an opened vault into an :class:`Export`, ``json_out``, ``csv_out``
and ``sqlite_out`` render it, and ``output`` writes it (streamed, or atomically).
"""

from __future__ import annotations

from vaultkit.exporting.build import Export, Filters, build_export, generated_stamp

__all__ = ["Export", "Filters", "build_export", "generated_stamp"]
