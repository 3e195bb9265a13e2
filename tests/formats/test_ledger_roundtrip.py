"""Export to .xlsx and read back: identical JSON (ids included), also after LibreOffice re-saved it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.formats.ledger_json import document_to_json
from app.formats.ledger_xlsx import DATA_SHEET, MAIN_SHEET, write_ledger_xlsx
from app.formats.ledger_xlsx_in import read_exported_ledger
from app.formats.plan import read_plan
from tests.factories import make_document
from tests.formats.test_ledger_xlsx import AS_OF, seed_like

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice 未安装（libreoffice-calc not installed）")


def _json(doc) -> dict:
    return document_to_json(doc)


def _convert(path: Path, fmt: str, outdir: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    # A private profile: parallel test runs must not share LibreOffice's user folder.
    profile = (outdir / "lo-profile").resolve().as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=180)
    out = outdir / f"{path.stem}.{fmt}"
    assert out.exists(), f"LibreOffice produced no {fmt}"
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A realistic ledger (nested headings, two rounds, progress) exported once for the module."""
    folder = tmp_path_factory.mktemp("rt")
    doc = make_document(60)
    doc.tasks[3].content += "\x07控制字符"  # a cell cannot hold it; the hidden sheet keeps it
    doc.tasks[4].content = "超长内容。" * 7000  # 35,000 characters: over Excel's cell limit
    doc.progress[0].text = "=很长的进展=" * 6000  # hidden JSON over several cells, pieces never formulas
    path = folder / "台账.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    return doc, path


def test_roundtrip_is_lossless(exported):
    doc, path = exported
    cell = load_workbook(path)[MAIN_SHEET]
    assert max(len(str(c.value or "")) for row in cell.iter_rows() for c in row) <= 32767
    back = read_exported_ledger(path)
    assert back is not None
    assert _json(back) == _json(doc)
    assert back.warnings == []


@needs_soffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_roundtrip_after_libreoffice_resave(exported, tmp_path, fmt):
    doc, path = exported
    converted = _convert(path, fmt, tmp_path)
    assert _json(read_exported_ledger(converted)) == _json(doc)


def test_seed_000_import_export_import_is_identical(seed_path, tmp_path):
    doc = read_plan(seed_path("000"))
    assert len(doc.tasks) == 38
    path = tmp_path / "000.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    again = read_plan(path)  # the import dispatcher tries the exported-ledger reader first
    assert _json(again) == _json(doc)
    ws = load_workbook(path)[MAIN_SHEET]
    merged = {str(r) for r in ws.merged_cells.ranges}
    row_of_seq = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    assert f"B{row_of_seq[2]}:B{row_of_seq[4]}" in merged  # 围绕民生持续改善推进信息公开
    assert ws.cell(row_of_seq[2], 2).value == "围绕民生持续改善推进信息公开"


@needs_soffice
def test_seed_000_roundtrip_after_libreoffice(seed_path, tmp_path):
    doc = read_plan(seed_path("000"))
    path = tmp_path / "000.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    converted = _convert(path, "xlsx", tmp_path / "lo")
    assert load_workbook(converted)[DATA_SHEET].sheet_state == "hidden"
    assert _json(read_plan(converted)) == _json(doc)


def test_visible_edits_win_and_deadline_is_reparsed(tmp_path):
    path = tmp_path / "edit.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=AS_OF)
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    ws["C6"] = "聚焦乡村振兴，及时公开重大项目。"
    ws["G6"] = "2023年10月底前"
    ws["E6"] = "县人民政府办公室、民政局"  # an alias resolves to the canonical name
    wb.save(path)
    back = read_exported_ledger(path)
    t1 = next(t for t in back.tasks if t.id == "t1")
    assert t1.content == "聚焦乡村振兴，及时公开重大项目。"
    assert (t1.deadline.text, t1.deadline.date.isoformat(), t1.deadline.kind) == ("2023年10月底前", "2023-10-31", "date")
    assert t1.lead_units == ["县人民政府办公室", "县民政局"]
    assert [t.id for t in back.tasks] == ["t1", "t2", "t3", "t4", "t5"]


def test_edited_impossible_deadline_is_kept_and_warned(tmp_path):
    path = tmp_path / "edit.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=AS_OF)
    wb = load_workbook(path)
    wb[MAIN_SHEET]["G6"] = "2023年2月30日前"
    wb.save(path)
    back = read_exported_ledger(path)
    t1 = next(t for t in back.tasks if t.id == "t1")
    assert (t1.deadline.text, t1.deadline.date) == ("2023年2月30日前", None)
    assert [str(w) for w in back.warnings if "不是有效日期" in w.message] == [
        "edit.xlsx 第6行：完成时限“2023年2月30日前”不是有效日期（impossible date）"]


def test_without_id_column_rows_match_by_seq_and_text(tmp_path):
    path = tmp_path / "noid.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=AS_OF)
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    ws.delete_cols(9)  # the user deleted the id column
    ws.delete_rows(7)  # …and task 2
    wb.save(path)
    back = read_exported_ledger(path)
    assert [t.id for t in back.tasks] == ["t1", "t3", "t4", "t5"]
    assert any("已从表格中删除" in w.message for w in back.warnings)
    assert {p.task_id for p in back.progress} == {"t1", "t3"}


def test_hidden_sheet_deleted_keeps_ids_from_the_id_column(tmp_path):
    path = tmp_path / "nohidden.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=AS_OF)
    wb = load_workbook(path)
    del wb[DATA_SHEET]
    wb.save(path)
    back = read_exported_ledger(path)
    assert [t.id for t in back.tasks] == ["t1", "t2", "t3", "t4", "t5"]
    assert [h.label for h in back.headings] == ["一、深化重点领域信息公开", "二、完善政策发布推送和解读咨询机制"]
    assert back.tasks[2].key_work == "围绕民生持续改善推进信息公开"  # merged cell continues
    assert back.tasks[2].deadline.date.isoformat() == "2023-06-30"


def test_seed_000_hidden_sheet_deleted_keeps_title_and_rounds(seed_path, tmp_path):
    """Without the hidden sheet, title and rounds come from the visible cells, as a plain table's would."""
    doc = read_plan(seed_path("000"))
    path = tmp_path / "000.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    wb = load_workbook(path)
    assert wb[MAIN_SHEET]["A1"].value.endswith("（填报版）")  # the visible title carries the qualifier
    del wb[DATA_SHEET]
    wb.save(path)
    back = read_exported_ledger(path)
    assert (back.title, back.year) == (doc.title, doc.year) == ("西吉县2023年政务公开工作要点任务落实台账", 2023)
    assert back.rounds == doc.rounds
    assert [(r.name, r.due.isoformat()) for r in back.rounds] == [("第一次报送", "2023-09-10"), ("第二次报送", "2023-12-01")]
    assert [t.id for t in back.tasks] == [t.id for t in doc.tasks]


def test_plain_table_is_left_to_other_parsers_unless_asked(tmp_path):
    path = tmp_path / "plain.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=AS_OF)
    wb = load_workbook(path)
    del wb[DATA_SHEET]
    wb[MAIN_SHEET].delete_cols(9)
    wb.save(path)
    assert read_exported_ledger(path) is None
    plain = read_exported_ledger(path, plain=True)
    assert [t.seq for t in plain.tasks] == ["1", "2", "3", "4", "5"]
    assert len({t.id for t in plain.tasks}) == 5
    assert plain.tasks[3].key_work == "围绕民生持续改善推进信息公开"
    assert plain.title.startswith("西吉县2023年") and plain.year == 2023
    assert [(p.unit, p.status, p.text) for p in plain.progress if p.task_id == plain.tasks[2].id] == [
        ("县民政局", "已完成", "全部公开。")]


def test_not_a_ledger_returns_none(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "随便什么表"
    wb.save(tmp_path / "other.xlsx")
    assert read_exported_ledger(tmp_path / "other.xlsx") is None


def test_damaged_or_oversized_file_is_a_clear_error(tmp_path, monkeypatch):
    import app.formats.ledger_xlsx_in as reader
    from app.errors import InputError

    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="坏.xlsx"):
        read_exported_ledger(broken)
    good = tmp_path / "好.xlsx"
    write_ledger_xlsx(seed_like(), good, as_of=AS_OF)
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(InputError, match="过大"):
        read_exported_ledger(good)
