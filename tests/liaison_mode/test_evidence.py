"""Attaching evidence files: copied beside the package under safe, unique names, within the limits, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import app.liaison_evidence as ev
from app.errors import InputError
from app.liaison_session import Entry, LiaisonSession


@pytest.fixture
def files(tmp_path):
    """A folder of the liaison's own files (not beside the package)."""
    folder = tmp_path / "我的文档"
    folder.mkdir()
    return folder


def test_attach_copies_the_files_named_by_seq_and_lists_them_in_the_evidence(sent, files):
    session = LiaisonSession.open(sent.package)
    session.set_entry(sent.ids["3"], Entry("进行中", "推进中", evidence="纸质材料已报送"))
    (files / "推送截图.png").write_bytes(b"png" * 100)
    (files / "台账.pdf").write_bytes(b"%PDF-1.4 " * 50)
    names = session.attach(sent.ids["3"], [files / "推送截图.png", files / "台账.pdf"])
    assert names == ["3_推送截图.png", "3_台账.pdf"]
    folder = session.evidence_dir()
    assert folder == sent.package.with_name(f"{sent.package.stem}_佐证材料")
    assert (folder / "3_推送截图.png").read_bytes() == b"png" * 100
    assert (folder / "3_台账.pdf").read_bytes() == b"%PDF-1.4 " * 50
    assert sorted(p.name for p in folder.iterdir()) == ["3_台账.pdf", "3_推送截图.png"]  # no temporary file left
    saved = LiaisonSession.open(sent.package).entry(sent.ids["3"])
    assert saved.evidence == "纸质材料已报送、3_推送截图.png、3_台账.pdf" and saved.text == "推进中"


def test_the_same_file_attached_again_is_neither_copied_nor_listed_twice(sent, files):
    session = LiaisonSession.open(sent.package)
    (files / "a.png").write_bytes(b"one")
    session.attach(sent.ids["3"], [files / "a.png"])
    assert session.attach(sent.ids["3"], [files / "a.png"]) == ["3_a.png"]
    assert [p.name for p in session.evidence_dir().iterdir()] == ["3_a.png"]
    assert session.entry(sent.ids["3"]).evidence == "3_a.png"


def test_a_different_file_of_the_same_name_never_overwrites_the_first(sent, files, tmp_path):
    session = LiaisonSession.open(sent.package)
    (files / "a.png").write_bytes(b"first")
    session.attach(sent.ids["3"], [files / "a.png"])
    other = tmp_path / "别处"
    other.mkdir()
    (other / "a.png").write_bytes(b"second, different")
    assert session.attach(sent.ids["3"], [other / "a.png"]) == ["3_a (2).png"]
    folder = session.evidence_dir()
    assert (folder / "3_a.png").read_bytes() == b"first"
    assert (folder / "3_a (2).png").read_bytes() == b"second, different"
    assert session.entry(sent.ids["3"]).evidence == "3_a.png、3_a (2).png"


def test_names_are_made_valid_on_windows(sent, files):
    session = LiaisonSession.open(sent.package)
    (files / "报告:终稿?.pdf").write_bytes(b"x")
    (files / "CON").write_bytes(b"y")
    names = session.attach(sent.ids["3"], [files / "报告:终稿?.pdf", files / "CON"])
    assert names[0] == "3_报告_终稿_.pdf"
    assert all(not set('<>:"/\\|?*') & set(n) for n in names) and names[1].startswith("3_")
    assert all((session.evidence_dir() / n).is_file() for n in names)


def test_a_vanished_file_is_refused_naming_it_and_nothing_is_copied(sent, files):
    session = LiaisonSession.open(sent.package)
    (files / "good.png").write_bytes(b"ok")
    before = sent.package.read_bytes()
    with pytest.raises(InputError) as info:
        session.attach(sent.ids["3"], [files / "good.png", files / "已删除.docx"])
    assert str(info.value).startswith("已删除.docx：") and "不存在" in str(info.value)
    assert not session.evidence_dir().exists() and sent.package.read_bytes() == before


def test_an_unreadable_file_is_refused_naming_it(sent, files, monkeypatch):
    """A file the liaison may not read (another user's, locked by an antivirus): the open fails."""
    session = LiaisonSession.open(sent.package)
    locked = files / "加密.pdf"
    locked.write_bytes(b"secret")
    real_open = open

    def guarded(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(ev, "open", guarded, raising=False)
    with pytest.raises(InputError) as info:
        session.attach(sent.ids["3"], [locked])
    assert str(info.value).startswith("加密.pdf：") and "无法读取" in str(info.value)
    assert not session.evidence_dir().exists()


def test_a_folder_is_refused(sent, files):
    with pytest.raises(InputError) as info:
        LiaisonSession.open(sent.package).attach(sent.ids["3"], [files])
    assert "不是普通文件" in str(info.value)


def test_a_file_over_the_size_limit_is_refused(sent, files, monkeypatch):
    monkeypatch.setattr(ev, "MAX_EVIDENCE_FILE_BYTES", 1000)
    session = LiaisonSession.open(sent.package)
    (files / "录像.mp4").write_bytes(b"v" * 1001)
    with pytest.raises(InputError) as info:
        session.attach(sent.ids["3"], [files / "录像.mp4"])
    assert str(info.value).startswith("录像.mp4：") and "文件过大" in str(info.value)
    assert not session.evidence_dir().exists() and session.entry(sent.ids["3"]).evidence == ""


def test_the_folder_total_limit_counts_what_is_there_already(sent, files, monkeypatch):
    monkeypatch.setattr(ev, "MAX_EVIDENCE_TOTAL_BYTES", 2500)
    session = LiaisonSession.open(sent.package)
    (files / "一.pdf").write_bytes(b"1" * 1000)
    (files / "二.pdf").write_bytes(b"2" * 1000)
    (files / "三.pdf").write_bytes(b"3" * 1000)
    session.attach(sent.ids["3"], [files / "一.pdf", files / "二.pdf"])
    with pytest.raises(InputError) as info:
        session.attach(sent.ids["4"], [files / "三.pdf"])
    assert str(info.value).startswith("三.pdf：") and "佐证材料文件夹将超过" in str(info.value)
    assert sorted(p.name for p in session.evidence_dir().iterdir()) == ["3_一.pdf", "3_二.pdf"]
    assert session.entry(sent.ids["4"]).evidence == ""


def test_a_failed_save_takes_the_copies_back(sent, files, monkeypatch):
    import app.liaison_session as ls

    session = LiaisonSession.open(sent.package)
    (files / "a.png").write_bytes(b"a")

    def fail(data, path):
        raise InputError(path, "无法写入（模拟）")

    monkeypatch.setattr(ls, "save_liaison_data", fail)
    with pytest.raises(InputError, match="模拟"):
        session.attach(sent.ids["3"], [files / "a.png"])
    assert list(session.evidence_dir().iterdir()) == [] and session.entry(sent.ids["3"]).evidence == ""


def test_evidence_names_and_appending():
    assert ev.evidence_names("a.png，b.pdf;c.doc\n d、") == ["a.png", "b.pdf", "c.doc", "d"]
    assert ev.add_evidence_names("", ["a", "b", "a"]) == "a、b"
    assert ev.add_evidence_names("a，b", ["b", "c"]) == "a，b、c"
    assert ev.add_evidence_names("a", ["a"]) == "a"
