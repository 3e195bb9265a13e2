"""Helpers for the return-sheet and merge tests: a seed-000 ledger, and departments that fill sheets."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from app.formats.ledger_json import document_to_json
from app.formats.plan import read_plan
from app.formats.returns import HEADERS, ID_HEADER, META_SHEET
from app.ledger import Ledger

FILE_KEYS = {"file", "unit", "round", "outcome", "applied", "unchanged", "conflicts", "rejected", "messages"}
SEED_000 = Path(__file__).parent / "fixtures" / "seeds" / "000_0bb927241a205331.txt"
UNIT = "县民政局"
ROUND = "第一次报送"


def run_main(capsys, *argv: object) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    from app.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def make_ledger(folder: Path, name: str = "台账.ldg") -> Path:
    """A ledger file built from seed 000 (38 tasks, two rounds), without the import's doubts (they would be
    review items, and these tests count the review items a merge makes)."""
    path = folder / name
    doc = read_plan(SEED_000)
    doc.doubts = {}
    Ledger.create_from_document(path, doc, source=SEED_000.name).close()
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One seed-000 ledger per test module (conftests import this and `ledger`)."""
    return make_ledger(tmp_path_factory.mktemp("template"))


@pytest.fixture
def ledger(template, tmp_path) -> Path:
    """The module's seed-000 ledger, copied for the test."""
    path = tmp_path / "台账.ldg"
    shutil.copy(template, path)
    return path


def rewrite_liaison(path: Path, change, out: Path | None = None) -> Path:
    """Edit liaison.json inside a liaison file by hand, as someone unzipping and editing it would, and zip
    it again (over the file, or as `out`)."""
    from app.formats.returns.liaison import MEMBER

    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read(MEMBER))
    change(data)
    target = out or path
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER, json.dumps(data, ensure_ascii=False, indent=1))
    return target


def ledger_json(path: Path) -> dict:
    """The contract JSON of a ledger, without timestamps (for before/after comparisons)."""
    with Ledger.open(path, readonly=True) as ledger:
        data = document_to_json(ledger.document())
    keep = ("unit", "round", "status", "text", "done_date", "evidence", "source")
    for task in data["tasks"]:
        task["progress"] = [{k: entry.get(k) for k in keep} for entry in task["progress"]]
    return json.loads(json.dumps(data))


def progress_of(path: Path, unit: str = UNIT, round_name: str = ROUND) -> dict[str, dict]:
    """seq → progress entry (status, text, done_date, evidence) for one unit and round."""
    data = ledger_json(path)
    out = {}
    for task in data["tasks"]:
        for entry in task["progress"]:
            if entry["unit"] == unit and entry["round"] == round_name:
                out[task["seq"]] = {k: entry[k] for k in ("status", "text", "done_date", "evidence")}
    return out


def header_row(ws) -> int:
    for row in ws.iter_rows(min_row=1, max_row=20):
        if row[0].value == "序号":
            return row[0].row
    raise AssertionError("no header row")


def col(name: str) -> int:
    """1-based column of a header in our sheet (ID_HEADER is the hidden last column)."""
    return len(HEADERS) + 1 if name == ID_HEADER else HEADERS.index(name) + 1


def set_saved_time(path: Path, when: datetime) -> Path:
    """Set docProps/core.xml dcterms:modified, as Excel, WPS or Word do when they save (UTC)."""
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, body in members:
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", body)
                assert stamp.encode() in body
            archive.writestr(info, body)
    return path


def fill_xlsx(path: Path, fills: dict[str, dict], out: Path | None = None, *, saved: datetime | None = None) -> Path:
    """Play a department: write status/text/date/evidence into the rows with these seqs (saved at `saved`)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first = header_row(ws) + 1
    for r in range(first, ws.max_row + 1):
        seq = ws.cell(r, 1).value
        if seq in fills:
            for name, value in fills[seq].items():
                ws.cell(r, col(name), value)
    target = out or path
    wb.save(target)
    if saved is not None:
        set_saved_time(target, saved)
    return target


def rows_of(path: Path) -> list[list]:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first = header_row(ws) + 1
    return [[c.value for c in row] for row in ws.iter_rows(min_row=first, max_row=ws.max_row)]


def without_meta(path: Path, out: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    del wb[META_SHEET]
    wb.save(out)
    return out


def reorder_rows(path: Path, out: Path) -> Path:
    """Reverse the data rows, hidden id column included (what a sort would do)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first = header_row(ws) + 1
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=first, max_row=ws.max_row)]
    for offset, values in enumerate(reversed(data)):
        for c, value in enumerate(values, start=1):
            ws.cell(first + offset, c).value = value
    wb.save(out)
    return out


def paste_into_new_workbook(path: Path, out: Path, *, with_ids: bool = False) -> Path:
    """What a liaison does when copying the visible rows into a fresh workbook of their own."""
    src = openpyxl.load_workbook(path).worksheets[0]
    first = header_row(src)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ncols = len(HEADERS) + (1 if with_ids else 0)
    for r in range(first, src.max_row + 1):
        ws.append([src.cell(r, c).value for c in range(1, ncols + 1)])
    wb.save(out)
    return out


def fill_docx(path: Path, fills: dict[str, dict], out: Path) -> Path:
    """Play a department in Word: type into the fill-in cells of the rows with these seqs."""
    import docx

    word = docx.Document(str(path))
    table = word.tables[0]
    header = [c.text for c in table.rows[0].cells]
    for row in table.rows[1:]:
        seq = row.cells[0].text.split("#ld:")[0].strip()
        for name, value in fills.get(seq, {}).items():
            row.cells[header.index(name)].text = value
    word.save(str(out))
    return out
