"""Window state, column widths and recent files survive a restart (INI settings in LEDGERDESK_CONFIG_DIR)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app import __version__
from app.ledger import Ledger
from app.ui import config
from app.ui.main_window import MainWindow
from app.ui.models.task_tree import COL_DEADLINE, COL_LEAD
from tests.ui.sample import sample_document


def make_ledger(path: Path) -> Path:
    Ledger.create_from_document(path, sample_document(), source="test").close()
    return path


def new_window(qtbot, ledger: Path | None = None) -> MainWindow:
    win = MainWindow(Ledger.open(ledger) if ledger else None, as_of=date(2023, 10, 1))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_geometry_splitter_and_column_widths_come_back(qtbot, ledger_path: Path, tmp_path: Path) -> None:
    first = new_window(qtbot, ledger_path)
    first.resize(700, 530)  # as small as it goes: the offscreen screen is 800×600, restoreGeometry keeps it on
    geometry = first.saveGeometry()
    first.tree.setColumnWidth(COL_LEAD, 163)
    first.tree.setColumnWidth(COL_DEADLINE, 121)
    first.splitter.setSizes([300, 500])  # the tree narrower than the panes (the default is 3:2)
    sizes = first.splitter.sizes()
    first.main_toolbar.hide()
    first.close()
    ini = tmp_path / "config" / config.SETTINGS_FILE
    assert ini.is_file()
    stored = QSettings(str(ini), QSettings.Format.IniFormat)
    assert stored.value("tree/widths")[COL_LEAD] == "163"
    second = new_window(qtbot)
    assert stored.value("window/geometry") == geometry
    assert (second.width(), second.height()) != (1280, 800)  # not the default size: the saved one
    assert second.height() == first.height()
    assert second.tree.columnWidth(COL_LEAD) == 163 and second.tree.columnWidth(COL_DEADLINE) == 121
    left, right = second.splitter.sizes()
    assert abs(left / (left + right) - sizes[0] / sum(sizes)) < 0.05  # (the window may be narrower)
    assert not second.main_toolbar.isVisible()  # the toolbars' state too
    assert second.open_path(ledger_path)  # a ledger opened after start keeps the widths
    assert second.tree.columnWidth(COL_LEAD) == 163 and second.tree.columnWidth(COL_DEADLINE) == 121
    second.close()


def test_recent_files_newest_first_at_most_eight(qtbot, tmp_path: Path) -> None:
    paths = [make_ledger(tmp_path / f"台账{n}.ledger") for n in range(10)]
    win = new_window(qtbot)
    for path in paths:
        assert win.open_path(path)
    assert win.open_path(paths[3])  # again: moves to the top, not twice in the list
    recent = config.recent_files()
    assert recent[0] == paths[3].resolve() and len(recent) == config.MAX_RECENT
    assert recent.count(paths[3].resolve()) == 1 and paths[0].resolve() not in recent
    win.close()
    again = new_window(qtbot)
    again._fill_recent_menu()
    listed = [a.data() for a in again.recent_menu.actions() if a.data()]
    assert listed == [str(p) for p in recent]
    assert again.recent_menu.actions()[0].text().endswith(paths[3].name)
    again.close()


def test_recent_menu_opens_a_ledger(qtbot, tmp_path: Path) -> None:
    path = make_ledger(tmp_path / "最近.ledger")
    config.add_recent(path)
    win = new_window(qtbot)
    assert win.ledger is None
    win._fill_recent_menu()
    [action] = [a for a in win.recent_menu.actions() if a.data() == str(path.resolve())]
    assert action.isEnabled()
    action.trigger()
    assert win.ledger is not None and win.ledger.path.resolve() == path.resolve()
    assert win.file_label.text() == "最近.ledger"
    win.close()


def test_a_missing_recent_file_is_greyed_and_opening_it_says_so(qtbot, tmp_path: Path, dialogs) -> None:
    gone = make_ledger(tmp_path / "已删除.ledger")
    kept = make_ledger(tmp_path / "还在.ledger")
    config.add_recent(gone)
    config.add_recent(kept)
    gone.unlink()
    win = new_window(qtbot)
    win._fill_recent_menu()
    by_path = {a.data(): a for a in win.recent_menu.actions() if a.data()}
    assert not by_path[str(gone.resolve())].isEnabled() and "文件不存在" in by_path[str(gone.resolve())].text()
    assert by_path[str(kept.resolve())].isEnabled()
    assert not win.open_recent(gone.resolve())  # e.g. removed after the menu was filled
    [message] = dialogs.texts("warning")
    assert "已删除.ledger" in message and "已不存在" in message
    assert config.recent_files() == [kept.resolve()]
    assert win.ledger is None
    win.close()


def test_about_names_the_version_and_the_paths(qtbot, monkeypatch, tmp_path: Path) -> None:
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append((title, text))))
    win = new_window(qtbot)
    win.actions["about"].trigger()
    [(title, text)] = shown
    assert "关于" in title and __version__ in text
    assert str(tmp_path / "config" / config.SETTINGS_FILE) in text and str(config.log_path()) in text
    assert win.actions["about"] in win.menus["帮助"].actions()
    win.close()
