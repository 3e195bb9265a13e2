"""The standard ledger table as .docx: landscape A4, real table, repeated header, merges, fonts."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from app.formats.ledger_docx import write_ledger_docx
from app.formats.ledger_layout import COLUMNS
from tests.factories import make_document
from tests.formats.test_ledger_xlsx import AS_OF, seed_like


@pytest.fixture
def word(tmp_path):
    path = tmp_path / "台账.docx"
    write_ledger_docx(seed_like(), path, as_of=AS_OF)
    return Document(str(path))


def _unique_cells(row):
    """A merged cell is the same object at each grid position: keep each once."""
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def test_page_is_a4_landscape_with_binding_margin(word):
    section = word.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert abs(section.page_width.cm - 29.7) < 0.01 and abs(section.page_height.cm - 21.0) < 0.01
    assert abs(section.left_margin.cm - 2.0) < 0.01


def test_title_and_info_lines(word):
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "西吉县2023年政务公开工作要点任务落实台账（填报版）"
    assert word.paragraphs[0].runs[0].bold
    assert texts[1].startswith("填报单位：") and "填报时间：" in texts[1]
    assert texts[2].startswith("联系人：") and "联系电话：" in texts[2]


def test_real_table_with_repeating_unsplittable_header(word):
    table = word.tables[0]
    assert len(table.columns) == 8
    header = table.rows[0]
    assert tuple(c.text for c in header.cells) == COLUMNS
    trpr = header._tr.trPr
    assert trpr.find(qn("w:tblHeader")) is not None
    assert trpr.find(qn("w:cantSplit")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows[1:])
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[2] == max(grid[:7]) and grid[7] > grid[3]  # 主要内容 and 进展落实情况 get the width
    assert header.cells[2]._tc.tcPr.find(qn("w:tcW")).get(qn("w:w")) == str(grid[2])


def test_section_rows_are_one_bold_full_width_cell(word):
    table = word.tables[0]
    row = table.rows[1]
    cells = _unique_cells(row)
    assert len(cells) == 1 and cells[0].text == "一、深化重点领域信息公开"
    assert cells[0]._tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "8"
    assert cells[0].paragraphs[0].runs[0].bold


def test_key_work_merged_vertically_over_tasks_2_to_4(word):
    table = word.tables[0]
    col = [table.cell(r, 1) for r in range(3, 6)]  # tasks 2, 3, 4
    assert col[0]._tc is col[1]._tc is col[2]._tc
    assert col[0].text == "围绕民生持续改善推进信息公开"
    assert table.cell(2, 1).text == "围绕高质量发展推进信息公开"
    assert table.cell(2, 1)._tc is not col[0]._tc


def test_progress_lines_and_overdue_shading(word):
    table = word.tables[0]
    row = table.rows[4]  # task 3
    assert row.cells[0].text == "3"
    assert row.cells[4].text == "县民政局、县医保局"
    assert row.cells[7].text == "县民政局：已完成。全部公开。"
    shd = row.cells[2]._tc.tcPr.find(qn("w:shd"))
    assert shd is not None and shd.get(qn("w:fill")) == "FFE1E1"
    assert table.rows[3].cells[2]._tc.tcPr.find(qn("w:shd")) is None


def test_east_asian_fonts_everywhere(word):
    defaults = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert defaults.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    normal = word.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title_fonts = word.paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert title_fonts.get(qn("w:eastAsia")) == "黑体"
    header_run = word.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert header_run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"


def test_footer_has_page_and_numpages_fields(word):
    footer = word.sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert "PAGE" in xml and "NUMPAGES" in xml
    assert footer.text.startswith("第 ") and " 页 共 " in footer.text and footer.text.endswith(" 页")


def test_overview_table_after_the_ledger(word):
    assert len(word.tables) == 3  # ledger, per unit counts, overdue tasks
    late = word.tables[2]
    assert [c.text for c in late.rows[1].cells] == ["3", "加密社会救助、医疗保险等重点民生政策推送。",
                                                    "县民政局、县医保局", "2023年6月底"]
    assert any(p.text == "逾期未完成任务（1 项）" for p in word.paragraphs)
    overview = word.tables[1]
    assert overview.rows[0].cells[1].text == "牵头单位"
    rows = {r.cells[1].text: [c.text for c in r.cells[2:]] for r in overview.rows[1:]}
    assert rows["县医保局"] == ["1", "0", "0", "0", "1", "0"]
    assert rows["合计"][0] == "6"  # task 3 counts for both of its lead units
    assert any("截至2023年11月1日" in p.text for p in word.paragraphs)


def test_unit_filter(tmp_path):
    path = tmp_path / "民政.docx"
    write_ledger_docx(seed_like(), path, unit="县民政局", as_of=AS_OF)
    doc = Document(str(path))
    assert doc.paragraphs[1].text.startswith("填报单位：县民政局")
    seqs = [r.cells[0].text for r in doc.tables[0].rows[1:] if len(_unique_cells(r)) > 1]
    assert seqs == ["3"]


def test_large_ledger_writes_every_task(tmp_path):
    path = tmp_path / "大.docx"
    write_ledger_docx(make_document(300), path, as_of=date(2023, 11, 1))
    table = Document(str(path)).tables[0]
    seqs = [tr.tc_lst[0].xpath("string(.)") for tr in table._tbl.tr_lst[1:] if len(tr.tc_lst) > 1]
    assert seqs == [str(n) for n in range(1, 301)]
