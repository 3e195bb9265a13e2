"""Time the ledger exports on a synthetic 2,000-task ledger (run by hand: python bench/bench_export.py).

Target (issue 4): write_ledger_xlsx under 3 s on the development machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.formats.ledger_docx import write_ledger_docx  # noqa: E402
from app.formats.ledger_xlsx import write_ledger_xlsx  # noqa: E402
from app.formats.ledger_xlsx_in import read_exported_ledger  # noqa: E402
from tests.factories import make_document  # noqa: E402


def _timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<28}{time.perf_counter() - start:6.2f} s")
    return result


def main(n_tasks: int = 2000) -> None:
    doc = make_document(n_tasks)
    print(f"{n_tasks} tasks, {len(doc.progress)} progress entries, {len(doc.headings)} headings")
    with tempfile.TemporaryDirectory() as folder:
        xlsx, docx = Path(folder) / "ledger.xlsx", Path(folder) / "ledger.docx"
        _timed("write_ledger_xlsx", write_ledger_xlsx, doc, xlsx, as_of=date(2023, 11, 1))
        _timed("write_ledger_docx", write_ledger_docx, doc, docx, as_of=date(2023, 11, 1))
        back = _timed("read_exported_ledger (xlsx)", read_exported_ledger, xlsx)
        assert len(back.tasks) == n_tasks
        print(f"sizes: xlsx {xlsx.stat().st_size // 1024} KiB, docx {docx.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
