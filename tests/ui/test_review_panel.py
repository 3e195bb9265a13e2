"""冲突与待审核: the open conflicts and review items listed, settled one undoable step at a time.

A real returned sheet (the sheets code, filled as 县民政局 would) merged into the sample ledger:
task 1 in conflict with the clerk's own entry, task 3 with a status outside the list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.merge import Values
from app.core.records import Progress
from app.merge_report import OURS, THEIRS
from app.returns import merge_files
from app.ui.models.merge_rows import CONFLICT_KIND, R_KIND, R_SEQ, R_TASK
from app.ui.review_list import ReviewPanel, show_review_panel
from tests.ui.test_merge_preview import CLERK, THEIRS_TEXT, UNIT, fill


@pytest.fixture
def merged(open_window, tmp_path: Path):
    """(window, task 1's id, task 3's id, the round): the merge left one conflict and one review item."""
    from app.sending import make_sheets

    window = open_window
    paths = make_sheets(window.ledger, tmp_path / "交回")
    sheet = next(p for p in paths if p.name.startswith(UNIT))
    round_name = window.ledger.dispatches()[-1].round
    task1 = next(t for t in window.doc.tasks if t.seq == "1").id
    task3 = next(t for t in window.doc.tasks if t.seq == "3").id
    window.save_progress([Progress(task1, UNIT, round_name, status="进行中", text=CLERK)])
    fill(sheet, {"1": ("进行中", THEIRS_TEXT), "3": ("完成了吧", "解读了两次")})
    report = merge_files(window.ledger, [sheet])
    window.after_merge(report)  # as the merge job ends: one 撤销合并 step
    return window, task1, task3, round_name


def entry(window, task_id: str, round_name: str) -> Progress | None:
    return window.ledger.progress_entry(task_id, UNIT, round_name)


def rows(panel: ReviewPanel) -> list[tuple[str, str]]:
    model = panel.model
    return [(model.index(r, R_KIND).data(), model.index(r, R_SEQ).data()) for r in range(model.rowCount())]


def test_lists_the_conflict_and_the_review_item(merged, qtbot) -> None:
    window, _task1, _task3, round_name = merged
    panel = show_review_panel(window)
    assert panel.isVisible() and show_review_panel(window) is panel  # one dock, shown again
    assert rows(panel) == [("合并冲突", "1"), ("状态不在可选范围", "3")]
    conflict, review = panel.model.items()
    assert (conflict.unit, conflict.round, conflict.file) == (UNIT, round_name, f"{UNIT}_{round_name}.xlsx")
    assert CLERK in conflict.message and THEIRS_TEXT in conflict.message
    assert "完成了吧" in review.message and review.file == conflict.file
    assert panel.model.index(0, R_TASK).data() == "加密社会救助政策推送。"
    assert "待处理冲突 1 条，待审核 1 条" in panel.count_label.text()
    panel.select_row(0)
    assert panel.theirs_button.isEnabled() and not panel.accept_button.isVisible()
    panel.select_row(1)
    assert panel.accept_button.isEnabled() and panel.accept_button.text() == "采用"


def test_jump_selects_the_task_in_the_window(merged, qtbot) -> None:
    window, task1, task3, _round_name = merged
    panel = show_review_panel(window)
    panel.select_row(1)
    panel.table.doubleClicked.emit(panel.model.index(1, 0))
    assert window.current_task_id() == task3
    panel.select_row(0)
    panel.go_button.click()
    assert window.current_task_id() == task1


def test_resolving_a_conflict_is_one_undoable_step(merged, qtbot) -> None:
    window, task1, _task3, round_name = merged
    panel = show_review_panel(window)
    steps = window.undo_stack.count()
    panel.select_row(0)
    panel.theirs_button.click()
    assert entry(window, task1, round_name).text == THEIRS_TEXT
    assert window.ledger.conflicts() == []
    assert window.undo_stack.count() == steps + 1 and window.undo_stack.undoText() == "处理冲突（采用报送值）"
    qtbot.waitUntil(lambda: rows(panel) == [("状态不在可选范围", "3")], timeout=5_000)
    assert panel.current_item().kind == "status"  # the next item is current: the clerk goes on
    window.undo()
    assert entry(window, task1, round_name).text == CLERK  # the ledger's value again
    assert window.undo_stack.undoText().startswith("合并报送表")  # earlier steps kept


def test_keeping_ours_and_editing_a_conflict(merged, qtbot) -> None:
    window, task1, _task3, round_name = merged
    panel = show_review_panel(window)
    panel.select_row(0)
    conflict_id = panel.current_item().id
    assert panel.resolve_with(conflict_id, Values.make("已完成", "电话核实，已全部推送"))
    got = entry(window, task1, round_name)
    assert (got.status, got.text) == ("已完成", "电话核实，已全部推送")
    assert window.undo_stack.undoText() == "处理冲突（编辑）"
    window.undo()
    assert entry(window, task1, round_name).text == CLERK
    panel.refresh()
    assert conflict_id in {item.id for item in panel.model.rows}  # undone: the conflict is open again
    assert panel.resolve_with(conflict_id, Values.make("已完成", "再来一次"))
    assert entry(window, task1, round_name).text == "再来一次"


def test_accepting_and_rejecting_a_review_item_with_undo(merged, qtbot, dialogs) -> None:
    window, _task1, task3, round_name = merged
    panel = show_review_panel(window)
    panel.select_row(1)
    assert panel.reject_button.click() is None
    assert entry(window, task3, round_name).status == ""  # the status that was sent
    assert window.ledger.reviews() == [] and window.undo_stack.undoText() == "不采用待审核事项"
    qtbot.waitUntil(lambda: [k for k, _s in rows(panel)] == ["合并冲突"], timeout=5_000)
    window.undo()
    assert entry(window, task3, round_name).status == "完成了吧"
    assert dialogs.texts("warning") == []


def test_accept_keeps_the_status_and_leaves_the_list(merged, qtbot) -> None:
    window, _task1, task3, round_name = merged
    panel = show_review_panel(window)
    steps = window.undo_stack.count()
    panel.select_row(1)
    panel.accept_button.click()
    assert entry(window, task3, round_name).status == "完成了吧"
    [item] = window.ledger.reviews(open_only=False)
    assert item.state == "accepted"
    assert window.undo_stack.count() == steps + 1 and window.undo_stack.undoText() == "采用待审核事项"
    qtbot.waitUntil(lambda: [k for k, _s in rows(panel)] == ["合并冲突"], timeout=5_000)


def test_the_list_follows_the_window_undoing_the_merge(merged, qtbot) -> None:
    window, _task1, _task3, _round_name = merged
    panel = show_review_panel(window)
    assert len(rows(panel)) == 2
    window.undo()  # 撤销合并 takes its conflict and review item with it
    qtbot.waitUntil(lambda: rows(panel) == [], timeout=5_000)
    assert panel.count_label.text() == "没有待处理的冲突或待审核事项"
    assert not panel.go_button.isEnabled()


def test_hidden_panel_waits_and_refreshes_when_shown(merged, qtbot, monkeypatch) -> None:
    window, _task1, _task3, _round_name = merged
    panel = show_review_panel(window)
    panel.hide()
    reads: list[int] = []
    from app.ui import review_list

    real = review_list.open_items
    monkeypatch.setattr(review_list, "open_items", lambda ledger: reads.append(1) or real(ledger))
    window.undo()
    qtbot.wait(20)
    assert reads == []  # hidden: nothing read
    panel.show()
    qtbot.waitUntil(lambda: rows(panel) == [], timeout=5_000)
    assert reads == [1]


def test_open_items_model_passes_the_model_tester(merged, qtmodeltester) -> None:
    window, _task1, _task3, _round_name = merged
    panel = show_review_panel(window)
    qtmodeltester.check(panel.model)
    assert panel.model.item(0).kind == CONFLICT_KIND


def test_review_panel_screenshots(merged, qtbot) -> None:
    window, _task1, _task3, _round_name = merged
    panel = show_review_panel(window)
    panel.select_row(0)
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    for w, h in ((1280, 800), (1024, 768)):
        window.resize(w, h)
        qtbot.wait(50)
        assert window.grab().save(str(shots / f"H3_review_{w}.png"))
    assert panel.theirs_button.isVisible() and panel.ours_button.text() == "保留台账值"
    _ = OURS, THEIRS


def test_import_doubts_are_listed_with_checked_and_ignore(open_window, qtbot) -> None:
    """A doubt the plan reader left (kind "doubt", as Ledger.create_from_document records it)."""
    from app.core.changes import MergeItem
    from app.core.dispatch import ReviewItem

    window = open_window
    task = window.doc.tasks[1]
    doubt = ReviewItem(id=0, kind="doubt", file="要点.docx", unit="", round="", task_id=task.id, row=None,
                       message="完成时限“6月底”未写年份，按2023年读取")
    window.ledger.apply_merge([MergeItem(entries=[], conflicts=[], source="要点.docx", kind="import",
                                         reviews=[doubt])])
    panel = show_review_panel(window)
    assert rows(panel) == [("导入存疑", task.seq)]
    panel.select_row(0)
    assert (panel.accept_button.text(), panel.reject_button.text()) == ("已核对", "忽略")
    assert panel.accept_button.isEnabled() and not panel.theirs_button.isVisible()
    assert panel.model.index(0, 6).data() == doubt.message


def test_opening_another_ledger_refreshes_the_list(merged, qtbot, tmp_path: Path) -> None:
    from app.ledger import Ledger
    from tests.ui.sample import sample_document

    window, _task1, _task3, _round_name = merged
    panel = show_review_panel(window)
    assert len(rows(panel)) == 2
    other = tmp_path / "另一本.ledger"
    Ledger.create_from_document(other, sample_document(), source="test").close()
    window.undo_stack.clear()
    assert window.open_path(other)
    qtbot.waitUntil(lambda: rows(panel) == [], timeout=5_000)
