"""Liaison data files (.ldpkg): written from a seed-000 ledger, filled as a liaison would, read back guarded."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from app.core.merge import Values
from app.core.sheet_scope import unit_tasks
from app.errors import InputError
from app.formats.returns import SUPPORTED_SUFFIXES, fingerprint, plan_rows, read_return_file
from app.formats.returns import liaison as lf
from app.ledger import Ledger
from app.returns import expand_paths
from tests.merge_fixtures import ROUND, UNIT, make_ledger
from tests.merge_fixtures import rewrite_liaison as rewrite


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    path = make_ledger(tmp_path_factory.mktemp("ledger"))
    with Ledger.open(path, readonly=True) as ledger:
        return ledger.document()


@pytest.fixture
def package(doc, tmp_path) -> Path:
    return lf.write_liaison_file(doc, UNIT, ROUND, tmp_path)


def test_package_holds_the_units_tasks_with_locked_fields_and_fingerprints(doc, package):
    assert package.name == f"{UNIT}_{ROUND}.ldpkg"
    with zipfile.ZipFile(package) as archive:
        assert set(archive.namelist()) == {lf.MEMBER, lf.README}
        data = json.loads(archive.read(lf.MEMBER))
    assert data["format"] == "ledgerdesk-liaison/1" and data["ledger_id"] == doc.ledger_id
    assert (data["unit"], data["round"], data["ledger_title"]) == (UNIT, ROUND, doc.title)
    assert data["reporter"] == "" and data["phone"] == "" and "已完成" in data["statuses"]
    expected = unit_tasks(doc, UNIT)
    assert [t["task_id"] for t in data["tasks"]] == [task.id for task, _ in expected] and len(expected) >= 3
    rows = plan_rows(doc, UNIT, ROUND, 1)
    for item, (task, role), row in zip(data["tasks"], expected, rows):
        assert (item["seq"], item["content"], item["metric"], item["role"]) == (task.seq, task.content, task.metric,
                                                                                 role)
        assert item["deadline"] == task.deadline.to_json() and item["path"] == doc.path_of(task)
        assert item["fingerprint"] == fingerprint(row.locked) and item["returned"] is None
        assert item["role"] in ("牵头", "配合") or item["role"].startswith(("牵头（各", "配合（各"))
    assert sum(item["role"] == "配合（各部门（单位））" for item in data["tasks"]) > 20


def test_read_gives_a_returned_sheet_with_hidden_data_and_no_answers(doc, package):
    sheet = read_return_file(package)
    assert sheet.hidden and (sheet.ledger_id, sheet.unit, sheet.round, sheet.kind) == (doc.ledger_id, UNIT, ROUND,
                                                                                        "ldpkg")
    assert [r.task_id for r in sheet.rows] == list(sheet.sent) and [r.row for r in sheet.rows][:2] == [1, 2]
    assert all("状态" not in r.cells and "主要内容" in r.cells for r in sheet.rows)
    first = sheet.sent[sheet.rows[0].task_id]
    assert first.base == Values() and set(first.columns) == {"序号", "重点工作", "主要内容", "量化指标", "本单位职责",
                                                            "完成时限"}


def test_fill_writes_answers_reporter_and_normalised_dates(package):
    tasks = lf.load_liaison_file(package).tasks
    lf.fill_liaison_file(package, {tasks[0].task_id: {"status": "已完成", "text": "已公开 12 条", "done_date": "2023/9/1",
                                                      "evidence": "截图.png"},
                                   tasks[1].task_id: Values.make("进行中", "推进中")}, reporter=" 张三 ", phone="0954-1234567")
    again = lf.load_liaison_file(package)
    assert again.reporter == "张三" and again.phone == "0954-1234567"
    assert again.tasks[0].returned == Values("已完成", "已公开 12 条", "2023-09-01", "截图.png")
    assert again.tasks[1].current == Values("进行中", "推进中") and again.tasks[2].returned is None
    sheet = lf.read_liaison_file(package)
    assert sheet.reporter == "张三" and sheet.rows[0].cells["完成日期"] == "2023-09-01"
    assert sheet.rows[0].cells["状态"] == "已完成" and "状态" not in sheet.rows[2].cells
    lf.fill_liaison_file(package, {tasks[0].task_id: None})  # cleared: back to what was sent
    assert lf.load_liaison_file(package).tasks[0].returned is None


def test_fill_stamps_the_save_time_only_when_something_changed(package):
    from datetime import datetime, timezone

    from app.formats.returns import saved_time

    created = lf.package_saved_at(package)
    assert created is not None  # before any filling: when the file was made
    task_id = lf.load_liaison_file(package).tasks[0].task_id
    first = datetime(2023, 9, 1, 9, 30, tzinfo=timezone.utc)
    lf.fill_liaison_file(package, {task_id: {"status": "进行中"}}, now=first)
    with zipfile.ZipFile(package) as archive:
        assert json.loads(archive.read(lf.MEMBER))["saved_at"] == "2023-09-01T09:30:00+00:00"
    before = package.read_bytes()
    lf.fill_liaison_file(package, {task_id: {"status": "进行中"}}, now=datetime(2023, 9, 2, tzinfo=timezone.utc))
    assert package.read_bytes() == before  # nothing typed changed: same stamp, same bytes
    assert saved_time(package) == (first, "数据包中的保存时间")


def test_same_answers_saved_twice_give_the_same_bytes(package):
    task_id = lf.load_liaison_file(package).tasks[0].task_id
    lf.fill_liaison_file(package, {task_id: {"status": "进行中"}}, reporter="李四")
    first = package.read_bytes()
    lf.fill_liaison_file(package, {task_id: {"status": "进行中"}}, reporter="李四")
    assert package.read_bytes() == first


def test_fill_refuses_an_unknown_task_and_leaves_the_file_as_it_was(package):
    before = package.read_bytes()
    with pytest.raises(InputError, match="没有任务 no-such-task"):
        lf.fill_liaison_file(package, {"no-such-task": {"status": "已完成"}})
    with pytest.raises(InputError, match="无法识别"):
        lf.fill_liaison_file(package, {lf.load_liaison_file(package).tasks[0].task_id: {"statis": "已完成"}})
    assert package.read_bytes() == before


@pytest.mark.parametrize("case", ["random", "no_member", "bad_json", "not_object", "other_format", "bad_task",
                                  "no_ledger_id", "truncated"])
def test_unusable_files_are_refused_naming_the_file(package, tmp_path, case):
    path = tmp_path / "坏的数据包.ldpkg"
    if case == "random":
        path.write_bytes(bytes(range(256)) * 8)
    elif case == "no_member":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("other.json", "{}")
    elif case in ("bad_json", "not_object"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(lf.MEMBER, "{not json" if case == "bad_json" else "[1, 2]")
    elif case == "truncated":
        path.write_bytes(package.read_bytes()[:200])
    else:
        path.write_bytes(package.read_bytes())
        edits = {"other_format": lambda d: d.update(format="ledgerdesk-return/1"),
                 "bad_task": lambda d: d["tasks"][1].update(sent=["已完成"]),
                 "no_ledger_id": lambda d: d.pop("ledger_id")}
        rewrite(path, edits[case])
    with pytest.raises(InputError) as info:
        read_return_file(path)
    message = str(info.value)
    assert message.startswith("坏的数据包.ldpkg：") and lf.NOT_LIAISON in message


def test_newer_format_asks_for_an_upgrade(package):
    rewrite(package, lambda d: d.update(format="ledgerdesk-liaison/2"))
    with pytest.raises(InputError, match="更新版本"):
        lf.read_liaison_file(package)


def test_oversize_member_is_refused(package, monkeypatch):
    monkeypatch.setattr(lf, "MAX_JSON_BYTES", 1000)
    with pytest.raises(InputError, match="过大"):
        lf.read_liaison_file(package)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="不存在"):
        lf.read_liaison_file(tmp_path / "没有.ldpkg")


def test_folders_pick_up_liaison_files(package, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    # every file of a folder is taken up (the merge reports the text file as not a return sheet)
    assert ".ldpkg" in SUPPORTED_SUFFIXES and expand_paths([tmp_path]) == [tmp_path / "notes.txt", package]


def test_unknown_unit_or_round_is_refused_before_writing(doc, tmp_path):
    from app.errors import LedgerError

    with pytest.raises(LedgerError, match="不在本台账"):
        lf.write_liaison_file(doc, "县不存在局", ROUND, tmp_path)
    with pytest.raises(LedgerError, match="第九次报送"):
        lf.write_liaison_file(doc, UNIT, "第九次报送", tmp_path)
    assert list(tmp_path.iterdir()) == []
