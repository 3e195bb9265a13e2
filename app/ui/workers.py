"""Long jobs (import, export, merge) on a worker thread, with a progress dialog.

The job is a plain callable taking a `report(done, total)` function; its result or
its error comes back on the GUI thread through signals.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class Job(QRunnable):
    def __init__(self, work: Callable[[Callable[[int, int], None]], object]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        from app.errors import LedgerError

        try:
            result = self.work(lambda done, total: self.signals.progress.emit(done, total))
        except LedgerError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - shown as one line, never a traceback
            self.signals.failed.emit(f"内部错误：{type(exc).__name__}: {exc}")
        else:
            self.signals.finished.emit(result)


def run_job(parent: QWidget, label: str, work: Callable, on_done: Callable[[object], None],
            on_error: Callable[[str], None]) -> Job:
    """Start `work` in the pool with a modal progress dialog; callbacks run on the GUI thread."""
    dialog = QProgressDialog(label, None, 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setMinimumDuration(300)
    job = Job(work)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    def finished(result: object) -> None:
        dialog.close()
        on_done(result)

    def failed(message: str) -> None:
        dialog.close()
        on_error(message)

    job.signals.progress.connect(progress)
    job.signals.finished.connect(finished)
    job.signals.failed.connect(failed)
    QThreadPool.globalInstance().start(job)
    return job
