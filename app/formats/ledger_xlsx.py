"""The standard ledger table as a print-ready .xlsx (openpyxl).

Sheet "任务落实台账" is what people see and print (A4 landscape, header row repeated,
fit to one page wide, page numbers in the footer). Sheet "统计" is the overview.
Sheet "_ledgerdesk" is hidden ("hidden", not "veryHidden", so LibreOffice keeps it)
and holds everything the read-back needs for a lossless round trip, one record per
row (kind in column A, JSON split over B, C, … so no cell nears Excel's 32,767
character limit). Column I of the main sheet (hidden) holds each task row's id so
that sorting or inserting rows does not lose the match.

Fonts: xlsx cannot express a font fallback, so the body is 宋体 (present on every
Windows, WPS and LibreOffice install with CJK support; 仿宋_GB2312 is often missing
outside government images) and the title 黑体, bold.
"""

from __future__ import annotations

import json
from copy import copy
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.properties import PageSetupProperties

from app.core.records import LedgerDocument
from app.formats.ledger_layout import (
    COLUMN_WIDTHS_CM,
    COLUMNS,
    FOOTER_TEXT,
    MARGINS_CM,
    LedgerLayout,
    SectionRow,
    build_layout,
    format_date_cn,
    line_count,
    overdue_row,
)

XLSX_FORMAT_TAG = "ledgerdesk-xlsx/1"
MAIN_SHEET = "任务落实台账"
OVERVIEW_SHEET = "统计"
DATA_SHEET = "_ledgerdesk"
HEADER_ROW = 4
FIRST_DATA_ROW = HEADER_ROW + 1
ID_COLUMN = len(COLUMNS) + 1  # column I, hidden
CHUNK = 30000

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_PT = 11
TITLE_PT = 18
LINE_PT = 15.0  # one wrapped line of 11 pt CJK text, with leading
OVERDUE_FILL = PatternFill("solid", fgColor="FFE1E1")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CM_PER_INCH = 2.54


def cm_to_width(cm: float) -> float:
    """Excel column width (in '0' characters of an 11 pt default font) for `cm` centimetres."""
    return round((cm * 96 / _CM_PER_INCH - 5) / 7, 2)


def width_units(width: float, font_pt: float = BODY_PT) -> float:
    """How many half-width characters of `font_pt` fit on one line of a column `width` wide."""
    pixels = width * 7 + 5 - 8  # cell padding
    return pixels / (font_pt * 96 / 72 / 2) * 0.95


CELL_LIMIT = 32767  # Excel's limit on the characters of one cell


def clean(text: str) -> str:
    """Text a worksheet cell accepts: control characters removed, cut to Excel's cell limit
    (the hidden sheet keeps the full text; the reader compares through this same function)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def set_text(cell, value: str | int) -> None:
    """Write a value that is never taken for a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


class _Styler:
    """Applies a (font, alignment, border, fill) combination; each combination is resolved
    once and then copied as openpyxl's style array: per-cell style assignment hashes every
    style object and dominated the time of a 2,000-task export."""

    def __init__(self) -> None:
        self._cache: dict[tuple, object] = {}

    def __call__(self, cell, font=None, alignment=None, border=None, fill=None) -> None:
        key = (id(font), id(alignment), id(border), id(fill))
        cached = self._cache.get(key)
        if cached is None:
            if font is not None:
                cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if border is not None:
                cell.border = border
            if fill is not None:
                cell.fill = fill
            self._cache[key] = (copy(cell._style), font, alignment, border, fill)  # keep the objects alive
        else:
            cell._style = copy(cached[0])


def merge(ws, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
    """Record a merged range without openpyxl's per-merge re-styling (every cell is styled already)."""
    ref = f"{get_column_letter(start_column)}{start_row}:{get_column_letter(end_column)}{end_row}"
    ws.merged_cells.add(MergedCellRange(ws, ref))


def write_ledger_xlsx(
    doc: LedgerDocument,
    path: Path,
    *,
    unit: str | None = None,
    round_name: str | None = None,
    as_of: date | None = None,
) -> None:
    """Write the standard ledger table of `doc` (optionally one unit's tasks) to `path`."""
    layout = build_layout(doc, unit=unit, round_name=round_name, as_of=as_of)
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    row_of_task = _write_main(ws, layout)
    _write_overview(wb.create_sheet(OVERVIEW_SHEET), layout)
    data = wb.create_sheet(DATA_SHEET)
    _write_data(data, doc, layout, row_of_task)
    data.sheet_state = "hidden"
    wb.active = 0
    wb.save(path)


# ---------------------------------------------------------------- main sheet


def _write_main(ws, layout: LedgerLayout) -> dict[str, int]:
    widths = [cm_to_width(cm) for cm in COLUMN_WIDTHS_CM]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.column_dimensions[get_column_letter(ID_COLUMN)].hidden = True
    last_col = len(COLUMNS)

    title = ws.cell(1, 1)
    set_text(title, clean(layout.title))
    title.font = Font(name=TITLE_FONT, size=TITLE_PT, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.row_dimensions[1].height = 40

    info_font = Font(name=BODY_FONT, size=BODY_PT)
    for r, pair in ((2, ("填报单位", "填报时间")), (3, ("联系人", "联系电话"))):
        for half, label in enumerate(pair):
            col = 1 if half == 0 else 5
            cell = ws.cell(r, col)
            set_text(cell, clean(f"{label}：{layout.info[label]}"))
            cell.font = info_font
            cell.alignment = Alignment(horizontal="left", vertical="center")
            ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + 3)
        ws.row_dimensions[r].height = 20

    header_font = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, c, name)
        cell.font, cell.alignment, cell.border, cell.fill = header_font, centered, BORDER, HEADER_FILL
    ws.cell(HEADER_ROW, ID_COLUMN, "_id")
    ws.row_dimensions[HEADER_ROW].height = 2 * LINE_PT

    body_font = Font(name=BODY_FONT, size=BODY_PT)
    bold_font = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    section_align = Alignment(horizontal="left", vertical="center", wrap_text=True)
    aligns = [centered, centered, top_left, top_left, top_left, top_left, centered, top_left]
    units = [width_units(w) for w in widths]
    heights: dict[int, float] = {}
    row_of_task: dict[str, int] = {}
    key_merges: list[tuple[int, int, str]] = []

    style = _Styler()
    r = FIRST_DATA_ROW
    for item in layout.rows:
        if isinstance(item, SectionRow):
            cell = ws.cell(r, 1)
            set_text(cell, clean(item.label))
            style(cell, bold_font, section_align, BORDER)
            for c in range(2, last_col + 1):
                style(ws.cell(r, c), None, None, BORDER)
            merge(ws, r, 1, r, last_col)
            heights[r] = LINE_PT * line_count(item.label, sum(units)) + 6
            r += 1
            continue
        row_of_task[item.task.id] = r
        lines = 1
        for c, text in enumerate(item.cells, start=1):
            cell = ws.cell(r, c)
            if c == 1 and text.isdigit():
                cell.value = int(text)
            elif text and not (c == 2 and item.key_span == 0):
                set_text(cell, clean(text))
            filled = item.overdue and not (c == 2 and item.key_span != 1)
            style(cell, body_font, aligns[c - 1], BORDER, OVERDUE_FILL if filled else None)
            if c != 2 or item.key_span == 1:
                lines = max(lines, line_count(text, units[c - 1]))
        set_text(ws.cell(r, ID_COLUMN), item.task.id)
        heights[r] = LINE_PT * lines + 6
        if item.key_span > 1:
            key_merges.append((r, r + item.key_span - 1, item.task.key_work))
        r += 1
    last_row = r - 1

    for start, end, text in key_merges:
        need = LINE_PT * line_count(text, units[1]) + 6
        have = sum(heights[i] for i in range(start, end + 1))
        if need > have:
            heights[end] += need - have
        merge(ws, start, 2, end, 2)
    for row, height in heights.items():
        ws.row_dimensions[row].height = min(round(height, 1), 409)

    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    area = f"A1:{get_column_letter(last_col)}{max(last_row, HEADER_ROW)}"
    _page_setup(ws, area, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return row_of_task


def _page_setup(ws, area: str, *, title_rows: str | None) -> None:
    """A4 landscape, binding margin on the left, one page wide, numbered pages."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    inch = 1 / _CM_PER_INCH
    m = ws.page_margins
    m.left, m.right = MARGINS_CM["left"] * inch, MARGINS_CM["right"] * inch
    m.top, m.bottom = MARGINS_CM["top"] * inch, MARGINS_CM["bottom"] * inch
    m.header, m.footer = MARGINS_CM["header"] * inch, MARGINS_CM["footer"] * inch
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = area
    ws.oddFooter.center.text = FOOTER_TEXT.format(page="&P", pages="&N")
    ws.oddFooter.center.font = BODY_FONT
    ws.oddFooter.center.size = 10


# ---------------------------------------------------------------- overview


OVERVIEW_COLUMNS = ("序号", "牵头单位", "牵头任务", "已完成", "进行中", "长期坚持", "逾期未完成", "配合任务")


def _write_overview(ws, layout: LedgerLayout) -> None:
    n = len(OVERVIEW_COLUMNS)
    late_col = OVERVIEW_COLUMNS.index("逾期未完成") + 1
    title = ws.cell(1, 1, f"各单位任务落实情况统计（截至{format_date_cn(layout.as_of)}）")
    title.font = Font(name=TITLE_FONT, size=14, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 30
    for i, width in enumerate((6, 30, 10, 10, 10, 10, 12, 10), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_font = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    body = Font(name=BODY_FONT, size=BODY_PT)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for c, name in enumerate(OVERVIEW_COLUMNS, start=1):
        cell = ws.cell(2, c, name)
        cell.font, cell.alignment, cell.border, cell.fill = header_font, center, BORDER, HEADER_FILL
    rows = [
        (i, c.unit, c.led, c.done, c.in_progress, c.long_term, c.overdue, c.cooperating)
        for i, c in enumerate(layout.overview, start=1)
    ]
    totals = ("", "合计", *(sum(r[k] for r in rows) for k in range(2, n)))
    for r, values in enumerate([*rows, totals], start=3):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            set_text(cell, value)
            cell.font = header_font if values is totals else body
            cell.alignment = left if c == 2 else center
            cell.border = BORDER
            if c == late_col and isinstance(value, int) and value and values is not totals:
                cell.fill = OVERDUE_FILL
    last = len(rows) + 3
    if layout.overdue:
        last = _write_overdue_list(ws, layout, last + 2, header_font, body, center, left)
    ws.freeze_panes = "A3"
    # Two tables on this sheet: no single header row to repeat.
    _page_setup(ws, f"A1:{get_column_letter(n)}{last}", title_rows=None)


def _write_overdue_list(ws, layout: LedgerLayout, r: int, header_font, body, center, left) -> int:
    """The overdue tasks under the unit table: 序号 | 主要内容 (merged B:E) | 责任单位 (F:G) | 完成时限."""
    head = ws.cell(r, 1, f"逾期未完成任务（{len(layout.overdue)} 项）")
    head.font = Font(name=TITLE_FONT, size=12, bold=True)
    spans = ((1, 1), (2, 5), (6, 7), (8, 8))
    for values, font in [(("序号", "主要内容", "责任单位", "完成时限"), header_font),
                         *((overdue_row(t), body) for t in layout.overdue)]:
        r += 1
        for (first, end), value in zip(spans, values):
            for c in range(first, end + 1):
                ws.cell(r, c).border = BORDER
            cell = ws.cell(r, first)
            set_text(cell, clean(value))
            cell.font, cell.fill = font, OVERDUE_FILL if font is body else HEADER_FILL
            cell.alignment = left if first in (2, 6) and font is body else center
            if end > first:
                merge(ws, r, first, r, end)
        ws.row_dimensions[r].height = LINE_PT * line_count(values[1], width_units(58)) + 6
    return r


# ---------------------------------------------------------------- hidden data


def _write_data(ws, doc: LedgerDocument, layout: LedgerLayout, row_of_task: dict[str, int]) -> None:
    """One record per row: kind in A, its JSON split over B, C, … (see module docstring)."""
    from app.formats.ledger_json import progress_to_json

    records: list[tuple[str, object]] = [("format", XLSX_FORMAT_TAG)]
    records.append(("meta", {
        "ledger_id": doc.ledger_id, "title": doc.title, "year": doc.year, "office": doc.office,
        "unit": layout.unit, "round": layout.round_name, "as_of": layout.as_of.isoformat(),
        "header_row": HEADER_ROW, "id_column": ID_COLUMN, "sheet": MAIN_SHEET,
    }))
    records += [("round", {"name": r.name, "due": r.due.isoformat() if r.due else None}) for r in doc.rounds]
    records += [("unit", {"name": u.name, "kind": u.kind, "aliases": list(u.aliases),
                          "liaison": u.liaison, "phone": u.phone}) for u in doc.units]
    records += [("heading", {"id": h.id, "number": h.number, "title": h.title,
                             "parent_id": h.parent_id, "level": h.level}) for h in doc.headings]
    exported = {t.id for t in layout.tasks}
    for t in layout.tasks:
        records.append(("task", {
            "id": t.id, "row": row_of_task.get(t.id), "seq": t.seq, "heading_id": t.heading_id,
            "key_work": t.key_work, "content": t.content, "metric": t.metric,
            "lead_units": list(t.lead_units), "coop_units": list(t.coop_units),
            "deadline": t.deadline.to_json(), "notes": t.notes,
        }))
    records += [("progress", progress_to_json(p)) for p in doc.progress if p.task_id in exported]
    for r, (kind, payload) in enumerate(records, start=1):
        ws.cell(r, 1, kind)
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        for c, chunk in enumerate(split_chunks(text), start=2):
            set_text(ws.cell(r, c), chunk)


def split_chunks(text: str, size: int = CHUNK) -> list[str]:
    """Pieces of at most `size` characters, none starting with "=" (it would read as a formula)."""
    chunks: list[str] = []
    while len(text) > size:
        cut = size
        while cut > 1 and text[cut] == "=":
            cut -= 1
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return chunks
