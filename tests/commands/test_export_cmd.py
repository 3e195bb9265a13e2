"""`ledgerdesk export`: xlsx, docx, json; unit and round filters; errors leave nothing behind."""

from __future__ import annotations

import hashlib
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from app.cli import main
from app.formats.ledger_json import document_to_json
from app.formats.ledger_xlsx import MAIN_SHEET
from app.formats.ledger_xlsx_in import read_exported_ledger
from app.ledger import Ledger
from tests.formats.test_ledger_xlsx import seed_like


@pytest.fixture
def ledger_path(tmp_path):
    path = tmp_path / "台账.ledger"
    Ledger.create_from_document(path, seed_like(), source="test").close()
    return path


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_xlsx_round_trips_the_ledger(ledger_path, tmp_path, capsys):
    before = _digest(ledger_path)
    out = tmp_path / "out.xlsx"
    assert main(["export", str(ledger_path), "--format", "xlsx", "-o", str(out), "--as-of", "2023-11-01"]) == 0
    assert capsys.readouterr().out.strip() == f"已导出：{out}（5 项任务）"
    ws = load_workbook(out)[MAIN_SHEET]
    assert ws["A1"].value == "西吉县2023年政务公开工作要点任务落实台账（填报版）"
    with Ledger.open(ledger_path, readonly=True) as ledger:
        expected = document_to_json(ledger.document())
    assert document_to_json(read_exported_ledger(out)) == expected
    assert _digest(ledger_path) == before  # opened read-only, untouched
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_export_docx_for_one_unit_and_round(ledger_path, tmp_path, capsys):
    out = tmp_path / "民政.docx"
    code = main(["export", str(ledger_path), "--format", "docx", "-o", str(out),
                 "--unit", "县民政局", "--round", "第一次报送", "--as-of", "2023-11-01"])
    assert code == 0
    assert "（1 项任务）" in capsys.readouterr().out
    doc = Document(str(out))
    assert doc.paragraphs[1].text.startswith("填报单位：县民政局")
    texts = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "县民政局：已完成。已公开12件。\n县医保局：进行中。正在梳理。" in texts


def test_export_json_with_unit_keeps_only_its_tasks(ledger_path, tmp_path):
    out = tmp_path / "人社.json"
    assert main(["export", str(ledger_path), "--format", "json", "-o", str(out), "--unit", "县人力资源社会保障局"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "ledgerdesk/1"
    assert [t["id"] for t in data["tasks"]] == ["t2", "t4"]


def test_format_from_the_extension(ledger_path, tmp_path):
    out = tmp_path / "全部.json"
    assert main(["export", str(ledger_path), "-o", str(out)]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["tasks"]) == 5


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--unit", "县外星局"], "没有单位“县外星局”"),
        (["--round", "第九次报送"], "没有报送轮次“第九次报送”"),
        (["--as-of", "2023-13-01"], "日期“2023-13-01”无效"),
    ],
)
def test_bad_options_exit_2_with_one_chinese_line_and_no_file(ledger_path, tmp_path, capsys, extra, message):
    out = tmp_path / "x.xlsx"
    assert main(["export", str(ledger_path), "--format", "xlsx", "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".ledger" and not p.name.endswith(".lock")] == []


def test_unknown_unit_lists_valid_names(ledger_path, tmp_path, capsys):
    main(["export", str(ledger_path), "--format", "json", "-o", str(tmp_path / "x.json"), "--unit", "无名局"])
    assert "县人民政府办公室" in capsys.readouterr().err


def test_not_a_ledger_and_missing_folder(tmp_path, ledger_path, capsys):
    bogus = tmp_path / "bogus.ledger"
    bogus.write_text("不是台账", encoding="utf-8")
    assert main(["export", str(bogus), "--format", "xlsx", "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "bogus.ledger" in capsys.readouterr().err
    assert main(["export", str(ledger_path), "--format", "xlsx", "-o", str(tmp_path / "无此目录" / "o.xlsx")]) == 2
    assert "文件夹不存在" in capsys.readouterr().err


def test_seed_000_ledger_export_then_import_gives_the_same_ledger(seed_path, tmp_path):
    first, second = tmp_path / "a.ledger", tmp_path / "b.ledger"
    assert main(["import", str(seed_path("000")), "-o", str(first)]) == 0
    assert main(["export", str(first), "--format", "xlsx", "-o", str(tmp_path / "a.xlsx")]) == 0
    assert main(["import", str(tmp_path / "a.xlsx"), "-o", str(second)]) == 0
    assert main(["export", str(first), "--format", "json", "-o", str(tmp_path / "a.json")]) == 0
    assert main(["export", str(second), "--format", "json", "-o", str(tmp_path / "b.json")]) == 0
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert a == json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert len(a["tasks"]) == 38 and a["tasks"][0]["id"]
