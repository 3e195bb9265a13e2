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
