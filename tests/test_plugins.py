"""Plugin rules: a real package from tests/plugins/, installed with pip into a temp folder
(never into the test environment), seen by ``python -m vaultkit`` through PYTHONPATH."""

from __future__ import annotations

import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from vaultkit.lint.cache import CACHE_DIR, MAC_BYTES, store_path

SOURCE = Path(__file__).resolve().parent / "plugins" / "vaultkit_example_plugin"
NOTE = "# Plan\n\nTODO: read [[Elsewhere]]\n\n`TODO` in code is fine.\n"

Install = Callable[..., Path]


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    """``install(entry="NO_TODO", dist="vaultkit-example-plugin")``: the folder it went to."""
    made: dict[tuple[str, str], Path] = {}

    def run(entry: str = "NO_TODO", dist: str = "vaultkit-example-plugin") -> Path:
        if (entry, dist) in made:
            return made[(entry, dist)]
        work = tmp_path_factory.mktemp("plugin-src")
        src = shutil.copytree(SOURCE, work / "src")  # the build leaves build/ behind: not in tests/
        project = (src / "pyproject.toml").read_text(encoding="utf-8")
        project = project.replace("vaultkit_example_plugin:NO_TODO", f"vaultkit_example_plugin:{entry}")
        project = project.replace('name = "vaultkit-example-plugin"', f'name = "{dist}"')
        (src / "pyproject.toml").write_text(project, encoding="utf-8")
        target = tmp_path_factory.mktemp("site")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
        pip += ["--no-build-isolation", "--target", str(target), str(src)]
        done = subprocess.run(pip, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        made[(entry, dist)] = target
        return target

    return run


def vaultkit(*args: str, path: list[Path], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, path))}
    env.pop("VAULTKIT_DEBUG", None)
    cmd = [sys.executable, "-m", "vaultkit", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def test_the_plugin_rule_is_listed_with_its_docs(install: Install) -> None:
    site = install()
    listed = vaultkit("rules", path=[site])
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.startswith("EX001"))
    assert "no-todo" in line and "[plugin vaultkit-example-plugin 0.1.0] A `TODO` marker left" in line
    doc = vaultkit("rules", "no-todo", path=[site])
    assert doc.returncode == 0, doc.stderr
    assert doc.stdout.startswith("EX001 no-todo (warning, from plugin vaultkit-example-plugin 0.1.0)")
    assert "work left undone; finish it or remove the marker" in doc.stdout
    # the README's table is vaultkit's own rules, whatever is installed
    assert "EX001" not in vaultkit("rules", "--markdown", path=[site]).stdout
    assert "EX001" not in vaultkit("rules", path=[]).stdout


def test_the_plugin_rule_fires_in_check_and_keys_the_cache(install: Install, tmp_path: Path) -> None:
    site = install()
    (tmp_path / "Plan.md").write_text(NOTE, encoding="utf-8")
    run = vaultkit("check", str(tmp_path), path=[site])
    assert run.returncode == 1, run.stderr  # the broken wikilink is an error
    found = [x for x in run.stdout.splitlines() if "EX001" in x]
    assert [x.removeprefix(f"{tmp_path}/") for x in found] == [
        "Plan.md:3:1: EX001 [no-todo] TODO left in the note; finish it or remove it"
    ]
    only = vaultkit("check", "--select", "no-todo", str(tmp_path), path=[site])
    assert only.returncode == 0 and "VK001" not in only.stdout and "EX001" in only.stdout
    assert "EX001" not in vaultkit("check", "--ignore", "EX001", str(tmp_path), path=[site]).stdout
    db = sqlite3.connect(store_path(tmp_path))
    blob = db.execute("SELECT v FROM meta WHERE k = 'header'").fetchone()[0]
    db.close()
    header = marshal.loads(blob[MAC_BYTES:])  # after the keyed hash
    assert tuple(header[-1]) == (("vaultkit-example-plugin", "0.1.0"),)
    # without the plugin, its cached findings are not trusted: the cache is rebuilt
    gone = vaultkit("check", str(tmp_path), path=[])
    assert gone.returncode == 1 and "VK001" in gone.stdout and "EX001" not in gone.stdout


def test_the_api_runs_plugin_rules_too(install: Install) -> None:
    code = "import vaultkit; print([d.code for d in vaultkit.check_text('TODO and `TODO`\\n')])"
    env = {**os.environ, "PYTHONPATH": str(install())}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['EX001']"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "VK_CODED",
            "rule VK900 (no-todo-vk) has a code starting with VK, which is vaultkit's own; "
            "choose another prefix",
        ),
        (
            "DUPLICATE",
            "rule EX002 (broken-wikilink) clashes with rule VK001 (broken-wikilink) of vaultkit; "
            "uninstall one of the two",
        ),
    ],
)
def test_a_bad_plugin_is_refused_in_one_line(
    install: Install, tmp_path: Path, entry: str, message: str
) -> None:
    site = install(entry)
    (tmp_path / "Plan.md").write_text(NOTE, encoding="utf-8")
    for args in (["check", str(tmp_path)], ["rules"]):
        run = vaultkit(*args, path=[site])
        assert run.returncode == 2, run.stdout + run.stderr
        assert run.stdout == ""
        lines = run.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            "vaultkit: error: plugin vaultkit-example-plugin 0.1.0"
        )
        assert message in lines[0]
    assert not (tmp_path / CACHE_DIR).exists()


def test_two_plugins_with_one_rule_name_are_refused(install: Install) -> None:
    first, second = install(), install(dist="vaultkit-other-plugin")
    run = vaultkit("rules", path=[first, second])
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.strip() == (
        "vaultkit: error: plugin vaultkit-other-plugin 0.1.0: rule EX001 (no-todo) clashes with rule "
        "EX001 (no-todo) of plugin vaultkit-example-plugin 0.1.0; uninstall one of the two"
    )
