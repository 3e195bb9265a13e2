"""File-menu actions: dialogs in front, the same core functions as the CLI behind.

Long work runs as a background job (app/ui/workers.py) with a progress dialog: the window's
unsaved edits are saved first (so what is exported or sent is what the clerk sees), the ledger is
lent to the job, and the result comes back on the GUI thread. Every failure is one message
naming the file, and the ledger stays as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.errors import LedgerError
from app.ledger import Ledger
from app.ui.dialogs import APP_NAME, show_error, show_info
from app.ui.workers import JobContext

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

LEDGER_FILTER = "台账文件 (*.ledger)"
PLAN_FILTER = "工作要点或任务表 (*.docx *.txt *.htm *.html *.xlsx *.xls *.ods *.csv)"
RETURN_FILTER = ("交回的报送表 (*.xlsx *.xls *.ods *.docx *.ldpkg *.doc *.odt *.wps *.et *.rtf);;"
                 "所有文件 (*)")
PACKAGE_FILTER = "联络员数据包 (*.ldpkg)"
OPEN_FILTER = f"台账或联络员数据包 (*.ledger *.ldpkg);;{LEDGER_FILTER};;{PACKAGE_FILTER}"  # a .ldpkg: liaison mode


def _fail(window: MainWindow, message: str) -> None:
    show_error(window, message)


def _ready(window: MainWindow, *, need_ledger: bool = True) -> bool:
    """A job may start: a ledger is open (when needed), no job runs, the clerk's edits are saved."""
    if need_ledger and window.ledger is None:
        return False
    if window.jobs.busy:
        _fail(window, "另一项后台任务正在进行，请等它完成。")
        return False
    return window.commit_pending()


ready = _ready  # the window's 最近打开 asks the same before opening


def _start(window: MainWindow, title: str, work, on_done, *, cancellable: bool = False) -> None:
    started = window.jobs.start(title, work, on_done, lambda message: _fail(window, message),
                                cancellable=cancellable,
                                on_cancelled=lambda: window.statusBar().showMessage(f"已取消：{title}", 8000))
    if started is None:
        _fail(window, "另一项后台任务正在进行，请等它完成。")


def new_ledger(window: MainWindow) -> None:
    if not _ready(window, need_ledger=False):
        return
    path, _ = QFileDialog.getSaveFileName(window, "新建台账", "台账.ledger", LEDGER_FILTER)
    if not path:
        return
    title, ok = QInputDialog.getText(window, "新建台账", "台账标题：")
    if not ok or not title.strip():
        return
    try:
        Ledger.create(path, title=title.strip()).close()
    except LedgerError as exc:
        _fail(window, str(exc))
        return
    window.open_path(Path(path))


def open_ledger(window: MainWindow) -> None:
    if not _ready(window, need_ledger=False):
        return
    path, _ = QFileDialog.getOpenFileName(window, "打开台账或联络员数据包", "", OPEN_FILTER)
    if path:
        window.open_path(Path(path))


def import_plan(window: MainWindow) -> None:
    """Read a plan into a new ledger (a new file: the open ledger is not touched), then open it."""
    if not _ready(window, need_ledger=False):
        return
    source, _ = QFileDialog.getOpenFileName(window, "选择工作要点或任务表", "", PLAN_FILTER)
    if not source:
        return
    target, _ = QFileDialog.getSaveFileName(window, "保存新台账为", str(Path(source).with_suffix(".ledger")),
                                            LEDGER_FILTER)
    if target:
        start_import(window, Path(source), Path(target))


def start_import(window: MainWindow, source: Path, target: Path) -> None:
    def work(context: JobContext) -> Path:
        from app.formats.plan import read_plan

        doc = read_plan(source)
        context.check()  # the last safe point: the ledger file is written all or nothing below
        Ledger.create_from_document(target, doc, source=source.name).close()
        return target

    _start(window, "正在读取工作要点…", work, lambda path: after_import(window, path), cancellable=True)


def after_import(window: MainWindow, path: Path) -> None:
    """Open the new ledger; when the reader had doubts (a guessed column, a unit inferred, text not placed),
    the 冲突与待审核 list opens on them, each a jump to its task, for the clerk to confirm or dismiss."""
    if not window.open_path(path) or window.ledger is None:
        return
    from app.core.dispatch import REVIEW_DOUBT

    doubts = sum(1 for item in window.ledger.reviews() if item.kind == REVIEW_DOUBT)
    if doubts:
        from app.ui.review_list import show_review_panel

        show_review_panel(window)
        window.statusBar().showMessage(f"导入完成；有 {doubts} 处需要核对（见下方“冲突与待审核”）", 15000)


def export_table(window: MainWindow, fmt: str) -> None:
    if not _ready(window):
        return
    suffix = {"xlsx": "Excel 工作簿 (*.xlsx)", "docx": "Word 文档 (*.docx)"}[fmt]
    target, _ = QFileDialog.getSaveFileName(window, "导出标准台账", f"{window.doc.title}.{fmt}", suffix)
    if target:
        start_export(window, fmt, Path(target))


def start_export(window: MainWindow, fmt: str, target: Path) -> None:
    ledger, as_of = window.ledger, window.as_of

    def work(context: JobContext) -> Path:
        from app.formats.atomic import atomic_output

        if fmt == "xlsx":
            from app.formats.ledger_xlsx import write_ledger_xlsx as write
        else:
            from app.formats.ledger_docx import write_ledger_docx as write
        doc = ledger.snapshot()  # the ledger is lent to this job: nothing else reads it meanwhile
        context.check()
        with atomic_output(target) as tmp:
            write(doc, tmp, as_of=as_of)
            context.check()  # cancelled: the temporary file is removed, nothing replaced
        return target

    _start(window, "正在导出标准台账…", work,
           lambda path: window.statusBar().showMessage(f"已导出：{path}", 8000), cancellable=True)


def make_sheets(window: MainWindow) -> None:
    if not _ready(window):
        return
    folder = QFileDialog.getExistingDirectory(window, "报送表保存到")
    if folder:
        start_sheets(window, Path(folder))


def start_sheets(window: MainWindow, folder: Path) -> None:
    """Counted sheet by sheet; a cancel before the dispatches are recorded removes every file written
    (make_sheets writes all sheets, then records them in one transaction)."""
    ledger = window.ledger

    def work(context: JobContext) -> list[Path]:
        from app.sending import make_sheets as make

        return make(ledger, folder, progress=context.report)

    def done(paths: list[Path]) -> None:
        window.after_sending()
        show_info(window, APP_NAME, f"已生成 {len(paths)} 份报送表：\n{folder}")

    _start(window, "正在生成报送表…", work, done, cancellable=True)


def make_package(window: MainWindow) -> None:
    if not _ready(window):
        return
    from app.core.sheet_scope import is_group

    units = [u.name for u in window.doc.units if not is_group(u)]
    if not units:
        _fail(window, "台账中没有单位，无法生成数据包。")
        return
    unit, ok = QInputDialog.getItem(window, "生成联络员数据包", "单位：", units, 0, False)
    if not ok or not unit:
        return
    target, _ = QFileDialog.getSaveFileName(window, "数据包保存为", f"{unit}.ldpkg", PACKAGE_FILTER)
    if target:
        start_package(window, unit, Path(target))


def start_package(window: MainWindow, unit: str, target: Path) -> None:
    ledger = window.ledger

    def work(_context: JobContext) -> Path:
        from app.sending import make_package as make

        return make(ledger, unit, target)

    def done(path: Path) -> None:
        window.after_sending()
        window.statusBar().showMessage(f"已生成数据包：{path}", 8000)

    _start(window, f"正在生成“{unit}”的数据包…", work, done)


def merge_returns(window: MainWindow) -> None:
    if not _ready(window):
        return
    files, _ = QFileDialog.getOpenFileNames(window, "选择交回的报送表", "", RETURN_FILTER)
    if files:
        from app.ui.merge_preview import preview_and_merge

        preview_and_merge(window, [Path(f) for f in files])  # a dry run shown row by row, then 应用


def start_merge(window: MainWindow, files: list[Path]) -> None:
    """Merge in the background (cancellable while the files are read: nothing is written until all are
    decided); the result refreshes the rows it changed and is one step on the undo stack."""
    ledger = window.ledger

    def work(context: JobContext):
        from app.returns import merge_files

        return merge_files(ledger, files, progress=context.report)

    def done(report) -> None:
        from app.merge_report import format_report

        window.after_merge(report)
        show_info(window, "合并结果", format_report(report, messages_per_file=5) or "没有可合并的内容。")

    _start(window, "正在合并报送表…", work, done, cancellable=True)


def supervise_notice(window: MainWindow) -> None:
    """工具 › 督办通知…: the units with tasks overdue or due within 15 days as of the window's date, one letter
    (.docx); when there are none, one message and no file."""
    if not _ready(window):
        return
    target, _ = QFileDialog.getSaveFileName(window, "督办通知保存为", f"督办通知_{window.as_of.isoformat()}.docx",
                                            "Word 文档 (*.docx)")
    if target:
        start_supervise(window, Path(target))


def start_supervise(window: MainWindow, target: Path) -> None:
    ledger, as_of = window.ledger, window.as_of

    def work(_context: JobContext) -> list[Path]:
        from app.notices import supervise_notice as gather
        from app.notices import write_notices

        return write_notices(gather(ledger, as_of=as_of), target)

    _start(window, "正在生成督办通知…", work,
           lambda paths: window.statusBar().showMessage(f"已生成督办通知：{paths[0]}", 8000))

