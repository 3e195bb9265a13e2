"""退回修改 and 延期 in the clerk's window: from the progress pane and the review dock, one undoable step each.

Real files: the sample ledger's sheets (app.sending.make_sheets), filled as 县民政局 would with openpyxl
(task 1 in progress with a 申请延期至 + 延期理由, a status outside the list on task 3; its sheet
holds tasks 1 and 3, the latter through the group 各部门（单位）), merged; the reason dialog is
answered by replacing `review_reason.ask_reason`; the unit's next sheet is read back for the note.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.core.dispatch import REVIEW_EXTENSION, REVIEW_REWORK
from app.core.records import Progress
from app.core.status import STATE_DUE_SOON, STATE_ON_TRACK
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO, REWORK_NOTE
from app.returns import merge_files
from app.sending import make_sheets
from app.ui import review_reason
from app.ui.review_list import show_review_panel
from tests.ui.test_merge_preview import UNIT

REASON = "请补充公开的条数和网址"


def header_columns(sheet) -> tuple[int, dict[str, int]]:
    row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "序号")
    return row, {str(sheet.cell(row, c).value): c for c in range(1, sheet.max_column + 1) if sheet.cell(row, c).value}


def fill_rows(path: Path, rows: dict[str, dict[str, str]]) -> Path:
    """Type into the rows with these 序号 under the named headers, as a liaison does, and save."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header, columns = header_columns(sheet)
    for r in range(header + 1, sheet.max_row + 1):
        seq = str(sheet.cell(r, 1).value or "")
        for name, value in rows.get(seq, {}).items():
            sheet.cell(r, columns[name], value)
    book.save(path)
    return path


def notes_of(path: Path) -> dict[str, str]:
    """序号 → 审核意见 of a sheet."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header, columns = header_columns(sheet)
    return {str(sheet.cell(r, 1).value): str(sheet.cell(r, columns[REWORK_NOTE]).value or "")
            for r in range(header + 1, sheet.max_row + 1) if sheet.cell(r, 1).value}


def unit_sheet(window, folder: Path) -> Path:
    return next(p for p in make_sheets(window.ledger, folder, units=[UNIT]) if p.name.startswith(UNIT))


@pytest.fixture
def answered(monkeypatch):
    """The reason dialog answers REASON (a list records what it was asked)."""
    asked: list[str] = []

    def answer(_parent, title, label, text=""):
        asked.append(f"{title}|{label}")
        return REASON

    monkeypatch.setattr(review_reason, "ask_reason", answer)
    return asked


@pytest.fixture
def merged(open_window, tmp_path: Path):
    """(window, seq → task id, round): 县民政局 returned task 1 in progress asking 延期, an odd status on 3."""
    window = open_window
    sheet = unit_sheet(window, tmp_path / "第一轮")
    round_name = window.ledger.dispatches()[-1].round
    fill_rows(sheet, {"1": {"状态": "进行中", "进展落实情况": "平台改造中", EXTENSION_TO: "2024-03-31",
                            EXTENSION_REASON: "平台升级"},
                      "3": {"状态": "完成了吧", "进展落实情况": "解读了两次"}})
    window.after_merge(merge_files(window.ledger, [sheet]))
    ids = {t.seq: t.id for t in window.doc.tasks}
    return window, ids, round_name


def open_reviews(window, kind: str) -> list:
    return [i for i in window.ledger.reviews() if i.kind == kind]


def test_return_from_the_progress_pane_shows_in_the_next_sheet_and_undoes(merged, answered, tmp_path, qtbot):
    window, ids, round_name = merged
    window.select_task(ids["1"])
    pane = window.progress
    pane.select(UNIT, round_name)
    assert pane.form.return_button.isEnabled()
    steps = window.undo_stack.count()
    pane.form.return_button.click()
    assert answered and UNIT in answered[0]
    [item] = open_reviews(window, REVIEW_REWORK)
    assert (item.task_id, item.unit, item.round, item.message) == (ids["1"], UNIT, round_name, REASON)
    assert window.undo_stack.count() == steps + 1
    assert notes_of(unit_sheet(window, tmp_path / "第二轮"))["1"] == f"退回修改：{REASON}"
    window.undo()
    assert open_reviews(window, REVIEW_REWORK) == []
    window.redo()
    assert [i.message for i in open_reviews(window, REVIEW_REWORK)] == [REASON]


def test_return_is_off_for_a_unit_without_an_entry(merged, qtbot):
    window, ids, round_name = merged
    window.select_task(ids["1"])
    window.progress.select("县人民政府办公室", round_name)  # the cooperating unit returned nothing
    assert not window.progress.form.return_button.isEnabled()


def test_approving_an_extension_in_the_dock_sets_the_unit_deadline(merged, qtbot, tmp_path):
    window, ids, _round = merged
    panel = show_review_panel(window)
    row = next(r for r, i in enumerate(panel.model.items()) if i.kind == REVIEW_EXTENSION)
    panel.select_row(row)
    assert panel.accept_button.text() == "批准延期" and panel.reject_button.text() == "不同意…"
    assert not panel.return_button.isVisible()
    assert window.view.states[ids["1"]] == STATE_DUE_SOON  # 2023年10月10日, as of 2023-10-01
    assert panel.accept_current()
    assert window.view.states[ids["1"]] == STATE_ON_TRACK  # its only lead unit now has until 2024-03-31
    granted = window.ledger.unit_deadlines()[(ids["1"], UNIT)]
    assert granted.deadline.date.isoformat() == "2024-03-31" and granted.reason == "平台升级"
    assert open_reviews(window, REVIEW_EXTENSION) == []
    assert notes_of(unit_sheet(window, tmp_path / "批准后"))["1"].startswith("已批准延期至2024年3月31日")
    window.undo()
    assert (ids["1"], UNIT) not in window.ledger.unit_deadlines()
    assert window.view.states[ids["1"]] == STATE_DUE_SOON
    assert len(open_reviews(window, REVIEW_EXTENSION)) == 1


def test_declining_an_extension_asks_the_reason_and_tells_the_unit(merged, answered, qtbot, tmp_path):
    window, _ids, _round = merged
    panel = show_review_panel(window)
    panel.select_row(next(r for r, i in enumerate(panel.model.items()) if i.kind == REVIEW_EXTENSION))
    assert panel.reject_current()
    assert answered and answered[0].startswith("不同意延期")
    assert window.ledger.unit_deadlines() == {}
    assert notes_of(unit_sheet(window, tmp_path / "不同意后"))["1"] == f"延期申请未同意：{REASON}"


def test_returning_an_odd_status_row_from_the_dock(merged, answered, qtbot, tmp_path):
    window, ids, round_name = merged
    panel = show_review_panel(window)
    row = next(r for r, i in enumerate(panel.model.items()) if i.task_id == ids["3"] and i.kind != REVIEW_EXTENSION)
    panel.select_row(row)
    assert panel.return_button.isVisible() and panel.return_button.isEnabled()
    assert panel.return_current()
    [rework] = open_reviews(window, REVIEW_REWORK)
    assert (rework.task_id, rework.unit, rework.message) == (ids["3"], UNIT, REASON)
    entry = window.ledger.progress_entry(ids["3"], UNIT, round_name)
    assert entry is None or entry.status != "完成了吧"  # not taken: the status sent stays
    assert notes_of(unit_sheet(window, tmp_path / "退回后"))["3"] == f"退回修改：{REASON}"
    panel.refresh()  # as the scheduled refresh does after the step
    panel.select_row(next(r for r, i in enumerate(panel.model.items()) if i.kind == REVIEW_REWORK))
    assert panel.accept_button.text() == "按现有采用" and panel.reject_button.text() == "撤回退回"


def test_cancelled_reason_changes_nothing(merged, monkeypatch, qtbot):
    window, ids, round_name = merged
    monkeypatch.setattr(review_reason, "ask_reason", lambda *a, **k: None)
    window.select_task(ids["1"])
    window.progress.select(UNIT, round_name)
    steps = window.undo_stack.count()
    window.progress.form.return_button.click()
    assert window.undo_stack.count() == steps and open_reviews(window, REVIEW_REWORK) == []


def test_entry_saved_in_the_window_can_be_returned(merged, answered, qtbot):
    window, ids, round_name = merged
    window.save_progress([Progress(ids["2"], "县司法局", round_name, status="进行中", text="办公室电话核实")])
    window.select_task(ids["2"])
    window.progress.select("县司法局", round_name)
    window.progress.form.return_button.click()
    assert [(i.task_id, i.unit) for i in open_reviews(window, REVIEW_REWORK)] == [(ids["2"], "县司法局")]
