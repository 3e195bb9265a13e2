"""Completion by unit and by state, and the overdue tasks, computed once for `ledgerdesk stats` and the
window's 完成情况概览 (both must show the same numbers, so the arithmetic lives here, free of Qt).

The task states are computed once and shared by the by-state counts and the overdue list; the
per-unit lines use each unit's own reports (core.status.summarize_by_unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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

    def overdue_days(self, task: Task) -> int | None:
        """Days past the deadline date on `as_of` (None for a task reported 未按期完成 with no date)."""
        return (self.as_of - task.deadline.date).days if task.deadline.date else None


def compute_overview(doc: LedgerDocument, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS) -> Overview:
    """The overview of `doc` (its tasks and progress) on `as_of`."""
    states = task_states(doc, as_of=as_of, soon_days=soon_days)
    counts = dict.fromkeys(STATES, 0)
    for state in states.values():
        counts[state] += 1
    late = sorted((t for t in doc.tasks if states[t.id] == STATE_OVERDUE), key=lambda t: t.deadline.date or date.max)
    return Overview(as_of=as_of, tasks=len(doc.tasks), by_status=counts,
                    by_unit=summarize_by_unit(doc, as_of=as_of, soon_days=soon_days), overdue=late, states=states)
