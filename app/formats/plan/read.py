"""One entry point for every plan document an office receives: `read_plan(path)`.

Dispatches on the file type, then decides between a task table and a prose plan by
looking for a task-table header (序号 / 重点工作 / 责任单位 / 完成时限 …): a .txt
with a tab-separated header row, a .docx with such a table in its body, a
spreadsheet with such a sheet. A spreadsheet that LedgerDesk itself exported is
read back with its ids first, so importing an exported ledger reproduces it.
Anything that yields no task is refused with a clear message naming the file, and so
is a file past the limits of app/formats/limits.py (size, lines, table rows); whatever a
reading library or parser raises on a damaged file becomes one InputError naming it
(`reader_guard`), so the command line never shows "内部错误" for a bad input. Past the
first MAX_WARNINGS_SHOWN warnings the rest are counted in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.plan.table import parse_task_table
from app.core.plan.table_layout import clean_cell, find_header
from app.core.plan.warnings import summarise_warnings
from app.core.records import LedgerDocument
from app.errors import InputError
from app.formats.limits import (
    MAX_INPUT_BYTES,
    MAX_PLAN_LINES,
    MAX_TABLE_ROWS,
    MAX_WARNINGS_SHOWN,
    quiet_native_panics,
    reader_guard,
    too_large,
)
from app.formats.plan.docx_in import DocxContent, read_docx
from app.formats.table_in import check_workbook, read_table_rows
from app.formats.text_in import read_text
from app.formats.zip_measure import NOT_A_SPREADSHEET

Progress = Callable[[int, int], None]

TEXT_TYPES = {".txt", ".text"}
HTML_TYPES = {".html", ".htm", ".xhtml", ".mht"}
SHEET_TYPES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"}
WORD_TYPES = {".docx", ".docm"}
PDF_TYPES = {".pdf"}
CONVERTED_WORD_TYPES = {".doc", ".wps", ".odt", ".rtf"}  # read through a converter to .docx (word_convert)
SUPPORTED = sorted(TEXT_TYPES | HTML_TYPES | SHEET_TYPES | WORD_TYPES | PDF_TYPES | CONVERTED_WORD_TYPES)
_OLD_FORMATS = {".et": "WPS 表格"}

NO_TASKS = "没有找到任何任务（no tasks found）：文件不像是工作要点或任务台账"
NO_TABLE = ("没有找到任务表（no task table）：需要一行表头，含“序号”“重点工作/主要内容”"
            "“责任单位”“完成时限”等列")
CANNOT_READ = "无法读取该文件（cannot read file）"


def _noop(done: int, total: int) -> None:
    pass


def read_plan(path: Path, *, progress: Progress | None = None) -> LedgerDocument:
    """The plan in `path` as a LedgerDocument; InputError when it holds no usable plan."""
    path = Path(path)
    report = progress or _noop
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        if suffix in _OLD_FORMATS:
            raise InputError(path, f"不支持 {_OLD_FORMATS[suffix]} 格式（{suffix}），请先另存为 .docx 或 .xlsx")
        shown = suffix or "无扩展名"
        raise InputError(path, f"不支持的文件类型“{shown}”（unsupported file type），"
                               f"支持：{' '.join(SUPPORTED)}")
    if not path.is_file():
        raise InputError(path, "文件不存在（file not found）")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "文件是空的（empty file）")
    if size > MAX_INPUT_BYTES:
        raise InputError(path, too_large("文件", size, MAX_INPUT_BYTES) + "：工作要点通常只有几 MB，请确认是否选错了文件")
    report(0, 3)
    with reader_guard(path, CANNOT_READ):
        doc = _read(path, suffix, report)
    report(3, 3)
    if not doc.tasks:
        raise InputError(path, NO_TASKS)
    doc.warnings = summarise_warnings(doc.warnings, MAX_WARNINGS_SHOWN)
    return doc


def _read(path: Path, suffix: str, report: Progress) -> LedgerDocument:
    if suffix in WORD_TYPES:
        return _read_word(path, report, read_docx(path))
    if suffix in PDF_TYPES:
        from app.formats.plan.pdf_in import read_pdf

        return _read_word(path, report, read_pdf(path))
    if suffix in CONVERTED_WORD_TYPES:
        from app.formats.plan.word_convert import read_converted_word

        return _read_word(path, report, read_converted_word(path))
    if suffix in SHEET_TYPES:
        return _read_sheet(path, report)
    if suffix in HTML_TYPES:
        return _read_lines(path, _html_lines(path), report)
    return _read_lines(path, read_text(path).split("\n"), report)


def _refuse_long_prose(path: Path, lines: Sequence[str]) -> None:
    """A prose plan of 200 pages has about 6,000 lines; far more is not a plan (and would take minutes)."""
    if len(lines) > MAX_PLAN_LINES:
        raise InputError(path, f"文件有 {len(lines):,} 行，超过可导入的上限 {MAX_PLAN_LINES:,} 行："
                               "工作要点通常只有几千行，请确认是否选错了文件")


def _task_table(path: Path, rows: list[list[str]], title_lines: Sequence[str] = ()) -> LedgerDocument:
    """parse_task_table, refused past MAX_TABLE_ROWS rows (a real ledger has a few hundred)."""
    filled = sum(1 for row in rows if any(cell.strip() for cell in row))
    if filled > MAX_TABLE_ROWS:
        raise InputError(path, f"任务表有 {filled:,} 行，超过可导入的上限 {MAX_TABLE_ROWS:,} 行："
                               "请确认是否选错了文件，或删去多余的行后再导入")
    return parse_task_table(rows, source_name=path.name, title_lines=title_lines)


def _html_lines(path: Path) -> list[str]:
    from app.formats.plan.html_in import read_html

    return read_html(path)


def _prose(lines: Sequence[str], path: Path) -> LedgerDocument:
    from app.core.plan.prose import parse_prose_plan

    _refuse_long_prose(path, lines)
    return parse_prose_plan(list(lines), source_name=path.name)


def _read_lines(path: Path, lines: list[str], report: Progress) -> LedgerDocument:
    """Text or web page: a tab-separated task table, else a prose plan."""
    report(1, 3)
    if any("\t" in line for line in lines):
        rows = [line.split("\t") for line in lines]
        if find_header([[clean_cell(c) for c in row] for row in rows if len(row) >= 3]) is not None:
            report(2, 3)
            return _task_table(path, rows)
    report(2, 3)
    return _prose(lines, path)


def _read_word(path: Path, report: Progress, content: DocxContent) -> LedgerDocument:
    """A body table with a task header wins (paragraphs above it are the title); else prose.

    `content` is a Word file's body, or what a PDF or a converted .doc/.wps reads as.
    """
    report(1, 3)
    paragraphs_above: list[str] = []
    for i, block in enumerate(content.blocks):
        if isinstance(block, str):
            if block.strip():
                paragraphs_above.append(block)
            continue
        cleaned = [[clean_cell(c) for c in row] for row in block]
        header_at = find_header(cleaned)
        if header_at is None:
            continue
        rows = [list(r) for r in block]
        for later in _continuations(content.blocks, i, block[header_at]):
            rows.extend(list(r) for r in later)
        report(2, 3)
        return _task_table(path, rows, paragraphs_above)
    report(2, 3)
    return _prose(content.paragraphs, path)


def _width(table: list[list[str]]) -> int:
    return max((len(r) for r in table), default=0)


def _header_key(row: list[str]) -> list[str]:
    return [clean_cell(c).replace(" ", "") for c in row]


def _continuations(blocks: list, first: int, header_row: list[str]) -> list[list[list[str]]]:
    """The tables after blocks[first] that continue it: a table Word split at a page break.

    A table continues the one before when nothing but blank paragraphs lies between them
    and it has the same number of columns, or when it starts with the same header row
    (repeated on every page). Any other table (an appendix, a contact list) is not joined.
    """
    table = blocks[first]
    header = _header_key(header_row)
    found: list[list[list[str]]] = []
    adjacent = True
    for block in blocks[first + 1:]:
        if isinstance(block, str):
            adjacent = adjacent and not block.strip()
            continue
        repeats_header = bool(block) and bool(header) and _header_key(block[0]) == header
        if not (repeats_header or (adjacent and _width(block) == _width(table))):
            break
        found.append(block)
        adjacent = True
    return found


def _read_exported(path: Path) -> LedgerDocument | None:
    """The ledger if this is LedgerDesk's own export; the file was measured by check_workbook."""
    try:
        from app.formats.ledger_xlsx_in import read_exported_ledger
    except ImportError:
        return None
    with reader_guard(path, NOT_A_SPREADSHEET), quiet_native_panics():
        return read_exported_ledger(path)


def _read_sheet(path: Path, report: Progress) -> LedgerDocument:
    """An exported ledger (ids kept), else the first sheet with a task header.

    The workbook is measured first (check_workbook): the export reader hands the file
    to calamine before read_table_rows would.
    """
    if path.suffix.lower() != ".csv":
        check_workbook(path)
        exported = _read_exported(path)
        if exported is not None:
            return exported
    sheets = read_table_rows(path, checked=True)
    report(1, 3)
    for rows in sheets:
        cleaned = [[clean_cell(c) for c in row] for row in rows[:200]]
        if find_header(cleaned) is not None:
            report(2, 3)
            return _task_table(path, rows)
    raise InputError(path, NO_TABLE)
