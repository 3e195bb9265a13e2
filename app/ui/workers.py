"""Background jobs (import, export, sheets, packages, merge) that cannot crash or lose their result.

* Owned until finished: each job is a QThread the JobRunner holds (a Python reference and a Qt
  parent) until the thread's `finished` has been handled on the GUI thread. The old `run_job`
  returned a QRunnable nobody kept, so its signal object could be freed while the worker still
  emitted: the crashes and the lost merge result of issue 12.
* Results on the GUI thread: the worker only stores its result (or error) on the thread object and
  emits `progressed`; the runner's slots, living on the GUI thread, get them queued.
* The ledger is never used from two threads at once: one job at a time, and while it runs the window
  lends it the ledger: the window is disabled (the clerk cannot edit or select), reads nothing from
  the ledger (its LedgerView holds what it shows) and refuses commands (`MainWindow.run_command`).
  A second Ledger on the file is no option: the write lock is per open file.
* Cancel leaves nothing half done: `JobContext.report()` and `check()` raise Cancelled only where the
  job has written nothing yet (a merge while it reads the returned files, an export before it renames
  its temporary file into place); a job that cannot stop safely has no 取消 button.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from app.errors import LedgerError
from app.ui.logbook import log_error

DONE, FAILED, CANCELLED = "done", "failed", "cancelled"


class Cancelled(Exception):
    """Raised inside a job at a safe point after the clerk pressed 取消."""


class JobContext:
    """What a job's work receives: report progress, and stop at safe points when asked."""

    def __init__(self, thread: JobThread) -> None:
        self._thread = thread
        self._cancel = threading.Event()

    def report(self, done: int, total: int) -> None:
        """A real count (files merged so far…); raises Cancelled when a cancel was asked."""
        self.check()
        self._thread.progressed.emit(int(done), int(total))

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class JobThread(QThread):
    """Runs one job's work; its outcome stays on the object until the GUI thread takes it."""

    progressed = Signal(int, int)

    def __init__(self, title: str, work: Callable[[JobContext], object], parent: QObject) -> None:
        super().__init__(parent)
        self.title = title
        self.work = work
        self.context = JobContext(self)
        self.outcome = ""
        self.result: object = None
        self.message = ""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work(self.context)
            self.outcome = DONE
        except Cancelled:
            self.outcome = CANCELLED
        except LedgerError as exc:
            self.outcome, self.message = FAILED, str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as one line and logged with its traceback
            self.outcome, self.message, self.error = FAILED, f"内部错误：{type(exc).__name__}: {exc}", exc


class JobDialog(QProgressDialog):
    """Window-modal progress; Esc and the close button cancel (when the job can be cancelled), never
    just hide the dialog while the job still runs."""

    def __init__(self, label: str, cancellable: bool, parent: QWidget | None) -> None:
        super().__init__(label, "", 0, 0, parent)
        self.cancellable = cancellable
        self.finished_job = False
        self.cancel_button = QPushButton("取消")
        self.setWindowTitle("请稍候")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(400)
        self.setMinimumWidth(360)
        self.setCancelButton(self.cancel_button if cancellable else None)
        self.canceled.disconnect(self.cancel)  # QProgressDialog would hide itself; the runner decides
        self.setValue(0)

    def reject(self) -> None:  # Esc
        if self.cancellable:
            self.canceled.emit()

    def closeEvent(self, event) -> None:
        if self.finished_job:
            super().closeEvent(event)
            return
        event.ignore()
        self.reject()


@dataclass
class _Running:
    thread: JobThread
    dialog: JobDialog
    on_done: Callable[[object], None]
    on_error: Callable[[str], None]
    on_cancelled: Callable[[], None] | None


class JobRunner(QObject):
    """Starts jobs one at a time and keeps each until its end has been delivered on the GUI thread."""

    busy_changed = Signal(bool)
    job_ended = Signal(str, str)  # title, outcome (done / failed / cancelled): after the callbacks ran

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._running: _Running | None = None
        self.ended: list[tuple[str, str]] = []  # (title, outcome) of the jobs so far, for the log and tests

    @property
    def busy(self) -> bool:
        return self._running is not None

    def start(self, title: str, work: Callable[[JobContext], object], on_done: Callable[[object], None],
              on_error: Callable[[str], None], *, cancellable: bool = False,
              on_cancelled: Callable[[], None] | None = None) -> JobThread | None:
        """Run `work(context)` on a worker thread with a progress dialog; None when a job is running."""
        if self._running is not None:
            return None
        dialog = JobDialog(title, cancellable, self._parent)
        thread = JobThread(title, work, self)
        self._running = _Running(thread, dialog, on_done, on_error, on_cancelled)
        thread.progressed.connect(self._progress)
        thread.finished.connect(self._finished)
        dialog.canceled.connect(self.cancel)
        self.busy_changed.emit(True)
        thread.start()
        return thread

    @Slot()
    def cancel(self) -> None:
        running = self._running
        if running is None or not running.dialog.cancellable or running.thread.context.cancel_requested:
            return
        running.thread.context.cancel()
        running.dialog.setLabelText(f"{running.thread.title}\n正在取消…（在不留下半成品的地方停下）")
        running.dialog.cancel_button.setEnabled(False)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the running job's thread ends (closing the program); True when none runs any more."""
        running = self._running
        return True if running is None else running.thread.wait(msecs)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        running = self._running
        if running is None:
            return
        if total > 0:
            running.dialog.setMaximum(total)
            running.dialog.setValue(min(done, total))
            base = running.thread.title
            running.dialog.setLabelText(f"{base}（{done} / {total}）" if not running.thread.context.cancel_requested
                                        else f"{base}\n正在取消…")

    @Slot()
    def _finished(self) -> None:
        running = self._running
        if running is None:
            return
        thread = running.thread
        thread.wait()  # `finished` is emitted at the very end of run(): this returns at once
        self._running = None
        running.dialog.finished_job = True
        running.dialog.close()
        running.dialog.deleteLater()
        self.busy_changed.emit(False)
        outcome = thread.outcome or FAILED
        try:
            if outcome == DONE:
                running.on_done(thread.result)
            elif outcome == CANCELLED:
                if running.on_cancelled is not None:
                    running.on_cancelled()
            else:
                log_error(f"{thread.title}失败：{thread.message}", exc_info=thread.error)
                running.on_error(thread.message or "内部错误")
        except Exception as exc:  # noqa: BLE001 - a failing callback must not take the window down
            log_error(f"{thread.title}：处理结果时出错", exc_info=exc)
            running.on_error(f"内部错误：{type(exc).__name__}: {exc}")
        finally:
            self.ended.append((thread.title, outcome))
            thread.deleteLater()
            self.job_ended.emit(thread.title, outcome)
