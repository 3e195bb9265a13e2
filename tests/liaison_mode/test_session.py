"""The liaison session over a real package: what it shows, what it saves (to disk, at once), what it refuses."""

from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest

from app.errors import InputError
from app.formats.returns.liaison import MEMBER, load_liaison_file, write_liaison_file
from app.ledger import Ledger
from app.liaison_session import EarlierEntry, Entry, LiaisonSession
from tests.liaison_mode.conftest import EARLIER_TEXT, ROUND_1, ROUND_2
from tests.merge_fixtures import UNIT


def on_disk(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(MEMBER))


def task_json(path, task_id: str) -> dict:
    return next(t for t in on_disk(path)["tasks"] if t["task_id"] == task_id)


def test_open_shows_the_units_tasks_of_the_round_with_nothing_typed(sent):
    session = LiaisonSession.open(sent.package)
    assert (session.package.unit, session.package.round, session.path) == (UNIT, ROUND_2, sent.package)
    tasks = session.tasks()
    assert len(tasks) == 36 and tasks[0].seq == "1"
    assert all(session.entry(t.task_id) == Entry() for t in tasks)
    assert session.reporter == "" and session.phone == "" and session.saved_at is None


def test_earlier_rounds_of_this_unit_only_are_there_for_reference(sent):
    session = LiaisonSession.open(sent.package)
    assert session.earlier(sent.ids["1"]) == [EarlierEntry(ROUND_1, "进行中", EARLIER_TEXT, "", "推送截图.png")]
    assert session.earlier(sent.ids["2"]) == [EarlierEntry(ROUND_1, "已完成", "专栏已建成", "2023-08-30", "")]
    assert session.earlier(sent.ids["3"]) == []  # 县司法局's progress on task 1 is not shown either
    assert all(e.text != "另一单位的进展" for t in session.tasks() for e in session.earlier(t.task_id))
    assert session.rework(sent.ids["1"]) is None


def test_set_entry_saves_the_file_in_place_at_once_with_a_normalised_date(sent):
    session = LiaisonSession.open(sent.package)
    task_id = sent.ids["3"]
    session.set_entry(task_id, Entry("已完成", "  已推送政策 12 条 ", "2023/11/5", "截图.png"))
    again = LiaisonSession.open(sent.package)  # a new session reads what is on disk
    assert again.entry(task_id) == Entry("已完成", "已推送政策 12 条", "2023-11-05", "截图.png")
    assert task_json(sent.package, task_id)["returned"] == {"status": "已完成", "text": "已推送政策 12 条",
                                                             "done_date": "2023-11-05", "evidence": "截图.png"}
    assert again.saved_at is not None and again.saved_at == session.saved_at


def test_extension_fields_are_saved_with_the_entry(sent):
    session = LiaisonSession.open(sent.package)
    task_id = sent.ids["4"]
    session.set_entry(task_id, Entry("进行中", "资金未到位", extension_to="2024年3月31日", extension_reason="等待拨款"))
    assert task_json(sent.package, task_id)["returned"]["extension_to"] == "2024-03-31"
    assert LiaisonSession.open(sent.package).entry(task_id) == Entry("进行中", "资金未到位", "", "", "2024-03-31",
                                                                     "等待拨款")


def test_set_entries_writes_every_entry_in_one_save(sent, monkeypatch):
    import app.formats.returns.liaison as lf

    session = LiaisonSession.open(sent.package)
    writes = []
    real = lf._write_zip
    monkeypatch.setattr(lf, "_write_zip", lambda data, path: (writes.append(path), real(data, path)))
    session.set_entries({sent.ids["3"]: Entry("进行中", "甲"), sent.ids["5"]: Entry("未开始", "乙")})
    assert writes == [sent.package]
    again = LiaisonSession.open(sent.package)
    assert (again.entry(sent.ids["3"]).text, again.entry(sent.ids["5"]).status) == ("甲", "未开始")


def test_an_entry_set_back_to_what_was_sent_counts_as_not_typed(sent):
    session = LiaisonSession.open(sent.package)
    task_id = sent.ids["3"]
    session.set_entry(task_id, Entry("进行中", "甲"))
    session.set_entry(task_id, Entry())  # undo in the window sets the old entry back
    assert task_json(sent.package, task_id)["returned"] is None


def test_contact_is_saved(sent):
    session = LiaisonSession.open(sent.package)
    session.set_contact(" 李强 ", "13900000000")
    data = on_disk(sent.package)
    assert (data["reporter"], data["phone"]) == ("李强", "13900000000")
    assert (LiaisonSession.open(sent.package).reporter, session.phone) == ("李强", "13900000000")


@pytest.mark.parametrize(("entry", "words"), [
    (Entry("差不多完成了"), "状态“差不多完成了”不在可选列表中"),
    (Entry("已完成", "x", "上个月"), "完成日期“上个月”无法识别"),
    (Entry("进行中", "长" * 20_001), "进展落实情况过长"),
])
def test_a_refused_entry_names_the_task_and_leaves_file_and_session_as_they_were(sent, entry, words):
    session = LiaisonSession.open(sent.package)
    session.set_entry(sent.ids["3"], Entry("进行中", "原来的"))
    before = sent.package.read_bytes()
    with pytest.raises(InputError) as info:
        session.set_entry(sent.ids["3"], entry)
    assert words in str(info.value) and "序号3" in str(info.value)
    assert str(info.value).startswith(f"{sent.package.name}：")
    assert sent.package.read_bytes() == before and session.entry(sent.ids["3"]) == Entry("进行中", "原来的")


def test_unknown_task_is_refused(sent):
    session = LiaisonSession.open(sent.package)
    with pytest.raises(InputError, match="没有任务 nope"):
        session.set_entry("nope", Entry("已完成"))
    with pytest.raises(InputError, match="没有任务 nope"):
        session.entry("nope")


def test_a_missing_or_damaged_file_is_refused_naming_it(tmp_path):
    with pytest.raises(InputError) as info:
        LiaisonSession.open(tmp_path / "不存在.ldpkg")
    assert str(info.value).startswith("不存在.ldpkg：") and "不存在" in str(info.value)
    bad = tmp_path / "坏.ldpkg"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as info:
        LiaisonSession.open(bad)
    assert str(info.value).startswith("坏.ldpkg：") and "不是台账通联络员数据包" in str(info.value)


def test_overdue_means_deadline_passed_and_not_done(sent):
    session = LiaisonSession.open(sent.package)
    dated, long_term = sent.ids["1"], sent.ids["7"]  # 2023年12月底 / 长期坚持
    assert session.deadline(dated) == date(2023, 12, 31) and session.deadline(long_term) is None
    assert not session.is_overdue(dated, date(2023, 12, 31))
    assert session.is_overdue(dated, date(2024, 1, 1))
    assert not session.is_overdue(long_term, date(2030, 1, 1))
    session.set_entry(dated, Entry("已完成", "完成"))
    assert not session.is_overdue(dated, date(2024, 1, 1))


def test_rework_notes_reach_the_liaison(sent, tmp_path):
    with Ledger.open(sent.ledger, readonly=True) as led:
        doc = led.document()
    path = write_liaison_file(doc, UNIT, ROUND_2, tmp_path, rework={sent.ids["3"]: " 请补充推送数量 ", sent.ids["4"]: ""})
    session = LiaisonSession.open(path)
    assert session.rework(sent.ids["3"]) == "请补充推送数量"
    assert session.rework(sent.ids["4"]) is None and session.rework(sent.ids["5"]) is None
    assert load_liaison_file(path).task(sent.ids["3"]).rework == "请补充推送数量"
