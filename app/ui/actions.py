"""File-menu actions: dialogs in front, the same core functions as the CLI behind.

Long work (import, export, sheets, merge) runs on a worker thread with a progress
dialog; every failure is one message naming the file, and the ledger stays as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.core.changes import Changes
from app.errors import LedgerError
from app.ledger import Ledger
from app.ui.workers import run_job

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

APP_NAME = "台账通"
LEDGER_FILTER = "台账文件 (*.ledger)"
PLAN_FILTER = "工作要点或任务表 (*.docx *.txt *.htm *.html *.xlsx *.xls *.ods *.csv)"
RETURN_FILTER = ("交回的报送表 (*.xlsx *.xls *.ods *.docx *.ldpkg *.doc *.odt *.wps *.et *.rtf);;"
                 "所有文件 (*)")


def _fail(window: MainWindow, message: str) -> None:
    QMessageBox.warning(window, APP_NAME, message)


def _open(window: MainWindow, path: Path) -> None:
    try:
        window.set_ledger(Ledger.open(path))
    except LedgerError as exc:
        _fail(window, str(exc))


def new_ledger(window: MainWindow) -> None:
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
    _open(window, Path(path))


def open_ledger(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "打开台账", "", LEDGER_FILTER)
    if path:
        _open(window, Path(path))


def import_plan(window: MainWindow) -> None:
    source, _ = QFileDialog.getOpenFileName(window, "选择工作要点或任务表", "", PLAN_FILTER)
    if not source:
        return
    target, _ = QFileDialog.getSaveFileName(window, "保存新台账为", str(Path(source).with_suffix(".ledger")),
                                            LEDGER_FILTER)
    if not target:
        return

    def work(report) -> Path:  # noqa: ANN001
        from app.formats.plan import read_plan

        doc = read_plan(Path(source))
        Ledger.create_from_document(Path(target), doc, source=Path(source).name).close()
        return Path(target)

    run_job(window, "正在读取工作要点…", work, lambda path: _open(window, path), lambda m: _fail(window, m))


def export_table(window: MainWindow, fmt: str) -> None:
    if window.ledger is None:
        return
    suffix = {"xlsx": "Excel 工作簿 (*.xlsx)", "docx": "Word 文档 (*.docx)"}[fmt]
    target, _ = QFileDialog.getSaveFileName(window, "导出标准台账", f"{window.doc.title}.{fmt}", suffix)
    if not target:
        return
    doc = window.doc

    def work(report) -> Path:  # noqa: ANN001
        if fmt == "xlsx":
            from app.formats.ledger_xlsx import write_ledger_xlsx as write
        else:
            from app.formats.ledger_docx import write_ledger_docx as write
        write(doc, Path(target), as_of=window.as_of)
        return Path(target)

    run_job(window, "正在导出…", work,
            lambda path: window.statusBar().showMessage(f"已导出：{path}", 8000), lambda m: _fail(window, m))


def make_sheets(window: MainWindow) -> None:
    if window.ledger is None:
        return
    folder = QFileDialog.getExistingDirectory(window, "报送表保存到")
    if not folder:
        return
    ledger = window.ledger

    def work(report) -> list:  # noqa: ANN001
        from app.sending import make_sheets as make

        return make(ledger, Path(folder))

    run_job(window, "正在生成报送表…", work,
            lambda paths: QMessageBox.information(window, APP_NAME, f"已生成 {len(paths)} 份报送表：\n{folder}"),
            lambda m: _fail(window, m))


def merge_returns(window: MainWindow) -> None:
    if window.ledger is None:
        return
    files, _ = QFileDialog.getOpenFileNames(window, "选择交回的报送表", "", RETURN_FILTER)
    if not files:
        return
    ledger = window.ledger

    def work(report):  # noqa: ANN001, ANN202
        from app.returns import merge_files

        return merge_files(ledger, [Path(f) for f in files], progress=report)

    def done(result) -> None:  # noqa: ANN001
        window.undo_stack.clear()  # a merge is undone as a batch (撤销合并), not by the edit history
        window.refresh(Changes(structure=True))
        from app.merge_report import format_report

        QMessageBox.information(window, "合并结果", format_report(result, messages_per_file=5) or "没有可合并的内容。")

    run_job(window, "正在合并报送表…", work, done, lambda m: _fail(window, m))
