"""Build the portable one-folder program and zip it: `python build_spec/build.py`.

Needs the `build` extra (`pip install -e .[build]`). A Linux build checks the spec;
the Windows .exe must be built on Windows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    spec = ROOT / "build_spec" / "ledgerdesk.spec"
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", str(spec)], cwd=ROOT, check=True)
    folder = ROOT / "dist" / "ledgerdesk"
    archive = shutil.make_archive(str(ROOT / "dist" / "ledgerdesk-portable"), "zip", folder.parent, folder.name)
    print(f"built {archive}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
