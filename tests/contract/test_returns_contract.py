"""Return sheets, merge and undo, as the office and the liaisons use them: `sheets` writes the
files, a liaison fills one in Excel (openpyxl here), `merge` takes it back, `undo-merge` with the
reported batch puts the ledger back exactly as it was.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.contract.harness import (
    CJK,
    MERGE_FILE_KEYS,
    ROUND1,
    ROUND2,
    UNIT,
    add_foreign_row,
    assert_unchanged,
    check_sheet_tasks,
    data_rows,
    export_json,
    fill_return_sheet,
    header_index,
    ok,
    png_bytes,
    run,
    run_many,
    seed,
    snapshot,
    stray_files,
    tasks_of,
    xlsx_rows,
)

UNIT2 = "县司法局"


@pytest.fixture
def template(seed000) -> tuple[Path, dict, bytes]:
    """The shared seed-000 ledger (conftest), its contract JSON and that JSON's bytes."""
    return seed000.path, seed000.json, seed000.json_bytes


@pytest.fixture
def ledger(template, tmp_path) -> Path:
    path = tmp_path / "台账" / "西吉台账.ledger"
    path.parent.mkdir()
    shutil.copyfile(template[0], path)
    return path


def json_bytes(ledger: Path, out: Path) -> bytes:
    ok(run("export", ledger, "--format", "json", "-o", out))
    return out.read_bytes()


def merge_json(*args: object) -> dict:
    result = run("merge", *args, "--json")
    assert "Traceback" not in result.out + result.err, str(result)
    data = json.loads(result.out)
    assert {"batch", "dry_run", "files"} <= set(data), data.keys()
    for entry in data["files"]:
        assert MERGE_FILE_KEYS <= set(entry), sorted(MERGE_FILE_KEYS - set(entry))
        assert entry["outcome"] in {"merged", "duplicate", "rejected"}
        assert all(isinstance(entry[k], int) for k in ("applied", "unchanged", "conflicts", "rejected"))
        assert isinstance(entry["messages"], list)
    return data


def unit_of_file(path: Path, units: list[str]) -> str:
    hits = [u for u in units if u in path.stem]
    assert hits, f"{path.name} does not show a unit"
    return max(hits, key=len)


def make_returns(ledger: Path, folder: Path, fills: dict[str, dict]) -> dict[str, Path]:
    """One `sheets` call for these units, then each liaison fills in their own file."""
    sent = folder / "sent"
    ok(run("sheets", ledger, "-o", sent, "--round", ROUND1, *[a for u in fills for a in ("--unit", u)]))
    out = {}
    for unit, unit_fills in fills.items():
        [blank] = [p for p in sent.iterdir() if unit in p.name]
        out[unit] = fill_return_sheet(blank, unit_fills, folder / "returned" / blank.name)
    return out


def make_return(ledger: Path, folder: Path, unit: str, fills: dict, name: str | None = None) -> Path:
    path = make_returns(ledger, folder, {unit: fills})[unit]
    return path.rename(path.with_name(name)) if name else path


# ---------------------------------------------------------------- sheets

def sheet_units(data: dict, files: list[Path]) -> dict[str, Path]:
    """unit → its file: every unit named on a task has one; group units (各部门（单位）…) may or may not,
    as long as their tasks are listed on their members' sheets (check_sheet_tasks checks that)."""
    units = [u["name"] for u in data["units"]]
    groups = {u["name"] for u in data["units"] if u.get("kind") == "group"}
    by_unit = {unit_of_file(f, units): f for f in files}
    assert len(by_unit) == len(files), "two files for one unit"
    named = {u for u in units if tasks_of(data, u)}
    assert named - groups <= set(by_unit) <= named, sorted(named - set(by_unit))
    return by_unit


def leading_number(cell: object) -> str:
    match = re.match(r"\s*(\d+)", str(cell or ""))
    return match.group(1) if match else ""


def test_sheets_one_xlsx_per_unit_with_instructions_header_and_its_tasks(ledger, template, tmp_path):
    data = template[1]
    result = ok(run("sheets", ledger, "-o", tmp_path / "out", "--round", ROUND1))
    files = sorted((tmp_path / "out").iterdir())
    by_unit = sheet_units(data, files)
    covered = set()
    for unit, path in by_unit.items():
        assert ROUND1 in path.name and path.suffix == ".xlsx"
        assert path.name in result.out
        rows = xlsx_rows(path)
        h = header_index(rows)
        assert h >= 1 and any(CJK.search(str(v)) for row in rows[:h] for v in row if v), f"{path.name}: no instructions"
        header = [str(v).strip() if v is not None else "" for v in rows[h]]
        seqs = [leading_number(r[header.index("序号")]) for r in data_rows(rows, h)]
        check_sheet_tasks(seqs, unit, data)
        covered.update(seqs)
    assert covered == {t["seq"] for t in data["tasks"] if t["lead_units"] or t["coop_units"]}, "tasks on no sheet"
    assert stray_files(ledger.parent) == []


def test_sheets_in_word_and_for_another_round(ledger, template, tmp_path):
    import docx

    data = template[1]
    word, default = run_many([("sheets", ledger, "-o", tmp_path / "word", "--round", ROUND2, "--format", "docx"),
                              ("sheets", ledger, "-o", tmp_path / "default", "--unit", UNIT)])
    ok(word), ok(default)
    files = sorted((tmp_path / "word").iterdir())
    assert all(f.suffix == ".docx" and ROUND2 in f.name for f in files)
    for unit, path in sheet_units(data, files).items():
        table = docx.Document(str(path)).tables[0]
        texts = [[c.text.strip() for c in row.cells] for row in table.rows]
        h = header_index(texts)
        check_sheet_tasks([leading_number(r[0]) for r in data_rows(texts, h)], unit, data)
    [only] = list((tmp_path / "default").iterdir())
    assert UNIT in only.name and any(r["name"] in only.name for r in data["rounds"])


def test_sheets_for_a_ledger_without_rounds(tmp_path):
    path = tmp_path / "盐池.ledger"
    ok(run("import", seed("001"), "-o", path))
    result = ok(run("sheets", path, "-o", tmp_path / "out"))
    files = list((tmp_path / "out").iterdir())
    assert files and all(f.suffix == ".xlsx" for f in files), str(result)
    data = export_json(path, tmp_path / "after.json")
    assert data["rounds"] and all(data["rounds"][0]["name"] in f.name for f in files)


# ---------------------------------------------------------------- merge, duplicate, undo

def test_merge_dry_run_merge_duplicate_and_undo(ledger, template, tmp_path):
    before = json_bytes(ledger, tmp_path / "before.json")
    assert before == template[2]
    returned = make_return(ledger, tmp_path, UNIT, {"1": {"状态": "已完成", "进展落实情况": "已在政府网站公开"},
                                                    "3": {"状态": "进行中", "进展落实情况": "正在推送救助政策"}})
    untouched = snapshot(ledger.parent)

    dry = merge_json(ledger, returned, "--dry-run")
    assert dry["dry_run"] is True
    [entry] = dry["files"]
    assert (entry["file"], entry["unit"], entry["round"]) == (returned.name, UNIT, ROUND1)
    rows = xlsx_rows(returned)
    listed = len(data_rows(rows, header_index(rows)))
    assert (entry["outcome"], entry["applied"], entry["unchanged"], entry["conflicts"], entry["rejected"]) == (
        "merged", 2, listed - 2, 0, 0)
    assert_unchanged(untouched, ledger.parent)

    merged = merge_json(ledger, returned)
    assert merged["dry_run"] is False and isinstance(merged["batch"], str) and merged["batch"]
    assert [(f["outcome"], f["applied"], f["unchanged"]) for f in merged["files"]] == [("merged", 2, listed - 2)]
    after = json.loads(json_bytes(ledger, tmp_path / "after.json"))
    progress = {t["seq"]: t["progress"] for t in after["tasks"] if t["progress"]}
    assert set(progress) == {"1", "3"}
    [p1], [p3] = progress["1"], progress["3"]
    assert (p1["unit"], p1["round"], p1["status"], p1["text"]) == (UNIT, ROUND1, "已完成", "已在政府网站公开")
    assert (p3["status"], p3["text"]) == ("进行中", "正在推送救助政策")
    datetime.fromisoformat(p1["updated_at"])
    after_bytes = (tmp_path / "after.json").read_bytes()

    again = merge_json(ledger, returned)
    [entry] = again["files"]
    assert (entry["outcome"], entry["applied"]) == ("duplicate", 0) and entry["messages"]
    assert json_bytes(ledger, tmp_path / "after2.json") == after_bytes
    # A duplicate-only merge changed nothing: its batch may be null, or an id whose undo changes nothing.
    if again["batch"] is not None:
        ok(run("undo-merge", ledger, again["batch"]))
        assert json_bytes(ledger, tmp_path / "after3.json") == after_bytes

    ok(run("undo-merge", ledger, merged["batch"]))
    assert json_bytes(ledger, tmp_path / "undone.json") == before
    assert stray_files(ledger.parent) == []


def test_undo_of_a_second_return_restores_the_first_exactly(ledger, template, tmp_path):
    first = make_return(ledger, tmp_path, UNIT, {"1": {"状态": "进行中", "进展落实情况": "第一稿"}}, "一.xlsx")
    second = fill_return_sheet(first, {"1": {"状态": "已完成", "进展落实情况": "第二稿"},
                                       "12": {"状态": "进行中", "进展落实情况": "新增"}}, tmp_path / "二.xlsx")
    assert merge_json(ledger, first)["files"][0]["applied"] == 1
    middle = json_bytes(ledger, tmp_path / "middle.json")
    report = merge_json(ledger, second)
    assert report["files"][0]["outcome"] == "merged" and report["files"][0]["applied"] == 2
    texts = {t["seq"]: [p["text"] for p in t["progress"]] for t in export_json(ledger, tmp_path / "x.json")["tasks"]}
    assert texts["1"] == ["第二稿"] and texts["12"] == ["新增"]

    current, other = run_many([("export", ledger, "-f", "xlsx", "-o", tmp_path / "r1.xlsx", "--round", ROUND1),
                               ("export", ledger, "-f", "xlsx", "-o", tmp_path / "r2.xlsx", "--round", ROUND2)])
    ok(current), ok(other)
    cells = [" ".join(str(v) for v in row if v) for row in xlsx_rows(tmp_path / "r1.xlsx")]
    assert any("第二稿" in c for c in cells)
    assert not any("第二稿" in " ".join(str(v) for v in row if v) for row in xlsx_rows(tmp_path / "r2.xlsx"))

    ok(run("undo-merge", ledger, report["batch"]))
    assert json_bytes(ledger, tmp_path / "restored.json") == middle


def test_merge_a_folder_of_two_units_and_undo_both(ledger, template, tmp_path):
    before = json_bytes(ledger, tmp_path / "before.json")
    files = make_returns(ledger, tmp_path, {UNIT: {"3": {"状态": "已完成", "进展落实情况": "民政完成"}},
                                            UNIT2: {"5": {"状态": "进行中", "进展落实情况": "司法推进"}}})
    text = ok(run("merge", ledger, *files.values(), "--dry-run"))  # FILE FILE, the plain report
    assert all(p.name in text.out for p in files.values()) and CJK.search(text.out), str(text)
    folder = tmp_path / "returned"
    report = merge_json(ledger, folder)
    assert sorted((f["unit"], f["outcome"], f["applied"]) for f in report["files"]) == [
        (UNIT2, "merged", 1), (UNIT, "merged", 1)]
    assert {f["file"] for f in report["files"]} == {p.name for p in folder.iterdir()}
    ok(run("undo-merge", ledger, report["batch"]))
    assert json_bytes(ledger, tmp_path / "undone.json") == before


def test_merge_counts_and_explains_rejected_rows(ledger, template, tmp_path):
    data = template[1]
    returned = make_return(ledger, tmp_path, UNIT, {"1": {"状态": "已完成", "主要内容": "联络员改写了任务内容"},
                                                    "3": {"状态": "进行中", "进展落实情况": "推进"}})
    on_sheet = {v for row in xlsx_rows(returned) for v in row if isinstance(v, str)}
    foreign = next(t for t in data["tasks"] if t["id"] not in on_sheet)
    add_foreign_row(returned, foreign, {t["id"] for t in data["tasks"]}, returned)
    [entry] = merge_json(ledger, returned)["files"]
    assert (entry["outcome"], entry["applied"], entry["rejected"]) == ("merged", 1, 2), entry
    assert len(entry["messages"]) >= 2 and all(CJK.search(m) for m in entry["messages"])
    assert any(re.search(r"第\d+行", m) and "主要内容" in m for m in entry["messages"]), entry["messages"]
    assert any(UNIT in m and foreign["content"][:6] in m for m in entry["messages"]), entry["messages"]
    progress = {t["seq"]: t["progress"] for t in export_json(ledger, tmp_path / "x.json")["tasks"] if t["progress"]}
    assert set(progress) == {"3"}


def test_merge_a_folder_with_a_bad_file_takes_the_good_one(ledger, tmp_path):
    good = make_return(ledger, tmp_path, UNIT, {"3": {"状态": "已完成"}})
    (good.parent / "照片.xlsx").write_bytes(png_bytes())
    report = merge_json(ledger, good.parent)
    outcomes = {f["file"]: f for f in report["files"]}
    assert outcomes[good.name]["outcome"] == "merged" and outcomes[good.name]["applied"] == 1
    bad = outcomes["照片.xlsx"]
    assert bad["outcome"] == "rejected" and any("照片.xlsx" in m for m in bad["messages"])


def test_merge_a_sheet_of_another_ledger_is_rejected(ledger, tmp_path):
    other = tmp_path / "兴庆.ledger"
    ok(run("import", seed("003"), "-o", other))
    ok(run("sheets", other, "-o", tmp_path / "other"))
    foreign = min((tmp_path / "other").iterdir())
    before = snapshot(ledger.parent)
    result = run("merge", ledger, foreign, "--json")
    assert result.code != 0 and "Traceback" not in result.out + result.err, str(result)
    [entry] = json.loads(result.out)["files"]
    assert entry["outcome"] == "rejected" and entry["messages"] and entry["applied"] == 0
    assert_unchanged(before, ledger.parent)
