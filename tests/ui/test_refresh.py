"""Refresh by what changed: rows updated in place, never the whole ledger re-read; the outline keeps its shape."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core.changes import Changes
from app.core.records import Heading, Progress, Task
from app.ui.models.task_tree import COL_STATE, TaskTreeModel
from tests.ui.sample import sample_document


class Spy:
    """Counts the model's signals."""

    def __init__(self, model: TaskTreeModel) -> None:
        self.events: list[str] = []
        for name in ("modelReset", "dataChanged", "rowsInserted", "rowsRemoved", "layoutChanged"):
            getattr(model, name).connect(lambda *_a, n=name: self.events.append(n))


@pytest.fixture
def no_full_reads(open_window, monkeypatch):
    """After opening, the window may not read the whole ledger again."""
    for name in ("document", "snapshot"):
        monkeypatch.setattr(type(open_window.ledger), name,
                            lambda *_a, n=name, **_k: pytest.fail(f"ledger.{n}() read the whole ledger"))
    return open_window


def test_edit_and_undo_change_one_row_in_place(no_full_reads) -> None:
    window = no_full_reads
    spy = Spy(window.model)
    task = window.doc.tasks[1]
    window.select_task(task.id)
    rows_before = window.model.shown_ids()
    window.detail.content.setPlainText("推动法治政府建设，公开行政执法信息。")
    window.detail.save_button.click()
    assert spy.events == ["dataChanged"]
    row = window.model.index_of_task(task.id).row()
    assert window.model.index(row, 1).data() == "推动法治政府建设，公开行政执法信息。"
    window.undo()
    assert spy.events == ["dataChanged", "dataChanged"]
    assert window.model.shown_ids() == rows_before
    assert window.current_task_id() == task.id


def test_progress_changes_the_state_of_that_row(no_full_reads) -> None:
    window = no_full_reads
    task = window.doc.tasks[1]  # overdue as of 2023-10-01
    row = window.model.index_of_task(task.id).row()
    assert window.model.index(row, COL_STATE).data() == "已逾期"
    window.save_progress([Progress(task.id, "县司法局", "第二次报送", status="已完成", text="已完成。")])
    assert window.model.index(row, COL_STATE).data() == "已完成"
    assert "已完成 1" in window.status_label.text()


def test_collapsed_heading_stays_collapsed_across_edits_and_filters(open_window) -> None:
    window = open_window
    model = window.model
    one = window.doc.headings[0].id
    model.set_expanded(one, False)
    assert len(model.shown_ids()) == 3  # 一、 (closed), 二、, task 3
    window.refresh(window.ledger.update_task(window.doc.tasks[2].id, content="提升政策解读质量。"))
    assert not model.is_expanded(one)
    window.search.setText("法治")
    window.flush_filters()
    assert model.is_expanded(one)  # a filter shows its matches
    window.filters.clear()
    assert not model.is_expanded(one) and len(model.shown_ids()) == 3


def test_a_task_that_stops_matching_is_one_row_removed(open_window) -> None:
    window = open_window
    window.search.setText("法治政府")
    window.flush_filters()
    spy = Spy(window.model)
    task = window.doc.tasks[1]
    window.run_command("修改任务", lambda ledger: ledger.update_task(task.id, content="推动依法行政。"))
    assert "modelReset" not in spy.events and "rowsRemoved" in spy.events
    assert window.model.rowCount() == 0
    assert window.count_label.text() == "显示 0 / 3 项"


def test_structure_changes_insert_and_remove_rows(qtmodeltester) -> None:
    doc = sample_document()
    model = TaskTreeModel()
    states = {t.id: "on_track" for t in doc.tasks}
    model.set_document(doc.headings, doc.tasks, states)
    qtmodeltester.check(model)
    spy = Spy(model)
    three = Heading("h3", "三、", "新的章节")
    added = Task("new", "4", "h3", content="新增任务。", lead_units=["县民政局"])
    model.sync_document([*doc.headings, three], [*doc.tasks[:2], added], {**states, "new": "on_track"},
                        visible=None)
    assert "modelReset" not in spy.events
    assert spy.events.count("rowsRemoved") == 1 and spy.events.count("rowsInserted") == 1  # task 3 out; 三、 + 4 in
    assert model.shown_ids()[-2:] == ["h:h3", "new"]
    moved = replace(doc.tasks[0], heading_id="h3")
    model.sync_document([*doc.headings, three], [doc.tasks[1], moved, added], states, visible=None)
    assert model.shown_ids().index(moved.id) > model.shown_ids().index("h:h3")
    qtmodeltester.check(model)


def test_refresh_of_rounds_and_units_fills_the_choices(open_window) -> None:
    window = open_window
    window.refresh(window.ledger.add_round("第三次报送"))
    assert window.progress.round_box.findText("第三次报送") >= 0
    assert window.round_filter.findText("第三次报送：未报送") >= 0
    assert window.unit_filter.count() == 1 + len(window.doc.units)
    assert isinstance(Changes().union(Changes(meta=True)), Changes)
