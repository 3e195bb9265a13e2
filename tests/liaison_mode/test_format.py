"""The liaison file's additions (earlier, rework, extension, finished_at) and files made before them."""

from __future__ import annotations

import json
import zipfile

import pytest

import app.formats.returns.liaison as lf
from app.core.merge import Values
from app.errors import InputError
from app.formats.returns import read_return_file
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO
from app.ledger import Ledger
from app.liaison_session import Entry, LiaisonSession
from app.returns import merge_files
from tests.liaison_mode.conftest import ROUND_1, ROUND_2
from tests.merge_fixtures import UNIT, progress_of
from tests.merge_fixtures import rewrite_liaison as rewrite

NEW_KEYS = ("earlier", "rework")


def test_a_package_of_the_first_round_has_no_earlier_rounds(sent, tmp_path):
    with Ledger.open(sent.ledger, readonly=True) as led:
        data = lf.build_package(led.document(), UNIT, ROUND_1)
    assert all(t["earlier"] == [] and t["rework"] is None for t in data["tasks"])
    with Ledger.open(sent.ledger, readonly=True) as led:
        later = lf.build_package(led.document(), UNIT, ROUND_2, rework={sent.ids["2"]: "日期与佐证不符"})
    by_id = {t["task_id"]: t for t in later["tasks"]}
    assert [e["round"] for e in by_id[sent.ids["1"]]["earlier"]] == [ROUND_1]
    assert by_id[sent.ids["2"]]["rework"] == "日期与佐证不符"


def test_a_file_made_before_the_additions_loads_fills_and_merges(sent):
    def old(data: dict) -> None:  # what an older program wrote: none of the new keys (the signature covers none)
        for task in data["tasks"]:
            for key in NEW_KEYS:
                task.pop(key)

    rewrite(sent.package, old)
    session = LiaisonSession.open(sent.package)
    assert session.earlier(sent.ids["1"]) == [] and session.rework(sent.ids["1"]) is None
    lf.fill_liaison_file(sent.package, {sent.ids["3"]: Values.make("已完成", "旧程序填的", "2023-11-01")})
    session = LiaisonSession.open(sent.package)
    assert session.entry(sent.ids["3"]) == Entry("已完成", "旧程序填的", "2023-11-01")
    session.set_entry(sent.ids["4"], Entry("进行中", "新程序填的"))
    with Ledger.open(sent.ledger) as led:
        [report] = merge_files(led, [sent.package]).files
    assert (report.outcome, report.signature, report.applied) == ("merged", "valid", 2)
    got = progress_of(sent.ledger, UNIT, ROUND_2)
    assert got["3"]["text"] == "旧程序填的" and got["4"]["text"] == "新程序填的"


def test_extension_fields_read_as_the_two_sheet_columns_only_when_filled(sent):
    lf.fill_liaison_file(sent.package, {
        sent.ids["3"]: {"status": "进行中", "text": "推进", "extension_to": "2024/3/1", "extension_reason": "等资金"},
        sent.ids["4"]: {"status": "进行中", "extension_to": "", "extension_reason": None},
        sent.ids["5"]: {"status": "进行中", "extension_to": "明年春天"},
    })
    sheet = read_return_file(sent.package)
    rows = {r.task_id: r.cells for r in sheet.rows}
    assert (rows[sent.ids["3"]][EXTENSION_TO], rows[sent.ids["3"]][EXTENSION_REASON]) == ("2024-03-01", "等资金")
    assert EXTENSION_TO not in rows[sent.ids["4"]] and EXTENSION_REASON not in rows[sent.ids["4"]]
    assert rows[sent.ids["5"]][EXTENSION_TO] == "明年春天"  # kept as typed when it is no date
    assert sheet.columns[-2:] == [EXTENSION_TO, EXTENSION_REASON]


def test_a_package_without_extensions_reads_as_before(sent):
    lf.fill_liaison_file(sent.package, {sent.ids["3"]: {"status": "进行中"}})
    sheet = read_return_file(sent.package)
    assert EXTENSION_TO not in sheet.columns and all(EXTENSION_TO not in r.cells for r in sheet.rows)


def test_fill_still_refuses_unknown_and_odd_keys(sent):
    before = sent.package.read_bytes()
    with pytest.raises(InputError, match="“extension”无法识别"):
        lf.fill_liaison_file(sent.package, {sent.ids["3"]: {"status": "进行中", "extension": "2024-01-01"}})
    with pytest.raises(InputError, match="填报内容格式不对"):
        lf.fill_liaison_file(sent.package, {sent.ids["3"]: {"status": "进行中", "extension_to": 20240101}})
    assert sent.package.read_bytes() == before


def test_finished_at_is_read(sent):
    session = LiaisonSession.open(sent.package)
    assert session.package.finished_at is None
    session.finish()
    assert lf.load_liaison_file(sent.package).finished_at == session.package.finished_at is not None


@pytest.mark.parametrize(("edit", "words"), [
    (lambda t: t.update(earlier="上次已完成"), "earlier"),
    (lambda t: t.update(earlier=[{"round": 1}]), "earlier.round"),
    (lambda t: t.update(rework=["x"]), "rework"),
    (lambda t: t.update(returned={"status": "进行中", "extension_to": 5}), "returned.extension_to"),
])
def test_odd_values_in_the_new_fields_are_refused_naming_them(sent, edit, words):
    rewrite(sent.package, lambda data: edit(data["tasks"][0]))
    with pytest.raises(InputError) as info:
        LiaisonSession.open(sent.package)
    assert lf.NOT_LIAISON in str(info.value) and words in str(info.value) and "第1项任务" in str(info.value)


def test_a_save_too_large_to_read_back_is_refused_before_writing(sent, monkeypatch):
    session = LiaisonSession.open(sent.package)
    before = sent.package.read_bytes()
    monkeypatch.setattr(lf, "MAX_JSON_BYTES", len(json.dumps(session.data, ensure_ascii=False, indent=1).encode()) + 50)
    with pytest.raises(InputError, match="内容过多"):
        session.set_entry(sent.ids["3"], Entry("进行中", "很长的说明" * 40))
    assert sent.package.read_bytes() == before


def test_instructions_tell_the_liaison_about_autosave_and_the_return_folder(sent):
    package = lf.load_liaison_file(sent.package)
    assert package.instructions[2].startswith("填写的内容随时自动保存；填完后点“完成并生成回收文件”")
    assert "“报回文件”文件夹" in package.instructions[2] and package.instructions[2].endswith("报送截止：2023年12月1日。")
    with zipfile.ZipFile(sent.package) as archive:
        assert "完成并生成回收文件" in archive.read(lf.README).decode("utf-8")
