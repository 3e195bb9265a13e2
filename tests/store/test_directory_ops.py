"""The unit directory and rounds through the facade: add, rename, merge, split and remove aliases,
rounds added, renamed and given a due date — each one batch, undone exactly, refused cleanly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.core.records import Progress
from app.dispatch_status import RETURNED, SENT, dispatch_status
from app.errors import LedgerError
from app.ledger import Ledger
from tests.merge_fixtures import ROUND, UNIT, fill_xlsx, make_ledger, progress_of


def _unit(ledger: Ledger, name: str):
    return next((u for u in ledger.units() if u.name == name), None)


def test_add_unit_is_logged_undoable_and_checked(factory: Ledger) -> None:
    before = factory.document()
    changes = factory.add_unit("县档案馆", kind="department", liaison="赵六", phone="0954-1")
    assert changes.units and changes.batch_id
    added = _unit(factory, "县档案馆")
    assert (added.kind, added.liaison, added.phone) == ("department", "赵六", "0954-1")
    assert factory.units()[-1].name == "县档案馆"
    for name, message in (("县司法局", "已在单位名录"), ("司法局", "别名"), (" ", "不能为空")):
        with pytest.raises(LedgerError, match=message):
            factory.add_unit(name)
    with pytest.raises(LedgerError, match="单位类型"):
        factory.add_unit("县某局", kind="bureau")
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_rename_keeps_the_old_name_as_alias_and_everything_follows(factory: Ledger) -> None:
    before = factory.document()
    old_entries = [p for p in before.progress if p.unit == "县司法局"]
    led = [t.id for t in before.tasks if "县司法局" in t.lead_units]
    assert old_entries and led
    changes = factory.rename_unit("县司法局", "西吉县司法局")
    assert changes.units and changes.batch_id
    doc = factory.document()
    unit = next(u for u in doc.units if u.name == "西吉县司法局")
    assert "县司法局" in unit.aliases and "司法局" in unit.aliases
    assert [t.id for t in doc.tasks if "西吉县司法局" in t.lead_units] == led
    assert [(p.task_id, p.round, p.text) for p in doc.progress if p.unit == "西吉县司法局"] == \
        [(p.task_id, p.round, p.text) for p in old_entries]
    with pytest.raises(LedgerError, match="已在单位名录"):
        factory.rename_unit("西吉县司法局", "县民政局")
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_an_old_batch_still_undoes_after_a_rename(factory: Ledger) -> None:
    task = factory.document().tasks[0]
    unit = task.lead_units[0]
    edit = factory.apply_progress([Progress(task.id, unit, "第一次报送", "已完成", "改名前写的")])
    factory.rename_unit(unit, unit + "（新）")
    factory.undo_batch(edit.batch_id)  # the change log names the old name: it resolves as an alias
    entry = factory.progress_entry(task.id, unit + "（新）", "第一次报送")
    assert entry is None or entry.text != "改名前写的"


def test_rename_keeps_dispatch_status_and_a_sheet_sent_before_merges(tmp_path: Path, capsys) -> None:
    from app.cli import main

    path = make_ledger(tmp_path)
    assert main(["sheets", str(path), "-o", str(tmp_path / "sent"), "--round", ROUND, "--unit", UNIT]) == 0
    sheet = tmp_path / "sent" / f"{UNIT}_{ROUND}.xlsx"
    with Ledger.open(path) as ledger:
        assert [(s.unit, s.state) for s in dispatch_status(ledger, ROUND) if s.unit == UNIT] == [(UNIT, SENT)]
        ledger.rename_unit(UNIT, "西吉县民政局")
        rows = {s.unit: s for s in dispatch_status(ledger, ROUND)}
        assert UNIT not in rows and rows["西吉县民政局"].state == SENT
        assert rows["西吉县民政局"].files_sent == [sheet.name]
    filled = fill_xlsx(sheet, {"3": {"状态": "进行中", "进展落实情况": "改名后交回"}}, tmp_path / sheet.name)
    capsys.readouterr()
    assert main(["merge", str(path), str(filled)]) == 0, capsys.readouterr().err
    assert progress_of(path, "西吉县民政局")["3"]["text"] == "改名后交回"
    with Ledger.open(path) as ledger:
        rows = {s.unit: s for s in dispatch_status(ledger, ROUND)}
        assert rows["西吉县民政局"].state == RETURNED and UNIT not in rows
        assert not [i for i in ledger.reviews() if i.kind != "doubt"]


def _rich(factory: Ledger) -> tuple[str, str]:
    """A new unit with a lead, a coop and progress on tasks another unit also has, no clash."""
    doc = factory.document()
    factory.add_unit("县老龄办")
    target = "县民政局"
    taken = {(p.task_id, p.round) for p in doc.progress if p.unit == target}
    shared, round_free = next((t, r.name) for t in doc.tasks for r in doc.rounds
                              if target in t.lead_units and (t.id, r.name) not in taken)
    without = [t for t in doc.tasks if target not in t.lead_units + t.coop_units]
    factory.update_task(shared.id, coop_units=[*shared.coop_units, "县老龄办"])
    factory.update_task(without[0].id, lead_units=[*without[0].lead_units, "县老龄办"])
    factory.update_task(without[1].id, coop_units=["县老龄办"])
    doc = factory.document()
    helps = next((t for t in doc.tasks if target in t.coop_units and target not in t.lead_units), None)
    if helps is None:  # make one: the target cooperates where the source will lead
        helps = without[2]
        factory.update_task(helps.id, coop_units=[target])
    factory.update_task(helps.id, lead_units=[*helps.lead_units, "县老龄办"])
    factory.apply_progress([Progress(shared.id, "县老龄办", round_free, "进行中", "老龄办报的"),
                            Progress(without[0].id, "县老龄办", "第一次报送", "已完成", "老龄办牵头完成"),
                            Progress(without[0].id, "县老龄办", "第二次报送", "已完成", "第二轮")])
    factory.add_unit_alias("县老龄办", "老龄办")
    return "县老龄办", target


def test_merge_moves_assignments_progress_and_names_and_undo_restores(factory: Ledger) -> None:
    source, target = _rich(factory)
    before = factory.document()
    src_entries = [p for p in before.progress if p.unit == source]
    changes = factory.merge_units(source, target)
    assert changes.units and changes.batch_id
    doc = factory.document()
    assert source not in doc.unit_names()
    merged = next(u for u in doc.units if u.name == target)
    assert {"县老龄办", "老龄办", "民政局"} <= set(merged.aliases)
    for task in doc.tasks:
        assert source not in task.lead_units + task.coop_units
        assert not (target in task.lead_units and target in task.coop_units)
    tasks_before = {t.id: t for t in before.tasks}
    for task in doc.tasks:
        was = tasks_before[task.id]
        if source in was.lead_units or source in was.coop_units:
            assert target in task.lead_units + task.coop_units
            if source in was.lead_units or target in was.lead_units:
                assert target in task.lead_units and target not in task.coop_units  # lead wins
    moved = [(p.task_id, p.round, p.text) for p in doc.progress if p.unit == target]
    assert {(p.task_id, p.round, p.text) for p in src_entries} <= set(moved)
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_merge_refuses_clashing_progress_naming_the_tasks(factory: Ledger) -> None:
    doc = factory.document()
    clash = next(t for t in doc.tasks
                 if {p.round for p in doc.progress if p.task_id == t.id and p.unit == "县民政局"}
                 & {p.round for p in doc.progress if p.task_id == t.id and p.unit == "县司法局"})
    before = factory.document()
    with pytest.raises(LedgerError, match=f"序号{clash.seq}"):
        factory.merge_units("县司法局", "县民政局")
    assert factory.document() == before
    with pytest.raises(LedgerError, match="同一个单位"):
        factory.merge_units("司法局", "县司法局")


def test_split_alias_and_remove_alias_are_undoable(factory: Ledger) -> None:
    before = factory.document()
    split = factory.split_alias("县人社局")
    doc = factory.document()
    assert "县人社局" in doc.unit_names()
    assert "县人社局" not in next(u for u in doc.units if u.name == "县人力资源社会保障局").aliases
    assert not doc.tasks_of_unit("县人社局")
    removed = factory.remove_alias("人力资源社会保障局")
    assert "人力资源社会保障局" not in next(u for u in factory.units() if u.name == "县人力资源社会保障局").aliases
    with pytest.raises(LedgerError, match="不是任何单位的别名"):
        factory.remove_alias("没有的别名")
    factory.undo_batches([removed.batch_id, split.batch_id])
    assert factory.document() == before


def test_alias_added_is_undoable(factory: Ledger) -> None:
    before = factory.document()
    changes = factory.add_unit_alias("县财政局", "财政")
    assert "财政" in _unit(factory, "县财政局").aliases
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_rounds_add_rename_due_are_logged_and_undone(factory: Ledger) -> None:
    before = factory.document()
    added = factory.add_round("第三次报送", due=date(2024, 3, 1))
    assert added.meta and added.batch_id
    assert [r.name for r in factory.rounds()][-1] == "第三次报送"
    renamed = factory.rename_round("第一次报送", "一季度报送")
    doc = factory.document()
    assert [r.name for r in doc.rounds] == ["一季度报送", "第二次报送", "第三次报送"]
    assert len([p for p in doc.progress if p.round == "一季度报送"]) == \
        len([p for p in before.progress if p.round == "第一次报送"])
    due = factory.set_round_due("一季度报送", date(2023, 9, 30))
    assert factory.rounds()[0].due == date(2023, 9, 30)
    with pytest.raises(LedgerError, match="已存在"):
        factory.rename_round("一季度报送", "第二次报送")
    with pytest.raises(LedgerError, match="不存在"):
        factory.set_round_due("没有这一轮", None)
    factory.undo_batches([due.batch_id, renamed.batch_id, added.batch_id])
    assert factory.document() == before


def test_an_old_progress_batch_undoes_after_its_round_was_renamed(factory: Ledger) -> None:
    task = factory.document().tasks[0]
    unit = task.lead_units[0]
    edit = factory.apply_progress([Progress(task.id, unit, "第二次报送", "已完成", "改名前")])
    factory.rename_round("第二次报送", "年终报送")
    assert factory.progress_entry(task.id, unit, "年终报送").text == "改名前"
    factory.undo_batch(edit.batch_id)
    entry = factory.progress_entry(task.id, unit, "年终报送")
    assert entry is None or entry.text != "改名前"


def test_added_round_with_progress_cannot_be_unadded(factory: Ledger) -> None:
    added = factory.add_round("第三次报送")
    task = factory.document().tasks[0]
    factory.apply_progress([Progress(task.id, task.lead_units[0], "第三次报送", "进行中", "x")])
    with pytest.raises(LedgerError, match="不能撤销"):
        factory.undo_batch(added.batch_id)
    assert "第三次报送" in [r.name for r in factory.rounds()]
