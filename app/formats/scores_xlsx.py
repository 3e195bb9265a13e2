"""Unit scores (考核) as a print-ready .xlsx (openpyxl): sheet "汇总" (every unit over the rounds,
highest total first), then one sheet per round.

Each sheet: the title, the due date and the as-of date, the weights the scores were computed with
(so a printed page says how it was scored), then the table; numbers are number cells (the clerk
sorts and sums in Excel or WPS). A4 landscape, one page wide, the header row repeated on every
page, page numbers in the footer. Fonts as the ledger export: 宋体 body, 黑体 title. No Qt, no
database: a ScoreTable (app/core/scores.py) in, a file out, all or nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from app.core.scores import (
    ROUND_COLUMNS,
    SUMMARY_COLUMNS,
    RoundInfo,
    ScoreTable,
    round_values,
    summary_values,
    time_text,
)
from app.formats.atomic import atomic_output
from app.formats.official_docx import date_cn
from app.formats.safe_names import put_text

SUMMARY_SHEET = "汇总"
TITLE = "各单位任务落实考核得分表"
BODY_FONT, TITLE_FONT = "宋体", "黑体"
BODY_PT = 11
SUMMARY_WIDTHS = (7, 30, 10, 10, 10, 10, 11, 10, 10)
ROUND_WIDTHS = (7, 30, 12, 18, 10, 11, 10, 10)
HEADER_ROW = 4
MARGINS_CM = {"left": 2.0, "right": 1.5, "top": 1.8, "bottom": 1.8, "header": 0.8, "footer": 0.8}
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
LOW_FILL = PatternFill("solid", fgColor="FDE2E1")  # a negative score, or a round not returned
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A round's name as a sheet name: no []:*?/\\, at most 31 characters, not one already used."""
    base = _SHEET_UNSAFE.sub("_", name).strip("'") or "轮次"
    title, n = base[:31], 1
    while title in taken:
        n += 1
        title = f"{base[:31 - len(str(n)) - 1]}_{n}"
    taken.add(title)
    return title


def write_scores_xlsx(table: ScoreTable, path: str | Path, *, ledger_title: str = "") -> Path:
    """Write the scores to `path` all or nothing."""
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET}
    rounds = "、".join(r.name for r in table.rounds)
    _write_sheet(summary, table, f"{TITLE}（汇总）", f"{ledger_title}　轮次：{rounds or '无'}".strip("　"),
                 SUMMARY_COLUMNS, SUMMARY_WIDTHS, summary_values(table), low_state_col=None)
    for info in table.rounds:
        ws = wb.create_sheet(sheet_title(info.name, taken))
        values = [(*v[:3], time_text(v[3]), *v[4:]) for v in round_values(table, info.name)]
        _write_sheet(ws, table, f"{TITLE}（{info.name}）", _due_line(info), ROUND_COLUMNS, ROUND_WIDTHS, values,
                     low_state_col=3)
    path = Path(path)
    with atomic_output(path) as tmp:
        wb.save(tmp)
    return path


def _due_line(info: RoundInfo) -> str:
    return f"报送截止：{date_cn(info.due)}" if info.due else "报送截止：未设"


def _write_sheet(ws, table: ScoreTable, title: str, subtitle: str, columns: tuple[str, ...],
                 widths: tuple[int, ...], rows: list[tuple], *, low_state_col: int | None) -> None:
    n = len(columns)
    last_col = get_column_letter(n)
    for r, (text, font, height) in enumerate((
            (title, Font(name=TITLE_FONT, size=16, bold=True), 30),
            (f"{subtitle}　统计截至：{date_cn(table.as_of)}".strip("　"), Font(name=BODY_FONT, size=BODY_PT), 20),
            (f"考核权重：{table.weights.describe()}", Font(name=BODY_FONT, size=BODY_PT), 34)), start=1):
        cell = ws.cell(r, 1)
        put_text(cell, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center" if r == 1 else "left", vertical="center", wrap_text=True)
        ws.merge_cells(f"A{r}:{last_col}{r}")
        ws.row_dimensions[r].height = height
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    head_font = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    body_font = Font(name=BODY_FONT, size=BODY_PT)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    for c, name in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, c)
        put_text(cell, name.replace("（", "\n（"))
        cell.font, cell.alignment, cell.border, cell.fill = head_font, centre, BORDER, HEADER_FILL
    ws.row_dimensions[HEADER_ROW].height = 32
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            put_text(cell, value)
            cell.font, cell.border = body_font, BORDER
            cell.alignment = left if c == 2 else centre
        score = ws.cell(r, n)
        if isinstance(score.value, int | float) and score.value < 0:
            score.fill = LOW_FILL
        if low_state_col is not None and values[low_state_col - 1] in ("未报送", "待核实"):
            ws.cell(r, low_state_col).fill = LOW_FILL
        # a long unit name wraps: every row's height is set, none left to the application to guess
        ws.row_dimensions[r].height = 16 * _lines(str(values[1]), widths[1]) + 4
    last = HEADER_ROW + max(len(rows), 0)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    _page_setup(ws, f"A1:{last_col}{last}")


def _lines(text: str, width: int) -> int:
    """Lines a text takes in a column `width` characters wide (a Chinese character is two)."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return max(1, -(-units // max(width - 2, 1)))


def _page_setup(ws, area: str) -> None:
    """A4 landscape, one page wide, the header row on every page, numbered pages."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    m = ws.page_margins
    m.left, m.right = MARGINS_CM["left"] / 2.54, MARGINS_CM["right"] / 2.54
    m.top, m.bottom = MARGINS_CM["top"] / 2.54, MARGINS_CM["bottom"] / 2.54
    m.header, m.footer = MARGINS_CM["header"] / 2.54, MARGINS_CM["footer"] / 2.54
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = area
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = BODY_FONT
    ws.oddFooter.center.size = 10
