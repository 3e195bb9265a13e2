"""Where the program keeps its settings and its log: next to the program when `portable.ini` sits there
(a portable copy on a USB stick), else the user's config folder (QStandardPaths.AppConfigLocation).

LEDGERDESK_CONFIG_DIR overrides both (tests and the bench keep their settings to themselves).

In portable mode `portable.ini` itself is the settings file (window state, column widths, recent files),
the log lies beside it, and Qt's own settings (the file dialog's recent folders, QtProject.conf, which Qt
would write to ~/.config) are pointed at the same folder: nothing goes to the user profile. (On Windows
the system's file dialog keeps its own most-recently-used list in the registry; Qt cannot move that.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

PORTABLE_MARKER = "portable.ini"
SETTINGS_FILE = "ledgerdesk.ini"
LOG_FILE = "ledgerdesk.log"


def program_dir() -> Path:
    """The folder of the program: the frozen executable's, or the source tree's."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    from app.resources import install_root

    return install_root()


def is_portable() -> bool:
    return "LEDGERDESK_CONFIG_DIR" not in os.environ and (program_dir() / PORTABLE_MARKER).is_file()


def config_dir() -> Path:
    """The folder for settings and the log (created on first use)."""
    override = os.environ.get("LEDGERDESK_CONFIG_DIR")
    if override:
        folder = Path(override)
    elif is_portable():
        folder = program_dir()
        _qt_settings_beside(folder)
    else:
        location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
        folder = Path(location) if location else Path.home() / ".ledgerdesk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _qt_settings_beside(folder: Path) -> None:
    """Qt's own user-scope settings (QSettings(UserScope, "QtProject"): the file dialog's history) in `folder`."""
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))


def settings_path() -> Path:
    return program_dir() / PORTABLE_MARKER if is_portable() else config_dir() / SETTINGS_FILE


def settings() -> QSettings:
    """The program's INI settings (window state, column widths, recent files)."""
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def log_path() -> Path:
    return config_dir() / LOG_FILE


# ----- recent files --------------------------------------------------------------------------------
MAX_RECENT = 8
RECENT_KEY = "recent/files"


def _as_list(value) -> list[str]:
    """QSettings gives a one-item list back as a string from an INI file, and nothing as None."""
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def recent_files() -> list[Path]:
    """The ledgers opened last, newest first (at most MAX_RECENT)."""
    return [Path(p) for p in _as_list(settings().value(RECENT_KEY))][:MAX_RECENT]


def _store_recent(paths: list[Path]) -> list[Path]:
    store = settings()
    store.setValue(RECENT_KEY, [str(p) for p in paths[:MAX_RECENT]])
    store.sync()
    return paths[:MAX_RECENT]


def add_recent(path: Path) -> list[Path]:
    """`path` first in the list (once), the oldest dropped beyond MAX_RECENT."""
    path = Path(path).resolve()
    return _store_recent([path, *(p for p in recent_files() if p != path)])


def remove_recent(path: Path) -> list[Path]:
    path = Path(path)
    return _store_recent([p for p in recent_files() if p != path])


def clear_recent(*, missing_only: bool = False) -> list[Path]:
    return _store_recent([p for p in recent_files() if p.is_file()] if missing_only else [])
