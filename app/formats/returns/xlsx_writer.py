"""The .xlsx return sheet (layout and hidden data: see layout.py).

Built to open the same in Excel 2007+, WPS and LibreOffice: plain cell styles,
a list data validation with an inline formula, sheet protection with no password
(fill-in cells unlocked), a hidden (not "very hidden") metadata sheet.

With `notes` (review of returns, layout.py) the three review columns follow the hidden id column:
审核意见 locked (a note shaded pale red), 申请延期至 / 延期理由 unlocked fill-in cells.

Every text goes in through `text_cell` (safe_names.put_text): a progress text or unit
name starting with "=" is what a unit typed, never a formula to run in the next round's
sheet, and a control character in a unit name is escaped, not a crash.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.core.records import STATUSES, LedgerDocument
from app.formats.atomic import atomic_output
from app.formats.returns.layout import (
    FILL,
    FORMAT_TAG,
    HEADERS,
    ID_HEADER,
    META_SHEET,
    REVIEW_COLUMNS,
    REVIEW_FILL,
    REVIEW_WIDTHS,
    ROW_FIELDS,
    WIDTHS,
    Stamp,
    instructions,
    meta_rows,
    plan_rows,
    review_instruction,
)
from app.formats.safe_names import put_text

FONT = "宋体"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL_IN = PatternFill("solid", fgColor="FFF9DB")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_UNLOCKED = Protection(locked=False)
_NOTE_FILL = PatternFill("solid", fgColor="FCE4E4")


def text_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """The cell at (row, column) holding `value`: a str always as text (never a formula), see put_text."""
    cell = ws.cell(row, column)
    put_text(cell, value)
    return cell


def _review_cells(ws: Worksheet, row: int, first_col: int, note: str, font: Font) -> None:
    """审核意见 (locked, shaded when there is a note) and the two extension fill-in cells of one row."""
    for c, header in enumerate(REVIEW_COLUMNS, start=first_col):
        cell = text_cell(ws, row, c, note if header not in REVIEW_FILL and note else None)
        cell.font = font
        cell.border = _BORDER
        cell.alignment = _WRAP
        if header in REVIEW_FILL:
            cell.fill = _FILL_IN
            cell.protection = _UNLOCKED
        elif note:
            cell.fill = _NOTE_FILL
    ws.cell(row, first_col + REVIEW_COLUMNS.index(REVIEW_FILL[0])).number_format = "yyyy-mm-dd"


def write(doc: LedgerDocument, unit: str, round_name: str, path: Path, *, due: str = "",
          include_groups: bool = True, stamp: Stamp | None = None, notes: dict[str, str] | None = None) -> None:
    """Write the workbook to a temporary name, then rename: never a half-written sheet.

    `notes` (task id → 审核意见): with it, the review columns too (even when it is empty)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "填报表"
    ncols = len(HEADERS) + 1
    review = notes is not None
    last_col = get_column_letter(ncols + len(REVIEW_COLUMNS) if review else len(HEADERS))

    text_cell(ws, 1, 1, f"{unit}　{round_name}　任务进展填报表").font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells(f"A1:{last_col}1")
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    lines = instructions(unit, round_name, due) + ([review_instruction()] if review else [])
    for i, line in enumerate(lines, start=2):
        cell = text_cell(ws, i, 1, line)
        cell.font = Font(name=FONT, size=10, color="C00000" if i == 2 else "000000")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.merge_cells(f"A{i}:{last_col}{i}")
        ws.row_dimensions[i].height = 30
    header_row = len(lines) + 2

    for c, title in enumerate((*HEADERS, ID_HEADER, *(REVIEW_COLUMNS if review else ())), start=1):
        cell = text_cell(ws, header_row, c, title)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.alignment = _CENTER
        cell.border = _BORDER
        cell.fill = _HEAD_FILL
    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    id_col = get_column_letter(ncols)
    ws.column_dimensions[id_col].width = 38
    ws.column_dimensions[id_col].hidden = True
    if review:
        for c, width in enumerate(REVIEW_WIDTHS, start=ncols + 1):
            ws.column_dimensions[get_column_letter(c)].width = width

    rows = plan_rows(doc, unit, round_name, header_row + 1, include_groups=include_groups, notes=notes)
    body_font = Font(name=FONT, size=10)
    for r in rows:
        values = [*(r.locked[h] for h in HEADERS[: len(HEADERS) - len(FILL)]), r.base.status, r.base.text,
                  r.base.done_date, r.base.evidence, r.task.id]
        for c, value in enumerate(values, start=1):
            cell = text_cell(ws, r.row, c, value if value != "" else None)
            cell.font = body_font
            cell.border = _BORDER
            cell.alignment = _CENTER if c in (1, 5, 6, 7, 9) else _WRAP
            if HEADERS[c - 1:c] and HEADERS[c - 1] in FILL:
                cell.fill = _FILL_IN
                cell.protection = _UNLOCKED
        ws.cell(r.row, 1).number_format = "@"
        ws.cell(r.row, 9).number_format = "yyyy-mm-dd"
        if review:
            _review_cells(ws, r.row, ncols + 1, r.note, body_font)
        # Give the text room: rows grow with the content (Excel does not auto-fit merged/wrapped rows).
        ws.row_dimensions[r.row].height = max(45, min(200, 15 * (len(r.task.content) // 24 + 1)))

    if rows:
        first, last = rows[0].row, rows[-1].row
        dv = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
        dv.errorStyle = "warning"
        dv.error = "请从列表中选择状态（也可保留自己的写法）"
        dv.errorTitle = "状态"
        dv.prompt = "请选择：" + "、".join(STATUSES)
        dv.promptTitle = "状态"
        dv.showInputMessage = True
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"G{first}:G{last}")
        date_dv = DataValidation(type="date", operator="greaterThan", formula1="1")
        date_dv.errorStyle = "warning"
        date_dv.error = "请填写日期，例如 2023-09-01"
        date_dv.showErrorMessage = True
        ws.add_data_validation(date_dv)
        date_dv.add(f"I{first}:I{last}")
        if review:
            ext_col = get_column_letter(ncols + 1 + REVIEW_COLUMNS.index(REVIEW_FILL[0]))
            date_dv.add(f"{ext_col}{first}:{ext_col}{last}")

    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # no password: guards against slips, not intent
    ws.protection.formatRows = False  # row heights may be changed
    ws.protection.formatCells = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False

    meta = wb.create_sheet(META_SHEET)
    data = meta_rows(doc, unit, round_name, header_row, rows, stamp)
    records: list[list[str]] = [[FORMAT_TAG]]
    records += [[key, str(data[key])] for key in ("ledger_id", "unit", "round", "header_row", "dispatch_id", "signature")
                if key in data]
    records += [list(ROW_FIELDS), *([str(v) for v in item] for item in data["rows"])]
    for r, line in enumerate(records, start=1):
        for c, value in enumerate(line, start=1):
            text_cell(meta, r, c, value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    path = Path(path)
    with atomic_output(path) as tmp:
        wb.save(tmp)
