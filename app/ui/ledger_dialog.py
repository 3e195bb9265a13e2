"""The base of the window's non-modal tool dialogs (报送轮次, 单位名录, 交回情况).

One per window (found again by its objectName and raised), it re-reads what it shows after every
undo step (the window's undo stack's indexChanged) and, when asked, after every background job —
but not while the window is being torn down. Its steps go through window.run_command, so each
is one undo step on the window's stack and 撤销 here is the window's undo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Self

import shiboken6
from PySide6.QtWidgets import QAbstractItemView, QBoxLayout, QDialog, QPushButton, QStyle, QTableView, QWidget

from app.ui.dialogs import APP_NAME

if TYPE_CHECKING:
    from PySide6.QtCore import QAbstractItemModel

    from app.ui.main_window import MainWindow

EDIT_IN_PLACE = (QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                 | QAbstractItemView.EditTrigger.SelectedClicked)


def row_table(model: QAbstractItemModel, *, row_height: int, editable: bool = False, extended: bool = False,
              alternating: bool = False, word_wrap: bool = True) -> QTableView:
    """A table selecting whole rows (one, or with `extended` several), no row numbers, rows
    `row_height` pixels; edited in place only when `editable`. Used by the dialogs and docks
    that list records (rounds, units, returns, merge rows, open items)."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if extended
                           else QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(EDIT_IN_PLACE if editable else QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(word_wrap)
    table.setAlternatingRowColors(alternating)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(row_height)
    return table


class LedgerDialog(QDialog):
    """A dialog beside `window`; subclasses set OBJECT_NAME, build their widgets, then call
    `self.reload()`."""

    OBJECT_NAME = ""  # how show_for finds the window's dialog again

    def __init__(self, window: MainWindow, title: str, *, follow_jobs: bool = False) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(f"{title} — {APP_NAME}")
        window.undo_stack.indexChanged.connect(lambda _i: self._follow())
        if follow_jobs:
            window.jobs.job_ended.connect(lambda *_: self._follow())

    @classmethod
    def show_for(cls, window: MainWindow) -> Self | None:
        """Show the window's dialog of this kind (made once, raised after); None without a ledger."""
        if window.ledger is None:
            return None
        dialog = window.findChild(cls, cls.OBJECT_NAME)
        if dialog is None:
            dialog = cls(window)
        dialog.reload()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # ----- reading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read everything shown; `refresh` unless a subclass has more to read."""
        self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError

    def _follow(self) -> None:
        """After a step, an undo or a job; not while the window is being torn down (its stack clears)."""
        window = self.window_
        if shiboken6.isValid(window) and shiboken6.isValid(window.undo_stack) and self.isVisible():
            self.reload()

    @property
    def writable(self) -> bool:
        ledger = self.window_.ledger
        return ledger is not None and not ledger.readonly

    # ----- widgets ---------------------------------------------------------------------------------
    def make_table(self, model: QAbstractItemModel, *, editable: bool = False, alternating: bool = False,
                   word_wrap: bool = True) -> QTableView:
        """A `row_table` with rows a line high; the buttons follow its selection (`_update_buttons`)."""
        table = row_table(model, row_height=self.fontMetrics().height() + 10, editable=editable,
                          alternating=alternating, word_wrap=word_wrap)
        table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        return table

    def selected_row(self) -> int | None:
        """The row selected in `self.table`, if it is still one of the model's rows."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return rows[0].row() if rows and rows[0].row() < self.table.model().rowCount() else None

    def select(self, key: str) -> None:
        """Select the row of `key` (the model's `row_of`), if it is there."""
        row = self.model.row_of(key)
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        """Enable the buttons for the selection and the ledger (read-only or not)."""

    def make_button(self, text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        button = QPushButton(text)
        if tip:
            button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def add_buttons(self, layout: QBoxLayout, steps: Iterable[QWidget]) -> QBoxLayout:
        """The step buttons, then (at the far end) 撤销 (kept as `self.undo_button`) and 关闭."""
        for button in steps:
            layout.addWidget(button)
        layout.addStretch(1)
        self.undo_button = self.make_undo_button()
        layout.addWidget(self.undo_button)
        layout.addWidget(self.make_close_button())
        return layout

    def make_undo_button(self) -> QPushButton:
        """撤销: the window's undo (the step just run here, or any other)."""
        button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack), "撤销")
        button.clicked.connect(self.window_.undo)
        return button

    def make_close_button(self) -> QPushButton:
        button = QPushButton("关闭")
        button.clicked.connect(self.close)
        return button

    # ----- steps -----------------------------------------------------------------------------------
    def _run(self, text: str, operation) -> bool:
        """One facade operation as one undo step named `text`; True when it was done."""
        done = self.window_.run_command(text, operation)
        self.refresh()
        return done
