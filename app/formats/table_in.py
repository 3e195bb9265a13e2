"""Read spreadsheets and CSV files as plain text grids: sheets → rows → cells.

python-calamine reads .xlsx/.xlsm/.xlsb/.xls/.ods fast and without executing
anything; we only turn its typed values into the text a person sees ("1.0" → "1",
dates as 2023-12-31). calamine trusts the file: it builds a dense grid from the first
to the last used cell (one cell at XFD1048576 asks for 512 GB and aborts the process),
reserves whatever count a header declares, and panics on some corrupt .xls. So before
calamine opens a file we measure it ourselves (`check_workbook`):

* zip-based files: every member is inflated straight from the file through a counter
  that stops at the limits in app/formats/limits.py (declared sizes are not trusted),
  and the sheet XML is streamed (lxml's parser target interface: no tree) to find the
  used range the way calamine will compute it;
* .xlsb: the sheet records are walked for the same used range;
* .xls: the compound file is walked as calamine walks it (sector chains that loop,
  absurd table sizes are refused), then every sheet's records for the used range.

A sheet past MAX_SHEET_ROWS / MAX_SHEET_COLS / MAX_SHEET_CELLS is refused with one
line; after opening, calamine's own dimensions are checked again before the values are
turned into Python objects. Anything calamine still raises (panics included) becomes
one InputError naming the file (`reader_guard`).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.errors import InputError
from app.formats.limits import PLAN_ZIP, ZipLimits, quiet_native_panics, reader_guard
from app.formats.sheet_extent import Extent, ods_scanner, refuse_extent, xlsb_scanner, xlsx_scanner
from app.formats.text_in import read_text
from app.formats.xls_extent import check_xls
from app.formats.zip_measure import DAMAGED, NOT_A_SPREADSHEET, NOT_A_ZIP, explain_not_a_zip, measure_zip

ZIP_FORMATS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
SHEET_FORMATS = ZIP_FORMATS | {".xls"}

Grid = list[list[str]]


def cell_text(value: object) -> str:
    """A cell value as the text a person would read in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")





def check_workbook(path: Path, *, limits: ZipLimits = PLAN_ZIP) -> None:
    """Refuse a workbook that is too large, inflates too far, or whose used range is absurd."""
    path = Path(path)
    suffix = path.suffix.lower()
    with reader_guard(path, f"{NOT_A_SPREADSHEET}：{DAMAGED}"):
        if suffix == ".xls":
            check_xls(path)
            return
        if suffix not in ZIP_FORMATS:
            return
        scanner = ods_scanner(path) if suffix == ".ods" else (
            xlsb_scanner(path) if suffix == ".xlsb" else xlsx_scanner(path))
        try:
            measure_zip(path, limits, scanner)
        except NOT_A_ZIP as exc:
            explain_not_a_zip(path, exc)


def _trim(rows: Grid) -> Grid:
    """Drop trailing empty cells and trailing empty rows (kept inside: row numbers matter)."""
    out = []
    for row in rows:
        while row and not row[-1].strip():
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _readable_sheet_names(workbook) -> list[str]:
    """Worksheets only: chart, dialog, macro and VBA sheets hold no table."""
    try:
        kinds = {m.name: m.typ.name for m in workbook.sheets_metadata}
    except Exception:  # noqa: BLE001 - metadata is a convenience; every name is then tried
        kinds = {}
    return [n for n in workbook.sheet_names if kinds.get(n, "WorkSheet") == "WorkSheet"]


def _sheet_grid(path: Path, sheet, name: str) -> Grid:
    """One sheet's text grid, its dimensions checked again before Python objects are made."""
    end = sheet.end
    if end is not None:
        extent = Extent()
        extent.add(end[0], end[1])
        refuse_extent(path, extent, f"“{name}”")
    values = sheet.to_python(skip_empty_area=False)
    grid: Grid = []
    for i, row in enumerate(values):
        grid.append([cell_text(v) for v in row])
        values[i] = None  # keep one copy of the sheet, not two
    return _trim(grid)


def read_workbook(path: Path, *, limits: ZipLimits = PLAN_ZIP, checked: bool = False) -> list[Grid]:
    """Every worksheet of a workbook as text grids, in workbook order."""
    path = Path(path)
    if not checked:
        check_workbook(path, limits=limits)
    with reader_guard(path, NOT_A_SPREADSHEET), quiet_native_panics():
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheets = []
            for name in _readable_sheet_names(workbook):
                with reader_guard(path, f"{NOT_A_SPREADSHEET}：工作表“{name}”无法读取"):
                    sheets.append(_sheet_grid(path, workbook.get_sheet_by_name(name), name))
            return sheets
        finally:
            workbook.close()


def read_csv(path: Path) -> Grid:
    """A CSV (comma, tab or semicolon separated) in any encoding read_text knows."""
    text = read_text(path)
    text = text.removeprefix("\ufeff")
    sample = text[:8192]
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        if sample.count("\t") > sample.count(","):
            delimiter = "\t"
    with reader_guard(path, "CSV 文件格式有误"):
        rows = [[cell.replace("\r\n", "\n") for cell in row]
                for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    _refuse_csv_shape(path, rows)
    return _trim(rows)


def _refuse_csv_shape(path: Path, rows: Grid) -> None:
    extent = Extent(rows=len(rows), cols=max((len(r) for r in rows), default=0))
    refuse_extent(path, extent)


def read_table_rows(path: str | Path, *, limits: ZipLimits = PLAN_ZIP, checked: bool = False) -> list[Grid]:
    """Sheets → rows → cells (str) of a spreadsheet or CSV file; InputError naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "文件不存在（file not found）")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [read_csv(path)]
    if suffix in SHEET_FORMATS:
        return read_workbook(path, limits=limits, checked=checked)
    raise InputError(path, f"不支持的表格格式“{suffix or '无扩展名'}”（unsupported spreadsheet format）")
