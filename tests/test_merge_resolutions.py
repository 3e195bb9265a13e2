"""The merge preview's core: a dry run laid out row by row, then a merge that takes the clerk's choices.

Real sheets made by the sheets code from the seed-000 ledger, filled as a department would,
a clerk's edit meanwhile to make a conflict; every check reads the ledger back.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.core.merge import Values
from app.core.records import Progress
from app.errors import LedgerError
from app.formats.returns import read_return_file
from app.ledger import Ledger
from app.merge_report import (
    APPLY,
    CONFLICT,
    EDIT,
    OURS,
    REFUSED,
    REVIEW,
    THEIRS,
    UNCHANGED,
    Resolution,
    row_items,
)
from app.returns import merge_files, preview_hashes, undo_merge
from app.sending import make_sheets
from tests.merge_fixtures import ROUND, UNIT, fill_xlsx, ledger_json, make_ledger, progress_of, run_main

FILL_3 = {"状态": "进行中", "进展落实情况": "已推送社会救助政策12条", "完成日期": "2023-09-01", "佐证材料": "推送截图.png"}
CLERK_3 = "办公室电话核实"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_ledger(tmp_path_factory.mktemp("template"))


@pytest.fixture
def setup(template, tmp_path):
    """(ledger, the unit's filled sheet with a conflict on 3, an applied row 12, an odd status on 1,
    a locked column edited on 5, the ids by seq)."""
    ledger = tmp_path / "台账.ldg"
    shutil.copy(template, ledger)
    with Ledger.open(ledger) as led:
        make_sheets(led, tmp_path / "sheets", round_name=ROUND)
        ids = {t.seq: t.id for t in led.document().tasks}
        led.apply_progress([Progress(ids["3"], UNIT, ROUND, status="进行中", text=CLERK_3)])
    sheet = tmp_path / "sheets" / f"{UNIT}_{ROUND}.xlsx"
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": {"状态": "已完成", "进展落实情况": "专栏已更新"},
                               "1": {"状态": "完成了吧", "进展落实情况": "差不多了"},
                               "5": {"状态": "已完成", "主要内容": "改过的内容"}},
                       tmp_path / f"{UNIT}_{ROUND}.xlsx")
    return ledger, filled, ids


def preview(ledger: Path, *files: Path):
    with Ledger.open(ledger, readonly=True) as led:
        return merge_files(led, list(files), dry_run=True)


def open_conflicts(ledger: Path) -> list:
    with Ledger.open(ledger, readonly=True) as led:
        return led.conflicts()


def test_dry_run_lays_out_every_changing_row_with_old_new_and_reasons(setup) -> None:
    ledger, filled, ids = setup
    before = ledger.read_bytes()
    report = preview(ledger, filled)
    rows = {r.cells["序号"]: r.row for r in read_return_file(filled).rows}
    items = row_items(report)
    by_task = {i.task_id: i for i in items}
    assert ledger.read_bytes() == before  # a preview writes nothing
    applied = by_task[ids["12"]]
    assert (applied.kind, applied.row, applied.unit, applied.round) == (APPLY, rows["12"], UNIT, ROUND)
    assert applied.old == Values() and applied.new == Values.make("已完成", "专栏已更新")
    conflict = by_task[ids["3"]]
    assert conflict.kind == CONFLICT and conflict.old.text == CLERK_3 and conflict.new.text == FILL_3["进展落实情况"]
    assert conflict.base == Values() and "text" in conflict.conflict_fields
    assert conflict.key == (report.files[0].file_hash, ids["3"], UNIT, ROUND)
    review = by_task[ids["1"]]
    assert review.kind == REVIEW and "完成了吧" in review.reason and review.new.status == "完成了吧"
    refused = by_task[ids["5"]]
    assert refused.kind == REFUSED and "锁定列“主要内容”被修改" in refused.reason
    kinds = [i.kind for i in items]
    assert kinds.count(APPLY) == 1 and kinds.count(CONFLICT) == 1 and kinds.count(UNCHANGED) == 32
    row = next(r for r in report.to_json()["files"][0]["rows"] if r["task_id"] == ids["3"])
    assert row["ours"]["text"] == CLERK_3 and row["theirs"]["text"] == FILL_3["进展落实情况"]
    assert row["outcome"] == "conflict" and row["resolution"] is None


def test_rejected_and_duplicate_files_are_one_refused_line_with_the_reason(setup, tmp_path) -> None:
    ledger, filled, _ids = setup
    junk = tmp_path / "说明.txt"
    junk.write_text("不是报送表", encoding="utf-8")
    with Ledger.open(ledger) as led:
        merge_files(led, [filled], resolutions=Resolution(OURS))
        report = merge_files(led, [filled, junk], dry_run=True)
    items = row_items(report)
    assert [(i.kind, i.file, i.row) for i in items] == [(REFUSED, filled.name, 0), (REFUSED, junk.name, 0)]
    assert "重复文件" in items[0].reason and "合并过" in items[0].reason
    assert items[1].reason.startswith("整份文件未导入：")


def test_conflict_resolved_as_theirs_is_written_in_the_merge_and_undone_with_it(setup) -> None:
    ledger, filled, _ids = setup
    before = ledger_json(ledger)
    report = preview(ledger, filled)
    [key] = [i.key for i in row_items(report) if i.kind == CONFLICT]
    with Ledger.open(ledger) as led:
        done = merge_files(led, [filled], resolutions={key: Resolution(THEIRS)}, expected=preview_hashes(report))
        assert led.conflicts() == []
        [batch] = [b for b in led.batches() if b.kind == "merge"]
        assert batch.meta["resolved"] == 1 and batch.meta["conflicts"] == 0
    f = done.to_json()["files"][0]
    assert (f["applied"], f["conflicts"], f["resolved"]) == (2, 0, 1)
    assert any("冲突已按“采用报送值”处理" in m for m in f["messages"])
    got = progress_of(ledger)
    assert got["3"] == {"status": "进行中", "text": FILL_3["进展落实情况"], "done_date": "2023-09-01",
                        "evidence": "推送截图.png"}
    assert got["12"]["text"] == "专栏已更新"
    with Ledger.open(ledger) as led:
        undo_merge(led, done.batch)
    assert ledger_json(ledger) == before


def test_conflict_kept_as_ours_or_edited_leaves_no_open_conflict(setup, tmp_path) -> None:
    ledger, filled, _ids = setup
    copy = tmp_path / "copy.ldg"
    shutil.copy(ledger, copy)
    report = preview(ledger, filled)
    [key] = [i.key for i in row_items(report) if i.kind == CONFLICT]
    with Ledger.open(ledger) as led:
        merge_files(led, [filled], resolutions={key: Resolution(OURS)})
    assert progress_of(ledger)["3"]["text"] == CLERK_3 and open_conflicts(ledger) == []
    edited = Values.make("已完成", "电话核实后确认已推送", "2023-09-02", "")
    with Ledger.open(copy) as led:
        merge_files(led, [filled], resolutions={key: Resolution(EDIT, edited)})
    assert progress_of(copy)["3"] == {"status": "已完成", "text": "电话核实后确认已推送", "done_date": "2023-09-02",
                                      "evidence": ""}
    assert open_conflicts(copy) == []


def test_unresolved_conflicts_stay_open_as_before(setup) -> None:
    ledger, filled, ids = setup
    with Ledger.open(ledger) as led:
        report = merge_files(led, [filled], resolutions={})
    assert report.files[0].conflicts == 1 and report.files[0].resolved == 0
    [conflict] = open_conflicts(ledger)
    assert conflict.task_id == ids["3"] and conflict.ours.text == CLERK_3
    assert progress_of(ledger)["3"]["text"] == CLERK_3


def test_a_file_changed_after_the_preview_refuses_the_whole_merge(setup) -> None:
    ledger, filled, _ids = setup
    report = preview(ledger, filled)
    fill_xlsx(filled, {"12": {"进展落实情况": "预览之后又改了"}})
    before = ledger.read_bytes()
    with Ledger.open(ledger) as led:
        with pytest.raises(LedgerError) as exc:
            merge_files(led, [filled], expected=preview_hashes(report))
        batches = len(led.batches())
    assert filled.name in str(exc.value) and "预览之后" in str(exc.value)
    assert ledger.read_bytes() == before and batches == 2
    assert not (ledger.parent / "台账_备份").exists()  # not even the pre-merge backup


def test_a_file_added_to_the_folder_after_the_preview_is_refused(setup, tmp_path) -> None:
    ledger, filled, _ids = setup
    folder = tmp_path / "交回"
    folder.mkdir()
    shutil.copy(filled, folder / filled.name)
    report = preview(ledger, folder)
    shutil.copy(filled, folder / "另一份.xlsx")
    with Ledger.open(ledger) as led, pytest.raises(LedgerError, match="另一份.xlsx：预览时没有这个文件"):
        merge_files(led, [folder], expected=preview_hashes(report))
    assert progress_of(ledger) == {"3": {"status": "进行中", "text": CLERK_3, "done_date": None, "evidence": ""}}


def test_cli_resolve_theirs_settles_every_conflict_and_json_keeps_the_contract(setup, capsys) -> None:
    ledger, filled, _ids = setup
    code, out, _err = run_main(capsys, "merge", ledger, filled, "--resolve", "theirs", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"batch", "dry_run", "files"} <= set(data)
    f = data["files"][0]
    assert {"file", "unit", "round", "outcome", "applied", "unchanged", "conflicts", "rejected", "messages"} <= set(f)
    assert (f["outcome"], f["conflicts"], f["resolved"]) == ("merged", 0, 1)
    assert progress_of(ledger)["3"]["text"] == FILL_3["进展落实情况"]
    assert open_conflicts(ledger) == []


def test_cli_dry_run_with_resolve_ours_writes_nothing(setup, capsys) -> None:
    ledger, filled, _ids = setup
    before = ledger.read_bytes()
    code, out, _err = run_main(capsys, "merge", ledger, filled, "--dry-run", "--resolve", "ours")
    assert code == 0 and "【试运行】" in out and "1 处冲突已按所选处理" in out
    assert ledger.read_bytes() == before


def test_undoing_a_resolution_reopens_the_conflict_and_redo_settles_it_again(setup) -> None:
    """The window's 撤销 of 处理冲突 puts the ledger's value back AND the conflict back on the list."""
    ledger, filled, _ids = setup
    with Ledger.open(ledger) as led:
        merge_files(led, [filled], resolutions={})
        [conflict] = led.conflicts()
        done = led.resolve_conflict(conflict.id, choice="theirs")
        assert led.conflicts() == []
        led.undo_batches([done.batch_id])
        [again] = led.conflicts()
        assert again.id == conflict.id and not again.resolved
        led.resolve_conflict(again.id, choice="ours")
        assert led.conflicts() == []
    assert progress_of(ledger)["3"]["text"] == CLERK_3


def test_undoing_a_settled_review_item_reopens_it(setup) -> None:
    ledger, filled, _ids = setup
    from app import review

    with Ledger.open(ledger) as led:
        merge_files(led, [filled], resolutions={})
        item = next(i for i in led.reviews() if i.kind == "status")
        done = review.accept(led, item.id)
        assert item.id not in {i.id for i in led.reviews()}
        undone = led.undo_batches([done.batch_id])
        assert undone.reviews
        assert item.id in {i.id for i in led.reviews()}
        review.reject(led, item.id, reason="状态不在列表中")
        assert item.id not in {i.id for i in led.reviews()}
