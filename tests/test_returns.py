"""Play departments: generate sheets from the seed 000 ledger, fill and mangle them, merge, check the ledger."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from app import review
from app.core.records import Progress
from app.formats.returns import META_SHEET, read_return_file
from app.ledger import Ledger
from app.returns import merge_files, undo_merge
from app.sending import make_sheets
from tests.merge_fixtures import (
    ROUND,
    UNIT,
    fill_docx,
    fill_xlsx,
    header_row,
    ledger_json,
    make_ledger,
    paste_into_new_workbook,
    progress_of,
    reorder_rows,
    without_meta,
)

FILL_3 = {"状态": "进行中", "进展落实情况": "已推送社会救助政策12条", "完成日期": "2023-09-01", "佐证材料": "推送截图.png"}
FILL_12 = {"状态": "已完成", "进展落实情况": "专栏已更新"}
EXPECT_3 = {"status": "进行中", "text": "已推送社会救助政策12条", "done_date": "2023-09-01", "evidence": "推送截图.png"}
EXPECT_12 = {"status": "已完成", "text": "专栏已更新", "done_date": None, "evidence": ""}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_ledger(tmp_path_factory.mktemp("template"))


@pytest.fixture
def setup(template, tmp_path):
    """(ledger path, the unit's sheet, folder of all sheets)."""
    ledger = tmp_path / "台账.ldg"
    shutil.copy(template, ledger)
    out = tmp_path / "sheets"
    with Ledger.open(ledger) as led:
        paths = make_sheets(led, out, round_name=ROUND)
    sheet = out / f"{UNIT}_{ROUND}.xlsx"
    assert sheet in paths
    return ledger, sheet, tmp_path


def merge(ledger: Path, *files: Path, dry_run: bool = False):
    with Ledger.open(ledger) as led:
        report = merge_files(led, list(files), dry_run=dry_run)
    return report, report.to_json()["files"]


def expected_json(before: dict, seq_values: dict[str, dict], *, unit=UNIT, round_name=ROUND, source="") -> dict:
    """The ledger JSON `before` plus these progress entries (what a merge must produce)."""
    for task in before["tasks"]:
        if task["seq"] in seq_values:
            task["progress"] = [p for p in task["progress"] if not (p["unit"] == unit and p["round"] == round_name)]
            task["progress"].append({"unit": unit, "round": round_name, **seq_values[task["seq"]], "source": source})
    return before


def test_filled_sheet_is_applied_and_ledger_json_matches(setup):
    ledger, sheet, tmp = setup
    before = ledger_json(ledger)
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, tmp / f"{UNIT}_{ROUND}.xlsx")
    report, [f] = merge(ledger, filled)
    assert f["outcome"] == "merged" and (f["unit"], f["round"]) == (UNIT, ROUND)
    # 36 rows: 6 tasks naming 县民政局, 30 of the group 各部门（单位）
    assert (f["applied"], f["unchanged"], f["conflicts"], f["rejected"]) == (2, 34, 0, 0)
    assert ledger_json(ledger) == expected_json(before, {"3": EXPECT_3, "12": EXPECT_12}, source=filled.name)
    assert report.backup and Path(report.backup).is_file()


def test_reordered_rows_are_matched_by_hidden_id(setup):
    ledger, sheet, tmp = setup
    filled = reorder_rows(fill_xlsx(sheet, {"3": FILL_3}, tmp / "a.xlsx"), tmp / f"{UNIT}_{ROUND}_排序.xlsx")
    assert openpyxl.load_workbook(filled).worksheets[0].cell(header_row(openpyxl.load_workbook(filled).worksheets[0]) + 1, 1).value == "38"
    _, [f] = merge(ledger, filled)
    assert f["applied"] == 1 and f["rejected"] == 0
    assert progress_of(ledger) == {"3": EXPECT_3}


def test_deleted_hidden_sheet_falls_back_to_file_name_and_seq_content(setup):
    ledger, sheet, tmp = setup
    filled = without_meta(fill_xlsx(sheet, {"3": FILL_3}, tmp / "a.xlsx"), tmp / f"{UNIT}_{ROUND}.xlsx")
    assert META_SHEET not in openpyxl.load_workbook(filled).sheetnames
    _, [f] = merge(ledger, filled)
    assert f["outcome"] == "merged" and f["unit"] == UNIT and f["applied"] == 1
    assert any("没有隐藏数据" in m for m in f["messages"])
    assert progress_of(ledger) == {"3": EXPECT_3}


def test_rows_pasted_into_a_fresh_workbook_are_matched_by_seq_and_content(setup):
    ledger, sheet, tmp = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, tmp / "a.xlsx")
    pasted = paste_into_new_workbook(filled, tmp / f"民政局{ROUND}进展.xlsx")
    _, [f] = merge(ledger, pasted)
    assert f["unit"] == UNIT and f["applied"] == 2
    assert any("按序号与内容匹配（相似度 100）" in m for m in f["messages"])
    assert progress_of(ledger) == {"3": EXPECT_3, "12": EXPECT_12}


def test_edited_locked_column_rejects_that_row_only(setup):
    ledger, sheet, tmp = setup
    filled = fill_xlsx(sheet, {"3": {**FILL_3, "主要内容": "改过的内容"}, "12": FILL_12}, tmp / f"{UNIT}_{ROUND}.xlsx")
    _, [f] = merge(ledger, filled)
    assert (f["applied"], f["rejected"]) == (1, 1)
    assert any("锁定列“主要内容”被修改" in m for m in f["messages"])
    assert progress_of(ledger) == {"12": EXPECT_12}


def test_row_of_another_units_task_is_rejected(setup):
    ledger, sheet, tmp = setup
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    ws.append(["18", "", "各决策单位根据年度重点工作,依法编制本单位年度重大行政决策事项目录,通过县人民政府门户网站向社会公开,公开率达到100%。",
               "", "", "", "已完成", "民政局替办公室填的"])
    wb.save(tmp / f"{UNIT}_{ROUND}.xlsx")
    _, [f] = merge(ledger, tmp / f"{UNIT}_{ROUND}.xlsx")
    assert f["rejected"] == 1 and f["applied"] == 0
    assert any("不属于县民政局，未导入" in m and m.startswith(f"第{ws.max_row}行") for m in f["messages"])
    assert progress_of(ledger) == {}
    assert progress_of(ledger, unit="县人民政府办公室") == {}


def test_same_file_twice_is_a_duplicate_and_changes_nothing(setup):
    ledger, sheet, tmp = setup
    filled = fill_xlsx(sheet, {"3": FILL_3}, tmp / f"{UNIT}_{ROUND}.xlsx")
    merge(ledger, filled)
    after_first = ledger_json(ledger)
    report, [f] = merge(ledger, filled)
    assert f["outcome"] == "duplicate" and report.batch is None
    assert ledger_json(ledger) == after_first


def test_newer_return_supersedes_the_older(setup):
    ledger, sheet, tmp = setup
    (tmp / "v1").mkdir()
    v1 = fill_xlsx(sheet, {"3": FILL_3}, tmp / "v1" / f"{UNIT}_{ROUND}.xlsx")
    v2 = fill_xlsx(sheet, {"3": {**FILL_3, "状态": "已完成", "进展落实情况": "全部推送完毕"}}, tmp / f"{UNIT}_{ROUND}_v2.xlsx")
    merge(ledger, v1)
    _, [f] = merge(ledger, v2)
    assert (f["applied"], f["conflicts"]) == (1, 0)
    assert "更新了1条（较上次报送）" in f["messages"]
    assert progress_of(ledger)["3"] == {**EXPECT_3, "status": "已完成", "text": "全部推送完毕"}


def test_clerk_edit_meanwhile_makes_a_conflict_kept_for_choice(setup):
    ledger, sheet, tmp = setup
    with Ledger.open(ledger) as led:
        task3 = next(t for t in led.document().tasks if t.seq == "3")
        led.apply_progress([Progress(task3.id, UNIT, ROUND, status="进行中", text="办公室电话核实")])
    filled = fill_xlsx(sheet, {"3": FILL_3}, tmp / f"{UNIT}_{ROUND}.xlsx")
    _, [f] = merge(ledger, filled)
    assert f["conflicts"] == 1 and f["applied"] == 0
    assert progress_of(ledger)["3"]["text"] == "办公室电话核实"  # not overwritten
    with Ledger.open(ledger) as led:
        [conflict] = led.conflicts()
        assert conflict.theirs.text == FILL_3["进展落实情况"] and conflict.ours.text == "办公室电话核实"
        led.resolve_conflict(conflict.id, choice="theirs")
        assert led.conflicts() == []
    assert progress_of(ledger)["3"]["text"] == FILL_3["进展落实情况"]


def test_word_return_is_merged(setup):
    ledger, _, tmp = setup
    with Ledger.open(ledger) as led:
        [docx_sheet] = make_sheets(led, tmp / "word", round_name=ROUND, fmt="docx", units=[UNIT])
    filled = fill_docx(docx_sheet, {"3": FILL_3}, tmp / docx_sheet.name)
    _, [f] = merge(ledger, filled)
    assert f["outcome"] == "merged" and f["applied"] == 1 and f["identified_by"] == "隐藏数据"
    assert progress_of(ledger) == {"3": EXPECT_3}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_sheet_saved_by_libreoffice_as_xls_or_ods_is_merged(setup, fmt):
    ledger, sheet, tmp = setup
    (tmp / fmt).mkdir()
    filled = fill_xlsx(sheet, {"3": FILL_3}, tmp / fmt / f"{UNIT}_{ROUND}.xlsx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to", fmt,
                    "--outdir", str(tmp / fmt), str(filled)], check=True, capture_output=True, timeout=120)
    converted = filled.with_suffix(f".{fmt}")
    _, [f] = merge(ledger, converted)
    assert f["identified_by"] == "隐藏数据"
    assert f["outcome"] == "merged" and f["applied"] == 1 and f["rejected"] == 0, f["messages"]
    assert progress_of(ledger) == {"3": EXPECT_3}


@pytest.mark.parametrize("kind", ["corrupt", "png", "foreign"])
def test_bad_files_are_rejected_naming_the_file_and_ledger_unchanged(setup, kind):
    ledger, _, tmp = setup
    bad = tmp / f"{kind}.xlsx"
    if kind == "corrupt":
        bad.write_bytes(b"PK\x03\x04 not really a zip")
    elif kind == "png":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    else:
        wb = openpyxl.Workbook()
        wb.active.append(["姓名", "电话"])
        wb.active.append(["张三", "123"])
        wb.save(bad)
    before = ledger.read_bytes()
    report, [f] = merge(ledger, bad)
    assert f["outcome"] == "rejected" and f["messages"][0].startswith(bad.name + "：")
    assert report.batch is None and ledger.read_bytes() == before


def test_sheet_of_another_ledger_is_rejected(setup, tmp_path_factory):
    _ledger, sheet, tmp = setup
    other = make_ledger(tmp_path_factory.mktemp("other"))
    filled = fill_xlsx(sheet, {"3": FILL_3}, tmp / f"{UNIT}_{ROUND}.xlsx")
    _, [f] = merge(other, filled)
    assert f["outcome"] == "rejected" and "此表属于另一本台账" in f["messages"][0]
    assert progress_of(other) == {}


def test_dry_run_reports_the_same_and_changes_nothing(setup):
    ledger, sheet, tmp = setup
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, tmp / f"{UNIT}_{ROUND}.xlsx")
    before = ledger.read_bytes()
    dry, dry_files = merge(ledger, filled, dry_run=True)
    assert ledger.read_bytes() == before and dry.to_json()["dry_run"] is True
    _, real_files = merge(ledger, filled)
    strip = lambda fs: [{k: v for k, v in f.items() if k != "batch"} for f in fs]
    assert strip(dry_files) == strip(real_files)


def test_undo_merge_restores_the_json_exactly(setup):
    ledger, sheet, tmp = setup
    before = ledger_json(ledger)
    filled = fill_xlsx(sheet, {"3": FILL_3, "12": FILL_12}, tmp / f"{UNIT}_{ROUND}.xlsx")
    report, _ = merge(ledger, filled)
    assert ledger_json(ledger) != before
    with Ledger.open(ledger) as led:
        undo_merge(led, report.batch)
    assert ledger_json(ledger) == before


def test_folder_of_sheets_merges_every_file_in_batches_undone_together(setup):
    ledger, sheet, tmp = setup
    folder = tmp / "returned"
    folder.mkdir()
    fill_xlsx(sheet, {"3": FILL_3}, folder / sheet.name)
    justice = sheet.with_name(f"县司法局_{ROUND}.xlsx")
    fill_xlsx(justice, {"5": FILL_12}, folder / justice.name)
    (folder / "说明.txt").write_text("not a sheet", encoding="utf-8")
    before = ledger_json(ledger)
    report, files = merge(ledger, folder)
    # every file of the folder has its line; the text file is named as not a return sheet
    assert [(f["file"], f["outcome"]) for f in files] == [
        (justice.name, "merged"), (sheet.name, "merged"), ("说明.txt", "rejected")]
    assert files[2]["messages"] and "说明.txt" in files[2]["messages"][0]
    assert len(report.batches) == 2
    assert progress_of(ledger, unit="县司法局") == {"5": EXPECT_12}
    with Ledger.open(ledger) as led:
        assert len(undo_merge(led, report.batch)) == 2
    assert ledger_json(ledger) == before


def test_sheet_for_an_unknown_round_is_rejected(setup):
    ledger, sheet, tmp = setup
    wb = openpyxl.load_workbook(fill_xlsx(sheet, {"3": FILL_3}, tmp / f"{UNIT}_{ROUND}.xlsx"))
    meta = wb[META_SHEET]
    row = next(r for r in range(1, 8) if meta.cell(r, 1).value == "round")
    meta.cell(row, 2).value = "第五次报送"
    wb.save(tmp / "改轮次.xlsx")
    _, [f] = merge(ledger, tmp / "改轮次.xlsx")
    assert f["outcome"] == "rejected" and "第五次报送" in f["messages"][0]
    assert progress_of(ledger) == {}


def test_two_versions_in_one_call_second_supersedes_first(setup):
    ledger, sheet, tmp = setup
    (tmp / "a").mkdir()
    v1 = fill_xlsx(sheet, {"3": FILL_3}, tmp / "a" / f"{UNIT}_{ROUND}.xlsx")
    v2 = fill_xlsx(sheet, {"3": {**FILL_3, "状态": "已完成"}}, tmp / f"{UNIT}_{ROUND}_v2.xlsx")
    _, files = merge(ledger, v1, v2)
    assert [(f["applied"], f["conflicts"]) for f in files] == [(1, 0), (1, 0)]
    assert progress_of(ledger)["3"]["status"] == "已完成"


def test_older_return_merged_after_a_newer_one_keeps_its_differences_as_conflicts(setup):
    """v1 and v2 filled from the same sheet, v2 saved later; v2 merged first, then v1 arrives."""
    ledger, sheet, tmp = setup
    (tmp / "v1").mkdir()
    v1 = fill_xlsx(sheet, {"3": {**FILL_3, "进展落实情况": "旧版"}}, tmp / "v1" / f"{UNIT}_{ROUND}.xlsx",
                   saved=datetime(2023, 9, 1, 9, 0, tzinfo=timezone.utc))
    v2 = fill_xlsx(sheet, {"3": {**FILL_3, "状态": "已完成", "进展落实情况": "新版"}}, tmp / f"{UNIT}_{ROUND}_v2.xlsx",
                   saved=datetime(2023, 9, 1, 10, 0, tzinfo=timezone.utc))
    _, [first] = merge(ledger, v2)
    assert first["applied"] == 1 and first["saved_at"] == "2023-09-01T10:00:00+00:00"
    _, [f] = merge(ledger, v1)
    assert (f["outcome"], f["applied"], f["conflicts"], f["updated_over_previous"]) == ("merged", 0, 1, 0)
    assert f"此文件比已合并的《{v2.name}》更早保存，差异作为冲突保留（older than a merged return）" in f["messages"]
    assert not any("更新了" in m for m in f["messages"])
    assert any(m.startswith("第") and "与较晚保存的报送不同，已记为冲突" in m for m in f["messages"])
    assert f["saved_at"] == "2023-09-01T09:00:00+00:00" and f["saved_from"] == "文件属性中的保存时间"
    assert progress_of(ledger)["3"] == {**EXPECT_3, "status": "已完成", "text": "新版"}  # the newer answer stays
    with Ledger.open(ledger) as led:
        [conflict] = led.conflicts()
        assert (conflict.theirs.status, conflict.theirs.text, conflict.ours.text) == ("进行中", "旧版", "新版")
        metas = {b.source: b.meta for b in led.batches() if b.kind == "merge"}
    assert metas[v1.name]["saved_at"] == "2023-09-01T09:00:00+00:00"
    assert metas[v2.name]["saved_at"] == "2023-09-01T10:00:00+00:00"


def test_two_versions_in_one_call_end_with_the_newer_whatever_the_order(setup):
    ledger, sheet, tmp = setup
    (tmp / "a").mkdir()
    v1 = fill_xlsx(sheet, {"3": FILL_3}, tmp / "a" / f"{UNIT}_{ROUND}.xlsx",
                   saved=datetime(2023, 9, 1, 9, 0, tzinfo=timezone.utc))
    v2 = fill_xlsx(sheet, {"3": {**FILL_3, "状态": "已完成", "进展落实情况": "全部推送完毕"}}, tmp / f"{UNIT}_{ROUND}_v2.xlsx",
                   saved=datetime(2023, 9, 2, 9, 0, tzinfo=timezone.utc))
    _, files = merge(ledger, v2, v1)
    assert [f["file"] for f in files] == [v2.name, v1.name]  # the report keeps the order given
    assert [(f["applied"], f["conflicts"]) for f in files] == [(1, 0), (1, 0)]
    assert "更新了1条（较上次报送）" in files[0]["messages"]
    assert progress_of(ledger)["3"] == {**EXPECT_3, "status": "已完成", "text": "全部推送完毕"}


def test_group_task_rows_returned_by_a_member_are_taken_with_or_without_hidden_data(setup):
    """Seq 19 is led by 各部门（单位）: 县民政局's sheet carries it as 牵头（各部门（单位））."""
    ledger, sheet, tmp = setup
    expected = {"status": "进行中", "text": "已梳理本单位决策事项", "done_date": None, "evidence": ""}
    filled = fill_xlsx(sheet, {"19": {"状态": "进行中", "进展落实情况": "已梳理本单位决策事项"}}, tmp / "a.xlsx")
    row = next(r for r in read_return_file(filled).rows if r.cells["序号"] == "19")
    assert row.cells["本单位职责"] == "牵头（各部门（单位））"
    pasted = paste_into_new_workbook(filled, tmp / f"民政局{ROUND}进展.xlsx")
    _, [f] = merge(ledger, pasted)  # no hidden data: scope is the default sheet's, groups included
    assert (f["applied"], f["rejected"]) == (1, 0) and progress_of(ledger) == {"19": expected}
    with Ledger.open(ledger) as led:
        undo_merge(led, f["batch"])
    _, [f] = merge(ledger, filled)
    assert (f["applied"], f["rejected"], f["identified_by"]) == (1, 0, "隐藏数据")
    assert progress_of(ledger) == {"19": expected}


def test_statuses_outside_the_list_are_kept_for_review_synonyms_taken_and_a_bad_date_named(setup):
    """WPS and pasted rows bypass the drop-down: "完成了吧" is kept as typed (text too) and flagged for
    the clerk, "已办结" means 已完成."""
    ledger, sheet, tmp = setup
    filled = fill_xlsx(sheet, {"3": {"状态": "完成了吧", "进展落实情况": "差不多了", "佐证材料": "照片.jpg"},
                               "12": {"状态": "已办结", "进展落实情况": "专栏已更新"},
                               "1": {"状态": "进行中", "进展落实情况": "持续发布", "完成日期": "下周"}},
                       tmp / f"{UNIT}_{ROUND}.xlsx")
    rows = {r.cells["序号"]: r.row for r in read_return_file(filled).rows}
    _, [f] = merge(ledger, filled)
    assert (f["applied"], f["rejected"], f["conflicts"], f["review"]) == (3, 0, 0, 1)
    assert any(m.startswith(f"第{rows['3']}行：状态“完成了吧”不在可选范围（未开始/进行中/已完成/长期坚持/未按期完成）")
               for m in f["messages"])
    assert f"第{rows['12']}行：状态“已办结”按“已完成”导入" in f["messages"]
    assert f"第{rows['1']}行：完成日期“下周”无法识别，完成日期未导入，其余已采用" in f["messages"]
    odd = {"status": "完成了吧", "text": "差不多了", "done_date": None, "evidence": "照片.jpg"}
    assert progress_of(ledger) == {
        "3": odd,
        "12": EXPECT_12,
        "1": {"status": "进行中", "text": "持续发布", "done_date": None, "evidence": ""},
    }
    with Ledger.open(ledger) as led:
        [item] = led.reviews()
        assert (item.kind, item.row, item.entry.status) == ("status", rows["3"], "完成了吧")
        review.accept(led, item.id, status="已完成")
    assert progress_of(ledger)["3"] == {**odd, "status": "已完成"}


def test_damaged_hidden_sheet_holds_the_rows_and_the_ledger_still_checks_locked_cells(setup):
    """The hidden sheet's per-column hashes are blanked (a damaged cell or an edit): the signature no
    longer fits, so nothing is applied; the edited row is still refused (checked against what the
    ledger sent), the typed row waits in review and is merged when the clerk accepts it."""
    ledger, sheet, tmp = setup
    filled = fill_xlsx(sheet, {"3": {**FILL_3, "主要内容": "改过的内容"}, "12": FILL_12}, tmp / "a.xlsx")
    wb = openpyxl.load_workbook(filled)
    meta = wb[META_SHEET]
    first = next(r for r in range(1, 10) if meta.cell(r, 1).value == "task_id") + 1
    for r in range(first, meta.max_row + 1):
        meta.cell(r, 9).value = None if r % 2 else "{not json"
    wb.save(tmp / f"{UNIT}_{ROUND}.xlsx")
    returned = read_return_file(tmp / f"{UNIT}_{ROUND}.xlsx")
    assert returned.hidden and all(not s.columns and s.fingerprint for s in returned.sent.values())
    row3 = next(r.row for r in returned.rows if r.cells["序号"] == "3")
    _, [f] = merge(ledger, tmp / f"{UNIT}_{ROUND}.xlsx")
    assert (f["outcome"], f["applied"], f["rejected"], f["held"], f["signature"]) == ("rejected", 0, 1, 1, "invalid")
    assert f"第{row3}行：锁定列“主要内容”被修改，未导入（locked column changed）" in f["messages"]
    assert any(m.startswith("未合并：签名不符") for m in f["messages"])
    assert progress_of(ledger) == {}
    with Ledger.open(ledger) as led:
        [item] = led.reviews()
        assert (item.kind, item.unit, item.task_id is not None) == ("held", UNIT, True)
        review.accept(led, item.id)
        assert led.reviews() == []
    assert progress_of(ledger) == {"12": EXPECT_12}


def test_progress_reaches_the_end_even_when_a_file_cannot_be_read(tmp_path) -> None:
    path = make_ledger(tmp_path)
    missing = tmp_path / "缺失.xlsx"
    garbage = tmp_path / "坏文件.xlsx"
    garbage.write_bytes(b"not a workbook")
    calls: list[tuple[int, int]] = []
    with Ledger.open(path) as led:
        report = merge_files(led, [missing, garbage], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    assert [f.outcome for f in report.files] == ["rejected", "rejected"]
    assert "无法读取" in report.files[0].messages[0]
