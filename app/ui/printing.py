"""Print and PDF of the standard table: the same rows, columns, order and widths as the Word export.

What goes in each row and cell is decided by app/formats/ledger_layout.py (as for the .docx and .xlsx);
this module only lays that out in pages and paints them, with QPainter, so that what Word does for the
.docx holds here exactly (a QTextDocument table would cut any row at a page end):
- A4 landscape with the export's margins and column widths (COLUMN_WIDTHS_CM, scaled to the page);
- the header row repeated at the top of every page, "第 X 页 共 Y 页" in the bottom margin;
- a row is kept on one page unless it is taller than KEEP_WHOLE_FRACTION of a page, then it continues
  on the next at a line end; a section row is kept with the row after it;
- 重点工作 is one merged cell over the consecutive tasks of one key work, and where such a run
  continues on a new page its text is written again there;
- overdue rows shaded, with the legend line under the title.

One painter (`paint_pages`) serves the preview (QPrintPreviewDialog), the printer and PDF (QPdfWriter,
written beside the target and renamed, so a failed export leaves nothing half-written). The overview
(app/ui/overview.py) prints through the same blocks: paragraphs, tables, drawings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.records import LedgerDocument
from app.errors import InputError, LedgerError
from app.formats.ledger_layout import (
    COLUMN_WIDTHS_CM,
    COLUMNS,
    FOOTER_TEXT,
    KEEP_WHOLE_FRACTION,
    MARGINS_CM,
    LedgerLayout,
    SectionRow,
    build_layout,
)

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

BODY_PT = 10.5
TITLE_PT = 18
FOOTER_PT = 9
OVERDUE_SHADE = "#FFE1E1"
HEADER_SHADE = "#F2F2F2"
# The export's fonts first (Windows, WPS), then what a Linux desktop (统信UOS/麒麟) has.
BODY_FAMILIES = ["仿宋_GB2312", "仿宋", "FangSong", "STFangsong", "SimSun", "Noto Serif CJK SC",
                 "WenQuanYi Micro Hei"]
HEAD_FAMILIES = ["黑体", "SimHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei"]
PDF_DPI = 300
CELL_PAD_PT = 2.5
TABLE_SPACE_AFTER_PT = 8.0
PDF_FILTER = "PDF 文件 (*.pdf)"
_CENTERED = {0, 1, 6}  # 序号, 重点工作, 完成时限 (as in the .docx)
_COLOURS: dict[str, QColor] = {}
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)


def _colour(name: str) -> QColor:
    if name not in _COLOURS:
        _COLOURS[name] = QColor(name)
    return _COLOURS[name]
KEY_COLUMN = 1


# ----- blocks ---------------------------------------------------------------------------------------
@dataclass
class Cell:
    text: str = ""
    center: bool = False
    bold: bool = False
    shade: str | None = None
    paint: Callable[[QPainter, QRectF], None] | None = None  # drawn instead of text (a bar of the overview)


@dataclass
class Row:
    cells: list[Cell]
    full_width: bool = False  # one cell across the table (a section row), kept with the next row
    group: int | None = None  # rows of one group share one merged cell in `merge_column`


@dataclass
class Table:
    widths: Sequence[float]  # relative; scaled to the page width
    header: list[Cell]
    rows: list[Row]
    merge_column: int | None = None


@dataclass
class Paragraph:
    text: str
    size_pt: float = BODY_PT
    bold: bool = False
    center: bool = False
    head_font: bool = False
    space_after_pt: float = 3.0
    page_break_before: bool = False


@dataclass
class Drawing:
    """A picture of a fixed height (in points) across the page, kept on one page."""

    height_pt: float
    paint: Callable[[QPainter, QRectF], None]
    space_after_pt: float = 6.0


Block = Paragraph | Table | Drawing


# ----- the page -----------------------------------------------------------------------------------
def page_layout() -> QPageLayout:
    """A4 landscape with the Word export's margins."""
    margins = QMarginsF(MARGINS_CM["left"] * 10, MARGINS_CM["top"] * 10, MARGINS_CM["right"] * 10,
                        MARGINS_CM["bottom"] * 10)
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape, margins,
                       QPageLayout.Unit.Millimeter)


def make_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout())
    return printer


def _font(families: list[str], size_pt: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(families)
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    return font


def wrap_lines(text: str, font: QFont, width: float, device: QPaintDevice) -> list[str]:
    """`text` broken into the lines it takes in `width` device pixels (CJK breaks between characters)."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    lines: list[str] = []
    for para in (text or "").split("\n"):
        if not para:
            lines.append("")
            continue
        layout = QTextLayout(para, font, device)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 1.0))
            lines.append(para[line.textStart(): line.textStart() + line.textLength()])
        layout.endLayout()
    return lines


@dataclass
class _Laid:
    """A cell's lines (a row continued on a new page holds the rest of them)."""

    lines: list[str]


@dataclass
class _Placed:
    kind: str  # "para", "drawing", "header", "row"
    y: float
    height: float
    block: Block | None = None
    row: Row | None = None
    lines: list[list[str]] = field(default_factory=list)  # per cell
    table: _TableGeometry | None = None
    lines_text: list[str] = field(default_factory=list)  # a paragraph's lines


@dataclass
class _TableGeometry:
    table: Table
    x: list[float]  # left edge of each column, and the right edge last
    fonts: dict[str, QFont]
    line_h: float
    pad: float


class Pager:
    """Lays blocks out in pages of the device's printable area, then paints them."""

    def __init__(self, device: QPagedPaintDevice, *, progress: Callable[[int, int], None] | None = None) -> None:
        self.device = device
        self.progress = progress  # (pages painted, pages): a background job reports it, and may stop there
        self.dpi = device.resolution() if isinstance(device, (QPrinter, QPdfWriter)) else device.logicalDpiX()
        rect = device.pageLayout().paintRectPixels(self.dpi)
        self.width, self.height = float(rect.width()), float(rect.height())
        self.pages: list[list[_Placed]] = [[]]
        self.y = 0.0

    def pt(self, value: float) -> float:
        return value * self.dpi / 72

    def _new_page(self) -> None:
        self.pages.append([])
        self.y = 0.0

    # ----- layout ----------------------------------------------------------------------------------
    def add(self, blocks: Sequence[Block]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                self._paragraph(block)
            elif isinstance(block, Drawing):
                self._drawing(block)
            else:
                self._table(block)

    def _paragraph(self, block: Paragraph) -> None:
        if block.page_break_before and (self.pages[-1] or self.y):
            self._new_page()
        font = _font(HEAD_FAMILIES if block.head_font else BODY_FAMILIES, block.size_pt, bold=block.bold)
        lines = wrap_lines(block.text, font, self.width, self.device)
        line_h = QFontMetricsF(font, self.device).lineSpacing()
        height = line_h * len(lines)
        if self.y + height > self.height and self.pages[-1]:
            self._new_page()
        self.pages[-1].append(_Placed("para", self.y, height, block=block, lines_text=lines))
        self.y += height + self.pt(block.space_after_pt)

    def _drawing(self, block: Drawing) -> None:
        height = min(self.pt(block.height_pt), self.height)
        if self.y + height > self.height:
            self._new_page()
        self.pages[-1].append(_Placed("drawing", self.y, height, block=block))
        self.y += height + self.pt(block.space_after_pt)

    def _geometry(self, table: Table) -> _TableGeometry:
        total = sum(table.widths)
        x = [0.0]
        for w in table.widths:
            x.append(x[-1] + w / total * self.width)
        fonts = {"body": _font(BODY_FAMILIES, BODY_PT), "bold": _font(BODY_FAMILIES, BODY_PT, bold=True),
                 "head": _font(HEAD_FAMILIES, BODY_PT, bold=True)}
        line_h = QFontMetricsF(fonts["body"], self.device).lineSpacing()
        return _TableGeometry(table, x, fonts, line_h, self.pt(CELL_PAD_PT))

    def _cell_lines(self, geo: _TableGeometry, row: Row, font: str) -> list[list[str]]:
        out = []
        for c, cell in enumerate(row.cells):
            right = geo.x[-1] if row.full_width else geo.x[c + 1]
            width = right - geo.x[c] - 2 * geo.pad
            out.append([] if cell.paint else wrap_lines(cell.text, geo.fonts["bold" if cell.bold else font], width,
                                                        self.device))
        return out

    def _row_height(self, geo: _TableGeometry, lines: list[list[str]]) -> float:
        return max((len(cell) for cell in lines), default=0) * geo.line_h + 2 * geo.pad if lines else 0.0

    def _table(self, table: Table) -> None:
        geo = self._geometry(table)
        header = Row(table.header)
        header_lines = self._cell_lines(geo, header, "head")
        header_h = max(self._row_height(geo, header_lines), geo.line_h + 2 * geo.pad)
        body_h = self.height - header_h
        keep_whole = body_h * KEEP_WHOLE_FRACTION

        def start_page(new: bool) -> None:
            if new:
                self._new_page()
            self.pages[-1].append(_Placed("header", self.y, header_h, row=header, lines=header_lines, table=geo))
            self.y += header_h

        laid = [(row, self._cell_lines(geo, row, "body")) for row in table.rows]
        start_page(self.y + header_h + (self._row_height(geo, laid[0][1]) if laid else 0) > self.height
                   and bool(self.pages[-1]))
        for index, (row, lines) in enumerate(laid):
            height = self._row_height(geo, lines)
            need = height
            if row.full_width and index + 1 < len(laid):  # kept with (the first lines of) the next row
                next_h = self._row_height(geo, laid[index + 1][1])
                need += next_h if next_h <= keep_whole else geo.line_h + 2 * geo.pad
            if self.y + need <= self.height:
                self._place(row, lines, height, geo)
                continue
            if height <= keep_whole or self.height - self.y < 3 * geo.line_h + 2 * geo.pad or row.full_width:
                start_page(True)
            self._split_to_fit(geo, row, lines, start_page)
        self.y += self.pt(TABLE_SPACE_AFTER_PT)

    def _place(self, row: Row, lines: list[list[str]], height: float, geo: _TableGeometry) -> None:
        self.pages[-1].append(_Placed("row", self.y, height, row=row, lines=lines, table=geo))
        self.y += height

    def _split_to_fit(self, geo: _TableGeometry, row: Row, lines: list[list[str]],
                      start_page: Callable[[bool], None]) -> None:
        """Place the row, continuing it on new pages (at line ends, under the header) while it does not fit."""
        while True:
            height = self._row_height(geo, lines)
            if self.y + height <= self.height:
                self._place(row, lines, height, geo)
                return
            fit = max(1, int((self.height - self.y - 2 * geo.pad) // geo.line_h))
            head = [cell[:fit] for cell in lines]
            lines = [cell[fit:] for cell in lines]
            self._place(row, head, self._row_height(geo, head), geo)
            start_page(True)

    # ----- painting --------------------------------------------------------------------------------
    def paint(self) -> int:
        """Paint every page; returns the page count."""
        painter = QPainter()
        if not painter.begin(self.device):
            raise LedgerError("无法开始打印（打印机或 PDF 文件不可用）（cannot start printing）")
        try:
            footer_font = _font(BODY_FAMILIES, FOOTER_PT)
            # the footer's bottom sits as far above the paper's edge as the Word footer
            footer_bottom = self.height + self.pt((MARGINS_CM["bottom"] - MARGINS_CM["footer"]) / 2.54 * 72)
            total = len(self.pages)
            for number, page in enumerate(self.pages, start=1):
                if number > 1:
                    self.device.newPage()
                self._paint_page(painter, page)
                painter.setFont(footer_font)
                painter.setPen(QColor("#000000"))
                painter.drawText(QRectF(0, footer_bottom - self.pt(14), self.width, self.pt(14)),
                                 int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                                 FOOTER_TEXT.format(page=number, pages=total))
                if self.progress is not None:
                    self.progress(number, total)
        finally:
            painter.end()
        return len(self.pages)

    def _paint_page(self, painter: QPainter, page: list[_Placed]) -> None:
        pen = QPen(QColor("#000000"))
        pen.setWidthF(max(1.0, self.pt(0.5)))
        for item in page:
            if item.kind == "para":
                block = item.block
                font = _font(HEAD_FAMILIES if block.head_font else BODY_FAMILIES, block.size_pt, bold=block.bold)
                painter.setFont(font)
                painter.setPen(QColor("#000000"))
                line_h = item.height / max(len(item.lines_text), 1)
                align = Qt.AlignmentFlag.AlignHCenter if block.center else Qt.AlignmentFlag.AlignLeft
                for k, line in enumerate(item.lines_text):
                    painter.drawText(QRectF(0, item.y + k * line_h, self.width, line_h),
                                     int(align | Qt.AlignmentFlag.AlignVCenter), line)
            elif item.kind == "drawing":
                painter.save()
                item.block.paint(painter, QRectF(0, item.y, self.width, item.height))
                painter.restore()
        rows = [item for item in page if item.kind in ("header", "row")]
        for k, item in enumerate(rows):
            self._paint_row(painter, item, pen, rows, k)

    def _paint_row(self, painter: QPainter, item: _Placed, pen: QPen, rows: list[_Placed], k: int) -> None:
        geo, row = item.table, item.row
        table = geo.table
        header = item.kind == "header"
        merge = table.merge_column if not row.full_width and row.group is not None else None
        first_of_run = merge is not None and not (k and rows[k - 1].row.group == row.group
                                                  and rows[k - 1].table is geo and rows[k - 1].kind == "row")
        for c, cell in enumerate(row.cells):
            left = geo.x[c]
            right = geo.x[-1] if row.full_width else geo.x[c + 1]
            rect = QRectF(left, item.y, right - left, item.height)
            if c == merge:
                if not first_of_run:
                    continue
                end = k
                while end + 1 < len(rows) and rows[end + 1].kind == "row" and rows[end + 1].row.group == row.group \
                        and rows[end + 1].table is geo:
                    end += 1
                rect = QRectF(left, item.y, right - left, rows[end].y + rows[end].height - item.y)
            shade = HEADER_SHADE if header else cell.shade
            if shade:
                painter.fillRect(rect, _colour(shade))
            painter.setPen(pen)
            painter.drawRect(rect)
            if cell.paint is not None:
                painter.save()
                cell.paint(painter, rect.adjusted(geo.pad, geo.pad, -geo.pad, -geo.pad))
                painter.restore()
                continue
            lines = item.lines[c] if c < len(item.lines) else []
            font = geo.fonts["head" if header else ("bold" if cell.bold else "body")]
            self._paint_lines(painter, rect, lines, font, geo, center=cell.center or header,
                              middle=header or (cell.center and item.height < self.height * KEEP_WHOLE_FRACTION))

    def _paint_lines(self, painter: QPainter, rect: QRectF, lines: list[str], font: QFont, geo: _TableGeometry,
                     *, center: bool, middle: bool) -> None:
        if not lines:
            return
        if painter.font() != font:
            painter.setFont(font)
        top = rect.top() + geo.pad
        if middle:
            top = rect.top() + (rect.height() - len(lines) * geo.line_h) / 2
        align = _CENTRE if center else _LEFT
        left, width = rect.left() + geo.pad, rect.width() - 2 * geo.pad
        for k, line in enumerate(lines):
            if line:
                painter.drawText(QRectF(left, top + k * geo.line_h, width, geo.line_h), align, line)


def paint_blocks(blocks: Sequence[Block], device: QPagedPaintDevice, *,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Lay `blocks` out on the device's pages and paint them; returns the page count."""
    pager = Pager(device, progress=progress)
    pager.add(blocks)
    return pager.paint()


# ----- the standard table ------------------------------------------------------------------------------
def ledger_blocks(layout: LedgerLayout) -> list[Block]:
    """The title, the 填报单位 lines, the legend and the table, as the .docx has them."""
    blocks: list[Block] = [Paragraph(layout.title, TITLE_PT, bold=True, center=True, head_font=True,
                                     space_after_pt=6)]
    for left, right in (("填报单位", "填报时间"), ("联系人", "联系电话")):
        blocks.append(Paragraph(f"{left}：{layout.info[left]}\u3000\u3000\u3000\u3000{right}：{layout.info[right]}"))
    blocks.append(Paragraph(layout.legend, space_after_pt=4))
    blocks.append(Table(COLUMN_WIDTHS_CM, [Cell(name, center=True, bold=True) for name in COLUMNS],
                        _table_rows(layout), merge_column=KEY_COLUMN))
    return blocks


def _table_rows(layout: LedgerLayout) -> list[Row]:
    """Section rows across the table; task rows of one key work (key_span > 1 starting it, 0 continuing)
    in one group, so that their 重点工作 is one cell. A merged cell is not shaded (as in the .docx)."""
    rows: list[Row] = []
    group = -1
    for item in layout.rows:
        if isinstance(item, SectionRow):
            rows.append(Row([Cell(item.label, bold=True)], full_width=True))
            continue
        if item.key_span != 0:
            group += 1
        shade = OVERDUE_SHADE if item.overdue else None
        merged = item.key_span != 1
        cells = [Cell(text, center=c in _CENTERED, shade=None if c == KEY_COLUMN and merged else shade)
                 for c, text in enumerate(item.cells)]
        rows.append(Row(cells, group=group))
    return rows


def filtered_document(doc: LedgerDocument, task_ids: set[str] | None) -> LedgerDocument:
    """`doc` with only the tasks `task_ids` names (None: all), in the ledger's order."""
    if task_ids is None:
        return doc
    return replace(doc, tasks=[t for t in doc.tasks if t.id in task_ids])


def window_layout(window: MainWindow, *, filtered: bool = False) -> LedgerLayout | None:
    """The standard table of the open ledger as of the window's date: every task, or (`filtered`) the
    tasks the filter bar lets through. Edits typed in the panes are saved first; None when there is
    no ledger, a job has it, or the clerk kept unsaved edits."""
    from app.ui import actions

    if not actions.ready(window):
        return None
    doc = window.ledger.snapshot()  # with the progress texts, which the window does not keep
    shown = window.shown_task_ids() if filtered else None
    return build_layout(filtered_document(doc, shown), as_of=window.as_of)


def paint_ledger(layout: LedgerLayout, device: QPagedPaintDevice, *,
                 progress: Callable[[int, int], None] | None = None) -> int:
    return paint_blocks(ledger_blocks(layout), device, progress=progress)


# ----- preview, print, PDF ---------------------------------------------------------------------------
def _run_dialog(dialog: QPrintPreviewDialog) -> int:
    """The modal preview (tests replace this to look at the dialog instead)."""
    return dialog.exec()


def preview(parent: QWidget | None, title: str, paint: Callable[[QPagedPaintDevice], int]) -> QPrintPreviewDialog:
    """打印预览 (A4 landscape) of what `paint` draws; its 打印 button prints the same pages."""
    printer = make_printer()
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.printer_ = printer  # the dialog does not own its printer: keep it as long as the dialog
    dialog.setWindowTitle(f"打印预览 — {title}")
    dialog.resize(1100, 760)
    dialog.paintRequested.connect(lambda device: _paint_or_say(parent, paint, device))
    _run_dialog(dialog)
    return dialog


def _paint_or_say(parent: QWidget | None, paint: Callable[[QPagedPaintDevice], int], device) -> None:
    """The preview paints on the GUI thread (a long ledger takes a while: the wait cursor says so)."""
    from PySide6.QtWidgets import QApplication

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        paint(device)
    except LedgerError as exc:
        from app.ui.dialogs import show_error

        show_error(parent, str(exc))
    finally:
        QApplication.restoreOverrideCursor()


def preview_ledger(window: MainWindow, *, filtered: bool = False) -> QPrintPreviewDialog | None:
    """打印预览 of the whole standard table, or of the tasks the filter shows."""
    layout = window_layout(window, filtered=filtered)
    if layout is None:
        return None
    if filtered and not layout.tasks:
        from app.ui.dialogs import show_error

        show_error(window, "当前筛选没有任务可打印；请先清除或放宽筛选。")
        return None
    title = layout.title + ("（筛选）" if filtered else "")
    return preview(window, title, lambda device: paint_ledger(layout, device))


def write_pdf(paint: Callable[[QPagedPaintDevice], int], target: Path, *, title: str = "") -> int:
    """What `paint` draws as a PDF at `target`, all or nothing; returns the page count."""
    from app.formats.atomic import atomic_output

    with atomic_output(target) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(PDF_DPI)
        writer.setPageLayout(page_layout())
        writer.setTitle(title)
        writer.setCreator("台账通")
        try:
            pages = paint(writer)
        except LedgerError as exc:
            raise InputError(target, "无法写入（文件夹不存在或没有写入权限）（cannot write）") from exc
        del writer  # the file is complete once the painter has ended and the writer is gone
    return pages


def export_pdf(layout: LedgerLayout, target: Path, *, progress: Callable[[int, int], None] | None = None) -> int:
    """The standard table of `layout` as a PDF file; returns the page count."""
    return write_pdf(lambda device: paint_ledger(layout, device, progress=progress), target, title=layout.title)


def export_pdf_dialog(window: MainWindow, *, filtered: bool = False,
                      ask: Callable[..., tuple[str, str]] = QFileDialog.getSaveFileName) -> Path | None:
    """导出 PDF…: the standard table (or the filtered tasks) to a PDF file the clerk names, as a background
    job (a 10,000-task ledger is some 1,800 pages): counted page by page, cancellable until renamed."""
    from app.ui import actions

    if not actions.ready(window):
        return None
    name, _ = ask(window, "导出 PDF", f"{window.doc.title or '台账'}.pdf", PDF_FILTER)
    if not name:
        return None
    target = Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf")
    start_pdf(window, target, filtered=filtered)
    return target


def start_pdf(window: MainWindow, target: Path, *, filtered: bool = False) -> None:
    """Write the PDF in the background (QPainter on a QPdfWriter may run outside the GUI thread)."""
    from app.ui import actions
    from app.ui.workers import JobContext

    ledger, as_of = window.ledger, window.as_of
    shown = window.shown_task_ids() if filtered else None

    def work(context: JobContext) -> tuple[Path, int]:
        doc = ledger.snapshot()  # the ledger is lent to this job: nothing else reads it meanwhile
        context.check()
        layout = build_layout(filtered_document(doc, shown), as_of=as_of)
        context.check()
        return target, export_pdf(layout, target, progress=context.report)

    def done(result: tuple[Path, int]) -> None:
        path, pages = result
        window.statusBar().showMessage(f"已导出 PDF（{pages} 页）：{path}", 8000)

    actions._start(window, "正在导出 PDF…", work, done, cancellable=True)
