"""The standard ledger table as .xlsx: layout, merges, print setup, fonts, overview, hidden data."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from app.core.records import Deadline, Heading, LedgerDocument, Progress, Round, Task, Unit
from app.errors import LedgerError
from app.formats.ledger_layout import COLUMNS, build_layout, ledger_title
from app.formats.ledger_xlsx import (
    DATA_SHEET,
    HEADER_ROW,
    MAIN_SHEET,
    OVERVIEW_SHEET,
    split_chunks,
    write_ledger_xlsx,
)
from tests.factories import make_document

AS_OF = date(2023, 11, 1)


def seed_like() -> LedgerDocument:
    """The first section of seed 000: tasks 2–4 share a key work."""
    doc = LedgerDocument(title="西吉县2023年政务公开工作要点任务落实台账（填报版）", year=2023)
    doc.headings = [Heading("h1", "一、", "深化重点领域信息公开"), Heading("h2", "二、", "完善政策发布推送和解读咨询机制")]
    doc.units = [Unit("县人民政府办公室", liaison="马丽", phone="0954-3012345"), Unit("县人力资源社会保障局"),
                 Unit("县民政局", aliases=["民政局"]), Unit("县医保局"), Unit("各部门（单位）", "group")]
    doc.rounds = [Round("第一次报送", date(2023, 9, 10)), Round("第二次报送", date(2023, 12, 1))]
    end = Deadline("2023年12月底", date(2023, 12, 31), "date")
    key = "围绕民生持续改善推进信息公开"
    doc.tasks = [
        Task("t1", "1", "h1", "围绕高质量发展推进信息公开", "聚焦乡村振兴……提振市场信心。", "查看网站", ["县人民政府办公室"], [], end),
        Task("t2", "2", "h1", key, "推动“就业创业促进年”活动。", "查看网站", ["县人力资源社会保障局"], ["各部门（单位）"], end),
        Task("t3", "3", "h1", key, "加密社会救助、医疗保险等重点民生政策推送。", "查看网站",
             ["县民政局", "县医保局"], ["各部门（单位）"], Deadline("2023年6月底", date(2023, 6, 30), "date")),
        Task("t4", "4", "h1", key, "推动社会组织信息公开。", "查看网站", ["县人力资源社会保障局"], ["各部门（单位）"], end),
        Task("t5", "5", "h2", key, "规范政策集中发布。", "查看网站", ["县人民政府办公室"], [], Deadline("长期坚持", None, "long_term")),
    ]
    doc.progress = [
        Progress("t3", "县医保局", "第一次报送", "进行中", "正在梳理。"),
        Progress("t3", "县民政局", "第一次报送", "已完成", "已公开12件。"),
        Progress("t3", "县民政局", "第二次报送", "已完成", "全部公开。"),
        Progress("t1", "县人民政府办公室", "第一次报送", "进行中", "推进中。"),
    ]
    return doc


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "台账.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=AS_OF)
    return load_workbook(path)


def test_title_info_lines_and_header(book):
    ws = book[MAIN_SHEET]
    assert ws["A1"].value == "西吉县2023年政务公开工作要点任务落实台账（填报版）"
    assert ws["A1"].font.bold and ws["A1"].font.name == "黑体"
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    # one info row (填报单位 | 填报时间 | 联系人 | 联系电话), then the shading legend
    assert [ws[c].value for c in ("A2", "D2", "F2", "H2")] == ["填报单位：", "填报时间：", "联系人：", "联系电话："]
    assert ws["B3"].value == "注：浅红底色为截至2023年11月1日逾期未完成的任务"
    assert tuple(ws.cell(HEADER_ROW, c).value for c in range(1, 9)) == COLUMNS
    assert ws.column_dimensions["I"].hidden


def test_section_rows_are_merged_full_width_and_bold(book):
    ws = book[MAIN_SHEET]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A5"].value == "一、深化重点领域信息公开" and ws["A5"].font.bold
    assert "A5:H5" in merged
    assert ws["A10"].value == "二、完善政策发布推送和解读咨询机制" and "A10:H10" in merged


def test_key_work_merges_over_consecutive_tasks_of_one_section(book):
    ws = book[MAIN_SHEET]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["B7"].value == "围绕民生持续改善推进信息公开"
    assert "B7:B9" in merged  # tasks 2–4 as in seed 000
    assert not any(r.startswith(("B10", "B11")) for r in merged)  # a new section breaks it
    assert ws["B11"].value == "围绕民生持续改善推进信息公开"


def test_task_cells_units_deadline_and_progress(book):
    ws = book[MAIN_SHEET]
    row = [ws.cell(8, c).value for c in range(1, 10)]
    assert row[0] == 3
    assert row[4] == "县民政局、县医保局" and row[5] == "各部门（单位）"
    assert row[6] == "2023年6月底"
    # default round: the latest with progress (第二次报送)
    assert row[7] == "县民政局：已完成。全部公开。"
    assert row[8] == "t3"
    assert ws.cell(8, 3).alignment.wrap_text and ws.cell(8, 3).alignment.vertical == "top"
    assert ws.cell(8, 3).border.left.style == "thin"
    assert ws.row_dimensions[8].height >= 15


def test_chosen_round_lists_lead_units_first(tmp_path):
    path = tmp_path / "r1.xlsx"
    write_ledger_xlsx(seed_like(), path, round_name="第一次报送", as_of=AS_OF)
    ws = load_workbook(path)[MAIN_SHEET]
    assert ws["H8"].value == "县民政局：已完成。已公开12件。\n县医保局：进行中。正在梳理。"


def test_overdue_rows_are_filled(book):
    ws = book[MAIN_SHEET]
    assert ws["C8"].fill.fgColor.rgb.endswith("FFE1E1")  # 2023年6月底, only 进行中 from 县医保局
    assert ws["C7"].fill.fill_type is None  # due 2023-12-31, not yet overdue on 2023-11-01


def test_print_setup(book):
    ws = book[MAIN_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$4"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.page_margins.left == pytest.approx(2.0 / 2.54)
    assert ws.freeze_panes == "A5"
    assert ws["C8"].font.name == "宋体"


def test_overview_sheet_counts_per_lead_unit(book):
    ws = book[OVERVIEW_SHEET]
    assert "截至2023年11月1日" in ws["A1"].value
    rows = {r[1]: r[2:] for r in ws.iter_rows(min_row=3, values_only=True)}
    # led, done, in progress, long-term, overdue, cooperating — each unit by its own reports
    assert rows["县人民政府办公室"] == (2, 0, 1, 1, 0, 0)
    assert rows["县民政局"] == (1, 1, 0, 0, 0, 0)
    assert rows["县医保局"] == (1, 0, 0, 0, 1, 0)
    assert rows["合计"][0] == 6 and rows["合计"][4] == 1
    assert "各部门（单位）" not in rows  # leads nothing
    listing = [r for r in ws.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("逾期未完成任务")]
    assert listing == [("逾期未完成任务（1 项）",) + (None,) * 7]
    assert any(r[0] == "3" and r[1].startswith("加密社会救助") and r[7] == "2023年6月底"
               for r in ws.iter_rows(values_only=True))


def test_hidden_sheet_holds_ids_and_all_rounds(book):
    data = book[DATA_SHEET]
    assert data.sheet_state == "hidden"
    kinds = [row[0].value for row in data.iter_rows()]
    assert kinds[0] == "format" and kinds.count("task") == 5 and kinds.count("progress") == 4
    task = next(json.loads(r[1].value) for r in data.iter_rows() if r[0].value == "task")
    assert task["id"] == "t1" and task["row"] == 6


def test_unit_filter_fills_info_lines(tmp_path):
    path = tmp_path / "民政.xlsx"
    write_ledger_xlsx(seed_like(), path, unit="民政局", as_of=AS_OF)
    ws = load_workbook(path)[MAIN_SHEET]
    assert ws["A2"].value == "填报单位：县民政局" and ws["D2"].value == "填报时间：2023年11月1日"
    ids = [ws.cell(r, 9).value for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 9).value]
    assert ids == ["t3"]
    path2 = tmp_path / "办.xlsx"
    write_ledger_xlsx(seed_like(), path2, unit="县人民政府办公室", as_of=AS_OF)
    ws2 = load_workbook(path2)[MAIN_SHEET]
    assert ws2["F2"].value == "联系人：马丽" and ws2["H2"].value == "联系电话：0954-3012345"


def test_unknown_unit_or_round_is_a_chinese_error(tmp_path):
    with pytest.raises(LedgerError, match="没有单位“县外星局”.*县人民政府办公室"):
        write_ledger_xlsx(seed_like(), tmp_path / "x.xlsx", unit="县外星局")
    with pytest.raises(LedgerError, match="第一次报送"):
        write_ledger_xlsx(seed_like(), tmp_path / "x.xlsx", round_name="第三次")
    assert not (tmp_path / "x.xlsx").exists()


def test_title_rule():
    assert ledger_title(LedgerDocument(title="彭阳县2018年政务公开工作要点（征求意见稿）")) == \
        "彭阳县2018年政务公开工作要点任务落实台账（填报版）"
    assert ledger_title(LedgerDocument(title="西吉县2023年政务公开工作要点任务落实台账")) == \
        "西吉县2023年政务公开工作要点任务落实台账（填报版）"
    assert ledger_title(LedgerDocument(title="", year=2024)) == "2024年政务公开工作要点任务落实台账（填报版）"


def test_nested_headings_each_get_a_row_once():
    layout = build_layout(make_document(25), as_of=AS_OF)
    labels = [r.label for r in layout.rows if not hasattr(r, "task")]
    assert labels == ["一、深化重点领域信息公开", "二、完善政策发布推送和解读咨询机制", "（一）加强政策解读",
                      "（二）优化政务服务", "三、完善决策政民互动和公众参与机制", "四、完善公开标准化规范化和保障机制"]


def test_formula_like_text_stays_text_and_chunks_never_start_with_equals(tmp_path):
    doc = seed_like()
    doc.tasks[0].content = "=SUM(A1:A3) 不是公式"
    path = tmp_path / "f.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    assert load_workbook(path)[MAIN_SHEET]["C6"].value == "=SUM(A1:A3) 不是公式"
    pieces = split_chunks("a" * 9 + "=" * 3 + "b" * 10, size=10)
    assert "".join(pieces) == "a" * 9 + "===" + "b" * 10
    assert all(len(p) <= 10 and not p.startswith("=") for p in pieces)
