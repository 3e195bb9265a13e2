"""Import review: a plan imported in the window opens the 冲突与待审核 list on the reader's doubts, each a
jump to its task, confirmed (已核对) or dismissed as one undoable step."""

from __future__ import annotations

from pathlib import Path

from app.core.dispatch import REVIEW_DOUBT
from app.formats.plan import read_plan
from app.ui import actions
from app.ui.review_list import ReviewPanel

SEED_000 = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "000_0bb927241a205331.txt"


def imported(window, qtbot, tmp_path: Path):
    target = tmp_path / "新台账.ledger"
    actions.start_import(window, SEED_000, target)
    qtbot.waitUntil(lambda: not window.jobs.busy and window.ledger is not None and window.ledger.path == target,
                    timeout=30_000)
    return window.findChild(ReviewPanel)


def test_import_opens_the_list_on_the_plans_doubts(open_window, qtbot, tmp_path: Path) -> None:
    parsed = read_plan(SEED_000)  # a second read: its task ids are new, its 序号 the same
    expected = parsed.doubts
    assert expected, "seed 000 leaves the reader doubts (the test needs some)"
    panel = imported(open_window, qtbot, tmp_path)
    assert panel is not None and panel.isVisible()
    rows = panel.model.rows
    assert {row.kind for row in rows} == {REVIEW_DOUBT}
    assert len(rows) == sum(len(lines) for lines in expected.values())
    seqs = {t.id: t.seq for t in open_window.doc.tasks}
    parsed_seqs = {t.id: t.seq for t in parsed.tasks}
    assert {seqs[row.task_id] for row in rows} == {parsed_seqs[tid] for tid in expected}
    assert "需要核对" in open_window.statusBar().currentMessage()


def test_a_doubt_jumps_to_its_task_and_is_confirmed_with_undo(open_window, qtbot, tmp_path: Path) -> None:
    panel = imported(open_window, qtbot, tmp_path)
    before = len(panel.model.rows)
    panel.select_row(0)
    item = panel.current_item()
    panel.go_to_current()
    assert open_window.current_task_id() == item.task_id
    assert panel.accept_current()
    assert open_window.undo_stack.undoText() == "核对导入存疑"
    assert item.id not in {i.id for i in open_window.ledger.reviews()}
    panel.refresh()
    assert len(panel.model.rows) == before - 1
    open_window.undo()
    panel.refresh()
    assert item.id in {row.id for row in panel.model.rows} and len(panel.model.rows) == before


def test_a_plan_without_doubts_opens_no_list(open_window, qtbot, tmp_path: Path) -> None:
    plan = tmp_path / "要点.txt"
    plan.write_text("一、公开\n1. 做好政府信息公开工作。（牵头单位：县政府办；完成时限：2023年12月底）\n", encoding="utf-8")
    assert not read_plan(plan).doubts
    target = tmp_path / "无存疑.ledger"
    actions.start_import(open_window, plan, target)
    qtbot.waitUntil(lambda: not open_window.jobs.busy and open_window.ledger.path == target, timeout=30_000)
    panel = open_window.findChild(ReviewPanel)
    assert panel is None or not panel.isVisible()
