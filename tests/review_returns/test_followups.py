"""An approved 延期 where the rest of the ledger meets it: re-importing the exported table, renaming or
merging the unit, a per-unit JSON export, the window's refresh of the task, and sheets written through
`write_return_sheet` with notes."""

from __future__ import annotations

import json

import openpyxl
import pytest

from app.core.dispatch import REVIEW_EXTENSION
from app.errors import LedgerError
from app.formats.returns import write_return_sheet
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO, REWORK_NOTE
from app.ledger import Ledger
from tests.review_returns.helpers import ROUND1, UNIT, cli, fill_xlsx, merge_json, reviews, sheet_for, task_of

ASK = {"状态": "进行中", "进展落实情况": "方案已起草", EXTENSION_TO: "2024-03-31", EXTENSION_REASON: "资金未到位"}


@pytest.fixture
def granted(capsys, ledger, tmp_path):
    """The ledger with 县民政局's own deadline for task 3 (asked in its sheet, approved with review --accept)."""
    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1)
    merge_json(capsys, ledger, fill_xlsx(sheet, {"3": ASK}, tmp_path / "back" / sheet.name))
    [item] = reviews(ledger, REVIEW_EXTENSION)
    code, _out, err = cli(capsys, "review", ledger, "--accept", item.id)
    assert code == 0, err
    return ledger


def test_reimporting_the_exported_table_keeps_the_planned_deadline(granted, capsys, tmp_path):
    out = tmp_path / "台账.xlsx"
    assert cli(capsys, "export", granted, "-o", out)[0] == 0
    again = tmp_path / "再导入.ledger"
    code, _out, err = cli(capsys, "import", out, "-o", again)
    assert code == 0, err
    assert task_of(again, "3").deadline.text == task_of(granted, "3").deadline.text == "2023年12月底"


def test_renaming_the_unit_keeps_its_deadline_and_undo_puts_it_back(granted):
    task = task_of(granted, "3")
    with Ledger.open(granted) as ledger:
        changes = ledger.rename_unit(UNIT, "县民政事务局")
        assert set(ledger.unit_deadlines()) == {(task.id, "县民政事务局")}
        ledger.undo_batch(changes.batch_id)
        assert set(ledger.unit_deadlines()) == {(task.id, UNIT)}


def test_merging_the_unit_moves_its_deadline_and_refuses_two_for_one_task(granted):
    task = task_of(granted, "3")
    with Ledger.open(granted) as ledger:
        ledger.add_unit("县民政服务中心")
        ledger.merge_units(UNIT, "县民政服务中心")
        assert set(ledger.unit_deadlines()) == {(task.id, "县民政服务中心")}
    with Ledger.open(granted) as ledger:  # a second unit with its own deadline on the same task
        before = ledger.unit_deadlines()
        assert before  # (the granted one, now under the merged unit)
        ledger.add_unit("县甲局")
        with pytest.raises(LedgerError, match="都有经批准的延期"):
            _merge_with_clash(ledger, task.id)
        # refused whole: both units keep their own deadline, 县甲局 is still a unit
        assert set(ledger.unit_deadlines()) == set(before) | {(task.id, "县甲局")}
        assert "县甲局" in {u.name for u in ledger.units()}


def _merge_with_clash(ledger: Ledger, task_id: str) -> None:
    """Give 县甲局 its own deadline for the same task (as an approval would), then merge it into the holder."""
    from app.core.records import Deadline, UnitDeadline
    from app.store import deadlines as store_deadlines
    from app.store import operations as ops

    at = ops.now()
    with ledger._write() as session:
        batch = ops.new_batch(session, kind="edit", source="test", at=at)
        store_deadlines.write(session, UnitDeadline(task_id, "县甲局", Deadline("2024年5月31日", None, "date"),
                                                    Deadline("2023年12月底", None, "date")), batch, at)
    ledger.merge_units("县甲局", "县民政服务中心")


def test_per_unit_json_export_keeps_the_units_deadline(granted, capsys, tmp_path):
    out = tmp_path / "民政.json"
    code, _out, err = cli(capsys, "export", granted, "--format", "json", "--unit", UNIT, "-o", out)
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    [task] = [t for t in data["tasks"] if t["seq"] == "3"]
    assert [(d["unit"], d["deadline"]["date"]) for d in task["unit_deadlines"]] == [(UNIT, "2024-03-31")]


def test_the_approval_batch_names_the_task_for_the_window(granted):
    task = task_of(granted, "3")
    with Ledger.open(granted, readonly=True) as ledger:
        approval = [b for b in ledger.batches() if b.kind == "review"][-1]
        assert task.id in ledger.changes_of_batches([approval.id]).tasks


def test_write_return_sheet_with_notes_has_the_review_columns(ledger, tmp_path):
    with Ledger.open(ledger, readonly=True) as opened:
        doc = opened.document()
        round_name = doc.rounds[0].name
    task = task_of(ledger, "3")
    path = write_return_sheet(doc, UNIT, round_name, tmp_path, notes={task.id: "退回修改：请补充"})
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    names = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    assert {REWORK_NOTE, EXTENSION_TO, EXTENSION_REASON} <= set(names)
    note_col = names.index(REWORK_NOTE) + 1
    notes = {str(ws.cell(r, 1).value): ws.cell(r, note_col).value for r in range(header + 1, ws.max_row + 1)}
    assert notes["3"] == "退回修改：请补充"


def test_the_windows_plain_read_of_unit_deadlines_equals_the_orm_read(granted):
    from app.store import deadlines as store_deadlines
    from app.store import snapshot_read

    with Ledger.open(granted, readonly=True) as ledger, ledger._sessions() as session:
        plain, orm = snapshot_read.unit_deadlines(session), store_deadlines.read_all(session)
        assert plain == orm and len(plain) == 1
        assert ledger.snapshot(progress=False).unit_deadlines == orm
