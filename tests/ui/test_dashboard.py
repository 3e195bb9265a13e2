"""The returns dashboard: rows and counts after two of three units returned, the notice and re-issue jobs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.dispatch_status import dispatch_status
from app.ui.dashboard import ReturnsDashboard, show_dashboard
from app.ui.models.dashboard_rows import (
    BACK,
    COL_APPLIED,
    COL_CONFLICTS,
    COL_FILES,
    COL_REJECTED,
    COL_SENT,
    COL_STATE,
    LATE,
    MISSING,
    DashboardModel,
    dashboard_rows,
    summary,
)
from tests.formats.test_notice_docx import MISSING as MISSING_UNIT
from tests.formats.test_notice_docx import RETURNED, ROUND, table_rows, two_of_three_returned


@pytest.fixture
def window(window_on, tmp_path: Path):
    return window_on(two_of_three_returned(tmp_path))


def wait_job(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20_000)


def cell(board: ReturnsDashboard, unit: str, col: int) -> str:
    row = next(i for i, r in enumerate(board.model.rows) if r.unit == unit)
    return board.model.index(row, col).data()


def test_dashboard_after_two_returns_shows_rows_counts_and_who_is_missing(window):
    board = show_dashboard(window)
    assert board.round_name == "第二次报送"  # the current round is the last one
    board.round_box.setCurrentText(ROUND)
    assert [r.unit for r in board.model.rows] == ["县民政局", "县司法局", MISSING_UNIT]
    # returned today, after the round's due day 2023-09-10
    assert board.summary_label.text() == "已交 2 / 3 个单位，未交 1（其中逾期交 2）"
    assert board.due_label.text() == "报送截止：2023年9月10日"
    assert cell(board, MISSING_UNIT, COL_STATE) == MISSING and cell(board, MISSING_UNIT, COL_SENT) != "未发出"
    for unit in RETURNED:
        assert cell(board, unit, COL_STATE) == LATE
        assert cell(board, unit, COL_FILES) == f"{unit}_{ROUND}.xlsx"
    # 县民政局's sheet has tasks 1 and 3 (3 through 各部门（单位）), 县司法局's tasks 2 and 3: all filled
    assert [cell(board, "县民政局", c) for c in (COL_APPLIED, COL_CONFLICTS, COL_REJECTED)] == ["2", "0", "0"]
    assert cell(board, MISSING_UNIT, COL_APPLIED) == ""
    red = board.model.index(2, COL_STATE).data(Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color().name() == "#b3261e"
    board.round_box.setCurrentText("第二次报送")
    assert board.summary_label.text() == "已交 0 / 3 个单位，未交 3"
    assert {cell(board, u, COL_SENT) for u in (*RETURNED, MISSING_UNIT)} == {"未发出"}
    assert show_dashboard(window) is board  # one per window


def test_late_return_and_summary_counts(window):
    rows = dashboard_rows(dispatch_status(window.ledger, ROUND), date(2023, 9, 10))
    assert [r.state for r in rows] == [LATE, LATE, MISSING]  # returned today, after 2023-09-10
    on_time = dashboard_rows(dispatch_status(window.ledger, ROUND), date.today())  # stored in local time
    assert [r.state for r in on_time][:2] == [BACK, BACK]
    assert summary(rows) == "已交 2 / 3 个单位，未交 1（其中逾期交 2）"


def test_notice_button_writes_the_docx_in_a_job(window, qtbot, monkeypatch, tmp_path, dialogs):
    board = show_dashboard(window)
    board.round_box.setCurrentText(ROUND)
    target = tmp_path / "催报通知"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    board.notice_button.click()
    wait_job(qtbot, window)
    out = target.with_suffix(".docx")
    assert [r[1] for r in table_rows(Document(str(out)).tables[0])[1:]] == [MISSING_UNIT]
    assert dialogs.texts("information") == [f"已生成 1 份催报通知：\n{out}"]


def test_notice_per_unit_writes_a_folder(window, qtbot, monkeypatch, tmp_path, dialogs):
    board = show_dashboard(window)
    board.round_box.setCurrentText(ROUND)
    board.per_unit_box.setChecked(True)
    folder = tmp_path / "letters"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    board.notice_button.click()
    wait_job(qtbot, window)
    assert [p.name for p in folder.iterdir()] == [f"催报通知_{MISSING_UNIT}_{ROUND}.docx"]
    assert dialogs.texts("information") == [f"已生成 1 份催报通知：\n{folder}"]


def test_reissue_writes_one_sheet_for_the_selected_unit_and_records_it(window, qtbot, monkeypatch, tmp_path):
    board = show_dashboard(window)
    board.round_box.setCurrentText("第二次报送")
    row = next(i for i, r in enumerate(board.model.rows) if r.unit == "县司法局")
    board.table.selectRow(row)
    assert board.selected_unit() == "县司法局" and board.reissue_button.isEnabled()
    folder = tmp_path / "again"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    sent_before = len(window.ledger.dispatches())
    board.reissue_button.click()
    wait_job(qtbot, window)
    assert [p.name for p in folder.iterdir()] == ["县司法局_第二次报送.xlsx"]
    assert len(window.ledger.dispatches()) == sent_before + 1
    assert cell(board, "县司法局", COL_SENT) != "未发出" and cell(board, "县司法局", COL_STATE) == MISSING
    assert board.selected_unit() == "县司法局"  # the selection survives the refresh


def test_dashboard_follows_an_undo(window, qtbot):
    board = show_dashboard(window)
    board.round_box.setCurrentText(ROUND)
    window.run_command("修改单位", lambda ledger: ledger.update_unit(MISSING_UNIT, phone="1"))
    window.undo()
    assert board.round_name == ROUND and board.summary_label.text().startswith("已交 2 / 3 个单位，未交 1")


def test_dashboard_model_passes_the_model_tester(window, qtmodeltester):
    model = DashboardModel()
    model.set_rows(dashboard_rows(dispatch_status(window.ledger, ROUND), date(2023, 9, 10)))
    assert model.rowCount() == 3
    qtmodeltester.check(model)
