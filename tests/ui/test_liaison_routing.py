"""Starting in liaison mode: `ledgerdesk gui X.ldpkg`, the windowed entry with a package beside the program,
打开 in the clerk's window, the offscreen screenshot, and a broken package (one message naming it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app import gui_main
from app.ui import app as ui_app
from app.ui import config
from app.ui.liaison_window import LiaisonWindow
from app.ui.main_window import MainWindow
from tests.ui.test_liaison_window import ROUND, UNIT, fresh_copy, liaison_files  # noqa: F401 - a fixture


@pytest.fixture
def package(liaison_files, tmp_path: Path) -> Path:  # noqa: F811 - the fixture imported above
    return fresh_copy(liaison_files, tmp_path)[1]


@pytest.fixture
def started(qtbot, monkeypatch):
    """The windows run_gui opens, without entering the event loop; closed after the test."""
    monkeypatch.setattr(ui_app, "run_event_loop", lambda _app: 0)
    before = len(ui_app.opened_windows())

    def windows() -> list:
        return ui_app.opened_windows()[before:]

    yield windows
    for window in windows():
        window.close()


def broken_package(folder: Path) -> Path:
    path = folder / "县民政局_第二次报送.ldpkg"
    path.write_bytes(b"PK\x03\x04 this is not a whole zip")
    return path


def test_gui_command_renders_a_package_to_png_without_touching_it(qapp, package: Path, tmp_path: Path,
                                                                   capsys) -> None:
    from app.cli import main

    before = package.read_bytes()
    png = tmp_path / "liaison.png"
    assert main(["gui", str(package), "--screenshot", str(png)]) == 0
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 600
    assert package.read_bytes() == before
    assert str(png.resolve()) in capsys.readouterr().out


def test_render_screenshot_draws_the_liaison_window_and_the_main_window(qapp, package: Path, tmp_path: Path) -> None:
    ledger = next(tmp_path.glob("*.ledger"))
    ui_app.render_screenshot(package, tmp_path / "a.png", size=(1024, 768))
    ui_app.render_screenshot(ledger, tmp_path / "b.png")
    ui_app.render_screenshot(None, tmp_path / "c.png")
    assert QImage(str(tmp_path / "a.png")).size().toTuple() == (1024, 768)
    assert all(not QImage(str(tmp_path / n)).isNull() for n in ("b.png", "c.png"))


def test_gui_command_opens_a_package_in_liaison_mode(started, package: Path) -> None:
    assert ui_app.run_gui(package) == 0
    [window] = started()
    assert isinstance(window, LiaisonWindow) and window.session.path == package
    assert UNIT in window.windowTitle() and ROUND in window.windowTitle()


def test_windowed_entry_without_arguments_opens_the_one_package_beside_the_program(started, package: Path,
                                                                                     monkeypatch) -> None:
    monkeypatch.setattr(config, "program_dir", lambda: package.parent)
    assert gui_main.main([]) == 0
    [window] = started()
    assert isinstance(window, LiaisonWindow) and window.session.path == package


def test_windowed_entry_with_two_packages_beside_it_opens_the_main_window(started, package: Path,
                                                                           monkeypatch) -> None:
    (package.parent / "县司法局_第二次报送.ldpkg").write_bytes(package.read_bytes())
    monkeypatch.setattr(config, "program_dir", lambda: package.parent)
    assert gui_main.main([]) == 0
    [window] = started()
    assert isinstance(window, MainWindow) and window.ledger is None


def test_windowed_entry_with_a_ledger_argument_opens_the_main_window_on_it(started, package: Path,
                                                                            tmp_path: Path) -> None:
    ledger = next(tmp_path.glob("*.ledger"))
    assert gui_main.main([str(ledger)]) == 0
    [window] = started()
    assert isinstance(window, MainWindow) and window.ledger is not None and window.ledger.path == ledger


def test_a_broken_package_is_one_message_naming_the_file_and_no_traceback(started, tmp_path: Path, dialogs,
                                                                          capsys) -> None:
    bad = broken_package(tmp_path)
    assert gui_main.main([str(bad)]) == 2
    assert started() == []
    [message] = dialogs.texts("warning")
    assert bad.name in message and "数据包" in message
    err = capsys.readouterr().err
    assert "Traceback" not in err and bad.name in err


def test_a_broken_package_screenshot_fails_as_one_cli_line(qapp, tmp_path: Path, capsys) -> None:
    from app.cli import main

    bad = broken_package(tmp_path)
    assert main(["gui", str(bad), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert bad.name in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


def test_bad_windowed_arguments_are_one_message(started, dialogs) -> None:
    assert gui_main.main(["--fast"]) == 2
    assert "--fast" in dialogs.texts("warning")[0]


def test_open_in_the_main_window_offers_packages_and_opens_one_in_liaison_mode(open_window, package: Path,
                                                                               monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.ui import actions, liaison_window

    asked: list[str] = []

    def choose(_parent, _title, _dir, filters):
        asked.append(filters)
        return str(package), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    kept = set(liaison_window._KEPT)
    actions.open_ledger(open_window)
    assert "*.ldpkg" in asked[0] and "*.ledger" in asked[0]
    [window] = liaison_window._KEPT - kept
    try:
        assert window.session.path == package and window.isVisible()
        assert open_window.ledger is not None  # the clerk's ledger stays open
        assert UNIT in window.windowTitle() and window.today == open_window.as_of
    finally:
        window.close()


def test_open_in_the_main_window_of_a_broken_package_names_it(open_window, tmp_path: Path, dialogs) -> None:
    bad = broken_package(tmp_path)
    assert not open_window.open_path(bad)
    assert any(bad.name in text for text in dialogs.texts("warning"))
    assert open_window.ledger is not None
