"""The .docx return sheet: the same table in Word, for units that prefer Word.

Hidden data (see layout.py): the JSON metadata in a hidden-font (w:vanish)
paragraph "#ldmeta:{…}" after the table, FORMAT_TAG in the core property "subject",
and a hidden-font run "#ld:<task id>" in each 序号 cell.

The table carries its geometry three ways, because the programs read different parts:
Word uses the cell widths (w:tcW), LibreOffice and WPS the grid (w:tblGrid); both get the
same twips, with a fixed layout and an explicit table width so nothing is re-flowed.
Every cell paragraph's mark (w:pPr/w:rPr) and the Normal style carry 宋体 9 pt, so what a
liaison types into an empty cell looks like the rest of the sheet.

With `notes` (review of returns, layout.py) the table has the three review columns after
佐证材料: 审核意见 (the office's note, shaded pale red where there is one) and the fill-in
申请延期至 / 延期理由 (yellow like the other fill-in cells).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Pt, RGBColor, Twips
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from app.core.records import STATUSES, LedgerDocument
from app.formats.atomic import atomic_output
from app.formats.returns.layout import (
    DOCX_ID_PREFIX,
    DOCX_META_PREFIX,
    FILL,
    FORMAT_TAG,
    HEADERS,
    REVIEW_COLUMNS,
    REVIEW_FILL,
    WIDTHS,
    SheetRow,
    Stamp,
    meta_rows,
    plan_rows,
    review_instruction,
)
from app.formats.safe_names import json_for_xml, xml_text

FONT = "宋体"
TITLE_PT = 14
HEADER_PT = 10
BODY_PT = 9
NOTE_PT = 9
HEADER_FILL = "DDEBF7"
INPUT_FILL = "FFF9DB"  # the light yellow the instructions point to
NOTE_FILL = "FCE4E4"  # an office note (审核意见)
# with the review columns on an A4 page: they are narrower than in the xlsx (layout.REVIEW_WIDTHS), and
# 进展落实情况 / 佐证材料 give up some room, so 主要内容 keeps about the width it has without them
DOCX_REVIEW_WEIGHTS = (6, 14, 42, 18, 10, 12, 12, 38, 13, 20, 14, 10, 12)
NOTE_COLOR = RGBColor(0xC0, 0, 0)
PAGE_CM = (29.7, 21.0)  # A4 landscape
MARGIN_CM = 1.5
CELL_MARGIN_TWIPS = 57  # 0.1 cm left and right (Table Grid's 0.19 cm wastes a narrow column)
SLACK_TWIPS = 30  # rounding in the layout engines
ASCII_EM = 0.6
DATE_SAMPLE = "2023-09-01"
# Values that must stay on one line, so those narrow columns are never cut below them.
ONE_LINE_VALUES: dict[str, tuple[str, ...]] = {"状态": STATUSES, "完成日期": (DATE_SAMPLE,),
                                               "申请延期至": (DATE_SAMPLE,)}


# ------------------------------------------------------------------------------ text
def word_instructions(unit: str, round_name: str, due: str) -> list[str]:
    """The instruction lines for Word/WPS: no drop-downs or locked cells there, so say it in words.

    Only .docx is asked for: .doc and .wps are read only through LibreOffice (app/formats/returns/
    convert.py), which the clerk's PC may lack.
    """
    statuses = "、".join(f"“{s}”" for s in STATUSES)
    send = f"报送截止：{due}。" if due else "请按时报送。"
    return [
        (f"填报说明：本表为{unit}在“{round_name}”需报送的任务。只填写浅黄色的“状态”“进展落实情况”“完成日期”"
        "“佐证材料”四列，其余各列是下发的任务内容，请勿修改。"),
        (f"“状态”只填以下之一（照原样书写）：{statuses}；“进展落实情况”写明具体进展；"
        f"“完成日期”写成 {DATE_SAMPLE} 这样的格式；“佐证材料”写文件名，多个用顿号分隔。"),
        ("请勿增加或删除行，请勿合并、拆分单元格或改动表格结构；"
        "“序号”栏内和表格下方有用于自动汇总的隐藏小标记，请勿删除。"),
        "填好后直接保存为 .docx 格式（尽量不要另存为 .doc 或 .wps：办公室要另行转换才能汇总），发回即可。" + send,
    ]


def text_twips(text: str, pt: float) -> int:
    """Width of `text` on one line: one em per CJK character; ASCII 0.6 em, not 宋体's half em,
    so a date still fits where 宋体's Latin glyphs are replaced by a wider font (LibreOffice
    without 宋体 uses DejaVu Sans: 2023-09-01 is 5.8 em there)."""
    ems = sum(ASCII_EM if ch.isascii() else 1.0 for ch in text)
    return round(ems * pt * 20)


# ------------------------------------------------------------------------------ geometry
def usable_twips(section: Section) -> int:
    """The text width between the margins, in twips (1/20 pt): what the table should fill."""
    return round((section.page_width - section.left_margin - section.right_margin) / Twips(1))


def min_twips(header: str) -> int:
    """The narrowest a column may be: its header (bold) and its fixed values on one line."""
    values = ONE_LINE_VALUES.get(header, ())
    widest = max([text_twips(header, HEADER_PT), *(text_twips(v, BODY_PT) for v in values)])
    return widest + 2 * CELL_MARGIN_TWIPS + SLACK_TWIPS


def column_twips(total: int, weights: tuple[float, ...] = WIDTHS,
                 floors: tuple[int, ...] | None = None) -> list[int]:
    """Column widths summing to `total`: proportional to `weights`, none below its floor.

    A column that would fall below its floor is pinned there and the others share what is
    left in their own proportion, so the wide columns keep the ratio layout.WIDTHS intends.
    """
    floors = floors if floors is not None else tuple(min_twips(h) for h in HEADERS)
    pinned: dict[int, float] = {}
    if sum(floors) < total:
        while True:
            free = [i for i in range(len(weights)) if i not in pinned]
            room = total - sum(pinned.values())
            share = {i: room * weights[i] / sum(weights[j] for j in free) for i in free}
            low = [i for i in free if share[i] < floors[i]]
            if not low:
                break
            pinned.update({i: floors[i] for i in low})
        exact = [pinned.get(i, share.get(i, 0.0)) for i in range(len(weights))]
    else:  # floors do not fit (a narrow page): plain proportion
        exact = [total * w / sum(weights) for w in weights]
    widths = [round(x) for x in exact]
    widths[widths.index(max(widths))] += total - sum(widths)  # rounding goes to the widest column
    return widths


def _set_table_geometry(table: Table, widths: list[int]) -> None:
    """Grid, table width, fixed layout and cell margins: what LibreOffice and WPS lay out by."""
    table.autofit = False  # w:tblLayout w:type="fixed"
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(tbl_w, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                                     "w:tblLayout", "w:tblCellMar", "w:tblLook")
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(widths)))
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    for column, width in zip(table.columns, widths):
        column.width = Twips(width)  # w:gridCol


# ------------------------------------------------------------------------------ fonts
def _east_asia(rpr, *, lang: bool = False) -> None:
    """rFonts with eastAsia: python-docx's font.name sets only the Latin slots."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(slot), FONT)
    if lang:  # Chinese line breaking and punctuation; the template says en-US
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.insert_element_before(el, "w:eastAsianLayout", "w:specVanish", "w:oMath")
        el.set(qn("w:eastAsia"), "zh-CN")


def _font(run, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _east_asia(run._element.get_or_add_rPr())


def _size_cs(rpr, size: float) -> None:
    """w:szCs beside w:sz (python-docx sets only w:sz), so both scripts use the same size."""
    sz_cs = rpr.find(qn("w:szCs"))
    if sz_cs is None:
        sz_cs = OxmlElement("w:szCs")
        rpr.insert_element_before(sz_cs, "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                                  "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                                  "w:specVanish", "w:oMath")
    sz_cs.set(qn("w:val"), str(round(size * 2)))  # half-points


def _mark_font(paragraph: Paragraph, size: float, *, bold: bool = False) -> None:
    """The paragraph mark's font (w:pPr/w:rPr): Word and WPS give it to text typed into an empty cell."""
    ppr = paragraph._p.get_or_add_pPr()
    old = ppr.find(qn("w:rPr"))
    if old is not None:
        ppr.remove(old)
    rpr = OxmlElement("w:rPr")
    _east_asia(rpr)
    if bold:
        rpr.append(OxmlElement("w:b"))
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(round(size * 2)))
    rpr.append(sz)
    _size_cs(rpr, size)
    ppr.insert_element_before(rpr, "w:sectPr", "w:pPrChange")


def _default_font(word: WordDocument) -> None:
    """Normal in 宋体 9 pt (Chinese language): a paragraph the liaison adds inherits the sheet's look."""
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _east_asia(rpr, lang=True)
    _size_cs(rpr, BODY_PT)


def _text_run(paragraph: Paragraph, text: str) -> Run:
    """A run of literal text: w:t only (no field, whatever the text looks like), XML-safe."""
    return paragraph.add_run(xml_text(text))


def _hidden_run(paragraph: Paragraph, text: str) -> None:
    run = _text_run(paragraph, text)
    run.font.size = Pt(1)
    run.font.hidden = True  # w:vanish: kept by Word/WPS/LibreOffice, not shown or printed


# ------------------------------------------------------------------------------ cells
def _repeat_header(row: _Row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _shade(cell: _Cell, color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    tcpr.append(shd)


def _header_row(table: Table, widths: list[int], headers: tuple[str, ...] = HEADERS) -> None:
    for c, header in enumerate(headers):
        cell = table.rows[0].cells[c]
        cell.width = Twips(widths[c])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(_text_run(paragraph, header), HEADER_PT, bold=True)
        _mark_font(paragraph, HEADER_PT, bold=True)
        _shade(cell, HEADER_FILL)
    _repeat_header(table.rows[0])


def _task_row(table: Table, row: SheetRow, widths: list[int], headers: tuple[str, ...] = HEADERS) -> None:
    cells = table.add_row().cells
    values = [*(row.locked[h] for h in HEADERS[: len(HEADERS) - len(FILL)]), *row.base.to_list()]
    if len(headers) > len(HEADERS):
        values += [row.note, "", ""]
    for c, value in enumerate(values):
        cells[c].width = Twips(widths[c])
        paragraph = cells[c].paragraphs[0]
        if value:
            _font(_text_run(paragraph, value), BODY_PT)
        if c == 0:
            _hidden_run(paragraph, f"{DOCX_ID_PREFIX}{row.task.id}")
        _mark_font(paragraph, BODY_PT)
        if headers[c] in FILL or headers[c] in REVIEW_FILL:
            _shade(cells[c], INPUT_FILL)
        elif value and headers[c] not in HEADERS:
            _shade(cells[c], NOTE_FILL)


# ------------------------------------------------------------------------------ document
def _page(word: WordDocument) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))


def _heading(word: WordDocument, unit: str, round_name: str, due: str, *, review: bool = False) -> None:
    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    _font(_text_run(title, f"{unit}　{round_name}　任务进展填报表"), TITLE_PT, bold=True)
    for i, line in enumerate(word_instructions(unit, round_name, due) + ([review_instruction()] if review else [])):
        paragraph = word.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        _font(_text_run(paragraph, line), NOTE_PT, color=NOTE_COLOR if i == 0 else None)
    word.paragraphs[-1].paragraph_format.space_after = Pt(6)


def write(doc: LedgerDocument, unit: str, round_name: str, path: Path, *, due: str = "",
          include_groups: bool = True, stamp: Stamp | None = None, notes: dict[str, str] | None = None) -> None:
    """`notes` (task id → 审核意见): with it, the review columns too (even when it is empty)."""
    word = Document()
    _page(word)
    _default_font(word)
    review = notes is not None
    _heading(word, unit, round_name, due, review=review)

    # table row 1 is the header
    rows = plan_rows(doc, unit, round_name, first_row=2, include_groups=include_groups, notes=notes)
    headers = (*HEADERS, *REVIEW_COLUMNS) if review else HEADERS
    weights = DOCX_REVIEW_WEIGHTS if review else WIDTHS
    widths = column_twips(usable_twips(word.sections[0]), weights, tuple(min_twips(h) for h in headers))
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    _set_table_geometry(table, widths)
    _header_row(table, widths, headers)
    for r in rows:
        _task_row(table, r, widths, headers)

    data = meta_rows(doc, unit, round_name, header_row=1, rows=rows, stamp=stamp)
    props = word.core_properties
    props.title = xml_text(f"{unit} {round_name} 任务进展填报表")
    props.subject = FORMAT_TAG
    props.keywords = "ledgerdesk"
    # python-docx keeps the template's dates; the merge compares save times, so stamp ours (UTC, as Word does)
    props.created = props.modified = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    hidden = word.add_paragraph()
    _hidden_run(hidden, DOCX_META_PREFIX + json_for_xml(json.dumps(data, ensure_ascii=False, separators=(",", ":"))))

    with atomic_output(path) as tmp:
        word.save(str(tmp))
