"""A small JSON-RPC client that drives the real `vaultkit lsp` process over stdio.

Messages are plain protocol JSON (camelCase), framed with Content-Length headers. A reader
thread collects the server's messages; requests the server sends (registerCapability,
workDoneProgress/create, configuration) are answered with null, as a client would.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


class LspClient:
    def __init__(
        self, root: Path, init_options: dict[str, Any] | None = None, env: dict[str, str] | None = None
    ):
        self.root = root
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=root,
            env={**os.environ, **(env or {})},
        )
        self.next_id = 0
        self.responses: dict[int, Any] = {}
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.init_options = init_options or {}

    # --- wire ----------------------------------------------------------------------------

    def _send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            if "id" in msg and "method" in msg:  # a request from the server
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                continue
            if "id" in msg:
                with self.lock:
                    self.responses[msg["id"]] = msg
                    self.lock.notify_all()
            else:
                self.seen.append(msg)
                self.notifications.put(msg)

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.lock:
            while rid not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no answer to {method}: {self.stderr()}")
                self.lock.wait(left)
            msg = self.responses.pop(rid)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, method: str, predicate: Any = None, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} notification: {self.stderr()}")
            try:
                msg = self.notifications.get(timeout=left)
            except queue.Empty:
                continue
            if msg.get("method") == method and (predicate is None or predicate(msg["params"])):
                return msg["params"]  # type: ignore[no-any-return]

    def diagnostics_for(self, rel: str, predicate: Any = None, timeout: float = 30) -> list[dict[str, Any]]:
        uri = self.uri(rel)

        def match(p: dict[str, Any]) -> bool:
            return bool(p["uri"] == uri and (predicate is None or predicate(p["diagnostics"])))

        return self.wait_for("textDocument/publishDiagnostics", match, timeout)["diagnostics"]  # type: ignore[no-any-return]

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(server still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode("utf-8", "replace")[-3000:]

    # --- protocol helpers ----------------------------------------------------------------

    def uri(self, rel: str) -> str:
        return (self.root / rel).resolve().as_uri()

    def initialize(self, **capabilities: Any) -> Any:
        caps = {
            "workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": True},
                "workspaceEdit": {"documentChanges": True},
                "fileOperations": {"willRename": True},
            },
            "textDocument": {"publishDiagnostics": {}, "completion": {}, "rename": {"prepareSupport": True}},
            **capabilities,
        }
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": self.root.resolve().as_uri(),
                "workspaceFolders": [{"uri": self.root.resolve().as_uri(), "name": self.root.name}],
                "capabilities": caps,
                "initializationOptions": self.init_options,
            },
            timeout=120,
        )
        self.notify("initialized", {})
        return result

    def open(self, rel: str, text: str | None = None) -> None:
        if text is None:
            text = (self.root / rel).read_text(encoding="utf-8")
        self.versions = getattr(self, "versions", {})
        self.versions[rel] = 1
        doc = {"uri": self.uri(rel), "languageId": "markdown", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": doc})

    def change(self, rel: str, text: str) -> None:
        self.versions[rel] = self.versions.get(rel, 1) + 1
        doc = {"uri": self.uri(rel), "version": self.versions[rel]}
        self.notify("textDocument/didChange", {"textDocument": doc, "contentChanges": [{"text": text}]})

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except (TimeoutError, OSError, subprocess.TimeoutExpired, RuntimeError):
            self.proc.kill()
            self.proc.wait()


def apply_text_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply protocol TextEdits (UTF-16 positions) to ``text``, as an editor would."""
    lines = text.split("\n")

    def offset(pos: dict[str, int]) -> int:
        line = pos["line"]
        before = sum(len(x) + 1 for x in lines[:line])
        units, col = 0, 0
        src = lines[line] if line < len(lines) else ""
        while col < len(src) and units < pos["character"]:
            units += 2 if ord(src[col]) > 0xFFFF else 1
            col += 1
        return before + col

    spans = sorted(
        ((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
