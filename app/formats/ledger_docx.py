"""The standard ledger table as a print-ready .docx (python-docx + raw table XML).

A4 landscape (page size swapped *and* orientation set), a real 8-column table with
fixed column widths (tblGrid and every cell's tcW, which Word and WPS both honour),
the header row repeated on each page (w:tblHeader), section rows as one merged
full-width bold cell kept with the row after (w:keepNext), overdue rows shaded
(w:shd) with a legend line above the table, "第 X 页 共 Y 页" in the footer (PAGE /
NUMPAGES fields), and the overview table after a page break.

Page breaks are Word's (or LibreOffice's) to make, so two rules keep them harmless,
both from an estimate of each row's height (text length, column width, font size;
estimated high, so that in doubt a row may split):
- a row is kept on one page (w:cantSplit) only if it is at most half a page tall
  (KEEP_WHOLE_FRACTION), so no page is left half empty by a row pushed to the next;
- 重点工作 is merged vertically (w:vMerge) only over runs of such rows that together
  are at most half a page, and those rows are kept together (w:keepNext on all but the
  last): a page can then only begin where a run begins, and every run starts with
  the text, so the text is on each page it continues on (LibreOffice and Word both
  keep such rows together; a merged cell split over pages shows its text once).

Fonts: East Asian text in 仿宋_GB2312 (body) and 黑体 (title, header row), set with
w:eastAsia on rFonts in the document defaults, the Normal style and every run that
differs; Western text in Times New Roman.

Table rows are built as one XML string and parsed once: python-docx's cell API is
quadratic in the row count and too slow for a 2,000-task ledger.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from app.core.records import LedgerDocument
from app.formats.ledger_layout import (
    COLUMN_WIDTHS_CM,
    COLUMNS,
    KEEP_WHOLE_FRACTION,
    MARGINS_CM,
    PRINT_HEIGHT_PT,
    LedgerLayout,
    SectionRow,
    TaskRow,
    build_layout,
    format_date_cn,
    line_count,
    overdue_row,
)
from app.formats.official_docx import append_rows, fixed_table, set_page, set_run_fonts

BODY_FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"
WESTERN_FONT = "Times New Roman"
BODY_PT = 10.5
TITLE_PT = 18
OVERDUE_SHADE = "FFE1E1"
HEADER_SHADE = "F2F2F2"
TWIPS_PER_CM = 567
CELL_MARGINS_CM = 2 * 0.19  # left and right cell margins of the Table Grid style
LINE_PT = 14.0  # a line of 10.5 pt text, estimated high (LibreOffice: 12.3 pt)
ROW_PAD_PT = 2.0
HEADER_ROW_PT = LINE_PT + ROW_PAD_PT
# Rows (and merged runs of rows) up to this height are kept on one page.
KEEP_WHOLE_PT = (PRINT_HEIGHT_PT - HEADER_ROW_PT) * KEEP_WHOLE_FRACTION
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_ledger_docx(
    doc: LedgerDocument,
    path: Path,
    *,
    unit: str | None = None,
    round_name: str | None = None,
    as_of: date | None = None,
) -> None:
    """Write the standard ledger table of `doc` (optionally one unit's tasks) to `path`."""
    layout = build_layout(doc, unit=unit, round_name=round_name, as_of=as_of)
    document = Document()
    _setup_styles(document)
    _setup_page(document)
    _title(document, layout.title)
    _info_lines(document, layout)
    _legend(document, layout)
    widths = [round(cm * TWIPS_PER_CM) for cm in COLUMN_WIDTHS_CM]
    table = fixed_table(document, widths, centre=False)
    rows = [_row_xml(COLUMNS, widths, header=True)]
    rows += _body_rows_xml(layout, widths)
    append_rows(table, rows)
    _overview(document, layout)
    document.save(str(path))


# ---------------------------------------------------------------- page and styles


def _setup_styles(document) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = document.styles["Normal"]
    normal.font.name = WESTERN_FONT
    normal.font.size = Pt(BODY_PT)
    set_run_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)


def _setup_page(document) -> None:
    section = document.sections[0]
    set_page(section, landscape=True, margins_cm=MARGINS_CM)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页 共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")


def _field(paragraph, instr: str) -> None:
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {instr} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    ))


def _title(document, text: str) -> None:
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_after = Pt(6)
    run = para.add_run(clean(text))
    run.bold = True
    run.font.size = Pt(TITLE_PT)
    set_run_fonts(run._r.get_or_add_rPr(), HEAD_FONT)


def _info_lines(document, layout: LedgerLayout) -> None:
    half = Cm(sum(COLUMN_WIDTHS_CM) / 2)
    for left, right in (("填报单位", "填报时间"), ("联系人", "联系电话")):
        para = document.add_paragraph()
        para.paragraph_format.tab_stops.add_tab_stop(half)
        para.paragraph_format.space_after = Pt(3)
        para.add_run(clean(f"{left}：{layout.info[left]}\t{right}：{layout.info[right]}"))


def _legend(document, layout: LedgerLayout) -> None:
    """What the shading means and as of which date, after a swatch of the shade when any row has it."""
    para = document.add_paragraph()
    para.paragraph_format.space_after = Pt(3)
    if layout.overdue:
        swatch = para.add_run("\u3000\u3000")
        rpr = swatch._r.get_or_add_rPr()
        rpr.append(parse_xml(f'<w:bdr {nsdecls("w")} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'))
        rpr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{OVERDUE_SHADE}"/>'))
        para.add_run(" ")
    para.add_run(clean(layout.legend))


def clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text or "")


# ---------------------------------------------------------------- table XML


def _paragraphs(text: str, *, bold: bool, align: str, font: str | None = None, keep_next: bool = False) -> str:
    rpr = ""
    if font:
        western = WESTERN_FONT
        rpr += f'<w:rFonts w:ascii="{western}" w:hAnsi="{western}" w:eastAsia="{font}" w:cs="{western}"/>'
    if bold:
        rpr += "<w:b/><w:bCs/>"
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    keep = "<w:keepNext/>" if keep_next else ""
    out = []
    for line in (clean(text).split("\n") if text else [""]):
        run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' if line else ""
        out.append(f'<w:p><w:pPr>{keep}<w:jc w:val="{align}"/></w:pPr>{run}</w:p>')
    return "".join(out)


def _cell_xml(text: str, width: int, *, bold=False, align="left", valign="top", span=1,
              vmerge: str | None = None, shade: str | None = None, font: str | None = None,
              keep_next: bool = False) -> str:
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge:
        pr += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
    if shade:
        pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    pr += f'<w:vAlign w:val="{valign}"/>'
    if vmerge == "continue":
        body = "<w:p><w:pPr><w:keepNext/></w:pPr></w:p>" if keep_next else "<w:p/>"
    else:
        body = _paragraphs(text, bold=bold, align=align, font=font, keep_next=keep_next)
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>"


def _row_xml(cells, widths: list[int], *, header: bool = False) -> str:
    tcs = "".join(
        _cell_xml(text, w, bold=True, align="center", valign="center", shade=HEADER_SHADE, font=HEAD_FONT)
        for text, w in zip(cells, widths)
    )
    trpr = "<w:cantSplit/><w:tblHeader/>" if header else "<w:cantSplit/>"
    return f"<w:tr><w:trPr>{trpr}</w:trPr>{tcs}</w:tr>"


_CENTERED = {0, 1, 6}


def chars_per_line() -> list[float]:
    """Half-width characters per line of each column (cell margins off, 5 % spare)."""
    char_cm = BODY_PT / 72 * 2.54
    return [(cm - CELL_MARGINS_CM) / char_cm * 2 * 0.95 for cm in COLUMN_WIDTHS_CM]


def row_height_pt(item: TaskRow, chars: list[float]) -> float:
    """Estimated height of a task row: its tallest cell (重点工作 too, as if not merged: high
    rather than low, so that in doubt the row may split)."""
    return max(line_count(text, chars[c]) for c, text in enumerate(item.cells)) * LINE_PT + ROW_PAD_PT


def key_runs(heights: list[float], limit: float = KEEP_WHOLE_PT) -> list[list[int]]:
    """Split the task rows of one key work (their estimated heights) into runs that may
    share a merged 重点工作 cell: rows each kept whole, at most `limit` tall together; a
    taller row is a run of its own."""
    runs: list[list[int]] = []
    total = 0.0
    for i, height in enumerate(heights):
        joins = runs and height <= limit and total + height <= limit and heights[runs[-1][-1]] <= limit
        if joins:
            runs[-1].append(i)
            total += height
        else:
            runs.append([i])
            total = height
    return runs


def _groups(layout: LedgerLayout) -> list[list[TaskRow]]:
    """Consecutive task rows of one key work (key_span), sections in between as groups of their own."""
    groups: list[list] = []
    for item in layout.rows:
        if isinstance(item, TaskRow) and item.key_span == 0 and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _body_rows_xml(layout: LedgerLayout, widths: list[int]) -> list[str]:
    """Section rows, and each key work's task rows in runs (see key_runs and the module docstring)."""
    chars = chars_per_line()
    rows: list[str] = []
    for group in _groups(layout):
        if isinstance(group[0], SectionRow):
            rows.append(_section_xml(group[0], widths))
            continue
        heights = [row_height_pt(item, chars) for item in group]
        for run in key_runs(heights):
            for k, index in enumerate(run):
                merged = "restart" if k == 0 else "continue"
                rows.append(_task_xml(group[index], widths, vmerge=merged if len(run) > 1 else None,
                                      keep_whole=heights[index] <= KEEP_WHOLE_PT, keep_next=k < len(run) - 1))
    return rows


def _section_xml(item: SectionRow, widths: list[int]) -> str:
    """A full-width bold row, kept on the page of the row after it."""
    cell = _cell_xml(item.label, sum(widths), bold=True, valign="center", span=len(widths), keep_next=True)
    return f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell}</w:tr>"


def _task_xml(item: TaskRow, widths: list[int], *, vmerge: str | None, keep_whole: bool, keep_next: bool) -> str:
    """A task row. 序号, 重点工作 and 完成时限 are centred, vertically too unless the row may
    split over pages: centred in a split row, LibreOffice puts the text across the break."""
    shade = OVERDUE_SHADE if item.overdue else None
    tcs = []
    for c, (text, width) in enumerate(zip(item.cells, widths)):
        centered = c in _CENTERED
        key_merge = vmerge if c == 1 else None
        cell_shade = None if c == 1 and item.key_span != 1 else shade
        tcs.append(_cell_xml(text, width, align="center" if centered else "left",
                             valign="center" if centered and keep_whole else "top", vmerge=key_merge,
                             shade=cell_shade, keep_next=keep_next))
    trpr = "<w:trPr><w:cantSplit/></w:trPr>" if keep_whole else ""
    return f"<w:tr>{trpr}{''.join(tcs)}</w:tr>"


# ---------------------------------------------------------------- overview

OVERVIEW_COLUMNS = ("序号", "牵头单位", "牵头任务", "已完成", "进行中", "长期坚持", "逾期未完成", "配合任务")
_LATE_COL = OVERVIEW_COLUMNS.index("逾期未完成")
OVERVIEW_WIDTHS_CM = (1.5, 7.0, 2.4, 2.4, 2.4, 2.4, 2.8, 2.4)


def _overview(document, layout: LedgerLayout) -> None:
    para = document.add_paragraph()
    para.add_run().add_break(WD_BREAK.PAGE)
    _title(document, f"各单位任务落实情况统计（截至{format_date_cn(layout.as_of)}）")
    widths = [round(cm * TWIPS_PER_CM) for cm in OVERVIEW_WIDTHS_CM]
    table = fixed_table(document, widths, centre=False)
    table.alignment = 1  # centred on the page
    rows = [_row_xml(OVERVIEW_COLUMNS, widths, header=True)]
    data = [(str(i), c.unit, c.led, c.done, c.in_progress, c.long_term, c.overdue, c.cooperating)
            for i, c in enumerate(layout.overview, start=1)]
    totals = ("", "合计", *(sum(r[k] for r in data) for k in range(2, len(OVERVIEW_COLUMNS))))
    for values in [*data, totals]:
        tcs = "".join(
            _cell_xml(str(v), w, align="left" if c == 1 else "center", valign="center",
                      bold=values is totals,
                      shade=OVERDUE_SHADE if c == _LATE_COL and v and values is not totals else None)
            for c, (v, w) in enumerate(zip(values, widths))
        )
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{tcs}</w:tr>")
    append_rows(table, rows)
    if layout.overdue:
        _overdue_list(document, layout)


OVERDUE_COLUMNS = ("序号", "主要内容", "责任单位", "完成时限")
OVERDUE_WIDTHS_CM = (1.5, 13.0, 5.6, 3.2)


def _overdue_list(document, layout: LedgerLayout) -> None:
    para = document.add_paragraph()
    para.paragraph_format.space_before = Pt(12)
    para.paragraph_format.space_after = Pt(6)
    run = para.add_run(f"逾期未完成任务（{len(layout.overdue)} 项）")
    run.bold = True
    set_run_fonts(run._r.get_or_add_rPr(), HEAD_FONT)
    widths = [round(cm * TWIPS_PER_CM) for cm in OVERDUE_WIDTHS_CM]
    table = fixed_table(document, widths, centre=False)
    table.alignment = 1
    rows = [_row_xml(OVERDUE_COLUMNS, widths, header=True)]
    for values in (overdue_row(t, deadlines=layout.unit_deadlines) for t in layout.overdue):
        tcs = "".join(
            _cell_xml(v, w, align="left" if c in (1, 2) else "center", valign="center", shade=OVERDUE_SHADE)
            for c, (v, w) in enumerate(zip(values, widths))
        )
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{tcs}</w:tr>")
    append_rows(table, rows)
