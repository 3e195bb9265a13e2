"""A seed-000 ledger and one unit's returns, made once per test session with the real commands
(`python -m app import`, `sheets` in both formats, `package`): the plain files the hostile
return-sheet cases damage. Callers copy or rewrite them, never change them in place."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.hostile.builders import seed_path

REPO = Path(__file__).resolve().parents[2]
UNIT = "县民政局"
_FILES: dict[str, Path] = {}


def cli(*argv: object, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m app ...` in a subprocess, as a clerk's script would run it."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    env.pop("LEDGERDESK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "app", *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, check=False, env=env, cwd=REPO)


def _ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"


def return_files(_tmp: Path | None = None) -> dict[str, Path]:
    """{"ledger", "xlsx", "docx", "ldpkg", "export_xlsx", "export_docx"}: paths in a session folder
    (removed at exit); the exports are the ledger as the project's own writers print it."""
    if not _FILES:
        root = Path(tempfile.mkdtemp(prefix="ledgerdesk-hostile-"))
        atexit.register(shutil.rmtree, root, True)
        ledger = root / "台账.ledger"
        _ok(cli("import", seed_path("000"), "-o", ledger))
        _ok(cli("sheets", ledger, "-o", root / "xlsx", "--unit", UNIT))
        _ok(cli("sheets", ledger, "-o", root / "docx", "--unit", UNIT, "--format", "docx"))
        _ok(cli("package", ledger, "--unit", UNIT, "-o", root / f"{UNIT}.ldpkg"))
        _ok(cli("export", ledger, "-f", "xlsx", "-o", root / "导出台账.xlsx"))
        _ok(cli("export", ledger, "-f", "docx", "-o", root / "导出台账.docx"))
        _FILES.update(ledger=ledger, xlsx=next((root / "xlsx").glob("*.xlsx")),
                      docx=next((root / "docx").glob("*.docx")), ldpkg=root / f"{UNIT}.ldpkg",
                      export_xlsx=root / "导出台账.xlsx", export_docx=root / "导出台账.docx")
    return _FILES
