"""Starting the window: `ledgerdesk gui` loads only what the window needs, the ledger opens beside
the window being built (lock, checks, upgrade kept), and the filter keys wait for the first filter."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from app.cli import build_parser, command_modules
from app.errors import LedgerError
from app.ledger import Ledger
from app.ui.app import open_window
from tests.store.test_upgrade_crash import write_revision_0001_ledger
from tests.ui.sample import sample_document

REPO = Path(__file__).resolve().parents[2]


def _command_names(parser) -> list[str]:
    [action] = [a for a in parser._actions if a.dest == "command"]
    return sorted(action.choices)


def test_gui_command_imports_no_export_import_or_database_library() -> None:
    code = textwrap.dedent("""
        import sys
        from app.cli import build_parser
        args = build_parser(["gui", "x.ledger"]).parse_args(["gui", "x.ledger"])
        heavy = ("openpyxl", "docx", "pdfminer", "python_calamine", "alembic", "sqlalchemy", "PySide6")
        print(args.command, str(args.ledger), sorted({m.split(".")[0] for m in sys.modules} & set(heavy)))
    """)
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["gui", "x.ledger", "[]"]


def test_each_command_is_found_by_its_module_alone() -> None:
    """The lazy parser relies on app/commands/<name>.py registering the command `<name>` (- for _)."""
    every = _command_names(build_parser())
    assert "gui" in every and "undo-merge" in every and "import" in every
    for name in command_modules():
        command = name.rstrip("_").replace("_", "-")
        assert _command_names(build_parser([command, "--x"])) == [command]
    for argv in ([], ["--help"], ["nosuch"], ["-h", "gui"]):
        assert _command_names(build_parser(argv)) == every


def test_cli_errors_stay_one_line(capsys) -> None:
    from app.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["gui", "--nosuch"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：命令参数有误") and "--nosuch" in err and "\n" not in err
    with pytest.raises(SystemExit):
        main(["nosuch"])
    assert "undo-merge" in capsys.readouterr().err  # the list of every command, as before


def test_window_opens_the_ledger_holding_its_lock_with_the_tree_filled(qtbot, ledger_path: Path) -> None:
    window = open_window(ledger_path, as_of=date(2023, 10, 1))
    qtbot.addWidget(window)
    doc = window.doc
    assert len(doc.tasks) == len(sample_document().tasks)
    assert window.isVisible() and window.ledger is not None and not window.ledger.readonly
    assert window.model.task_count() == len(doc.tasks)
    assert window.view._keys_built is False  # the empty filter read no key: built after the first paint
    with pytest.raises(LedgerError, match="另一个窗口或程序打开"):
        Ledger.open(ledger_path)
    target = doc.tasks[1]
    window.search.setText(target.content[:6])
    window.flush_filters()
    assert window.view._keys_built is True  # the first filter built them, and found the task
    assert window.model.index_of_task(target.id).isValid()
    assert window.model.shown_task_count() == sum(target.content[:6] in t.content for t in doc.tasks)
    window.close()
    Ledger.open(ledger_path).close()  # closing the window released the lock


def test_keys_are_built_once_the_window_is_up(qtbot, ledger_path: Path) -> None:
    window = open_window(ledger_path, as_of=date(2023, 10, 1))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.view._keys_built, timeout=5000)
    assert set(window.view.keys) == {t.id for t in window.doc.tasks} and len(window.doc.tasks) == 3
    window.close()


def test_an_old_ledger_is_upgraded_when_the_window_opens_it(qtbot, tmp_path: Path, dialogs) -> None:
    old = tmp_path / "old.ledger"
    write_revision_0001_ledger(old, tasks=40, units=6, rounds=2)
    window = open_window(old, as_of=date(2023, 10, 1))
    qtbot.addWidget(window)
    assert list(dialogs) == []
    assert window.ledger is not None and window.model.task_count() == 40
    backup = window.ledger.migration_backup
    assert backup is not None and backup.exists() and backup.name.startswith("old.v0001-")
    window.close()


def test_a_window_that_cannot_be_built_leaves_the_ledger_unlocked(qtbot, ledger_path: Path, monkeypatch) -> None:
    from app.ui import main_window

    def broken(self, *args, **kwargs) -> None:
        raise RuntimeError("window broke")

    monkeypatch.setattr(main_window.MainWindow, "__init__", broken)
    with pytest.raises(RuntimeError, match="window broke"):
        open_window(ledger_path)
    Ledger.open(ledger_path).close()  # the opening thread's ledger was closed, its lock released


def test_no_display_refuses_the_window_and_leaves_the_ledger_unlocked(ledger_path: Path, monkeypatch) -> None:
    from app.ui import app as ui_app

    monkeypatch.setattr(ui_app, "window_unavailable_reason", lambda: "没有图形显示环境（no display）")
    with pytest.raises(LedgerError, match="没有图形显示环境.*请使用命令行"):
        ui_app.run_gui(ledger_path)
    Ledger.open(ledger_path).close()  # the open started beside the probe was closed again


def test_the_views_marks_are_the_ledgers_entries(tmp_path: Path) -> None:
    from app.core.records import Progress
    from app.ui.ledger_view import LedgerView, Mark

    doc = sample_document()
    with Ledger.create_from_document(tmp_path / "m.ledger", doc, source="test") as ledger:
        ledger.apply_progress([Progress(doc.tasks[0].id, "县民政局", "第一次报送", status="已完成", text="  "),
                               Progress(doc.tasks[0].id, "县民政局", "第二次报送", status="", text="补充说明")])
        view = LedgerView(as_of=date(2023, 10, 1))
        view.load(ledger)
        expected: dict[str, list[Mark]] = {}
        for row in ledger.progress_marks():
            expected.setdefault(row[0], []).append(Mark(*row))
        assert view.marks == expected and len(view.marks[doc.tasks[0].id]) >= 2
        assert all(type(m) is Mark and m.updated_at is None for ms in view.marks.values() for m in ms)
        assert {(m.round, m.text) for m in view.marks[doc.tasks[0].id]} >= {("第一次报送", ""), ("第二次报送", "…")}
