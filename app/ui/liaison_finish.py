"""完成并生成回收文件: a checklist first, then the return file, where it is, and the folder opened on request.

The checklist (tasks with no status, overdue tasks without an explanation) is advice, not a lock:
the liaison may go back and fill them in, or generate anyway. The file itself is written by the
session (the signed package with `finished_at`, the evidence folder beside it, an optional xlsx
copy for the unit's own records); the window only says where it went and offers to open the folder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import LedgerError
from app.liaison_finish import RETURN_FOLDER
from app.liaison_session import FinishResult, LiaisonSession
from app.ui.dialogs import APP_NAME, show_error
from app.ui.logbook import log_info

if TYPE_CHECKING:
    from app.ui.liaison_window import LiaisonWindow


class FinishDialog(QDialog):
    """The checklist and the one option (an Excel copy); 生成回收文件 accepts, 返回修改 rejects."""

    def __init__(self, lines: list[str], folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"完成并生成回收文件 — {APP_NAME}")
        self.lines = list(lines)
        layout = QVBoxLayout(self)
        if lines:
            head = QLabel(f"还有 {len(lines)} 处建议先处理（可返回修改，也可直接生成）：")
            head.setStyleSheet("color:#b3261e; font-weight:bold;")
            layout.addWidget(head)
            self.checklist = QListWidget()
            self.checklist.addItems(lines)
            self.checklist.setWordWrap(True)
            layout.addWidget(self.checklist, 1)
        else:
            self.checklist = None
            ok = QLabel("检查完毕：每项任务都已填写状态，逾期任务都已说明。")
            ok.setStyleSheet("color:#1e6b2a; font-weight:bold;")
            layout.addWidget(ok)
        where = QLabel(f"回收文件将保存到：\n{folder}")
        where.setWordWrap(True)
        layout.addWidget(where)
        self.xlsx = QCheckBox("同时生成一份 Excel 表格（供本单位留存，不用于报送）")
        layout.addWidget(self.xlsx)
        buttons = QDialogButtonBox()
        self.generate = buttons.addButton("生成回收文件", QDialogButtonBox.ButtonRole.AcceptRole)
        self.back = buttons.addButton("返回修改", QDialogButtonBox.ButtonRole.RejectRole)
        self.generate.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420 if lines else 220)

    def xlsx_copy(self) -> bool:
        return self.xlsx.isChecked()


def default_folder(session: LiaisonSession) -> Path:
    """Where finishing writes (the session's rule): a folder 报回文件 beside the package, or the package's
    own folder when it already is one (the liaison opened the return file itself)."""
    parent = session.path.parent
    return parent if parent.name == RETURN_FOLDER else parent / RETURN_FOLDER


def result_text(result: FinishResult) -> str:
    """Where everything went, in the liaison's words."""
    lines = ["回收文件已生成，请把下面的文件发回办公室：", str(result.return_file)]
    if result.evidence_dir is not None:
        lines += ["", "佐证材料文件夹（请一并发回）：", str(result.evidence_dir)]
    if result.xlsx_copy is not None:
        lines += ["", "Excel 留存表（本单位自己保存，不必发回）：", str(result.xlsx_copy)]
    return "\n".join(lines)


def open_folder(folder: Path) -> bool:
    """The folder in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def finish(window: LiaisonWindow, *, today: date | None = None) -> FinishResult | None:
    """The whole 完成 step for the window's package; None when the liaison went back or it failed."""
    if not window.commit_pending():
        return None
    session = window.session
    day = today or window.today
    lines = session.checklist(day)
    dialog = FinishDialog(lines, default_folder(session), window)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            if lines:
                window.go_to_first_unfinished()
            return None
        xlsx = dialog.xlsx_copy()
    finally:
        dialog.deleteLater()
    try:
        result = session.finish(xlsx_copy=xlsx, today=day)
    except LedgerError as exc:
        show_error(window, f"未能生成回收文件：{exc}")
        return None
    log_info(f"已生成回收文件：{result.return_file}")
    window.statusBar().showMessage(f"已生成回收文件：{result.return_file}", 15000)
    answer = QMessageBox.question(window, f"已完成 — {APP_NAME}", result_text(result) + "\n\n现在打开所在文件夹吗？",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.Yes)
    if answer == QMessageBox.StandardButton.Yes:
        open_folder(result.folder)
    return result
