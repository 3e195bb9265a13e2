"""The ledger file: creation, one file at rest, lock, read-only, bad files, migration."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from app.core.records import Heading, LedgerDocument, Progress, Round, Task, Unit, new_id
from app.errors import LedgerFileError
from app.ledger import Ledger
from app.store import file as store_file


def small_document() -> LedgerDocument:
    doc = LedgerDocument(title="测试台账", year=2023)
    section = Heading(new_id(), "一、", "深化重点领域信息公开")
    doc.headings = [section]
    doc.units = [Unit("县民政局", aliases=["民政局"]), Unit("县司法局")]
    doc.rounds = [Round("第一次报送"), Round("第二次报送")]
    doc.tasks = [
        Task(new_id(), "1", section.id, "围绕民生", "加密社会救助政策推送。", lead_units=["县民政局"],
             coop_units=["各乡镇人民政府"]),
        Task(new_id(), "2", section.id, "围绕法治", "推动法治政府建设。", lead_units=["县司法局"]),
    ]
    return doc


def test_create_gives_one_file_at_rest(tmp_path: Path) -> None:
    path = tmp_path / "台账.ledger"
    with Ledger.create(path, title="测试台账", year=2023) as ledger:
        assert ledger.document().title == "测试台账"
        assert (tmp_path / "台账.ledger.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.ledger"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def test_create_refuses_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.ledger"
    path.write_bytes(b"keep me")
    with pytest.raises(LedgerFileError, match="已存在"):
        Ledger.create(path, title="x")
    assert path.read_bytes() == b"keep me"


def test_document_round_trips_through_the_file(tmp_path: Path) -> None:
    doc = small_document()
    with Ledger.create_from_document(tmp_path / "a.ledger", doc, source="plan.txt") as ledger:
        back = ledger.document()
    assert back.ledger_id == doc.ledger_id
    assert [t.id for t in back.tasks] == [t.id for t in doc.tasks]
    assert back.tasks[0].coop_units == ["各乡镇人民政府"]
    assert {u.name for u in back.units} == {"县民政局", "县司法局", "各乡镇人民政府"}
    assert back.units[0].aliases == ["民政局"]
    assert [r.name for r in back.rounds] == ["第一次报送", "第二次报送"]
    assert back.path_of(back.tasks[1]) == ["一、深化重点领域信息公开"]


def test_second_writer_is_refused_and_reader_allowed(tmp_path: Path) -> None:
    path = tmp_path / "a.ledger"
    with Ledger.create_from_document(path, small_document(), source="x"):
        with pytest.raises(LedgerFileError, match="另一个窗口或程序"):
            Ledger.open(path)
        with Ledger.open(path, readonly=True) as reader:
            assert len(reader.document().tasks) == 2
            with pytest.raises(LedgerFileError, match="只读"):
                reader.apply_progress([], kind="edit")
    with Ledger.open(path) as again:  # the lock went with the first writer
        assert again.title == "测试台账"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空的"),
        (b"\x00\x01garbage" * 100, "不是台账通台账文件"),
        (b"PK\x03\x04" + b"\x00" * 200, "不是台账通台账文件"),  # an .xlsx renamed
    ],
)
def test_non_ledger_files_are_refused_untouched(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.ledger"
    path.write_bytes(content)
    with pytest.raises(LedgerFileError, match=message) as info:
        Ledger.open(path)
    assert str(info.value).startswith("bad.ledger：")
    assert path.read_bytes() == content


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.ledger"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(LedgerFileError, match="不是台账通台账"):
        Ledger.open(path)
    assert path.read_bytes() == before


def test_file_from_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.ledger"
    Ledger.create(path, title="x").close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    with pytest.raises(LedgerFileError, match="更新版本"):
        Ledger.open(path)


def write_first_revision_ledger(path: Path) -> None:
    """A ledger as the first schema revision wrote it (no evidence/reporter columns, no conflict table)."""
    engine = store_file.make_engine(path)
    store_file.upgrade(engine, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    now = datetime(2023, 9, 8, 10, 0).isoformat(sep=" ")
    con.execute("INSERT INTO ledger_info (id, title, year, office, created_at, modified_at, app_version) "
                "VALUES ('L1', '旧台账', 2023, '', ?, ?, '0.0.1')", (now, now))
    con.execute("INSERT INTO unit (id, name, kind, liaison, phone, position) VALUES (1, '县民政局', 'department', '', '', 0)")
    con.execute("INSERT INTO round (id, name, due, position) VALUES (1, '第一次报送', '2023-09-10', 0)")
    con.execute("INSERT INTO task (id, position, seq, key_work, content, metric, deadline_text, deadline_date, "
                "deadline_kind, notes) VALUES ('T1', 0, '1', '重点', '内容', '', '2023年12月底', '2023-12-31', 'date', '')")
    con.execute("INSERT INTO assignment (task_id, unit_id, role, position) VALUES ('T1', 1, 'lead', 0)")
    con.execute("INSERT INTO progress (task_id, unit_id, round_id, status, text, source) "
                "VALUES ('T1', 1, 1, '进行中', '已推进', 'typed')")
    con.commit()
    con.close()


def test_first_revision_file_is_upgraded_with_backup_and_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.ledger"
    write_first_revision_ledger(path)
    with Ledger.open(path) as ledger:
        assert ledger.migration_backup is not None and ledger.migration_backup.exists()
        doc = ledger.document()
        assert store_file.current_revision(ledger._engine) == store_file.head_revision()
        assert ledger.conflicts() == []
    assert doc.title == "旧台账" and doc.ledger_id == "L1"
    assert doc.tasks[0].deadline.date.isoformat() == "2023-12-31"
    assert doc.tasks[0].lead_units == ["县民政局"]
    assert [(p.status, p.text, p.evidence, p.reporter) for p in doc.progress] == [("进行中", "已推进", "", "")]
    backup = sqlite3.connect(ledger.migration_backup)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert backup.execute("SELECT text FROM progress").fetchone()[0] == "已推进"
    backup.close()


def test_progress_batch_is_logged_and_undone(tmp_path: Path) -> None:
    doc = small_document()
    with Ledger.create_from_document(tmp_path / "a.ledger", doc, source="x") as ledger:
        task = doc.tasks[0]
        first = ledger.apply_progress([Progress(task.id, "县民政局", "第一次报送", "进行中", "已部署")],
                                      kind="merge", source="县民政局_第一次报送.xlsx", file_hash="h1")
        assert first.progress == {(task.id, "县民政局", "第一次报送")}
        assert ledger.find_batch_by_hash("h1").source == "县民政局_第一次报送.xlsx"
        second = ledger.apply_progress([Progress(task.id, "县民政局", "第一次报送", "已完成", "已完成公开")])
        log = ledger.changes_of_batch(second.batch_id)
        assert log[0]["old"]["status"] == "进行中" and log[0]["new"]["status"] == "已完成"
        with pytest.raises(Exception, match="又被修改"):
            ledger.undo_batch(first.batch_id)
        ledger.undo_batch(second.batch_id)
        ledger.undo_batch(first.batch_id)
        assert ledger.document().progress == []
        assert ledger.find_batch_by_hash("h1") is None


def test_unknown_unit_rolls_back_the_whole_batch(tmp_path: Path) -> None:
    doc = small_document()
    with Ledger.create_from_document(tmp_path / "a.ledger", doc, source="x") as ledger:
        good = Progress(doc.tasks[0].id, "县民政局", "第一次报送", "进行中", "x")
        bad = Progress(doc.tasks[1].id, "县不存在局", "第一次报送", "进行中", "y")
        with pytest.raises(Exception, match="不在本台账的单位名录"):
            ledger.apply_progress([good, bad])
        assert ledger.document().progress == []
        assert [b.kind for b in ledger.batches()] == ["import"]


def test_conflict_resolution_takes_theirs(tmp_path: Path) -> None:
    from app.ledger import Conflict

    doc = small_document()
    with Ledger.create_from_document(tmp_path / "a.ledger", doc, source="x") as ledger:
        task = doc.tasks[0]
        ours = Progress(task.id, "县民政局", "第一次报送", "进行中", "办公室录入")
        ledger.apply_progress([ours])
        theirs = Progress(task.id, "县民政局", "第一次报送", "已完成", "单位报送")
        batch = ledger.record_batch(kind="merge", source="r.xlsx", file_hash="h")
        ledger.add_conflicts([Conflict(0, batch, task.id, "县民政局", "第一次报送", None, ours, theirs)], batch)
        [conflict] = ledger.conflicts()
        assert conflict.theirs.text == "单位报送" and conflict.ours.text == "办公室录入"
        ledger.resolve_conflict(conflict.id, choice="theirs")
        assert ledger.conflicts() == []
        assert [(p.status, p.text) for p in ledger.document().progress] == [("已完成", "单位报送")]


def test_task_edit_is_logged_and_undone(tmp_path: Path) -> None:
    from app.core.records import Deadline

    doc = small_document()
    with Ledger.create_from_document(tmp_path / "a.ledger", doc, source="x") as ledger:
        task = doc.tasks[0]
        changes = ledger.update_task(task.id, content="新的内容。", lead_units=["县司法局", "县民政局"],
                                     deadline=Deadline("2023年12月底", None, "date"))
        assert changes.tasks == {task.id}
        edited = ledger.document().tasks[0]
        assert edited.content == "新的内容。"
        assert edited.lead_units == ["县司法局", "县民政局"]
        assert edited.coop_units == ["各乡镇人民政府"]
        assert edited.deadline.text == "2023年12月底"
        ledger.undo_batch(changes.batch_id)
        restored = ledger.document().tasks[0]
        assert (restored.content, restored.lead_units, restored.deadline.text) == ("加密社会救助政策推送。", ["县民政局"], "")


def test_replacing_a_ledger_open_elsewhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.ledger"
    with Ledger.create_from_document(path, small_document(), source="x"):
        before = path.read_bytes()
        with pytest.raises(LedgerFileError, match="另一个窗口或程序"):
            Ledger.create_from_document(path, small_document(), source="y", overwrite=True)
        assert path.read_bytes() == before


def test_old_ledger_opened_read_only_is_read_through_a_temporary_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.ledger"
    write_first_revision_ledger(path)
    before = path.read_bytes()
    with Ledger.open(path, readonly=True) as ledger:
        doc = ledger.document()
    assert doc.title == "旧台账" and [p.text for p in doc.progress] == ["已推进"]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.ledger"]


def test_revision_graph_read_without_alembic_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(store_file.alembic_config())
    assert store_file.head_revision() == scripts.get_current_head()
    assert store_file.known_revisions() == {rev.revision for rev in scripts.walk_revisions()}
