"""完成并生成回收文件: the checklist, the return file merged by the clerk's `ledgerdesk merge`, the xlsx copy."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timezone

import openpyxl
import pytest

from app.formats.returns.liaison import MEMBER
from app.ledger import Ledger
from app.liaison_finish import checklist_lines
from app.liaison_session import Entry, LiaisonSession
from tests.liaison_mode.conftest import ROUND_2
from tests.merge_fixtures import UNIT, progress_of, run_main

AFTER_DEADLINE = date(2024, 1, 2)  # the dated tasks of seed 000 end 2023年12月底
FINISHED = datetime(2024, 1, 2, 9, 0, tzinfo=timezone.utc)


def filled(sent) -> LiaisonSession:
    """Every task given a status; task 3 done, task 4 late with a reason, the rest 进行中 as sent last time."""
    session = LiaisonSession.open(sent.package)
    entries = {t.task_id: Entry("进行中") for t in session.tasks()}
    entries[sent.ids["3"]] = Entry("已完成", "已推送社会救助政策12条", "2023/12/20", "推送截图.png")
    entries[sent.ids["4"]] = Entry("进行中", "资金未到位，已申请延期", extension_to="2024-03-31", extension_reason="等待拨款")
    session.set_entries(entries)
    session.set_contact("李强", "13900000000")
    return session


def test_checklist_names_tasks_without_status_then_overdue_ones_without_explanation(sent):
    session = LiaisonSession.open(sent.package)
    session.set_entries({sent.ids["1"]: Entry("进行中"), sent.ids["2"]: Entry("未按期完成", "设备未到，正在采购"),
                         sent.ids["3"]: Entry("已完成", "完成"), sent.ids["4"]: Entry("进行中", extension_reason="等待拨款")})
    lines = checklist_lines(session, AFTER_DEADLINE)
    assert lines == session.checklist(AFTER_DEADLINE)
    no_status = [line for line in lines if line.endswith("还没有选择状态")]
    assert len(no_status) == 32 and no_status[0].startswith("序号5“")  # 36 tasks, four with a status
    overdue = [line for line in lines if "已超过完成时限" in line]
    assert overdue == [next(line for line in lines if line.startswith("序号1“"))]  # 2, 3, 4 are explained or done
    assert "2023年12月底" in overdue[0] and "说明原因" in overdue[0]
    assert lines[-1] == "还没有填写填报人和联系电话"
    assert lines.index(no_status[-1]) < lines.index(overdue[0])
    assert checklist_lines(session, date(2023, 12, 1)).count(overdue[0]) == 0  # before the deadline: not late


def test_checklist_is_empty_once_everything_is_filled(sent):
    session = filled(sent)
    assert session.checklist(date(2023, 12, 1)) == []
    late = session.checklist(AFTER_DEADLINE)  # everything 进行中 with the text sent is late and unexplained now
    assert late and all("已超过完成时限" in line for line in late)
    assert not any(line.startswith(("序号3“", "序号4“", "序号7“")) for line in late)  # done, explained, 长期坚持


def test_the_return_file_merges_into_the_ledger_under_the_unit(sent, capsys):
    session = filled(sent)
    result = session.finish(today=AFTER_DEADLINE, now=FINISHED)
    assert result.folder == sent.folder / "报回文件"
    assert result.return_file == result.folder / f"{UNIT}_{ROUND_2}_报回.ldpkg"
    assert result.xlsx_copy is None and result.evidence_dir is None
    with zipfile.ZipFile(result.return_file) as archive:
        returned = json.loads(archive.read(MEMBER))
    assert returned["finished_at"] == "2024-01-02T09:00:00+00:00"
    assert returned["signature"] == session.data["signature"] and returned == session.data
    assert result.return_file.read_bytes() == sent.package.read_bytes()  # finished_at stamped in place too

    code, out, err = run_main(capsys, "merge", sent.ledger, result.return_file, "--json")
    assert code == 0, err
    [report] = json.loads(out)["files"]
    assert (report["outcome"], report["signature"], report["unit"], report["round"]) == ("merged", "valid", UNIT,
                                                                                          ROUND_2)
    assert report["applied"] == 36
    progress = progress_of(sent.ledger, UNIT, ROUND_2)
    assert progress["3"] == {"status": "已完成", "text": "已推送社会救助政策12条", "done_date": "2023-12-20",
                             "evidence": "推送截图.png"}
    assert progress["4"]["text"] == "资金未到位，已申请延期" and progress["5"]["status"] == "进行中"
    with Ledger.open(sent.ledger, readonly=True) as led:
        doc = led.document()
        [batch] = [b for b in led.batches() if b.kind == "merge"]
    mine = [p for p in doc.progress if p.round == ROUND_2]
    assert {p.unit for p in mine} == {UNIT} and len(mine) == 36
    assert {p.source for p in mine} == {result.return_file.name} and {p.reporter for p in mine} == {"李强"}
    assert (batch.source, batch.unit, batch.round) == (result.return_file.name, UNIT, ROUND_2)

    code, out, _err = run_main(capsys, "merge", sent.ledger, sent.package, "--json")  # the same bytes again
    assert json.loads(out)["files"][0]["outcome"] == "duplicate"


def test_extension_fields_reach_the_merge_as_the_sheet_columns(sent):
    from app.formats.returns import read_return_file
    from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO

    result = filled(sent).finish(today=AFTER_DEADLINE)
    sheet = read_return_file(result.return_file)
    row = next(r for r in sheet.rows if r.task_id == sent.ids["4"])
    assert (row.cells[EXTENSION_TO], row.cells[EXTENSION_REASON]) == ("2024-03-31", "等待拨款")
    assert EXTENSION_TO not in next(r for r in sheet.rows if r.task_id == sent.ids["3"]).cells
    assert EXTENSION_TO in sheet.columns and EXTENSION_REASON in sheet.columns


def test_evidence_travels_beside_the_return_file(sent, tmp_path):
    session = filled(sent)
    (tmp_path / "截图.png").write_bytes(b"\x89PNG evidence")
    [name] = session.attach(sent.ids["3"], [tmp_path / "截图.png"])
    out = tmp_path / "U盘"
    result = session.finish(out, today=AFTER_DEADLINE)
    assert result.folder == out and result.return_file.parent == out
    assert result.evidence_dir == out / f"{result.return_file.stem}_佐证材料"
    assert [p.name for p in result.evidence_dir.iterdir()] == [name]
    assert (result.evidence_dir / name).read_bytes() == b"\x89PNG evidence"
    assert name in LiaisonSession.open(result.return_file).entry(sent.ids["3"]).evidence


def test_the_xlsx_copy_is_a_plain_table_of_what_was_typed_kept_beside_the_package(sent):
    session = filled(sent)
    result = session.finish(xlsx_copy=True, today=AFTER_DEADLINE)
    assert result.xlsx_copy == sent.folder / f"{UNIT}_{ROUND_2}_本单位留存.xlsx"
    assert result.xlsx_copy.parent != result.folder  # not in the folder that goes back
    ws = openpyxl.load_workbook(result.xlsx_copy).active
    assert "不用于报送" in ws["A1"].value and UNIT in ws["A1"].value
    assert "李强" in ws["A2"].value and "13900000000" in ws["A2"].value
    headers = [c.value for c in ws[3]]
    assert headers[:8] == ["序号", "主要内容", "本单位职责", "完成时限", "状态", "进展落实情况", "完成日期", "佐证材料"]
    rows = {r[0]: dict(zip(headers, r)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == 36
    tasks = {t.seq: t for t in session.tasks()}
    assert rows["3"]["主要内容"] == tasks["3"].content and rows["3"]["状态"] == "已完成"
    assert (rows["3"]["完成日期"], rows["3"]["佐证材料"]) == ("2023-12-20", "推送截图.png")
    assert (rows["4"]["申请延期至"], rows["4"]["延期理由"]) == ("2024-03-31", "等待拨款")
    assert rows["7"]["完成时限"] == "长期坚持"


def test_finishing_a_return_file_opened_from_its_folder_writes_it_in_place(sent):
    first = filled(sent).finish(today=AFTER_DEADLINE)
    again = LiaisonSession.open(first.return_file)
    again.set_entry(sent.ids["5"], Entry("已完成", "补报"))
    second = again.finish(today=AFTER_DEADLINE)
    assert second.return_file == first.return_file and second.folder == first.folder
    assert [p.name for p in first.folder.iterdir()] == [first.return_file.name]
    assert LiaisonSession.open(first.return_file).entry(sent.ids["5"]).text == "补报"


def test_a_file_where_the_folder_should_be_is_refused(sent):
    from app.errors import InputError

    (sent.folder / "报回文件").write_text("not a folder")
    with pytest.raises(InputError) as info:
        filled(sent).finish(today=AFTER_DEADLINE)
    assert str(info.value).startswith("报回文件：") and "不是文件夹" in str(info.value)


def test_checklist_names_a_task_returned_for_rework_until_it_is_changed(sent, tmp_path):
    from app.formats.returns.liaison import write_liaison_file

    with Ledger.open(sent.ledger, readonly=True) as led:
        path = write_liaison_file(led.document(), UNIT, ROUND_2, tmp_path, rework={sent.ids["3"]: "请补充推送数量"})
    session = LiaisonSession.open(path)
    session.set_entries({t.task_id: Entry("进行中", "推进") for t in session.tasks() if t.task_id != sent.ids["3"]})
    session.set_contact("李强", "13900000000")
    label = "序号3“加密社会救助、医疗保险等重点民生政策……”"
    assert session.checklist(date(2023, 12, 1)) == [f"{label}：还没有选择状态",
                                                    f"{label}：办公室退回修改（请补充推送数量），还没有修改"]
    session.set_entry(sent.ids["3"], Entry("进行中", "已推送12条"))
    assert session.checklist(date(2023, 12, 1)) == []
