"""Start the window (or render it offscreen to a PNG for a look without a display).

A `.ldpkg` (a liaison's data file) opens the liaison window (app/ui/liaison_window.py) instead of
the clerk's; any other path is a ledger for the main window. `render_screenshot` draws either
offscreen into a PNG (the CLI's --screenshot, `ledgerdesk selftest`), reusing the process's one
QApplication.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

LIAISON_SUFFIX = ".ldpkg"
_windows: list = []  # the windows run_gui opened (kept alive until the event loop ends)


def is_liaison_file(path: Path | None) -> bool:
    """A liaison data file: opened in liaison mode, not as a ledger."""
    return path is not None and Path(path).suffix.lower() == LIAISON_SUFFIX


def opened_windows() -> list:
    """The windows `run_gui` opened in this process (the last one last)."""
    return list(_windows)


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
        result = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"无法启动图形界面（{exc}）"
    if result.returncode == 0:
        return None
    hint = "；请安装 libxcb-cursor0 等 Qt 依赖" if "xcb-cursor" in result.stderr else ""
    return f"图形界面无法启动（Qt platform plugin failed）{hint}"


def _application():
    """The one QApplication, named (settings and log folder), with Qt's own dialogs in Chinese."""
    from PySide6.QtCore import QLocale, QTranslator
    from PySide6.QtWidgets import QApplication

    from app.resources import resource_dir

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not app.property("ledgerdesk_ready"):
        app.setOrganizationName("LedgerDesk")
        app.setApplicationName("台账通")
        translator = QTranslator(app)
        if translator.load(QLocale("zh_CN"), "qtbase", "_", str(resource_dir() / "translations")):
            app.installTranslator(translator)
        app.setProperty("ledgerdesk_ready", True)
    return app


def open_window(ledger_path: Path | None, *, as_of: date | None = None, opening: _Background | None = None):
    """The window, with the ledger given on the command line (or by double-click) opened in it.

    A ledger that cannot be opened leaves the window open and empty, with a dialog naming the
    file and what to do (also a line on stderr and in the log next to the settings). The ledger
    is opened (lock, checks, upgrade) while the window is built: SQLite's page check of a county's
    ledger runs outside the interpreter lock, beside the imports and widgets of the window
    (`opening`: that open, started earlier by run_gui)."""
    from app.errors import LedgerError

    if opening is None and ledger_path is not None:
        opening = _start_opening(Path(ledger_path))
    try:
        from app.ui.dialogs import show_open_failure
        from app.ui.logbook import start_log
        from app.ui.main_window import MainWindow

        _application()
        start_log()
        window = MainWindow(as_of=as_of)
    except BaseException:
        if opening is not None:
            opening.discard_ledger()
        raise
    failure: str | None = None
    if opening is not None:
        try:
            window.set_ledger(opening.result())
        except LedgerError as exc:
            failure = str(exc)
    window.show()
    if failure is not None:
        print(f"无法打开台账：{failure}", file=sys.stderr)
        show_open_failure(window, Path(ledger_path), failure)
    return window


def _start_opening(path: Path) -> _Background:
    from app.ledger import Ledger

    return _Background(Ledger.open, path)


class _Background:
    """`func(*args)` run in a thread from now on; `result()` waits for it and returns or raises what it did.

    For work that waits outside the interpreter lock (SQLite's checks, a child process) while the
    main thread imports and builds the window."""

    def __init__(self, func, *args: object) -> None:
        import threading

        self._outcome: tuple[object, BaseException | None] = (None, None)
        self._thread = threading.Thread(target=self._run, args=(func, *args), name=f"start-{func.__name__}",
                                        daemon=True)
        self._thread.start()

    def _run(self, func, *args: object) -> None:
        try:
            self._outcome = (func(*args), None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._outcome = (None, exc)

    def result(self):
        self._thread.join()
        value, error = self._outcome
        if error is not None:
            raise error
        return value

    def discard_ledger(self) -> None:
        """The window could not be built: close the ledger opened here (its lock), once it is open."""
        try:
            self.result().close()
        except BaseException:  # noqa: BLE001, S110 - the window's own error is the one to report
            pass


def run_gui(ledger_path: Path | None, *, screenshot: Path | None = None) -> int:
    """`ledgerdesk gui`: the display probe (a child process), the ledger's open and the window's
    imports run side by side; the probe is asked before any QApplication exists."""
    probe = None
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif getattr(sys, "frozen", False) is False:
        probe = _Background(window_unavailable_reason)  # a child's Qt start (Linux): beside the imports below
    liaison = is_liaison_file(ledger_path)
    opening = _start_opening(Path(ledger_path)) if ledger_path is not None and screenshot is None and not liaison \
        else None
    try:
        if liaison:
            import app.ui.liaison_window
        else:
            import app.ui.main_window

        reason = probe.result() if probe is not None else None
    except BaseException:
        if opening is not None:
            opening.discard_ledger()
        raise
    if reason:
        if opening is not None:
            opening.discard_ledger()
        from app.errors import LedgerError

        raise LedgerError(f"{reason}，无法打开窗口；请使用命令行（use the CLI commands）")
    app = _application()
    if screenshot is not None:
        render_screenshot(Path(ledger_path) if ledger_path is not None else None, Path(screenshot))
        print(f"已保存截图：{Path(screenshot).resolve()}")
        return 0
    from app.ui.dialogs import show_error
    from app.ui.logbook import install_excepthook

    if liaison:
        window = open_liaison(Path(ledger_path))
        if window is None:
            return 2  # the message naming the file was shown (and logged)
    else:
        window = open_window(ledger_path, opening=opening)
    _windows.append(window)
    install_excepthook(lambda message: show_error(window, message))
    return run_event_loop(app)


def run_event_loop(app) -> int:
    """The window's life (tests replace it to look at the window instead)."""
    return app.exec()


def open_liaison(path: Path, *, today: date | None = None):
    """The liaison window on a package, shown; None after one message naming the file when it is unusable
    (also a line on stderr and in the log)."""
    from app.ui.liaison_window import open_liaison_window
    from app.ui.logbook import start_log

    _application()
    start_log()
    window = open_liaison_window(path, today=today)
    if window is None:
        print(f"无法打开数据包：{path}", file=sys.stderr)
    return window


def render_screenshot(path: Path | None, png: Path, *, size: tuple[int, int] | None = None,
                      today: date | None = None) -> None:
    """Draw the window offscreen into `png` and close it: a `.ldpkg` in liaison mode (its first task shown,
    the file not written), else the main window on the ledger read-only (or empty). One QApplication per
    process, reused; offscreen unless one already runs. A file that cannot be opened or a PNG that cannot
    be written raises LedgerError naming it."""
    from app.errors import LedgerError

    if _qt_application() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = _application()
    if is_liaison_file(path):
        from app.liaison_session import LiaisonSession
        from app.ui.liaison_window import LiaisonWindow

        window = LiaisonWindow(LiaisonSession.open(path), today=today)
        main = False
    else:
        from app.ledger import Ledger
        from app.ui.main_window import MainWindow

        ledger = Ledger.open(path, readonly=True) if path else None
        window = MainWindow(ledger, as_of=today)  # its closeEvent closes the ledger
        main = True
    try:
        if size is not None:
            window.resize(*size)
        window.show()
        app.processEvents()
        if main and window.doc.tasks:
            window.select_task(window.doc.tasks[0].id)
            app.processEvents()
        ok = window.grab().save(str(png))
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    if not ok:
        raise LedgerError(f"{Path(png).name}：无法保存截图（cannot write PNG）")


def _qt_application():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()
