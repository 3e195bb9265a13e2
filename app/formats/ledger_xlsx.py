"""The standard ledger table as a print-ready .xlsx (openpyxl).

Sheet "任务落实台账" is what people see and print (A4 landscape, header row repeated,
fit to one page wide, page numbers in the footer), with the shading legend under the
title. Sheet "统计" is the overview.

Pages are planned here, not left to the application: we set every row height, so the
body is laid out page by page (plan_sheet) and manual row breaks are written where
pages start; Excel, WPS and LibreOffice then break at the same rows. A task too tall
for one row (Excel's limit is 409 pt), or taller than half a page and not fitting the
rest of one, goes on in "spill rows": its 进展落实情况 text continues row by row, cut
at line or sentence boundaries; its other cells are merged (序号: outlined) over those
rows, closed at each page end. 重点工作 is merged per page: after a page break its block restarts,
with the text again.

Spill rows and the read-back (ledger_xlsx_in): a spill row's 序号 cell holds "序号",
never shown (number format ";;;"; the cell is not merged, since a covered cell loses its
value when openpyxl saves the file again), so the reader skips the row as it skips a
header repeated at a page break; its id cell holds "<task id>+<n>", and a hidden
"spill" record gives the task's rows and how their texts join.

Sheet "_ledgerdesk" is hidden ("hidden", not "veryHidden", so LibreOffice keeps it)
and holds everything the read-back needs for a lossless round trip, one record per
row (kind in column A, JSON split over B, C, … so no cell nears Excel's 32,767
character limit). Column I of the main sheet (hidden) holds each task row's id so
that sorting or inserting rows does not lose the match.

Fonts: xlsx cannot express a font fallback, so the body is 宋体 (present on every
Windows, WPS and LibreOffice install with CJK support; 仿宋_GB2312 is often missing
outside government images) and the title 黑体, bold.

With `history` (the export's --history) two appendix sheets follow 统计: "留痕记录", every
logged change of every progress entry in log order (who, from which file, when, what
changed), and "佐证材料", the evidence file names of every entry, task by task. Without it the
workbook is exactly as before.
"""

from __future__ import annotations

import json
import re
from copy import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from app.core.changes import EntryChange
from app.core.deadlines_unit import deadline_cell
from app.core.records import LedgerDocument, Progress
from app.formats.ledger_layout import (
    COLUMN_WIDTHS_CM,
    COLUMNS,
    FOOTER_TEXT,
    INFO_LABELS,
    KEEP_WHOLE_FRACTION,
    MARGINS_CM,
    PRINT_HEIGHT_PT,
    LedgerLayout,
    SectionRow,
    TaskRow,
    build_layout,
    fill_lines,
    format_date_cn,
    join_pieces,
    line_count,
    overdue_row,
    split_pieces,
)
from app.formats.safe_names import put_text

XLSX_FORMAT_TAG = "ledgerdesk-xlsx/1"
MAIN_SHEET = "任务落实台账"
OVERVIEW_SHEET = "统计"
DATA_SHEET = "_ledgerdesk"
INFO_ROW = 2
LEGEND_ROW = 3
HEADER_ROW = 4
FIRST_DATA_ROW = HEADER_ROW + 1
# Columns of 填报单位, 填报时间, 联系人, 联系电话 in the info row.
INFO_SPANS = ((1, 3), (4, 5), (6, 7), (8, 8))
ID_COLUMN = len(COLUMNS) + 1  # column I, hidden
CHUNK = 30000

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_PT = 11
TITLE_PT = 18
LINE_PT = 15.0  # one wrapped line of 11 pt CJK text, with leading
ROW_PAD = 6.0
MAX_ROW_PT = 409.0  # Excel's largest row height
TITLE_HEIGHT, INFO_HEIGHT, LEGEND_HEIGHT, HEADER_HEIGHT = 40.0, 20.0, 20.0, 2 * LINE_PT
PAGE_FILL = 0.97  # share of a page's printable height the plan fills: room for rounding
SPILL_MARK = "序号"  # in a spill row's 序号 cell, never shown: the read-back skips the row
HIDDEN_FORMAT = ";;;"  # shows nothing, in Excel, WPS and LibreOffice alike
SPILL_ID_SEP = "+"
# The workbook's default font: column widths are counted in its digits. Arial 10 has the
# digit width of Excel's default (Calibri 11) and is present, or metric-compatible
# (Liberation Sans), wherever LibreOffice is; a missing Calibri made LibreOffice's
# columns 25 % wider and its fit-to-width print that much smaller.
DEFAULT_FONT = Font(name="Arial", size=10, family=2)
OVERDUE_FILL = PatternFill("solid", fgColor="FFE1E1")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# 序号 of a task with spill rows is not merged (a covered cell loses its value when openpyxl,
# and perhaps other programs, save the file again, and its "序号" marks the spill row): its
# cells are outlined as one, open at the top and/or bottom inside the block.
SEQ_BORDERS = {
    (open_top, open_bottom): Border(left=_THIN, right=_THIN, top=Side() if open_top else _THIN,
                                    bottom=Side() if open_bottom else _THIN)
    for open_top in (False, True) for open_bottom in (False, True)
}
_CM_PER_INCH = 2.54


def cm_to_width(cm: float) -> float:
    """Excel column width (in '0' characters of the default font, 7 pixels) for `cm` centimetres."""
    return round((cm * 96 / _CM_PER_INCH - 5) / 7, 2)


def width_units(width: float, font_pt: float = BODY_PT) -> float:
    """How many half-width characters of `font_pt` fit on one line of a column `width` wide
    (Excel shows width × 7 pixels; a few go to padding; 5 % spare for wrapping rules)."""
    pixels = width * 7 - 6
    return pixels / (font_pt * 96 / 72 / 2) * 0.95


CELL_LIMIT = 32767  # Excel's limit on the characters of one cell


def clean(text: str) -> str:
    """Text a worksheet cell accepts: control characters removed, cut to Excel's cell limit
    (the hidden sheet keeps the full text; the reader compares through this same function)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def set_text(cell, value: str | int) -> None:
    """Write a value that is never taken for a formula: a str is always a string cell, whatever it
    starts with (= + - @), and a control character in it (an overview unit name) is escaped, not an error.
    No quotePrefix: _Styler copies whole styles afterwards, which would spread or drop it."""
    put_text(cell, value, keep_on_edit=False)


class _Styler:
    """Applies a (font, alignment, border, fill) combination; each combination is resolved
    once and then copied as openpyxl's style array: per-cell style assignment hashes every
    style object and dominated the time of a 2,000-task export."""

    def __init__(self) -> None:
        self._cache: dict[tuple, object] = {}

    def __call__(self, cell, font=None, alignment=None, border=None, fill=None, number_format=None) -> None:
        key = (id(font), id(alignment), id(border), id(fill), number_format)
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
            if number_format is not None:
                cell.number_format = number_format
            self._cache[key] = (copy(cell._style), font, alignment, border, fill)  # keep the objects alive
        else:
            cell._style = copy(cached[0])


def _set_default_font(wb: Workbook) -> None:
    """Make DEFAULT_FONT the workbook's default (openpyxl has no public way to)."""
    wb._fonts = IndexedList([DEFAULT_FONT])
    wb._named_styles["Normal"].font = copy(DEFAULT_FONT)


def merge(ws, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
    """Record a merged range without openpyxl's per-merge work: every cell is styled already,
    and MultiCellRange.add compares each new range with all earlier ones (quadratic)."""
    ref = f"{get_column_letter(start_column)}{start_row}:{get_column_letter(end_column)}{end_row}"
    ws.merged_cells.ranges.add(CellRange(ref))


def write_ledger_xlsx(
    doc: LedgerDocument,
    path: Path,
    *,
    unit: str | None = None,
    round_name: str | None = None,
    as_of: date | None = None,
    history: list[EntryChange] | None = None,
) -> None:
    """Write the standard ledger table of `doc` (optionally one unit's tasks) to `path`; with `history`
    (Ledger.all_progress_history) also the 留痕记录 and 佐证材料 appendix sheets, for the exported tasks."""
    layout = build_layout(doc, unit=unit, round_name=round_name, as_of=as_of)
    wb = Workbook()
    _set_default_font(wb)
    ws = wb.active
    ws.title = MAIN_SHEET
    row_of_task, plan = _write_main(ws, layout)
    _write_overview(wb.create_sheet(OVERVIEW_SHEET), layout)
    if history is not None:
        exported = {t.id for t in layout.tasks}
        _write_history(wb.create_sheet(HISTORY_SHEET), doc, [c for c in history if _task_of(c) in exported])
        _write_evidence(wb.create_sheet(EVIDENCE_SHEET), doc, exported)
    data = wb.create_sheet(DATA_SHEET)
    _write_data(data, doc, layout, row_of_task, spill_records(plan))
    data.sheet_state = "hidden"
    wb.active = 0
    wb.save(path)


# ---------------------------------------------------------------- main sheet


def _write_main(ws, layout: LedgerLayout) -> tuple[dict[str, int], list[SheetRow]]:
    """The printed table: head rows, then the body as planned page by page."""
    widths = [cm_to_width(cm) for cm in COLUMN_WIDTHS_CM]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.column_dimensions[get_column_letter(ID_COLUMN)].hidden = True
    _write_head(ws, layout)
    metrics = sheet_metrics(widths)
    plan = plan_sheet(layout, metrics)
    row_of_task = _write_body(ws, plan, metrics)
    _set_page_breaks(ws, plan)
    last_row = FIRST_DATA_ROW + len(plan) - 1
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    area = f"A1:{get_column_letter(len(COLUMNS))}{max(last_row, HEADER_ROW)}"
    _page_setup(ws, area, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return row_of_task, plan


def _write_head(ws, layout: LedgerLayout) -> None:
    """Title (row 1), the four info fields (row 2), the shading legend (row 3), header (row 4)."""
    last_col = len(COLUMNS)
    title = ws.cell(1, 1)
    set_text(title, clean(layout.title))
    title.font = Font(name=TITLE_FONT, size=TITLE_PT, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.row_dimensions[1].height = TITLE_HEIGHT

    info_font = Font(name=BODY_FONT, size=BODY_PT)
    left = Alignment(horizontal="left", vertical="center")
    for label, (first, end) in zip(INFO_LABELS, INFO_SPANS):
        cell = ws.cell(INFO_ROW, first)
        set_text(cell, clean(f"{label}：{layout.info[label]}"))
        cell.font, cell.alignment = info_font, left
        if end > first:
            ws.merge_cells(start_row=INFO_ROW, start_column=first, end_row=INFO_ROW, end_column=end)
    ws.row_dimensions[INFO_ROW].height = INFO_HEIGHT
    _write_legend(ws, layout, info_font, left)

    header_font = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, c, name)
        cell.font, cell.alignment, cell.border, cell.fill = header_font, centered, BORDER, HEADER_FILL
    ws.cell(HEADER_ROW, ID_COLUMN, "_id")
    ws.row_dimensions[HEADER_ROW].height = HEADER_HEIGHT


def _write_legend(ws, layout: LedgerLayout, font: Font, align: Alignment) -> None:
    """What the shading means and as of which date; A3 is a swatch of the fill when any row has it."""
    first = 1
    if layout.overdue:
        swatch = ws.cell(LEGEND_ROW, 1)
        swatch.fill, swatch.border = OVERDUE_FILL, BORDER
        first = 2
    cell = ws.cell(LEGEND_ROW, first)
    set_text(cell, layout.legend)
    cell.font, cell.alignment = font, align
    ws.merge_cells(start_row=LEGEND_ROW, start_column=first, end_row=LEGEND_ROW, end_column=len(COLUMNS))
    ws.row_dimensions[LEGEND_ROW].height = LEGEND_HEIGHT


class _Look:
    """The fonts, alignments and the styler of the body, made once per sheet."""

    def __init__(self) -> None:
        self.body = Font(name=BODY_FONT, size=BODY_PT)
        self.bold = Font(name=BODY_FONT, size=BODY_PT, bold=True)
        centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
        top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.section = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.aligns = [centered, centered, top_left, top_left, top_left, top_left, centered, top_left]
        self.style = _Styler()


def _write_body(ws, plan: list[SheetRow], metrics: SheetMetrics) -> dict[str, int]:
    """Cells, merges and heights of the planned rows; returns the sheet row of each task."""
    look = _Look()
    row_of_task: dict[str, int] = {}
    for r, row in enumerate(plan, start=FIRST_DATA_ROW):
        if isinstance(row.item, SectionRow):
            _write_section(ws, r, row.item, look)
        else:
            _write_task_row(ws, r, row, look)
            if row.part == 0:
                row_of_task[row.item.task.id] = r
        ws.row_dimensions[r].height = round(row.height, 1)
    _merge_blocks(ws, plan, metrics)
    return row_of_task


def _write_section(ws, r: int, item: SectionRow, look: _Look) -> None:
    cell = ws.cell(r, 1)
    set_text(cell, clean(item.label))
    look.style(cell, look.bold, look.section, BORDER)
    for c in range(2, len(COLUMNS) + 1):
        look.style(ws.cell(r, c), None, None, BORDER)
    merge(ws, r, 1, r, len(COLUMNS))


def _write_task_row(ws, r: int, row: SheetRow, look: _Look) -> None:
    """A task's own row, or one of its spill rows: those carry only their share of
    进展落实情况 (and 重点工作 when it restarts on a new page); 主要内容 … 完成时限 are
    covered by the task's merged cells. A spill row's 序号 cell holds "序号", never shown
    (number format ";;;"), which the read-back (ledger_xlsx_in) skips like a header
    repeated at a page break."""
    item = row.item
    for c, text in enumerate(item.cells, start=1):
        cell = ws.cell(r, c)
        if c == 2:
            value = text if row.key_text else ""
        elif c == len(COLUMNS):
            value = row.progress
        elif row.part:
            value = SPILL_MARK if c == 1 else ""
        else:
            value = text
        if c == 1 and value.isdigit():
            cell.value = int(value)
        elif value:
            set_text(cell, clean(value))
        filled = item.overdue and not (c == 2 and item.key_span != 1)
        hidden = HIDDEN_FORMAT if c == 1 and row.part else None
        border = SEQ_BORDERS[row.open_top, row.open_bottom] if c == 1 else BORDER
        look.style(cell, look.body, look.aligns[c - 1], border, OVERDUE_FILL if filled else None, hidden)
    set_text(ws.cell(r, ID_COLUMN), item.task.id if not row.part else f"{item.task.id}{SPILL_ID_SEP}{row.part}")


def _merge_blocks(ws, plan: list[SheetRow], metrics: SheetMetrics) -> None:
    """A task's cells over its spill rows, closed at each page end (主要内容 … 完成时限 over
    the rows on one page; 序号 is outlined instead, see SEQ_BORDERS). Only a cell whose text
    needs more than the first page's part (say a 主要内容 of a thousand characters) is
    merged over all the rows: the screen then shows it whole, print may cut it at the
    break. 重点工作 over each run of rows of one key work on one page. 进展落实情况 goes on
    row by row, never merged."""
    for first, last in task_blocks(plan):
        if last == first:
            continue
        runs = page_runs(plan, first, last)
        room = sum(plan[i].height for i in range(runs[0][0], runs[0][1] + 1))
        for c in range(3, len(COLUMNS)):
            need = row_height(line_count(plan[first].item.cells[c - 1], metrics.units[c - 1]))
            for top, bottom in runs if need <= room else [(first, last)]:
                if bottom > top:
                    merge(ws, FIRST_DATA_ROW + top, c, FIRST_DATA_ROW + bottom, c)
    for first, last in key_blocks(plan):
        if last > first:
            merge(ws, FIRST_DATA_ROW + first, 2, FIRST_DATA_ROW + last, 2)


def _set_page_breaks(ws, plan: list[SheetRow]) -> None:
    """Manual row breaks where the plan starts a page, so that Excel, WPS and LibreOffice
    all break where the merged blocks were restarted."""
    for i in range(1, len(plan)):
        if plan[i].page != plan[i - 1].page:
            ws.row_breaks.append(Break(id=FIRST_DATA_ROW + i - 1))


# ---------------------------------------------------------------- page plan


@dataclass
class SheetRow:
    """One row of the main sheet below the header, as planned."""

    item: SectionRow | TaskRow
    height: float
    page: int = 0
    progress: str = ""  # this row's share of 进展落实情况
    part: int = 0  # 0: the task's own row; 1, 2, …: its spill rows
    join: str = ""  # what joins `progress` to the previous row's: "\n" or ""
    key_text: bool = False  # 重点工作 is written in this row (a merged block starts here)
    open_top: bool = False  # 序号's outline goes on from the row above (same task, same page)
    open_bottom: bool = False  # … and on to the row below


@dataclass(frozen=True)
class SheetMetrics:
    """How much text fits: half-width characters per line of each column, page heights."""

    units: tuple[float, ...]
    capacity: float  # body of a page, below the repeated header row
    first_capacity: float  # body of page 1, below title, info, legend and header
    keep_whole: float  # rows up to this height never break over pages


def sheet_metrics(widths: list[float]) -> SheetMetrics:
    """Metrics of the main sheet at print scale 100 % (the columns fit the page width)."""
    body = PRINT_HEIGHT_PT * PAGE_FILL - HEADER_HEIGHT
    first = body - TITLE_HEIGHT - INFO_HEIGHT - LEGEND_HEIGHT
    return SheetMetrics(tuple(width_units(w) for w in widths), body, first, body * KEEP_WHOLE_FRACTION)


def row_height(lines: int) -> float:
    return LINE_PT * max(lines, 1) + ROW_PAD


def lines_within(height: float) -> int:
    return max(int((height - ROW_PAD) // LINE_PT), 0)


MAX_LINES = lines_within(MAX_ROW_PT)


class _Pages:
    """Fills pages top to bottom with rows of known height."""

    def __init__(self, metrics: SheetMetrics) -> None:
        self.metrics, self.page, self.used = metrics, 0, 0.0

    @property
    def room(self) -> float:
        capacity = self.metrics.first_capacity if self.page == 0 else self.metrics.capacity
        return capacity - self.used

    @property
    def at_top(self) -> bool:
        return self.used == 0

    def new_page(self) -> None:
        self.page, self.used = self.page + 1, 0.0

    def place(self, row: SheetRow) -> SheetRow:
        row.page = self.page
        self.used += row.height
        return row


def plan_sheet(layout: LedgerLayout, metrics: SheetMetrics) -> list[SheetRow]:
    """Every body row with its height and page: a task too tall for one row (Excel's 409 pt)
    or for the rest of a page goes on in spill rows; a section row stays with what follows."""
    pages = _Pages(metrics)
    plan: list[SheetRow] = []
    for i, item in enumerate(layout.rows):
        if isinstance(item, SectionRow):
            height = row_height(line_count(item.label, sum(metrics.units)))
            if height + _lookahead(layout.rows, i + 1, metrics) > pages.room and not pages.at_top:
                pages.new_page()
            plan.append(pages.place(SheetRow(item, height)))
        else:
            plan += _plan_task(item, pages, metrics)
    _mark_key_text(plan)
    _mark_seq_outline(plan)
    return plan


def _lookahead(rows: list, start: int, metrics: SheetMetrics) -> float:
    """Height that must follow a section row on its page: further section rows and the
    first row of the next task."""
    total = 0.0
    for item in rows[start:]:
        if isinstance(item, SectionRow):
            total += row_height(line_count(item.label, sum(metrics.units)))
            continue
        return total + _first_row_height(item, metrics)
    return total


@dataclass(frozen=True)
class _Fit:
    """Lines a task's cells need: the tallest cell kept in one piece (all but 重点工作 and
    进展落实情况), 重点工作, and 进展落实情况 in one piece."""

    other: int
    key: int
    progress: int

    @classmethod
    def of(cls, item: TaskRow, metrics: SheetMetrics) -> _Fit:
        units = metrics.units
        other = max(line_count(text, units[c]) for c, text in enumerate(item.cells) if c not in (1, 7))
        key = line_count(item.task.key_work, units[1]) if item.task.key_work.strip() else 1
        return cls(other, key, line_count(item.cells[7], units[7]))


def _starts_key(item: TaskRow, part: int, at_top: bool) -> bool:
    """Whether 重点工作 is written in this row: where its block starts, and again at a page top."""
    return at_top or (part == 0 and item.key_span >= 1)


def _floor_lines(item: TaskRow, fit: _Fit, part: int, at_top: bool) -> int:
    """Lines a row needs whatever share of the progress text it gets."""
    other = fit.other if part == 0 else 1
    key = fit.key if _starts_key(item, part, at_top) else 1
    return min(max(other, key), MAX_LINES)


def _keeps_whole(height: float, metrics: SheetMetrics) -> bool:
    return height <= min(MAX_ROW_PT, metrics.keep_whole)


def _first_row_height(item: TaskRow, metrics: SheetMetrics) -> float:
    fit = _Fit.of(item, metrics)
    floor = _floor_lines(item, fit, 0, True)
    whole = row_height(max(floor, fit.progress))
    if _keeps_whole(whole, metrics):
        return whole
    first = split_pieces(item.cells[7])[:1]
    return row_height(max(floor, line_count(join_pieces(first), metrics.units[7])))


def _plan_task(item: TaskRow, pages: _Pages, metrics: SheetMetrics) -> list[SheetRow]:
    """One row if the task fits in one and is short enough to keep whole, else spill rows."""
    fit = _Fit.of(item, metrics)
    whole = row_height(max(_floor_lines(item, fit, 0, pages.at_top), fit.progress))
    if not _keeps_whole(whole, metrics):
        return _spill(item, fit, pages, metrics)
    if whole > pages.room and not pages.at_top:
        pages.new_page()
        whole = row_height(max(_floor_lines(item, fit, 0, True), fit.progress))
    return [pages.place(SheetRow(item, whole, progress=item.cells[7]))]


def _spill(item: TaskRow, fit: _Fit, pages: _Pages, metrics: SheetMetrics) -> list[SheetRow]:
    """The task's own row, then spill rows, each filled with whole sentences of 进展落实情况
    up to Excel's row limit or the end of the page, whichever comes first."""
    units = metrics.units[7]
    pieces = split_pieces(item.cells[7])
    rows: list[SheetRow] = []
    while pieces or not rows:
        part = len(rows)
        floor = _floor_lines(item, fit, part, pages.at_top)
        room = min(lines_within(pages.room), MAX_LINES)
        taken, rest = fill_lines(pieces, units, room, force=pages.at_top)
        if not pages.at_top and (floor > room or (pieces and not taken)):
            pages.new_page()
            continue
        text = join_pieces(taken)
        lines = min(max(floor, line_count(text, units) if text else 1), MAX_LINES)
        join = "\n" if taken and taken[0].new_line else ""
        rows.append(pages.place(SheetRow(item, row_height(lines), progress=text, part=part, join=join)))
        pieces = rest
    _pad_block(item, fit, rows, pages)
    return rows


def _pad_block(item: TaskRow, fit: _Fit, rows: list[SheetRow], pages: _Pages) -> None:
    """Empty spill rows while a merged cell (a 主要内容 longer than a row) needs more height."""
    need = row_height(fit.other)
    while sum(r.height for r in rows) < need:
        if pages.room < row_height(1):
            pages.new_page()
        height = max(min(MAX_ROW_PT, pages.room, need - sum(r.height for r in rows)), row_height(1))
        rows.append(pages.place(SheetRow(item, height, part=len(rows))))


def _mark_seq_outline(plan: list[SheetRow]) -> None:
    """Open 序号's outline between rows of one task on one page."""
    for first, last in task_blocks(plan):
        for top, bottom in page_runs(plan, first, last):
            for i in range(top, bottom + 1):
                plan[i].open_top, plan[i].open_bottom = i > top, i < bottom


def _mark_key_text(plan: list[SheetRow]) -> None:
    for first, _ in key_blocks(plan):
        plan[first].key_text = bool(plan[first].item.task.key_work.strip())


def page_runs(plan: list[SheetRow], first: int, last: int) -> list[tuple[int, int]]:
    """The rows first…last split where a page starts."""
    runs = [(first, first)]
    for i in range(first + 1, last + 1):
        if plan[i].page == plan[i - 1].page:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def task_blocks(plan: list[SheetRow]) -> list[tuple[int, int]]:
    """(first, last) plan index of each task's rows."""
    blocks: list[tuple[int, int]] = []
    for i, row in enumerate(plan):
        if isinstance(row.item, TaskRow):
            if row.part == 0:
                blocks.append((i, i))
            else:
                blocks[-1] = (blocks[-1][0], i)
    return blocks


def key_blocks(plan: list[SheetRow]) -> list[tuple[int, int]]:
    """(first, last) plan index of each 重点工作 cell: the rows of one key work (one task, or
    tasks merged by key_span) on one page; a page break starts a new block."""
    blocks: list[tuple[int, int]] = []
    previous: SheetRow | None = None
    for i, row in enumerate(plan):
        if isinstance(row.item, SectionRow):
            previous = None
            continue
        continues = (previous is not None and previous.page == row.page
                     and (row.part > 0 or row.item.key_span == 0))
        if continues:
            blocks[-1] = (blocks[-1][0], i)
        else:
            blocks.append((i, i))
        previous = row
    return blocks


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
                         *((overdue_row(t, deadlines=layout.unit_deadlines), body) for t in layout.overdue)]:
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


# ---------------------------------------------------------------- appendix: 留痕记录, 佐证材料


HISTORY_SHEET = "留痕记录"
EVIDENCE_SHEET = "佐证材料"
HISTORY_COLUMNS = ("序号", "任务", "单位", "轮次", "时间", "来源（文件或本窗口填写）",
                   "操作（导入/合并/修改/处理冲突/撤销…）", "原状态", "新状态", "原进展", "新进展")
HISTORY_WIDTHS = (6, 26, 16, 12, 20, 24, 14, 9, 9, 36, 36)
EVIDENCE_COLUMNS = ("序号", "任务", "单位", "轮次", "佐证材料（文件名）")
EVIDENCE_WIDTHS = (6, 36, 18, 12, 48)
OPERATION_LABELS = {"create": "新建", "import": "导入", "merge": "合并", "edit": "修改", "resolve": "处理冲突",
                    "undo": "撤销", "review": "审核", "carry_over": "结转"}
TYPED_SOURCE = "本窗口填写"
TASK_LABEL_CHARS = 40
_EVIDENCE_SPLIT = re.compile(r"[\n；;、,，|]+")


def _task_of(change: EntryChange) -> str:
    entry = change.new or change.old
    return entry.task_id if entry else ""


def operation_label(change: EntryChange) -> str:
    """The batch's kind in words; "（已撤销）" when it was undone since."""
    label = OPERATION_LABELS.get(change.kind, change.kind)
    return f"{label}（已撤销）" if change.undone else label


def source_label(source: str) -> str:
    """A file's name as logged; typed edits and conflict decisions as made in the window."""
    if source == "typed" or not source:
        return TYPED_SOURCE
    if source.startswith("conflict "):
        return f"{TYPED_SOURCE}（冲突处理）"
    return source


def task_label(doc: LedgerDocument) -> dict[str, str]:
    """Task id → "序号 主要内容（前 40 字）"."""
    out = {}
    for t in doc.tasks:
        text = (t.content or t.key_work or "").strip()
        text = text if len(text) <= TASK_LABEL_CHARS else text[:TASK_LABEL_CHARS] + "…"
        out[t.id] = f"{t.seq} {text}".strip()
    return out


def history_row(index: int, change: EntryChange, tasks: dict[str, str]) -> tuple:
    entry: Progress = change.new or change.old  # type: ignore[assignment]
    old, new = change.old, change.new
    unit = entry.unit + (f"\n填报人：{new.reporter}" if new and new.reporter else "")
    return (index, tasks.get(entry.task_id, "（任务已删除）"), unit, entry.round,
            change.at.strftime("%Y-%m-%d %H:%M") if change.at else "", source_label(change.source),
            operation_label(change), old.status if old else "", new.status if new else "（删除）",
            clean(old.text) if old else "", clean(new.text) if new else "")


def _appendix_sheet(ws, title: str, columns: tuple[str, ...], widths: tuple[int, ...], rows, *,
                    centred: set[int]) -> None:
    """A plain bordered table under a title: header row repeated on print, A4 landscape, one page wide.
    Styles are copied from one styled cell per kind (_Styler), so 60,000 rows stay quick."""
    n = len(columns)
    head = ws.cell(1, 1, title)
    head.font = Font(name=TITLE_FONT, size=14, bold=True)
    head.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 30
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_font = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    body = Font(name=BODY_FONT, size=BODY_PT)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    style = _Styler()
    units = [width_units(w) for w in widths]
    heights = ws.row_dimensions
    for c, name in enumerate(columns, start=1):
        cell = ws.cell(2, c)
        set_text(cell, name)
        style(cell, header_font, center, BORDER, HEADER_FILL)
    heights[2].height = row_height(max(line_count(name, units[c]) for c, name in enumerate(columns)))
    last = 2
    for last, values in enumerate(rows, start=3):
        lines = 1
        for c, value in enumerate(values, start=1):
            cell = ws.cell(last, c)
            text = value if isinstance(value, int) else str(value)
            set_text(cell, text)
            style(cell, body, center if c in centred else left, BORDER)
            # every row's height is set (no application guesses it); a short one-line text surely fits
            if isinstance(text, str) and (len(text) * 2 > units[c - 1] or "\n" in text):
                lines = max(lines, line_count(text, units[c - 1]))
        heights[last].height = row_height(lines)
    ws.freeze_panes = "A3"
    _page_setup(ws, f"A1:{get_column_letter(n)}{last}", title_rows="2:2")


def _write_history(ws, doc: LedgerDocument, history: list[EntryChange]) -> None:
    tasks = task_label(doc)
    rows = (history_row(i, change, tasks) for i, change in enumerate(history, start=1))
    _appendix_sheet(ws, f"进展留痕记录（共{len(history)}条）", HISTORY_COLUMNS, HISTORY_WIDTHS, rows,
                    centred={1, 4, 5, 7, 8, 9})


def evidence_names(text: str) -> list[str]:
    """The file names in a 佐证材料 cell (one per line, or separated by ；、，)."""
    return [name.strip() for name in _EVIDENCE_SPLIT.split(text or "") if name.strip()]


def _write_evidence(ws, doc: LedgerDocument, exported: set[str]) -> None:
    """One row per entry with evidence, in the ledger's task order, then round order."""
    tasks = task_label(doc)
    order = {t.id: i for i, t in enumerate(doc.tasks)}
    rounds = {r.name: i for i, r in enumerate(doc.rounds)}
    entries = sorted((p for p in doc.progress if p.task_id in exported and evidence_names(p.evidence)),
                     key=lambda p: (order.get(p.task_id, 0), rounds.get(p.round, -1), p.unit))
    rows = ((i, tasks.get(p.task_id, ""), p.unit, p.round, "\n".join(evidence_names(p.evidence)))
            for i, p in enumerate(entries, start=1))
    _appendix_sheet(ws, f"佐证材料清单（共{len(entries)}条）", EVIDENCE_COLUMNS, EVIDENCE_WIDTHS, rows,
                    centred={1, 4})


# ---------------------------------------------------------------- hidden data


def spill_records(plan: list[SheetRow]) -> list[dict]:
    """For each task with spill rows: its sheet rows and what joins their progress texts
    (the full text is "".join(join + text)); for the read-back, see ledger_xlsx_in."""
    records = []
    for first, last in task_blocks(plan):
        if last > first:
            rows = plan[first:last + 1]
            records.append({"task_id": rows[0].item.task.id,
                            "rows": [FIRST_DATA_ROW + first + k for k in range(len(rows))],
                            "joins": [r.join for r in rows]})
    return records


def _write_data(ws, doc: LedgerDocument, layout: LedgerLayout, row_of_task: dict[str, int],
                spills: list[dict]) -> None:
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
    granted = {tid for tid, _unit in doc.unit_deadlines}  # their 完成时限 cell shows "原定…，经批准延期至…"
    for t in layout.tasks:
        records.append(("task", {
            "id": t.id, "row": row_of_task.get(t.id), "seq": t.seq, "heading_id": t.heading_id,
            "key_work": t.key_work, "content": t.content, "metric": t.metric,
            "lead_units": list(t.lead_units), "coop_units": list(t.coop_units),
            "deadline": t.deadline.to_json(), "notes": t.notes,
            **({"deadline_shown": deadline_cell(t, doc.unit_deadlines)}
               if t.id in granted else {}),
        }))
    records += [("progress", progress_to_json(p)) for p in doc.progress if p.task_id in exported]
    records += [("spill", spill) for spill in spills]
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
