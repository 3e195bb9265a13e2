"""Start the window (or render it offscreen to a PNG for a look without a display)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _has_display() -> bool:
    if sys.platform.startswith("win") or sys.platform == "darwin":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def window_unavailable_reason() -> str | None:
    """Why a window cannot open here, or None. On Linux Qt aborts the whole process when its
    platform plugin cannot load (e.g. libxcb-cursor0 missing), so try it in a child first."""
    if not _has_display():
        return "没有图形显示环境（no display）"
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return None
    import subprocess

    probe = "from PySide6.QtWidgets import QApplication; QApplication([])"
    try:
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"无法启动图形界面（{exc}）"
    if result.returncode == 0:
        return None
    hint = "；请安装 libxcb-cursor0 等 Qt 依赖" if "xcb-cursor" in result.stderr else ""
    return f"图形界面无法启动（Qt platform plugin failed）{hint}"


def run_gui(ledger_path: Path | None, *, screenshot: Path | None = None) -> int:
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif getattr(sys, "frozen", False) is False and (reason := window_unavailable_reason()):
        from app.errors import LedgerError

        raise LedgerError(f"{reason}，无法打开窗口；请使用命令行（use the CLI commands）")
    from PySide6.QtCore import QLocale, QTranslator
    from PySide6.QtWidgets import QApplication

    from app.ledger import Ledger
    from app.resources import resource_dir
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("台账通")
    translator = QTranslator(app)
    if translator.load(QLocale("zh_CN"), "qtbase", "_", str(resource_dir() / "translations")):
        app.installTranslator(translator)
    ledger = Ledger.open(ledger_path, readonly=screenshot is not None) if ledger_path else None
    window = MainWindow(ledger)
    window.show()
    if screenshot is not None:
        app.processEvents()
        if window.doc.tasks:
            window.select_task(window.doc.tasks[0].id)
            app.processEvents()
        ok = window.grab().save(str(screenshot))
        window.close()
        if not ok:
            from app.errors import LedgerError

            raise LedgerError(f"{screenshot.name}：无法保存截图（cannot write PNG）")
        print(f"已保存截图：{screenshot.resolve()}")
        return 0
    return app.exec()
