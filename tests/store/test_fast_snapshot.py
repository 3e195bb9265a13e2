"""The window's plain-SQL reads (app/store/snapshot_read.py) give read_document's records, field by field."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import fields
from pathlib import Path

import pytest

from app.core.records import Deadline, Progress, Task
from app.errors import LedgerFileError
from app.ledger import Ledger
from app.store import file as store_file
from bench.bench_window import synthetic, synthetic_progress
from tests.factories import make_document
from tests.store.test_upgrade_crash import write_revision_0001_ledger
from tests.ui.sample import sample_document

REPO = Path(__file__).resolve().parents[2]


def _assert_same_records(fast: list, slow: list) -> None:
    """Equal lists, compared record by record and field by field (a failure names the field)."""
    assert [getattr(r, "id", None) for r in fast] == [getattr(r, "id", None) for r in slow]
    for got, want in zip(fast, slow, strict=True):
        for f in fields(want):
            assert getattr(got, f.name) == getattr(want, f.name), (getattr(want, "id", want), f.name)
            assert type(getattr(got, f.name)) is type(getattr(want, f.name)), (getattr(want, "id", want), f.name)


def _assert_snapshot_is_document(ledger: Ledger) -> None:
    full = ledger.document()
    snap = ledger.snapshot()
    assert (snap.title, snap.year, snap.office, snap.ledger_id) == (full.title, full.year, full.office, full.ledger_id)
    _assert_same_records(snap.headings, full.headings)
    _assert_same_records(snap.units, full.units)
    _assert_same_records(snap.rounds, full.rounds)
    _assert_same_records(snap.tasks, full.tasks)
    _assert_same_records(snap.progress, full.progress)
    assert snap == full
    lean = ledger.snapshot(progress=False)
    assert lean.progress == [] and lean.tasks == full.tasks
    marks = ledger.progress_marks()
    assert all(len(mark) == 5 for mark in marks)
    assert sorted(marks) == sorted((p.task_id, p.unit, p.round, p.status, "…" if p.text.strip() else "")
                                   for p in full.progress)
    some = [t.id for t in full.tasks[::3]]
    assert sorted(ledger.progress_marks(some)) == sorted(m for m in marks if m[0] in set(some))


def test_seed_ledger_reads_the_same(tmp_path: Path) -> None:
    doc = sample_document()
    with Ledger.create_from_document(tmp_path / "t.ledger", doc, source="test") as ledger:
        ledger.apply_progress([Progress(doc.tasks[0].id, "县民政局", "第一次报送", status="已完成", text="  "),
                               Progress(doc.tasks[1].id, "县司法局", "第二次报送", status="", text="补充说明")])
        _assert_snapshot_is_document(ledger)


def test_generated_ledger_with_groups_aliases_and_progress_reads_the_same(tmp_path: Path) -> None:
    doc = make_document(120)
    doc.tasks.append(Task("loose", "999", None, "", "不在任何标题下的任务", lead_units=["县财政局"],
                          deadline=Deadline("", None, "none")))
    with Ledger.create_from_document(tmp_path / "g.ledger", doc, source="test") as ledger:
        first, second = doc.tasks[0], doc.tasks[7]
        # units re-assigned after creation: assignment rows no longer in task order, positions renumbered
        ledger.update_task(second.id, lead_units=["县财政局", first.lead_units[0]],
                           coop_units=["各乡镇（镇）人民政府", "县司法局"])
        ledger.update_task(first.id, coop_units=["吉强镇人民政府"])
        ledger.add_unit_alias("县财政局", "县财政")
        _assert_snapshot_is_document(ledger)
        tasks = {t.id: t for t in ledger.snapshot(progress=False).tasks}
        assert tasks[second.id].lead_units == ["县财政局", first.lead_units[0]]
        assert tasks[second.id].coop_units == ["各乡镇（镇）人民政府", "县司法局"]
        assert tasks["loose"].heading_id is None and tasks["loose"].deadline.date is None


def test_bench_style_ledger_reads_the_same(tmp_path: Path) -> None:
    doc = synthetic(400, 30, 3)
    with Ledger.create_from_document(tmp_path / "b.ledger", doc, source="bench") as ledger:
        ledger.apply_progress(synthetic_progress(doc, random.Random(5)))
        _assert_snapshot_is_document(ledger)
        assert any(t.coop_units and t.coop_units[-1].startswith("各") for t in ledger.snapshot(progress=False).tasks)


def test_the_fast_read_still_refuses_a_heading_cycle(tmp_path: Path) -> None:
    path = tmp_path / "c.ledger"
    with Ledger.create_from_document(path, sample_document(), source="test") as ledger:
        con = sqlite3.connect(path)  # another tool, behind the open ledger's back
        con.execute("UPDATE heading SET parent_id = id WHERE id = (SELECT id FROM heading LIMIT 1)")
        con.commit()
        con.close()
        with pytest.raises(LedgerFileError, match="成环"):
            ledger.snapshot(progress=False)


def test_alembic_is_imported_only_for_an_upgrade(tmp_path: Path) -> None:
    """A current ledger opens without alembic; an old one still upgrades on open, with its backup."""
    current = tmp_path / "current.ledger"
    Ledger.create_from_document(current, make_document(10), source="test").close()
    old = tmp_path / "old" / "old.ledger"
    old.parent.mkdir()
    write_revision_0001_ledger(old, tasks=30, units=5, rounds=2)
    code = textwrap.dedent("""
        import sys
        from app.ledger import Ledger
        Ledger.open(sys.argv[1]).close()
        Ledger.open(sys.argv[1], readonly=True).close()
        print("after current:", "alembic" in sys.modules)
        with Ledger.open(sys.argv[2]) as ledger:
            print("after old:", "alembic" in sys.modules, ledger.migration_backup.name, len(ledger.snapshot().tasks))
    """)
    done = subprocess.run([sys.executable, "-c", code, str(current), str(old)], check=False, cwd=REPO,
                          capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "after current: False"
    flag, backup, tasks = lines[1].split()[2:]
    assert flag == "True" and backup.startswith("old.v0001-") and (old.parent / backup).exists()
    assert int(tasks) == 30
    con = sqlite3.connect(old)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == store_file.head_revision()
    con.close()
