"""LibreOffice Calc plays the liaison: typed, sorted, copied, pasted and tampered return sheets, then `merge`.

Each test: one soffice session (uno_liaison.py) does what a liaison does to the sheet the clerk sent,
saves the file as the liaison would, and the test merges it into a copy of the ledger and looks at
the ledger's JSON export (and `review --json`). Expectations come from the sheet as generated (read
with openpyxl before LibreOffice touches it), never from what the merge happens to do today.
"""

from __future__ import annotations

import pytest

from tests.contract.harness import ok, run, seed
from tests.liaison.helpers import (
    ID_COL,
    META,
    SHEET,
    Fill,
    all_entries,
    assert_only,
    check_typed,
    close,
    export,
    file_name,
    fills,
    merge,
    meta_steps,
    office_missing,
    one_file,
    open_doc,
    pick,
    received,
    review,
    review_items,
    save,
    texts_in_ledger,
    type_cells,
)

pytestmark = pytest.mark.skipif(office_missing() is not None, reason=f"LibreOffice: {office_missing()}")

CONTENT, LAST_VISIBLE = "C", "J"  # 主要内容; the last column a liaison sees


def typed_cells(typed: dict) -> list[tuple[str, str]]:
    return [c for row, fill in typed.items() for c in fill.calc_cells(row.row)]


def shown_fill(line: list[str]) -> list[str]:
    """The four fill-in cells (G..J) of a row read back from A..K."""
    return line[6:10]


# ---------------------------------------------------------------- 1
@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_typed_rows_land_on_their_tasks_under_the_sheets_unit(world, office, ledger, tmp_path, suffix):
    sheet = world.xlsx
    typed = dict(zip(pick(sheet.rows, 3), fills("类型" + suffix.lstrip("."), 3)))
    cells = typed_cells(typed)
    back = tmp_path / "back" / (sheet.path.stem + suffix)

    done = office.play(
        [open_doc(received(sheet, tmp_path)), type_cells(cells), save(back), close()], tmp_path / "lo"
    )
    check_typed(done[1], cells)

    report = one_file(merge(ledger, back))
    assert report["outcome"] == "merged", report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill for row, fill in typed.items()}, sheet.unit, sheet.round)


# ---------------------------------------------------------------- 3, 4
@pytest.mark.parametrize("last_col", [LAST_VISIBLE, ID_COL], ids=["visible_columns_A_J", "whole_rows_A_K"])
def test_sorted_rows_keep_their_entries_on_their_tasks(world, office, ledger, tmp_path, last_col):
    """Sort by 主要内容 descending. A:J leaves the hidden ids behind (they no longer match their rows);
    A:K moves them along. Either way each entry belongs to the task whose 主要内容 is in its row."""
    sheet = world.xlsx
    typed = dict(zip(pick(sheet.rows, 3), fills("排序" + last_col, 3)))
    cells = typed_cells(typed)
    first, last = sheet.rows[0].row, sheet.last_row
    back = tmp_path / "back" / sheet.path.name

    done = office.play(
        [
            open_doc(received(sheet, tmp_path)),
            type_cells(cells),
            {"op": "unprotect", "sheet": SHEET},  # Calc refuses to sort locked cells of a protected sheet
            {"op": "sort", "range": f"A{first}:{last_col}{last}", "key": CONTENT, "descending": True},
            {"op": "read", "range": f"A{first}:{ID_COL}{last}"},
            save(back),
            close(),
        ],
        tmp_path / "lo",
    )
    check_typed(done[1], cells)

    # what the liaison's sort did (so the test checks what it says it checks)
    grid = done[4]["grid"]
    contents = [line[2] for line in grid]
    assert contents != [r.content for r in sheet.rows] and sorted(contents) == sorted(
        r.content for r in sheet.rows
    )
    by_content = {line[2]: line for line in grid}
    for row, fill in typed.items():
        assert shown_fill(by_content[row.content]) == [fill.status, fill.text, fill.done_date, fill.evidence]
    ids_after = [line[10] for line in grid]
    if last_col == LAST_VISIBLE:
        assert ids_after == [r.task_id for r in sheet.rows], "the hidden ids must stay where they were"
        foreign = [row for row in typed if by_content[row.content][10] != row.task_id]
        assert len(foreign) >= 2, "the sort should have put typed rows beside other tasks' hidden ids"
    else:
        assert all(by_content[r.content][10] == r.task_id for r in sheet.rows), (
            "ids must move with their rows"
        )
        assert ids_after != [r.task_id for r in sheet.rows]

    report = one_file(merge(ledger, back))
    assert report["outcome"] == "merged", report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill for row, fill in typed.items()}, sheet.unit, sheet.round)


# ---------------------------------------------------------------- 5
def test_copied_row_with_a_changed_task_is_not_applied(world, office, ledger, tmp_path):
    """Copy a row, insert the copy above it (same hidden id), rewrite the copy's 主要内容, fill both."""
    sheet = world.xlsx
    genuine = sheet.rows[3]
    n = genuine.row
    invented = "【复制行】新增：组织开展政务公开业务培训班两期，覆盖全县各单位联络员"
    copy_fill, genuine_fill = fills("复制行", 2)
    cells = [(f"{CONTENT}{n}", invented), *copy_fill.calc_cells(n), *genuine_fill.calc_cells(n + 1)]
    back = tmp_path / "back" / sheet.path.name

    done = office.play(
        [
            open_doc(received(sheet, tmp_path)),
            {"op": "unprotect", "sheet": SHEET},  # inserting rows is refused on the protected sheet
            {"op": "copy", "row": n},
            {"op": "insert_rows", "at": f"A{n}"},
            {"op": "paste", "at": f"A{n}"},
            type_cells(cells),
            {"op": "read", "range": f"A{n}:{ID_COL}{n + 1}"},
            save(back),
            close(),
        ],
        tmp_path / "lo",
    )
    check_typed(done[5], cells)
    copy_line, genuine_line = done[6]["grid"]
    assert copy_line[10] == genuine_line[10] == genuine.task_id, "the copy must carry the same hidden id"
    assert (copy_line[0], copy_line[2], genuine_line[2]) == (genuine.seq, invented, genuine.content)

    report = one_file(merge(ledger, back))
    assert report["rejected"] >= 1, report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {genuine.task_id: genuine_fill}, sheet.unit, sheet.round)
    known = texts_in_ledger(data)
    assert invented not in known and copy_fill.text not in known


# ---------------------------------------------------------------- 6
def test_invented_row_under_the_last_row_is_rejected(world, office, ledger, tmp_path):
    sheet = world.xlsx
    typed = dict(zip(pick(sheet.rows, 2), fills("新增行", 2)))
    new = sheet.last_row + 1
    next_seq = str(max(int(r.seq) for r in sheet.rows if r.seq.isdigit()) + 1)
    invented = "【新增行】自行增加：建设政务公开专区，开展“政府开放日”活动"
    new_fill = Fill("进行中", "【新增行】已完成专区选址", "2023-09-05", "专区照片.jpg")
    new_cells = [
        (f"A{new}", next_seq),
        (f"B{new}", "自行增加的工作"),
        (f"{CONTENT}{new}", invented),
        *new_fill.calc_cells(new),
    ]
    back = tmp_path / "back" / sheet.path.name

    done = office.play(
        [
            open_doc(received(sheet, tmp_path)),
            type_cells(typed_cells(typed)),
            {"op": "unprotect", "sheet": SHEET},  # the cells under the table are locked
            type_cells(new_cells),
            save(back),
            close(),
        ],
        tmp_path / "lo",
    )
    check_typed(done[1], typed_cells(typed))
    check_typed(done[3], new_cells)

    report = one_file(merge(ledger, back))
    assert report["rejected"] >= 1, report
    assert report["messages"], report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill for row, fill in typed.items()}, sheet.unit, sheet.round)
    known = texts_in_ledger(data)
    assert invented not in known and new_fill.text not in known


# ---------------------------------------------------------------- 7
def test_table_pasted_into_a_new_workbook_is_merged_by_file_name(world, office, ledger, tmp_path):
    """Header and rows (A:J, no hidden column, no hidden sheet) pasted into File > New, filled, saved."""
    sheet = world.xlsx
    typed = dict(zip(pick(sheet.rows, 3), fills("新工作簿", 3)))
    offset = sheet.header_row - 1  # the header lands in row 1
    cells = [c for row, fill in typed.items() for c in fill.calc_cells(row.row - offset)]
    back = tmp_path / "fresh" / f"{sheet.unit}_{sheet.round}.xlsx"

    done = office.play(
        [
            open_doc(received(sheet, tmp_path)),
            {"op": "copy", "range": f"A{sheet.header_row}:{LAST_VISIBLE}{sheet.last_row}"},
            {"op": "new_calc", "doc": "n"},
            {"op": "paste", "doc": "n", "at": "A1"},
            type_cells(cells, doc="n"),
            {"op": "read", "doc": "n"},
            save(back, doc="n"),
            close("n"),
            close(),
        ],
        tmp_path / "lo",
    )
    check_typed(done[4], cells)
    grid = done[5]["grid"]
    assert grid[0][:3] == ["序号", "重点工作", "主要内容"] and len(grid[0]) == 10, grid[0]
    assert len(grid) == len(sheet.rows) + 1 and [line[0] for line in grid[1:]] == [r.seq for r in sheet.rows]

    report = one_file(merge(ledger, back))
    assert report["outcome"] == "merged", report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill for row, fill in typed.items()}, sheet.unit, sheet.round)


# ---------------------------------------------------------------- 8
def test_tampered_hidden_unit_is_held_for_review_and_accepted_under_the_real_unit(
    world, office, ledger, tmp_path
):
    sheet = world.xlsx
    theirs = {r.task_id for r in world.other_xlsx.rows}
    shared = [r for r in sheet.rows if r.task_id in theirs]  # tasks the other unit's sheet lists too
    typed = dict(zip(pick(shared, 2), fills("改单位", 2)))
    cells = typed_cells(typed)
    unit_cell = f"B{sheet.meta_rows['unit']}"
    show_meta, hide_meta = meta_steps(sheet)
    back = tmp_path / "back" / sheet.path.name

    done = office.play(
        [
            open_doc(received(sheet, tmp_path)),
            type_cells(cells),
            *show_meta,
            type_cells([(unit_cell, world.other)]),
            *hide_meta,
            {"op": "read", "sheet": META, "range": f"A1:B{sheet.meta_rows['unit']}"},
            save(back),
            close(),
        ],
        tmp_path / "lo",
    )
    check_typed(done[1], cells)
    check_typed(done[4], [(unit_cell, world.other)])
    assert done[-3]["grid"][-1] == ["unit", world.other] and not done[-3]["visible"]

    merge(ledger, back)
    data = export(ledger, tmp_path / "after.json")
    assert not all_entries(data), (
        f"nothing may be filed (under {world.other} nor {world.unit}): {all_entries(data)}"
    )

    items = review_items(ledger)
    held = [
        i for i in items if i["kind"] == "held" and i["state"] == "open" and file_name(i["file"]) == back.name
    ]
    assert {row.task_id for row in typed} <= {i["task_id"] for i in held}, items
    first_row, first_fill = next(iter(typed.items()))
    [item] = [i for i in held if i["task_id"] == first_row.task_id]
    ok(review(ledger, "--accept", item["id"]))
    data = export(ledger, tmp_path / "accepted.json")
    assert_only(data, {first_row.task_id: first_fill}, world.unit, sheet.round)


# ---------------------------------------------------------------- 9
def test_status_outside_the_list_is_kept_and_flagged_for_review(world, office, ledger, tmp_path):
    sheet = world.xlsx
    [row] = pick(sheet.rows, 1)
    fill = Fill("基本完成", "【状态】主体工作基本完成，剩余资料正在整理归档", "2023-09-20", "整改台账.xlsx")
    cells = fill.calc_cells(row.row)
    back = tmp_path / "back" / sheet.path.name

    done = office.play(
        [open_doc(received(sheet, tmp_path)), type_cells(cells), save(back), close()], tmp_path / "lo"
    )
    check_typed(done[1], cells)  # the list validation only warns: the typed status stays

    merge(ledger, back)
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill}, sheet.unit, sheet.round)
    items = review_items(ledger)
    assert [i for i in items if i["kind"] == "status" and i["task_id"] == row.task_id], items


# ---------------------------------------------------------------- 10
def test_old_style_sheet_with_the_formal_unit_name_files_under_the_canonical_unit(
    world, office, ledger, tmp_path
):
    """A sheet as an older version made it (no dispatch id, no signature), the unit written in full."""
    sheet = world.xlsx
    typed = dict(zip(pick(sheet.rows, 2), fills("旧表", 2)))
    cells = typed_cells(typed)
    formal = ("西吉" if world.unit.startswith("县") else "西吉县") + world.unit
    meta = sheet.meta_rows
    emptied = [f"B{meta[k]}" for k in ("dispatch_id", "signature") if k in meta]
    show_meta, hide_meta = meta_steps(sheet)
    back = tmp_path / "back" / sheet.path.name

    steps = [open_doc(received(sheet, tmp_path)), type_cells(cells), *show_meta]
    if emptied:
        steps.append({"op": "clear", "cells": emptied})
    steps += [
        type_cells([(f"B{meta['unit']}", formal)]),
        *hide_meta,
        {"op": "read", "sheet": META, "range": f"A1:B{max(meta.values())}"},
        save(back),
        close(),
    ]
    done = office.play(steps, tmp_path / "lo")
    check_typed(done[1], cells)
    hidden = {line[0]: line[1] for line in done[-3]["grid"]}
    assert hidden["unit"] == formal and all(
        hidden[k] == "" for k in ("dispatch_id", "signature") if k in hidden
    )

    report = one_file(merge(ledger, back))
    assert report["outcome"] == "merged", report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill for row, fill in typed.items()}, world.unit, sheet.round)


# ---------------------------------------------------------------- 11
def test_sheet_of_another_ledger_is_rejected(world, office, tmp_path):
    other_ledger = tmp_path / "另一本台账.ledger"
    ok(run("import", seed("000"), "-o", other_ledger))
    sheet = world.xlsx  # sent from the session's ledger, not from other_ledger
    typed = dict(zip(pick(sheet.rows, 2), fills("别的台账", 2)))
    cells = typed_cells(typed)
    back = tmp_path / "back" / sheet.path.name

    done = office.play(
        [open_doc(received(sheet, tmp_path)), type_cells(cells), save(back), close()], tmp_path / "lo"
    )
    check_typed(done[1], cells)

    report = one_file(merge(other_ledger, back))
    assert report["outcome"] == "rejected", report
    data = export(other_ledger, tmp_path / "after.json")
    assert not all_entries(data), all_entries(data)
