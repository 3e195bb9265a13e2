"""Spreadsheets and CSV files as text grids; bad files refused with the file's name."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from app.errors import InputError
from app.formats.table_in import cell_text, read_table_rows
from app.formats.zip_measure import check_zip


def _xlsx(path, sheets: dict[str, list[list]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)


def test_values_become_the_text_a_person_sees():
    assert cell_text(1.0) == "1"
    assert cell_text(12) == "12"
    assert cell_text(0.5) == "0.5"
    assert cell_text(None) == ""
    assert cell_text(datetime(2023, 12, 31)) == "2023-12-31"
    assert cell_text(date(2023, 9, 10)) == "2023-09-10"
    assert cell_text("a\r\nb") == "a\nb"


def test_xlsx_sheets_rows_cells_with_empty_area_kept(tmp_path):
    path = tmp_path / "t.xlsx"
    _xlsx(path, {"说明": [["填表说明"]], "台账": [[None, None], ["序号", "重点工作"], [1, "公开"], [2.0, datetime(2023, 12, 31)]]})
    sheets = read_table_rows(path)
    assert sheets[0] == [["填表说明"]]
    assert sheets[1] == [[], ["序号", "重点工作"], ["1", "公开"], ["2", "2023-12-31"]]


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8-sig"), ("\t", "gb18030"), (",", "utf-16")])
def test_csv_delimiter_and_encoding_detected(tmp_path, delimiter, encoding):
    path = tmp_path / "t.csv"
    text = delimiter.join(["序号", "重点工作", "责任单位"]) + "\n" + delimiter.join(["1", '"公开,预算"', "县财政局"]) + "\n"
    if delimiter == "\t":
        text = text.replace('"公开,预算"', "公开，预算")
    path.write_bytes(text.encode(encoding))
    rows = read_table_rows(path)[0]
    assert rows[0] == ["序号", "重点工作", "责任单位"]
    assert rows[1][0] == "1" and rows[1][2] == "县财政局"


def test_not_a_zip_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(InputError) as info:
        read_table_rows(path)
    assert str(info.value).startswith("photo.xlsx：不是可读取的电子表格")


def test_zip_without_workbook_is_refused(tmp_path):
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError) as info:
        read_table_rows(path)
    assert "other.xlsx" in str(info.value)


def test_garbage_xls_is_refused(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"this is not an excel file" * 50)
    with pytest.raises(InputError) as info:
        read_table_rows(path)
    assert str(info.value).startswith("old.xls：")


def test_zip_bomb_refused_before_opening(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"\0" * (3 * 1024 * 1024))
    check_zip(path)  # 3 MB is fine under the default limit
    with pytest.raises(InputError) as info:
        check_zip(path, limit=1024 * 1024)
    assert "bomb.xlsx" in str(info.value) and "zip bomb" in str(info.value)


def test_unsupported_suffix_and_missing_file(tmp_path):
    with pytest.raises(InputError):
        read_table_rows(tmp_path / "missing.xlsx")
    other = tmp_path / "a.numbers"
    other.write_bytes(b"x")
    with pytest.raises(InputError):
        read_table_rows(other)


def test_encrypted_or_renamed_xls_named_xlsx_says_so(tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600))
    with pytest.raises(InputError) as info:
        read_table_rows(path)
    assert "密码" in str(info.value) and str(info.value).startswith("加密.xlsx：")
