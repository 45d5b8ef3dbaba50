"""`vaultkit check --online` and `fix --online` end to end, against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from vaultkit.cli.main import cli

from .conftest import LocalServer


def make_vault(tmp_path: Path, server: LocalServer) -> Path:
    server.add("/ok", {"status": 200})
    server.add("/moved", {"status": 301, "headers": {"Location": "/ok"}})
    server.add("/gone", {"status": 404})
    server.add("/deleted", {"status": 410})
    server.add("/private", {"status": 403})
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    lines = [f"- [{p}]({server.url('/' + p)})" for p in ("ok", "moved", "gone", "deleted", "private")]
    lines.append(f"- again {server.url('/gone')}")  # the same URL twice: one request
    (vault / "n.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return vault


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_check_online_reports_each_outcome_with_json_extras(tmp_path: Path, server: LocalServer) -> None:
    vault = make_vault(tmp_path, server)
    code, out = run(
        "check",
        "--online",
        "--allow-private",
        "--cache",
        str(tmp_path / "c.db"),
        "--format",
        "json",
        str(vault),
    )
    assert code == 1
    doc = json.loads(out)
    got = {(d["line"], d["rule"]): d for d in doc["diagnostics"]}
    assert got[(2, "redirected-url")]["final_url"] == server.url("/ok")
    assert got[(2, "redirected-url")]["fixable"] is True
    assert got[(3, "dead-url")]["status"] == 404 and "404" in got[(3, "dead-url")]["message"]
    assert got[(4, "dead-url")]["status"] == 410
    assert got[(5, "unverifiable-url")]["severity"] == "info"
    assert (1, "dead-url") not in got and (1, "unverifiable-url") not in got
    online = [d for d in doc["diagnostics"] if d["code"] in ("VK013", "VK014", "VK015")]
    assert len(online) == 5  # line 6 repeats /gone: reported at both places, requested once
    assert all(isinstance(d["elapsed_ms"], int) for d in online)
    assert server.hits("/gone") == 1  # once per URL, however often it appears


def test_plain_check_never_touches_the_network(tmp_path: Path, server: LocalServer) -> None:
    vault = make_vault(tmp_path, server)
    run("check", str(vault))
    assert server.total_hits() == 0


def test_guard_blocks_loopback_without_allow_private(tmp_path: Path, server: LocalServer) -> None:
    vault = make_vault(tmp_path, server)
    code, out = run("check", "--online", "--no-cache", str(vault))
    assert server.total_hits() == 0
    assert code == 0
    assert out.count("[unverifiable-url] not requested: blocked") == 6


def test_second_run_within_ttl_makes_no_request(tmp_path: Path, server: LocalServer) -> None:
    vault = make_vault(tmp_path, server)
    args = ("check", "--online", "--allow-private", "--cache", str(tmp_path / "c.db"), str(vault))
    first = run(*args)
    hits = server.total_hits()
    assert hits > 0
    assert run(*args) == first
    assert server.total_hits() == hits
    run(*args[:-1], "--refresh", str(vault))
    assert server.total_hits() > hits


def test_fix_online_rewrites_permanent_redirects(tmp_path: Path, server: LocalServer) -> None:
    vault = make_vault(tmp_path, server)
    code, out = run("fix", "--online", "--allow-private", "--cache", str(tmp_path / "c.db"), str(vault))
    assert code == 0 and "redirected-url" in out
    text = (vault / "n.md").read_text(encoding="utf-8")
    assert f"[moved]({server.url('/ok')})" in text and "/moved" not in text
    assert server.url("/gone") in text  # dead links are reported, never removed


def test_progress_on_a_terminal_only(tmp_path: Path, server: LocalServer) -> None:
    vault = make_vault(tmp_path, server)
    cmd = [sys.executable, "-m", "vaultkit", "check", "--online", "--allow-private", "--no-cache", str(vault)]
    piped = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert "checking URLs" not in piped.stderr
    main, child = pty.openpty()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=child, timeout=60)
    os.close(child)
    seen = b""
    try:
        while chunk := os.read(main, 4096):
            seen += chunk
    except OSError:
        pass
    os.close(main)
    assert proc.returncode == 1
    assert b"checking URLs" in seen and b"5/5" in seen
