"""`ledgerdesk package LEDGER --unit U -o FILE`: a liaison data file for the portable program, and
its way back through `merge` / `undo-merge`.

The portable program's save is played by rewriting the `returned` values inside the file (a zip
holding liaison.json, as app/formats/returns/liaison.py documents it); everything else is the CLI.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.contract.harness import (
    ROUND1,
    UNIT,
    data_rows,
    export_json,
    header_index,
    ok,
    run,
    run_many,
    snapshot,
    stray_files,
    tasks_of,
    xlsx_rows,
)


@pytest.fixture
def template(seed000) -> tuple[Path, dict]:
    return seed000.path, seed000.json


@pytest.fixture
def ledger(template, tmp_path) -> Path:
    path = tmp_path / "台账" / "西吉台账.ledger"
    path.parent.mkdir()
    shutil.copyfile(template[0], path)
    return path


def play_portable_program(package: Path, values: dict[str, dict], out: Path) -> Path:
    """What the liaison's program saves: `returned` values for some task ids, and who reported."""
    with zipfile.ZipFile(package) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    [name] = [n for n in members if n.endswith(".json")]
    data = json.loads(members[name].decode("utf-8"))
    for task in data["tasks"]:
        if task["task_id"] in values:
            task["returned"] = {"status": "", "text": "", "done_date": None, "evidence": "", **values[task["task_id"]]}
    data["reporter"] = "张联络"
    members[name] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, blob in members.items():
            zf.writestr(member, blob)
    return out


def test_package_writes_one_units_file_and_the_ledger_keeps_only_what_it_sent(ledger, tmp_path):
    """Two packages at once (the second waits for the first); tasks and progress stay as they were,
    and the ledger's dispatch list shows what went out."""
    before_json = export_json(ledger, tmp_path / "before.json")
    folder_before = set(snapshot(ledger.parent))
    out = tmp_path / "out"
    out.mkdir()
    named, in_folder = run_many([("package", ledger, "--unit", UNIT, "--round", ROUND1, "-o", out / "民政.ldpkg"),
                                 ("package", ledger, "--unit", "民政局", "-o", out)])
    ok(named), ok(in_folder)
    assert (out / "民政.ldpkg").stat().st_size > 0
    others = [p for p in out.iterdir() if p.name != "民政.ldpkg"]
    assert len(others) == 1 and UNIT in others[0].name, "a package named by folder shows the canonical unit"
    assert set(snapshot(ledger.parent)) == folder_before, "no file appears or goes next to the ledger"
    assert export_json(ledger, tmp_path / "after.json") == before_json
    sent = json.loads(ok(run("dispatches", ledger, "--json")).out)["units"]
    mine = [u for u in sent if u["unit"] == UNIT and u["files_sent"]]
    assert sorted(f for u in mine for f in u["files_sent"]) == sorted(["民政.ldpkg", others[0].name])
    assert stray_files(out) == []


def test_package_merges_back_duplicate_and_undo(ledger, template, tmp_path):
    data = template[1]
    package = tmp_path / "民政.ldpkg"
    for result in run_many([("package", ledger, "--unit", UNIT, "--round", ROUND1, "-o", package),
                            ("sheets", ledger, "--unit", UNIT, "--round", ROUND1, "-o", tmp_path / "sheet")]):
        ok(result)
    [sheet] = list((tmp_path / "sheet").iterdir())
    rows = xlsx_rows(sheet)
    on_sheet = len(data_rows(rows, header_index(rows)))
    before = export_json(ledger, tmp_path / "before.json")

    untouched = json.loads(ok(run("merge", ledger, package, "--json")).out)
    [entry] = untouched["files"]
    assert (entry["unit"], entry["round"], entry["outcome"], entry["applied"]) == (UNIT, ROUND1, "merged", 0)
    assert entry["unchanged"] == on_sheet >= len(tasks_of(data, UNIT)), "package and return sheet differ"
    assert export_json(ledger, tmp_path / "same.json") == before

    task = tasks_of(data, UNIT)[1]
    filled = play_portable_program(package, {task["id"]: {"status": "已完成", "text": "便携版填写"}},
                                   tmp_path / "民政_已填.ldpkg")
    report = json.loads(ok(run("merge", ledger, filled, "--json")).out)
    [entry] = report["files"]
    assert (entry["outcome"], entry["applied"]) == ("merged", 1), entry
    after = export_json(ledger, tmp_path / "after.json")
    [progress] = next(t["progress"] for t in after["tasks"] if t["id"] == task["id"])
    assert (progress["unit"], progress["round"], progress["status"], progress["text"]) == (
        UNIT, ROUND1, "已完成", "便携版填写")

    again = json.loads(run("merge", ledger, filled, "--json").out)
    assert again["files"][0]["outcome"] == "duplicate"
    ok(run("undo-merge", ledger, report["batch"]))
    assert export_json(ledger, tmp_path / "undone.json") == before
