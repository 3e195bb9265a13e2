"""A save that is interrupted keeps the previous file whole and loadable (the PC may be switched off mid-save)."""

from __future__ import annotations

import os

import pytest

from app.errors import InputError
from app.formats.returns.liaison import load_liaison_file
from app.liaison_session import Entry, LiaisonSession


def _fail(*_args, **_kwargs):
    raise OSError(5, "Input/output error")


@pytest.mark.parametrize("where", ["replace", "fsync", "write"])
def test_an_interrupted_save_leaves_the_previous_file_intact(sent, monkeypatch, where):
    session = LiaisonSession.open(sent.package)
    session.set_entry(sent.ids["3"], Entry("进行中", "第一次保存"))
    before = sent.package.read_bytes()
    if where == "write":  # the disk fills up half-way through the temporary file
        import app.formats.returns.liaison as lf

        real = lf._zip_bytes
        monkeypatch.setattr(lf, "_zip_bytes", lambda data, path: real(data, path)[:200])
        monkeypatch.setattr(os, "fsync", _fail)
    else:
        monkeypatch.setattr(os, where, _fail)
    with pytest.raises(InputError) as info:
        session.set_entry(sent.ids["3"], Entry("已完成", "第二次保存"))
    monkeypatch.undo()
    assert str(info.value).startswith(f"{sent.package.name}：") and "无法写入" in str(info.value)
    assert sent.package.read_bytes() == before
    assert load_liaison_file(sent.package).task(sent.ids["3"]).returned.text == "第一次保存"
    assert session.entry(sent.ids["3"]) == Entry("进行中", "第一次保存")  # the session did not move on either
    assert sorted(p.name for p in sent.folder.iterdir()) == [sent.package.name]  # no temporary file left
    session.set_entry(sent.ids["3"], Entry("已完成", "第二次保存"))  # and the next save works
    assert LiaisonSession.open(sent.package).entry(sent.ids["3"]).text == "第二次保存"


def test_a_temporary_file_left_by_a_crash_does_not_disturb_opening_or_saving(sent):
    session = LiaisonSession.open(sent.package)
    session.set_entry(sent.ids["3"], Entry("进行中", "保存过"))
    leftover = sent.folder / f".{sent.package.stem}.deadbeef.tmp.ldpkg"
    leftover.write_bytes(sent.package.read_bytes()[:300])  # what a power cut mid-write leaves
    again = LiaisonSession.open(sent.package)
    assert again.entry(sent.ids["3"]).text == "保存过"
    again.set_entry(sent.ids["4"], Entry("未开始"))
    assert LiaisonSession.open(sent.package).entry(sent.ids["4"]).status == "未开始"


def test_an_interrupted_finish_keeps_the_package(sent, monkeypatch):
    import app.liaison_finish as lfin

    session = LiaisonSession.open(sent.package)
    session.set_entry(sent.ids["3"], Entry("已完成", "完成"))

    def fail(data, path):
        raise InputError(path, "无法写入（cannot write: 模拟）")

    monkeypatch.setattr(lfin, "save_liaison_data", fail)
    with pytest.raises(InputError, match="无法写入"):
        session.finish()
    assert LiaisonSession.open(sent.package).entry(sent.ids["3"]) == Entry("已完成", "完成")
    assert not any(p.suffix == ".ldpkg" for p in (sent.folder / "报回文件").iterdir())
