"""A liaison file edited outside the program is refused by the clerk's merge, saying what was edited.

The package is made by `ledgerdesk package`, filled through LiaisonSession as the liaison
window does, then its liaison.json edited by hand (unzip, edit, zip) in each of the ways
a unit might try: another unit's task slipped in, a task's content changed, the values as
sent changed, the unit changed. Each time the merge says 未合并 / 未导入 with the reason in
Chinese, and no progress of the ledger changes (rows held for the clerk's review are the
merge's way of losing nothing typed; they change no progress until accepted).
"""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.formats.returns.layout import column_hashes, fingerprint
from app.formats.returns.liaison import MEMBER
from app.ledger import Ledger
from app.liaison_session import Entry, LiaisonSession
from tests.merge_fixtures import ROUND, UNIT, ledger_json, make_ledger, progress_of, rewrite_liaison, run_main

SENDER = "县人民政府办公室"  # has tasks 县民政局 was not sent


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(ledger that sent 县民政局 and SENDER their packages by `ledgerdesk package`, 县民政局's, SENDER's)."""
    folder = tmp_path_factory.mktemp("tamper")
    ledger = make_ledger(folder)
    for unit in (UNIT, SENDER):
        assert main(["package", str(ledger), "--unit", unit, "--round", ROUND, "-o", str(folder)]) == 0
    return ledger, folder / f"{UNIT}_{ROUND}.ldpkg", folder / f"{SENDER}_{ROUND}.ldpkg"


@pytest.fixture
def case(template, tmp_path) -> dict:
    """This test's ledger and 县民政局's package filled in through the session (two tasks answered)."""
    ledger, package, other = template
    shutil.copy(ledger, tmp_path / ledger.name)
    shutil.copy(package, tmp_path / package.name)
    session = LiaisonSession.open(tmp_path / package.name)
    tasks = session.tasks()
    session.set_entries({tasks[0].task_id: Entry("已完成", "已公开12条", "2023-09-01"),
                         tasks[2].task_id: Entry("进行中", "推进中")})
    session.set_contact("李强", "13900000000")
    return {"ledger": tmp_path / ledger.name, "package": tmp_path / package.name, "other": other,
            "session": session, "tasks": tasks, "back": tmp_path / "back"}


def read_json(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(MEMBER))


def edited(case: dict, edit) -> Path:
    """The filled package with liaison.json edited by hand, zipped again under the same name."""
    case["back"].mkdir(exist_ok=True)
    return rewrite_liaison(case["package"], edit, case["back"] / case["package"].name)


def merge_refused(case: dict, path: Path, capsys) -> dict:
    """Merge with `ledgerdesk merge`; the file's report line. Asserts no progress of the ledger changed."""
    before = ledger_json(case["ledger"])
    code, out, err = run_main(capsys, "merge", case["ledger"], path, "--json")
    assert code in (0, 1), err
    [report] = json.loads(out)["files"]
    assert report["outcome"] == "rejected" and report["applied"] == 0
    assert ledger_json(case["ledger"]) == before
    return report


def test_untouched_filled_package_merges(case, capsys):
    """The baseline: the same file, not edited, is merged (so the refusals below are the edits' doing)."""
    code, out, _err = run_main(capsys, "merge", case["ledger"], case["package"], "--json")
    [report] = json.loads(out)["files"]
    assert code == 0 and (report["outcome"], report["applied"], report["signature"]) == ("merged", 2, "valid")


def _foreign_task(case: dict) -> dict:
    mine = {t.task_id for t in case["tasks"]}
    task = copy.deepcopy(next(t for t in read_json(case["other"])["tasks"] if t["task_id"] not in mine))
    task["returned"] = {"status": "已完成", "text": "替别的单位报了", "done_date": None, "evidence": ""}
    return task


@pytest.mark.parametrize("how", ["added", "replaced"])
def test_another_units_task_added_or_put_in_place_of_one_is_refused(case, capsys, how):
    foreign = _foreign_task(case)

    def edit(data: dict) -> None:
        if how == "added":
            data["tasks"].append(foreign)
        else:
            data["tasks"][1] = foreign

    report = merge_refused(case, edited(case, edit), capsys)
    text = "\n".join(report["messages"])
    assert report["signature"] == "invalid"
    assert "未合并：签名不符" in text and "1个任务编号不在发送记录中" in text
    assert f"不属于{UNIT}，未导入" in text  # the row itself is named
    with Ledger.open(case["ledger"], readonly=True) as led:
        assert foreign["task_id"] not in {i.task_id for i in led.reviews()}  # the foreign row is not even held


def test_a_tasks_content_changed_is_refused_naming_the_task_and_field(case, capsys):
    """The texts no longer fit the signed hashes: the file is not trusted (nothing applied, the other typed
    row held for the clerk) and the edited row is refused naming the field."""
    def edit(data: dict) -> None:
        data["tasks"][2]["content"] = "已按要求完成全部工作，无需再报"

    report = merge_refused(case, edited(case, edit), capsys)
    text = "\n".join(report["messages"])
    assert report["signature"] == "invalid" and (report["rejected"], report["held"]) == (1, 1)
    assert "未合并：签名不符" in text and "第3行：锁定列“主要内容”被修改，未导入" in text
    with Ledger.open(case["ledger"], readonly=True) as led:
        assert [i.task_id for i in led.reviews()] == [case["tasks"][0].task_id]  # the edited task is not held


def test_a_tasks_content_changed_with_its_hashes_recomputed_is_refused(case, capsys):
    """Whoever also recomputes the hashes breaks the signature, and the row still differs from the dispatch."""
    def edit(data: dict) -> None:
        task = data["tasks"][2]
        task["content"] = "已按要求完成全部工作，无需再报"
        locked = {"序号": task["seq"], "重点工作": task["key_work"], "主要内容": task["content"],
                  "量化指标": task["metric"], "本单位职责": task["role"], "完成时限": task["deadline"]["text"]}
        task["fingerprint"], task["columns"] = fingerprint(locked), column_hashes(locked)

    report = merge_refused(case, edited(case, edit), capsys)
    text = "\n".join(report["messages"])
    assert report["signature"] == "invalid" and "未合并：签名不符" in text
    assert "第3行：锁定列“主要内容”被修改，未导入" in text


def test_the_values_as_sent_changed_are_refused(case, capsys):
    def edit(data: dict) -> None:
        data["tasks"][0]["sent"]["status"] = "已完成"  # to make the answer look unchanged, or win a conflict

    report = merge_refused(case, edited(case, edit), capsys)
    text = "\n".join(report["messages"])
    assert report["signature"] == "invalid" and report["held"] == 2
    assert "未合并：签名不符" in text and "序号1的“发出时的值”被改动" in text


def test_the_unit_changed_is_refused(case, capsys):
    def edit(data: dict) -> None:
        data["unit"] = "县司法局"

    report = merge_refused(case, edited(case, edit), capsys)
    text = "\n".join(report["messages"])
    assert report["signature"] == "invalid" and report["unit"] == UNIT  # the dispatch's unit, not the file's
    assert "隐藏数据中的单位“县司法局”与发送记录“县民政局”不符" in text
    assert progress_of(case["ledger"], unit="县司法局") == {} and progress_of(case["ledger"]) == {}


def test_reference_fields_edited_by_hand_change_nothing_merged(case, capsys):
    """`earlier` and `rework` are shown, never merged: editing them is harmless and the file still merges."""
    def edit(data: dict) -> None:
        data["tasks"][0]["earlier"] = [{"round": "第零次", "status": "已完成", "text": "编的", "done_date": None,
                                        "evidence": ""}]
        data["tasks"][0]["rework"] = "编的意见"

    code, out, _err = run_main(capsys, "merge", case["ledger"], edited(case, edit), "--json")
    [report] = json.loads(out)["files"]
    assert code == 0 and (report["outcome"], report["applied"], report["signature"]) == ("merged", 2, "valid")
