"""工具 › 督办通知… in the window: the letter names the units with overdue tasks as of the window's date."""

from __future__ import annotations

from pathlib import Path

import docx

from app.ui import actions


def text_of(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_supervise_notice_from_the_menu_writes_the_letter(open_window, qtbot, tmp_path: Path, monkeypatch) -> None:
    window = open_window
    target = tmp_path / "督办.docx"
    monkeypatch.setattr(actions.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    [entry] = [a for a in window.menus["工具"].actions() if a.text() == "督办通知…"]
    entry.trigger()
    qtbot.waitUntil(lambda: not window.jobs.busy and target.exists(), timeout=20_000)
    text = text_of(target)
    overdue = next(t for t in window.doc.tasks if t.seq == "2")  # the sample's task overdue on 2023-10-01
    assert "督办" in text and all(unit in text for unit in overdue.lead_units)
    assert str(target) in window.statusBar().currentMessage()


def test_nothing_due_is_one_message_and_no_file(window_on, ledger_path: Path, qtbot, tmp_path: Path, monkeypatch,
                                                dialogs) -> None:
    from datetime import date

    window = window_on(ledger_path)
    window.as_of = date(2020, 1, 1)  # long before every deadline of the sample
    target = tmp_path / "督办.docx"
    actions.start_supervise(window, target)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20_000)
    [message] = dialogs.texts("warning")
    assert "没有逾期或即将到期的任务" in message and not target.exists()
