"""延期申请: a unit asks for more time in its returned sheet; the clerk approves (own deadline) or declines."""

from __future__ import annotations

from datetime import date

import openpyxl

from app.core.dispatch import ACCEPTED, OPEN, REJECTED, REVIEW_EXTENSION
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO, REWORK_NOTE
from app.ledger import Ledger
from tests.review_returns.helpers import (
    ROUND1,
    ROUND2,
    UNIT,
    cli,
    cli_json,
    docx_rows,
    fill_docx,
    fill_xlsx,
    merge_json,
    reviews,
    sheet_for,
    task_of,
    xlsx_rows,
)

ASK = {"状态": "进行中", "进展落实情况": "已完成方案起草，待资金到位", EXTENSION_TO: "2024-03-31",
       EXTENSION_REASON: "配套资金尚未下达"}


def _asked(capsys, ledger, tmp_path, fills):
    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1)
    back = fill_xlsx(sheet, fills, tmp_path / "back" / sheet.name)
    return merge_json(capsys, ledger, back)


def test_sheet_has_review_columns_after_the_hidden_id_column(capsys, ledger, tmp_path):
    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1)
    ws = openpyxl.load_workbook(sheet).worksheets[0]
    header, rows = xlsx_rows(sheet)
    assert header[:11] == ["序号", "重点工作", "主要内容", "量化指标", "本单位职责", "完成时限", "状态",
                           "进展落实情况", "完成日期", "佐证材料", "任务编号"]
    assert header[11:] == [REWORK_NOTE, EXTENSION_TO, EXTENSION_REASON]
    assert ws.column_dimensions["K"].hidden is True
    first = next(r for r in range(1, 30) if ws.cell(r, 1).value == "序号") + 1
    assert ws.cell(first, 12).protection.locked is True  # the office's note
    assert ws.cell(first, 13).protection.locked is False and ws.cell(first, 14).protection.locked is False
    assert all(r[REWORK_NOTE] is None for r in rows.values())  # nothing to say yet
    assert any("申请延期至" in (ws.cell(r, 1).value or "") for r in range(2, first))  # the instructions say how


def test_request_arrives_as_review_item_and_report_lists_it(capsys, ledger, tmp_path):
    report = _asked(capsys, ledger, tmp_path, {"3": ASK, "12": {EXTENSION_TO: "明年春天"}})
    [f] = report["files"]
    assert f["outcome"] == "merged" and f["rejected"] == 0
    by_seq = {e["seq"]: e for e in f["extensions"]}
    assert by_seq["3"] == {"row": by_seq["3"]["row"], "task_id": task_of(ledger, "3").id, "seq": "3",
                           "requested": "2024-03-31", "date": "2024-03-31", "reason": "配套资金尚未下达",
                           "readable": True}
    assert by_seq["12"]["readable"] is False and by_seq["12"]["requested"] == "明年春天"
    items = {i.task_id: i for i in reviews(ledger, REVIEW_EXTENSION)}
    asked = items[task_of(ledger, "3").id]
    assert (asked.state, asked.unit, asked.round, asked.extension_date) == (OPEN, UNIT, ROUND1, date(2024, 3, 31))
    assert asked.extension_reason == "配套资金尚未下达"
    odd = items[task_of(ledger, "12").id]
    assert odd.extension_date is None and odd.extension_to == "明年春天" and "不是可识别的日期" in odd.message
    # the row's own values were merged as any row
    data = cli_json(capsys, "review", ledger)
    [shown] = [i for i in data["items"] if i["id"] == asked.id]
    assert shown["extension"] == {"extension_to": "2024-03-31", "extension_date": "2024-03-31",
                                  "extension_reason": "配套资金尚未下达"}
    # the text report names both; a second merge of the same request does not ask twice
    code, out, _ = cli(capsys, "review", ledger)
    assert code == 0 and "申请延期至 2024-03-31，理由：配套资金尚未下达" in out


def test_same_request_again_is_not_registered_twice(capsys, ledger, tmp_path):
    _asked(capsys, ledger, tmp_path, {"3": ASK})
    sheet = sheet_for(capsys, ledger, tmp_path / "again", ROUND1)
    back = fill_xlsx(sheet, {"3": {**ASK, "进展落实情况": "方案已报审"}}, tmp_path / "back2" / sheet.name)
    [f] = merge_json(capsys, ledger, back)["files"]
    assert f["extensions"] == [] and any("已在待审核中" in m for m in f["messages"])
    assert len(reviews(ledger, REVIEW_EXTENSION)) == 1


def test_approve_writes_unit_deadline_shown_in_exports_and_undo_restores(capsys, ledger, tmp_path):
    _asked(capsys, ledger, tmp_path, {"3": ASK})
    [item] = reviews(ledger, REVIEW_EXTENSION)
    task = task_of(ledger, "3")
    code, out, err = cli(capsys, "review", ledger, "--accept", item.id)
    assert code == 0, err
    assert "已批准延期至2024年3月31日" in out
    with Ledger.open(ledger, readonly=True) as opened:
        granted = opened.unit_deadlines()
        assert opened.review(item.id).state == ACCEPTED
        approval = [b for b in opened.batches() if b.kind == "review"][-1]
        logged = opened.changes_of_batch(approval.id)
    got = granted[(task.id, UNIT)]
    assert (got.deadline.date, got.deadline.text, got.original.text, got.reason, got.review_id) == (
        date(2024, 3, 31), "2024年3月31日", "2023年12月底", "配套资金尚未下达", item.id)
    assert [c["entity"] for c in logged] == ["unit_deadline"]
    assert task_of(ledger, "3").deadline.text == "2023年12月底"  # the plan's deadline stays

    # the standard table: "原定…，<unit>经批准延期至…" (task 3 has two lead units)
    expected = "原定2023年12月底，县民政局经批准延期至2024年3月31日"
    out_xlsx = tmp_path / "台账.xlsx"
    assert cli(capsys, "export", ledger, "-o", out_xlsx)[0] == 0
    ws = openpyxl.load_workbook(out_xlsx).worksheets[0]
    found = [ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)
             if isinstance(ws.cell(r, c).value, str) and "经批准延期至" in ws.cell(r, c).value]
    assert found == [expected]
    out_docx = tmp_path / "台账.docx"
    assert cli(capsys, "export", ledger, "-o", out_docx)[0] == 0
    import docx

    word = docx.Document(str(out_docx))
    cells = {c.text for t in word.tables for row in t.rows for c in row.cells if "经批准延期至" in c.text}
    assert cells == {expected}
    out_json = tmp_path / "台账.json"
    assert cli(capsys, "export", ledger, "-o", out_json)[0] == 0
    import json

    data = json.loads(out_json.read_text(encoding="utf-8"))
    [t3] = [t for t in data["tasks"] if t["id"] == task.id]
    assert t3["deadline"]["text"] == "2023年12月底"
    assert [(d["unit"], d["deadline"]["date"], d["original"]["text"]) for d in t3["unit_deadlines"]] == [
        (UNIT, "2024-03-31", "2023年12月底")]
    assert all(t["unit_deadlines"] == [] for t in data["tasks"] if t["id"] != task.id)

    # the unit's next sheet says so; undo of the approval takes the deadline away and opens the item again
    _header, rows = xlsx_rows(sheet_for(capsys, ledger, tmp_path / "r2", ROUND2))
    assert rows["3"][REWORK_NOTE] == "已批准延期至2024年3月31日"
    with Ledger.open(ledger) as opened:
        changes = opened.undo_batches([approval.id])
        assert task.id in changes.tasks
        assert opened.unit_deadlines() == {}
        assert opened.review(item.id).state == OPEN
    # approving again after the undo works (the redo of the window)
    assert cli(capsys, "review", ledger, "--accept", item.id)[0] == 0
    with Ledger.open(ledger, readonly=True) as opened:
        assert opened.unit_deadlines()[(task.id, UNIT)].deadline.date == date(2024, 3, 31)


def test_unreadable_date_cannot_be_approved_and_nothing_changes(capsys, ledger, tmp_path):
    _asked(capsys, ledger, tmp_path, {"12": {EXTENSION_TO: "明年春天", EXTENSION_REASON: "人手不足"}})
    [item] = reviews(ledger, REVIEW_EXTENSION)
    before = ledger.read_bytes()
    code, _out, err = cli(capsys, "review", ledger, "--accept", item.id)
    assert code != 0 and "Traceback" not in err
    assert "明年春天" in err and "不是可识别的日期" in err and len(err.strip().splitlines()) == 1
    assert ledger.read_bytes() == before
    assert reviews(ledger, REVIEW_EXTENSION)[0].state == OPEN


def test_declined_request_shows_in_next_sheet_once(capsys, ledger, tmp_path):
    _asked(capsys, ledger, tmp_path, {"3": ASK})
    [item] = reviews(ledger, REVIEW_EXTENSION)
    code, _out, err = cli(capsys, "review", ledger, "--return", item.id, "--reason", "年底前必须完成")
    assert code == 0, err
    assert reviews(ledger, REVIEW_EXTENSION)[0].state == REJECTED
    with Ledger.open(ledger, readonly=True) as opened:
        assert opened.unit_deadlines() == {}
    sheet = sheet_for(capsys, ledger, tmp_path / "r2", ROUND2)
    _header, rows = xlsx_rows(sheet)
    assert rows["3"][REWORK_NOTE] == "延期申请未同意：年底前必须完成"
    assert all(r[REWORK_NOTE] is None for seq, r in rows.items() if seq != "3")
    # the unit answers in its round-2 sheet: the note is not repeated after that
    back = fill_xlsx(sheet, {"3": {"状态": "进行中", "进展落实情况": "加快推进中", REWORK_NOTE: None}},
                     tmp_path / "back2" / sheet.name)
    [f] = merge_json(capsys, ledger, back)["files"]
    assert f["outcome"] == "merged" and f["rejected"] == 0 and f["applied"] == 1
    _header, rows = xlsx_rows(sheet_for(capsys, ledger, tmp_path / "r2b", ROUND2))
    assert rows["3"][REWORK_NOTE] is None


def test_docx_sheet_carries_the_columns_and_a_request(capsys, ledger, tmp_path):
    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1, fmt="docx")
    header, _rows = docx_rows(sheet)
    assert header[:10] == ["序号", "重点工作", "主要内容", "量化指标", "本单位职责", "完成时限", "状态",
                           "进展落实情况", "完成日期", "佐证材料"]
    assert header[10:] == [REWORK_NOTE, EXTENSION_TO, EXTENSION_REASON]
    back = fill_docx(sheet, {"3": {"状态": "进行中", EXTENSION_TO: "2024年3月底", EXTENSION_REASON: "设备未到货"}},
                     tmp_path / "back" / sheet.name)
    [f] = merge_json(capsys, ledger, back)["files"]
    assert f["outcome"] == "merged"
    assert [(e["seq"], e["date"], e["reason"]) for e in f["extensions"]] == [("3", "2024-03-31", "设备未到货")]


def test_header_variants_are_read(capsys, ledger, tmp_path):
    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1)
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    h = next(r for r in range(1, 30) if ws.cell(r, 1).value == "序号")
    ws.cell(h, 13).value, ws.cell(h, 14).value = "申请延期", "延期原因"
    wb.save(sheet)
    back = fill_xlsx(sheet, {"3": {"申请延期": "2024/4/30", "延期原因": "等待上级批复"}}, tmp_path / "b" / sheet.name)
    [f] = merge_json(capsys, ledger, back)["files"]
    assert [(e["date"], e["reason"]) for e in f["extensions"]] == [("2024-04-30", "等待上级批复")]


def test_reason_without_date_is_said_and_not_a_request(capsys, ledger, tmp_path):
    report = _asked(capsys, ledger, tmp_path, {"3": {EXTENSION_REASON: "资金未到位"}})
    [f] = report["files"]
    assert f["extensions"] == [] and reviews(ledger, REVIEW_EXTENSION) == []
    assert any("填了延期理由但没有填申请延期至" in m for m in f["messages"])


def test_old_layout_sheet_without_review_columns_merges_as_before(capsys, ledger, tmp_path):
    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1)
    wb = openpyxl.load_workbook(sheet)
    wb.worksheets[0].delete_cols(12, 3)  # the layout before the review columns: A..J and the hidden K
    wb.save(sheet)
    header, _ = xlsx_rows(sheet)
    assert header[-1] == "任务编号" and REWORK_NOTE not in header
    back = fill_xlsx(sheet, {"3": {"状态": "已完成", "进展落实情况": "已全部公开", "完成日期": "2023-09-01"}},
                     tmp_path / "back" / sheet.name)
    [f] = merge_json(capsys, ledger, back)["files"]
    assert (f["outcome"], f["applied"], f["rejected"], f["conflicts"], f["signature"]) == ("merged", 1, 0, 0,
                                                                                           "valid")
    assert f["extensions"] == [] and f["rework_fixed"] == [] and f["rework_unchanged"] == []
    with Ledger.open(ledger, readonly=True) as opened:
        entry = opened.progress_entry(task_of(ledger, "3").id, UNIT, ROUND1)
    assert (entry.status, entry.text, entry.done_date) == ("已完成", "已全部公开", date(2023, 9, 1))
