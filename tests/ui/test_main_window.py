"""The window drives the facade: select, edit, undo, fill progress, filter (pytest-qt, offscreen)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.records import Deadline, Heading, LedgerDocument, Round, Task, Unit, new_id
from app.ledger import Ledger
from app.ui.main_window import MainWindow
from app.ui.models.task_tree import TaskTreeModel


def sample_document() -> LedgerDocument:
    doc = LedgerDocument(title="测试县2023年政务公开工作要点任务落实台账", year=2023)
    one = Heading(new_id(), "一、", "深化重点领域信息公开")
    two = Heading(new_id(), "二、", "完善政策解读")
    doc.headings = [one, two]
    doc.units = [Unit("县民政局"), Unit("县司法局"), Unit("县人民政府办公室")]
    doc.rounds = [Round("第一次报送", date(2023, 9, 10)), Round("第二次报送", date(2023, 12, 1))]
    doc.tasks = [
        Task(new_id(), "1", one.id, "围绕民生", "加密社会救助政策推送。", lead_units=["县民政局"],
             coop_units=["县人民政府办公室"], deadline=Deadline("2023年12月底", date(2023, 12, 31), "date")),
        Task(new_id(), "2", one.id, "围绕法治", "推动法治政府建设。", lead_units=["县司法局"],
             deadline=Deadline("2023年6月底", date(2023, 6, 30), "date")),
        Task(new_id(), "3", two.id, "解读", "提升解读质量。", lead_units=["县人民政府办公室"],
             deadline=Deadline("长期坚持", None, "long_term")),
    ]
    return doc


@pytest.fixture
def window(qtbot, tmp_path: Path):
    doc = sample_document()
    ledger = Ledger.create_from_document(tmp_path / "t.ledger", doc, source="test")
    win = MainWindow(ledger, as_of=date(2023, 10, 1))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_tree_model_passes_model_tester(qtmodeltester) -> None:
    doc = sample_document()
    model = TaskTreeModel()
    model.set_document(doc.headings, doc.tasks, {t.id: "on_track" for t in doc.tasks})
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and model.task_count() == 3  # two headings, three tasks


def test_tree_shows_sections_tasks_and_overdue_state(window: MainWindow) -> None:
    model = window.model
    assert model.data(model.index(0, 0)) == "▾ 一、"
    assert model.data(model.index(0, 1)) == "深化重点领域信息公开"
    assert model.data(model.index(2, 0)).strip("\u3000") == "2"
    assert model.data(model.index(2, 1)).startswith("推动法治政府建设")
    assert model.data(model.index(2, 5)) == "已逾期"  # due 2023-06-30, as of 2023-10-01


def test_edit_in_detail_pane_saves_and_undoes(window: MainWindow, qtbot) -> None:
    task = window.doc.tasks[0]
    window.select_task(task.id)
    assert window.detail.content.toPlainText() == "加密社会救助政策推送。"
    window.detail.content.setPlainText("加密社会救助、医疗保险政策推送。")
    window.detail.lead.setText("县民政局、县司法局")
    qtbot.mouseClick(window.detail.save_button, Qt.MouseButton.LeftButton)
    saved = window.ledger.document().tasks[0]
    assert saved.content == "加密社会救助、医疗保险政策推送。"
    assert saved.lead_units == ["县民政局", "县司法局"]
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    restored = window.ledger.document().tasks[0]
    assert (restored.content, restored.lead_units) == ("加密社会救助政策推送。", ["县民政局"])
    assert window.detail.content.toPlainText() == "加密社会救助政策推送。"
    window.undo_stack.redo()
    assert window.ledger.document().tasks[0].content == "加密社会救助、医疗保险政策推送。"


def test_refused_edit_shows_message_and_changes_nothing(window: MainWindow, dialogs) -> None:
    task = window.doc.tasks[0]
    window.select_task(task.id)
    window.detail.lead.setText("县不存在局")
    window.detail.save_button.click()
    shown = dialogs.texts("warning")
    assert shown and "县不存在局" in shown[0]
    assert window.undo_stack.count() == 0
    assert window.ledger.document().tasks[0].lead_units == ["县民政局"]


def test_progress_pane_writes_progress_for_round(window: MainWindow) -> None:
    task = window.doc.tasks[0]
    window.select_task(task.id)
    pane = window.progress
    pane.round_box.setCurrentText("第一次报送")
    assert pane.table.rowCount() == 2  # lead + cooperating unit
    pane.status_box(0).setCurrentText("已完成")
    pane.table.item(0, 3).setText("已在政府网站公开。")
    pane.save_button.click()
    [entry] = window.ledger.document().progress
    assert (entry.unit, entry.round, entry.status, entry.text) == ("县民政局", "第一次报送", "已完成", "已在政府网站公开。")
    window.undo_stack.undo()
    assert window.ledger.document().progress == []


def test_unit_filter_keeps_only_that_units_tasks(window: MainWindow) -> None:
    window.unit_filter.setCurrentIndex(window.unit_filter.findData("县司法局"))
    model = window.model
    tasks = {t.seq: t.id for t in window.doc.tasks}
    assert [i for i in model.shown_ids() if not i.startswith("h:")] == [tasks["2"]]
    assert model.rowCount() == 2  # its section and the task
    window.search.setText("解读")
    window.flush_filters()
    assert model.rowCount() == 0


def test_gui_screenshot_command_writes_png(tmp_path: Path) -> None:
    from app.cli import main

    path = tmp_path / "t.ledger"
    Ledger.create_from_document(path, sample_document(), source="test").close()
    before = path.read_bytes()
    png = tmp_path / "shot.png"
    assert main(["gui", str(path), "--screenshot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert path.read_bytes() == before
