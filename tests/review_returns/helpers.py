"""Play the clerk and a liaison around the review of returns: sheets out, filled by header name, back in."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl

from app.cli import main
from app.ledger import Ledger

UNIT = "县民政局"
ROUND1, ROUND2 = "第一次报送", "第二次报送"


def cli(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv: object) -> dict:
    code, out, err = cli(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def sheet_for(capsys, ledger: Path, out: Path, round_name: str, fmt: str = "xlsx", unit: str = UNIT) -> Path:
    code, _out, err = cli(capsys, "sheets", ledger, "-o", out, "--round", round_name, "--unit", unit, "--format", fmt)
    assert code == 0, err
    [path] = [p for p in out.iterdir() if p.suffix == f".{fmt}"]
    return path


def header_row(ws) -> int:
    return next(r for r in range(1, 30) if ws.cell(r, 1).value == "序号")


def xlsx_rows(path: Path) -> tuple[list[str], dict[str, dict[str, object]]]:
    """(the header, seq → {header → value}) of a sheet's first worksheet."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    h = header_row(ws)
    header = [ws.cell(h, c).value for c in range(1, ws.max_column + 1)]
    while header and header[-1] is None:
        header.pop()
    rows = {}
    for r in range(h + 1, ws.max_row + 1):
        values = {name: ws.cell(r, c).value for c, name in enumerate(header, start=1) if name}
        if values.get("序号"):
            rows[str(values["序号"])] = values
    return header, rows


def fill_xlsx(path: Path, fills: dict[str, dict[str, object]], out: Path | None = None) -> Path:
    """Type into the cells under these headers in the rows with these 序号, as a liaison would."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    h = header_row(ws)
    col = {ws.cell(h, c).value: c for c in range(1, ws.max_column + 1)}
    seen = set()
    for r in range(h + 1, ws.max_row + 1):
        seq = str(ws.cell(r, 1).value)
        for name, value in fills.get(seq, {}).items():
            ws.cell(r, col[name]).value = value
            seen.add(seq)
    assert seen == set(fills), f"rows not found: {set(fills) - seen}"
    target = out or path
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def docx_rows(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    table = docx.Document(str(path)).tables[0]
    header = [c.text.strip() for c in table.rows[0].cells]
    rows = {}
    for tr in table.rows[1:]:
        cells = [c.text for c in tr.cells]
        seq = cells[0].split("#ld:")[0].strip()
        rows[seq] = dict(zip(header, cells))
    return header, rows


def fill_docx(path: Path, fills: dict[str, dict[str, str]], out: Path) -> Path:
    word = docx.Document(str(path))
    table = word.tables[0]
    header = [c.text.strip() for c in table.rows[0].cells]
    for tr in table.rows[1:]:
        seq = tr.cells[0].text.split("#ld:")[0].strip()
        for name, value in fills.get(seq, {}).items():
            tr.cells[header.index(name)].text = value
    out.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(out))
    return out


def merge_json(capsys, ledger: Path, *files: Path) -> dict:
    return cli_json(capsys, "merge", ledger, *files)


def reviews(ledger: Path, kind: str | None = None) -> list:
    with Ledger.open(ledger, readonly=True) as opened:
        items = opened.reviews(open_only=False)
    return [i for i in items if kind is None or i.kind == kind]


def task_of(ledger: Path, seq: str):
    with Ledger.open(ledger, readonly=True) as opened:
        [task] = [t for t in opened.document().tasks if t.seq == seq]
    return task
