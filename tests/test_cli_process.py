"""The console entry point in a real process: exit statuses, and output fully flushed
before the process ends with os._exit (it skips the interpreter's teardown)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from vaultkit.cli.main import _exit_status
from vaultkit.exporting.run import gc_paused

Vault = Callable[[dict[str, str | bytes]], Path]
VK = [sys.executable, "-m", "vaultkit"]


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*VK, *map(str, args)], capture_output=True, timeout=120, **kwargs)  # type: ignore[call-overload, no-any-return]


def big_vault(vault: Vault) -> Path:
    """3,000 resources: about 1 MB of JSON, many times any pipe or stdio buffer."""
    notes: dict[str, str | bytes] = {}
    for n in range(30):
        notes[f"n{n:02d}.md"] = "# L\n\n" + "".join(
            f"- [Résumé {n}-{i} — ok](https://x.org/{n}/{i}) #t{i % 5}\n" for i in range(100)
        )
    return vault(notes)


def test_large_output_is_complete_on_a_pipe_and_in_a_file(vault: Vault, tmp_path: Path) -> None:
    root = big_vault(vault)
    piped = run("export", "--generated", "2025-01-01T00:00:00Z", root)
    assert piped.returncode == 0, piped.stderr
    doc = json.loads(piped.stdout)  # truncated output would not parse
    assert len(doc["resources"]) == 3000
    out = tmp_path / "index.json"
    written = run("export", "--generated", "2025-01-01T00:00:00Z", "-o", out, root)
    assert written.returncode == 0 and written.stdout == b""
    assert out.read_bytes() == piped.stdout
    csv_out = run("export", "--format", "csv", root)
    assert csv_out.returncode == 0 and csv_out.stdout.count(b"\n") == 3001


def test_exit_statuses_of_the_real_process(vault: Vault) -> None:
    clean = vault({"a.md": "# A\n\nfine\n"})
    assert run("check", clean).returncode == 0
    broken = vault({"b.md": "[[nowhere]]\n"})
    found = run("check", broken)
    assert found.returncode == 1 and b"nowhere" in found.stdout
    usage = run("check", "--no-such-option", clean)
    assert usage.returncode == 2 and b"no-such-option" in usage.stderr
    assert run("--version").returncode == 0


def test_a_closed_pipe_ends_quietly(vault: Vault) -> None:
    root = big_vault(vault)
    with subprocess.Popen([*VK, "export", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(100).startswith(b"{")
        proc.stdout.close()  # like `vaultkit export | head -c 100`
        err = proc.stderr.read()
        status = proc.wait(timeout=120)
    assert err == b"" and status == 1  # not an "internal error" (3), not a traceback


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (256 + 3, 3)])
def test_exit_status_is_what_sys_exit_gives(code: int | None, status: int) -> None:
    assert _exit_status(code) == status


def test_exit_status_of_a_message_is_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_status("vaultkit: gone") == 1
    assert capsys.readouterr().err == "vaultkit: gone\n"


def test_gc_pause_freezes_what_was_made_so_the_next_collection_skips_it() -> None:
    before = gc.get_freeze_count()
    try:
        with gc_paused():
            assert not gc.isenabled()
            made = [[i] for i in range(50_000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() - before >= 50_000
        assert len(made) == 50_000
    finally:
        gc.unfreeze()
