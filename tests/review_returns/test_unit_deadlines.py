"""A unit's own deadline where deadlines count: the printed 完成时限, the overview, the 督办 notice."""

from __future__ import annotations

from datetime import date, datetime

from app.core.deadlines_unit import deadline_cell, task_state_with_units
from app.core.dispatch import REVIEW_EXTENSION
from app.core.overview_stats import compute_overview
from app.core.records import Deadline, Task, UnitDeadline
from app.core.status import STATE_DONE, STATE_ON_TRACK, STATE_OVERDUE
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO
from app.ledger import Ledger
from app.notices import supervise_notice
from tests.review_returns.helpers import ROUND1, UNIT, cli, fill_xlsx, merge_json, reviews, sheet_for, task_of

PLANNED = Deadline("2023年12月底", date(2023, 12, 31), "date")
AS_OF = date(2024, 1, 15)


def granted(task_id: str, unit: str, day: date) -> UnitDeadline:
    return UnitDeadline(task_id, unit, Deadline(f"{day.year}年{day.month}月{day.day}日", day, "date"), PLANNED,
                        "资金未到位", datetime(2024, 1, 2, 9, 0))


def test_deadline_cell_one_unit_several_units_none():
    alone = Task("t1", "1", lead_units=["县民政局"], deadline=PLANNED)
    pair = Task("t2", "2", lead_units=["县民政局", "县医保局"], coop_units=["县财政局"], deadline=PLANNED)
    marks = {("t1", "县民政局"): granted("t1", "县民政局", date(2024, 3, 31)),
             ("t2", "县医保局"): granted("t2", "县医保局", date(2024, 2, 29)),
             ("t2", "县民政局"): granted("t2", "县民政局", date(2024, 6, 30))}
    assert deadline_cell(alone, marks) == "原定2023年12月底，经批准延期至2024年3月31日"
    assert deadline_cell(pair, marks) == ("原定2023年12月底，县民政局经批准延期至2024年6月30日，"
                                          "县医保局经批准延期至2024年2月29日")
    assert deadline_cell(Task("t3", "3", lead_units=["县民政局"], deadline=PLANNED), marks) == "2023年12月底"
    assert deadline_cell(alone, {}) == "2023年12月底"


def test_task_state_counts_each_lead_unit_by_its_own_deadline():
    pair = Task("t2", "2", lead_units=["县民政局", "县医保局"], deadline=PLANNED)
    one = {("t2", "县民政局"): granted("t2", "县民政局", date(2024, 6, 30))}
    both = {**one, ("t2", "县医保局"): granted("t2", "县医保局", date(2024, 6, 30))}
    assert task_state_with_units(pair, [], {}, as_of=AS_OF) == STATE_OVERDUE
    assert task_state_with_units(pair, [], one, as_of=AS_OF) == STATE_OVERDUE  # 县医保局 is still late
    assert task_state_with_units(pair, [], both, as_of=AS_OF) == STATE_ON_TRACK
    from app.core.records import Progress

    done = [Progress("t2", u, ROUND1, status="已完成") for u in ("县民政局", "县医保局")]
    assert task_state_with_units(pair, done, both, as_of=AS_OF) == STATE_DONE


def _approved(capsys, ledger, tmp_path, seq: str, unit: str = UNIT) -> None:
    sheet = sheet_for(capsys, ledger, tmp_path / f"out{seq}{unit}", ROUND1, unit=unit)
    back = fill_xlsx(sheet, {seq: {"状态": "进行中", EXTENSION_TO: "2024-06-30", EXTENSION_REASON: "资金未到位"}},
                     tmp_path / f"back{seq}{unit}" / sheet.name)
    merge_json(capsys, ledger, back)
    [item] = [i for i in reviews(ledger, REVIEW_EXTENSION) if i.state == "open"]
    assert cli(capsys, "review", ledger, "--accept", item.id)[0] == 0


def _line(overview, unit):
    [row] = [r for r in overview.by_unit if r.unit == unit]
    return row


def test_overview_and_notice_use_the_units_own_deadline(capsys, ledger, tmp_path):
    task = task_of(ledger, "3")  # led by 县民政局 and 县医保局, due 2023年12月底
    with Ledger.open(ledger, readonly=True) as opened:
        doc = opened.document()
        before = compute_overview(doc, as_of=AS_OF)
        notice = supervise_notice(opened, as_of=AS_OF, units=[UNIT], doc=doc)
    assert before.states[task.id] == STATE_OVERDUE
    listed = [t.task_id for u in notice.units for t in u.tasks]
    assert task.id in listed

    _approved(capsys, ledger, tmp_path, "3")
    with Ledger.open(ledger, readonly=True) as opened:
        doc = opened.document()
        after = compute_overview(doc, as_of=AS_OF)
        notice = supervise_notice(opened, as_of=AS_OF, units=[UNIT], doc=doc)
        window_doc = opened.snapshot(progress=False)
    assert (task.id, UNIT) in doc.unit_deadlines and (task.id, UNIT) in window_doc.unit_deadlines
    mine, theirs = _line(after, UNIT), _line(before, UNIT)
    assert (mine.overdue, mine.in_progress) == (theirs.overdue - 1, theirs.in_progress + 1)
    assert _line(after, "县医保局") == _line(before, "县医保局")
    assert after.states[task.id] == STATE_OVERDUE  # 县医保局 has no extension
    assert task.id not in [t.task_id for u in notice.units for t in u.tasks]

    # once 县医保局 has one too the task is on track; the notice on a later day prints the own deadline
    _approved(capsys, ledger, tmp_path, "3", unit="县医保局")
    with Ledger.open(ledger, readonly=True) as opened:
        doc = opened.document()
        assert compute_overview(doc, as_of=AS_OF).states[task.id] == STATE_ON_TRACK
        later = supervise_notice(opened, as_of=date(2024, 6, 20), units=[UNIT], doc=doc)
    [row] = [t for u in later.units for t in u.tasks if t.task_id == task.id]
    assert row.deadline == "2024年6月30日（经批准延期，原定2023年12月底）" and row.days == 10


def test_stats_cli_counts_the_extension(capsys, ledger, tmp_path):
    code, out, _ = cli(capsys, "stats", ledger, "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0
    import json

    def overdue_of(data):
        rows = data.get("by_unit") or data.get("units")
        [row] = [r for r in rows if r.get("unit") == UNIT]
        return row["overdue"]

    before = overdue_of(json.loads(out))
    _approved(capsys, ledger, tmp_path, "3")
    code, out, _ = cli(capsys, "stats", ledger, "--as-of", AS_OF.isoformat(), "--json")
    assert overdue_of(json.loads(out)) == before - 1
