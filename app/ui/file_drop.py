"""Drop returned files or folders anywhere on the window to merge them (through the preview).

One event filter on the application, answering only for widgets of this window: a drag of
local files or folders (a file manager's, WPS's "send to", Outlook's saved attachments) is
accepted wherever it is over the window, even over a line edit or a view that would take the
file's name as text; anything else (text, an internal drag of rows) goes on untouched. The
window itself accepts drops (`setAcceptDrops`), so a drag over a child that takes none still
reaches it. Folders are passed on as they are: the merge code expands them, so every file in
one is in the report. The callback runs just after the drop returns (a drag source such as
Explorer waits for the drop to finish).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def dropped_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders a drag carries ([] for text, web links, internal drags)."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class FileDropFilter(QObject):
    """Takes drags of local files over `window` and hands the paths to `on_files`."""

    def __init__(self, window: QWidget, on_files: Callable[[list[Path]], None]) -> None:
        super().__init__(window)
        self._window = window
        self._on_files = on_files

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in DRAG_EVENTS or not isinstance(watched, QWidget):
            return False
        if watched is not self._window and watched.window() is not self._window:
            return False
        assert isinstance(event, (QDragEnterEvent, QDragMoveEvent, QDropEvent))
        paths = dropped_paths(event.mimeData())
        if not paths:
            return False  # not ours: the widget handles (or refuses) it as before
        jobs = getattr(self._window, "jobs", None)
        if jobs is not None and jobs.busy:  # a job has the ledger: the drop is refused, visibly
            event.ignore()
            return True
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            QTimer.singleShot(0, self, lambda: self._on_files(paths))  # not after the window is gone
        return True


def install_file_drop(window: QWidget, on_files: Callable[[list[Path]], None]) -> FileDropFilter:
    """Let `window` take dropped files and folders; `on_files(paths)` gets them (returns the filter)."""
    window.setAcceptDrops(True)
    drop = FileDropFilter(window, on_files)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(drop)  # removed by Qt when the filter (a child of the window) is deleted
    return drop
