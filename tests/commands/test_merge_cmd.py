"""The sheets / merge / undo-merge / conflicts / resolve commands, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.core.records import Progress
from app.ledger import Ledger
from tests.merge_fixtures import FILE_KEYS, ROUND, UNIT, fill_xlsx, ledger_json, progress_of
from tests.merge_fixtures import run_main as run


def test_sheets_writes_one_file_per_unit_and_prints_them(ledger, tmp_path, capsys):
    code, out, _ = run(capsys, "sheets", ledger, "-o", tmp_path / "out", "--round", ROUND)
    assert code == 0
    files = sorted((tmp_path / "out").iterdir())
    with Ledger.open(ledger, readonly=True) as led:
        doc = led.document()
    groups = {"各部门（单位）", "各乡镇人民政府"}
    expected = {f"{u.name}_{ROUND}.xlsx" for u in doc.units if doc.tasks_of_unit(u.name) and u.name not in groups}
    assert {f.name for f in files} == expected and len(files) > 20 and all(str(f) in out for f in files)
    assert (tmp_path / "out" / f"{UNIT}_{ROUND}.xlsx") in files


def test_group_tasks_go_to_every_member_unit_and_group_sheets_only_on_request(ledger, tmp_path, capsys):
    from app.formats.returns import read_return_file

    code, _, err = run(capsys, "sheets", ledger, "-o", tmp_path / "out", "--round", ROUND)
    assert code == 0, err
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert f"各部门（单位）_{ROUND}.xlsx" not in names and f"各乡镇人民政府_{ROUND}.xlsx" not in names
    rows = read_return_file(tmp_path / "out" / f"{UNIT}_{ROUND}.xlsx").rows
    roles = [r.cells["本单位职责"] for r in rows]
    assert len(rows) == 36 and roles.count("配合（各部门（单位））") == 25 and roles.count("牵头（各部门（单位））") == 5
    township = read_return_file(tmp_path / "out" / f"兴隆镇_{ROUND}.xlsx").rows
    assert {r.cells["本单位职责"] for r in township} >= {"配合", "配合（各乡镇人民政府）"}
    assert not any("各部门" in r.cells["本单位职责"] for r in township)  # departments' groups stay with departments
    code, _, err = run(capsys, "sheets", ledger, "-o", tmp_path / "plain", "--round", ROUND, "--unit", UNIT,
                       "--no-group-tasks")
    assert code == 0 and len(read_return_file(tmp_path / "plain" / f"{UNIT}_{ROUND}.xlsx").rows) == 6
    code, _, err = run(capsys, "sheets", ledger, "-o", tmp_path / "groups", "--round", ROUND, "--group-sheets",
                       "--with-group-tasks")
    assert code == 0, err
    group_sheet = read_return_file(tmp_path / "groups" / f"各部门（单位）_{ROUND}.xlsx")
    assert group_sheet.unit == "各部门（单位）" and len(group_sheet.rows) == 31


def test_sheets_for_one_unit_in_word(ledger, tmp_path, capsys):
    code, _out, _ = run(capsys, "sheets", ledger, "-o", tmp_path, "--format", "docx", "--unit", UNIT, "--round", ROUND)
    assert code == 0 and [p.name for p in tmp_path.glob("*.docx")] == [f"{UNIT}_{ROUND}.docx"]


def test_sheets_unknown_round_is_one_line_error(ledger, tmp_path, capsys):
    code, _out, err = run(capsys, "sheets", ledger, "-o", tmp_path, "--round", "第九次报送")
    assert code == 2 and "第九次报送" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def make_return(ledger: Path, tmp_path: Path, fills: dict) -> Path:
    main(["sheets", str(ledger), "-o", str(tmp_path / "sent"), "--unit", UNIT, "--round", ROUND])
    return fill_xlsx(tmp_path / "sent" / f"{UNIT}_{ROUND}.xlsx", fills, tmp_path / f"{UNIT}_{ROUND}.xlsx")


def test_merge_json_has_the_contract_keys_and_undo_restores(ledger, tmp_path, capsys):
    before = ledger_json(ledger)
    filled = make_return(ledger, tmp_path, {"3": {"状态": "已完成", "进展落实情况": "完成"}})
    capsys.readouterr()
    code, out, _ = run(capsys, "merge", ledger, filled, "--json")
    data = json.loads(out)
    assert code == 0 and {"batch", "dry_run", "files"} <= set(data) and data["dry_run"] is False
    [f] = data["files"]
    assert FILE_KEYS <= set(f) and (f["outcome"], f["applied"], f["unit"], f["round"]) == ("merged", 1, UNIT, ROUND)
    code, out, _ = run(capsys, "merge", ledger, filled, "--json")
    assert json.loads(out)["files"][0]["outcome"] == "duplicate"
    code, out, _ = run(capsys, "undo-merge", ledger, data["batch"])
    assert code == 0 and ledger_json(ledger) == before


def test_merge_text_report_and_dry_run(ledger, tmp_path, capsys):
    filled = make_return(ledger, tmp_path, {"3": {"状态": "已完成"}})
    capsys.readouterr()
    code, out, _ = run(capsys, "merge", ledger, filled, "--dry-run")
    assert code == 0 and "试运行" in out and "采用 1 行" in out and progress_of(ledger) == {}
    code, out, _ = run(capsys, "merge", ledger, filled)
    assert code == 0 and f"{filled.name}：已合并（{UNIT}，{ROUND}）" in out and "undo-merge" in out


def test_merge_of_only_unusable_files_exits_2_and_leaves_ledger(ledger, tmp_path, capsys):
    bad = tmp_path / "照片.xlsx"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    before = ledger.read_bytes()
    code, out, _ = run(capsys, "merge", ledger, bad)
    assert code == 2 and "照片.xlsx：" in out and ledger.read_bytes() == before


def test_conflicts_listed_and_resolved_from_the_cli(ledger, tmp_path, capsys):
    filled = make_return(ledger, tmp_path, {"3": {"状态": "已完成", "进展落实情况": "部门说完成"}})
    with Ledger.open(ledger) as led:
        task3 = next(t for t in led.document().tasks if t.seq == "3")
        led.apply_progress([Progress(task3.id, UNIT, ROUND, status="进行中", text="办公室记录")])
    main(["merge", str(ledger), str(filled)])
    capsys.readouterr()
    code, out, _ = run(capsys, "conflicts", ledger, "--json")
    [c] = json.loads(out)
    assert (c["seq"], c["ours"]["text"], c["theirs"]["text"]) == ("3", "办公室记录", "部门说完成")
    code, out, _ = run(capsys, "resolve", ledger, c["id"], "--take", "edit", "--status", "已完成", "--text", "核实后完成")
    assert code == 0 and progress_of(ledger)["3"]["text"] == "核实后完成"
    code, out, _ = run(capsys, "conflicts", ledger)
    assert "没有待处理的冲突" in out


def test_undo_merge_refused_after_a_later_edit_names_the_task_by_seq_not_id(ledger, tmp_path, capsys):
    import re

    filled = make_return(ledger, tmp_path, {"3": {"状态": "进行中", "进展落实情况": "部门填报"}})
    capsys.readouterr()
    code, out, _ = run(capsys, "merge", ledger, filled, "--json")
    batch = json.loads(out)["batch"]
    with Ledger.open(ledger) as led:
        task3 = next(t for t in led.document().tasks if t.seq == "3")
        led.apply_progress([Progress(task3.id, UNIT, ROUND, status="已完成", text="办公室改过")])
    before = ledger_json(ledger)
    code, out, err = run(capsys, "undo-merge", ledger, batch)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"任务 序号3“{task3.content[:20]}……”的“{UNIT}/{ROUND}”进展在此批次之后又被修改" in err
    assert "请先撤销或改回之后的修改" in err and task3.id not in err
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", err)
    assert ledger_json(ledger) == before


def test_merge_help_names_liaison_files(capsys):
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    out = capsys.readouterr().out
    assert ".ldpkg" in out and ".xlsx" in out and ".docx" in out
