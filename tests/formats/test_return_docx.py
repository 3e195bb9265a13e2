"""The Word return sheet as LibreOffice, WPS and Word lay it out: grid widths, instructions, typed-text font.

Real files are written, then opened with python-docx / lxml; the reader must still find every
row's hidden task id and the metadata, also after LibreOffice re-saved the file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from app.core.records import STATUSES, Deadline, LedgerDocument, Progress, Round, Task, Unit
from app.formats.plan import read_plan
from app.formats.returns import FORMAT_TAG, HEADERS, Stamp, read_return_file, write_return_sheet
from app.formats.returns.docx_writer import column_twips, min_twips
from app.formats.returns.layout import DOCX_META_PREFIX, WIDTHS, meta_rows, plan_rows

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
UNIT = "县民政局"
ROUND = "第一次报送"
WIDE = ("主要内容", "进展落实情况")
NARROW = ("序号", "状态", "完成日期")


def ledger() -> LedgerDocument:
    doc = LedgerDocument(title="测试台账", year=2023, ledger_id="L-1")
    doc.units = [Unit(UNIT), Unit("县司法局"), Unit("各部门（单位）", "group")]
    doc.rounds = [Round(ROUND, due=date(2023, 9, 10)), Round("第二次报送")]
    doc.tasks = [
        Task("t1", "1", key_work="围绕民生", content="加密社会救助政策推送。" * 6, lead_units=[UNIT],
             deadline=Deadline("2023年12月底")),
        Task("t2", "2", content="推动法治政府建设信息公开。", lead_units=["县司法局"], coop_units=[UNIT]),
        Task("t3", "3", content="各部门加强业务指导。", lead_units=["各部门（单位）"]),
    ]
    doc.progress = [Progress("t1", UNIT, ROUND, status="未按期完成", text="已推送3条")]
    return doc


def write(tmp_path: Path, doc: LedgerDocument | None = None, round_name: str = ROUND, **kw) -> Path:
    return write_return_sheet(doc or ledger(), UNIT, round_name, tmp_path, fmt="docx", **kw)


def twips(el, tag: str) -> int:
    return int(el.find(qn(tag)).get(qn("w:w")))


def grid(word) -> list[int]:
    return [int(g.get(qn("w:w"))) for g in word.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]


def usable(word) -> int:
    section = word.sections[0]
    return round((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU per twip


def intro(word) -> str:
    """The text above the table."""
    body = word.element.body
    table = word.tables[0]._tbl
    return "\n".join(p.text for p in word.paragraphs if body.index(p._p) < body.index(table))


def mark(paragraph) -> dict[str, str | None]:
    """The paragraph mark's run properties (w:pPr/w:rPr) as plain values."""
    ppr = paragraph._p.find(qn("w:pPr"))
    rpr = ppr.find(qn("w:rPr")) if ppr is not None else None
    if rpr is None:
        return {}
    fonts = rpr.find(qn("w:rFonts"))
    return {"eastAsia": fonts.get(qn("w:eastAsia")), "ascii": fonts.get(qn("w:ascii")),
            "sz": rpr.find(qn("w:sz")).get(qn("w:val")), "szCs": rpr.find(qn("w:szCs")).get(qn("w:val"))}


# ------------------------------------------------------------------------------ 1. widths
def test_grid_has_the_intended_widths_summing_to_the_page(tmp_path):
    word = docx.Document(str(write(tmp_path)))
    cols = grid(word)
    assert len(cols) == len(HEADERS) and len(set(cols)) > 3
    assert sum(cols) == usable(word)
    width = dict(zip(HEADERS, cols))
    assert all(width[w] > 2 * width[n] for w in WIDE for n in NARROW)
    assert all(width[n] < sum(cols) / len(cols) < width[w] for w in WIDE for n in NARROW)
    assert width["进展落实情况"] / width["主要内容"] == pytest.approx(WIDTHS[7] / WIDTHS[2], rel=0.01)
    assert width["主要内容"] / width["佐证材料"] == pytest.approx(WIDTHS[2] / WIDTHS[9], rel=0.01)


def test_table_layout_is_fixed_with_an_explicit_width_and_cells_match_the_grid(tmp_path):
    word = docx.Document(str(write(tmp_path)))
    tbl = word.tables[0]._tbl
    assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    tbl_w = tbl.tblPr.find(qn("w:tblW"))
    assert (tbl_w.get(qn("w:type")), int(tbl_w.get(qn("w:w")))) == ("dxa", sum(grid(word)))
    for row in word.tables[0].rows:
        assert [twips(c._tc.tcPr, "w:tcW") for c in row.cells] == grid(word)


def test_narrow_columns_still_hold_their_header_and_values_on_one_line():
    cols = column_twips(15138)
    assert sum(cols) == 15138
    assert all(c >= min_twips(h) for c, h in zip(cols, HEADERS))
    free = [i for i, (c, h) in enumerate(zip(cols, HEADERS)) if c > min_twips(h)]
    assert {HEADERS[i] for i in free} >= set(WIDE)
    ratios = {round(cols[i] / WIDTHS[i]) for i in free}  # the unpinned columns keep layout.WIDTHS' proportion
    assert max(ratios) - min(ratios) <= 1


def test_a_page_too_narrow_for_the_floors_falls_back_to_plain_proportion():
    cols = column_twips(2230)
    assert sum(cols) == 2230 and cols[HEADERS.index("进展落实情况")] == max(cols)


# ------------------------------------------------------------------------------ 2. instructions
def test_instructions_are_written_for_word(tmp_path):
    text = intro(docx.Document(str(write(tmp_path))))
    assert "下拉" not in text and "锁定" not in text and ".xls" not in text
    assert "浅黄色" in text
    assert all(f"“{h}”" in text for h in ("状态", "进展落实情况", "完成日期", "佐证材料"))
    assert all(s in text for s in STATUSES)
    assert "2023-09-01" in text and "文件名" in text
    assert "请勿增加或删除行" in text and "表格结构" in text and "隐藏" in text
    assert ".docx" in text and "报送截止：2023年9月10日" in text
    assert text.splitlines()[0] == f"{UNIT}　{ROUND}　任务进展填报表"


def test_instructions_without_a_due_date_ask_to_send_in_time(tmp_path):
    text = intro(docx.Document(str(write(tmp_path, round_name="第二次报送"))))
    assert "报送截止" not in text and "按时报送" in text


# ------------------------------------------------------------------------------ 3. typed text
def test_every_cell_paragraph_mark_is_the_sheet_font(tmp_path):
    table = docx.Document(str(write(tmp_path))).tables[0]
    for cell in table.rows[0].cells:
        assert mark(cell.paragraphs[0]) == {"eastAsia": "宋体", "ascii": "宋体", "sz": "20", "szCs": "20"}
    for row in table.rows[1:]:
        for cell in row.cells:
            assert mark(cell.paragraphs[0]) == {"eastAsia": "宋体", "ascii": "宋体", "sz": "18", "szCs": "18"}
    empty = [c for row in table.rows[1:] for h, c in zip(HEADERS, row.cells) if h == "完成日期"]
    assert empty and all(c.text == "" for c in empty)  # what a liaison clicks into


def test_normal_style_is_the_sheet_font_in_chinese(tmp_path):
    word = docx.Document(str(write(tmp_path)))
    normal = word.styles["Normal"]
    assert normal.font.size.pt == 9 and normal.font.name == "宋体"
    rpr = normal.element.rPr
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert rpr.find(qn("w:szCs")).get(qn("w:val")) == "18"
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


# ------------------------------------------------------------------------------ hidden data unchanged
def test_hidden_data_is_as_before_and_the_reader_reads_it(tmp_path):
    doc = ledger()
    stamp = Stamp("D-1", b"secret")
    path = write(tmp_path, doc, stamp=stamp)
    word = docx.Document(str(path))
    assert word.core_properties.subject == FORMAT_TAG
    [meta] = [p for p in word.paragraphs if p.text.startswith(DOCX_META_PREFIX)]
    assert all(r.font.hidden for r in meta.runs)
    rows = plan_rows(doc, UNIT, ROUND, first_row=2)
    expected = meta_rows(doc, UNIT, ROUND, header_row=1, rows=rows, stamp=stamp)
    assert json.loads(meta.text[len(DOCX_META_PREFIX):]) == expected
    first = word.tables[0].rows[1].cells[0]
    assert first.text == "1#ld:t1" and first.paragraphs[0].runs[-1].font.hidden
    sheet = read_return_file(path)
    assert (sheet.hidden, sheet.ledger_id, sheet.unit, sheet.round) == (True, "L-1", UNIT, ROUND)
    assert [r.task_id for r in sheet.rows] == ["t1", "t2", "t3"]
    assert sheet.rows[0].cells["状态"] == "未按期完成" and sheet.rows[0].cells["序号"] == "1"


# ------------------------------------------------------------------------------ 4. LibreOffice
@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice 未安装（soffice not installed）")
def test_seed_sheet_resaved_by_libreoffice_keeps_ids_meta_and_widths(tmp_path, seed_path):
    doc = read_plan(seed_path("000"))
    path = write_return_sheet(doc, UNIT, doc.rounds[0].name, tmp_path, fmt="docx")
    out = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").resolve().as_uri()  # private: parallel runs must not share it
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    resaved = out / path.name
    sent, back = read_return_file(path), read_return_file(resaved)
    assert len(sent.rows) > 20
    ids = [r.task_id for r in back.rows]
    assert ids == [r.task_id for r in sent.rows] and None not in ids
    assert (back.hidden, back.ledger_id, back.unit) == (True, doc.ledger_id, UNIT)
    assert back.round == doc.rounds[0].name
    assert back.sent == sent.sent
    assert [r.cells for r in back.rows] == [r.cells for r in sent.rows]
    assert grid(docx.Document(str(resaved))) == pytest.approx(grid(docx.Document(str(path))), abs=3)
