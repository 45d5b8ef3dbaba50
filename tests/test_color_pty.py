"""Colour on a real terminal: the command runs in a child process whose standard output is
a pty (os.openpty), so isatty() is what a terminal says; NO_COLOR and FORCE_COLOR
(no-color.org) and --color/--no-color decide as documented."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Vault = Callable[[dict[str, str | bytes]], Path]
ESC = b"\x1b["


def _on_pty(args: list[str], env: dict[str, str]) -> bytes:
    """Run vaultkit with stdout on a pty; everything it wrote there."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", *args], stdout=slave, stderr=subprocess.DEVNULL, env=env
        )
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
    finally:
        os.close(master)
    return out


def _piped(args: list[str], env: dict[str, str]) -> bytes:
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", *args], capture_output=True, env=env, timeout=60
    ).stdout


@pytest.fixture
def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}


def test_colour_on_a_terminal_and_what_turns_it_off(vault: Vault, env: dict[str, str]) -> None:
    root = str(vault({"a.md": "[[Nope]]\n"}))
    plain = _on_pty(["check", root], env)
    assert ESC in plain and b"VK001" in plain
    assert ESC not in _on_pty(["check", root], {**env, "NO_COLOR": "1"})
    assert ESC in _on_pty(["check", root], {**env, "NO_COLOR": ""})  # empty means unset
    assert ESC not in _on_pty(["check", "--no-color", root], env)
    assert ESC in _on_pty(["check", "--color", root], {**env, "NO_COLOR": "1"})  # the flag comes first


def test_force_color_colours_a_pipe(vault: Vault, env: dict[str, str]) -> None:
    root = str(vault({"a.md": "[[Nope]]\n"}))
    assert ESC not in _piped(["check", root], env)
    assert ESC in _piped(["check", root], {**env, "FORCE_COLOR": "1"})
    assert ESC not in _piped(["check", "--no-color", root], {**env, "FORCE_COLOR": "1"})
    assert ESC not in _on_pty(["check", root], {**env, "FORCE_COLOR": "1", "NO_COLOR": "1"})
