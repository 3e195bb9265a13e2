"""Task state as of a date, and the dashboard summaries built on it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.core.deadlines import parse_deadline
from app.core.records import Deadline, LedgerDocument, Progress, Round, Task, Unit
from app.core.status import (
    STATE_DONE,
    STATE_DUE_SOON,
    STATE_LABELS,
    STATE_LONG_TERM,
    STATE_NO_DEADLINE,
    STATE_ON_TRACK,
    STATE_OVERDUE,
    STATES,
    latest_progress,
    overdue_tasks,
    summarize_by_status,
    summarize_by_unit,
    task_state,
)

AS_OF = date(2023, 12, 1)
A, B = "县人民政府办公室", "县司法局"


def _task(deadline: str, leads=(A,), coops=(), tid="t1") -> Task:
    return Task(id=tid, seq="1", content="任务", lead_units=list(leads), coop_units=list(coops),
                deadline=parse_deadline(deadline, year=2023))


def _p(unit, status, rnd="第一次报送", at=None, tid="t1", text="") -> Progress:
    return Progress(task_id=tid, unit=unit, round=rnd, status=status, text=text, updated_at=at)


@pytest.mark.parametrize(
    ("deadline", "progress", "expected"),
    [
        ("2023年12月底", [], STATE_ON_TRACK),
        ("2023年12月10日前", [], STATE_DUE_SOON),
        ("2023年12月1日前", [], STATE_DUE_SOON),  # due today is not yet late
        ("2023年11月30日前", [], STATE_OVERDUE),
        ("2023年10月", [_p(A, "进行中")], STATE_OVERDUE),
        ("2023年10月", [_p(A, "已完成")], STATE_DONE),
        ("2023年12月底", [_p(A, "未按期完成")], STATE_OVERDUE),
        ("长期坚持", [], STATE_LONG_TERM),
        ("2018年6月30日前完成并长期坚持", [], STATE_LONG_TERM),  # milestone passed: still long-term
        ("2018年6月30日前完成并长期坚持", [_p(A, "已完成")], STATE_DONE),
        ("每季度", [], STATE_LONG_TERM),
        ("每年9月", [], STATE_OVERDUE),
        ("按照自治区、中卫市相关要求时限推进", [], STATE_NO_DEADLINE),
        ("县“两会”闭幕后5天内完成", [], STATE_NO_DEADLINE),
        ("", [], STATE_NO_DEADLINE),
        ("", [_p(A, "长期坚持")], STATE_LONG_TERM),
        ("2024年3月底", [_p(A, "长期坚持")], STATE_LONG_TERM),
    ],
)
def test_task_state(deadline, progress, expected):
    assert task_state(_task(deadline), progress, as_of=AS_OF) == expected


def test_task_state_needs_every_lead_unit_done():
    task = _task("2023年12月底", leads=(A, B))
    assert task_state(task, [_p(A, "已完成")], as_of=AS_OF) == STATE_ON_TRACK
    assert task_state(task, [_p(A, "已完成"), _p(B, "已完成")], as_of=AS_OF) == STATE_DONE
    # one unit's view
    assert task_state(task, [_p(A, "已完成")], as_of=AS_OF, units=[A]) == STATE_DONE


def test_task_state_without_lead_units_any_done_counts():
    task = _task("2023年10月", leads=())
    assert task_state(task, [_p(B, "进行中"), _p(A, "已完成")], as_of=AS_OF) == STATE_DONE
    assert task_state(task, [_p(B, "进行中")], as_of=AS_OF) == STATE_OVERDUE


def test_task_state_soon_days_window():
    task = _task("2023年12月20日前")
    assert task_state(task, [], as_of=AS_OF) == STATE_ON_TRACK
    assert task_state(task, [], as_of=AS_OF, soon_days=30) == STATE_DUE_SOON


def test_task_state_ignores_other_tasks_progress():
    assert task_state(_task("2023年10月"), [_p(A, "已完成", tid="other")], as_of=AS_OF) == STATE_OVERDUE


def test_latest_progress_by_round_then_time():
    rounds = ["第一次报送", "第二次报送"]
    early = _p(A, "已完成", "第一次报送", datetime(2023, 11, 1))
    later_round = _p(A, "进行中", "第二次报送", datetime(2023, 9, 1))
    assert latest_progress([early, later_round], A, rounds=rounds) is later_round
    newer = _p(A, "已完成", "第二次报送", datetime(2023, 12, 1))
    assert latest_progress([newer, later_round], A, rounds=rounds) is newer
    assert latest_progress([early, later_round], B, rounds=rounds) is None
    # without round order: latest updated_at
    assert latest_progress([early, later_round], A) is early


def test_latest_progress_skips_blank_entries():
    filled = _p(A, "已完成", "第一次报送")
    blank = _p(A, "", "第二次报送")
    assert latest_progress([filled, blank], A, rounds=["第一次报送", "第二次报送"]) is filled
    text_only = _p(A, "", "第二次报送", text="已上线专栏")
    assert latest_progress([filled, text_only], A, rounds=["第一次报送", "第二次报送"]) is text_only


def test_state_labels_cover_every_state():
    assert set(STATE_LABELS) == set(STATES)
    assert STATE_LABELS[STATE_OVERDUE] == "已逾期" and STATE_LABELS[STATE_NO_DEADLINE] == "无时限"


def _doc() -> LedgerDocument:
    tasks = [
        Task(id="t1", seq="1", lead_units=[A], coop_units=[B], deadline=parse_deadline("2023年10月")),
        Task(id="t2", seq="2", lead_units=[A, B], deadline=parse_deadline("2023年12月底")),
        Task(id="t3", seq="3", lead_units=[B], deadline=parse_deadline("长期坚持")),
        Task(id="t4", seq="4", lead_units=[B], deadline=parse_deadline("2023年12月5日前")),
        Task(id="t5", seq="5", lead_units=["各部门（单位）"], deadline=Deadline()),
        Task(id="t6", seq="6", lead_units=[A], deadline=parse_deadline("2023年6月底")),
    ]
    progress = [
        Progress(task_id="t2", unit=A, round="第一次报送", status="已完成"),
        Progress(task_id="t2", unit=B, round="第一次报送", status="进行中"),
        Progress(task_id="t6", unit=A, round="第一次报送", status="进行中"),
        Progress(task_id="t6", unit=A, round="第二次报送", status="已完成"),
    ]
    return LedgerDocument(title="测试台账", year=2023, tasks=tasks, progress=progress,
                          units=[Unit(A), Unit(B), Unit("县财政局")],
                          rounds=[Round("第一次报送"), Round("第二次报送")])


def test_summarize_by_status():
    counts = summarize_by_status(_doc(), as_of=AS_OF)
    assert list(counts) == list(STATES)
    assert counts == {STATE_DONE: 1, STATE_ON_TRACK: 1, STATE_DUE_SOON: 1, STATE_OVERDUE: 1,
                      STATE_LONG_TERM: 1, STATE_NO_DEADLINE: 1}


def test_summarize_by_unit():
    rows = {r.unit: r for r in summarize_by_unit(_doc(), as_of=AS_OF)}
    assert list(rows) == [A, B, "县财政局", "各部门（单位）"]
    a, b = rows[A], rows[B]
    assert (a.led, a.cooperating, a.done, a.in_progress, a.overdue, a.long_term) == (3, 0, 2, 0, 1, 0)
    assert (b.led, b.cooperating, b.done, b.in_progress, b.overdue, b.long_term) == (3, 1, 0, 2, 0, 1)
    assert b.due_soon == 1
    assert rows["县财政局"].led == 0
    for r in rows.values():
        assert r.led == r.done + r.in_progress + r.overdue + r.long_term


def test_overdue_tasks_most_overdue_first():
    doc = _doc()
    doc.tasks.append(Task(id="t7", seq="7", lead_units=[B], deadline=parse_deadline("2023年3月底")))
    doc.progress.append(Progress(task_id="t5", unit="各部门（单位）", round="第一次报送", status="未按期完成"))
    assert [t.id for t in overdue_tasks(doc, as_of=AS_OF)] == ["t7", "t1", "t5"]
    assert overdue_tasks(doc, as_of=date(2023, 1, 1)) == [t for t in doc.tasks if t.id == "t5"]
