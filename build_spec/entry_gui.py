"""The windowed program's entry (LedgerDesk, LedgerDesk.exe): double-click, or a file dropped on it.

PyInstaller needs a script; the work is app/gui_main.py's `main` (routing: a .ldpkg beside the
program opens liaison mode, see that module).
"""

import sys

from app.gui_main import main

raise SystemExit(main(sys.argv[1:]))
