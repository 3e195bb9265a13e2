"""Read a returned sheet (.xlsx/.xls/.ods via calamine, .docx via python-docx) as plain rows.

Liaison data files (.ldpkg) are dispatched to liaison.py, which
gives the same ReturnedSheet, so the merge treats them like any returned sheet.

The file is only read, never re-saved (a re-save would drop what Excel or WPS
wrote). Hidden data is used when present; when the liaison copied the rows into a
new workbook it is simply absent (`ReturnedSheet.hidden` is False) and the caller
identifies unit, round and rows another way.

The review columns (layout.REVIEW_COLUMNS: 审核意见, 申请延期至, 延期理由) are read by header
like the others, also as liaisons respell them (申请延期, 延期至, 延期原因, 理由…); a sheet
without them reads exactly as before.
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from app.core.merge import Values
from app.errors import InputError
from app.formats.limits import MAX_INPUT_BYTES, RETURN_ZIP, is_library_failure, reader_guard, too_large
from app.formats.returns.layout import (
    DOCX_ID_PREFIX,
    DOCX_META_PREFIX,
    EXTENSION_REASON,
    EXTENSION_TO,
    FORMAT_TAG,
    HEADERS,
    ID_HEADER,
    REVIEW_COLUMNS,
    ROW_FIELDS,
)
from app.formats.returns.liaison import package_saved_at, read_liaison_file, safe_signature
from app.formats.returns.model import ReadRow, ReturnedSheet, SentRow, parse_saved_at
from app.formats.table_in import read_table_rows
from app.formats.zip_measure import ZipBudget, check_zip, open_zip, read_member

SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
WORD_SUFFIXES = {".docx"}
LIAISON_SUFFIXES = {".ldpkg"}  # liaison data files of the portable program (app/formats/returns/liaison.py)
SUPPORTED_SUFFIXES = SHEET_SUFFIXES | WORD_SUFFIXES | LIAISON_SUFFIXES
NOT_A_RETURN = "不是填报表：找不到含“序号”“主要内容”“状态”“进展落实情况”的表头行（not a return sheet）"
NOT_A_DOCX_RETURN = "不是可读取的 Word 文档（not a readable .docx）"
CANNOT_READ = "无法读取该文件（cannot read file）"
MAX_ROW_NUMBER = 1_000_000  # a sent row number in hidden data; beyond it the number is damage

# Other spellings a liaison's own table may use for our columns.
HEADER_ALIASES = {
    "进展情况": "进展落实情况",
    "落实情况": "进展落实情况",
    "工作进展": "进展落实情况",
    "完成情况": "状态",
    "完成状态": "状态",
    "进展状态": "状态",
    "具体内容": "主要内容",
    "任务内容": "主要内容",
    "工作内容": "主要内容",
    "编号": "序号",
    "佐证资料": "佐证材料",
    "职责": "本单位职责",
    "时限": "完成时限",
    # the review columns (延期申请), as liaisons or older templates spell them
    "申请延期": EXTENSION_TO,
    "延期至": EXTENSION_TO,
    "申请延期至日期": EXTENSION_TO,
    "申请延期时间": EXTENSION_TO,
    "申请延期日期": EXTENSION_TO,
    "延期时间": EXTENSION_TO,
    "延期理由": EXTENSION_REASON,
    "延期原因": EXTENSION_REASON,
    "申请延期理由": EXTENSION_REASON,
    "申请延期原因": EXTENSION_REASON,
    "理由": EXTENSION_REASON,
    "办公室审核意见": "审核意见",
}
_ID_RE = re.compile(re.escape(DOCX_ID_PREFIX) + r"([0-9A-Za-z-]+)")
_TASK_ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def canonical_header(text: str) -> str | None:
    key = re.sub(r"\s+", "", text or "")
    key = re.sub(r"[（(].*?[）)]", "", key) or key
    if key in HEADERS or key == ID_HEADER or key in REVIEW_COLUMNS:
        return key
    return HEADER_ALIASES.get(key)


def _find_header(grid: list[list[str]], limit: int = 30) -> tuple[int, dict[int, str]] | None:
    for r, row in enumerate(grid[:limit]):
        cols: dict[int, str] = {}
        for c, cell in enumerate(row):
            name = canonical_header(cell)
            if name and name not in cols.values():
                cols[c] = name
        names = set(cols.values())
        if "序号" in names and "主要内容" in names and names & {"状态", "进展落实情况"}:
            return r, cols
    return None


def _meta_text(value: object, *, strip: bool = False) -> str | None:
    """A hidden-data field as text; anything but a string or a number is damage, read as absent."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    return (value.strip() if strip else value) or None


def _sent_row_number(value: object) -> int | None:
    try:
        number = float(value or 0)
    except (ValueError, TypeError):
        return None
    if not math.isfinite(number) or not 0 <= number <= MAX_ROW_NUMBER:
        return None
    return int(number)


def _sent_columns(text: object) -> dict[str, str]:
    """The per-column hashes as sent; damaged or odd values give none (the merge then uses the row's fingerprint)."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        columns = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return {}
    if not isinstance(columns, dict):
        return {}
    return {k: v for k, v in columns.items() if isinstance(k, str) and isinstance(v, str)}


def _meta_from_rows(meta: dict, sheet: ReturnedSheet) -> None:
    """Hidden data into the sheet; every value type-checked (a tampered file must not crash the merge)."""
    sheet.hidden = True
    sheet.ledger_id = _meta_text(meta.get("ledger_id"))
    sheet.unit = _meta_text(meta.get("unit"))
    sheet.round = _meta_text(meta.get("round"))
    sheet.dispatch_id = _meta_text(meta.get("dispatch_id"), strip=True)
    sheet.signature = safe_signature(_meta_text(meta.get("signature"), strip=True))
    rows = meta.get("rows")
    for item in rows if isinstance(rows, list) else []:
        if not isinstance(item, (list, tuple)):
            continue
        cells = ["" if v is None else v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list))
                 else str(v) for v in item]
        rec = dict(zip(ROW_FIELDS, [*cells, *[""] * len(ROW_FIELDS)]))
        row_no = _sent_row_number(rec["row"])
        if row_no is None:
            continue
        sheet.sent[rec["task_id"]] = SentRow(
            task_id=rec["task_id"],
            row=row_no,
            seq=rec["seq"],
            base=Values.make(rec["status"], rec["text"], rec["done_date"], rec["evidence"]),
            fingerprint=rec["fingerprint"],
            columns=_sent_columns(rec["columns"]),
        )


def _grid_meta(grid: list[list[str]]) -> dict:
    """The hidden sheet's key/value rows and per-task rows as the docx JSON shape."""
    meta: dict = {"rows": []}
    in_rows = False
    for row in grid[1:]:
        if not row:
            continue
        if in_rows:
            meta["rows"].append(row)
        elif row[0] == ROW_FIELDS[0]:
            in_rows = True
        elif len(row) >= 2:
            meta[row[0]] = row[1]
    return meta


def _rows_from_grid(sheet: ReturnedSheet, grid: list[list[str]], path: Path) -> None:
    found = _find_header(grid)
    if found is None:
        raise InputError(path, NOT_A_RETURN)
    header_row, cols = found
    sheet.columns = list(cols.values())
    sheet.preamble = " ".join(c for row in grid[:header_row] for c in row if c)
    sheet.title = next((c.strip() for row in grid[:header_row] for c in row if c and c.strip()), "")
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        cells = {name: (row[c].strip() if c < len(row) else "") for c, name in cols.items()}
        task_id = cells.pop(ID_HEADER, "") or None
        if task_id is not None and not _TASK_ID_RE.match(task_id):
            task_id = None
        if not any(cells.values()):
            continue
        if canonical_header(cells.get("序号", "")) == "序号":  # a header row repeated after a page break
            continue
        sheet.rows.append(ReadRow(row=r + 1, task_id=task_id, cells=cells))


def _read_spreadsheet(path: Path) -> ReturnedSheet:
    sheet = ReturnedSheet(path=path, kind=path.suffix.lower().lstrip("."))
    grids = read_table_rows(path, limits=RETURN_ZIP)
    data_grid = None
    for grid in grids:
        if grid and grid[0] and grid[0][0] == FORMAT_TAG:
            _meta_from_rows(_grid_meta(grid), sheet)
        elif data_grid is None and _find_header(grid) is not None:
            data_grid = grid
    if data_grid is None:
        raise InputError(path, NOT_A_RETURN)
    _rows_from_grid(sheet, data_grid, path)
    return sheet


def _unique_cells(row) -> list:
    seen: set[int] = set()
    out = []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(cell)
    return out


_SPAN_RE = re.compile(rb"<(?:[\w.-]+:)?gridSpan\b[^>]*?val\s*=\s*[\"']([^\"']*)[\"']")
MAX_SPAN = 64  # Word allows 63 columns


def _refuse_wide_spans(path: Path) -> None:
    """python-docx repeats a cell once per spanned column: gridSpan="1000000000" would never end."""
    with open_zip(path, RETURN_ZIP) as archive:
        data = read_member(path, archive, "word/document.xml", ZipBudget(path, RETURN_ZIP)) or b""
    for match in _SPAN_RE.finditer(data):
        try:
            span = int(match.group(1).decode("ascii", "replace"))
        except ValueError:
            continue  # python-docx fails on it, and the reader guard turns that into one line
        if span > MAX_SPAN:
            raise InputError(path, f"{NOT_A_DOCX_RETURN}：表格单元格跨 {span:,} 列，文件已损坏")


def _read_docx(path: Path) -> ReturnedSheet:
    from docx import Document

    check_zip(path, limits=RETURN_ZIP, kind=NOT_A_DOCX_RETURN, elements=True)  # python-docx parses every part
    with reader_guard(path, NOT_A_DOCX_RETURN):
        _refuse_wide_spans(path)
        word = Document(str(path))
    sheet = ReturnedSheet(path=path, kind="docx")
    for paragraph in word.paragraphs:
        text = paragraph.text
        if text.startswith(DOCX_META_PREFIX):
            try:
                meta = json.loads(text[len(DOCX_META_PREFIX):])
            except (ValueError, RecursionError):
                break  # damaged hidden data: read as a sheet without it
            if isinstance(meta, dict) and meta.get("format") == FORMAT_TAG:
                _meta_from_rows(meta, sheet)
            break
    for table in word.tables:
        grid: list[list[str]] = []
        ids: list[str | None] = []
        for row in table.rows:
            texts = []
            found_id = None
            for cell in _unique_cells(row):
                text = cell.text
                match = _ID_RE.search(text)
                if match:
                    found_id = match.group(1)
                    text = _ID_RE.sub("", text)
                texts.append(text.strip())
            grid.append(texts)
            ids.append(found_id)
        if _find_header(grid) is None:
            continue
        _rows_from_grid(sheet, grid, path)
        for read_row in sheet.rows:
            read_row.task_id = ids[read_row.row - 1]
        sheet.preamble = " ".join(p.text for p in word.paragraphs[:6] if not p.text.startswith(DOCX_META_PREFIX))
        sheet.title = next((p.text.strip() for p in word.paragraphs[:6] if p.text.strip()
                            and not p.text.startswith(DOCX_META_PREFIX)), "")
        return sheet
    raise InputError(path, NOT_A_RETURN)


# ------------------------------------------------------------------------------ saved time
SAVED_BY_PROPERTIES = "文件属性中的保存时间"
SAVED_BY_PACKAGE = "数据包中的保存时间"
SAVED_BY_MTIME = "文件修改时间"
_CORE_MODIFIED_RE = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_ODS_DATE_RE = re.compile(rb"<dc:date>([^<]+)</dc:date>")
_PROPS_LIMIT = 1 << 20  # core.xml / meta.xml are a few hundred bytes


def _zip_member_time(path: Path, member: str, pattern: re.Pattern[bytes]) -> datetime | None:
    """The time in a properties part; None for any failure (a damaged zip, a year 99999 with a zone)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > _PROPS_LIMIT:
                return None
            with archive.open(info) as fh:
                match = pattern.search(fh.read(_PROPS_LIMIT))
            return parse_saved_at(match.group(1).decode("ascii", "replace")) if match else None
    except Exception as exc:
        if not is_library_failure(exc):
            raise
        return None


def _not_too_large(path: Path) -> bool:
    try:
        return path.stat().st_size <= MAX_INPUT_BYTES
    except OSError:
        return False


def saved_time(path: Path) -> tuple[datetime | None, str]:
    """When a returned file was last saved (UTC), and how we know it.

    Excel, WPS and Word write the save time into docProps/core.xml (dcterms:modified),
    LibreOffice's .ods into meta.xml (dc:date); the liaison program writes `saved_at`
    into the package. Otherwise (.xls, properties missing) the file's modification
    time, which a copy by mail or USB stick may have changed. Never raises.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    found: datetime | None = None
    if suffix in {".xlsx", ".xlsm", ".docx"} and _not_too_large(path):
        found = _zip_member_time(path, "docProps/core.xml", _CORE_MODIFIED_RE)
    elif suffix == ".ods" and _not_too_large(path):
        found = _zip_member_time(path, "meta.xml", _ODS_DATE_RE)
    elif suffix in LIAISON_SUFFIXES:
        found = package_saved_at(path)
        if found is not None:
            return found, SAVED_BY_PACKAGE
    if found is not None:
        return found, SAVED_BY_PROPERTIES
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc), SAVED_BY_MTIME
    except OSError:
        return None, ""


def read_return_file(path: Path) -> ReturnedSheet:
    """Read a returned sheet; raises InputError (naming the file) when it cannot be used.

    Whatever a reading library raises on a damaged file (zip, XML, JSON, calamine panics)
    becomes that one InputError too.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "文件不存在（file not found）")
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(path, too_large("文件", size, MAX_INPUT_BYTES) + "：报送表通常不到 1 MB，请确认是否发错了文件")
    suffix = path.suffix.lower()
    with reader_guard(path, CANNOT_READ):
        if suffix in WORD_SUFFIXES:
            return _read_docx(path)
        if suffix in SHEET_SUFFIXES:
            return _read_spreadsheet(path)
        if suffix in LIAISON_SUFFIXES:
            return read_liaison_file(path)
    raise InputError(path, f"不支持的文件类型“{suffix or '无扩展名'}”（unsupported file type）")
