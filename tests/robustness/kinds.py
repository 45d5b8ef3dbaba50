"""Kinds of hostile input: each one puts its culprit into a vault beside a normal note.

A kind is a function ``make(root, outside)`` that writes into the vault ``root`` (and, for
links that leave the vault, into ``outside``), and flags: ``vk000`` when the culprit must
be reported as unreadable. Generated here, deterministically, not stored.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vaultkit.limits import Limits
from vaultkit.lint.cache import store_path

Make = Callable[[Path, Path], None]
CULPRIT = "bad.md"
# The largest kinds are sized just under the note-size limit (the worst a note that is
# read can be), or just over it.
SIZE_LIMIT = Limits().note_size
UNDER = SIZE_LIMIT - 50_000


@dataclass(frozen=True)
class Kind:
    name: str
    make: Make
    vk000: bool = False  # the culprit is reported as a VK000 finding
    special: bool = False  # the culprit is not a regular file (never opened, never imported)


def _note(data: str | bytes) -> Make:
    def make(root: Path, outside: Path) -> None:
        (root / CULPRIT).write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)

    return make


def _sparse(size: int) -> Make:
    def make(root: Path, outside: Path) -> None:
        with open(root / CULPRIT, "wb") as handle:
            handle.write(b"# a text header\n\nthen nothing but NUL bytes\n")
            handle.truncate(size)

    return make


def _fifo(rel: str) -> Make:
    def make(root: Path, outside: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)

    return make


def _symlink(target: str, rel: str = CULPRIT) -> Make:
    def make(root: Path, outside: Path) -> None:
        os.symlink(target.replace("{outside}", str(outside)), root / rel)

    return make


def _socket(root: Path, outside: Path) -> None:
    here = os.getcwd()
    os.chdir(root)  # a relative name: socket paths are capped at about 100 bytes
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(CULPRIT)
        sock.close()
    finally:
        os.chdir(here)


def _loops(root: Path, outside: Path) -> None:
    (root / "sub").mkdir()
    (root / "sub" / "inner.md").write_text("# inner\n", encoding="utf-8")
    os.symlink(".", root / "loop1")
    os.symlink(".", root / "loop2")
    os.symlink("..", root / "sub" / "up")
    (root / CULPRIT).write_text("# looped\n\n[[inner]]\n", encoding="utf-8")


def _deep_folders(root: Path, outside: Path) -> None:
    folder = root
    for _ in range(450):  # the path passes PATH_MAX (4096 bytes)
        folder = folder / "deepfolder"
        try:
            folder.mkdir()
        except OSError:
            break
    fd = os.open(folder.parent, os.O_RDONLY)
    try:
        os.mkdir("last", dir_fd=fd)
    except OSError:
        pass
    finally:
        os.close(fd)
    (root / CULPRIT).write_text("# deep\n", encoding="utf-8")


def _directory_note(root: Path, outside: Path) -> None:
    (root / CULPRIT).mkdir()
    (root / CULPRIT / "inside.md").write_text("# inside\n", encoding="utf-8")


def _outside_note(root: Path, outside: Path) -> None:
    (outside / "theirs.md").write_text("# not ours\n\nhttps://example.com/?utm_source=x\n", encoding="utf-8")
    os.symlink(outside / "theirs.md", root / CULPRIT)


def _outside_folder(root: Path, outside: Path) -> None:
    (outside / "folder").mkdir()
    (outside / "folder" / "theirs.md").write_text("- [x](https://e.com/?utm_source=y)\n", encoding="utf-8")
    os.symlink(outside / "folder", root / "elsewhere")
    (root / CULPRIT).write_text("# plain\n", encoding="utf-8")


def _random_bytes(n: int) -> bytes:
    return random.Random(17).randbytes(n)


_YAML_BOMB = (
    "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n---\n# bomb\n"
)
_URLS = " ".join(f"https://example.com/page/{i}" for i in range(20000))

KINDS: list[Kind] = [
    # nesting (the parser's tree walk, comments inside comments)
    Kind("list-350", _note("- " * 350 + "x\n")),
    Kind("list-50k", _note("- " * 50000 + "x\n")),
    Kind("quote-50k", _note("> " * 50000 + "x\n")),
    Kind("ordered-50k", _note("1. " * 50000 + "x\n")),
    Kind("quote-no-space-50k", _note(">" * 50000 + "x\n")),
    Kind("mixed-containers", _note("> - 1. " * 10000 + "[a](https://e.com)\n")),
    Kind("indented-lists", _note("".join("  " * i + "- x\n" for i in range(950)))),
    Kind("comments-200", _note("<!-- " * 200)),
    Kind("comments-50k", _note("<!--" * 50000)),
    Kind("nested-comments-closed", _note("<!-- " * 300 + "[a](https://e.com)" + " -->" * 300)),
    Kind("nested-images", _note("![" * 20000 + "a" + "](u)" * 20000)),
    Kind("nested-brackets", _note("[" * 50000 + "a" + "]" * 50000)),
    Kind("nested-emphasis", _note("*" * 20000 + "a" + "*" * 20000)),
    Kind("emphasis-openers", _note("**a " * 20000 + "b" + " a**" * 20000)),
    Kind("underscores", _note("_" * 100000)),
    Kind("deep-list-links", _note(("- " * 30 + "[a](https://e.com/x)\n") * 2000)),
    # export blow-up: the title of a bare URL
    Kind("bare-urls-paragraph", _note(_URLS + "\n")),
    Kind("bare-urls-item", _note("- " + _URLS + "\n")),
    Kind("links-paragraph", _note(" ".join(f"[t{i}](https://e.com/{i})" for i in range(20000)))),
    # quadratic paths
    Kind("duplicate-links", _note("- [a](https://example.com/a)\n" * 8000)),
    Kind("dollar-runs", _note("$a " * 100000)),
    Kind("double-dollar-runs", _note("$$" * 100000)),
    Kind("wikilink-opens", _note("[[" * 100000)),
    Kind("many-wikilinks", _note("[[a]] " * 20000)),
    Kind("many-tags", _note("#tag " * 100000)),
    Kind("many-block-ids", _note("x ^id\n" * 50000)),
    Kind("html-a-unclosed", _note('<a href="https://e.com/">' * 20000)),
    Kind("malformed-links", _note("[a](https://e.com/a b) " * 10000)),
    Kind("link-opens", _note("[a](" * 50000)),
    Kind("url-parens", _note("https://e.com/" + "(" * 50000)),
    Kind("url-dots", _note("http://" + "a." * 50000)),
    Kind("url-percent", _note("https://e.com/" + "%" * 100000)),
    Kind("url-idn", _note("http://" + "ü" * 10000 + ".com/\n")),
    Kind("url-bad-ipv6", _note("http://[::1 " * 5000)),
    Kind("url-spaces", _note("https://e.com/a b c " * 10000)),
    Kind("tracking-params", _note("https://e.com/?" + "&".join(f"utm_{i}=1" for i in range(20000)))),
    Kind("mailto-many", _note("mailto:a@b.c " * 50000)),
    Kind("table-pipes", _note("|" * 100000 + "\n" + "|-" * 50000 + "\n")),
    Kind("table-rows", _note("|a|b|\n|-|-|\n" + "|x|[y](https://e.com)|\n" * 40000)),
    # the densest table just under the block-markup limit (22 marks a row), and a fenced log
    # whose lines would be far over it outside the fence
    Kind("table-at-block-limit", _note("|h|h|\n|-|-|\n" + ("|a" * 20 + "|\n") * 2200)),
    Kind("tight-list", _note("".join(f"- [T {i}](https://example.com/p_{i})\n" for i in range(UNDER // 40)))),
    Kind("fenced-log", _note("```\n" + "12:00 | GET /a [ok] *_`$<~\n" * 30000 + "```\n")),
    # long lines and many lines
    Kind("long-line", _note("a" * UNDER)),
    Kind("long-line-urls", _note(("https://example.com/" + "a" * 1000 + " ") * (UNDER // 1021))),
    Kind("many-lines", _note("\n" * UNDER)),
    Kind("mixed-newlines", _note("a\r\nb\rc\n" * (UNDER // 7))),
    # encodings
    Kind("utf16-bom", _note("\ufeff# titre\n\nhttps://example.com/é\n".encode("utf-16"))),
    Kind("utf16-no-bom", _note(("héllo wörld\n" * 1000).encode("utf-16-le"))),
    Kind("latin1", _note(("café crème\n" * 1000).encode("latin-1"))),
    Kind("invalid-utf8", _note(b"\xff\xfe\xfa" * 10000)),
    Kind("mojibake-heavy", _note("â€™ â€œ Ã© " * 30000)),
    Kind("nul-after-sniff", _note(b"# text\n" + b"a" * 9000 + b"\0" * 100000), vk000=True),
    Kind("random-bytes", _note(_random_bytes(100_000)), vk000=True),
    Kind("bom-only", _note(b"\xef\xbb\xbf")),
    Kind("empty", _note(b"")),
    Kind("surrogates", _note(b"# x\n\xed\xa0\x80\xed\xb0\x80\n")),
    Kind("control-chars", _note("".join(chr(i) for i in range(1, 32) if i != 10) * 10000)),
    Kind("bidi-zero-width", _note("\u202e\u200b\u2066" * 100000)),
    Kind("combining-marks", _note("a" + "\u0301" * 100000)),
    # YAML
    Kind("yaml-bomb", _note(_YAML_BOMB)),
    Kind("yaml-self-alias", _note("---\na: &a [*a]\n---\n# x\n")),
    Kind("yaml-python-tag", _note('---\nx: !!python/object/apply:os.system ["echo hi"]\n---\n')),
    Kind("yaml-deep-flow", _note("---\na: " + "[" * 10000 + "]" * 10000 + "\n---\n")),
    Kind("yaml-deep-block", _note("---\n" + "".join(" " * i + "k:\n" for i in range(1950)) + "---\n")),
    Kind("yaml-huge", _note("---\n" + "".join(f"key{i}: value {i}\n" for i in range(85000)) + "---\n")),
    Kind("yaml-unclosed", _note("---\n" + "a: b\n" * 100000)),
    Kind("yaml-dashes", _note("---\n" * 100000)),
    Kind("yaml-invalid", _note("---\n\t: : [\n---\n# x\n")),
    # sizes
    Kind("sparse-6gb", _sparse(6_000_000_000), vk000=True),
    Kind("over-size-limit", _note(b"# big\n" + b"word " * (SIZE_LIMIT // 5 + 1)), vk000=True),
    Kind(
        "large-real-note",  # dense: a heading, two items, a link and a tag every 61 bytes
        _note(("## Part\n\n- [Paper](https://arxiv.org/abs/1) #ml\n  - Notes: x\n") * (UNDER // 61)),
    ),
    # special files
    Kind("fifo-note", _fifo(CULPRIT), vk000=True, special=True),
    Kind("fifo-templates", _fifo(".obsidian/templates.json"), special=True),
    Kind("fifo-cache", _fifo(store_path(Path("")).as_posix()), special=True),
    Kind("fifo-config", _fifo("sub/x.json"), special=True),
    Kind("socket-note", _socket, vk000=True, special=True),
    Kind("dev-zero-note", _symlink("/dev/zero"), special=True),  # outside the vault: skipped
    Kind("dev-null-note", _symlink("/dev/null"), special=True),  # outside the vault: skipped
    Kind("dev-zero-attachment", _symlink("/dev/zero", "zero.png"), special=True),
    Kind("dangling-link", _symlink("no-such-note.md"), vk000=True, special=True),
    Kind("directory-named-md", _directory_note, special=True),
    # symlinks and paths
    Kind("symlink-loops", _loops),
    Kind("note-outside", _outside_note),
    Kind("folder-outside", _outside_folder),
    Kind("deep-folders", _deep_folders),
    Kind(
        "long-link-names", _note("[x](" + "a" * 300 + ".md) ![[" + "b" * 300 + "]] [[" + "c/" * 2100 + "]]\n")
    ),
    Kind("long-file-name", lambda root, outside: (root / ("n" * 250 + ".md")).write_text("# long\n")),
]
