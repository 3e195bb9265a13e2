"""Unit scores computed as the weights say: the ledger of tests/scores/scenario.py scored number by
number from the weights, a changed weight moving each score by exactly that, the rules at their edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.core.records import Deadline, LedgerDocument, Progress, Round, Task, Unit, UnitDeadline
from app.core.scores import (
    DEFAULT_WEIGHTS,
    HELD,
    LATE,
    MISSING,
    NOT_SENT,
    ON_TIME,
    RETURNED,
    SENT,
    ReturnFact,
    ScoreWeights,
    WeightError,
    compute_scores,
    led_pairs,
    ranks,
    return_state,
)
from app.dispatch_status import HELD as DS_HELD
from app.dispatch_status import NOT_SENT as DS_NOT_SENT
from app.dispatch_status import RETURNED as DS_RETURNED
from app.dispatch_status import SENT as DS_SENT
from app.errors import LedgerError
from app.ledger import Ledger
from app.scores import WEIGHTS_SETTING, read_weights, score_table, set_weights
from tests.scores.scenario import BANGONGSHI, MINZHENG, R1, R2, SIFA


def score(w: ScoreWeights, state: str, done: int = 0, overdue: int = 0, rework: int = 0) -> float:
    return getattr(w, state) + done * w.done + overdue * w.overdue + rework * w.rework


def expected(w: ScoreWeights) -> dict[tuple[str, str], tuple[str, int, int, int, float]]:
    """What the scenario's returns and entries are worth under `w`, row by row (see scenario.py)."""
    return {
        (MINZHENG, R1): (ON_TIME, 1, 0, 0, score(w, "on_time", done=1)),  # task 1 已完成; task 4 not due
        (SIFA, R1): (ON_TIME, 0, 1, 1, score(w, "on_time", overdue=1, rework=1)),  # task 2 past, 进行中; returned
        (BANGONGSHI, R1): (MISSING, 0, 0, 0, score(w, "missing")),  # task 3 long-term: never overdue
        (MINZHENG, R2): (LATE, 2, 0, 0, score(w, "late", done=2)),
        (SIFA, R2): (MISSING, 0, 1, 0, score(w, "missing", overdue=1)),  # latest report still 进行中
        (BANGONGSHI, R2): (LATE, 1, 0, 0, score(w, "late", done=1)),  # task 1 as 配合 counts as done
    }


def rows(table) -> dict[tuple[str, str], tuple]:
    return {(r.unit, r.round): (r.state, r.done, r.overdue, r.rework, r.score) for r in table.rows}


def test_dispatch_states_are_those_of_the_returns_dashboard() -> None:
    assert (SENT, RETURNED, HELD, NOT_SENT) == (DS_SENT, DS_RETURNED, DS_HELD, DS_NOT_SENT)


def test_scores_follow_the_default_weights_number_by_number(scenario) -> None:
    with Ledger.open(scenario.path, readonly=True) as ledger:
        table = score_table(ledger, as_of=scenario.today)
    w = ScoreWeights()
    assert w.to_json() == DEFAULT_WEIGHTS == {"on_time": 10, "late": 5, "missing": 0, "done": 2, "overdue": -2,
                                              "rework": -1}
    assert rows(table) == expected(w)
    assert [r.unit for r in table.rows_of(R1)] == [MINZHENG, SIFA, BANGONGSHI]  # the directory's order
    assert [(r.name, r.due) for r in table.rounds] == [(R1, scenario.today + timedelta(days=10)),
                                                        (R2, scenario.today - timedelta(days=1))]
    totals = {t.unit: t for t in table.totals}
    for unit in (MINZHENG, SIFA, BANGONGSHI):
        assert totals[unit].score == expected(w)[(unit, R1)][4] + expected(w)[(unit, R2)][4]
    assert [t.unit for t in table.totals] == [MINZHENG, BANGONGSHI, SIFA]  # 21, 7, 5: highest first
    assert (totals[SIFA].on_time, totals[SIFA].late, totals[SIFA].missing, totals[SIFA].overdue,
            totals[SIFA].rework) == (1, 0, 1, 2, 1)
    returned = [r for r in table.rows if r.state in (ON_TIME, LATE)]
    assert all(r.returned_at is not None and r.returned_at.date() == date.today() for r in returned)


@pytest.mark.parametrize(("key", "value"), [("on_time", 7), ("late", 1), ("missing", -3), ("done", 5),
                                            ("overdue", -4), ("rework", -2.5)])
def test_changing_one_weight_moves_each_score_by_exactly_that(scenario, key, value) -> None:
    with Ledger.open(scenario.path) as ledger:
        before = score_table(ledger, as_of=scenario.today)
        changes = set_weights(ledger, {key: value})
        assert changes.batch_id and changes.meta
        after = score_table(ledger, as_of=scenario.today)
    assert after.weights == ScoreWeights().replace_with({key: value})
    delta = value - DEFAULT_WEIGHTS[key]
    old, new = rows(before), rows(after)
    for pair, (state, done, overdue, rework, points) in old.items():
        count = {"on_time": state == ON_TIME, "late": state == LATE, "missing": state == MISSING, "done": done,
                 "overdue": overdue, "rework": rework}[key]
        assert new[pair][4] == pytest.approx(points + count * delta), pair
        assert new[pair][:4] == (state, done, overdue, rework)
    assert rows(after) == expected(after.weights)


def test_weights_by_chinese_name_are_kept_in_the_ledger_and_undo(scenario) -> None:
    with Ledger.open(scenario.path) as ledger:
        changes = set_weights(ledger, {"按时报送": "8", "每项退回修改": -1.5})
        assert ledger.setting(WEIGHTS_SETTING) == {**DEFAULT_WEIGHTS, "on_time": 8, "rework": -1.5}
        assert read_weights(ledger).on_time == 8
        assert set_weights(ledger, {"on_time": 8}).empty  # nothing new: no batch
        ledger.undo_batches([changes.batch_id])
        assert ledger.setting(WEIGHTS_SETTING) is None and read_weights(ledger) == ScoreWeights()


@pytest.mark.parametrize(("changes", "message"), [
    ({"按时": 3}, "考核权重“按时”不存在"),
    ({"按时报送": "十分"}, "考核权重“按时报送”的值“十分”不是数字"),
    ({"done": True}, "考核权重“每项完成”的值“True”不是数字"),
    ({"overdue": float("nan")}, "不是数字"),
    ({"late": 5000}, "超出范围"),
])
def test_bad_weights_are_refused_whole(scenario, changes, message) -> None:
    with Ledger.open(scenario.path) as ledger:
        with pytest.raises(LedgerError, match=message):
            set_weights(ledger, {"on_time": 9, **changes})
        assert ledger.setting(WEIGHTS_SETTING) is None  # the good one was not written either


def test_a_damaged_setting_is_named_and_a_new_one_replaces_it(scenario) -> None:
    with Ledger.open(scenario.path) as ledger:
        ledger.set_setting(WEIGHTS_SETTING, {"on_time": "很多", "bonus": 3})
        with pytest.raises(LedgerError, match="台账中的考核权重设置有误"):
            score_table(ledger, as_of=scenario.today)
        set_weights(ledger, {"on_time": 9})
        assert read_weights(ledger) == ScoreWeights(on_time=9)
        ledger.set_setting(WEIGHTS_SETTING, [1, 2])
        with pytest.raises(LedgerError, match="应为"):
            read_weights(ledger)


def test_one_round_only_and_an_unknown_round(scenario) -> None:
    with Ledger.open(scenario.path, readonly=True) as ledger:
        table = score_table(ledger, as_of=scenario.today, round_name=R2)
        assert [r.name for r in table.rounds] == [R2] and {r.round for r in table.rows} == {R2}
        assert {t.unit: t.score for t in table.totals} == {u: expected(ScoreWeights())[(u, R2)][4]
                                                           for u in (MINZHENG, SIFA, BANGONGSHI)}
        with pytest.raises(LedgerError, match="报送轮次“第九次报送”不存在"):
            score_table(ledger, as_of=scenario.today, round_name="第九次报送")


def test_an_approved_extension_moves_the_units_deadline(scenario) -> None:
    """县司法局 asked for 30 more days on task 2 and got them: no longer overdue in either round."""
    later = scenario.today + timedelta(days=30)
    granted = UnitDeadline(scenario.task_ids["2"], SIFA, Deadline("延期", later, "date"),
                           original=Deadline("原定", scenario.today - timedelta(days=20), "date"))
    with Ledger.open(scenario.path) as ledger:
        items = [i for i in ledger.reviews(open_only=False) if i.kind == "rework"]
        ledger.settle_review(items[0].id, state="accepted", resolution="按现状采用", entries=[], conflicts=[],
                             deadlines=[granted])
        assert set(ledger.unit_deadlines()) == {(scenario.task_ids["2"], SIFA)}
        table = score_table(ledger, as_of=scenario.today)
    w = ScoreWeights()
    got = rows(table)
    assert got[(SIFA, R1)] == (ON_TIME, 0, 0, 1, score(w, "on_time", rework=1))  # a settled rework still counts
    assert got[(SIFA, R2)] == (MISSING, 0, 0, 0, score(w, "missing"))


def test_an_undone_merge_makes_the_return_missing_again(scenario) -> None:
    with Ledger.open(scenario.path) as ledger:
        merge = next(b for b in ledger.batches() if b.kind == "merge" and b.unit == MINZHENG and b.round == R2)
        from app.returns import undo_merge

        undo_merge(ledger, merge.meta.get("merge") or merge.id)
        table = score_table(ledger, as_of=scenario.today)
    got = rows(table)
    w = ScoreWeights()
    assert got[(MINZHENG, R2)] == (MISSING, 0, 0, 0, score(w, "missing"))


# ----- the rules at their edges, on plain records ------------------------------------------------

DAY = date(2024, 6, 30)


def _doc() -> LedgerDocument:
    doc = LedgerDocument(title="t")
    doc.units = [Unit("县甲局"), Unit("县乙局"), Unit("某镇", "township"), Unit("各部门（单位）", "group")]
    doc.rounds = [Round("一", DAY), Round("二", None)]
    doc.tasks = [Task("t1", "1", lead_units=["各部门（单位）"], coop_units=["县乙局"],
                      deadline=Deadline("x", date(2024, 6, 1), "date")),
                 Task("t2", "2", lead_units=["县甲局"], deadline=Deadline("长期", date(2024, 1, 1), "long_term")),
                 Task("t3", "3", lead_units=["县甲局"], deadline=Deadline("按上级要求", None, "per_superior"))]
    return doc


def test_a_group_leads_every_department_but_one_named_as_cooperating() -> None:
    assert led_pairs(_doc()) == [("t1", "各部门（单位）"), ("t1", "县甲局"), ("t2", "县甲局"), ("t3", "县甲局")]


def test_on_the_due_day_is_on_time_the_day_after_late() -> None:
    on_day = ReturnFact("县甲局", "一", RETURNED, datetime(2024, 6, 30, 23, 59))
    after = ReturnFact("县甲局", "一", RETURNED, datetime(2024, 7, 1, 0, 1))
    assert return_state(on_day, DAY) == ON_TIME and return_state(after, DAY) == LATE
    assert return_state(after, None) == ON_TIME  # no due date: nothing is late
    assert return_state(ReturnFact("县甲局", "一", HELD), DAY) == HELD
    assert return_state(ReturnFact("县甲局", "一", SENT), DAY) == MISSING
    assert return_state(ReturnFact("县甲局", "一", NOT_SENT), DAY) == NOT_SENT


def test_held_scores_as_missing_not_sent_scores_nothing_done_earlier_stays_done() -> None:
    w = ScoreWeights(missing=-5)
    returns = [ReturnFact("县甲局", "一", HELD), ReturnFact("县甲局", "二", NOT_SENT),
               ReturnFact("县乙局", "一", SENT), ReturnFact("县乙局", "二", SENT)]
    progress = [Progress("t1", "县甲局", "一", status="已完成", text="完成"),
                Progress("t1", "县甲局", "二", status="", text=""),  # a blank entry is no report
                Progress("unknown", "县甲局", "一", status="已完成")]  # a deleted task is not counted
    table = compute_scores(_doc(), progress, returns, weights=w, as_of=date(2024, 8, 1))
    got = {(r.unit, r.round): (r.state, r.done, r.overdue, r.score) for r in table.rows}
    assert got[("县甲局", "一")] == (HELD, 1, 0, -5 + 2)
    assert got[("县甲局", "二")] == (NOT_SENT, 0, 0, 0)  # done in 一 stays done; long-term and undated never late
    assert got[("县乙局", "一")] == (MISSING, 0, 0, -5)  # cooperating on t1: not overdue for it
    totals = {t.unit: t for t in table.totals}
    assert (totals["县甲局"].missing, totals["县甲局"].not_sent) == (1, 1)


def test_overdue_is_judged_on_the_rounds_day_or_today_when_earlier() -> None:
    doc = _doc()
    doc.tasks[0].deadline = Deadline("x", date(2024, 7, 15), "date")
    returns = [ReturnFact("县甲局", "一", SENT), ReturnFact("县甲局", "二", SENT)]
    early = compute_scores(doc, [], returns, weights=ScoreWeights(), as_of=date(2024, 7, 10))
    late = compute_scores(doc, [], returns, weights=ScoreWeights(), as_of=date(2024, 7, 20))
    assert [r.overdue for r in early.rows] == [0, 0]
    assert [r.overdue for r in late.rows] == [0, 1]  # round 一 was due 6-30, before the deadline
    own = compute_scores(doc, [], returns, weights=ScoreWeights(), as_of=date(2024, 7, 20),
                         unit_deadlines={("t1", "县甲局"): Deadline("y", date(2024, 8, 1), "date")})
    assert [r.overdue for r in own.rows] == [0, 0]


def test_weight_parsing_and_ranks() -> None:
    w = ScoreWeights.from_json({"按时报送": "＋12", "overdue": "−3"})
    assert (w.on_time, w.overdue, w.late) == (12, -3, 5)
    assert w.describe().startswith("按时报送 +12 分/轮；逾期报送 +5 分/轮")
    with pytest.raises(WeightError):
        ScoreWeights.from_json("10")
    assert ranks([21, 7, 7, 5]) == [1, 2, 2, 4]
