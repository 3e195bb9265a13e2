"""One entry point for every plan document an office receives: `read_plan(path)`.

Dispatches on the file type, then decides between a task table and a prose plan by
looking for a task-table header (序号 / 重点工作 / 责任单位 / 完成时限 …): a .txt
with a tab-separated header row, a .docx with such a table in its body, a
spreadsheet with such a sheet. A spreadsheet that LedgerDesk itself exported is
read back with its ids first, so importing an exported ledger reproduces it.
Anything that yields no task is refused with a clear message naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.records import LedgerDocument
from app.core.table_layout import clean_cell, find_header
from app.core.table_plan import parse_task_table
from app.errors import InputError
from app.formats.docx_in import read_docx
from app.formats.table_in import read_table_rows
from app.formats.text_in import read_text

Progress = Callable[[int, int], None]

TEXT_TYPES = {".txt", ".text"}
HTML_TYPES = {".html", ".htm", ".xhtml", ".mht"}
SHEET_TYPES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"}
WORD_TYPES = {".docx", ".docm"}
SUPPORTED = sorted(TEXT_TYPES | HTML_TYPES | SHEET_TYPES | WORD_TYPES)
_OLD_FORMATS = {".doc": "Word 97-2003", ".wps": "WPS", ".et": "WPS 表格", ".pdf": "PDF"}

NO_TASKS = "没有找到任何任务（no tasks found）：文件不像是工作要点或任务台账"
NO_TABLE = ("没有找到任务表（no task table）：需要一行表头，含“序号”“重点工作/主要内容”"
            "“责任单位”“完成时限”等列")


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
    if path.stat().st_size == 0:
        raise InputError(path, "文件是空的（empty file）")
    report(0, 3)
    if suffix in WORD_TYPES:
        doc = _read_word(path, report)
    elif suffix in SHEET_TYPES:
        doc = _read_sheet(path, report)
    elif suffix in HTML_TYPES:
        doc = _read_lines(path, _html_lines(path), report)
    else:
        doc = _read_lines(path, read_text(path).split("\n"), report)
    report(3, 3)
    if not doc.tasks:
        raise InputError(path, NO_TASKS)
    return doc


def _html_lines(path: Path) -> list[str]:
    from app.formats.html_in import read_html

    return read_html(path)


def _prose(lines: Sequence[str], path: Path) -> LedgerDocument:
    from app.core.plan import parse_prose_plan

    return parse_prose_plan(list(lines), source_name=path.name)


def _read_lines(path: Path, lines: list[str], report: Progress) -> LedgerDocument:
    """Text or web page: a tab-separated task table, else a prose plan."""
    report(1, 3)
    if any("\t" in line for line in lines):
        rows = [line.split("\t") for line in lines]
        if find_header([[clean_cell(c) for c in row] for row in rows if len(row) >= 3]) is not None:
            report(2, 3)
            return parse_task_table(rows, source_name=path.name)
    report(2, 3)
    return _prose(lines, path)


def _read_word(path: Path, report: Progress) -> LedgerDocument:
    """A body table with a task header wins (paragraphs above it are the title); else prose."""
    content = read_docx(path)
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
        return parse_task_table(rows, source_name=path.name, title_lines=paragraphs_above)
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
    if path.suffix.lower() == ".csv":
        return None
    try:
        from app.formats.ledger_xlsx_in import read_exported_ledger
    except ImportError:
        return None
    return read_exported_ledger(path)


def _read_sheet(path: Path, report: Progress) -> LedgerDocument:
    """An exported ledger (ids kept), else the first sheet with a task header."""
    exported = _read_exported(path)
    if exported is not None:
        return exported
    sheets = read_table_rows(path)
    report(1, 3)
    for rows in sheets:
        cleaned = [[clean_cell(c) for c in row] for row in rows[:200]]
        if find_header(cleaned) is not None:
            report(2, 3)
            return parse_task_table(rows, source_name=path.name)
    raise InputError(path, NO_TABLE)
