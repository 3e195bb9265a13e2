"""Units' own deadlines (approved 延期) where deadlines matter: the 完成时限 cell and overdue checks.

An approved extension gives one unit a later deadline for one task (UnitDeadline, app/core/records.py;
`LedgerDocument.unit_deadlines`, keyed (task id, unit)); the task keeps its planned deadline.
Rules:
- the printed 完成时限 of such a task reads "原定<planned>，<unit>经批准延期至<date>" (one clause per
  unit, in the task's lead-then-cooperating order); a task with one unit only drops the name:
  "原定<planned>，经批准延期至<date>". "原定" shows the deadline as it was when first approved.
- in a unit's own view (its overview line, its 督办 notice) the task's deadline is the unit's own.
- a task's overall state: with no unit deadline among its lead units, as always (core.status);
  otherwise each lead unit's state in its own view, the most pressing winning (overdue, then due
  soon, on track, no deadline, long term; done only when every lead unit is done).
No Qt, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from app.core.records import Progress, Task, UnitDeadline
from app.core.status import (
    DEFAULT_SOON_DAYS,
    STATE_DONE,
    STATE_DUE_SOON,
    STATE_LONG_TERM,
    STATE_NO_DEADLINE,
    STATE_ON_TRACK,
    STATE_OVERDUE,
    UnitSummary,
    task_state,
)

UnitDeadlines = Mapping[tuple[str, str], UnitDeadline]
PRESSING = (STATE_OVERDUE, STATE_DUE_SOON, STATE_ON_TRACK, STATE_NO_DEADLINE, STATE_LONG_TERM, STATE_DONE)


def task_for_unit(task: Task, unit: str, deadlines: UnitDeadlines) -> Task:
    """`task` as `unit` must meet it: with the unit's own deadline when it has one."""
    granted = deadlines.get((task.id, unit))
    return task if granted is None else replace(task, deadline=granted.deadline)


def granted_of(task: Task, deadlines: UnitDeadlines) -> list[UnitDeadline]:
    """The task's unit deadlines, in the order the task names its units."""
    units = list(dict.fromkeys([*task.lead_units, *task.coop_units]))
    found = [deadlines[(task.id, u)] for u in units if (task.id, u) in deadlines]
    named = {d.unit for d in found}
    found += [d for (tid, u), d in deadlines.items() if tid == task.id and u not in named]
    return found


def deadline_cell(task: Task, deadlines: UnitDeadlines) -> str:
    """The printed 完成时限: as planned, or "原定…，经批准延期至…" (see the module docstring)."""
    found = granted_of(task, deadlines) if deadlines else []
    if not found:
        return task.deadline.text
    original = found[0].original.text or task.deadline.text
    single = len({*task.lead_units, *task.coop_units}) <= 1 and len(found) == 1
    clauses = [f"{'' if single else d.unit}经批准延期至{d.deadline.text}" for d in found]
    return "，".join(([f"原定{original}"] if original else []) + clauses)


def unit_task_state(task: Task, progress: Sequence[Progress], unit: str, deadlines: UnitDeadlines, *, as_of: date,
                    soon_days: int = DEFAULT_SOON_DAYS, rounds: Sequence[str] | None = None) -> str:
    """The task's state in `unit`'s own view, by the unit's own deadline when it has one."""
    return task_state(task_for_unit(task, unit, deadlines), progress, as_of=as_of, soon_days=soon_days,
                      rounds=rounds, units=[unit])


def task_state_with_units(task: Task, progress: Sequence[Progress], deadlines: UnitDeadlines, *, as_of: date,
                          soon_days: int = DEFAULT_SOON_DAYS, rounds: Sequence[str] | None = None) -> str:
    """The task's overall state, unit deadlines of its lead units counted (module docstring)."""
    leads = list(dict.fromkeys(task.lead_units))
    if not deadlines or not any((task.id, u) in deadlines for u in leads):
        return task_state(task, progress, as_of=as_of, soon_days=soon_days, rounds=rounds)
    states = [unit_task_state(task, progress, u, deadlines, as_of=as_of, soon_days=soon_days, rounds=rounds)
              for u in leads]
    if all(s == STATE_DONE for s in states):
        return STATE_DONE
    return min((s for s in states if s != STATE_DONE), key=PRESSING.index)


def _count(row: UnitSummary, state: str, sign: int) -> None:
    if state == STATE_DONE:
        row.done += sign
    elif state == STATE_OVERDUE:
        row.overdue += sign
    elif state == STATE_LONG_TERM:
        row.long_term += sign
    else:
        row.in_progress += sign
        if state == STATE_DUE_SOON:
            row.due_soon += sign


def adjust_summaries(rows: list[UnitSummary], tasks: Sequence[Task], by_task: Mapping[str, Sequence[Progress]],
                     deadlines: UnitDeadlines, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS,
                     rounds: Sequence[str] | None = None) -> list[UnitSummary]:
    """core.status.summarize_by_unit's lines, with each granted (task, lead unit) counted by the unit's
    own deadline instead of the task's (only those pairs are recomputed: O(unit deadlines))."""
    if not deadlines:
        return rows
    by_unit = {r.unit: r for r in rows}
    by_id = {t.id: t for t in tasks}
    for task_id, unit in deadlines:
        task = by_id.get(task_id)
        row = by_unit.get(unit)
        if task is None or row is None or unit not in task.lead_units:
            continue
        entries = by_task.get(task_id, [])
        planned = task_state(task, entries, as_of=as_of, soon_days=soon_days, rounds=rounds, units=[unit])
        own = unit_task_state(task, entries, unit, deadlines, as_of=as_of, soon_days=soon_days, rounds=rounds)
        if planned != own:
            _count(row, planned, -1)
            _count(row, own, +1)
    return rows
