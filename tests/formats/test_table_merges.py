"""Merged cells in real files (Word vMerge/gridSpan, HTML rowspan/colspan, .xlsx merged ranges) carried
down to the rows they cover, with a two-row header ("责任单位" over "牵头单位 | 配合单位") and section rows
merged over the full width.

Every form holds the same table: task 2 shares task 1's 工作任务, 牵头单位 and 配合单位 cells, which are
merged over both rows; task 3 has an empty 配合单位 cell that is not merged and stays empty.
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest

from app.formats.plan.read import read_plan_report

TITLE = "某县2025年政务公开重点任务台账"
BODY = [
    ["1", "重大决策公开", "编制并公开重大行政决策事项目录。", "县司法局", "县政府办公室", "2025年3月底前"],
    ["2", None, "及时公开决策草案和意见采纳情况。", None, None, "长期坚持"],
    ["3", "政务服务公开", "公开政务服务事项清单和办事指南。", "县行政审批服务局", "", "2025年6月底前"],
]
MERGED_COLUMNS = (1, 3, 4)  # 0-based: 工作任务, 牵头单位, 配合单位 of tasks 1 and 2


def _write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=2, cols=6)
    top = ["序号", "工作任务", "具体内容", "责任单位", None, "完成时限"]
    for c, text in enumerate(top):
        if text:
            table.cell(0, c).text = text
    table.cell(1, 3).text, table.cell(1, 4).text = "牵头单位", "配合单位"
    for c in (0, 1, 2, 5):
        table.cell(0, c).merge(table.cell(1, c))
    table.cell(0, 3).merge(table.cell(0, 4))
    section = table.add_row()
    section.cells[0].merge(section.cells[5]).text = "一、推进决策公开"
    body = [table.add_row() for _ in BODY]
    for row, values in zip(body, BODY):
        for c, value in enumerate(values):
            if value:
                row.cells[c].text = value
    for c in MERGED_COLUMNS:
        body[0].cells[c].merge(body[1].cells[c])
    document.save(path)
    return path


def _write_html(path: Path) -> Path:
    cells = [("<tr><th rowspan='2'>序号</th><th rowspan='2'>工作任务</th><th rowspan='2'>具体内容</th>"
              "<th colspan='2'>责任单位</th><th rowspan='2'>完成时限</th></tr>"),
             "<tr><th>牵头单位</th><th>配合单位</th></tr>",
             "<tr><td colspan='6'><b>一、推进决策公开</b></td></tr>"]
    third = BODY[2]
    cells.append("<tr><td>1</td><td rowspan='2'>重大决策公开</td><td>编制并公开重大行政决策事项目录。</td>"
                 "<td rowspan='2'>县司法局</td><td rowspan='2'>县政府办公室</td><td>2025年3月底前</td></tr>")
    cells.append("<tr><td>2</td><td>及时公开决策草案和意见采纳情况。</td><td>长期坚持</td></tr>")
    cells.append("<tr>" + "".join(f"<td>{v}</td>" for v in third) + "</tr>")
    path.write_text(f"<html><head><meta charset='utf-8'></head><body><div class='nav'><a href='/'>首页</a></div>"
                    f"<h1>{TITLE}</h1><table border='1'>{''.join(cells)}</table>"
                    "<p>说明：各单位于6月25日前报送进展情况。</p></body></html>", encoding="utf-8")
    return path


def _write_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["序号", "工作任务", "具体内容", "责任单位", None, "完成时限"])
    ws.append([None, None, None, "牵头单位", "配合单位", None])
    ws.append(["一、推进决策公开"])
    for values in BODY:
        ws.append([v or None for v in values])
    for col in "ABCF":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("D2:E2")
    ws.merge_cells("A4:F4")
    for col in "BDE":
        ws.merge_cells(f"{col}5:{col}6")
    wb.save(path)
    return path


WRITERS = {"docx": _write_docx, "html": _write_html, "xlsx": _write_xlsx}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_merged_cells_are_carried_down_with_a_doubt(tmp_path, fmt):
    path = WRITERS[fmt](tmp_path / f"台账.{fmt}")
    result = read_plan_report(path)
    doc = result.doc
    assert doc.title == TITLE
    assert [h.label for h in doc.headings] == ["一、推进决策公开"]
    first, second, third = doc.tasks
    assert (second.key_work, second.lead_units, second.coop_units) == ("重大决策公开", ["县司法局"], ["县政府办公室"])
    assert second.deadline.kind == "long_term"
    assert (third.lead_units, third.coop_units) == (["县行政审批服务局"], [])
    doubts = doc.doubts[second.id]
    assert any("工作任务沿用上方的合并单元格" in d for d in doubts)
    assert any("配合单位沿用第" in d and "合并单元格" in d for d in doubts)
    assert first.id not in doc.doubts and third.id not in doc.doubts
    assert not [w for w in doc.warnings if "序号" in w.location]  # a real merge is no warning
    columns = result.columns.to_json()
    assert columns["lead"]["header"] == "责任单位 › 牵头单位"
    assert columns["coop"]["header"] == "责任单位 › 配合单位"


def test_a_csv_copy_of_the_same_table_carries_lead_but_not_the_empty_coop(tmp_path):
    path = tmp_path / "台账.csv"
    lines = [TITLE, "序号,工作任务,具体内容,责任单位,,完成时限", ",,,牵头单位,配合单位,", "一、推进决策公开,,,,,"]
    lines += [",".join(v or "" for v in row) for row in BODY]
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = read_plan_report(path).doc
    second = doc.tasks[1]
    assert (second.key_work, second.lead_units, second.coop_units) == ("重大决策公开", ["县司法局"], [])
    assert any("沿用上一项" in str(w) and "序号2" in str(w) for w in doc.warnings)  # a guess: also a warning


def test_lines_under_a_web_table_give_rounds_and_a_warning(tmp_path):
    doc = read_plan_report(_write_html(tmp_path / "台账.html")).doc
    assert [(r.name, r.due.isoformat()) for r in doc.rounds] == [("第一次报送", "2025-06-25")]
    assert any(w.location == "表格下方" and "说明" in w.message for w in doc.warnings)


def test_measures_under_a_merged_seq_are_tasks_of_their_own(tmp_path):
    """序号 and 重点任务 merged over the measures of one task, each measure with its own unit and deadline."""
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=1, cols=5)
    for c, text in enumerate(["序号", "重点任务", "具体措施", "责任单位", "完成时限"]):
        table.cell(0, c).text = text
    measures = [("1", "政策解读", "重要政策同步解读。", "县政府办公室", "长期坚持"),
                ("", "", "开展政策吹风会。", "县委宣传部", "2025年12月底前"),
                ("2", "依申请公开", "规范答复文书。", "县司法局", "2025年6月底前")]
    rows = []
    for values in measures:
        row = table.add_row()
        rows.append(row)
        for c, value in enumerate(values):
            if value:
                row.cells[c].text = value
    for c in (0, 1):
        rows[0].cells[c].merge(rows[1].cells[c])
    path = tmp_path / "措施.docx"
    document.save(path)
    doc = read_plan_report(path).doc
    assert [(t.seq, t.key_work, t.content, t.lead_units) for t in doc.tasks] == [
        ("1", "政策解读", "重要政策同步解读。", ["县政府办公室"]),
        ("1", "政策解读", "开展政策吹风会。", ["县委宣传部"]),
        ("2", "依申请公开", "规范答复文书。", ["县司法局"])]
    assert any("序号是合并单元格" in d for d in doc.doubts[doc.tasks[1].id])
    assert not [w for w in doc.warnings if "序号1" in w.location]
