"""The log file next to the settings: every error the window shows, with its traceback when it has one.

A clerk's "it said something and closed" becomes a file an office can send; the dialogs name it.
"""

from __future__ import annotations

import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from app.ui.config import log_path

LOGGER = logging.getLogger("ledgerdesk")
_lock = threading.Lock()
_handler: RotatingFileHandler | None = None


def start_log() -> Path:
    """Send the program's log to the log file (again, if the config folder changed); returns its path."""
    global _handler
    path = log_path()
    with _lock:
        if _handler is not None and Path(_handler.baseFilename) == path.resolve():
            return path
        if _handler is not None:
            LOGGER.removeHandler(_handler)
            _handler.close()
        _handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
        _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
        LOGGER.addHandler(_handler)
        LOGGER.setLevel(logging.INFO)
    return path


def log_error(message: str, *, exc_info: BaseException | None = None) -> Path:
    """Write one error to the log (starting it when needed); returns the log's path for the dialog."""
    path = start_log()
    LOGGER.error(message, exc_info=exc_info)
    _flush()
    return path


def log_info(message: str) -> None:
    start_log()
    LOGGER.info(message)


def _flush() -> None:
    if _handler is not None:
        _handler.flush()


def install_excepthook(show: callable) -> None:  # type: ignore[valid-type]
    """Uncaught exceptions in slots: logged with their traceback and shown in one line, not a crash."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        path = log_error(f"未处理的错误：{kind.__name__}: {exc}", exc_info=exc)
        try:
            show(f"内部错误：{kind.__name__}: {exc}\n\n详细信息已记入日志：{path}")
        except Exception:  # noqa: BLE001 - the hook must never raise
            sys.__excepthook__(kind, exc, tb)

    sys.excepthook = hook
