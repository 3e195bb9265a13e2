"""One entry point for every plan document an office receives: `read_plan(path)`.

Dispatches on the file type, then decides between a task table and a prose plan by
looking for a task-table header (序号 / 重点工作 / 责任单位 / 完成时限 …): a .txt
with a header row typed as text (tab- or pipe-separated, or one cell a line), a
.docx or web page with such a table in its body, a spreadsheet with such a sheet.
Tables come with what the reader knew of merged cells (Word vMerge/gridSpan, HTML
rowspan/colspan, .xlsx/.xls merged ranges) so the parser carries them down.
`read_plan_report` also returns the column mapping used, which `columns` (the
user's --columns) overrides. A spreadsheet that LedgerDesk itself exported is
read back with its ids first, so importing an exported ledger reproduces it.
Anything that yields no task is refused with a clear message naming the file, and so
is a file past the limits of app/formats/limits.py (size, lines, table rows); whatever a
reading library or parser raises on a damaged file becomes one InputError naming it
(`reader_guard`), so the command line never shows "内部错误" for a bad input. Past the
first MAX_WARNINGS_SHOWN warnings the rest are counted in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.plan.table import read_task_table
from app.core.plan.table_columns import ColumnMapping, ColumnSpec, ColumnSpecError
from app.core.plan.table_grid import TableRows
from app.core.plan.table_layout import clean_cell, find_header
from app.core.plan.text_table import split_text_rows, text_table_rows
from app.core.plan.warnings import summarise_warnings
from app.core.records import LedgerDocument, ParseWarning
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
from app.formats.plan.sniff import DAMAGED_WORKBOOK, NOT_A_WORKBOOK, sheet_bytes_kind
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
            "“责任单位”“完成时限”等列（表头不同时可用 --columns 指定各列）")
CANNOT_READ = "无法读取该文件（cannot read file）"


@dataclass
class PlanImport:
    """What reading a plan gave: the document, and for a task table the column mapping used."""

    doc: LedgerDocument
    columns: ColumnMapping | None = None
    kind: str = "prose"  # "table", "prose" or "ledger" (LedgerDesk's own export read back)


def _noop(done: int, total: int) -> None:
    pass


def read_plan(path: Path, *, progress: Progress | None = None, columns: ColumnSpec | None = None) -> LedgerDocument:
    """The plan in `path` as a LedgerDocument; InputError when it holds no usable plan."""
    return read_plan_report(path, progress=progress, columns=columns).doc


def read_plan_report(path: Path, *, progress: Progress | None = None,
                     columns: ColumnSpec | None = None) -> PlanImport:
    """read_plan with the column mapping of a task table; `columns` overrides the mapping (--columns)."""
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
        result = _Reading(path, report, columns).read(suffix)
    report(3, 3)
    if not result.doc.tasks:
        raise InputError(path, NO_TASKS)
    result.doc.warnings = summarise_warnings(result.doc.warnings, MAX_WARNINGS_SHOWN)
    return result


class _Reading:
    """One file being read: its path, the progress callback and the user's column mapping."""

    def __init__(self, path: Path, report: Progress, columns: ColumnSpec | None) -> None:
        self.path = path
        self.report = report
        self.columns = columns

    def read(self, suffix: str) -> PlanImport:
        path = self.path
        if suffix in WORD_TYPES:
            return self.body(read_docx(path))
        if suffix in PDF_TYPES:
            from app.formats.plan.pdf_in import read_pdf

            return self.with_notes(read_pdf(path))
        if suffix in CONVERTED_WORD_TYPES:
            from app.formats.plan.word_convert import read_converted_word

            return self.with_notes(read_converted_word(path))
        if suffix in SHEET_TYPES:
            if suffix != ".csv":
                kind = sheet_bytes_kind(path)
                if kind in ("html", "mht"):  # a web system's "Excel" export is a web page
                    return self.web_page()
                if kind != "workbook":
                    raise InputError(path, NOT_A_WORKBOOK.format(suffix=suffix))
            return self.sheet()
        if suffix in HTML_TYPES:
            return self.web_page()
        return self.lines(read_text(path).split("\n"))

    def with_notes(self, content: DocxContent) -> PlanImport:
        """The body, with what a PDF reader noticed (image-only pages, unreadable glyphs) as warnings."""
        result = self.body(content)
        notes = getattr(content, "notes", [])
        result.doc.warnings[:0] = [ParseWarning(self.path.name, note) for note in notes]
        return result

    def web_page(self) -> PlanImport:
        from app.formats.plan.html_in import read_html_content

        content, lines = read_html_content(self.path)
        return self.body(content, lines)

    # --- a task table, or prose ---------------------------------------------------------------

    def table(self, rows: Sequence[Sequence[str]], title_lines: Sequence[str] = (),
              below_lines: Sequence[str] = ()) -> PlanImport:
        """read_task_table, refused past MAX_TABLE_ROWS rows (a real ledger has a few hundred)."""
        filled = sum(1 for row in rows if any(cell.strip() for cell in row))
        if filled > MAX_TABLE_ROWS:
            raise InputError(self.path, f"任务表有 {filled:,} 行，超过可导入的上限 {MAX_TABLE_ROWS:,} 行："
                                        "请确认是否选错了文件，或删去多余的行后再导入")
        self.report(2, 3)
        try:
            result = read_task_table(rows, source_name=self.path.name, title_lines=title_lines,
                                     columns=self.columns, below_lines=below_lines)
        except ColumnSpecError as exc:
            raise InputError(self.path, str(exc)) from None
        return PlanImport(result.doc, result.columns, "table")

    def prose(self, lines: Sequence[str]) -> PlanImport:
        from app.core.plan.prose import parse_prose_plan

        self.report(2, 3)
        _refuse_long_prose(self.path, lines)
        doc = parse_prose_plan(list(lines), source_name=self.path.name)
        if self.columns is not None:
            doc.warnings.insert(0, ParseWarning(self.path.name, "文件按正文要点读取（不是任务表），--columns 未使用"))
        return PlanImport(doc)

    def _forced(self) -> bool:
        """The user gave --columns: the first table is read even without a header row we know."""
        return self.columns is not None

    def lines(self, lines: list[str]) -> PlanImport:
        """Text: a task table typed as text (tabs, pipes, one cell a line), else a prose plan."""
        self.report(1, 3)
        rows = text_table_rows(lines)
        if rows is None and self._forced():
            rows = split_text_rows(lines)
        if rows is not None:
            return self.table(rows)
        return self.prose(lines)

    def body(self, content: DocxContent, lines: list[str] | None = None) -> PlanImport:
        """A body table with a task header wins (paragraphs above it are the title); else prose.

        `content` is a Word file's body, or what a web page, a PDF or a converted .doc/.wps
        reads as; `lines` the page's plain lines (a web page's prose is read from them).
        """
        self.report(1, 3)
        paragraphs_above: list[str] = []
        first_table: int | None = None
        for i, block in enumerate(content.blocks):
            if isinstance(block, str):
                if block.strip():
                    paragraphs_above.append(block)
                continue
            if first_table is None and _width(block) >= 2:
                first_table = i
            if _header_at(block) is None:
                continue
            rows, after = _joined(content.blocks, i)
            return self.table(rows, paragraphs_above, _lines_of(content.blocks[after:]))
        if first_table is not None and self._forced():
            above = [b for b in content.blocks[:first_table] if isinstance(b, str) and b.strip()]
            rows, after = _joined(content.blocks, first_table)
            return self.table(rows, above, _lines_of(content.blocks[after:]))
        paragraphs = content.paragraphs if lines is None else lines
        rows = text_table_rows(paragraphs)
        if rows is not None:
            return self.table(rows)
        return self.prose(paragraphs)

    def sheet(self) -> PlanImport:
        """An exported ledger (ids kept), else the first sheet with a task header.

        The workbook is measured first (check_workbook): the export reader hands the file
        to calamine before read_table_rows would.
        """
        path = self.path
        if path.suffix.lower() != ".csv":
            check_workbook(path)
            try:
                exported = _read_exported(path)
            except InputError as exc:
                if "cannot read spreadsheet" in str(exc):  # the library's own words stay out of sight
                    raise InputError(path, DAMAGED_WORKBOOK) from None
                raise
            if exported is not None:
                return PlanImport(exported, None, "ledger")
        sheets = read_table_rows(path, checked=True)
        self.report(1, 3)
        for number, rows in enumerate(sheets):
            cleaned = [[clean_cell(c) for c in row] for row in rows[:200]]
            if find_header(cleaned) is not None:
                return self.table(_with_merges(path, number, rows))
        if self._forced() and sheets:
            return self.table(_with_merges(path, 0, sheets[0]))
        raise InputError(path, NO_TABLE)


def _header_at(table: list[list[str]]) -> int | None:
    """Where the task header of a table is (looked for in its first 200 rows, as in a sheet)."""
    return find_header([[clean_cell(c) for c in row] for row in table[:200]])


def _refuse_long_prose(path: Path, lines: Sequence[str]) -> None:
    """A prose plan of 200 pages has about 6,000 lines; far more is not a plan (and would take minutes)."""
    if len(lines) > MAX_PLAN_LINES:
        raise InputError(path, f"文件有 {len(lines):,} 行，超过可导入的上限 {MAX_PLAN_LINES:,} 行："
                               "工作要点通常只有几千行，请确认是否选错了文件")


def _width(table: list[list[str]]) -> int:
    return max((len(r) for r in table), default=0)


def _header_key(row: list[str]) -> list[str]:
    return [clean_cell(c).replace(" ", "") for c in row]


def _joined(blocks: list, first: int) -> tuple[TableRows, int]:
    """blocks[first] and the tables after it that continue it, as one table; and the index after them."""
    table = blocks[first]
    header_at = _header_at(table)
    rows = TableRows(table) if not isinstance(table, TableRows) else TableRows(
        table, covered=table.covered, spans_known=table.spans_known, numbers=table.numbers, doubts=table.doubts)
    if header_at is None:
        return rows, first + 1
    after = first + 1
    for at, later in _continuations(blocks, first, table[header_at]):
        rows.extend_table(later)
        after = at + 1
    return rows, after


def _lines_of(blocks: list) -> list[str]:
    """Paragraphs, and rows of other tables (cells tab-joined), in order: what lies under a table."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            out.append(block)
        else:
            out.extend("\t".join(c for c in row if c) for row in block)
    return [line for line in out if line.strip()]


def _continuations(blocks: list, first: int, header_row: list[str]) -> list[tuple[int, list[list[str]]]]:
    """The tables after blocks[first] that continue it: a table Word split at a page break.

    A table continues the one before when nothing but blank paragraphs lies between them
    and it has the same number of columns, or when it starts with the same header row
    (repeated on every page). Any other table (an appendix, a contact list) is not joined.
    """
    table = blocks[first]
    header = _header_key(header_row)
    found: list[tuple[int, list[list[str]]]] = []
    adjacent = True
    for at in range(first + 1, len(blocks)):
        block = blocks[at]
        if isinstance(block, str):
            adjacent = adjacent and not block.strip()
            continue
        repeats_header = bool(block) and bool(header) and _header_key(block[0]) == header
        if not (repeats_header or (adjacent and _width(block) == _width(table))):
            break
        found.append((at, block))
        adjacent = True
    return found


def _with_merges(path: Path, number: int, rows: list[list[str]]) -> TableRows:
    """A sheet's rows with the merged ranges of an .xlsx/.xls (calamine reads them; .ods and .csv give none)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return TableRows(rows)
    try:
        ranges = _merged_ranges(path, number)
    except Exception:  # noqa: BLE001 - merges only refine the reading; the rows were read already
        return TableRows(rows)
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    height = len(rows)
    for (r0, c0), (r1, c1) in ranges:
        if r1 - r0 > MAX_TABLE_ROWS or c1 - c0 > 256 or r0 >= height:
            continue
        for r in range(r0, min(r1, height - 1) + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = (r0, c0)
    return TableRows(rows, covered=covered, spans_known=True)


def _merged_ranges(path: Path, number: int) -> list:
    """Merged ranges of the `number`-th worksheet (counted as read_table_rows counts them)."""
    from python_calamine import CalamineWorkbook

    with quiet_native_panics():
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            try:
                kinds = {m.name: m.typ.name for m in workbook.sheets_metadata}
            except Exception:  # noqa: BLE001
                kinds = {}
            names = [n for n in workbook.sheet_names if kinds.get(n, "WorkSheet") == "WorkSheet"]
            return list(workbook.get_sheet_by_name(names[number]).merged_cell_ranges or [])
        finally:
            workbook.close()


def _read_exported(path: Path) -> LedgerDocument | None:
    """The ledger if this is LedgerDesk's own export; the file was measured by check_workbook."""
    try:
        from app.formats.ledger_xlsx_in import read_exported_ledger
    except ImportError:
        return None
    with reader_guard(path, NOT_A_SPREADSHEET), quiet_native_panics():
        return read_exported_ledger(path)
