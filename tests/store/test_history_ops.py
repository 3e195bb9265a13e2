"""Ledger.progress_history: one entry's changes from the change log, oldest first, across renames,
merges, deletions and undos."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.changes import MergeItem
from app.core.records import Progress
from app.ledger import Ledger
from tests.factories import made_ledger


@pytest.fixture
def factory(tmp_path: Path):
    """12 tasks imported from "计划.docx" (the history names the plan's file as the first source)."""
    with made_ledger(tmp_path, 12, source="计划.docx") as ledger:
        yield ledger


def _texts(history) -> list[tuple]:
    return [(h.kind, h.source, h.old.text if h.old else None, h.new.text if h.new else None, h.undone)
            for h in history]


def test_history_lists_import_edit_merge_and_undo_oldest_first(factory: Ledger) -> None:
    entry = factory.document().progress[0]
    task, unit, rnd = entry.task_id, entry.unit, entry.round
    edit = factory.apply_progress([replace(entry, text="办公室改写", updated_at=None)])
    [merged] = factory.apply_merge([MergeItem(entries=[replace(entry, text="交回的表", updated_at=None)],
                                              conflicts=[], source="县民政局_第一次报送.xlsx", unit=unit, round=rnd)])
    factory.undo_batch(merged)
    history = factory.progress_history(task, unit, rnd)
    assert _texts(history) == [
        ("import", "计划.docx", None, entry.text, False),
        ("edit", "typed", entry.text, "办公室改写", False),
        ("merge", "县民政局_第一次报送.xlsx", "办公室改写", "交回的表", True),
        ("undo", "县民政局_第一次报送.xlsx", "交回的表", "办公室改写", False),
    ]
    assert [h.batch_id for h in history][1:3] == [edit.batch_id, merged]
    assert all(a.at <= b.at for a, b in itertools.pairwise(history))
    assert {(h.new.unit, h.new.round) for h in history if h.new} == {(unit, rnd)}
    other_round = next(r.name for r in factory.rounds() if r.name != rnd)
    assert all(h.batch_id not in (edit.batch_id, merged) for h in factory.progress_history(task, unit, other_round))


def test_history_follows_renamed_units_and_rounds(factory: Ledger) -> None:
    doc = factory.document()
    task = doc.tasks[0]
    unit = task.lead_units[0]
    factory.apply_progress([Progress(task.id, unit, "第二次报送", "进行中", "改名之前")])
    factory.rename_unit(unit, unit + "（新）")
    factory.rename_round("第二次报送", "年终报送")
    factory.apply_progress([Progress(task.id, unit + "（新）", "年终报送", "已完成", "改名之后")])
    texts = [h.new.text for h in factory.progress_history(task.id, unit + "（新）", "年终报送") if h.new]
    assert texts[-2:] == ["改名之前", "改名之后"]
    assert factory.progress_history(task.id, unit, "第二次报送")[-1].new.text == "改名之后"  # old names resolve
    assert factory.progress_history(task.id, "县不存在局", "年终报送") == []


def test_history_shows_a_deleted_task_and_its_restoring(factory: Ledger) -> None:
    entry = factory.document().progress[3]
    deleted = factory.delete_tasks([entry.task_id])
    factory.undo_batch(deleted.batch_id)
    history = factory.progress_history(entry.task_id, entry.unit, entry.round)
    assert _texts(history) == [("import", "计划.docx", None, entry.text, False),
                               ("edit", "typed", entry.text, None, True),
                               ("undo", "typed", None, entry.text, False)]


def test_history_of_a_merged_unit_includes_the_sources_changes(factory: Ledger) -> None:
    doc = factory.document()
    task = next(t for t in doc.tasks if not [p for p in doc.progress if p.task_id == t.id and p.unit == "县财政局"])
    factory.add_unit("县会计核算中心")
    factory.update_task(task.id, coop_units=["县会计核算中心"])
    factory.apply_progress([Progress(task.id, "县会计核算中心", "第一次报送", "进行中", "核算中心报的")])
    factory.merge_units("县会计核算中心", "县财政局")
    history = factory.progress_history(task.id, "县财政局", "第一次报送")
    assert [h.new.text for h in history if h.new] == ["核算中心报的"]
    assert history[0].new.unit == "县财政局"
