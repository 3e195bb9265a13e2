"""The return round trip: what goes out to a unit (sheet or liaison file) and what comes back.

One face for the rest of the program; inside, one job per module, imported one way
(layout ← model ← writers / liaison ← reader), never in a circle:

- layout.py      columns, instructions, the rows a unit is sent, hashes of the locked cells
- model.py       the plain records a returned file is read into
- xlsx_writer.py the .xlsx sheet;  docx_writer.py the Word sheet
- liaison.py     the liaison data file (.ldpkg) for the portable program
- reader.py      reads any returned file (xlsx/xls/ods/docx/ldpkg) into a ReturnedSheet
"""

from __future__ import annotations

from pathlib import Path

from app.core.records import LedgerDocument
from app.errors import LedgerError
from app.formats.returns import docx_writer, xlsx_writer
from app.formats.returns.layout import (
    FILL,
    FORMAT_TAG,
    HEADERS,
    ID_HEADER,
    LOCKED,
    META_SHEET,
    Stamp,
    column_hashes,
    dispatch_for,
    due_text,
    fingerprint,
    plan_rows,
    safe_file_name,
    sheet_file_name,
    sheet_file_names,
)
from app.formats.returns.liaison import (
    SUFFIX as LIAISON_SUFFIX,
)
from app.formats.returns.liaison import (
    fill_liaison_file,
    liaison_file_name,
    load_liaison_file,
    write_liaison_file,
)
from app.formats.returns.model import ReadRow, ReturnedSheet, SentRow, parse_saved_at
from app.formats.returns.reader import SUPPORTED_SUFFIXES, read_return_file, saved_time

__all__ = [
    "FILL",
    "FORMAT_TAG",
    "HEADERS",
    "ID_HEADER",
    "LIAISON_SUFFIX",
    "LOCKED",
    "META_SHEET",
    "SUPPORTED_SUFFIXES",
    "ReadRow",
    "ReturnedSheet",
    "SentRow",
    "Stamp",
    "column_hashes",
    "dispatch_for",
    "fill_liaison_file",
    "fingerprint",
    "liaison_file_name",
    "load_liaison_file",
    "parse_saved_at",
    "plan_rows",
    "read_return_file",
    "safe_file_name",
    "saved_time",
    "sheet_file_name",
    "sheet_file_names",
    "write_liaison_file",
    "write_return_sheet",
]


def write_return_sheet(doc: LedgerDocument, unit: str, round_name: str, path: str | Path, *, fmt: str = "xlsx",
                       include_groups: bool = True, stamp: Stamp | None = None,
                       notes: dict[str, str] | None = None) -> Path:
    """One unit's return sheet as .xlsx or a Word table (.docx); `path` is a folder (file named by
    unit and round) or a file. `notes` (task id → 审核意见) adds the review columns (审核意见,
    申请延期至, 延期理由), as every sheet the ledger sends has them."""
    writer = {"xlsx": xlsx_writer, "docx": docx_writer}[fmt]
    if unit not in doc.unit_names():
        raise LedgerError(f"单位“{unit}”不在本台账的单位名录中（unknown unit）")
    path = Path(path)
    if path.is_dir():
        path = path / sheet_file_name(unit, round_name, f".{fmt}")
    writer.write(doc, unit, round_name, path, due=due_text(doc, round_name), include_groups=include_groups,
                 stamp=stamp, notes=notes)
    return path
