"""The window's reads of the facade: the same records as document(), only the part asked for."""

from __future__ import annotations

from pathlib import Path

from app.core.records import Progress
from app.ledger import Ledger
from app.ui.ledger_view import LedgerView
from tests.ui.sample import sample_document


def test_snapshot_and_partial_reads_equal_document(tmp_path: Path) -> None:
    doc = sample_document()
    path = tmp_path / "t.ledger"
    with Ledger.create_from_document(path, doc, source="test") as ledger:
        ledger.apply_progress([Progress(doc.tasks[2].id, "县人民政府办公室", "第二次报送", status="进行中", text="在办"),
                               Progress(doc.tasks[0].id, "县民政局", "第一次报送", status="已完成", text=" "),
                               Progress(doc.tasks[0].id, "县民政局", "第二次报送", status="", text="补充说明")])
        full = ledger.document()
        assert ledger.snapshot() == full
        assert ledger.snapshot(progress=False).progress == [] and ledger.snapshot(progress=False).tasks == full.tasks
        ids = [doc.tasks[2].id, doc.tasks[0].id]
        assert ledger.tasks(ids) == [full.tasks[0], full.tasks[2]]  # document order, whatever was asked
        assert ledger.tasks(["gone"]) == []
        assert ledger.progress_of(ids) == [p for p in full.progress if p.task_id in ids]
        marks = sorted(ledger.progress_marks())
        assert marks == sorted((p.task_id, p.unit, p.round, p.status, "…" if p.text.strip() else "")
                               for p in full.progress)
        assert ledger.open_counts() == {"conflicts": 0, "reviews": 0}


def test_view_states_match_the_core_rules(tmp_path: Path) -> None:
    from datetime import date

    from app.core.status import task_states

    doc = sample_document()
    path = tmp_path / "t.ledger"
    with Ledger.create_from_document(path, doc, source="test") as ledger:
        ledger.apply_progress([Progress(doc.tasks[1].id, "县司法局", "第一次报送", status="已完成", text="完成"),
                               Progress(doc.tasks[0].id, "县民政局", "第一次报送", status="", text="只写了进展")])
        view = LedgerView(as_of=date(2023, 10, 1))
        view.load(ledger)
        assert view.states == task_states(ledger.document(), as_of=date(2023, 10, 1))
