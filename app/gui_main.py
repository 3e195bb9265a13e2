"""The windowed program's entry (LedgerDesk.exe, started by a double-click): never a console, never a traceback.

No argument: a liaison who unzipped the program with their package beside it double-clicks
LedgerDesk and gets their package, so when exactly one `*.ldpkg` lies in the program's folder
(app.ui.config.program_dir) it opens in liaison mode; otherwise the clerk's main window opens (as
`ledgerdesk gui` does). An argument (a double-clicked file): a `.ldpkg` opens in liaison mode,
anything else as a ledger in the main window. `--screenshot PNG` renders and exits, as
`ledgerdesk gui` does. Failures go to a message box and the log, with exit status 2 (a file that
cannot be used) or 3 (anything unexpected).
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import LedgerError

EXIT_INPUT = 2
EXIT_INTERNAL = 3
USAGE = "用法：LedgerDesk [台账文件或联络员数据包] [--screenshot 图片.png]"


def parse_args(argv: list[str]) -> tuple[Path | None, Path | None]:
    """(the file to open, the PNG to render) from the command line; LedgerError on anything else."""
    path: Path | None = None
    screenshot: Path | None = None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--screenshot":
            if not args:
                raise LedgerError(f"--screenshot 后面缺少图片文件名。{USAGE}")
            screenshot = Path(args.pop(0))
        elif arg.startswith("--screenshot="):
            screenshot = Path(arg.split("=", 1)[1])
        elif arg.startswith("-") and arg != "-":
            raise LedgerError(f"无法识别的参数“{arg}”。{USAGE}")
        elif path is None:
            path = Path(arg)
        else:
            raise LedgerError(f"只能打开一个文件（多了“{arg}”）。{USAGE}")
    return path, screenshot


def package_beside_program() -> Path | None:
    """The one liaison package in the program's folder, or None (none, or several: the liaison must choose)."""
    from app.ui import config

    folder = config.program_dir()
    try:
        found = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".ldpkg" and p.is_file())
    except OSError:
        return None
    return found[0] if len(found) == 1 else None


def main(argv: list[str] | None = None) -> int:
    """Start the window (see the module docstring); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        path, screenshot = parse_args(argv)
        if path is None:
            path = package_beside_program()
        from app.ui.app import run_gui

        return run_gui(path, screenshot=screenshot)
    except LedgerError as exc:
        report(str(exc))
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - a windowed program has nowhere else to say it
        report(f"内部错误：{type(exc).__name__}: {exc}", exc=exc)
        return EXIT_INTERNAL


def report(message: str, *, exc: BaseException | None = None) -> None:
    """One message box (when a window can open here) and a log line; stderr when there is one."""
    if sys.stderr is not None:
        try:
            print(message, file=sys.stderr)
        except (OSError, ValueError):
            pass
    try:
        from PySide6.QtWidgets import QApplication

        from app.ui.app import _application, window_unavailable_reason
        from app.ui.dialogs import show_error

        if QApplication.instance() is None and window_unavailable_reason() is not None:
            from app.ui.logbook import log_error

            log_error(message, exc_info=exc)
            return
        _application()
        show_error(None, message, exc=exc)
    except Exception:  # noqa: BLE001, S110 - reporting must never raise; stderr has had it
        pass


if __name__ == "__main__":
    raise SystemExit(main())
