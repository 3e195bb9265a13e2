"""`ledgerdesk sheets` on ledgers without rounds (seed 001 imports with none), new rounds, and clean failures."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.formats.plan import read_plan
from app.formats.returns import liaison as lf
from app.formats.returns import read_return_file
from app.ledger import Ledger
from tests.merge_fixtures import ROUND, make_ledger

SEED_001 = Path(__file__).parents[1] / "fixtures" / "seeds" / "001_1d52e4491bc8a49e.txt"


@pytest.fixture(scope="module")
def template_001(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("t001") / "盐亭.ldg"
    doc = read_plan(SEED_001)
    assert doc.rounds == [] and len(doc.tasks) == 16
    Ledger.create_from_document(path, doc, source=SEED_001.name).close()
    return path


@pytest.fixture
def ledger_001(template_001, tmp_path) -> Path:
    path = tmp_path / "盐亭.ldg"
    shutil.copy(template_001, path)
    return path


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rounds_of(path: Path) -> list[tuple[str, date | None]]:
    with Ledger.open(path, readonly=True) as led:
        return [(r.name, r.due) for r in led.document().rounds]


def test_sheets_on_a_ledger_without_rounds_adds_the_first_round(ledger_001, tmp_path, capsys):
    code, out, err = run(capsys, "sheets", ledger_001, "-o", tmp_path / "out")
    assert code == 0, err
    assert "台账中没有报送轮次，已添加“第一次报送”" in out
    assert rounds_of(ledger_001) == [("第一次报送", None)]
    files = sorted((tmp_path / "out").iterdir())
    assert files and all(f.name.endswith("_第一次报送.xlsx") for f in files)
    sheet = read_return_file(tmp_path / "out" / "县民政局_第一次报送.xlsx")
    assert (sheet.unit, sheet.round) == ("县民政局", "第一次报送") and sheet.rows
    assert all(str(f) in out for f in files)


def test_sheets_round_and_due_name_the_new_round(ledger_001, tmp_path, capsys):
    code, out, err = run(capsys, "sheets", ledger_001, "-o", tmp_path / "out", "--round", "上半年", "--due", "2023-07-15",
                         "--unit", "县民政局")
    assert code == 0, err
    assert "台账中没有报送轮次，已添加“上半年”" in out
    assert rounds_of(ledger_001) == [("上半年", date(2023, 7, 15))]
    sheet = read_return_file(tmp_path / "out" / "县民政局_上半年.xlsx")
    assert sheet.round == "上半年" and "报送截止：2023年7月15日" in sheet.preamble


def test_a_new_round_on_a_ledger_with_rounds_needs_add_round(tmp_path, capsys):
    ledger = make_ledger(tmp_path)
    before = ledger.read_bytes()
    code, out, err = run(capsys, "sheets", ledger, "-o", tmp_path / "out", "--round", "第三次报送")
    assert code == 2 and err.startswith("错误：台账.ldg：") and "第三次报送" in err and "第一次报送" in err
    assert ledger.read_bytes() == before and not (tmp_path / "out").exists()
    code, out, err = run(capsys, "sheets", ledger, "-o", tmp_path / "out", "--round", "第三次报送", "--add-round",
                         "--unit", "县民政局")
    assert code == 0 and "已在台账中添加报送轮次“第三次报送”" in out, err
    assert [r[0] for r in rounds_of(ledger)] == [ROUND, "第二次报送", "第三次报送"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["县民政局_第三次报送.xlsx"]


def test_a_failed_run_leaves_no_folder_and_no_round(ledger_001, tmp_path, capsys):
    before = ledger_001.read_bytes()
    code, _, err = run(capsys, "sheets", ledger_001, "-o", tmp_path / "新" / "out", "--unit", "县不存在局")
    assert code == 2 and "县不存在局" in err and "盐亭.ldg" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "新").exists() and ledger_001.read_bytes() == before


def test_output_that_is_a_file_is_refused_naming_it(ledger_001, tmp_path, capsys):
    target = tmp_path / "已有文件.txt"
    target.write_text("x", encoding="utf-8")
    before = ledger_001.read_bytes()
    code, _, err = run(capsys, "sheets", ledger_001, "-o", target)
    assert code == 2 and "已有文件.txt：" in err and "不是文件夹" in err
    assert ledger_001.read_bytes() == before and target.read_text(encoding="utf-8") == "x"


def test_package_on_a_ledger_without_rounds_takes_the_named_round(ledger_001, tmp_path, capsys):
    code, out, err = run(capsys, "package", ledger_001, "--unit", "民政局", "-o", tmp_path / "a.ldpkg",
                         "--round", "上半年", "--due", "2023-07-15")
    assert code == 0, err
    assert "已添加“上半年”" in out and rounds_of(ledger_001) == [("上半年", date(2023, 7, 15))]
    package = lf.load_liaison_file(tmp_path / "a.ldpkg")
    assert (package.unit, package.round, package.round_due) == ("县民政局", "上半年", "2023-07-15")
