"""Structure edits through the facade: add, delete and move tasks and headings, live numbering, undo.

Real ledger files (seed plans and the factory ledger), each operation one batch; undo must give
back the very document that was there (ids, fields, assignments, progress), and refuse when the
rows were changed since."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.records import Deadline, Heading, LedgerDocument, Progress, Round, Task, Unit
from app.errors import LedgerError
from app.formats.plan import read_plan
from app.ledger import Ledger
from tests.factories import make_document


@pytest.fixture
def seed_ledger(tmp_path: Path, seed_path):
    def make(name: str) -> Ledger:
        path = tmp_path / f"{name}.ledger"
        Ledger.create_from_document(path, read_plan(seed_path(name)), source=f"{name}.txt").close()
        return Ledger.open(path)
    return make


def _seqs(doc: LedgerDocument, heading_id: str | None) -> list[str]:
    return [t.seq for t in doc.tasks if t.heading_id == heading_id]


def _numbers(doc: LedgerDocument, parent_id: str | None) -> list[str]:
    return [h.number for h in doc.headings if h.parent_id == parent_id]


def test_add_task_continues_a_global_numbering_and_undo_gives_the_document_back(seed_ledger) -> None:
    with seed_ledger("000") as ledger:
        before = ledger.document()
        second = before.headings[1]
        own = [t for t in before.tasks if t.heading_id == second.id]
        changes = ledger.add_task(second.id, content="新增的任务", lead_units=["县民政局"],
                                  deadline=Deadline("2023年12月底", None, "date"))
        assert changes.structure and changes.batch_id and len(changes.tasks) == 1
        new_id = next(iter(changes.tasks))
        doc = ledger.document()
        added = next(t for t in doc.tasks if t.id == new_id)
        assert (added.heading_id, added.content, added.lead_units) == (second.id, "新增的任务", ["县民政局"])
        assert added.seq == str(int(own[-1].seq) + 1)  # 1 … 38 through the ledger: the new one is next
        assert [t.seq for t in doc.tasks] == [str(i) for i in range(1, len(before.tasks) + 2)]
        assert [t.id for t in doc.tasks].index(new_id) == [t.id for t in before.tasks].index(own[-1].id) + 1
        ledger.undo_batches([changes.batch_id])
        assert ledger.document() == before


def test_add_task_before_another_in_a_per_heading_plan_renumbers_only_that_heading(seed_ledger) -> None:
    with seed_ledger("004") as ledger:
        before = ledger.document()
        first_sub = next(h for h in before.headings if h.level == 2)
        own = [t for t in before.tasks if t.heading_id == first_sub.id]
        assert [t.seq for t in own] == ["1", "2", "3", "4"]
        changes = ledger.add_task(first_sub.id, before=own[1].id, content="插入的任务")
        new_id = next(iter(changes.tasks))
        doc = ledger.document()
        assert [(t.id, t.seq) for t in doc.tasks if t.heading_id == first_sub.id] == [
            (own[0].id, "1"), (new_id, "2"), (own[1].id, "3"), (own[2].id, "4"), (own[3].id, "5")]
        for heading in before.headings:  # every other heading keeps 1 … k
            if heading.id != first_sub.id:
                assert _seqs(doc, heading.id) == _seqs(before, heading.id)
        ledger.undo_batches([changes.batch_id])
        assert ledger.document() == before


def test_irregular_numbers_are_kept_and_only_the_new_task_is_numbered(tmp_path: Path) -> None:
    doc = make_document(6, with_progress=False)
    for task, seq in zip(doc.tasks, ["1", "3", "甲", "7", "", "2-1"]):
        task.seq = seq
    path = tmp_path / "odd.ledger"
    Ledger.create_from_document(path, doc, source="odd").close()
    with Ledger.open(path) as ledger:
        before = ledger.document()
        home = before.tasks[3].heading_id
        changes = ledger.add_task(home, content="新的")
        after = ledger.document()
        new = next(t for t in after.tasks if t.id in changes.tasks)
        assert {t.id: t.seq for t in after.tasks if t.id != new.id} == {t.id: t.seq for t in before.tasks}
        previous = [t for t in after.tasks if t.heading_id == home and t.id != new.id][-1]
        expected = str(int(previous.seq) + 1) if previous.seq.isdigit() else "1"
        assert new.seq == expected


def _task_with_rich_progress(ledger: Ledger) -> Task:
    doc = ledger.document()
    for task in doc.tasks:
        entries = [p for p in doc.progress if p.task_id == task.id]
        if len({p.unit for p in entries}) >= 2 and len({p.round for p in entries}) >= 2:
            return task
    raise AssertionError("the factory ledger has a task with two units and two rounds")


def test_delete_task_with_progress_of_two_units_and_two_rounds_is_restored_exactly(factory: Ledger) -> None:
    before = factory.document()
    task = _task_with_rich_progress(factory)
    entries = [p for p in before.progress if p.task_id == task.id]
    changes = factory.delete_tasks([task.id])
    assert changes.structure and task.id in changes.tasks
    doc = factory.document()
    assert task.id not in {t.id for t in doc.tasks}
    assert not [p for p in doc.progress if p.task_id == task.id]
    assert factory.progress_entry(task.id, entries[0].unit, entries[0].round) is None
    factory.undo_batch(changes.batch_id)
    restored = factory.document()
    assert restored == before  # same id, fields, lead/coop order, every entry with its text and times
    assert [p for p in restored.progress if p.task_id == task.id] == entries


def test_delete_several_tasks_and_undo_keeps_their_order(factory: Ledger) -> None:
    before = factory.document()
    ids = [before.tasks[i].id for i in (2, 3, 9, 24)]
    changes = factory.delete_tasks(ids)
    assert len(factory.document().tasks) == len(before.tasks) - 4
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_undo_is_refused_after_a_later_change_and_changes_nothing(factory: Ledger) -> None:
    doc = factory.document()
    home = doc.tasks[0].heading_id
    added = factory.add_task(home, content="将被改写")
    new_id = next(iter(added.tasks))
    factory.update_task(new_id, content="改写过了")
    state = factory.document()
    with pytest.raises(LedgerError, match="又被修改"):
        factory.undo_batch(added.batch_id)
    assert factory.document() == state
    moved = factory.move_tasks([doc.tasks[1].id], doc.tasks[-1].heading_id)
    factory.move_tasks([doc.tasks[1].id], home)
    state = factory.document()
    with pytest.raises(LedgerError, match="不能撤销"):
        factory.undo_batch(moved.batch_id)
    assert factory.document() == state
    removed = factory.delete_tasks([doc.tasks[6].id])
    factory.delete_tasks([doc.tasks[5].id])  # renumbers the tasks the first delete renumbered
    state = factory.document()
    with pytest.raises(LedgerError, match="seq"):
        factory.undo_batch(removed.batch_id)
    assert factory.document() == state


def test_added_task_with_progress_since_cannot_be_unadded(factory: Ledger) -> None:
    home = factory.document().tasks[0].heading_id
    added = factory.add_task(home, content="有进展的新任务", lead_units=["县司法局"])
    new_id = next(iter(added.tasks))
    factory.apply_progress([Progress(new_id, "县司法局", "第一次报送", "进行中", "已开始")])
    with pytest.raises(LedgerError, match="进展"):
        factory.undo_batch(added.batch_id)
    assert factory.progress_entry(new_id, "县司法局", "第一次报送").text == "已开始"


def test_move_tasks_across_headings_renumbers_both_and_undo_restores(seed_ledger) -> None:
    with seed_ledger("004") as ledger:
        before = ledger.document()
        subs = [h for h in before.headings if h.level == 2]
        source, target = subs[0], subs[9]
        own = [t for t in before.tasks if t.heading_id == source.id]
        theirs = [t for t in before.tasks if t.heading_id == target.id]
        changes = ledger.move_tasks([own[2].id, own[0].id], target.id, before=theirs[0].id)
        assert changes.structure and {own[0].id, own[2].id} <= changes.tasks
        doc = ledger.document()
        assert [(t.id, t.seq) for t in doc.tasks if t.heading_id == source.id] == [(own[1].id, "1"),
                                                                                  (own[3].id, "2")]
        moved = [(t.id, t.seq) for t in doc.tasks if t.heading_id == target.id]
        assert moved[:2] == [(own[0].id, "1"), (own[2].id, "2")]  # document order kept
        assert [s for _i, s in moved] == [str(i) for i in range(1, len(theirs) + 3)]
        ids = [t.id for t in doc.tasks]  # the printed order: right before the target's first task
        assert ids.index(own[2].id) + 1 == ids.index(theirs[0].id)
        ledger.undo_batches([changes.batch_id])
        assert ledger.document() == before


def test_move_to_the_end_of_a_heading_without_own_tasks_goes_before_its_subheadings(seed_ledger) -> None:
    with seed_ledger("004") as ledger:
        before = ledger.document()
        top = before.headings[0]
        assert _seqs(before, top.id) == []
        task = before.tasks[-1]
        ledger.move_tasks([task.id], top.id)
        doc = ledger.document()
        assert doc.tasks[0].id == task.id and _seqs(doc, top.id) == ["1"]


def test_heading_delete_takes_nested_headings_and_tasks_and_undo_restores(factory: Ledger) -> None:
    deep = factory.add_heading("h2-1", "更下一级")
    deep_id = next(iter(deep.headings))
    factory.add_task(deep_id, content="最深处的任务", lead_units=["县财政局"])
    before = factory.document()
    gone_tasks = {t.id for t in before.tasks if t.heading_id in ("h2", "h2-1", "h2-2", deep_id)}
    changes = factory.delete_heading("h2")
    assert changes.structure and {"h2", "h2-1", "h2-2", deep_id} <= changes.headings
    doc = factory.document()
    assert {h.id for h in doc.headings} == {"h1", "h3", "h4"}
    assert not gone_tasks & {t.id for t in doc.tasks}
    assert not gone_tasks & {p.task_id for p in doc.progress}
    assert _numbers(doc, None) == ["一、", "二、", "三、"]
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_add_heading_takes_the_style_of_its_level(seed_ledger) -> None:
    with seed_ledger("002") as ledger:  # half-width "(一)" at level 2
        before = ledger.document()
        top = ledger.add_heading(None, "新的一部分")
        top_id = next(iter(top.headings))
        doc = ledger.document()
        assert next(h for h in doc.headings if h.id == top_id).number == "八、"
        sub = ledger.add_heading(top_id, "新的小节")
        sub_id = next(iter(sub.headings))
        first = before.headings[0]
        inserted = ledger.add_heading(first.id, "插在最前", before=_children(before, first.id)[0].id)
        doc = ledger.document()
        assert next(h for h in doc.headings if h.id == sub_id).number == "(一)"
        assert _numbers(doc, first.id) == ["(一)", "(二)", "(三)", "(四)", "(五)"]
        assert _numbers(doc, first.id)[0] == next(h.number for h in doc.headings if h.id in inserted.headings)
        task = ledger.add_task(sub_id, content="新小节的任务")
        assert ledger.tasks(list(task.tasks))[0].seq == "1"  # numbers restart per heading in this plan
        for step in (task, inserted, sub, top):
            ledger.undo_batch(step.batch_id)
        assert ledger.document() == before


def _children(doc: LedgerDocument, parent: str | None) -> list[Heading]:
    return [h for h in doc.headings if h.parent_id == parent]


def test_move_heading_with_its_tasks_changes_levels_numbers_and_order(seed_ledger) -> None:
    with seed_ledger("004") as ledger:
        before = ledger.document()
        tops = _children(before, None)
        moving = _children(before, tops[1].id)[1]  # 二（二）
        moving_tasks = [t.id for t in before.tasks if t.heading_id == moving.id]
        changes = ledger.move_heading(moving.id, tops[0].id)  # to the end of 一
        doc = ledger.document()
        assert _numbers(doc, tops[0].id) == ["（一）", "（二）", "（三）", "（四）", "（五）"]
        assert _numbers(doc, tops[1].id) == ["（一）", "（二）", "（三）", "（四）", "（五）"]
        ids = [t.id for t in doc.tasks]
        last_of_first = [t.id for t in before.tasks if t.heading_id == _children(before, tops[0].id)[-1].id][-1]
        assert ids[ids.index(last_of_first) + 1:ids.index(last_of_first) + 1 + len(moving_tasks)] == moving_tasks
        promoted = ledger.move_heading(moving.id, None, before=tops[2].id)  # a section of its own
        doc = ledger.document()
        moved = next(h for h in doc.headings if h.id == moving.id)
        assert (moved.level, moved.number) == (1, "三、")
        assert _numbers(doc, None) == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、"]
        with pytest.raises(LedgerError, match="自己的下级"):
            ledger.move_heading(tops[0].id, _children(doc, tops[0].id)[0].id)
        ledger.undo_batches([promoted.batch_id, changes.batch_id])
        assert ledger.document() == before


def test_positions_out_of_preorder_are_put_in_order_and_back(factory: Ledger) -> None:
    before = factory.document()
    assert [h.id for h in before.headings] == ["h1", "h2", "h3", "h4", "h2-1", "h2-2"]
    changes = factory.add_heading("h2", "第三个小节")
    doc = factory.document()
    assert [h.number for h in _children(doc, "h2")] == ["（一）", "（二）", "（三）"]
    assert [h.id for h in doc.headings][:4] == ["h1", "h2", "h2-1", "h2-2"]
    factory.undo_batch(changes.batch_id)
    assert factory.document() == before


def test_refusals_name_the_problem_and_change_nothing(factory: Ledger) -> None:
    before = factory.document()
    with pytest.raises(LedgerError, match="章节不存在"):
        factory.add_task("nope", content="x")
    with pytest.raises(LedgerError, match="不在目标章节"):
        factory.add_task("h1", before=before.tasks[-1].id, content="x")
    with pytest.raises(LedgerError, match="任务不存在"):
        factory.delete_tasks(["t-missing"])
    with pytest.raises(LedgerError, match="不在本台账的单位名录"):
        factory.add_task("h1", content="x", lead_units=["县不存在局"])
    with pytest.raises(LedgerError, match="标题不能为空"):
        factory.add_heading(None, "  ")
    assert factory.document() == before
    assert not [b for b in factory.batches() if b.kind == "edit"]


def test_empty_ledger_gets_numbers_from_one(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "new.ledger", title="空台账") as ledger:
        first = ledger.add_heading(None, "第一部分")
        hid = next(iter(first.headings))
        a = ledger.add_task(hid, content="甲")
        b = ledger.add_task(None, content="不在章节中的任务")
        doc = ledger.document()
        assert doc.headings[0].number == "一、"
        assert [(t.id, t.seq) for t in doc.tasks] == [(next(iter(b.tasks)), "1"), (next(iter(a.tasks)), "2")]


def test_changes_of_batches_reports_structure(factory: Ledger) -> None:
    changes = factory.add_heading(None, "新章节")
    again = factory.changes_of_batches([changes.batch_id])
    assert again.structure and again.headings == changes.headings
    undo = factory.undo_batch(changes.batch_id)
    assert undo.structure and undo.headings == changes.headings


def test_units_and_rounds_fixture_is_sane() -> None:
    doc = make_document(5)
    assert isinstance(doc.units[0], Unit) and isinstance(doc.rounds[0], Round)
