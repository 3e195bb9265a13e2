"""The .docx return sheet: the same table in Word, for units that prefer Word.

Hidden data (see layout.py): the JSON metadata in a hidden-font (w:vanish)
paragraph "#ldmeta:{…}" after the table, FORMAT_TAG in the core property "subject",
and a hidden-font run "#ld:<task id>" in each 序号 cell.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.core.records import LedgerDocument
from app.formats.atomic import atomic_output
from app.formats.returns.layout import (
    Stamp,
    DOCX_ID_PREFIX,
    DOCX_META_PREFIX,
    FILL,
    FORMAT_TAG,
    HEADERS,
    WIDTHS,
    instructions,
    meta_rows,
    plan_rows,
)

FONT = "宋体"


def _font(run, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), FONT)


def _hidden_run(paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(1)
    run.font.hidden = True  # w:vanish: kept by Word/WPS/LibreOffice, not shown or printed


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _shade(cell, color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    tcpr.append(shd)


def write(doc: LedgerDocument, unit: str, round_name: str, path: Path, *, due: str = "",
          include_groups: bool = True, stamp: Stamp | None = None) -> None:
    word = Document()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))

    title = word.add_paragraph()
    _font(title.add_run(f"{unit}　{round_name}　任务进展填报表"), 14, bold=True)
    title.alignment = 1
    for i, line in enumerate(instructions(unit, round_name, due)):
        _font(word.add_paragraph().add_run(line), 9, color=RGBColor(0xC0, 0, 0) if i == 0 else None)

    rows = plan_rows(doc, unit, round_name, first_row=2, include_groups=include_groups)  # table row 1 is the header
    table = word.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.autofit = False
    scale = 26.7 / sum(WIDTHS)
    for c, header in enumerate(HEADERS):
        cell = table.rows[0].cells[c]
        cell.width = Cm(WIDTHS[c] * scale)
        _font(cell.paragraphs[0].add_run(header), 10, bold=True)
        _shade(cell, "DDEBF7")
    _repeat_header(table.rows[0])
    for r in rows:
        cells = table.add_row().cells
        values = [*(r.locked[h] for h in HEADERS[: len(HEADERS) - len(FILL)]), *r.base.to_list()]
        for c, value in enumerate(values):
            cells[c].width = Cm(WIDTHS[c] * scale)
            paragraph = cells[c].paragraphs[0]
            if value:
                _font(paragraph.add_run(value), 9)
            if c == 0:
                _hidden_run(paragraph, f"{DOCX_ID_PREFIX}{r.task.id}")
            if HEADERS[c] in FILL:
                _shade(cells[c], "FFF9DB")

    data = meta_rows(doc, unit, round_name, header_row=1, rows=rows, stamp=stamp)
    props = word.core_properties
    props.title = f"{unit} {round_name} 任务进展填报表"
    props.subject = FORMAT_TAG
    props.keywords = "ledgerdesk"
    # python-docx keeps the template's dates; the merge compares save times, so stamp ours (UTC, as Word does)
    props.created = props.modified = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    hidden = word.add_paragraph()
    _hidden_run(hidden, DOCX_META_PREFIX + json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    with atomic_output(path) as tmp:
        word.save(str(tmp))
