"""`ledgerdesk units`: list the directory, set liaison and phone, add aliases; undoable and checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.formats.plan import read_plan
from app.ledger import Ledger


@pytest.fixture
def xiji(tmp_path: Path, seed_path) -> Path:
    path = tmp_path / "xiji.ledger"
    Ledger.create_from_document(path, read_plan(seed_path("000")), source="000.txt").close()
    return path


def test_set_liaison_by_short_name_fills_the_single_unit_export(xiji: Path, tmp_path: Path, capsys) -> None:
    assert main(["units", str(xiji), "--set", "民政局", "--liaison", "张三", "--phone", "0954-7012345"]) == 0
    assert "已更新单位：县民政局" in capsys.readouterr().out
    out = tmp_path / "m.json"
    assert main(["export", str(xiji), "--unit", "民政局", "--format", "json", "-o", str(out)]) == 0
    units = {u["name"]: u for u in json.loads(out.read_text(encoding="utf-8"))["units"]}
    assert (units["县民政局"]["liaison"], units["县民政局"]["phone"]) == ("张三", "0954-7012345")
    docx_out = tmp_path / "m.docx"
    assert main(["export", str(xiji), "--unit", "县民政局", "--format", "docx", "-o", str(docx_out)]) == 0
    import docx

    lines = [p.text for p in docx.Document(str(docx_out)).paragraphs[:4]]
    assert "联系人：张三\t联系电话：0954-7012345" in lines


def test_unit_edit_is_undoable(xiji: Path) -> None:
    with Ledger.open(xiji) as ledger:
        changes = ledger.update_unit("县司法局", liaison="李四")
        assert next(u for u in ledger.document().units if u.name == "县司法局").liaison == "李四"
        ledger.undo_batch(changes.batch_id)
        assert next(u for u in ledger.document().units if u.name == "县司法局").liaison == ""


def test_alias_is_recorded_and_a_taken_alias_refused(xiji: Path, capsys) -> None:
    assert main(["units", str(xiji), "--alias", "县人民政府办公室", "县府办"]) == 0
    assert main(["units", str(xiji), "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out.split("\n", 1)[1])}
    assert "县府办" in rows["县人民政府办公室"]["aliases"]
    assert rows["县人民政府办公室"]["lead"] == 23
    before = xiji.read_bytes()
    assert main(["units", str(xiji), "--alias", "县司法局", "县府办"]) == 2
    assert "已是单位名称或别名" in capsys.readouterr().err
    assert xiji.read_bytes() == before


def test_unknown_unit_is_one_clear_line(xiji: Path, capsys) -> None:
    before = xiji.read_bytes()
    assert main(["units", str(xiji), "--set", "县不存在局", "--phone", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "县不存在局" in err[0]
    assert xiji.read_bytes() == before
