"""Import doubts become review items: listed by `review`, settled by accept (已核对) / reject (已忽略)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import review as settle
from app.cli import main
from app.core.dispatch import REVIEW_DOUBT
from app.errors import LedgerError
from app.formats.plan import read_plan
from app.ledger import Ledger


@pytest.fixture
def pengyang(tmp_path: Path, seed_path) -> tuple[Path, dict]:
    doc = read_plan(seed_path("004"))
    path = tmp_path / "彭阳.ledger"
    Ledger.create_from_document(path, doc, source="004_efd1b62e6b25da09.txt").close()
    return path, doc.doubts


def test_each_doubt_line_is_an_open_review_item_of_its_task(pengyang) -> None:
    path, doubts = pengyang
    with Ledger.open(path, readonly=True) as ledger:
        items = ledger.reviews()
        assert ledger.open_counts()["reviews"] == len(items)
    expected = [(tid, line) for tid, lines in doubts.items() for line in lines]
    assert sorted((i.task_id, i.message) for i in items) == sorted(expected) and len(items) == 14
    assert {(i.kind, i.file, i.unit, i.round, i.state) for i in items} == {
        (REVIEW_DOUBT, "004_efd1b62e6b25da09.txt", "", "", "open")}


def test_review_lists_doubts_with_seq_and_settles_them(pengyang, capsys) -> None:
    path, _doubts = pengyang
    capsys.readouterr()
    assert main(["review", str(path)]) == 0
    out = capsys.readouterr().out
    assert "导入存疑：导入自 004_efd1b62e6b25da09.txt，序号" in out and "请核对" in out
    assert main(["review", str(path), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert {i["label"] for i in items} == {"导入存疑"} and all(i["task_id"] for i in items)
    first, second = items[0]["id"], items[1]["id"]
    before = Ledger.open(path, readonly=True)
    progress = before.document().progress
    before.close()
    assert main(["review", str(path), "--accept", str(first)]) == 0
    assert f"待审核事项 {first}：已核对" in capsys.readouterr().out
    assert main(["review", str(path), "--reject", str(second), "--reason", "无需处理"]) == 0
    assert main(["review", str(path), "--accept", str(first)]) == 2
    assert "已处理" in capsys.readouterr().err
    with Ledger.open(path) as ledger:
        settled = {i.id: i for i in ledger.reviews(open_only=False)}
        assert (settled[first].state, settled[first].resolution) == ("accepted", "已核对")
        assert (settled[second].state, settled[second].resolution) == ("rejected", "已忽略：无需处理")
        assert len(ledger.reviews()) == len(items) - 2
        assert ledger.document().progress == progress
        with pytest.raises(LedgerError, match="不能设置状态"):
            settle.accept(ledger, items[2]["id"], status="已完成")


def test_a_plan_without_doubts_has_no_items(tmp_path: Path, seed_path) -> None:
    path = tmp_path / "兴庆.ledger"
    Ledger.create_from_document(path, read_plan(seed_path("003")), source="003.txt").close()
    with Ledger.open(path, readonly=True) as ledger:
        assert ledger.reviews() == []
