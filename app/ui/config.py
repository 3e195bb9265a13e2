"""Where the program keeps its settings and its log: next to the program when `portable.ini` sits there
(a portable copy on a USB stick), else the user's config folder (QStandardPaths.AppConfigLocation).

LEDGERDESK_CONFIG_DIR overrides both (tests and the bench keep their settings to themselves).
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
    else:
        location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
        folder = Path(location) if location else Path.home() / ".ledgerdesk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settings_path() -> Path:
    return program_dir() / PORTABLE_MARKER if is_portable() else config_dir() / SETTINGS_FILE


def settings() -> QSettings:
    """The program's INI settings (window state, column widths, recent files)."""
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def log_path() -> Path:
    return config_dir() / LOG_FILE
