"""Issue 12's fix corpus: `vaultkit fix --diff` on real vaults and on a vault with every kind
of damage, compared with the reviewed diffs in tests/snapshots/fix/.

The real vaults are ../shared/corpora (kepano-obsidian, awesome-go, awesome), copied to a
temporary folder first (nothing is ever written there). The damaged vault is
tests/data/fix_corpus/damaged, fixed with and without --unsafe-fixes. A change in fix
behaviour shows up here as a diff to review; after a review, regenerate with
VAULTKIT_UPDATE_SNAPSHOTS=1 and say in the commit what was reviewed.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from helpers.fixkit import vk

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parents[1] / "shared" / "corpora"
SNAPSHOTS = HERE / "snapshots" / "fix"
DAMAGED = HERE / "data" / "fix_corpus" / "damaged"
CASES = [
    ("kepano-obsidian", CORPORA / "kepano-obsidian", ()),
    ("awesome-go", CORPORA / "awesome-go", ()),
    ("awesome", CORPORA / "awesome", ()),
    ("damaged", DAMAGED, ()),
    ("damaged-unsafe", DAMAGED, ("--unsafe-fixes",)),
]
IDS = [name for name, _, _ in CASES]


def _copy(src: Path, tmp_path: Path) -> Path:
    if not src.is_dir():
        pytest.skip(f"{src} is not here")
    root = tmp_path / src.name
    shutil.copytree(src, root, ignore=shutil.ignore_patterns(".vaultkit_cache", ".git"))
    for path in [root, *root.rglob("*")]:  # the shared copies are read-only
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return root


@pytest.mark.parametrize(("name", "src", "args"), CASES, ids=IDS)
def test_fix_diff_is_the_reviewed_one(tmp_path: Path, name: str, src: Path, args: tuple[str, ...]) -> None:
    root = _copy(src, tmp_path)
    run = vk("fix", "--diff", *args, root)
    assert run.code == (1 if run.stdout else 0), run.output  # --diff exits 1 with changes pending
    snapshot = SNAPSHOTS / f"{name}.diff"
    if os.environ.get("VAULTKIT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(run.stdout, encoding="utf-8")
    assert run.stdout == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "src", "args"), CASES, ids=IDS)
def test_after_fix_nothing_fixable_is_left(
    tmp_path: Path, name: str, src: Path, args: tuple[str, ...]
) -> None:
    """check after fix reports nothing a (safe) fix could have fixed, and a second fix
    writes nothing."""
    root = _copy(src, tmp_path)
    first = vk("fix", *args, root)
    assert first.code == 0 and "not written" not in first.output, first.output
    check = vk("check", "--no-cache", root)
    assert "(fixable)" not in check.stdout and "fixable with 'vaultkit fix'" not in check.stdout, check.stdout
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".vaultkit_cache" not in p.parts}
    second = vk("fix", *args, root)
    assert second.code == 0 and "fixed 0 problem(s) in 0 file(s)" in second.output, second.output
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".vaultkit_cache" not in p.parts}
    assert after == before
