"""The house rules of the code's layout, checked on the AST of every module of vaultkit.

- The import graph has no cycle. Every import counts, wherever it is written: at the top
  of a module, inside a function (a "lazy" import still makes the two modules depend on
  each other) or under ``if TYPE_CHECKING:`` (vaultkit has none; one would count too).
- No module imports a ``_private`` name from another module.
- No module is over 400 lines, and no function (or method) is over 60 lines.
- Stages import downstream only: each folder of vaultkit/ imports from the stages listed
  before it in ``LAYERS`` (or its own), never from a later one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vaultkit"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# The stages in the order data flows; a module may import from its own layer or an earlier
# one. A new folder (or top-level module) of vaultkit/ must be placed here.
LAYERS: list[set[str]] = [
    {"version", "errors", "model", "config", "schema_ids", "limits"},  # what every stage shares
    {"text"},
    {"vault"},
    {"parse"},
    {"index"},
    {"rules"},
    {"online"},
    {"lint"},
    {"fixing"},
    {"exporting"},
    {"importing"},
    {"api"},
    {"lsp"},
    {"cli", "__main__"},
    {"vaultkit"},  # the package itself: the public API's facade
]


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the vaultkit module imported (a submodule when the name is one)
    names: tuple[str, ...]  # the names taken from it ("" for ``import x``)
    line: int


def load_modules(package: Path = PACKAGE) -> dict[str, Module]:
    modules = {}
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = _module_name(path, package)
        modules[name] = Module(name, path, ast.parse(text, str(path)), len(text.splitlines()))
    return modules


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    here = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = here[: len(here) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imports(modules: dict[str, Module]) -> list[Import]:
    """Every import of a vaultkit module by a vaultkit module, at any depth of the AST.

    ``from vaultkit.x import y`` is an edge to ``vaultkit.x.y`` when that is a module, else
    to ``vaultkit.x``.
    """
    found: list[Import] = []
    for module in modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules:
                        found.append(Import(module.name, alias.name, ("",), node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node)
                if base not in modules:
                    continue
                plain = []
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        found.append(Import(module.name, sub, ("",), node.lineno))
                    else:
                        plain.append(alias.name)
                if plain:
                    found.append(Import(module.name, base, tuple(plain), node.lineno))
    return found


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None. Iterative depth-first search."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(edges, WHITE)
    for start in sorted(edges):
        if colour[start] != WHITE:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        colour[start] = GREY
        while stack:
            node, todo = stack[-1]
            if not todo:
                colour[node] = BLACK
                stack.pop()
                continue
            nxt = todo.pop()
            if colour.get(nxt, BLACK) == GREY:
                path = [n for n, _ in stack]
                return [*path[path.index(nxt) :], nxt]
            if colour.get(nxt) == WHITE:
                colour[nxt] = GREY
                stack.append((nxt, sorted(edges[nxt])))
    return None


def graph(modules: dict[str, Module]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for imp in imports(modules):
        if imp.target != imp.source:
            edges[imp.source].add(imp.target)
    return edges


MODULES = load_modules()


def test_the_graph_sees_the_package() -> None:
    # guards the checks below against passing on an empty or misread package
    edges = graph(MODULES)
    assert len(MODULES) > 50
    assert "vaultkit.vault.read" in edges["vaultkit.vault.write"]
    assert sum(map(len, edges.values())) > 150


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph(MODULES))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def upstream_imports(modules: dict[str, Module], layers: list[set[str]]) -> list[str]:
    layer = {stage: i for i, stages in enumerate(layers) for stage in stages}
    unplaced = sorted({_stage(m) for m in modules} - set(layer))
    assert not unplaced, f"place these stages in tests/test_architecture.py LAYERS: {unplaced}"
    return sorted(
        f"{imp.source} (line {imp.line}) imports {imp.target}"
        for imp in imports(modules)
        if layer[_stage(imp.target)] > layer[_stage(imp.source)]
    )


def test_stages_import_downstream_only() -> None:
    upstream = upstream_imports(MODULES, LAYERS)
    assert not upstream, "imports against the flow of data:\n" + "\n".join(upstream)


def test_no_private_name_imported_from_another_module() -> None:
    bad = [
        f"{MODULES[imp.source].path.relative_to(PACKAGE.parent)}:{imp.line}: {name} from {imp.target}"
        for imp in imports(MODULES)
        for name in imp.names
        if name.startswith("_") and not name.startswith("__") and imp.target != imp.source
    ]
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_no_module_over_400_lines() -> None:
    long = {m.name: m.lines for m in MODULES.values() if m.lines > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_60_lines() -> None:
    long = [
        f"{m.path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.name} ({length} lines)"
        for m in MODULES.values()
        for node in ast.walk(m.tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


# --- the checks themselves catch what they should, on a small package written here ----


def _write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        (  # a function-level import closes the cycle
            {
                "__init__.py": "",
                "a.py": "from pkg.b import f\n",
                "b.py": "def f():\n    from pkg import a\n    return a\n",
            },
            ["pkg.a", "pkg.b", "pkg.a"],
        ),
        (  # a relative import of a submodule, three modules round
            {
                "__init__.py": "",
                "x/__init__.py": "",
                "x/one.py": "from . import two\n",
                "x/two.py": "from ..y import three\n",
                "y/__init__.py": "",
                "y/three.py": "import pkg.x.one\n",
            },
            ["pkg.x.one", "pkg.x.two", "pkg.y.three", "pkg.x.one"],
        ),
        ({"__init__.py": "", "a.py": "from pkg.b import f\n", "b.py": "def f(): pass\n"}, None),
    ],
)
def test_find_cycle_sees_lazy_and_relative_imports(
    tmp_path: Path, files: dict[str, str], cycle: list[str] | None
) -> None:
    package = _write_package(tmp_path, files)
    found = find_cycle(graph(load_modules(package)))
    if cycle is None:
        assert found is None
    else:
        assert found is not None
        ring = found[:-1]
        start = ring.index(cycle[0])  # the same cycle, whichever module it starts at
        assert [*ring[start:], *ring[:start], cycle[0]] == cycle


def test_private_import_is_found(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path,
        {"__init__.py": "", "a.py": "_X = 1\n__all__ = []\n", "b.py": "from pkg.a import _X, __all__\n"},
    )
    found = [(imp.source, imp.target, imp.names) for imp in imports(load_modules(package))]
    assert found == [("pkg.b", "pkg.a", ("_X", "__all__"))]


def test_an_upstream_import_is_found(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path,
        {
            "__init__.py": "",
            "parse/__init__.py": "",
            "parse/note.py": "def f():\n    from pkg.lint import run\n",
            "lint/__init__.py": "from pkg.parse import note\n",
        },
    )
    found = upstream_imports(load_modules(package), [{"pkg"}, {"parse"}, {"lint"}])
    assert found == ["pkg.parse.note (line 2) imports pkg.lint"]
