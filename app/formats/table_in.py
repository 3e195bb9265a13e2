"""Read spreadsheets and CSV files as plain text grids: sheets → rows → cells.

python-calamine reads .xlsx/.xlsm/.xlsb/.xls/.ods fast and without executing
anything; we only turn its typed values into the text a person sees ("1.0" → "1",
dates as 2023-12-31). Zip-based files are checked before opening: that they are
zips at all, and that they do not inflate to absurd sizes (zip bombs).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.errors import InputError
from app.formats.text_in import read_text

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes a workbook may inflate to
ZIP_FORMATS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
SHEET_FORMATS = ZIP_FORMATS | {".xls"}
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
NOT_A_SPREADSHEET = "不是可读取的电子表格（not a readable spreadsheet）"

Grid = list[list[str]]


def cell_text(value: object) -> str:
    """A cell value as the text a person would read in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
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


def check_zip(path: Path, *, limit: int = MAX_UNCOMPRESSED) -> None:
    """Refuse a file that is not a zip, or that would inflate beyond `limit` bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        with path.open("rb") as fh:
            magic = fh.read(8)
        if magic == OLE_MAGIC:  # an encrypted workbook, or an old .xls renamed
            raise InputError(path, f"{NOT_A_SPREADSHEET}：文件受密码保护，或实为旧版 .xls 文件") from exc
        raise InputError(path, f"{NOT_A_SPREADSHEET}：文件已损坏或不是该格式") from exc
    if total > limit:
        raise InputError(path, f"文件解压后过大（{total // (1024 * 1024)} MB），拒绝读取（possible zip bomb）")


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


def read_workbook(path: Path) -> list[Grid]:
    """Every sheet of a workbook as text grids, in workbook order."""
    suffix = path.suffix.lower()
    if suffix in ZIP_FORMATS:
        check_zip(path)
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheets = []
            for name in workbook.sheet_names:
                try:
                    sheet = workbook.get_sheet_by_name(name)
                    values = sheet.to_python(skip_empty_area=False)
                except Exception:  # noqa: BLE001,S112 - chart or dialog sheets hold no data
                    continue
                sheets.append(_trim([[cell_text(v) for v in row] for row in values]))
            return sheets
        finally:
            workbook.close()
    except InputError:
        raise
    except Exception as exc:  # calamine raises many error types, all mean "unreadable"
        raise InputError(path, NOT_A_SPREADSHEET) from exc


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
    try:
        rows = [[cell.replace("\r\n", "\n") for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(path, f"CSV 文件格式有误（{exc}）") from exc
    return _trim(rows)


def read_table_rows(path: str | Path) -> list[Grid]:
    """Sheets → rows → cells (str) of a spreadsheet or CSV file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "文件不存在（file not found）")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [read_csv(path)]
    if suffix in SHEET_FORMATS:
        return read_workbook(path)
    raise InputError(path, f"不支持的表格格式“{suffix or '无扩展名'}”（unsupported spreadsheet format）")
