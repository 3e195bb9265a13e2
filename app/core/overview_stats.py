"""Completion by unit and by state, and the overdue tasks, computed once for `ledgerdesk stats` and the
window's 完成情况概览 (both must show the same numbers, so the arithmetic lives here, free of Qt).

The task states are computed once and shared by the by-state counts and the overdue list; the
per-unit lines use each unit's own reports (core.status.summarize_by_unit). A unit's own deadline
(an approved 延期, `doc.unit_deadlines`) counts for that unit's line and for the task's state
(app/core/deadlines_unit.py); only the tasks with one are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.core.deadlines_unit import adjust_summaries, task_for_unit, task_state_with_units
from app.core.records import LedgerDocument, Task
from app.core.status import (
    DEFAULT_SOON_DAYS,
    STATE_OVERDUE,
    STATES,
    UnitSummary,
    summarize_by_unit,
    task_states,
)


@dataclass
class Overview:
    """What the overview shows: task counts per state (every state, STATES order), one line per unit
    (every unit, the directory's order, then units only tasks name), overdue tasks most overdue first."""

    as_of: date
    tasks: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_unit: list[UnitSummary] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # task id → state
    due_dates: dict[str, date] = field(default_factory=dict)  # task id → date counted when a unit has its own

    def overdue_days(self, task: Task) -> int | None:
        """Days past the deadline date on `as_of` (None for a task reported 未按期完成 with no date)."""
        due = self.due_dates.get(task.id, task.deadline.date)
        return (self.as_of - due).days if due else None


def _due_dates(doc: LedgerDocument) -> dict[str, date]:
    """For tasks with unit deadlines: the earliest deadline date any of their lead units must meet."""
    out: dict[str, date] = {}
    tasks = {t.id: t for t in doc.tasks}
    for task_id in {tid for tid, _unit in doc.unit_deadlines}:
        task = tasks.get(task_id)
        if task is None:
            continue
        dates = [d for u in task.lead_units if (d := task_for_unit(task, u, doc.unit_deadlines).deadline.date)]
        if dates:
            out[task_id] = min(dates)
    return out


def compute_overview(doc: LedgerDocument, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS) -> Overview:
    """The overview of `doc` (its tasks and progress) on `as_of`."""
    states = task_states(doc, as_of=as_of, soon_days=soon_days)
    by_task: dict[str, list] = {}
    rounds = [r.name for r in doc.rounds]
    if doc.unit_deadlines:
        for entry in doc.progress:
            by_task.setdefault(entry.task_id, []).append(entry)
        granted = {tid for tid, _unit in doc.unit_deadlines}
        for task in doc.tasks:
            if task.id in granted:
                states[task.id] = task_state_with_units(task, by_task.get(task.id, []), doc.unit_deadlines,
                                                        as_of=as_of, soon_days=soon_days, rounds=rounds)
    counts = dict.fromkeys(STATES, 0)
    for state in states.values():
        counts[state] += 1
    due = _due_dates(doc)
    late = sorted((t for t in doc.tasks if states[t.id] == STATE_OVERDUE),
                  key=lambda t: due.get(t.id, t.deadline.date) or date.max)
    by_unit = adjust_summaries(summarize_by_unit(doc, as_of=as_of, soon_days=soon_days), doc.tasks, by_task,
                               doc.unit_deadlines, as_of=as_of, soon_days=soon_days, rounds=rounds)
    return Overview(as_of=as_of, tasks=len(doc.tasks), by_status=counts, by_unit=by_unit, overdue=late,
                    states=states, due_dates=due)
