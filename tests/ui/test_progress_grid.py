"""The progress editor as a grid of units × rounds: who reported, from where, and the entry edited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import QApplication

from app.core.records import Progress
from app.ui.panes.progress import COL_TEXT, COL_UNIT, FIRST_ROUND_COLUMN


def select(window, seq: str) -> str:
    task = next(t for t in window.doc.tasks if t.seq == seq)
    window.select_task(task.id)
    return task.id


def merged(window, entries: list[Progress], source: str) -> None:
    """Entries as a returned file brings them (kind "merge", the file as their source)."""
    entries = [replace(e, source=source) for e in entries]
    window.refresh(window.ledger.apply_progress(entries, kind="merge", source=source))


def test_grid_has_a_row_per_unit_and_a_column_per_round(open_window) -> None:
    window = open_window
    select(window, "1")
    pane = window.progress
    assert [pane.unit_at(r) for r in range(pane.table.rowCount())] == ["县民政局", "县人民政府办公室"]
    assert pane.table.item(0, COL_UNIT).text() == "县民政局\n（牵头）"
    rounds = [pane.table.horizontalHeaderItem(c).text() for c in range(FIRST_ROUND_COLUMN, pane.table.columnCount())]
    assert rounds == ["第一次报送", "第二次报送"]
    # the round open for editing is not repeated as a summary column
    assert pane.round_box.currentText() == "第二次报送"
    assert pane.table.isColumnHidden(FIRST_ROUND_COLUMN + 1) and not pane.table.isColumnHidden(FIRST_ROUND_COLUMN)


def test_member_unit_of_a_group_is_shown_with_its_entry_and_origin(open_window) -> None:
    window = open_window
    task_id = next(t.id for t in window.doc.tasks if t.seq == "3")  # 配合：各部门（单位）
    merged(window, [Progress(task_id, "县民政局", "第一次报送", status="进行中",
                             text="已转发解读材料。\n下一步开展培训。")], source="民政局_第一轮.xlsx")
    select(window, "3")
    pane = window.progress
    row = pane.row_of("县民政局")
    assert row == 2  # after the task's own units
    assert pane.table.item(row, COL_UNIT).text() == "县民政局\n配合（各部门（单位））"
    summary = pane.table.item(row, FIRST_ROUND_COLUMN)
    assert summary.text() == "进行中\n已转发解读材料。"
    assert "民政局_第一轮.xlsx" in summary.toolTip()
    pane.table.setCurrentCell(row, FIRST_ROUND_COLUMN)  # a click on the first round's cell opens that round
    assert pane.round_box.currentText() == "第一次报送"
    assert pane.unit_at(pane.table.currentRow()) == "县民政局"
    assert pane.form.text.toPlainText() == "已转发解读材料。\n下一步开展培训。"
    assert pane.form.origin.text().startswith(f"来自 民政局_第一轮.xlsx，{date.today():%Y-%m-%d}")
    assert pane.status_box(row).currentText() == "进行中"


def test_typed_entry_says_it_was_typed_here(open_window) -> None:
    window = open_window
    task_id = select(window, "2")
    window.save_progress([Progress(task_id, "县司法局", "第二次报送", status="已完成", text="已完成。")])
    pane = window.progress
    pane.table.setCurrentCell(0, COL_TEXT)
    assert pane.form.origin.text().startswith(f"本窗口填写 {date.today():%Y-%m-%d} ")


def test_editing_an_entry_in_the_form_then_leaving_the_task_is_one_undo_step(open_window) -> None:
    window = open_window
    task_id = select(window, "1")
    pane = window.progress
    pane.table.setCurrentCell(1, COL_TEXT)  # 县人民政府办公室, 第二次报送
    pane.status_box(1).setCurrentText("已完成")
    pane.form.text.setPlainText("第一段。\n第二段。")
    pane.form.done_date.set_value(date(2023, 9, 28))
    pane.form.evidence.setText("政府网站链接")
    assert pane.table.item(1, COL_TEXT).text() == "第一段。\n第二段。"
    assert "有未保存的修改" in pane.form.origin.text()
    select(window, "2")
    [entry] = window.ledger.document().progress
    assert (entry.task_id, entry.unit, entry.round, entry.status, entry.text, entry.done_date, entry.evidence) == (
        task_id, "县人民政府办公室", "第二次报送", "已完成", "第一段。\n第二段。", date(2023, 9, 28), "政府网站链接")
    assert window.undo_stack.count() == 1
    window.undo()
    assert window.ledger.document().progress == []


def test_clearing_the_date_of_a_saved_entry_saves_no_date(open_window) -> None:
    window = open_window
    task_id = select(window, "2")
    window.save_progress([Progress(task_id, "县司法局", "第二次报送", status="已完成", text="已完成。",
                                   done_date=date(2023, 9, 1), evidence="文件")])
    pane = window.progress
    pane.table.setCurrentCell(0, COL_TEXT)
    assert pane.form.done_date.value() == date(2023, 9, 1)
    pane.form.done_date.clear_button.click()
    assert pane.form.done_date.value() is None
    [edited] = pane.edited_entries()
    assert (edited.done_date, edited.evidence, edited.text) == (None, "文件", "已完成。")
    pane.save_button.click()
    [entry] = window.ledger.document().progress
    assert entry.done_date is None and entry.evidence == "文件"


def test_switching_round_from_the_grid_saves_the_typed_row_first(open_window) -> None:
    window = open_window
    select(window, "1")
    pane = window.progress
    pane.table.setCurrentCell(0, COL_TEXT)
    pane.form.text.setPlainText("第二轮进展。")
    pane.table.setCurrentCell(0, FIRST_ROUND_COLUMN)  # the first round's cell
    assert pane.round_box.currentText() == "第一次报送"
    [entry] = window.ledger.document().progress
    assert (entry.round, entry.text) == ("第二次报送", "第二轮进展。")
    summary = pane.table.item(0, FIRST_ROUND_COLUMN + 1)  # now the second round is a summary column
    assert summary.text() == "（无状态）\n第二轮进展。"


def test_history_dialog_lists_two_edits(open_window) -> None:
    window = open_window
    task_id = select(window, "2")
    window.save_progress([Progress(task_id, "县司法局", "第二次报送", status="进行中", text="起草中。")])
    window.save_progress([Progress(task_id, "县司法局", "第二次报送", status="已完成", text="已印发。")])
    pane = window.progress
    pane.history = window.ledger.progress_history  # the window's wiring (see the report)
    pane.table.setCurrentCell(0, COL_TEXT)
    assert pane.form.history_button.isEnabled()
    pane.form.history_button.click()
    dialog = pane.history_dialog
    assert dialog is not None and dialog.isVisible()
    rows = dialog.rows()
    assert [(r[1], r[3], r[4]) for r in rows] == [("修改", "进行中", "起草中。"),
                                                 ("修改", "进行中 → 已完成", "已印发。")]
    assert rows[0][2] == "本窗口"
    dialog.resize(720, 360)
    QApplication.processEvents()
    assert dialog.grab().save("/tmp/shots/H2_history.png")
    dialog.close()


def test_progress_screenshots(open_window) -> None:
    window = open_window
    task_id = next(t.id for t in window.doc.tasks if t.seq == "3")
    merged(window, [Progress(task_id, "县民政局", "第一次报送", status="进行中", text="已转发解读材料。" * 4),
                    Progress(task_id, "县人民政府办公室", "第一次报送", status="已完成", text="已完成解读。")],
           source="民政局_第一轮.xlsx")
    select(window, "3")
    window.tabs.setCurrentWidget(window.progress)
    for width, height in ((1280, 800), (1024, 768)):
        window.resize(width, height)
        QApplication.processEvents()
        assert window.grab().save(f"/tmp/shots/H2_progress_{width}.png")
