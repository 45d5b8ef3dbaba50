"""Issue 15: export on the shared corpora (copied first), compared with reviewed snapshots
in tests/snapshots/export/: the counts, and a sample of the resources (every Nth, in
reading order) as note:line, section, title, link text where it differs, description.
``VAULTKIT_UPDATE_SNAPSHOTS=1`` rewrites them; review the diff before committing."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parents[1] / "shared" / "corpora"
SNAPSHOTS = HERE / "snapshots" / "export"
CASES = [("awesome", 20), ("awesome-go", 100), ("kepano-obsidian", 1)]


def export(src: Path, tmp_path: Path) -> dict[str, Any]:
    if not src.is_dir():
        pytest.skip(f"{src} is not here")
    root = tmp_path / src.name
    shutil.copytree(src, root)
    for path in [root, *root.rglob("*")]:  # the shared copies are read-only
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    argv = ["export", "--generated", "2025-01-01T00:00:00Z", "--include-boilerplate", str(root)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout_bytes)
    return doc


def review(doc: dict[str, Any], every: int) -> str:
    """The reviewed view of an export."""
    resources = sorted(
        doc["resources"], key=lambda r: (r["occurrences"][0]["note"], r["occurrences"][0]["line"])
    )
    occs = [o for r in resources for o in r["occurrences"]]
    counts = {
        "resources": len(resources),
        "occurrences": len(occs),
        "boilerplate": sum(1 for r in resources if r.get("boilerplate")),
        "with a description": sum(1 for o in occs if o["description"]),
        "titled after their item (roles)": sum(
            1 for o in occs if o["link_text"] and o["title"] and o["title"] != o["link_text"]
        ),
        "with similar": sum(1 for r in resources if r["similar"]),
        "sections": len({" > ".join(o["section"]) for o in occs}),
        "notes": len(doc["notes"]),
    }
    lines = [f"{k}: {v}" for k, v in counts.items()]
    lines += [f"note title: {n['path']} -> {n['title']}" for n in doc["notes"][:20]]
    for r in resources[::every]:
        o = r["occurrences"][0]
        text = o["link_text"] if o["link_text"] and o["link_text"] != r["title"] else ""
        desc = (o["description"] or "")[:80]
        flag = " [boilerplate]" if r.get("boilerplate") else ""
        lines.append(
            f"{o['note']}:{o['line']}\t{' > '.join(o['section'])}\t{r['title']}{flag}\t{text}\t{desc}"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("name", "every"), CASES, ids=[c[0] for c in CASES])
def test_export_is_the_reviewed_one(tmp_path: Path, name: str, every: int) -> None:
    got = review(export(CORPORA / name, tmp_path), every)
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("VAULTKIT_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(got, encoding="utf-8")
    assert got == snapshot.read_text(encoding="utf-8")
