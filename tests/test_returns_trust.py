"""Trust the ledger, not the file; lose no typed row.

Real files, edited the way a liaison's office program would (openpyxl for Excel/WPS,
python-docx for Word, the liaison side of the .ldpkg), merged into a seed-000 ledger:
signed dispatches, the base taken from what the ledger sent, doubtful files held for
review, rows re-matched by content after sorting or copying, odd statuses kept and
flagged, old sheets and pasted rows, every file of a folder reported, migration.
No LibreOffice here (see tests/liaison/ for that).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from app import review
from app.core.dispatch import REVIEW_HELD, REVIEW_STATUS
from app.core.merge import Values
from app.core.records import Progress
from app.core.sheet_scope import MATCH_BY_ID
from app.dispatch_status import dispatch_status
from app.formats.returns import HEADERS, ID_HEADER, META_SHEET, dispatch_for, read_return_file
from app.formats.returns.liaison import MEMBER, fill_liaison_file
from app.ledger import Ledger
from app.return_identity import HIDDEN_UNIT_CELL
from app.return_rows import REMATCHED
from app.returns import merge_files
from app.sending import make_package, make_sheets
from app.store import file as store_file
from tests.merge_fixtures import (
    ROUND,
    UNIT,
    col,
    fill_xlsx,
    header_row,
    ledger_json,
    make_ledger,
    paste_into_new_workbook,
    progress_of,
)

OTHER = "县司法局"
FILL_3 = {"状态": "进行中", "进展落实情况": "已推送社会救助政策12条", "完成日期": "2023-09-01", "佐证材料": "推送截图.png"}
FILL_12 = {"状态": "已完成", "进展落实情况": "专栏已更新"}
EXPECT_3 = {"status": "进行中", "text": "已推送社会救助政策12条", "done_date": "2023-09-01", "evidence": "推送截图.png"}
EXPECT_12 = {"status": "已完成", "text": "专栏已更新", "done_date": None, "evidence": ""}
SENT_3 = {"status": "进行中", "text": "已部署推送工作", "done_date": None, "evidence": ""}  # in the ledger when sent
CLERK_3 = {"status": "已完成", "text": "办公室电话核实已完成", "done_date": None, "evidence": ""}  # typed after sending
FIELDS = ("status", "text", "done_date", "evidence")


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def raw_template(tmp_path_factory) -> Path:
    """The seed-000 ledger as created: nothing sent yet."""
    return make_ledger(tmp_path_factory.mktemp("raw"))


@pytest.fixture(scope="module")
def sent_template(raw_template, tmp_path_factory) -> tuple[Path, Path]:
    """(ledger that sent 县民政局 and 县司法局 their sheets, folder of those sheets): made once, copied per test."""
    folder = tmp_path_factory.mktemp("sent")
    ledger = folder / "台账.ldg"
    shutil.copy(raw_template, ledger)
    with Ledger.open(ledger) as led:
        make_sheets(led, folder / "sheets", round_name=ROUND, units=[UNIT, OTHER])
    return ledger, folder / "sheets"


@pytest.fixture
def setup(sent_template, tmp_path) -> tuple[Path, Path, Path]:
    """(this test's copy of the ledger, 县民政局's sheet as sent, a folder for returned files)."""
    template, sheets = sent_template
    ledger = tmp_path / "台账.ldg"
    shutil.copy(template, ledger)
    back = tmp_path / "back"
    back.mkdir()
    return ledger, sheets / f"{UNIT}_{ROUND}.xlsx", back


@pytest.fixture
def fresh(raw_template, tmp_path) -> Path:
    """This test's copy of the ledger before anything was sent."""
    ledger = tmp_path / "台账.ldg"
    shutil.copy(raw_template, ledger)
    return ledger


# ------------------------------------------------------------------------------ helpers
def merge(ledger: Path, *files: Path, dry_run: bool = False):
    with Ledger.open(ledger, readonly=dry_run) as led:
        report = merge_files(led, list(files), dry_run=dry_run)
    return report, report.to_json()["files"]


def task_ids(ledger: Path) -> dict[str, str]:
    """seq → task id."""
    with Ledger.open(ledger, readonly=True) as led:
        return {t.seq: t.id for t in led.document().tasks}


def reviews(ledger: Path, *, open_only: bool = True):
    with Ledger.open(ledger, readonly=True) as led:
        return led.reviews(open_only=open_only)


def dispatches(ledger: Path):
    with Ledger.open(ledger, readonly=True) as led:
        return [led.dispatch(d.id) for d in led.dispatches()]


def values(entry: dict) -> Values:
    return Values.make(entry["status"], entry["text"], entry["done_date"] or "", entry["evidence"])


def as_dict(v: Values) -> dict:
    return {"status": v.status, "text": v.text, "done_date": v.done_date or None, "evidence": v.evidence}


def set_progress(ledger: Path, seq: str, entry: dict, unit: str = UNIT) -> None:
    """The clerk types progress into the ledger."""
    with Ledger.open(ledger) as led:
        task = next(t for t in led.document().tasks if t.seq == seq)
        done = datetime.fromisoformat(entry["done_date"]).date() if entry["done_date"] else None
        led.apply_progress([Progress(task.id, unit, ROUND, status=entry["status"], text=entry["text"],
                                     done_date=done, evidence=entry["evidence"])])


def send_sheet(ledger: Path, out: Path, unit: str = UNIT, fmt: str = "xlsx") -> Path:
    with Ledger.open(ledger) as led:
        [path] = make_sheets(led, out, round_name=ROUND, units=[unit], fmt=fmt)
    return path


def meta_key_row(ws, key: str) -> int | None:
    return next((r for r in range(1, 12) if ws.cell(r, 1).value == key), None)


def meta_task_rows(ws) -> dict[str, int]:
    """task id → row of the hidden sheet's per-task table."""
    start = meta_key_row(ws, "task_id")
    assert start is not None
    return {ws.cell(r, 1).value: r for r in range(start + 1, ws.max_row + 1) if ws.cell(r, 1).value}


def edit_hidden(path: Path, out: Path, *, unit: str | None = None, drop_stamp: bool = False,
                task_values: dict[str, dict[str, str]] | None = None,
                task_id_swap: tuple[str, str] | None = None) -> Path:
    """A liaison who unprotects the hidden sheet "_ledgerdesk" and edits it (Calc and WPS allow it).

    `unit`: the B cell of the "unit" row; `drop_stamp`: the dispatch_id and signature rows deleted
    (a sheet as made before dispatches existed); `task_values`: task id → {status/text/...} as sent;
    `task_id_swap`: (old id, new id) in the per-task table."""
    wb = openpyxl.load_workbook(path)
    ws = wb[META_SHEET]
    if unit is not None:
        ws.cell(meta_key_row(ws, "unit"), 2).value = unit
    index = {"status": 4, "text": 5, "done_date": 6, "evidence": 7}
    for task_id, fields in (task_values or {}).items():
        r = meta_task_rows(ws)[task_id]
        for name, value in fields.items():
            ws.cell(r, index[name]).value = value
    if task_id_swap is not None:
        old, new = task_id_swap
        ws.cell(meta_task_rows(ws)[old], 1).value = new
    if drop_stamp:
        for key in ("signature", "dispatch_id"):
            r = meta_key_row(ws, key)
            assert r is not None, f"sheet carries no {key}"
            ws.delete_rows(r)
    wb.save(out)
    return out


def data_grid(ws) -> tuple[int, list[list]]:
    first = header_row(ws) + 1
    return first, [[ws.cell(r, c).value for c in range(1, len(HEADERS) + 2)] for r in range(first, ws.max_row + 1)]


def sort_visible_columns(path: Path, out: Path) -> Path:
    """Sort the data rows by 状态, typed rows first, selecting only the visible columns A..J: the
    hidden 任务编号 column K stays where it was (what a liaison's sort of a selection does)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first, grid = data_grid(ws)
    visible = [row[: len(HEADERS)] for row in grid]
    status = HEADERS.index("状态")
    ordered = sorted(range(len(visible)), key=lambda n: (visible[n][status] is None, n))
    for offset, n in enumerate(ordered):
        for c, value in enumerate(visible[n], start=1):
            ws.cell(first + offset, c).value = value
    wb.save(out)
    return out


def copy_row_above(path: Path, seq: str, out: Path, *, copy_fill: dict | None = None,
                   original_fill: dict | None = None) -> tuple[Path, int, int]:
    """Copy the row of `seq` (hidden id included) and insert the copy just above it; type `copy_fill`
    into the copy and `original_fill` into the original. Returns (file, copy's row, original's row)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first, grid = data_grid(ws)
    at = next(n for n, row in enumerate(grid) if row[0] == seq)
    copy, original = list(grid[at]), list(grid[at])
    for name, value in (copy_fill or {}).items():
        copy[col(name) - 1] = value
    for name, value in (original_fill or {}).items():
        original[col(name) - 1] = value
    rows = grid[:at] + [copy, original] + grid[at + 1:]
    for offset, row in enumerate(rows):
        for c, value in enumerate(row, start=1):
            ws.cell(first + offset, c).value = value
    wb.save(out)
    return out, first + at, first + at + 1


def row_of(path: Path, seq: str) -> int:
    return next(r.row for r in read_return_file(path).rows if r.cells["序号"] == seq)


def held_setup(setup, **tamper) -> tuple[Path, Path, dict]:
    """县民政局 fills seqs 3 and 12, then tampers with the hidden sheet; merged for real."""
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, back / "filled.xlsx")
    tampered = edit_hidden(filled, back / sheet.name, **tamper)
    _, [f] = merge(ledger, tampered)
    return ledger, tampered, f


def assert_held(f: dict, *, held: int, signature: str, doubt: str) -> None:
    assert f["outcome"] == "rejected", f["messages"]
    assert (f["applied"], f["conflicts"], f["held"], f["review"]) == (0, 0, held, held), f
    assert f["signature"] == signature
    assert f["doubts"] and any(doubt in d for d in f["doubts"]), f["doubts"]
    assert any(m.startswith("未合并：") for m in f["messages"]), f["messages"]
    assert f["batch"] is not None  # the held file is recorded (its review items, its hash)


# ------------------------------------------------------------------------------ dispatches
def test_sheets_record_one_signed_dispatch_per_file_with_the_rows_as_sent(setup):
    ledger, sheet, _ = setup
    found = dispatches(ledger)
    assert sorted((d.unit, d.round, d.fmt, d.file_name) for d in found) == [
        (OTHER, ROUND, "xlsx", f"{OTHER}_{ROUND}.xlsx"), (UNIT, ROUND, "xlsx", f"{UNIT}_{ROUND}.xlsx")]
    mine = next(d for d in found if d.unit == UNIT)
    returned = read_return_file(sheet)
    assert returned.dispatch_id == mine.id and returned.signature.startswith("hmac-sha256:")
    # the rows as sent: every row of the sheet, in order, with its locked cells and the (empty) base
    assert [r.task_id for r in mine.rows] == [r.task_id for r in returned.rows] and len(mine.rows) == 36
    by_id = {r.task_id: r for r in mine.rows}
    for row in returned.rows:
        sent = by_id[row.task_id]
        assert sent.locked["主要内容"] == row.cells["主要内容"] and sent.seq == row.cells["序号"]
        assert sent.base == Values()
    # the secret that signs stays in the ledger: nowhere in the file
    with Ledger.open(ledger, readonly=True) as led:
        secret = led.secret(create=False)
    assert len(secret) >= 16
    with zipfile.ZipFile(sheet) as archive:
        body = b"".join(archive.read(n) for n in archive.namelist())
    assert secret.hex().encode() not in body and secret not in body


def test_a_signed_sheet_filled_in_is_merged_with_signature_valid_against_its_dispatch(setup):
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, back / sheet.name)
    _, [f] = merge(ledger, filled)
    mine = next(d for d in dispatches(ledger) if d.unit == UNIT)
    assert (f["outcome"], f["signature"], f["dispatch"], f["held"], f["doubts"]) == ("merged", "valid", mine.id, 0, [])
    assert (f["applied"], f["rejected"], f["conflicts"]) == (2, 0, 0)
    assert progress_of(ledger) == {"3": EXPECT_3, "12": EXPECT_12}
    assert reviews(ledger) == []


def test_the_merge_base_is_the_dispatch_an_unchanged_row_keeps_the_clerks_later_edit(fresh, tmp_path):
    """Sent with 进行中; the clerk records 已完成 afterwards; the unit returns the row as sent: no change, no conflict."""
    set_progress(fresh, "3", SENT_3)
    sheet = send_sheet(fresh, tmp_path / "sent")
    set_progress(fresh, "3", CLERK_3)
    filled = fill_xlsx(sheet, {"12": FILL_12}, tmp_path / sheet.name)
    _, [f] = merge(fresh, filled)
    assert (f["outcome"], f["signature"], f["applied"], f["conflicts"]) == ("merged", "valid", 1, 0)
    assert progress_of(fresh) == {"3": CLERK_3, "12": EXPECT_12}


# ------------------------------------------------------------------------------ held files
def test_edited_hidden_unit_holds_every_row_and_accepting_merges_under_the_dispatchs_unit(setup):
    ledger, _, f = held_setup(setup, unit=OTHER)
    assert_held(f, held=2, signature="invalid", doubt="签名不符")
    assert any(OTHER in d and UNIT in d for d in f["doubts"]), f["doubts"]  # names the hidden unit it found
    assert f["unit"] == UNIT  # the dispatch's unit, not the file's
    assert progress_of(ledger) == {} and progress_of(ledger, unit=OTHER) == {}
    ids = task_ids(ledger)
    items = reviews(ledger)
    assert sorted((i.kind, i.unit, i.round, i.task_id) for i in items) == sorted(
        [(REVIEW_HELD, UNIT, ROUND, ids["3"]), (REVIEW_HELD, UNIT, ROUND, ids["12"])])
    assert {i.task_id: as_dict(i.entry) for i in items} == {ids["3"]: EXPECT_3, ids["12"]: EXPECT_12}
    with Ledger.open(ledger) as led:
        for item in items:
            review.accept(led, item.id)
        assert led.reviews() == []
    assert progress_of(ledger) == {"3": EXPECT_3, "12": EXPECT_12}
    assert progress_of(ledger, unit=OTHER) == {}


def test_held_row_rejected_is_dropped_and_the_item_keeps_what_it_was(setup):
    ledger, _, f = held_setup(setup, unit=OTHER)
    assert f["held"] == 2
    ids = task_ids(ledger)
    items = {i.task_id: i for i in reviews(ledger)}
    with Ledger.open(ledger) as led:
        review.reject(led, items[ids["3"]].id, reason="单位未确认")
        review.accept(led, items[ids["12"]].id)
    assert progress_of(ledger) == {"12": EXPECT_12}
    settled = {i.task_id: i for i in reviews(ledger, open_only=False)}
    assert settled[ids["3"]].state == "rejected" and "单位未确认" in settled[ids["3"]].resolution
    assert as_dict(settled[ids["3"]].entry) == EXPECT_3
    assert settled[ids["12"]].state == "accepted"


def test_edited_sent_values_in_the_hidden_sheet_hold_the_rows(setup):
    ledger, _, _ = setup
    ids = task_ids(ledger)
    ledger, _, f = held_setup(setup, task_values={ids["3"]: {"status": "已完成", "text": "早已完成"}})
    assert_held(f, held=2, signature="invalid", doubt="发出时的值")
    assert any("序号3" in d for d in f["doubts"]), f["doubts"]
    assert progress_of(ledger) == {}
    assert {i.kind for i in reviews(ledger)} == {REVIEW_HELD}


def test_edited_task_id_in_the_hidden_sheet_holds_the_rows(setup):
    ledger, _, _ = setup
    ids = task_ids(ledger)
    ledger, _, f = held_setup(setup, task_id_swap=(ids["3"], ids["18"]))
    assert_held(f, held=2, signature="invalid", doubt="任务编号不在发送记录中")
    assert progress_of(ledger) == {}
    assert sorted(i.task_id for i in reviews(ledger)) == sorted([ids["3"], ids["12"]])


def test_held_row_accepted_merges_three_way_against_the_dispatch_not_the_edited_hidden_base(fresh, tmp_path):
    """The liaison writes the clerk's later value into the hidden base so their answer would overwrite it;
    accepted, the row is merged against what the ledger really sent: a conflict, the clerk's value kept."""
    set_progress(fresh, "3", SENT_3)
    sheet = send_sheet(fresh, tmp_path / "sent")
    set_progress(fresh, "3", CLERK_3)
    ids = task_ids(fresh)
    filled = fill_xlsx(sheet, {"3": {"状态": "未按期完成", "进展落实情况": "单位说没完成"}}, tmp_path / "a.xlsx")
    forged = edit_hidden(filled, tmp_path / sheet.name,
                         task_values={ids["3"]: {"status": CLERK_3["status"], "text": CLERK_3["text"]}})
    _, [f] = merge(fresh, forged)
    assert (f["outcome"], f["signature"], f["held"]) == ("rejected", "invalid", 1)
    [item] = reviews(fresh)
    assert item.kind == REVIEW_HELD and as_dict(item.base) == SENT_3  # the base is the dispatch's
    with Ledger.open(fresh) as led:
        review.accept(led, item.id)
        [conflict] = led.conflicts()
    assert (conflict.ours.text, conflict.theirs.text) == (CLERK_3["text"], "单位说没完成")
    assert progress_of(fresh)["3"] == CLERK_3


def test_file_name_naming_another_unit_holds_the_rows_signature_still_valid(setup):
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, back / f"{OTHER}_{ROUND}.xlsx")
    _, [f] = merge(ledger, filled)
    assert_held(f, held=2, signature="valid", doubt="文件名")
    assert any(OTHER in d for d in f["doubts"])
    assert progress_of(ledger) == {} and progress_of(ledger, unit=OTHER) == {}
    assert [i.unit for i in reviews(ledger)] == [UNIT, UNIT]


def test_title_line_naming_another_unit_holds_the_rows(setup):
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, back / sheet.name)
    wb = openpyxl.load_workbook(filled)
    wb.worksheets[0].cell(1, 1).value = f"{OTHER}　{ROUND}　任务进展填报表"
    wb.save(filled)
    _, [f] = merge(ledger, filled)
    assert_held(f, held=2, signature="valid", doubt="标题行")
    assert progress_of(ledger) == {} and progress_of(ledger, unit=OTHER) == {}


def test_held_rows_count_only_rows_that_would_change_the_ledger(setup):
    """36 rows sent, one typed: one held, the 35 untouched rows wait for nobody."""
    ledger, sheet, back = setup
    filled = edit_hidden(fill_xlsx(sheet, {"3": FILL_3}, back / "a.xlsx"), back / sheet.name, unit=OTHER)
    _, [f] = merge(ledger, filled)
    assert (f["outcome"], f["held"], f["review"], f["unchanged"]) == ("rejected", 1, 1, 35)
    assert len(reviews(ledger)) == 1


def test_dry_run_of_a_held_file_reports_the_same_and_writes_nothing(setup):
    ledger, sheet, back = setup
    tampered = edit_hidden(fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, back / "a.xlsx"), back / sheet.name,
                           unit=OTHER)
    before = ledger.read_bytes()
    dry, dry_files = merge(ledger, tampered, dry_run=True)
    assert ledger.read_bytes() == before and dry.dry_run and dry.backup is None
    assert reviews(ledger) == []
    [d] = dry_files
    assert (d["outcome"], d["held"], d["signature"]) == ("rejected", 2, "invalid")
    _, real_files = merge(ledger, tampered)
    strip = lambda fs: [{k: v for k, v in f.items() if k != "batch"} for f in fs]
    assert strip(dry_files) == strip(real_files)
    assert len(reviews(ledger)) == 2


def test_held_row_with_a_status_outside_the_list_is_flagged_when_accepted(setup):
    """Accepting a held row applies it; a status outside the list then waits for the clerk like any other."""
    ledger, sheet, back = setup
    typed = {"状态": "基本完成", "进展落实情况": "大部分政策已推送"}
    tampered = edit_hidden(fill_xlsx(sheet, {"3": typed}, back / "a.xlsx"), back / sheet.name, unit=OTHER)
    _, [f] = merge(ledger, tampered)
    assert (f["outcome"], f["held"]) == ("rejected", 1)
    [item] = reviews(ledger)
    assert item.kind == REVIEW_HELD and item.entry.status == "基本完成"
    with Ledger.open(ledger) as led:
        review.accept(led, item.id)
    assert progress_of(ledger)["3"]["status"] == "基本完成"
    flagged = [(i.kind, i.task_id) for i in reviews(ledger)]
    assert flagged == [(REVIEW_STATUS, task_ids(ledger)["3"])], flagged


def test_undoing_the_merge_of_a_held_file_takes_its_review_items_with_it(setup):
    from app.returns import undo_merge

    ledger, _, f = held_setup(setup, unit=OTHER)
    assert f["held"] == 2
    with Ledger.open(ledger) as led:
        undo_merge(led, f["batch"])
        states = {(s.unit, s.round): s.state for s in dispatch_status(led, ROUND)}
    assert reviews(ledger) == [] and {i.state for i in reviews(ledger, open_only=False)} == {"undone"}
    assert states[(UNIT, ROUND)] == "sent" and progress_of(ledger) == {}


def test_signed_sheet_renamed_to_a_name_naming_no_unit_is_merged(setup):
    """The file name only raises a doubt when it names another unit."""
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": FILL_3}, back / "填报表（已填好）(1).xlsx")
    _, [f] = merge(ledger, filled)
    assert (f["outcome"], f["signature"], f["held"], f["doubts"], f["applied"]) == ("merged", "valid", 0, [], 1)
    assert progress_of(ledger) == {"3": EXPECT_3}


def test_held_file_merged_again_is_a_duplicate_and_holds_nothing_more(setup):
    ledger, tampered, f = held_setup(setup, unit=OTHER)
    assert f["held"] == 2
    _, [again] = merge(ledger, tampered)
    assert again["outcome"] == "duplicate" and again["held"] == 0
    assert len(reviews(ledger)) == 2


def test_sheet_of_another_ledger_is_rejected_and_nothing_is_held(setup, tmp_path_factory):
    _, sheet, back = setup
    other = make_ledger(tmp_path_factory.mktemp("another"))
    with Ledger.open(other) as led:
        make_sheets(led, tmp_path_factory.mktemp("another_sheets"), round_name=ROUND, units=[UNIT])
    filled = fill_xlsx(sheet, {"3": FILL_3}, back / sheet.name)
    before = other.read_bytes()
    _, [f] = merge(other, filled)
    assert (f["outcome"], f["held"], f["review"], f["batch"]) == ("rejected", 0, 0, None)
    assert any("另一本台账" in m for m in f["messages"])
    assert reviews(other) == [] and progress_of(other) == {}
    assert other.read_bytes() == before


def test_held_unit_shows_as_held_in_the_dispatch_status(setup):
    ledger, _, f = held_setup(setup, unit=OTHER)
    assert f["held"] == 2
    with Ledger.open(ledger, readonly=True) as led:
        states = {(s.unit, s.round): s.state for s in dispatch_status(led, ROUND)}
    assert states[(UNIT, ROUND)] == "held"
    assert states[(OTHER, ROUND)] == "sent"


# ------------------------------------------------------------------------------ rows moved, copied
def test_sorting_only_the_visible_columns_rematches_rows_by_seq_and_content(setup):
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, back / "a.xlsx")
    sorted_file = sort_visible_columns(filled, back / sheet.name)
    ws = openpyxl.load_workbook(sorted_file).worksheets[0]
    first = header_row(ws) + 1
    assert [ws.cell(first + i, 1).value for i in range(2)] == ["3", "12"]  # typed rows sorted to the top
    ids = task_ids(ledger)
    content_of = {t: s for s, t in ids.items()}
    moved = {r: ws.cell(r, 1).value for r in range(first, ws.max_row + 1)
             if content_of.get(ws.cell(r, col(ID_HEADER)).value) != ws.cell(r, 1).value}
    assert len(moved) > 2
    _, [f] = merge(ledger, sorted_file)
    assert (f["outcome"], f["signature"], f["applied"], f["rejected"], f["conflicts"]) == ("merged", "valid", 2, 0, 0)
    assert progress_of(ledger) == {"3": EXPECT_3, "12": EXPECT_12}
    rows = {r["row"]: r for r in f["rows"]}
    for r, seq in moved.items():
        assert rows[r]["match"] == REMATCHED and rows[r]["task_id"] == ids[seq], rows[r]
    assert all(r["match"] == MATCH_BY_ID for n, r in rows.items() if n not in moved)


def test_row_copied_above_its_original_typed_in_the_original_keeps_its_task(setup):
    ledger, sheet, back = setup
    copied, copy_row, original_row = copy_row_above(sheet, "3", back / sheet.name, original_fill=FILL_3)
    _, [f] = merge(ledger, copied)
    assert f["outcome"] == "merged" and f["applied"] == 1, f["messages"]
    rows = {r["row"]: r for r in f["rows"]}
    assert rows[original_row]["outcome"] == "applied" and rows[original_row]["task_id"] == task_ids(ledger)["3"]
    assert rows[copy_row]["outcome"] != "applied"
    assert progress_of(ledger) == {"3": EXPECT_3}


def test_row_copied_above_its_original_typed_in_the_copy_keeps_its_task(setup):
    ledger, sheet, back = setup
    copied, copy_row, original_row = copy_row_above(sheet, "3", back / sheet.name, copy_fill=FILL_3)
    _, [f] = merge(ledger, copied)
    assert f["outcome"] == "merged" and f["applied"] == 1, f["messages"]
    rows = {r["row"]: r for r in f["rows"]}
    assert rows[copy_row]["outcome"] == "applied" and rows[copy_row]["task_id"] == task_ids(ledger)["3"]
    assert rows[original_row]["outcome"] != "applied"
    assert progress_of(ledger) == {"3": EXPECT_3}


def test_copied_row_with_invented_content_is_rejected_and_nothing_invented_lands(setup):
    ledger, sheet, back = setup
    invented = {"主要内容": "组织开展“社会救助政策宣传月”活动，走村入户发放明白卡。", "状态": "已完成",
                "进展落实情况": "编造的进展：宣传月已办完"}
    before = ledger_json(ledger)
    copied, copy_row, original_row = copy_row_above(sheet, "3", back / sheet.name, copy_fill=invented,
                                                    original_fill=FILL_3)
    _, [f] = merge(ledger, copied)
    assert (f["outcome"], f["applied"], f["rejected"]) == ("merged", 1, 1), f["messages"]
    rows = {r["row"]: r for r in f["rows"]}
    assert rows[copy_row]["outcome"] == "rejected"
    assert rows[original_row]["outcome"] == "applied" and rows[original_row]["task_id"] == task_ids(ledger)["3"]
    assert any(m.startswith(f"第{copy_row}行") and "未导入" in m for m in f["messages"]), f["messages"]
    assert progress_of(ledger) == {"3": EXPECT_3}
    after = ledger_json(ledger)
    assert "编造的进展" not in json.dumps(after, ensure_ascii=False)
    assert [t["content"] for t in after["tasks"]] == [t["content"] for t in before["tasks"]]


# ------------------------------------------------------------------------------ odd statuses
def test_status_outside_the_list_is_applied_as_typed_and_accepting_sets_the_status(setup):
    ledger, sheet, back = setup
    typed = {"状态": "基本完成", "进展落实情况": "大部分政策已推送", "完成日期": "2023-09-05", "佐证材料": "截图.png"}
    odd = {"status": "基本完成", "text": "大部分政策已推送", "done_date": "2023-09-05", "evidence": "截图.png"}
    filled = fill_xlsx(sheet, {"3": typed, "12": FILL_12}, back / sheet.name)
    _, [f] = merge(ledger, filled)
    assert (f["outcome"], f["applied"], f["review"], f["held"]) == ("merged", 2, 1, 0)
    assert any("基本完成" in m and "不在可选范围" in m for m in f["messages"])
    assert progress_of(ledger) == {"3": odd, "12": EXPECT_12}
    [item] = reviews(ledger)
    assert (item.kind, item.unit, item.task_id, item.row) == (REVIEW_STATUS, UNIT, task_ids(ledger)["3"],
                                                                row_of(filled, "3"))
    with Ledger.open(ledger) as led:
        review.accept(led, item.id, status="已完成")
        assert led.reviews() == []
    assert progress_of(ledger) == {"3": {**odd, "status": "已完成"}, "12": EXPECT_12}


def test_status_outside_the_list_rejected_goes_back_to_the_status_sent(fresh, tmp_path):
    set_progress(fresh, "3", SENT_3)
    sheet = send_sheet(fresh, tmp_path / "sent")
    typed = {"状态": "基本完成", "进展落实情况": "大部分政策已推送", "佐证材料": "截图.png"}
    filled = fill_xlsx(sheet, {"3": typed}, tmp_path / sheet.name)
    _, [f] = merge(fresh, filled)
    assert (f["applied"], f["review"]) == (1, 1)
    assert progress_of(fresh)["3"]["status"] == "基本完成"
    [item] = reviews(fresh)
    assert item.kind == REVIEW_STATUS
    with Ledger.open(fresh) as led:
        review.reject(led, item.id, reason="请单位按列表重填")
    assert progress_of(fresh)["3"] == {"status": SENT_3["status"], "text": "大部分政策已推送", "done_date": None,
                                       "evidence": "截图.png"}
    [settled] = reviews(fresh, open_only=False)
    assert settled.state == "rejected"


def test_status_outside_the_list_accepted_as_typed_keeps_it(setup):
    ledger, sheet, back = setup
    filled = fill_xlsx(sheet, {"3": {"状态": "基本完成", "进展落实情况": "大部分政策已推送"}}, back / sheet.name)
    merge(ledger, filled)
    [item] = reviews(ledger)
    with Ledger.open(ledger) as led:
        review.accept(led, item.id)
    assert progress_of(ledger)["3"]["status"] == "基本完成"
    assert reviews(ledger) == []


def test_status_accepted_with_a_status_outside_the_list_is_refused(setup):
    from app.errors import LedgerError

    ledger, sheet, back = setup
    merge(ledger, fill_xlsx(sheet, {"3": {"状态": "基本完成", "进展落实情况": "x"}}, back / sheet.name))
    [item] = reviews(ledger)
    with Ledger.open(ledger) as led, pytest.raises(LedgerError, match="不在可选范围"):
        review.accept(led, item.id, status="差不多")
    assert progress_of(ledger)["3"]["status"] == "基本完成" and len(reviews(ledger)) == 1


# ------------------------------------------------------------------------------ old sheets
def test_old_sheet_without_stamp_takes_its_base_from_the_units_dispatch_with_a_note(fresh, tmp_path):
    """An old sheet's hidden sent values are not believed: the dispatch's are (here they differ, so a
    base from the file would turn the untouched row into a conflict)."""
    set_progress(fresh, "3", SENT_3)
    sheet = send_sheet(fresh, tmp_path / "sent")
    set_progress(fresh, "3", CLERK_3)
    ids = task_ids(fresh)
    filled = fill_xlsx(sheet, {"12": FILL_12}, tmp_path / "a.xlsx")
    old = edit_hidden(filled, tmp_path / sheet.name, drop_stamp=True,
                      task_values={ids["3"]: {"status": None, "text": None}})
    returned = read_return_file(old)
    assert returned.hidden and returned.dispatch_id is None and returned.signature is None
    [sent] = dispatches(fresh)
    _, [f] = merge(fresh, old)
    assert (f["outcome"], f["signature"], f["dispatch"], f["held"]) == ("merged", "absent", sent.id, 0)
    assert (f["applied"], f["conflicts"]) == (1, 0), f["messages"]
    assert any("发送记录" in m for m in f["messages"]), f["messages"]
    assert progress_of(fresh) == {"3": CLERK_3, "12": EXPECT_12}


def test_old_sheet_without_any_dispatch_is_merged_from_its_hidden_data_with_a_note(fresh, tmp_path):
    from app.formats.returns import write_return_sheet

    with Ledger.open(fresh, readonly=True) as led:
        sheet = write_return_sheet(led.document(), UNIT, ROUND, tmp_path)  # no stamp: as before dispatches
    assert read_return_file(sheet).dispatch_id is None
    filled = fill_xlsx(sheet, {"3": FILL_3}, tmp_path / "a.xlsx")
    _, [f] = merge(fresh, filled)
    assert (f["outcome"], f["signature"], f["dispatch"], f["applied"]) == ("merged", "absent", None, 1)
    assert any("旧版填报表" in m for m in f["messages"])
    assert progress_of(fresh) == {"3": EXPECT_3}


def test_old_sheet_with_the_formal_county_name_resolves_to_the_directorys_unit(setup):
    ledger, sheet, back = setup
    with Ledger.open(ledger, readonly=True) as led:
        assert "西吉县" in led.document().title
    old = edit_hidden(fill_xlsx(sheet, {"3": FILL_3}, back / "a.xlsx"), back / sheet.name, drop_stamp=True,
                      unit="西吉县民政局")
    _, [f] = merge(ledger, old)
    assert (f["outcome"], f["unit"], f["applied"], f["held"]) == ("merged", UNIT, 1, 0), f["messages"]
    assert any("西吉县民政局" in m and f"“{UNIT}”" in m for m in f["messages"]), f["messages"]
    assert progress_of(ledger) == {"3": EXPECT_3}
    assert not any(u for u in ledger_json(ledger)["units"] if u["name"] == "西吉县民政局")


def test_old_sheet_with_an_unknown_unit_is_rejected_naming_the_hidden_cell_and_what_to_do(setup):
    ledger, sheet, back = setup
    old = edit_hidden(fill_xlsx(sheet, {"3": FILL_3}, back / "a.xlsx"), back / sheet.name, drop_stamp=True,
                      unit="县档案馆")
    before = ledger.read_bytes()
    _, [f] = merge(ledger, old)
    assert (f["outcome"], f["held"], f["review"], f["batch"]) == ("rejected", 0, 0, None)
    [message] = [m for m in f["messages"] if "县档案馆" in m]
    assert HIDDEN_UNIT_CELL in message and "_ledgerdesk" in message and "未导入" in message
    assert "请核对该单元格" in message or "--alias" in message
    assert ledger.read_bytes() == before and reviews(ledger) == []


def test_old_sheet_naming_another_countys_unit_is_not_taken_silently(setup):
    """"固原县民政局" is not this ledger's 县民政局 (the title names 西吉县): refused, with the alias to add."""
    ledger, sheet, back = setup
    old = edit_hidden(fill_xlsx(sheet, {"3": FILL_3}, back / "a.xlsx"), back / sheet.name, drop_stamp=True,
                      unit="海原县民政局")
    _, [f] = merge(ledger, old)
    assert f["outcome"] == "rejected" and f["held"] == 0
    assert any(HIDDEN_UNIT_CELL in m and f"--alias {UNIT} 海原县民政局" in m for m in f["messages"]), f["messages"]
    assert progress_of(ledger) == {}


def test_latest_dispatch_of_a_unit_is_the_one_recorded_last_even_within_one_second(fresh, tmp_path):
    """Two sheets sent to one unit in the same second (dispatch times have no microseconds): rows
    pasted into a new workbook take their base from the dispatch recorded last, whatever its id."""
    from app.formats.returns import write_return_sheet

    when = datetime(2023, 9, 1, 9, 0, 0)
    with Ledger.open(fresh) as led:
        first = dispatch_for(led.document(), UNIT, ROUND, now=when)  # sent blank
        first.id = "ffffffff-0000-4000-8000-000000000000"
        led.record_dispatches([first])
    set_progress(fresh, "3", SENT_3)
    with Ledger.open(fresh) as led:
        doc = led.document()
        second = dispatch_for(doc, UNIT, ROUND, now=when)  # sent again at once, now with SENT_3
        second.id = "00000000-0000-4000-8000-000000000000"
        led.record_dispatches([second])
        sheet = write_return_sheet(doc, UNIT, ROUND, tmp_path / "second.xlsx")
    set_progress(fresh, "3", CLERK_3)
    pasted = paste_into_new_workbook(fill_xlsx(sheet, {"12": FILL_12}, tmp_path / "a.xlsx"),
                                     tmp_path / f"{UNIT}_{ROUND}.xlsx")
    _, [f] = merge(fresh, pasted)
    assert f["dispatch"] == second.id
    assert (f["applied"], f["conflicts"]) == (1, 0), f["messages"]
    assert progress_of(fresh) == {"3": CLERK_3, "12": EXPECT_12}


# ------------------------------------------------------------------------------ pasted, Word, folders
def test_rows_pasted_into_a_new_workbook_are_matched_by_file_name_and_content_base_from_the_dispatch(fresh, tmp_path):
    set_progress(fresh, "3", SENT_3)
    sheet = send_sheet(fresh, tmp_path / "sent")
    set_progress(fresh, "3", CLERK_3)
    filled = fill_xlsx(sheet, {"12": FILL_12}, tmp_path / "a.xlsx")
    pasted = paste_into_new_workbook(filled, tmp_path / f"{UNIT}_{ROUND}.xlsx")
    assert META_SHEET not in openpyxl.load_workbook(pasted).sheetnames
    [sent] = dispatches(fresh)
    _, [f] = merge(fresh, pasted)
    assert (f["outcome"], f["unit"], f["round"], f["dispatch"], f["held"]) == ("merged", UNIT, ROUND, sent.id, 0)
    assert (f["applied"], f["conflicts"], f["rejected"]) == (1, 0, 0), f["messages"]
    assert any("没有隐藏数据" in m for m in f["messages"])
    ids = task_ids(fresh)
    assert {r["task_id"] for r in f["rows"]} == {r.task_id for r in sent.rows}
    assert next(r for r in f["rows"] if r["task_id"] == ids["12"])["outcome"] == "applied"
    assert progress_of(fresh) == {"3": CLERK_3, "12": EXPECT_12}  # the untouched pasted row did not fight the clerk


def test_word_sheet_is_signed_and_an_edited_hidden_unit_holds_its_rows(setup):
    from tests.merge_fixtures import fill_docx

    ledger, _, back = setup
    docx_sheet = send_sheet(ledger, back / "word", fmt="docx")
    filled = fill_docx(docx_sheet, {"3": FILL_3}, back / docx_sheet.name)
    returned = read_return_file(filled)
    assert returned.dispatch_id and returned.signature
    # the liaison reveals hidden text in Word and edits the unit in the "#ldmeta:" paragraph
    import docx

    word = docx.Document(str(filled))
    [para] = [p for p in word.paragraphs if p.text.startswith("#ldmeta:")]
    meta = json.loads(para.text[len("#ldmeta:"):])
    meta["unit"] = OTHER
    for run in para.runs[1:]:
        run.text = ""
    para.runs[0].text = "#ldmeta:" + json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    tampered = back / f"改_{docx_sheet.name}"
    word.save(str(tampered))
    _, [f] = merge(ledger, tampered)
    assert (f["outcome"], f["held"], f["signature"], f["unit"]) == ("rejected", 1, "invalid", UNIT)
    assert progress_of(ledger) == {} and progress_of(ledger, unit=OTHER) == {}
    _, [ok] = merge(ledger, filled)
    assert (ok["outcome"], ok["signature"], ok["applied"]) == ("merged", "valid", 1)
    assert progress_of(ledger) == {"3": EXPECT_3}


def test_every_file_of_a_folder_has_its_line_in_the_report(setup):
    ledger, sheet, back = setup
    folder = back / "returned"
    folder.mkdir()
    fill_xlsx(sheet, {"3": FILL_3}, folder / sheet.name)
    (folder / "说明.txt").write_text("各位联络员：请按时报送。", encoding="utf-8")
    (folder / "推送截图.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    lock = f"~${UNIT}_{ROUND}.xlsx"
    (folder / lock).write_bytes(b"\x08zhangsan" + b"\x20" * 46 + b"\x08\x00z\x00h\x00" + b"\x00" * 100)
    calc_lock = f".~lock.{UNIT}_{ROUND}.xlsx#"
    (folder / calc_lock).write_text("zhangsan,PC-01/zhangsan,PC-01,01.09.2023 09:00,file:///C:/Users/zhangsan;",
                                    encoding="utf-8")
    report, files = merge(ledger, folder)
    outcomes = {f["file"]: f["outcome"] for f in files}
    assert outcomes == {sheet.name: "merged", "说明.txt": "rejected", "推送截图.png": "rejected", lock: "rejected",
                        calc_lock: "rejected"}
    for f in files:
        if f["outcome"] == "rejected":
            assert f["messages"] and f["messages"][0].startswith(f["file"] + "："), f
            assert f["held"] == 0
    for name in (lock, calc_lock):
        line = next(f for f in files if f["file"] == name)["messages"][0]
        assert "锁定文件" in line or "临时" in line, line
    assert progress_of(ledger) == {"3": EXPECT_3}
    assert len(report.batches) == 1


# ------------------------------------------------------------------------------ liaison files
def _liaison(ledger: Path, out: Path) -> Path:
    with Ledger.open(ledger) as led:
        return make_package(led, UNIT, out, round_name=ROUND)


def _edit_liaison_json(path: Path, out: Path, edit) -> Path:
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    data = json.loads(members[MEMBER])
    edit(data)
    members[MEMBER] = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out


def test_liaison_file_is_a_signed_dispatch_and_merges_with_signature_valid(fresh, tmp_path):
    package = _liaison(fresh, tmp_path)
    [sent] = dispatches(fresh)
    with zipfile.ZipFile(package) as archive:
        data = json.loads(archive.read(MEMBER))
    assert (sent.unit, sent.round, sent.fmt, sent.file_name) == (UNIT, ROUND, "ldpkg", package.name)
    assert data["dispatch_id"] == sent.id and data["signature"].startswith("hmac-sha256:")
    assert [t["task_id"] for t in data["tasks"]] == [r.task_id for r in sent.rows]
    ids = task_ids(fresh)
    fill_liaison_file(package, {ids["3"]: {"status": "进行中", "text": "已推送社会救助政策12条",
                                           "done_date": "2023-09-01", "evidence": "推送截图.png"}},
                      reporter="李强", phone="13900000000")
    _, [f] = merge(fresh, package)
    assert (f["outcome"], f["signature"], f["dispatch"], f["applied"], f["held"]) == ("merged", "valid", sent.id, 1, 0)
    assert progress_of(fresh) == {"3": EXPECT_3}


def test_liaison_file_with_its_unit_edited_is_held_and_accepted_under_the_dispatchs_unit(fresh, tmp_path):
    package = _liaison(fresh, tmp_path)
    ids = task_ids(fresh)
    fill_liaison_file(package, {ids["3"]: {"status": "进行中", "text": "已推送社会救助政策12条",
                                           "done_date": "2023-09-01", "evidence": "推送截图.png"}})
    (tmp_path / "back").mkdir()
    tampered = _edit_liaison_json(package, tmp_path / "back" / package.name, lambda d: d.update(unit=OTHER))
    _, [f] = merge(fresh, tampered)
    assert (f["outcome"], f["held"], f["signature"], f["unit"]) == ("rejected", 1, "invalid", UNIT)
    assert any(m.startswith("未合并：") for m in f["messages"])
    assert progress_of(fresh) == {} and progress_of(fresh, unit=OTHER) == {}
    [item] = reviews(fresh)
    assert (item.kind, item.unit, item.task_id) == (REVIEW_HELD, UNIT, ids["3"])
    with Ledger.open(fresh) as led:
        review.accept(led, item.id)
    assert progress_of(fresh) == {"3": EXPECT_3} and progress_of(fresh, unit=OTHER) == {}


def test_liaison_file_with_a_sent_value_edited_is_held(fresh, tmp_path):
    package = _liaison(fresh, tmp_path)
    ids = task_ids(fresh)
    fill_liaison_file(package, {ids["3"]: {"status": "已完成", "text": "完成"}})

    def forge(data: dict) -> None:
        task = next(t for t in data["tasks"] if t["task_id"] == ids["3"])
        task["sent"]["status"] = "已完成"

    (tmp_path / "back").mkdir()
    tampered = _edit_liaison_json(package, tmp_path / "back" / package.name, forge)
    _, [f] = merge(fresh, tampered)
    assert (f["outcome"], f["held"], f["signature"]) == ("rejected", 1, "invalid")
    assert progress_of(fresh) == {}


# ------------------------------------------------------------------------------ migration
def _ledger_at_revision(source: Path, target: Path, revision: str) -> None:
    """`source`'s data in a file at an older schema revision (the columns that revision has)."""
    engine = store_file.make_engine(target)
    store_file.upgrade(engine, revision)
    engine.dispose()
    con = sqlite3.connect(target)
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    con.execute("PRAGMA foreign_keys = OFF")
    tables = [r[0] for r in con.execute("SELECT name FROM main.sqlite_master WHERE type='table'")
              if r[0] not in ("alembic_version",) and not r[0].startswith("sqlite_")]
    for table in tables:
        cols = [r[1] for r in con.execute(f"PRAGMA main.table_info('{table}')")]
        have = {r[1] for r in con.execute(f"PRAGMA src.table_info('{table}')")}
        shared = ", ".join(f'"{c}"' for c in cols if c in have)
        con.execute(f'INSERT INTO main."{table}" ({shared}) SELECT {shared} FROM src."{table}"')
    con.commit()
    con.execute("DETACH DATABASE src")
    con.close()


def test_ledger_made_at_revision_0003_upgrades_gets_a_secret_and_sends_signed_sheets(raw_template, tmp_path):
    old = tmp_path / "旧台账.ldg"
    _ledger_at_revision(raw_template, old, "0003")
    con = sqlite3.connect(old)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0003"
    assert "secret" not in {r[1] for r in con.execute("PRAGMA table_info('ledger_info')")}
    con.close()
    with Ledger.open(old) as led:
        assert led.migration_backup is not None and led.migration_backup.exists()
        assert store_file.current_revision(led._engine) == store_file.head_revision()
        assert len(led.document().tasks) == 38 and led.dispatches() == [] and led.reviews() == []
        secret = led.secret(create=False)
        assert len(secret) >= 16
        [sheet] = make_sheets(led, tmp_path / "sent", round_name=ROUND, units=[UNIT])
    returned = read_return_file(sheet)
    [sent] = dispatches(old)
    assert returned.dispatch_id == sent.id and returned.signature
    filled = fill_xlsx(sheet, {"3": FILL_3}, tmp_path / sheet.name)
    _, [f] = merge(old, filled)
    assert (f["outcome"], f["signature"], f["applied"]) == ("merged", "valid", 1)
    assert progress_of(old) == {"3": EXPECT_3}
    # a tampered sheet of the upgraded ledger is held, as from any other
    tampered = edit_hidden(filled, tmp_path / f"改_{sheet.name}", unit=OTHER)
    _, [g] = merge(old, tampered)
    assert (g["outcome"], g["signature"]) == ("rejected", "invalid")


def test_two_ledgers_upgraded_from_0003_get_different_secrets(raw_template, tmp_path):
    secrets = []
    for name in ("a.ldg", "b.ldg"):
        _ledger_at_revision(raw_template, tmp_path / name, "0003")
        with Ledger.open(tmp_path / name) as led:
            secrets.append(led.secret(create=False))
    assert all(secrets) and secrets[0] != secrets[1]
