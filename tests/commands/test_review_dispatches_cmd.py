"""The review and dispatches commands, and the trust keys of `merge --json`, end to end through the CLI.

Most runs are in-process (fast); one test per command runs the real `python -m app` through
tests/contract/harness.py to check the JSON contract from outside.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from app.formats.returns import META_SHEET
from app.ledger import Ledger
from tests.contract import harness
from tests.merge_fixtures import ROUND, UNIT, fill_xlsx, progress_of, run_main

OTHER = "县司法局"
ROUND2 = "第二次报送"
FILL_3 = {"状态": "进行中", "进展落实情况": "已推送社会救助政策12条", "完成日期": "2023-09-01"}
EXPECT_3 = {"status": "进行中", "text": "已推送社会救助政策12条", "done_date": "2023-09-01", "evidence": ""}
FILL_12 = {"状态": "已完成", "进展落实情况": "专栏已更新"}
EXPECT_12 = {"status": "已完成", "text": "专栏已更新", "done_date": None, "evidence": ""}
ITEM_KEYS = {"id", "kind", "state", "file", "unit", "round", "task_id", "row", "message", "entry"}
UNIT_KEYS = {"unit", "round", "state", "sent_at", "files_sent", "tasks_sent", "returned_at", "files_returned"}
TRUST_KEYS = {"review", "held", "signature", "dispatch", "doubts"}


# ------------------------------------------------------------------------------ helpers
def run(capsys, *argv: object) -> tuple[int, str, str]:
    """The CLI in-process, with only this command's output: (exit code, stdout, stderr)."""
    capsys.readouterr()
    return run_main(capsys, *argv)


def send(ledger: Path, out: Path, *units: str) -> dict[str, Path]:
    args = ["sheets", ledger, "-o", out, "--round", ROUND]
    for unit in units:
        args += ["--unit", unit]
    from app.cli import main

    assert main([str(a) for a in args]) == 0
    return {unit: out / f"{unit}_{ROUND}.xlsx" for unit in units}


def tamper_unit(path: Path, unit: str) -> Path:
    """The liaison edits the hidden sheet's unit cell (the signature no longer fits)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[META_SHEET]
    row = next(r for r in range(1, 12) if ws.cell(r, 1).value == "unit")
    ws.cell(row, 2).value = unit
    wb.save(path)
    return path


def merge_json(capsys, ledger: Path, *files: Path, dry_run: bool = False) -> tuple[int, dict]:
    code, out, err = run(capsys, "merge", ledger, *files, "--json", *(["--dry-run"] if dry_run else []))
    assert "Traceback" not in err, err
    return code, json.loads(out)


def items(capsys, ledger: Path, *extra: str) -> list[dict]:
    code, out, err = run(capsys, "review", ledger, "--json", *extra)
    assert code == 0, err
    return json.loads(out)["items"]


def one_line(code: int, err: str, *names: str) -> str:
    """The CLI's bad-input contract checked on an in-process run."""
    return harness.one_line_error(harness.Result(["ledgerdesk"], code, "", err), *names)


@pytest.fixture
def held(ledger, tmp_path, capsys) -> tuple[Path, dict]:
    """县民政局 filled seqs 3 and 12, then edited its hidden unit to 县司法局; merged: two rows held."""
    sheets = send(ledger, tmp_path / "sent", UNIT, OTHER)
    filled = tamper_unit(fill_xlsx(sheets[UNIT], {"3": FILL_3, "12": FILL_12}, tmp_path / sheets[UNIT].name), OTHER)
    _code, report = merge_json(capsys, ledger, filled)
    [f] = report["files"]
    assert (f["outcome"], f["held"]) == ("rejected", 2), f
    return filled, f


@pytest.fixture
def odd_status(ledger, tmp_path, capsys) -> dict:
    """县民政局 returned seq 3 with the status 基本完成: applied as typed, one status item."""
    sheets = send(ledger, tmp_path / "sent", UNIT)
    filled = fill_xlsx(sheets[UNIT], {"3": {**FILL_3, "状态": "基本完成"}}, tmp_path / sheets[UNIT].name)
    code, report = merge_json(capsys, ledger, filled)
    assert code == 0 and report["files"][0]["review"] == 1
    [item] = items(capsys, ledger)
    return item


def task_id(ledger: Path, seq: str) -> str:
    with Ledger.open(ledger, readonly=True) as led:
        return next(t.id for t in led.document().tasks if t.seq == seq)


# ------------------------------------------------------------------------------ merge --json
def test_merge_json_file_entries_have_the_trust_keys(ledger, tmp_path, capsys):
    sheets = send(ledger, tmp_path / "sent", UNIT)
    filled = fill_xlsx(sheets[UNIT], {"3": FILL_3}, tmp_path / sheets[UNIT].name)
    (tmp_path / "说明.txt").write_text("x", encoding="utf-8")
    code, report = merge_json(capsys, ledger, filled, tmp_path / "说明.txt")
    assert code == 0
    good, bad = report["files"]
    assert TRUST_KEYS <= set(good) and TRUST_KEYS <= set(bad)
    with Ledger.open(ledger, readonly=True) as led:
        [dispatch] = led.dispatches()
    assert (good["outcome"], good["signature"], good["dispatch"], good["held"], good["review"], good["doubts"]) == (
        "merged", "valid", dispatch.id, 0, 0, [])
    assert (bad["outcome"], bad["held"], bad["review"], bad["dispatch"], bad["doubts"]) == ("rejected", 0, 0, None, [])


def test_merge_json_of_a_held_file_says_why_and_exits_0(held):
    _, f = held
    assert TRUST_KEYS <= set(f)
    assert (f["signature"], f["review"], f["applied"], f["unit"]) == ("invalid", 2, 0, UNIT)
    assert f["doubts"] and any(OTHER in d for d in f["doubts"])
    assert any(m.startswith("未合并：") for m in f["messages"])


def test_merge_text_report_of_a_held_file_names_the_review_command(ledger, tmp_path, capsys):
    sheets = send(ledger, tmp_path / "sent", UNIT)
    filled = tamper_unit(fill_xlsx(sheets[UNIT], {"3": FILL_3}, tmp_path / sheets[UNIT].name), OTHER)
    capsys.readouterr()
    code, out, _ = run(capsys, "merge", ledger, filled)
    assert code == 0
    assert f"{filled.name}：未导入，待审核（{UNIT}，{ROUND}）" in out
    assert "未合并：" in out and "review" in out


def test_merge_dry_run_of_a_held_file_writes_nothing(ledger, tmp_path, capsys):
    sheets = send(ledger, tmp_path / "sent", UNIT)
    filled = tamper_unit(fill_xlsx(sheets[UNIT], {"3": FILL_3}, tmp_path / sheets[UNIT].name), OTHER)
    before = ledger.read_bytes()
    _code, report = merge_json(capsys, ledger, filled, dry_run=True)
    [f] = report["files"]
    assert report["dry_run"] is True and (f["outcome"], f["held"], f["signature"]) == ("rejected", 1, "invalid")
    assert ledger.read_bytes() == before
    assert items(capsys, ledger) == []


# ------------------------------------------------------------------------------ review
def test_review_json_lists_held_rows_with_the_contract_keys(ledger, held, capsys):
    filled, _ = held
    listed = items(capsys, ledger)
    assert len(listed) == 2
    for item in listed:
        assert ITEM_KEYS <= set(item), set(item)
        assert (item["kind"], item["state"], item["file"], item["unit"], item["round"]) == (
            "held", "open", filled.name, UNIT, ROUND)
        assert isinstance(item["id"], int) and isinstance(item["row"], int) and item["message"]
    with Ledger.open(ledger, readonly=True) as led:
        mine = next(d for d in led.dispatches() if d.unit == UNIT)
    assert {i["dispatch"] for i in listed} == {mine.id}
    by_task = {i["task_id"]: i["entry"] for i in listed}
    assert by_task == {task_id(ledger, "3"): EXPECT_3, task_id(ledger, "12"): EXPECT_12}


def test_review_text_lists_each_item_and_how_to_settle_it(ledger, held, capsys):
    code, out, _ = run(capsys, "review", ledger)
    assert code == 0
    ids = [i["id"] for i in items(capsys, ledger)]
    for n in ids:
        assert any(line.startswith(f"{n}　") for line in out.splitlines()), out
    assert "--accept" in out and "--reject" in out


def test_review_of_a_ledger_without_items(ledger, capsys):
    code, out, _ = run(capsys, "review", ledger)
    assert code == 0 and "没有待审核的报送行" in out
    assert items(capsys, ledger) == []


def test_review_accept_merges_a_held_row_under_the_dispatchs_unit(ledger, held, capsys):
    listed = {i["task_id"]: i for i in items(capsys, ledger)}
    item = listed[task_id(ledger, "3")]
    code, out, err = run(capsys, "review", ledger, "--accept", item["id"])
    assert code == 0, err
    assert str(item["id"]) in out and "已采用" in out
    assert progress_of(ledger) == {"3": EXPECT_3} and progress_of(ledger, unit=OTHER) == {}
    left = items(capsys, ledger)
    assert [i["task_id"] for i in left] == [task_id(ledger, "12")]
    settled = {i["id"]: i for i in items(capsys, ledger, "--all")}
    assert settled[item["id"]]["state"] == "accepted" and settled[item["id"]]["resolved_at"]


def test_review_reject_drops_a_held_row_and_keeps_the_reason(ledger, held, capsys):
    item = {i["task_id"]: i for i in items(capsys, ledger)}[task_id(ledger, "12")]
    code, out, err = run(capsys, "review", ledger, "--reject", item["id"], "--reason", "单位未确认此行")
    assert code == 0, err
    assert "未采用" in out
    assert progress_of(ledger) == {} and progress_of(ledger, unit=OTHER) == {}
    settled = {i["id"]: i for i in items(capsys, ledger, "--all")}
    assert settled[item["id"]]["state"] == "rejected"
    assert "单位未确认此行" in settled[item["id"]]["resolution"]
    assert len(items(capsys, ledger)) == 1


def test_review_accept_with_status_settles_an_odd_status(ledger, odd_status, capsys):
    assert (odd_status["kind"], odd_status["entry"]["status"]) == ("status", "基本完成")
    assert progress_of(ledger)["3"]["status"] == "基本完成"
    code, _, err = run(capsys, "review", ledger, "--accept", odd_status["id"], "--status", "已完成")
    assert code == 0, err
    assert progress_of(ledger)["3"] == {**EXPECT_3, "status": "已完成"}
    assert items(capsys, ledger) == []


def test_review_reject_of_an_odd_status_puts_back_the_status_sent(ledger, odd_status, capsys):
    code, _, err = run(capsys, "review", ledger, "--reject", odd_status["id"])
    assert code == 0, err
    assert progress_of(ledger)["3"] == {**EXPECT_3, "status": ""}  # sent blank; the text stays as typed


def test_review_accept_with_a_status_outside_the_list_is_one_line_error(ledger, odd_status, capsys):
    before = ledger.read_bytes()
    code, _, err = run(capsys, "review", ledger, "--accept", odd_status["id"], "--status", "差不多完成")
    assert code == 2
    assert "差不多完成" in one_line(code, err)
    assert progress_of(ledger)["3"]["status"] == "基本完成" and len(items(capsys, ledger)) == 1
    assert ledger.read_bytes() == before


def test_review_unknown_item_is_one_line_error_naming_the_ledger(ledger, capsys):
    code, _, err = run(capsys, "review", ledger, "--accept", 99)
    assert code == 2
    assert "99" in one_line(code, err, ledger.name)
    code, _, err = run(capsys, "review", ledger, "--reject", 99)
    assert code == 2 and "99" in one_line(code, err, ledger.name)


def test_review_settled_item_cannot_be_settled_again(ledger, held, capsys):
    item = items(capsys, ledger)[0]
    assert run(capsys, "review", ledger, "--accept", item["id"])[0] == 0
    after = progress_of(ledger)
    code, _, err = run(capsys, "review", ledger, "--reject", item["id"])
    assert code == 2 and "已处理" in one_line(code, err, ledger.name)
    assert progress_of(ledger) == after


def test_review_accept_and_reject_together_is_a_usage_error(ledger, capsys):
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        run_main(capsys, "review", ledger, "--accept", 1, "--reject", 2)
    assert exit_info.value.code == 2
    one_line(2, capsys.readouterr().err)


def test_python_m_app_review_json_contract(ledger, held):
    result = harness.ok(harness.run("review", ledger, "--json"))
    data = json.loads(result.out)
    assert set(data) == {"items"} and len(data["items"]) == 2
    assert all(ITEM_KEYS <= set(i) and i["kind"] == "held" for i in data["items"])
    item = data["items"][0]
    harness.ok(harness.run("review", ledger, "--accept", item["id"]))
    left = json.loads(harness.ok(harness.run("review", ledger, "--json")).out)["items"]
    assert [i["id"] for i in left] == [data["items"][1]["id"]]


# ------------------------------------------------------------------------------ dispatches
def test_dispatches_json_says_sent_returned_and_not_sent_per_unit(ledger, tmp_path, capsys):
    sheets = send(ledger, tmp_path / "sent", UNIT, OTHER)
    filled = fill_xlsx(sheets[UNIT], {"3": FILL_3}, tmp_path / sheets[UNIT].name)
    code, _ = merge_json(capsys, ledger, filled)
    assert code == 0
    code, out, err = run(capsys, "dispatches", ledger, "--round", ROUND, "--json")
    assert code == 0, err
    units = json.loads(out)["units"]
    assert all(UNIT_KEYS <= set(u) and u["round"] == ROUND for u in units)
    by_unit = {u["unit"]: u for u in units}
    assert len(by_unit) == len(units)
    mine, other = by_unit[UNIT], by_unit[OTHER]
    assert mine["state"] == "returned" and mine["returned_at"] and mine["files_returned"] == [filled.name]
    assert mine["files_sent"] == [sheets[UNIT].name] and mine["tasks_sent"] == 36 and mine["sent_at"]
    assert other["state"] == "sent" and other["sent_at"] and other["returned_at"] is None
    assert other["files_sent"] == [sheets[OTHER].name] and other["files_returned"] == [] and other["tasks_sent"] > 0
    never = by_unit["县人民政府办公室"]
    assert (never["state"], never["sent_at"], never["files_sent"], never["tasks_sent"]) == ("not_sent", None, [], 0)
    assert {u["state"] for u in units} == {"returned", "sent", "not_sent"}


def test_dispatches_without_round_lists_every_round(ledger, tmp_path, capsys):
    send(ledger, tmp_path / "sent", UNIT)
    code, out, _ = run(capsys, "dispatches", ledger, "--json")
    assert code == 0
    units = json.loads(out)["units"]
    assert {u["round"] for u in units} == {ROUND, ROUND2}
    assert all(u["state"] == "not_sent" for u in units if u["round"] == ROUND2)
    assert [u["state"] for u in units if u["round"] == ROUND and u["unit"] == UNIT] == ["sent"]


def test_dispatches_shows_a_held_return_as_held(ledger, held, capsys):
    code, out, _ = run(capsys, "dispatches", ledger, "--round", ROUND, "--json")
    by_unit = {u["unit"]: u for u in json.loads(out)["units"]}
    assert code == 0 and by_unit[UNIT]["state"] == "held" and by_unit[OTHER]["state"] == "sent"
    filled, _ = held
    assert by_unit[UNIT]["files_returned"] == [filled.name]


def test_dispatches_text_output_names_each_unit_and_its_state(ledger, tmp_path, capsys):
    send(ledger, tmp_path / "sent", UNIT)
    code, out, _ = run(capsys, "dispatches", ledger, "--round", ROUND)
    assert code == 0 and f"【{ROUND}】" in out
    assert f"{UNIT}：已发出，未交回" in out and "县人民政府办公室：未发出" in out


def test_dispatches_unknown_round_is_one_line_error_naming_the_ledger(ledger, capsys):
    code, _out, err = run(capsys, "dispatches", ledger, "--round", "第九次报送")
    assert code == 2
    line = one_line(code, err, ledger.name)
    assert "第九次报送" in line


def test_python_m_app_dispatches_json_contract_and_unknown_round(ledger, tmp_path):
    harness.ok(harness.run("sheets", ledger, "-o", tmp_path / "sent", "--round", ROUND, "--unit", UNIT))
    data = json.loads(harness.ok(harness.run("dispatches", ledger, "--round", ROUND, "--json")).out)
    assert set(data) == {"units"} and all(UNIT_KEYS <= set(u) for u in data["units"])
    assert {u["state"] for u in data["units"]} <= {"sent", "returned", "held", "not_sent"}
    assert [u["state"] for u in data["units"] if u["unit"] == UNIT] == ["sent"]
    bad = harness.run("dispatches", ledger, "--round", "第九次报送", "--json")
    assert bad.code == 2 and bad.out == ""
    harness.one_line_error(bad, ledger.name, "第九次报送")
