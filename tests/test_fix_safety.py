"""Issue 3, "Done when" 5 and 6: `vaultkit fix` writes safely, and refuses a fix that would
change a note's links.

Line endings, BOM, final newline and permissions are kept; a file changed between
read and write is not overwritten; symlinks leaving the vault are not written
through; a process killed in the middle leaves every file old or new; --diff,
--check, --select and --ignore; the link-preservation guard.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.fixkit import REPO, empty_context, fixable_rules, make_vault, note_of, vk

from vaultkit.errors import ConflictError
from vaultkit.fixing.fixpoint import fix_text
from vaultkit.model import Diagnostic, Edit, Note, Severity
from vaultkit.rules import REGISTRY, Rule
from vaultkit.rules.base import Context, FixKind, FixSafety
from vaultkit.vault.read import read_source, render
from vaultkit.vault.write import write_atomic

DAMAGED = (
    "# Notes — week 1\n\n- notion â€”> obsidian\n\u00a0\u00a0- nested item\n"
    "-[Paper](https://arxiv.org/abs/1706.03762)\n"
    "- [Post](https://example.com/p?utm_source=nl&id=7)\n"
)
FIXED = (
    "# Notes — week 1\n\n- notion —> obsidian\n  - nested item\n"
    "- [Paper](https://arxiv.org/abs/1706.03762)\n"
    "- [Post](https://example.com/p?id=7)\n"
)


def test_fixed_text_is_what_the_tests_expect(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    assert vk("fix", root).code == 0
    assert (root / "n.md").read_text("utf-8") == FIXED


# ---------------------------------------------------------------- how the file is stored


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("crlf", DAMAGED.replace("\n", "\r\n").encode(), FIXED.replace("\n", "\r\n").encode()),
        ("bom", b"\xef\xbb\xbf" + DAMAGED.encode(), b"\xef\xbb\xbf" + FIXED.encode()),
        (
            "bom-crlf",
            b"\xef\xbb\xbf" + DAMAGED.replace("\n", "\r\n").encode(),
            b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode(),
        ),
        ("no-final-newline", DAMAGED.rstrip("\n").encode(), FIXED.rstrip("\n").encode()),
        ("classic-mac-cr", DAMAGED.replace("\n", "\r").encode(), FIXED.replace("\n", "\r").encode()),
        (
            "mixed",
            b"# T\r\n\r\n- a \xc3\xa2\xe2\x82\xac\xe2\x80\x9d b\n- c\r\n-[x](https://a.io/y)\n",
            b"# T\r\n\r\n- a \xe2\x80\x94 b\n- c\r\n- [x](https://a.io/y)\n",
        ),
    ],
)
def test_line_endings_bom_and_final_newline_kept(
    tmp_path: Path, name: str, before: bytes, after: bytes
) -> None:
    root = make_vault(tmp_path, {"n.md": before})
    run = vk("fix", root)
    assert run.code == 0, run.output
    assert (root / "n.md").read_bytes() == after
    assert vk("fix", root).output.count("fixed 0 problem(s)") == 1  # and it stays fixed


@pytest.mark.parametrize("mode", [0o600, 0o755, 0o640])
def test_permissions_kept(tmp_path: Path, mode: int) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    (root / "n.md").chmod(mode)
    assert vk("fix", root).code == 0
    assert (root / "n.md").read_text("utf-8") == FIXED
    assert (root / "n.md").stat().st_mode & 0o7777 == mode


def test_no_temp_files_left(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {f"n{i}.md": DAMAGED for i in range(5)})
    assert vk("fix", root).code == 0
    assert sorted(p.name for p in root.iterdir()) == [".obsidian"] + [f"n{i}.md" for i in range(5)]


# ---------------------------------------------------------------- changed between read and write


def test_changed_between_read_and_write_not_overwritten(tmp_path: Path) -> None:
    """The library steps of a fix: read, fix, (the user saves), write."""
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    path = root / "n.md"
    src = read_source(path)
    result = fix_text(note_of(src.text, "n.md"), fixable_rules(), empty_context())
    assert result.text == FIXED
    path.write_text("the user's edit\n", encoding="utf-8")

    with pytest.raises(ConflictError, match="changed on disk since it was read"):
        write_atomic(path, render(src, result.text), expect=src, root=root)

    assert path.read_text("utf-8") == "the user's edit\n"


def test_changed_with_same_size_and_mtime_not_overwritten(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    path = root / "n.md"
    src = read_source(path)
    edited = DAMAGED.replace("week 1", "week 2").encode("utf-8")
    path.write_bytes(edited)
    os.utime(path, ns=(src.mtime_ns, src.mtime_ns))
    with pytest.raises(ConflictError):
        write_atomic(path, render(src, FIXED), expect=src, root=root)
    assert path.read_bytes() == edited


@contextmanager
def extra_rule(name: str, check: Callable[[Note, Context], Iterator[Diagnostic]]) -> Iterator[Rule]:
    """A hand-made fixable rule in the registry for one test (selected with --select)."""
    code = "VK990"
    assert code not in REGISTRY
    rule = Rule(code, name, Severity.WARNING, check, FixKind.INLINE, FixSafety.SAFE, fix_message="{n}")
    REGISTRY[code] = rule
    try:
        yield rule
    finally:
        del REGISTRY[code]


def test_cli_refuses_a_file_changed_while_fixing(tmp_path: Path) -> None:
    """The real command: a rule that runs after the notes were read saves the file the way
    an editor would; the command must not overwrite it."""
    root = make_vault(tmp_path, {"a.md": DAMAGED, "b.md": DAMAGED})
    edited = "# Notes — the user's version\n"

    def user_saves(note: Note, ctx: Context) -> Iterator[Diagnostic]:
        if note.path == "a.md" and "the user's version" not in (root / "a.md").read_text("utf-8"):
            (root / "a.md").write_text(edited, encoding="utf-8")
        yield from ()

    with extra_rule("test-user-saves", user_saves):
        run = vk(
            "fix", "--select", "test-user-saves,mojibake,nbsp-indent,list-marker-space,tracking-params", root
        )

    assert run.code == 1, run.output
    assert "a.md: not written:" in run.stderr and "changed on disk" in run.stderr
    assert (root / "a.md").read_text("utf-8") == edited
    assert (root / "b.md").read_text("utf-8") == FIXED  # the other file is fixed all the same
    assert "1 file(s) not written" in run.output


# ---------------------------------------------------------------- symlinks


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A vault holding symlinks to a note and a folder outside it."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "ext.md").write_text(DAMAGED, encoding="utf-8")
    (outside / "folder" / "in.md").write_text(DAMAGED, encoding="utf-8")
    root = make_vault(tmp_path, {"inside.md": DAMAGED})
    (root / "link.md").symlink_to(outside / "ext.md")
    (root / "linkdir").symlink_to(outside / "folder", target_is_directory=True)
    return root, outside


def test_symlink_leaving_the_vault_not_read(linked: tuple[Path, Path]) -> None:
    root, outside = linked
    run = vk("fix", root)
    assert run.code == 0, run.output
    assert "link.md: skipped" in run.stderr and "outside the vault; not read" in run.stderr
    assert (outside / "ext.md").read_text("utf-8") == DAMAGED
    assert (root / "inside.md").read_text("utf-8") == FIXED


def test_symlink_leaving_the_vault_not_written_through(linked: tuple[Path, Path]) -> None:
    root, outside = linked
    run = vk("fix", "--follow-external-symlinks", root)
    assert run.code == 1, run.output
    assert "link.md: not written" in run.stderr and "outside the vault" in run.stderr
    assert (outside / "ext.md").read_text("utf-8") == DAMAGED
    assert (outside / "folder" / "in.md").read_text("utf-8") == DAMAGED
    assert (root / "link.md").is_symlink()
    assert (root / "inside.md").read_text("utf-8") == FIXED


@pytest.mark.parametrize("named", ["link.md", "linkdir", "linkdir/in.md"])
def test_symlink_leaving_the_vault_named_on_the_command_line(linked: tuple[Path, Path], named: str) -> None:
    root, outside = linked
    run = vk("fix", root / named)
    assert run.code == 2, run.output
    assert "outside the vault" in run.stderr
    assert (outside / "ext.md").read_text("utf-8") == DAMAGED
    assert (outside / "folder" / "in.md").read_text("utf-8") == DAMAGED


def test_symlink_inside_the_vault_fixed_once(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"real.md": DAMAGED})
    (root / "alias.md").symlink_to("real.md")
    run = vk("fix", root)
    assert run.code == 0, run.output
    assert (root / "real.md").read_text("utf-8") == FIXED
    assert (root / "alias.md").is_symlink() and os.readlink(root / "alias.md") == "real.md"
    assert "fixed" in run.stdout and "not written" not in run.output


# ---------------------------------------------------------------- --diff, --check, --select, --ignore


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED, "clean.md": FIXED})
    mtime = (root / "n.md").stat().st_mtime_ns
    run = vk("fix", "--diff", root)
    assert run.code == 1, run.output  # changes pending, as ruff's --diff
    out = run.stdout.splitlines()
    assert out[:2] == ["--- a/n.md", "+++ b/n.md"]
    assert out[2].startswith("@@ ")
    assert "-- notion â€”> obsidian" in out and "+- notion —> obsidian" in out
    assert "-\u00a0\u00a0- nested item" in out and "+  - nested item" in out
    assert "clean.md" not in run.stdout
    assert "would fix" in run.stderr
    assert (root / "n.md").read_text("utf-8") == DAMAGED
    assert (root / "n.md").stat().st_mtime_ns == mtime


def test_check_writes_nothing_and_exits_1_when_changes_are_pending(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    run = vk("fix", "--check", root)
    assert run.code == 1, run.output
    assert "n.md: would fix" in run.stdout
    assert (root / "n.md").read_text("utf-8") == DAMAGED

    assert vk("fix", root).code == 0
    clean = vk("fix", "--check", root)
    assert clean.code == 0, clean.output
    assert (root / "n.md").read_text("utf-8") == FIXED


def test_select_limits_the_fixes(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    run = vk("fix", "--select", "mojibake", root)
    assert run.code == 0, run.output
    assert (root / "n.md").read_text("utf-8") == DAMAGED.replace("â€”", "—")
    assert "n.md: fixed mojibake ×1\n" in run.stdout


def test_select_by_code_and_several_rules(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    assert vk("fix", "--select", "VK009,tracking-params", root).code == 0
    assert (root / "n.md").read_text("utf-8") == (
        DAMAGED.replace("\u00a0\u00a0- nested", "  - nested").replace("utm_source=nl&", "")
    )


def test_ignore_limits_the_fixes(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    run = vk("fix", "--ignore", "mojibake", "--ignore", "list-marker-space", root)
    assert run.code == 0, run.output
    assert (root / "n.md").read_text("utf-8") == FIXED.replace("—> obsidian", "â€”> obsidian").replace(
        "- [Paper]", "-[Paper]"
    )
    assert "n.md: fixed nbsp-indent ×1, tracking-params ×1\n" in run.stdout


def test_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"n.md": DAMAGED})
    run = vk("fix", "--select", "no-such-rule", root)
    assert run.code == 2 and "unknown rule" in run.stderr
    assert (root / "n.md").read_text("utf-8") == DAMAGED


# ---------------------------------------------------------------- the link-preservation guard

LINKS = (
    "# Links\n\n- [Post](https://example.com/post)\n- [[Other Note]]\n"
    "- see https://example.com/bare and `code`\n"
)


def _rewrite(
    old: str, new: str, rule: str = "test-rewrite", whole_link: bool = False, change: str = ""
) -> Callable[[Note, Context], Iterator[Diagnostic]]:
    """A hand-made fixable rule: rewrites ``old`` to ``new`` in every link it finds,
    declaring ``change`` as its kind of link change."""

    def check(note: Note, ctx: Context) -> Iterator[Diagnostic]:
        for link in note.links:
            if old not in link.target:
                continue
            start, end = (link.start, link.end) if whole_link else (link.dest_start, link.dest_end)
            replacement = note.text[start:end].replace(old, new)
            yield Diagnostic(
                note.path,
                1,
                1,
                1,
                1,
                "VK990",
                "test-rewrite",
                Severity.WARNING,
                "rewrite",
                (Edit(start, end, replacement),),
                extra={"change": change} if change else {},
                offset=start,
                end_offset=end,
            )

    return check


def _hand_made(
    check: Callable[[Note, Context], Iterator[Diagnostic]], kind: FixKind = FixKind.INLINE
) -> Rule:
    """A hand-made fixable rule of fix kind ``kind``: INLINE edits must leave every link as
    it was; URL edits may change the URL of a link whose destination they lie in."""
    return Rule("VK990", "test-rewrite", Severity.WARNING, check, kind, FixSafety.SAFE, fix_message="{n}")


def test_guard_refuses_a_fix_that_changes_a_url() -> None:
    result = fix_text(note_of(LINKS), [_hand_made(_rewrite("/post", "/other"))], empty_context())
    assert result.refused == (
        "line 3: a fix would change https://example.com/post to https://example.com/other "
        "(test-rewrite may not change a link: its fix kind leaves links as they are); not written"
    )
    # an inline fix may not change a link even when it declares a kind of change
    declared = _rewrite("utm_source=nl&", "", change="tracking-removed")
    text = LINKS.replace("/post", "/post?utm_source=nl&id=7")
    assert fix_text(note_of(text), [_hand_made(declared)], empty_context()).refused is not None
    # a URL fix must declare its kind of change
    result = fix_text(note_of(LINKS), [_hand_made(_rewrite("/post", "/other"), FixKind.URL)], empty_context())
    assert (
        result.refused is not None and "(test-rewrite did not declare a change to a link)" in result.refused
    )


def test_guard_refuses_a_fix_that_changes_a_wikilink() -> None:
    result = fix_text(note_of(LINKS), [_hand_made(_rewrite("Other", "Another"))], empty_context())
    assert result.refused is not None
    assert "a fix would change [[Other Note]] to [[Another Note]]" in result.refused


def test_guard_refuses_a_declared_change_of_another_kind() -> None:
    """Declaring a kind is not enough: the change must be of that kind. Rewriting the
    path is not removing tracking parameters, whatever the rule says."""
    check = _rewrite("/post", "/other", rule="tracking-params", change="tracking-removed")
    result = fix_text(note_of(LINKS), [_hand_made(check, FixKind.URL)], empty_context())
    assert result.refused == (
        "line 3: a fix would change https://example.com/post to https://example.com/other "
        "(not a tracking-removed change); not written"
    )


def test_guard_refuses_a_fix_that_drops_a_link() -> None:
    def drop(note: Note, ctx: Context) -> Iterator[Diagnostic]:
        start = note.text.index("- see")
        end = note.text.index("\n", start) + 1
        yield Diagnostic(
            note.path,
            5,
            1,
            5,
            1,
            "VK990",
            "test-rewrite",
            Severity.WARNING,
            "drop",
            (Edit(start, end, ""),),
            offset=start,
            end_offset=end,
        )

    result = fix_text(note_of(LINKS), [_hand_made(drop)], empty_context())
    assert result.refused == "line 5: a fix would remove the link https://example.com/bare; not written"


def test_guard_allows_a_declared_change_of_its_kind() -> None:
    text = LINKS.replace("/post", "/post?utm_source=nl&id=7")
    check = _rewrite("utm_source=nl&", "", rule="tracking-params", change="tracking-removed")
    result = fix_text(note_of(text), [_hand_made(check, FixKind.URL)], empty_context())
    assert result.refused is None
    assert "[Post](https://example.com/post?id=7)" in result.text


def test_cli_refuses_to_write_a_file_whose_links_would_change(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"links.md": LINKS + "- notion â€”> obsidian\n", "other.md": DAMAGED})
    with extra_rule("test-rewrite", _rewrite("/post", "/other")):
        run = vk("fix", "--select", "test-rewrite,mojibake", root)
    assert run.code == 1, run.output
    assert (
        "links.md: line 3: a fix would change https://example.com/post to https://example.com/other "
        "(test-rewrite may not change a link: its fix kind leaves links as they are); not written"
    ) in run.stderr
    assert (root / "links.md").read_text("utf-8") == LINKS + "- notion â€”> obsidian\n"
    assert "—" in (root / "other.md").read_text("utf-8")  # other files are still fixed


# ---------------------------------------------------------------- killed in the middle

DAMAGE_LINES = [
    "- notion â€”> obsidian {i}",
    "Â\u00a0 Â\u00a0 * [nested {i}](https://example.com/n{i})",
    "-[missing space {i}](https://example.com/m{i})",
    "- [utm {i}](https://example.com/u{i}?utm_source=x&id={i})",
    "### \uf8ffüü© Heading {i}",
    "It’s fine — really {i}".encode().decode("cp1252"),
]
CLEAN_LINES = [
    "Notes on attention and the KV cache, read later.",
    "- [Paper](https://arxiv.org/abs/{i})",
    "Some plain paragraph about transformers and scaling laws, café and naïve.",
    "## Section {i}",
    "* item with `inline â€” code` and a [link](https://a.io/{i})",
]
TEMPLATES = 8
FILES = 400


def damaged_note(k: int, size: int = 20_000) -> str:
    rng = random.Random(k)
    lines, n, i = [f"# Template {k}", "", "- parent"], 0, 0
    while n < size:
        i += 1
        pool = DAMAGE_LINES if rng.random() < 0.05 else CLEAN_LINES
        line = rng.choice(pool).format(i=i)
        lines.append(line)
        n += len(line) + 1
    return "\n".join(lines) + "\n"


def test_killed_in_the_middle_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    olds = [damaged_note(k).encode("utf-8") for k in range(TEMPLATES)]
    reference = make_vault(tmp_path, {f"t{k}.md": olds[k] for k in range(TEMPLATES)}, "reference")
    assert vk("fix", reference).code == 0
    news = [(reference / f"t{k}.md").read_bytes() for k in range(TEMPLATES)]
    assert all(o != n for o, n in zip(olds, news, strict=True))
    master = make_vault(tmp_path, {f"n{f:03d}.md": olds[f % TEMPLATES] for f in range(FILES)}, "master")

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    rng = random.Random()
    seen_new = seen_old = 0
    for attempt in range(3):
        vault = tmp_path / f"run{attempt}"
        shutil.copytree(master, vault)
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "fix", str(vault)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # the first file has been written
            assert ": fixed " in first, first
            time.sleep(rng.uniform(0.0, 1.0))
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and any worker it started
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        for f in range(FILES):
            data = (vault / f"n{f:03d}.md").read_bytes()
            old, new = olds[f % TEMPLATES], news[f % TEMPLATES]
            assert data in (old, new), f"run{attempt}/n{f:03d}.md is neither old nor new ({len(data)} bytes)"
            seen_new += data == new
            seen_old += data == old
        notes = sorted(p.name for p in vault.iterdir() if p.name.endswith(".md"))
        assert notes == [f"n{f:03d}.md" for f in range(FILES)]  # temp files never end in .md
    assert seen_new and seen_old  # the kills did land in the middle
