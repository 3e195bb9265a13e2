"""Texts that look like formulas or fields are written as plain text, in every file the program writes.

A progress text "=HYPERLINK(…)" a unit typed goes into the next round's sheet, a unit may be
called "=1+1": each must be a string cell (openpyxl data_type "s", no <f> in the sheet XML),
shown literally by LibreOffice, and read back as written; in Word, literal text (no field).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from app.core.records import Deadline, LedgerDocument, Progress, Round, Task, Unit
from app.formats.ledger_docx import write_ledger_docx
from app.formats.ledger_xlsx import DATA_SHEET, OVERVIEW_SHEET, write_ledger_xlsx
from app.formats.returns import META_SHEET, Stamp, read_return_file, write_return_sheet
from app.formats.safe_names import excel_escape, put_text

ROUND = "=第一次报送"
HYPERLINK = '=HYPERLINK("http://example.com/x","点击")'
FIELD = '{ HYPERLINK "http://example.com" }'
PROGRESS = (HYPERLINK, "=40+2", "+1", "-1")  # unit i's progress on task i
UNITS = ("=1+1局", "+县局", "-县局", "@县局")


def formula_doc() -> LedgerDocument:
    """Every text the writers take starts like a formula (or a Word field): task cells, unit names,
    progress, round. Task i is led by unit i, with unit i+1 cooperating."""
    doc = LedgerDocument(title="=台账", year=2023, office="=县政府办", ledger_id="L-formula")
    doc.units = [Unit(u, "department", [], "=联系人", "+86 0954") for u in UNITS]
    doc.rounds = [Round(ROUND, date(2023, 9, 10))]
    for i, unit in enumerate(UNITS):
        doc.tasks.append(Task(
            id=f"t{i + 1}", seq=str(i + 1), key_work="=SUM(1,2)", content=HYPERLINK, metric=FIELD,
            lead_units=[unit], coop_units=[UNITS[(i + 1) % len(UNITS)]],
            deadline=Deadline("=2023年6月底", date(2023, 6, 30), "date"), notes="@备注"))
        doc.progress.append(Progress(f"t{i + 1}", unit, ROUND, status="进行中", text=PROGRESS[i], evidence="@SUM(1)"))
    return doc


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/")}


def assert_no_formulas(path: Path) -> None:
    """No <f> element anywhere; every cell a string (shared or inline), a number, or empty."""
    for name, xml in sheet_xml(path).items():
        assert not re.search(r"<(\w+:)?f[ >/]", xml), f"{name} has a formula"
        for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", xml):
            kind = re.search(r'\bt="(\w+)"', attrs)
            kind = kind.group(1) if kind else "n"
            assert kind in ("s", "inlineStr", "n"), f"{name}: <c {attrs}> is {kind}"
            if kind == "n" and body:
                assert re.fullmatch(r"<v>-?[0-9.E+-]+</v>", body), f"{name}: <c {attrs}>{body}"
    workbook = openpyxl.load_workbook(path)
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} {cell.value!r} is {cell.data_type}"


def texts_of(path: Path) -> set[str]:
    workbook = openpyxl.load_workbook(path)
    return {c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


@pytest.mark.parametrize("unit", UNITS)
def test_return_sheet_and_hidden_sheet_write_formula_texts_as_text(tmp_path, unit):
    doc = formula_doc()
    path = write_return_sheet(doc, unit, ROUND, tmp_path, fmt="xlsx", stamp=Stamp("d-1", b"k" * 32))
    assert_no_formulas(path)
    workbook = openpyxl.load_workbook(path)
    hidden = {r[0]: r[1] for r in workbook[META_SHEET].iter_rows(values_only=True) if len(r) > 1}
    assert hidden["unit"] == unit and hidden["round"] == ROUND
    assert workbook.worksheets[0]["A1"].value.startswith(unit)
    sheet = read_return_file(path)
    assert (sheet.unit, sheet.round) == (unit, ROUND)
    mine = {p.task_id: p for p in doc.progress if p.unit == unit}
    for row in sheet.rows:
        assert row.cells["主要内容"] == HYPERLINK and row.cells["量化指标"] == FIELD
        assert row.cells["进展落实情况"] == (mine[row.task_id].text if row.task_id in mine else "")
        assert sheet.sent[row.task_id].base.text == row.cells["进展落实情况"]


def test_fill_in_cells_starting_like_a_formula_stay_text_when_edited(tmp_path):
    path = write_return_sheet(formula_doc(), UNITS[0], ROUND, tmp_path, fmt="xlsx")
    ws = openpyxl.load_workbook(path).worksheets[0]
    marked = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert marked and all(c.quotePrefix for c in marked)


def test_return_docx_keeps_field_like_texts_literal(tmp_path):
    doc = formula_doc()
    for unit in UNITS:
        path = write_return_sheet(doc, unit, ROUND, tmp_path, fmt="docx")
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        assert "fldSimple" not in xml and "instrText" not in xml and "fldChar" not in xml
        assert "{ HYPERLINK" in xml
        sheet = read_return_file(path)
        assert sheet.unit == unit
        assert {r.cells["主要内容"] for r in sheet.rows} == {HYPERLINK}


def test_ledger_xlsx_main_overview_and_hidden_sheets_hold_no_formulas(tmp_path):
    path = tmp_path / "台账.xlsx"
    write_ledger_xlsx(formula_doc(), path, as_of=date(2023, 8, 1))
    assert_no_formulas(path)
    workbook = openpyxl.load_workbook(path)
    overview = {c.value for row in workbook[OVERVIEW_SHEET].iter_rows() for c in row}
    assert set(UNITS) <= overview
    assert workbook[DATA_SHEET].sheet_state == "hidden"
    assert {HYPERLINK, FIELD} <= texts_of(path)


def test_ledger_docx_keeps_field_like_texts_literal(tmp_path):
    path = tmp_path / "台账.docx"
    write_ledger_docx(formula_doc(), path, as_of=date(2023, 8, 1))
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in xml and "instrText" not in xml and "fldChar" not in xml
    assert "{ HYPERLINK" in xml and "=HYPERLINK(" in xml


def test_a_control_character_in_a_unit_name_is_kept_exactly_in_the_hidden_data(tmp_path):
    doc = formula_doc()
    unit = "县\x07民政局"
    doc.units.append(Unit(unit))
    doc.tasks[0].coop_units.append(unit)
    for fmt in ("xlsx", "docx"):
        path = write_return_sheet(doc, unit, ROUND, tmp_path / f"{fmt}.{fmt}", fmt=fmt)
        assert read_return_file(path).unit == unit


def test_escaped_text_reads_back_as_written(tmp_path):
    workbook = openpyxl.Workbook()
    texts = ["_x0041_ 原样", "a\x01b", "=1+1", "-", "普通"]
    for i, text in enumerate(texts, start=1):
        put_text(workbook.active.cell(i, 1), text)
    workbook.save(tmp_path / "e.xlsx")
    from app.formats.table_in import read_table_rows

    assert [row[0] for row in read_table_rows(tmp_path / "e.xlsx")[0]] == texts
    assert excel_escape("a_x0041_") == "a_x005F_x0041_"


def soffice_csv(path: Path, out: Path) -> str:
    """The first sheet as LibreOffice shows it (values, not formulas), via a headless csv conversion."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = out / "profile"
    subprocess.run([soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
                    f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return (out / (path.stem + ".csv")).read_text(encoding="utf-8")


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="soffice is not installed")
def test_libreoffice_shows_the_texts_literally(tmp_path):
    path = write_return_sheet(formula_doc(), UNITS[1], ROUND, tmp_path / "sheet.xlsx", fmt="xlsx")
    out = tmp_path / "csv"
    out.mkdir()
    cells = [c for row in csv.reader(soffice_csv(path, out).splitlines()) for c in row]
    assert HYPERLINK in cells and "点击" not in cells
    assert "=40+2" in cells and "42" not in cells
    assert "=SUM(1,2)" in cells and "3" not in cells
    assert cells[0].startswith(UNITS[1])
