"""退回修改: the clerk returns an entry with a reason; the unit's next sheet shows it; its next return closes it."""

from __future__ import annotations

from app.core.dispatch import ACCEPTED, FIXED, OPEN, REJECTED, REVIEW_REWORK, REVIEW_STATUS, UNDONE
from app.formats.returns import load_liaison_file
from app.formats.returns.layout import REWORK_NOTE
from app.ledger import Ledger
from app.sending import make_package
from tests.review_returns.helpers import (
    ROUND1,
    ROUND2,
    UNIT,
    cli,
    docx_rows,
    fill_xlsx,
    merge_json,
    reviews,
    sheet_for,
    task_of,
    xlsx_rows,
)

FIRST = {"状态": "进行中", "进展落实情况": "已公开3条"}
REASON = "请补充公开的具体栏目和数量"


def _returned(capsys, ledger, tmp_path, seq: str = "3") -> None:
    """Round 1 merged for seq 3, then 退回 by the clerk (the round found by itself)."""
    sheet = sheet_for(capsys, ledger, tmp_path / "r1", ROUND1)
    merge_json(capsys, ledger, fill_xlsx(sheet, {seq: FIRST}, tmp_path / "back1" / sheet.name))
    code, out, err = cli(capsys, "review", ledger, "--return-entry", seq, "--unit", "民政局", "--reason", REASON)
    assert code == 0, err
    assert "已退回修改" in out and UNIT in out and ROUND1 in out


def test_return_entry_makes_an_open_rework_item(capsys, ledger, tmp_path):
    _returned(capsys, ledger, tmp_path)
    [item] = reviews(ledger, REVIEW_REWORK)
    assert (item.state, item.unit, item.round, item.task_id, item.message) == (
        OPEN, UNIT, ROUND1, task_of(ledger, "3").id, REASON)
    assert (item.entry.status, item.entry.text) == ("进行中", "已公开3条")
    with Ledger.open(ledger, readonly=True) as opened:
        assert opened.rework_notes(UNIT) == {item.task_id: REASON}
        assert opened.review_notes(UNIT) == {item.task_id: f"退回修改：{REASON}"}
        assert opened.rework_notes("县司法局") == {}
    code, out, _ = cli(capsys, "review", ledger)
    assert code == 0 and f"退回修改：{REASON}" in out


def test_next_sheet_shows_note_unchanged_return_keeps_it_changed_return_closes_it(capsys, ledger, tmp_path):
    _returned(capsys, ledger, tmp_path)
    [_item] = reviews(ledger, REVIEW_REWORK)
    sheet = sheet_for(capsys, ledger, tmp_path / "r2", ROUND2)
    _header, rows = xlsx_rows(sheet)
    assert rows["3"][REWORK_NOTE] == f"退回修改：{REASON}"
    assert [seq for seq, r in rows.items() if r[REWORK_NOTE]] == ["3"]
    docx_sheet = sheet_for(capsys, ledger, tmp_path / "r2docx", ROUND2, fmt="docx")
    _header, drows = docx_rows(docx_sheet)
    assert drows["3"][REWORK_NOTE] == f"退回修改：{REASON}" and drows["12"][REWORK_NOTE] == ""

    # the unit sends the same values again (another row typed): the report says so, the item stays open
    same = fill_xlsx(sheet, {"3": FIRST, "12": {"状态": "进行中"}}, tmp_path / "same" / sheet.name)
    [f] = merge_json(capsys, ledger, same)["files"]
    assert [r["seq"] for r in f["rework_unchanged"]] == ["3"] and f["rework_fixed"] == []
    assert reviews(ledger, REVIEW_REWORK)[0].state == OPEN
    code, out, _ = cli(capsys, "review", ledger, "--return-entry", "12", "--unit", UNIT, "--reason", "再核实",
                       "--round", ROUND2)
    assert code == 0
    sheet = sheet_for(capsys, ledger, tmp_path / "r2b", ROUND2)

    # it fixes both, clearing the note cell as it goes: the rows are taken, not refused, and the items close
    fixed = fill_xlsx(sheet, {"3": {"进展落实情况": "已在“法定主动公开内容”栏目公开3条", REWORK_NOTE: None},
                              "12": {"进展落实情况": "已核实"}}, tmp_path / "fixed" / sheet.name)
    report = merge_json(capsys, ledger, fixed)
    [f] = report["files"]
    assert (f["outcome"], f["rejected"], f["conflicts"]) == ("merged", 0, 0)
    assert sorted(r["seq"] for r in f["rework_fixed"]) == ["12", "3"]
    states = {i.task_id: i.state for i in reviews(ledger, REVIEW_REWORK)}
    assert set(states.values()) == {FIXED}
    code, out, _ = cli(capsys, "merge", ledger, fixed, "--dry-run")
    assert "重复" in out or "已于" in out
    _header, rows = xlsx_rows(sheet_for(capsys, ledger, tmp_path / "r2c", ROUND2))
    assert all(r[REWORK_NOTE] is None for r in rows.values())

    # undoing that merge opens them again (and the notes are back on the next sheet)
    code, _out, err = cli(capsys, "undo-merge", ledger, report["batch"])
    assert code == 0, err
    assert {i.state for i in reviews(ledger, REVIEW_REWORK)} == {OPEN}
    _header, rows = xlsx_rows(sheet_for(capsys, ledger, tmp_path / "r2d", ROUND2))
    assert rows["3"][REWORK_NOTE] == f"退回修改：{REASON}"


def test_text_report_says_unchanged(capsys, ledger, tmp_path):
    _returned(capsys, ledger, tmp_path)
    sheet = sheet_for(capsys, ledger, tmp_path / "r1again", ROUND1)  # the same round again: prefilled
    code, out, _ = cli(capsys, "merge", ledger, fill_xlsx(sheet, {"12": {"状态": "进行中"}},
                                                           tmp_path / "b" / sheet.name))
    assert code == 0 and "退回修改的任务 3 未修改" in out


def test_accept_as_is_and_undo_of_return(capsys, ledger, tmp_path):
    _returned(capsys, ledger, tmp_path)
    [item] = reviews(ledger, REVIEW_REWORK)
    code, out, _err = cli(capsys, "review", ledger, "--accept", item.id)
    assert code == 0 and "按现状采用" in out
    assert reviews(ledger, REVIEW_REWORK)[0].state == ACCEPTED
    with Ledger.open(ledger) as opened:
        assert opened.rework_notes(UNIT) == {}
        # a second return of the same entry, then its undo: the item goes with its batch
        changes = opened.return_entry(item.task_id, UNIT, ROUND1, reason="再补充")
        assert changes.reviews and opened.rework_notes(UNIT) == {item.task_id: "再补充"}
        opened.undo_batches([changes.batch_id])
        assert opened.rework_notes(UNIT) == {}
    assert [i.state for i in reviews(ledger, REVIEW_REWORK)] == [ACCEPTED, UNDONE]


def test_return_of_a_status_item_rejects_it_and_asks_for_rework(capsys, ledger, tmp_path):
    sheet = sheet_for(capsys, ledger, tmp_path / "r1", ROUND1)
    merge_json(capsys, ledger, fill_xlsx(sheet, {"3": {"状态": "基本完成", "进展落实情况": "大部分已公开"}},
                                         tmp_path / "b" / sheet.name))
    [odd] = reviews(ledger, REVIEW_STATUS)
    code, _out, err = cli(capsys, "review", ledger, "--return", odd.id, "--reason", "请从列表中选择状态")
    assert code == 0, err
    assert reviews(ledger, REVIEW_STATUS)[0].state == REJECTED
    [rework] = reviews(ledger, REVIEW_REWORK)
    assert (rework.state, rework.task_id, rework.message) == (OPEN, odd.task_id, "请从列表中选择状态")
    with Ledger.open(ledger, readonly=True) as opened:
        entry = opened.progress_entry(odd.task_id, UNIT, ROUND1)
    assert (entry.status, entry.text) == ("", "大部分已公开")  # the status went back to the one sent
    _header, rows = xlsx_rows(sheet_for(capsys, ledger, tmp_path / "r2", ROUND2))
    assert rows["3"][REWORK_NOTE] == "退回修改：请从列表中选择状态"


def test_liaison_file_carries_the_rework_reason(capsys, ledger, tmp_path):
    _returned(capsys, ledger, tmp_path)
    (tmp_path / "pkg").mkdir()
    with Ledger.open(ledger) as opened:
        path = make_package(opened, UNIT, tmp_path / "pkg", round_name=ROUND2)
    package = load_liaison_file(path)
    notes = {t.task_id: t.rework for t in package.tasks if t.rework}
    assert notes == {task_of(ledger, "3").id: REASON}


def test_bad_input_is_one_clear_line_and_changes_nothing(capsys, ledger, tmp_path):
    _returned(capsys, ledger, tmp_path)
    before = ledger.read_bytes()
    cases = [
        (("--return-entry", "999", "--unit", UNIT, "--reason", "x"), "999"),
        (("--return-entry", "3", "--unit", "不存在的局", "--reason", "x"), "不存在的局"),
        (("--return-entry", "3", "--unit", UNIT), "理由"),
        (("--return-entry", "3"), "--unit"),
        (("--return-entry", "3", "--unit", UNIT, "--reason", "x", "--round", "第九次报送"), "第九次报送"),
        (("--return-entry", "3", "--unit", UNIT, "--reason", "又退回"), "已退回修改"),
        (("--return-entry", "3", "--unit", "县医保局", "--reason", "x"), "还没有报送过"),
        (("--return", reviews(ledger, REVIEW_REWORK)[0].id, "--reason", "x"), "不能退回"),
        (("--return", 4242, "--reason", "x"), "4242"),
    ]
    for args, named in cases:
        code, _out, err = cli(capsys, "review", ledger, *args)
        assert code != 0, args
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, (args, err)
        assert named in err, (args, err)
    assert ledger.read_bytes() == before


def test_liaison_file_return_with_extension_and_rework_fixed(capsys, ledger, tmp_path):
    from app.formats.returns import fill_liaison_file

    _returned(capsys, ledger, tmp_path)
    task = task_of(ledger, "3")
    (tmp_path / "pkg").mkdir()
    with Ledger.open(ledger) as opened:
        path = make_package(opened, UNIT, tmp_path / "pkg", round_name=ROUND2)
    fill_liaison_file(path, {task.id: {"status": "进行中", "text": "已补充栏目和数量", "done_date": "",
                                       "evidence": "", "extension_to": "2024/5/31",
                                       "extension_reason": "需等待系统升级"}}, reporter="王芳", phone="13900000000")
    [f] = merge_json(capsys, ledger, path)["files"]
    assert (f["outcome"], f["applied"], f["rejected"]) == ("merged", 1, 0), f
    assert [(e["seq"], e["date"], e["reason"]) for e in f["extensions"]] == [("3", "2024-05-31", "需等待系统升级")]
    assert [r["seq"] for r in f["rework_fixed"]] == ["3"]
    assert [i.state for i in reviews(ledger, REVIEW_REWORK)] == [FIXED]


def _ledger_state(ledger) -> tuple:
    with Ledger.open(ledger, readonly=True) as opened:
        return (len(opened.batches()), [(i.id, i.kind, i.state) for i in opened.reviews(open_only=False)])


def test_a_second_return_of_the_same_entry_is_refused_on_either_path(capsys, ledger, tmp_path):
    """Round 1 brings seq 3 with a status outside the list (a review item); the clerk returns the entry;
    returning it again — by --return-entry or by --return of that review item — is one line, exit 2,
    and writes nothing."""
    sheet = sheet_for(capsys, ledger, tmp_path / "r1", ROUND1)
    merge_json(capsys, ledger, fill_xlsx(sheet, {"3": {"状态": "完成了吧", "进展落实情况": "已公开3条"}},
                                         tmp_path / "back1" / sheet.name))
    [odd] = reviews(ledger, REVIEW_STATUS)
    assert cli(capsys, "review", ledger, "--return-entry", "3", "--unit", UNIT, "--reason", REASON)[0] == 0
    before = _ledger_state(ledger)
    for argv in (("--return-entry", "3", "--unit", UNIT), ("--return", odd.id)):
        code, _out, err = cli(capsys, "review", ledger, *argv, "--reason", "再退一次")
        assert code == 2 and err.count("\n") == 1 and f"{UNIT}的这条进展已退回修改，尚未报回" in err
        assert _ledger_state(ledger) == before
