"""The Datasette metadata written beside ``--format sqlite``'s file (``INDEX.metadata.json``).

``datasette index.db --metadata index.metadata.json`` shows each table and column
with its description and opens each table on its default facets (tags, difficulty,
note...). The database's name in it is the file's stem, as Datasette names it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TABLES: dict[str, dict[str, Any]] = {
    "resources": {
        "description": "One row per resource: a canonical URL saved in the vault. Search covers "
        "title, description, sections, tags, metadata, notes and host.",
        "facets": [{"array": "tags"}, "host", "boilerplate"],
        "sort_desc": "occurrence_count",
        "label_column": "title",
        "columns": {
            "canonical_url": "The URL in canonical form, as duplicates are compared (one row each).",
            "url": "The URL as first written (damage repaired).",
            "host": "The URL's host name.",
            "title": "The best title among the occurrences (a role like Demo is named after its item).",
            "tags": "Every occurrence's tags (JSON array).",
            "similar": "Canonical URLs of resources with near-duplicate titles (JSON array, at most 3).",
            "occurrence_count": "How many times the vault saves it.",
            "boilerplate": "1 for a template's or most notes' link (footers, navigation).",
            "sections": "The distinct section paths it is saved under, one per line.",
            "description": "The distinct texts around it in its list items, one per line.",
            "metadata": "The distinct 'Key: value' sub-items, one per line.",
            "notes": "The paths and titles of the notes that save it, one per line.",
        },
    },
    "occurrences": {
        "description": "One row per place a resource is saved: note, line, section, title...",
        "facets": [{"array": "tags"}, "difficulty", "note"],
        "columns": {
            "resource_id": "The resource (resources.id).",
            "note": "The note (notes.path), vault-relative.",
            "line": "The line of the link in the note.",
            "section": "Enclosing headings and titling lines, joined with ' > '.",
            "title": "This occurrence's title.",
            "link_text": "The link's own text as written.",
            "description": "The text of the list item around the link, without markup.",
            "tags": "Inline tags on the item, then the note's frontmatter tags (JSON array).",
            "difficulty": "From a difficulty badge next to the link.",
            "metadata": "Key: value sub-items of the item (JSON object).",
            "commented": "1 when the link is inside an HTML comment.",
        },
    },
    "notes": {
        "description": "One row per exported note.",
        "facets": [{"array": "tags"}],
        "columns": {
            "path": "Vault-relative path.",
            "title": "Frontmatter title, else the first H1, else the first heading, else the file name.",
            "frontmatter": "The frontmatter as JSON.",
            "tags": "Frontmatter and inline tags (JSON array).",
        },
    },
    "links": {
        "description": "Links between notes and to attachments (wikilinks, embeds, markdown "
        "links), broken ones included.",
        "facets": ["kind", "broken", "attachment"],
        "columns": {
            "source": "The linking note (notes.path).",
            "line": "The link's line in the source note.",
            "kind": "wikilink, embed or link (markdown).",
            "embed": "1 for an embed (![[...]]).",
            "target": "The target as written.",
            "resolved": "The vault path it resolves to; empty when broken.",
            "target_note": "The target note (notes.path) when it is an exported note.",
            "attachment": "1 when it resolves to an attachment, not a note.",
            "broken": "1 when it resolves to nothing.",
        },
    },
    "diagnostics": {
        "description": "vaultkit check's findings on the exported notes (--with-diagnostics).",
        "facets": ["code", "severity", "note"],
        "columns": {
            "note": "The note (notes.path).",
            "line": "Line of the finding.",
            "column": "Column of the finding.",
            "code": "Rule code (VK...).",
            "rule": "Rule name.",
            "severity": "error, warning or info.",
            "message": "What is wrong and what to do.",
        },
    },
    "meta": {"description": "The export's version, time stamp and vault name."},
}


def metadata_path(db_path: Path) -> Path:
    """``index.db`` → ``index.metadata.json`` beside it."""
    return db_path.with_name(db_path.stem + ".metadata.json")


def datasette_metadata(db_path: Path, vault: str, diagnostics: bool) -> dict[str, Any]:
    tables = {k: v for k, v in TABLES.items() if diagnostics or k != "diagnostics"}
    return {
        "title": f"vaultkit: the resources of {vault}",
        "description": "Made by vaultkit export --format sqlite. Search the resources table.",
        "databases": {db_path.stem: {"tables": tables}},
    }


def metadata_text(db_path: Path, vault: str, diagnostics: bool) -> str:
    return json.dumps(datasette_metadata(db_path, vault, diagnostics), indent=2, ensure_ascii=False) + "\n"
