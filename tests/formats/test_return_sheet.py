"""The return sheet as written: layout, protection, drop-down, hidden data; and read back."""

from __future__ import annotations

import docx
import openpyxl
import pytest

from app.core.records import STATUSES, Deadline, LedgerDocument, Progress, Round, Task, Unit
from app.errors import InputError
from app.formats.returns import (
    FORMAT_TAG,
    HEADERS,
    ID_HEADER,
    META_SHEET,
    read_return_file,
    safe_file_name,
    write_return_sheet,
)


def write_return_sheet_xlsx(*args, **kw):
    return write_return_sheet(*args, fmt="xlsx", **kw)


def write_return_sheet_docx(*args, **kw):
    return write_return_sheet(*args, fmt="docx", **kw)


def small_doc() -> LedgerDocument:
    doc = LedgerDocument(title="测试台账", year=2023, ledger_id="L-1")
    doc.units = [Unit("县民政局"), Unit("县司法局"), Unit("各部门（单位）", "group")]
    doc.rounds = [Round("第一次报送")]
    doc.tasks = [
        Task("t1", "1", key_work="围绕民生", content="加密社会救助政策推送。", lead_units=["县民政局"],
             deadline=Deadline("2023年12月底")),
        Task("t2", "2", content="推动法治政府建设信息公开。", lead_units=["县司法局"], coop_units=["县民政局"]),
        Task("t3", "3", content="各部门加强业务指导。", lead_units=["各部门（单位）"]),
    ]
    doc.progress = [Progress("t1", "县民政局", "第一次报送", status="进行中", text="已推送3条")]
    return doc


def test_xlsx_sheet_layout_protection_dropdown_and_hidden_data(tmp_path):
    path = write_return_sheet_xlsx(small_doc(), "县民政局", "第一次报送", tmp_path)
    assert path.name == "县民政局_第一次报送.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    assert header > 1 and "填报说明" in ws.cell(2, 1).value
    assert [ws.cell(header, c).value for c in range(1, len(HEADERS) + 2)] == [*HEADERS, ID_HEADER]
    rows = [[ws.cell(r, c).value for c in range(1, len(HEADERS) + 2)] for r in range(header + 1, ws.max_row + 1)]
    assert [(r[0], r[4], r[6], r[7], r[10]) for r in rows] == [("1", "牵头", "进行中", "已推送3条", "t1"),
                                                              ("2", "配合", None, None, "t2"),
                                                              ("3", "牵头（各部门（单位））", None, None, "t3")]
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws.cell(header + 1, 3).protection.locked is True
    assert all(ws.cell(header + 1, c).protection.locked is False for c in (7, 8, 9, 10))
    assert ws.column_dimensions["K"].hidden is True
    [dv] = [d for d in ws.data_validations.dataValidation if d.type == "list"]
    assert dv.formula1 == '"' + ",".join(STATUSES) + '"' and f"G{header + 1}" in str(dv.sqref)
    meta = wb[META_SHEET]
    assert meta.sheet_state == "hidden" and meta["A1"].value == FORMAT_TAG
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(2, 6)} == {
        "ledger_id": "L-1", "unit": "县民政局", "round": "第一次报送", "header_row": str(header)}


def test_group_tasks_are_included_by_default_and_left_out_on_request(tmp_path):
    doc = small_doc()
    grouped = read_return_file(write_return_sheet_xlsx(doc, "县民政局", "第一次报送", tmp_path))
    assert [(r.cells["序号"], r.cells["本单位职责"]) for r in grouped.rows] == [
        ("1", "牵头"), ("2", "配合"), ("3", "牵头（各部门（单位））")]
    (tmp_path / "plain").mkdir()
    plain = read_return_file(write_return_sheet_xlsx(doc, "县民政局", "第一次报送", tmp_path / "plain",
                                                     include_groups=False))
    assert [r.cells["序号"] for r in plain.rows] == ["1", "2"]


def test_xlsx_reads_back_with_hidden_data(tmp_path):
    sheet = read_return_file(write_return_sheet_xlsx(small_doc(), "县民政局", "第一次报送", tmp_path))
    assert (sheet.hidden, sheet.ledger_id, sheet.unit, sheet.round) == (True, "L-1", "县民政局", "第一次报送")
    assert [r.task_id for r in sheet.rows] == ["t1", "t2", "t3"]
    assert sheet.sent["t1"].base.status == "进行中" and sheet.sent["t2"].base.empty
    assert sheet.sent["t1"].row == sheet.rows[0].row


def test_docx_sheet_has_the_table_and_hidden_ids(tmp_path):
    path = write_return_sheet_docx(small_doc(), "县民政局", "第一次报送", tmp_path)
    word = docx.Document(str(path))
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(HEADERS)
    assert table.rows[1].cells[0].text.startswith("1#ld:t1")
    assert word.core_properties.subject == FORMAT_TAG
    sheet = read_return_file(path)
    assert sheet.hidden and sheet.unit == "县民政局" and [r.task_id for r in sheet.rows] == ["t1", "t2", "t3"]
    assert sheet.rows[0].cells["序号"] == "1" and sheet.rows[0].cells["状态"] == "进行中"


def test_unsafe_characters_in_file_names_are_replaced():
    assert safe_file_name('县/局:甲*乙?_第1轮. ') == "县_局_甲_乙__第1轮"


@pytest.mark.parametrize("content", [b"", b"hello", b"\x89PNG\r\n\x1a\n"])
def test_unreadable_files_raise_input_error_naming_the_file(tmp_path, content):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_return_file(bad)
    assert str(info.value).startswith("坏文件.xlsx：")


def test_workbook_without_our_header_is_not_a_return_sheet(tmp_path):
    path = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(path)
    with pytest.raises(InputError, match="不是填报表"):
        read_return_file(path)


def test_saved_time_comes_from_the_file_properties_else_the_modification_time(tmp_path):
    import os
    import zipfile
    from datetime import datetime, timezone

    from app.formats.returns import saved_time

    when = datetime(2023, 9, 1, 8, 15, tzinfo=timezone.utc)
    xlsx = write_return_sheet_xlsx(small_doc(), "县民政局", "第一次报送", tmp_path)
    from tests.merge_fixtures import set_saved_time

    set_saved_time(xlsx, when)
    assert saved_time(xlsx) == (when, "文件属性中的保存时间")
    word_path = write_return_sheet_docx(small_doc(), "县民政局", "第一次报送", tmp_path)
    word = docx.Document(str(word_path))
    word.core_properties.modified = datetime(2023, 9, 2, 7, 0)  # python-docx writes it as UTC
    word.save(str(word_path))
    assert saved_time(word_path) == (datetime(2023, 9, 2, 7, 0, tzinfo=timezone.utc), "文件属性中的保存时间")
    ods = tmp_path / "县民政局.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("meta.xml", "<office:document-meta><office:meta><dc:date>2023-09-03T10:00:00Z</dc:date>"
                                     "</office:meta></office:document-meta>")
    assert saved_time(ods) == (datetime(2023, 9, 3, 10, 0, tzinfo=timezone.utc), "文件属性中的保存时间")
    xls = tmp_path / "县民政局.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    os.utime(xls, (1693555200, 1693555200))  # 2023-09-01 08:00 UTC
    assert saved_time(xls) == (datetime(2023, 9, 1, 8, 0, tzinfo=timezone.utc), "文件修改时间")
    assert saved_time(tmp_path / "没有.xlsx") == (None, "")
