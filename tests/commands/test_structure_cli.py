"""`task`, `heading`, `units` subcommands, `rounds` and `history` through `python -m app` subprocesses:
the ledger's content afterwards (contract JSON), one Chinese line and an unchanged file on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.formats.plan import read_plan
from app.ledger import Ledger
from tests.contract import harness
from tests.merge_fixtures import ledger_json


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    out = {}
    for key in ("000", "004"):
        out[key] = folder / f"{key}.ledger"
        Ledger.create_from_document(out[key], read_plan(harness.seed(key)), source=f"{key}.txt").close()
    return out


@pytest.fixture
def xiji(templates, tmp_path: Path) -> Path:
    return Path(shutil.copy(templates["000"], tmp_path / "西吉.ledger"))


@pytest.fixture
def pengyang(templates, tmp_path: Path) -> Path:
    return Path(shutil.copy(templates["004"], tmp_path / "彭阳.ledger"))


def _seqs_under(data: dict, label: str) -> list[tuple[str, str]]:
    return [(t["seq"], t["content"]) for t in data["tasks"] if t["path"] and t["path"][-1] == label]


def _label(data: dict, number_path: list[str]) -> str:
    parent = None
    heading = None
    for number in number_path:
        heading = next(h for h in data["headings"] if h["parent_id"] == parent and h["number"] == number)
        parent = heading["id"]
    return heading["number"] + heading["title"]


def test_task_add_move_delete_by_heading_path_and_seq(pengyang: Path) -> None:
    data = ledger_json(pengyang)
    sub = _label(data, ["一、", "（二）"])
    target = _label(data, ["二、", "（一）"])
    assert _seqs_under(data, sub)[0][0] == "1" and len(_seqs_under(data, sub)) == 2
    out = harness.ok(harness.run("task", pengyang, "add", "--heading", "一、/（二）", "--before", "1",
                                 "--content", "新增：清单动态调整", "--lead", "县政府办", "--deadline", "2018年12月底前")).out
    assert "已添加任务：序号1“新增：清单动态调整”" in out
    data = ledger_json(pengyang)
    rows = _seqs_under(data, sub)
    assert [s for s, _c in rows] == ["1", "2", "3"] and rows[0][1] == "新增：清单动态调整"
    added = next(t for t in data["tasks"] if t["content"] == "新增：清单动态调整")
    assert added["lead_units"] == ["县人民政府办公室"] and added["deadline"]["date"] == "2018-12-31"
    harness.ok(harness.run("task", pengyang, "move", "一、/（二）/1", "--heading", "二、/（一）"))
    data = ledger_json(pengyang)
    assert [s for s, _c in _seqs_under(data, sub)] == ["1", "2"]
    assert _seqs_under(data, target)[-1] == (str(len(_seqs_under(data, target))), "新增：清单动态调整")
    harness.ok(harness.run("task", pengyang, "delete", added["id"]))
    data = ledger_json(pengyang)
    assert "新增：清单动态调整" not in [t["content"] for t in data["tasks"]]
    assert [s for s, _c in _seqs_under(data, target)] == [str(i) for i in range(1, len(_seqs_under(data, target)) + 1)]


def test_heading_add_move_delete(pengyang: Path) -> None:
    out = harness.ok(harness.run("heading", pengyang, "add", "新增的工作部分")).out
    assert "已添加章节：九、新增的工作部分" in out
    harness.ok(harness.run("heading", pengyang, "add", "新增小节", "--parent", "九、"))
    harness.ok(harness.run("task", pengyang, "add", "--heading", "九、/（一）", "--content", "新小节里的任务"))
    data = ledger_json(pengyang)
    assert _seqs_under(data, "（一）新增小节") == [("1", "新小节里的任务")]
    harness.ok(harness.run("heading", pengyang, "move", "九、/（一）", "--parent", "一、", "--before", "（一）"))
    data = ledger_json(pengyang)
    assert _label(data, ["一、", "（一）"]) == "（一）新增小节"
    assert _label(data, ["一、", "（二）"]) == "（二）加强行政决策公开"
    assert data["tasks"][0]["content"] == "新小节里的任务"  # printed first: its heading comes first now
    harness.ok(harness.run("heading", pengyang, "delete", "一、"))
    data = ledger_json(pengyang)
    assert [h["number"] for h in data["headings"] if h["parent_id"] is None][:2] == ["一、", "二、"]
    assert "新小节里的任务" not in [t["content"] for t in data["tasks"]]
    assert "深化重点领域公开" in data["headings"][0]["title"]


def test_units_subcommands_change_the_directory(xiji: Path) -> None:
    harness.ok(harness.run("units", xiji, "add", "县档案馆", "--liaison", "赵六"))
    harness.ok(harness.run("units", xiji, "rename", "县档案馆", "西吉县档案馆"))
    harness.ok(harness.run("units", xiji, "rename", "民政局", "西吉县民政局"))
    units = {u["name"]: u for u in ledger_json(xiji)["units"]}
    assert "县档案馆" in units["西吉县档案馆"]["aliases"] and units["西吉县档案馆"]["liaison"] == "赵六"
    data = ledger_json(xiji)
    assert sum("西吉县民政局" in t["lead_units"] + t["coop_units"] for t in data["tasks"]) == 6
    out = harness.ok(harness.run("units", xiji, "merge", "西吉县档案馆", "西吉县民政局")).out
    assert "已合并：西吉县档案馆 并入 西吉县民政局" in out
    units = {u["name"]: u for u in ledger_json(xiji)["units"]}
    assert "西吉县档案馆" not in units and {"县档案馆", "西吉县档案馆", "县民政局"} <= set(units["西吉县民政局"]["aliases"])
    harness.ok(harness.run("units", xiji, "split-alias", "县档案馆"))
    harness.ok(harness.run("units", xiji, "remove-alias", "西吉县档案馆"))
    units = {u["name"]: u for u in ledger_json(xiji)["units"]}
    assert "县档案馆" in units and "西吉县档案馆" not in units["西吉县民政局"]["aliases"]
    listed = json.loads(harness.ok(harness.run("units", xiji, "--json")).out)  # the old behaviour stays
    assert {r["name"] for r in listed} == set(units)
    harness.ok(harness.run("units", xiji, "--set", "西吉县民政局", "--phone", "0954-1"))
    assert {u["name"]: u for u in ledger_json(xiji)["units"]}["西吉县民政局"]["phone"] == "0954-1"


def test_rounds_list_add_rename_due(xiji: Path) -> None:
    rows = json.loads(harness.ok(harness.run("rounds", xiji, "--json")).out)
    assert [r["name"] for r in rows] == ["第一次报送", "第二次报送"]
    harness.ok(harness.run("rounds", xiji, "add", "第三次报送", "--due", "2024-01-10"))
    harness.ok(harness.run("rounds", xiji, "rename", "第三次报送", "年终报送"))
    harness.ok(harness.run("rounds", xiji, "due", "第一次报送", "2023-09-15"))
    assert ledger_json(xiji)["rounds"] == [{"name": "第一次报送", "due": "2023-09-15"},
                                           {"name": "第二次报送", "due": "2023-12-01"},
                                           {"name": "年终报送", "due": "2024-01-10"}]
    harness.ok(harness.run("rounds", xiji, "due", "年终报送", "--clear"))
    assert "年终报送　截止：未定" in harness.ok(harness.run("rounds", xiji)).out


def test_history_lists_an_entrys_changes(xiji: Path) -> None:
    with Ledger.open(xiji) as ledger:
        from app.core.records import Progress

        task = next(t for t in ledger.document().tasks if t.seq == "3")
        ledger.apply_progress([Progress(task.id, "县民政局", "第一次报送", "进行中", "第一次写")])
        ledger.apply_progress([Progress(task.id, "县民政局", "第一次报送", "已完成", "第二次写")])
    data = json.loads(harness.ok(harness.run("history", xiji, "--task", "3", "--unit", "民政局",
                                             "--round", "第一次报送", "--json")).out)
    assert (data["seq"], data["unit"]) == ("3", "县民政局")
    assert [(c["kind"], c["old"] and c["old"]["text"], c["new"]["text"]) for c in data["changes"]] == [
        ("edit", None, "第一次写"), ("edit", "第一次写", "第二次写")]
    text = harness.ok(harness.run("history", xiji, "--task", task.id, "--unit", "县民政局", "--round", "第一次报送")).out
    assert "2 次变化" in text and "进行中｜第一次写 → 已完成｜第二次写" in text


@pytest.mark.parametrize("argv, names", [
    (("task", "{L}", "add", "--heading", "九十、", "--content", "x"), ["九十、"]),
    (("task", "{L}", "add", "--content", "x"), ["--heading"]),
    (("task", "{L}", "delete", "1"), ["序号“1”"]),
    (("task", "{L}", "move", "一、/（一）/1", "--heading", "二、/（一）", "--before", "一、/（一）/2"), ["不在目标章节"]),
    (("task", "{L}", "add", "--heading", "一、/（一）", "--content", "x", "--lead", "县不存在局"), ["县不存在局"]),
    (("heading", "{L}", "move", "一、", "--parent", "一、/（一）"), ["自己的下级"]),
    (("heading", "{L}", "add", " ", "--parent", "二、"), ["标题"]),
    (("units", "{L}", "merge", "县不存在局", "县政府办"), ["县不存在局"]),
    (("units", "{L}", "rename", "县政府办", "县民政局"), ["县民政局"]),
    (("units", "{L}", "remove-alias", "没有的别名"), ["没有的别名"]),
    (("rounds", "{L}", "rename", "上半年", "全年"), ["全年"]),
    (("rounds", "{L}", "due", "没有的轮次", "2018-01-01"), ["没有的轮次"]),
    (("history", "{L}", "--task", "一、/（一）/1", "--unit", "县政府办", "--round", "第九轮"), ["第九轮"]),
])
def test_bad_input_is_one_line_and_the_ledger_unchanged(pengyang: Path, argv, names) -> None:
    before = harness.snapshot(pengyang.parent)
    result = harness.run(*[a.replace("{L}", str(pengyang)) for a in argv])
    harness.one_line_error(result, *names)
    assert result.code == 2
    harness.assert_unchanged(before, pengyang.parent)


def test_merge_refusal_names_the_clashing_tasks_and_changes_nothing(xiji: Path) -> None:
    with Ledger.open(xiji) as ledger:
        from app.core.records import Progress

        task = next(t for t in ledger.document().tasks if t.seq == "3")
        ledger.apply_progress([Progress(task.id, "县民政局", "第一次报送", "进行中", "民政写的"),
                               Progress(task.id, "县医保局", "第一次报送", "进行中", "医保写的")])
    before = harness.snapshot(xiji.parent)
    line = harness.one_line_error(harness.run("units", xiji, "merge", "县医保局", "县民政局"), xiji.name, "序号3")
    assert "不能合并" in line
    harness.assert_unchanged(before, xiji.parent)


def test_every_new_command_has_help() -> None:
    for argv in (("task", "--help"), ("task", "x", "add", "--help"), ("heading", "--help"), ("rounds", "--help"),
                 ("history", "--help"), ("units", "--help"), ("units", "x", "merge", "--help")):
        result = harness.ok(harness.run(*argv))
        assert "usage:" in result.out and "ledgerdesk" in result.out
