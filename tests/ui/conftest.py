"""Window tests: settings and log in a temporary folder, and no modal message box left waiting.

Every QMessageBox the window would show is recorded in `dialogs` instead (a modal box under
offscreen Qt would hang the run); a question is answered "Discard" unless a test says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

from tests.ui.sample import sample_document


class Dialogs(list):
    """(kind, title, text) of every message box shown; `answer` is what a question returns."""

    answer = QMessageBox.StandardButton.Discard

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self if kind is None or k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch, tmp_path: Path) -> Dialogs:
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("LEDGERDESK_CONFIG_DIR", str(tmp_path / "config"))
    shown = Dialogs()

    def recorder(kind: str):
        def show(_parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return shown.answer if kind == "question" else QMessageBox.StandardButton.Ok
        return show

    for kind in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(recorder(kind)))
    return shown


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    from app.ledger import Ledger

    path = tmp_path / "t.ledger"
    Ledger.create_from_document(path, sample_document(), source="test").close()
    return path


@pytest.fixture
def window_on(qtbot):
    """`window_on(path)`: the window on that ledger, as of 2023-10-01, shown; after the test its
    job (if any) is waited for and it is closed."""
    from datetime import date

    from app.ledger import Ledger
    from app.ui.main_window import MainWindow

    opened = []

    def open_window(path: Path):
        win = MainWindow(Ledger.open(path), as_of=date(2023, 10, 1))
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        opened.append(win)
        return win

    yield open_window
    for win in opened:
        if win.jobs.busy:
            win.jobs.wait()
            qtbot.waitUntil(lambda win=win: not win.jobs.busy, timeout=10_000)
        win.close()


@pytest.fixture
def open_window(window_on, ledger_path: Path):
    """The window on the sample ledger, as of 2023-10-01 (shown, closed after the test)."""
    return window_on(ledger_path)
