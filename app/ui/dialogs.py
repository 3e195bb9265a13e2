"""The window's few messages, in one place: errors (also logged), information, and asking before edits are dropped."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.logbook import log_error, log_info

APP_NAME = "台账通"
OPEN_ADVICE = ("请确认文件存在、是台账文件（*.ledger），且没有被其他程序打开；"
               "可用“文件 › 打开台账”另选文件，或用“从工作要点导入”新建台账。")


def show_error(parent: QWidget | None, message: str, *, exc: BaseException | None = None) -> None:
    """One warning, also written to the log (its path is in the message when there is a traceback)."""
    path = log_error(message, exc_info=exc)
    text = f"{message}\n\n详细信息已记入日志：{path}" if exc is not None else message
    QMessageBox.warning(parent, APP_NAME, text)


def show_open_failure(parent: QWidget | None, path: Path, reason: str) -> None:
    """A ledger that cannot be opened (command line, double-click, 打开): the file, why, and what to do."""
    log_path = log_error(f"无法打开 {path}：{reason}")
    QMessageBox.warning(parent, f"无法打开台账 — {APP_NAME}",
                        f"无法打开“{path.name}”：\n{reason}\n\n{OPEN_ADVICE}\n\n文件位置：{path}\n日志：{log_path}")


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    log_info(f"{title}：{message.splitlines()[0] if message else ''}")
    QMessageBox.information(parent, title, message)


def ask_discard(parent: QWidget | None, message: str) -> bool:
    """Unsaved edits that could not be saved: True to drop them, False to go back to them."""
    answer = QMessageBox.question(
        parent, APP_NAME, f"{message}\n\n放弃这些修改（Discard），还是返回继续修改（Cancel）？",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def about_text() -> str:
    """What 帮助 › 关于 says: the program, its version, and where its settings and log are kept."""
    from app import __version__
    from app.ui.config import is_portable, log_path, settings_path

    where = "便携版（设置保存在程序旁）" if is_portable() else "设置保存在用户配置目录"
    return (f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>政务公开工作要点任务落实台账的离线编辑工具：导入要点、分发报送表、合并回收表、导出标准台账。</p>"
            f"<p>版本：{__version__}<br>{where}<br>设置文件：{settings_path()}<br>日志文件：{log_path()}</p>")


def show_about(parent: QWidget | None) -> None:
    QMessageBox.about(parent, f"关于{APP_NAME}", about_text())
