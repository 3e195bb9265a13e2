"""The table seeds in every form a clerk receives them: .xlsx, .csv, a Word table, .xls.

Each form must give exactly the hand-checked golden result of the text seed.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest

from app.formats.plan import read_plan
from app.formats.text_in import read_text
from tests.formats.docx_builders import table_docx
from tests.golden_files import assert_matches_golden


def _rows(seed_path, key: str) -> list[list[str]]:
    return [line.split("\t") for line in read_text(seed_path(key)).split("\n")]


def _write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value:
                ws.cell(row=r, column=c, value=int(value) if value.isdigit() else value)
    wb.save(path)
    return path


@pytest.mark.parametrize("key", ["000", "001"])
def test_txt_form(seed_path, key):
    assert_matches_golden(read_plan(seed_path(key)), key)


@pytest.mark.parametrize("key", ["000", "001"])
def test_xlsx_form(tmp_path, seed_path, key):
    path = _write_xlsx(tmp_path / f"{key}.xlsx", _rows(seed_path, key))
    assert_matches_golden(read_plan(path), key)


@pytest.mark.parametrize("key", ["000", "001"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_form(tmp_path, seed_path, key, encoding):
    path = tmp_path / f"{key}.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(_rows(seed_path, key))
    assert_matches_golden(read_plan(path), key)


def test_xlsx_with_instruction_sheet_first(tmp_path, seed_path):
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "请各单位于每月5日前填报"
    ws = wb.create_sheet("台账")
    for row in _rows(seed_path, "000"):
        ws.append([int(v) if v.isdigit() else (v or None) for v in row])
    path = tmp_path / "000.xlsx"
    wb.save(path)
    assert_matches_golden(read_plan(path), "000")


def test_word_table_form_of_000(tmp_path, seed_path):
    rows = _rows(seed_path, "000")
    header_at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    title = [r[0] for r in rows[:header_at] if r[0].strip()]
    body = [r for r in rows[header_at:] if any(c.strip() for c in r)]
    path = tmp_path / "000.docx"
    table_docx(path, title, body)
    assert_matches_golden(read_plan(path), "000")


@pytest.mark.parametrize("target", ["xls", "ods"])
def test_xls_and_ods_forms_of_000_via_libreoffice(tmp_path, seed_path, target):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(f"LibreOffice not installed (soffice), cannot make an .{target}")
    source = _write_xlsx(tmp_path / "000.xlsx", _rows(seed_path, "000"))
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir", str(out),
         str(source)],
        check=True, capture_output=True, timeout=180,
    )
    converted = out / f"000.{target}"
    assert converted.is_file()
    assert_matches_golden(read_plan(converted), "000")


def test_html_table_form_of_000(tmp_path, seed_path):
    rows = _rows(seed_path, "000")
    header_at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[header_at:] if any(r))
    page = tmp_path / "000.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>台账</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/gk'>政务公开</a></div>"
        f"<h1>{rows[2][0].lstrip('# ')}</h1><table>{body}</table><p>扫一扫在手机打开当前页</p></body></html>",
        encoding="utf-8",
    )
    assert_matches_golden(read_plan(page), "000")


def test_text_tables_pasted_into_word_paragraphs_and_notepad_are_read_as_tables(tmp_path):
    """A table pasted as text, into Word (one cell a paragraph) or Notepad (pipes), is still a table."""
    cells = ["序号", "工作任务", "具体内容", "责任单位", "完成时限",
             "1", "公开权责清单", "动态调整并公开权责清单。", "县委编办", "2024年6月底前",
             "2", "公开财政资金", "公开直达资金使用情况。", "县财政局", "每季度"]
    word = tmp_path / "粘贴.docx"
    document = docx.Document()
    document.add_paragraph("梅岭县2024年政务公开重点工作任务表")
    for cell in cells:
        document.add_paragraph(cell)
    document.save(word)
    pipe = tmp_path / "粘贴.txt"
    pipe.write_text("梅岭县2024年政务公开重点工作任务表\n" + "\n".join(
        " | ".join(cells[i:i + 5]) + " |" for i in range(0, len(cells), 5)), encoding="utf-8")
    for path in (word, pipe):
        doc = read_plan(path)
        assert doc.title == "梅岭县2024年政务公开重点工作任务表"
        assert [(t.seq, t.key_work, t.lead_units, t.deadline.kind) for t in doc.tasks] == [
            ("1", "公开权责清单", ["县委编办"], "date"), ("2", "公开财政资金", ["县财政局"], "recurring")], path.name
