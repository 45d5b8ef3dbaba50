"""The facts index against a cold run, on a vault edited by random creates, edits, renames
and deletes (a hypothesis state machine over real files), checked whole and one file at a
time (as pre-commit runs it).

After every step, a run through the cache must report exactly what a run without it
reports. Edits land within the same second as the cache write, so the mtime-is-too-recent
path (verify by content hash) is exercised as well as the trusted-mtime one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from vaultkit.lint.pipeline import run_check
from vaultkit.lint.session import open_vault, select_rules

NAMES = ["Alpha", "Beta", "Gamma", "Delta", "Notes/Epsilon", "Notes/Zeta"]
HEADINGS = ["Intro", "Usage", "Part two"]
URLS = ["https://example.com/a", "https://example.com/b?utm_source=x", "http://x.example/c"]

LINE = st.one_of(
    st.sampled_from(NAMES).map(lambda n: f"See [[{n.rsplit('/', 1)[-1]}]]."),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(HEADINGS)).map(
        lambda t: f"[[{t[0].rsplit('/', 1)[-1]}#{t[1]}]]"
    ),
    st.sampled_from(HEADINGS).map(lambda h: f"## {h}"),
    st.sampled_from(URLS).map(lambda u: f"- [link]({u})"),
    st.sampled_from(["", "plain text", "caf\u00c3\u00a9 mojibake", "---"]),
)
BODY = st.lists(LINE, min_size=0, max_size=6).map(lambda lines: "\n".join(lines) + "\n")


def _report(root: Path, use_cache: bool, *paths: Path) -> list[tuple[str, int, int, str, str]]:
    session = open_vault(list(paths) or [root])
    diags = run_check(session, select_rules(session.config), use_cache=use_cache)
    return [(d.path, d.line, d.column, d.code, d.message) for d in diags]


class EditedVault(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="vk-state-"))
        self.root = self.tmp / "vault"
        (self.root / ".obsidian").mkdir(parents=True)
        self.notes: set[str] = set()

    def _write(self, rel: str, text: str) -> None:
        path = self.root / f"{rel}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.notes.add(rel)

    @initialize(body=BODY)
    def first_note(self, body: str) -> None:
        self._write("Alpha", "# Alpha\n\n## Intro\n" + body)

    @rule(name=st.sampled_from(NAMES), body=BODY)
    def create_or_overwrite(self, name: str, body: str) -> None:
        self._write(name, f"# {name}\n" + body)

    @precondition(lambda self: bool(self.notes))
    @rule(data=st.data(), body=BODY)
    def edit(self, data: st.DataObject, body: str) -> None:
        rel = data.draw(st.sampled_from(sorted(self.notes)))
        path = self.root / f"{rel}.md"
        old = len(path.read_text(encoding="utf-8"))
        same_size = body.ljust(old)[:old]
        text = data.draw(st.sampled_from([body, same_size]))  # same size: only the bytes differ
        stat = path.stat()
        path.write_text(text, encoding="utf-8")
        # Keep the old mtime too, when it is recent: then only the content hash can tell. (An
        # old mtime put back on a same-size file is not seen, by design, as in git.)
        if data.draw(st.booleans()) and time.time_ns() - stat.st_mtime_ns < 1_000_000_000:
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    @precondition(lambda self: bool(self.notes))
    @rule(data=st.data(), to=st.sampled_from(NAMES))
    def rename(self, data: st.DataObject, to: str) -> None:
        rel = data.draw(st.sampled_from(sorted(self.notes)))
        if to in self.notes:
            return
        (self.root / f"{to}.md").parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / f"{rel}.md", self.root / f"{to}.md")
        self.notes.discard(rel)
        self.notes.add(to)

    @precondition(lambda self: len(self.notes) > 1)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from(sorted(self.notes)))
        (self.root / f"{rel}.md").unlink()
        self.notes.discard(rel)

    @precondition(lambda self: bool(self.notes))
    @rule(data=st.data())
    def one_file_run(self, data: st.DataObject) -> None:
        """As pre-commit runs it: one note named, the rest of the vault from the index."""
        path = self.root / f"{data.draw(st.sampled_from(sorted(self.notes)))}.md"
        assert _report(self.root, True, path) == _report(self.root, False, path)

    @invariant()
    def cached_run_equals_a_cold_one(self) -> None:
        warm = _report(self.root, use_cache=True)
        assert warm == _report(self.root, use_cache=False)

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


EditedVault.TestCase.settings = settings(
    max_examples=40, stateful_step_count=15, deadline=None, derandomize=True
)
test_cache_matches_a_cold_run_after_random_edits = EditedVault.TestCase
