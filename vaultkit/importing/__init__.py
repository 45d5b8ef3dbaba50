"""vaultkit import: bring outside notes (txt, md, any encoding) into the vault as clean notes.

``convert`` turns one file into a note's text, ``naming`` picks a safe, free file
name inside the vault, ``runner`` walks the sources and writes each note once.
"""

from __future__ import annotations

from vaultkit.importing.convert import HASH_KEY, Converted, ConvertError, convert
from vaultkit.importing.naming import resolve_folder, safe_file_name
from vaultkit.importing.runner import NOTE_SUFFIXES, Outcome, import_date, import_notes

__all__ = [
    "HASH_KEY",
    "NOTE_SUFFIXES",
    "ConvertError",
    "Converted",
    "Outcome",
    "convert",
    "import_date",
    "import_notes",
    "resolve_folder",
    "safe_file_name",
]
