"""A ledger given on the command line (or by double-click) that cannot be opened: a dialog and a log line."""

from __future__ import annotations

from pathlib import Path

from app.ui import config
from app.ui.app import open_window


def test_missing_ledger_shows_a_dialog_naming_the_file(qtbot, tmp_path: Path, dialogs, capsys) -> None:
    missing = tmp_path / "缺失的台账.ledger"
    window = open_window(missing)
    qtbot.addWidget(window)
    assert window.isVisible() and window.ledger is None  # the window stays, empty, to open another
    [(kind, title, text)] = dialogs
    assert kind == "warning" and "无法打开台账" in title
    assert "缺失的台账.ledger" in text and "文件 › 打开台账" in text  # the file and what to do
    log = (tmp_path / "config" / "ledgerdesk.log").read_text(encoding="utf-8")
    assert "缺失的台账.ledger" in log
    assert "缺失的台账.ledger" in capsys.readouterr().err  # and the one line on stderr, as before
    window.close()


def test_a_file_that_is_not_a_ledger_shows_a_dialog(qtbot, tmp_path: Path, dialogs) -> None:
    notes = tmp_path / "notes.ledger"
    notes.write_text("这不是台账", encoding="utf-8")
    window = open_window(notes)
    qtbot.addWidget(window)
    assert window.ledger is None
    assert "notes.ledger" in dialogs.texts("warning")[0]
    window.close()


def test_a_ledger_open_elsewhere_says_so(qtbot, ledger_path: Path, dialogs) -> None:
    from app.ledger import Ledger

    with Ledger.open(ledger_path):
        window = open_window(ledger_path)
        qtbot.addWidget(window)
        assert window.ledger is None
        assert "另一个窗口或程序打开" in dialogs.texts("warning")[0]
        window.close()


def test_open_menu_failure_keeps_the_open_ledger(open_window, tmp_path: Path, dialogs) -> None:
    before = open_window.ledger
    assert not open_window.open_path(tmp_path / "没有.ledger")
    assert open_window.ledger is before and "没有.ledger" in dialogs.texts("warning")[0]


def test_portable_copy_keeps_settings_and_log_beside_the_program(monkeypatch, tmp_path: Path) -> None:
    program = tmp_path / "台账通"
    program.mkdir()
    (program / config.PORTABLE_MARKER).write_text("[General]\n", encoding="utf-8")
    monkeypatch.delenv("LEDGERDESK_CONFIG_DIR")
    monkeypatch.setattr(config, "program_dir", lambda: program)
    assert config.is_portable()
    assert config.settings_path() == program / "portable.ini"
    assert config.log_path() == program / "ledgerdesk.log"
    (program / config.PORTABLE_MARKER).unlink()
    assert config.config_dir() != program  # else the user's config folder (AppConfigLocation)
