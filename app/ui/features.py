"""The window's features built in their own modules, joined to the main window in one place.

Each feature keeps to its module (tree editing, the legend, the progress history, dropping files,
the merge preview, the conflicts and review list, the returns dashboard, the unit and round
dialogs); this module only places their entries in the menus and the toolbar and connects them,
so the main window stays the shell it is and a feature can be found by its menu entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

SP = QStyle.StandardPixmap


def _history(window: MainWindow):
    def read(task_id: str, unit: str, round_name: str) -> list:
        return window.ledger.progress_history(task_id, unit, round_name) if window.ledger is not None else []

    return read


def _review_panel(window: MainWindow) -> None:
    from app.ui.review_list import show_review_panel

    show_review_panel(window)


def _preview(window: MainWindow, paths: list[Path]) -> None:
    from app.ui.merge_preview import preview_and_merge

    if window.ledger is not None:
        preview_and_merge(window, paths)


def _return_entry(window: MainWindow, task_id: str, unit: str, round_name: str) -> None:
    """退回修改: the reason asked, then one undoable step; the review dock lists it until the unit fixes it."""
    from app.ui import review_reason

    reason = review_reason.ask_reason(window, "退回修改", f"退回{unit}（{round_name}）的这条进展，理由：")
    if reason is None:
        return
    if window.run_command("退回修改", lambda ledger: ledger.return_entry(task_id, unit, round_name, reason=reason)):
        window.statusBar().showMessage(f"已退回{unit}修改；其下一份报送表或数据包中会标明“退回修改”和理由", 8000)


def _scores(window: MainWindow) -> None:
    """The overview opened on its 考核 tab."""
    from app.ui.overview import show_overview

    if window.ledger is not None:
        show_overview(window).show_scores()


def _dialog(module: str, function: str):
    """A feature's entry point, imported when first used (start-up stays light)."""

    def open_it(window: MainWindow) -> None:
        import importlib

        getattr(importlib.import_module(f"app.ui.{module}"), function)(window)

    return open_it


FEATURE_DIALOGS = (  # menu, text, module, function, icon, on the toolbar
    ("工具", "交回情况…", "dashboard", "show_dashboard", SP.SP_FileDialogListView, True),
    ("工具", "单位名录…", "units_dialog", "show_units_dialog", SP.SP_DirHomeIcon, False),
    ("工具", "报送轮次…", "rounds_dialog", "show_rounds_dialog", SP.SP_FileDialogDetailedView, False),
)


def _place_legend(window: MainWindow, legend) -> None:
    """The state colours' legend under the tree (the status bar is too narrow for it at 1024×768)."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(window.tree)  # the tree leaves the splitter for the holder, which takes its place
    layout.addWidget(legend)
    window.splitter.insertWidget(0, holder)
    window.splitter.setStretchFactor(0, 3)
    window.splitter.setSizes([760, 520])  # the progress grid needs the room at 1024×768
    window.legend = legend


def install_features(window: MainWindow) -> None:
    """Tree editing, the state legend, history, file drops and the feature menus."""
    from app.ui.file_drop import install_file_drop
    from app.ui.panes.legend import StateLegend
    from app.ui.tree_edit import install_tree_editing

    install_tree_editing(window)
    edit_menu = window.menus["编辑"]
    edit_menu.addSeparator()
    for action in window.tree_editor.actions.values():
        edit_menu.addAction(action)
    _place_legend(window, StateLegend())
    window.progress.history = _history(window)
    window.progress.return_requested.connect(lambda *key: _return_entry(window, *key))
    window.file_drop = install_file_drop(window, lambda paths: _preview(window, paths))
    window.add_feature_action("工具", "冲突与待审核…", lambda: _review_panel(window), icon=SP.SP_MessageBoxWarning,
                              toolbar=True)
    from app.ui import actions

    window.add_feature_action("工具", "督办通知…", lambda: actions.supervise_notice(window))
    window.add_feature_action("工具", "考核得分…", lambda: _scores(window))
    for menu, text, module, function, icon, toolbar in FEATURE_DIALOGS:
        opener = _dialog(module, function)
        window.add_feature_action(menu, text, lambda opener=opener: opener(window), icon=icon, toolbar=toolbar)
