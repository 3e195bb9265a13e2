"""The export's 留痕 appendix (--history): the 留痕记录 and 佐证材料 sheets, read back with openpyxl.

A real history is made the way a clerk makes it: a ledger imported with one entry, sheets sent with
the `sheets` command, one filled and merged with `merge`, an entry typed and that edit undone.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.core.records import Progress
from app.formats.ledger_xlsx import EVIDENCE_SHEET, HISTORY_COLUMNS, HISTORY_SHEET, MAIN_SHEET
from app.ledger import Ledger
from tests.contract import harness
from tests.merge_fixtures import fill_xlsx, run_main
from tests.ui.sample import sample_document

ROUND = "第一次报送"
PLAN = "政务公开要点.docx"


@pytest.fixture
def ledger(tmp_path: Path, capsys) -> Path:
    """Import (an entry of 县民政局 on task 1), merge (县民政局 returns task 1 done), a typed entry
    of 县司法局 on task 2, and that edit undone."""
    doc = sample_document()
    task1 = next(t for t in doc.tasks if t.seq == "1")
    doc.progress.append(Progress(task1.id, "县民政局", ROUND, status="进行中", text="导入时的进展", evidence="方案.pdf"))
    path = tmp_path / "台账.ledger"
    Ledger.create_from_document(path, doc, source=PLAN).close()
    code, _out, err = run_main(capsys, "sheets", path, "--round", ROUND, "-o", tmp_path / "sent")
    assert code == 0, err
    sheet = tmp_path / "sent" / f"县民政局_{ROUND}.xlsx"
    back = tmp_path / "back"
    back.mkdir()
    filled = fill_xlsx(sheet, {"1": {"状态": "已完成", "进展落实情况": "已按月推送", "佐证材料": "推送截图.png；通报.docx"}},
                       back / sheet.name)
    code, _out, err = run_main(capsys, "merge", path, filled)
    assert code == 0, err
    with Ledger.open(path) as led:
        task2 = next(t for t in led.document().tasks if t.seq == "2")
        edit = led.apply_progress([Progress(task2.id, "县司法局", ROUND, status="进行中", text="窗口里填的")])
        led.undo_batch(edit.batch_id)
    return path


def sheet_rows(path: Path, name: str) -> list[tuple]:
    """The table's rows under the title and header, blanks as ""."""
    ws = openpyxl.load_workbook(path)[name]
    return [tuple("" if v is None else v for v in row) for row in ws.iter_rows(min_row=3, values_only=True)]


def export(capsys, ledger: Path, out: Path, *extra: str) -> str:
    code, stdout, err = run_main(capsys, "export", ledger, "--format", "xlsx", "-o", out, "--as-of", "2023-10-01", *extra)
    assert code == 0, err
    return stdout


def test_history_sheet_lists_import_merge_edit_and_undo_in_order(ledger, tmp_path, capsys):
    out = tmp_path / "台账.xlsx"
    assert "留痕记录 4 条" in export(capsys, ledger, out, "--history")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == [MAIN_SHEET, "统计", HISTORY_SHEET, EVIDENCE_SHEET]
    header = [c.value for c in wb[HISTORY_SHEET][2]]
    assert tuple(header) == HISTORY_COLUMNS
    rows = sheet_rows(out, HISTORY_SHEET)
    # 序号, 任务, 单位, 轮次, 时间, 来源, 操作, 原状态, 新状态, 原进展, 新进展
    assert [(r[0], r[1].split()[0], r[2], r[3], r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows] == [
        (1, "1", "县民政局", ROUND, PLAN, "导入", "", "进行中", "", "导入时的进展"),
        (2, "1", "县民政局", ROUND, f"县民政局_{ROUND}.xlsx", "合并", "进行中", "已完成", "导入时的进展", "已按月推送"),
        (3, "2", "县司法局", ROUND, "本窗口填写", "修改（已撤销）", "", "进行中", "", "窗口里填的"),
        (4, "2", "县司法局", ROUND, "本窗口填写", "撤销", "进行中", "（删除）", "窗口里填的", ""),
    ]
    assert rows[1][1].startswith("1 加密社会救助政策推送")
    times = [r[4] for r in rows]
    assert all(len(t) == 16 and t[4] == "-" for t in times) and times == sorted(times)
    assert all(wb[HISTORY_SHEET].cell(3 + i, c).data_type == "s" for i in range(4) for c in range(2, 12)
               if wb[HISTORY_SHEET].cell(3 + i, c).value is not None)


def test_evidence_sheet_names_the_files_of_every_entry(ledger, tmp_path, capsys):
    out = tmp_path / "台账.xlsx"
    export(capsys, ledger, out, "--history")
    rows = sheet_rows(out, EVIDENCE_SHEET)
    assert [(r[1].split()[0], r[2], r[3], r[4]) for r in rows] == [("1", "县民政局", ROUND, "推送截图.png\n通报.docx")]


def test_all_progress_history_agrees_with_each_entrys_history(ledger):
    with Ledger.open(ledger, readonly=True) as led:
        everything = led.all_progress_history()
        keys = {(c.new or c.old).task_id: None for c in everything}
        for change in everything:
            entry = change.new or change.old
            assert entry is not None
        by_key: dict[tuple, list] = {}
        for change in everything:
            entry = change.new or change.old
            by_key.setdefault((entry.task_id, entry.unit, entry.round), []).append(change)
        assert len(by_key) == 2 and keys
        for (task_id, unit, round_name), changes in by_key.items():
            assert led.progress_history(task_id, unit, round_name) == changes


def test_without_history_the_workbook_is_as_before(ledger, tmp_path, capsys):
    plain, full = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert "留痕" not in export(capsys, ledger, plain)
    export(capsys, ledger, full, "--history")
    a, b = openpyxl.load_workbook(plain), openpyxl.load_workbook(full)
    assert a.sheetnames == [MAIN_SHEET, "统计", "_ledgerdesk"]
    for name in a.sheetnames:
        assert [[c.value for c in row] for row in a[name].iter_rows()] == \
               [[c.value for c in row] for row in b[name].iter_rows()]


def test_history_of_one_units_export_keeps_only_its_tasks(ledger, tmp_path, capsys):
    out = tmp_path / "司法局.xlsx"
    export(capsys, ledger, out, "--history", "--unit", "县司法局")
    assert {r[1].split()[0] for r in sheet_rows(out, HISTORY_SHEET)} == {"2"}


def test_history_needs_xlsx_one_line_exit_2(ledger, tmp_path, capsys):
    before = harness.snapshot(tmp_path)
    code, _out, err = run_main(capsys, "export", ledger, "-o", tmp_path / "t.docx", "--history")
    assert code == 2
    harness.one_line_error(harness.Result(["ledgerdesk"], code, "", err), "--history", "xlsx")
    assert not (tmp_path / "t.docx").exists()
    harness.assert_unchanged(before, tmp_path)


def test_an_export_with_history_still_reads_back(ledger, tmp_path, capsys):
    from app.formats.ledger_xlsx_in import read_exported_ledger

    out = tmp_path / "台账.xlsx"
    export(capsys, ledger, out, "--history")
    with Ledger.open(ledger, readonly=True) as led:
        doc = led.document()
    back = read_exported_ledger(out)
    assert [t.seq for t in back.tasks] == [t.seq for t in doc.tasks]
    assert {(p.task_id, p.unit, p.status) for p in back.progress} == {(p.task_id, p.unit, p.status) for p in doc.progress}
