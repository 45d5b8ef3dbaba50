"""Release readiness: the licence in both packages, the sdist's test suite, versions, schema ids."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import vaultkit
from vaultkit.schema_ids import CHECK_SCHEMA_ID, EXPORT_SCHEMA_ID, REPOSITORY

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_vault"


def _shipped_schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for name in ("check", "export"):
        doc = json.loads((files("vaultkit") / "schemas" / f"{name}.schema.json").read_text("utf-8"))
        out[doc["$id"]] = doc
    return out


def _vk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_schema_ids_are_stable_and_under_the_repository() -> None:
    schemas = _shipped_schemas()
    assert set(schemas) == {CHECK_SCHEMA_ID, EXPORT_SCHEMA_ID}
    for sid in schemas:
        assert sid.startswith(REPOSITORY + "/") and "invalid" not in sid
        assert not re.search(r"\d+\.\d+\.\d+", sid), "a schema id must not carry the package version"
    if (REPO / "pyproject.toml").exists():
        project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
        assert project["urls"]["Repository"] == REPOSITORY


@pytest.mark.parametrize("command", [["check", "--format", "json"], ["export", "--format", "json"]])
def test_each_document_validates_against_the_schema_its_own_schema_key_names(
    command: list[str], tmp_path: Path
) -> None:
    run = _vk(*command, str(SAMPLE))
    assert run.returncode in (0, 1), run.stderr
    doc = json.loads(run.stdout)
    schemas = _shipped_schemas()
    assert doc["$schema"] in schemas, f"{doc['$schema']} is not the $id of a shipped schema"
    assert doc["vaultkit"] == vaultkit.__version__
    jsonschema.Draft202012Validator(schemas[doc["$schema"]]).validate(doc)
    # The other schema rejects it: the key really decides.
    other = next(s for sid, s in schemas.items() if sid != doc["$schema"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(other).validate(doc)


def test_version_shows_the_parser_backends() -> None:
    run = _vk("--version")
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    assert lines[0] == f"vaultkit {vaultkit.__version__}"
    assert f"markdown-it-py {metadata.version('markdown-it-py')} (reference parser)" in run.stdout
    assert "markdown-it-pyrs" in run.stdout
    assert any("plugin" in line for line in lines[1:])


def test_hooks_declare_the_lowest_pre_commit_version_tested() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks and all(h.get("minimum_pre_commit_version") == "3.5.0" for h in hooks)


def test_changelog_keeps_a_changelog_form_with_this_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text("utf-8")
    assert "keepachangelog.com" in text and "semver.org" in text.lower()
    assert re.search(rf"^## \[{re.escape(vaultkit.__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.M)
    section = text.split(f"## [{vaultkit.__version__}]", 1)[1].split("\n## [", 1)[0]
    assert re.search(r"^### (Added|Changed|Fixed|Removed|Security)$", section, re.M)


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not (REPO / "pyproject.toml").exists():
        pytest.skip("not a source tree")
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"sdist": next(out.glob("*.tar.gz")), "wheel": next(out.glob("*.whl"))}


def test_the_wheel_carries_the_licence_and_the_schemas(dists: dict[str, Path]) -> None:
    names = zipfile.ZipFile(dists["wheel"]).namelist()
    assert any(re.fullmatch(r"vaultkit-[^/]+\.dist-info/(licenses/)?LICENSE", n) for n in names), names
    assert "vaultkit/schemas/check.schema.json" in names and "vaultkit/py.typed" in names
    assert not any(n.startswith(("tests/", "sample_vault/")) for n in names)


def test_the_sdist_carries_the_licence_and_the_whole_test_suite(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tracked = subprocess.run(  # -z: names as they are, not quoted ("D\303\251j\303\240 vu.md")
        ["git", "ls-files", "-z", "tests", "sample_vault"], cwd=REPO, capture_output=True, text=True
    ).stdout.split("\0")
    tracked = [t for t in tracked if t]
    for needed in ["LICENSE", "CHANGELOG.md", "README.md", ".pre-commit-hooks.yaml", *tracked]:
        assert needed in names, f"{needed} is missing from the sdist"
    assert not any("__pycache__" in n for n in names)


@pytest.mark.skipif(not os.environ.get("VAULTKIT_EXPECT_INSTALLED"), reason="only in .ci/packages")
def test_the_sdist_tests_run_against_the_installed_wheel() -> None:
    assert "site-packages" in vaultkit.__file__, vaultkit.__file__
