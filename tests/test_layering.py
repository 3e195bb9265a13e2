"""The core stays free of Qt and SQLAlchemy; only the window imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((APP / folder).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in forbidden:
                bad.append(f"{path.relative_to(APP)} imports {name}")
    return bad


def test_core_imports_neither_qt_nor_sqlalchemy() -> None:
    assert offenders("core", ("PySide6", "sqlalchemy", "alembic")) == []


def test_formats_do_not_import_qt_or_the_database() -> None:
    assert offenders("formats", ("PySide6", "sqlalchemy", "alembic")) == []


def test_only_the_ui_imports_qt() -> None:
    allowed = {"ui", "commands"}  # commands/gui.py imports the ui lazily
    bad = []
    for sub in sorted(p for p in APP.iterdir() if p.is_dir() and p.name not in allowed and p.name != "__pycache__"):
        bad += offenders(sub.name, ("PySide6",))
    assert bad == []


def test_only_the_store_imports_sqlalchemy() -> None:
    bad = [f"{p.relative_to(APP)} imports {n}" for p in sorted(APP.rglob("*.py"))
           if "store" not in p.relative_to(APP).parts
           for n in imported_modules(p) if n.split(".")[0] in ("sqlalchemy", "alembic")]
    assert bad == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST):
    """Every node, except inside `if TYPE_CHECKING:` (imports for type hints only never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                todo.extend(child.orelse)
                continue
            todo.append(child)


def import_graph() -> dict[str, set[str]]:
    """Module → the app modules it imports (at any depth of the file, late imports included).

    `from app.x import y` counts as importing app.x.y when y is a module, else app.x. A
    package importing its own submodules is not a circle; a submodule importing the
    package face it belongs to is (the face imports it back).
    """
    modules = {_module_name(p): p for p in APP.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in modules:
                        edges.add(full)
                    elif node.module in modules:
                        edges.add(node.module)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
