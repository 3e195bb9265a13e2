"""Task state as of a date (done, long-term, overdue, due soon, on track, no deadline) and summaries.

These feed `ledgerdesk stats`, the export's overview sheet and the window's colours, so
the rules live in one place:

* A unit's word on a task is its *latest report*: the entry of the latest round (in the
  ledger's round order), then the latest `updated_at`. Blank entries (no status, no text:
  a sheet sent out but not filled in) are not reports and are skipped.
* done: every lead unit's latest status is 已完成; a task with no lead units is done
  when any unit reported 已完成.
* overdue: a lead unit reported 未按期完成, or the deadline date is before `as_of`
  (a deadline is met on its own day) and the task is not done.
* long_term: deadline kind long_term stays long_term even after its first milestone
  passed (the milestone is history; the duty goes on), as do recurring deadlines with
  no single date ("每季度"), and tasks whose lead units all report 长期坚持.
* due_soon: a deadline date within `soon_days` days of `as_of`; on_track: later.
* no_deadline: no date and the kind gives none (relative, per_superior, none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.core.records import STATUS_DONE, LedgerDocument, Progress, Task

STATE_DONE = "done"
STATE_LONG_TERM = "long_term"
STATE_OVERDUE = "overdue"
STATE_DUE_SOON = "due_soon"
STATE_ON_TRACK = "on_track"
STATE_NO_DEADLINE = "no_deadline"
# Display order for dashboards and the overview sheet.
STATES = (STATE_DONE, STATE_ON_TRACK, STATE_DUE_SOON, STATE_OVERDUE, STATE_LONG_TERM, STATE_NO_DEADLINE)
STATE_LABELS = {
    STATE_DONE: "已完成",
    STATE_LONG_TERM: "长期坚持",
    STATE_OVERDUE: "已逾期",
    STATE_DUE_SOON: "即将到期",
    STATE_ON_TRACK: "按期推进",
    STATE_NO_DEADLINE: "无时限",
}
STATUS_LATE = "未按期完成"
STATUS_LONG_TERM = "长期坚持"
DEFAULT_SOON_DAYS = 15


def _is_report(entry: Progress) -> bool:
    return bool((entry.status or "").strip() or (entry.text or "").strip())


def latest_progress(
    progress: Iterable[Progress], unit: str, *, rounds: Sequence[str] | None = None
) -> Progress | None:
    """The unit's latest report: latest round (by `rounds` order; unknown rounds first),
    then latest `updated_at`, then the later entry in the list. None if it reported nothing."""
    order = {name: i for i, name in enumerate(rounds or ())}
    best: Progress | None = None
    best_key: tuple | None = None
    for index, entry in enumerate(progress):
        if entry.unit != unit or not _is_report(entry):
            continue
        key = (order.get(entry.round, -1), entry.updated_at or datetime.min, index)
        if best_key is None or key > best_key:
            best, best_key = entry, key
    return best


def _latest_statuses(
    task: Task, progress: Sequence[Progress], units: Sequence[str], rounds: Sequence[str] | None
) -> list[str | None]:
    out = []
    for unit in units:
        entry = latest_progress((p for p in progress if p.task_id == task.id), unit, rounds=rounds)
        out.append((entry.status or "").strip() if entry else None)
    return out


def task_state(
    task: Task,
    progress: Sequence[Progress],
    *,
    as_of: date,
    soon_days: int = DEFAULT_SOON_DAYS,
    rounds: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
) -> str:
    """The task's state on `as_of`. `units` narrows the lead units considered (one unit's view)."""
    leads = list(units) if units is not None else list(task.lead_units)
    if leads:
        statuses = _latest_statuses(task, progress, leads, rounds)
        done = all(s == STATUS_DONE for s in statuses)
    else:
        reporters = sorted({p.unit for p in progress if p.task_id == task.id})
        statuses = _latest_statuses(task, progress, reporters, rounds)
        done = any(s == STATUS_DONE for s in statuses)
    if done:
        return STATE_DONE
    if any(s == STATUS_LATE for s in statuses):
        return STATE_OVERDUE

    deadline = task.deadline
    if deadline.kind == "long_term":
        return STATE_LONG_TERM
    if statuses and all(s == STATUS_LONG_TERM for s in statuses):
        return STATE_LONG_TERM
    if deadline.date is None:
        return STATE_LONG_TERM if deadline.kind == "recurring" else STATE_NO_DEADLINE
    days_left = (deadline.date - as_of).days
    if days_left < 0:
        return STATE_OVERDUE
    if days_left <= soon_days:
        return STATE_DUE_SOON
    return STATE_ON_TRACK


def _progress_by_task(doc: LedgerDocument) -> dict[str, list[Progress]]:
    by_task: dict[str, list[Progress]] = {}
    for entry in doc.progress:
        by_task.setdefault(entry.task_id, []).append(entry)
    return by_task


def task_states(doc: LedgerDocument, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS) -> dict[str, str]:
    """State of every task of the document, by task id."""
    by_task = _progress_by_task(doc)
    rounds = [r.name for r in doc.rounds]
    return {
        t.id: task_state(t, by_task.get(t.id, []), as_of=as_of, soon_days=soon_days, rounds=rounds)
        for t in doc.tasks
    }


@dataclass
class UnitSummary:
    """One unit's line on the dashboard. `led` = done + in_progress + overdue + long_term;
    due_soon is the part of in_progress due within the warning window."""

    unit: str
    led: int = 0
    cooperating: int = 0
    done: int = 0
    in_progress: int = 0
    overdue: int = 0
    due_soon: int = 0
    long_term: int = 0


def _all_unit_names(doc: LedgerDocument) -> list[str]:
    names = list(dict.fromkeys(doc.unit_names()))
    seen = set(names)
    for task in doc.tasks:
        for unit in (*task.lead_units, *task.coop_units):
            if unit not in seen:
                seen.add(unit)
                names.append(unit)
    return names


def summarize_by_unit(
    doc: LedgerDocument, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS
) -> list[UnitSummary]:
    """Per unit: tasks it leads and cooperates on, and the state of the led ones from its own
    latest reports (a task led by two units can be done for one and open for the other)."""
    by_task = _progress_by_task(doc)
    rounds = [r.name for r in doc.rounds]
    rows = {name: UnitSummary(unit=name) for name in _all_unit_names(doc)}
    for task in doc.tasks:
        for unit in dict.fromkeys(task.coop_units):
            rows[unit].cooperating += 1
        for unit in dict.fromkeys(task.lead_units):
            row = rows[unit]
            row.led += 1
            state = task_state(task, by_task.get(task.id, []), as_of=as_of, soon_days=soon_days,
                               rounds=rounds, units=[unit])
            if state == STATE_DONE:
                row.done += 1
            elif state == STATE_OVERDUE:
                row.overdue += 1
            elif state == STATE_LONG_TERM:
                row.long_term += 1
            else:
                row.in_progress += 1
                if state == STATE_DUE_SOON:
                    row.due_soon += 1
    return list(rows.values())


def summarize_by_status(
    doc: LedgerDocument, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS
) -> dict[str, int]:
    """Task counts per state, every state present, in `STATES` order."""
    counts = dict.fromkeys(STATES, 0)
    for state in task_states(doc, as_of=as_of, soon_days=soon_days).values():
        counts[state] += 1
    return counts


def overdue_tasks(doc: LedgerDocument, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS) -> list[Task]:
    """Overdue tasks, most overdue first (tasks reported 未按期完成 with no date last)."""
    states = task_states(doc, as_of=as_of, soon_days=soon_days)
    late = [t for t in doc.tasks if states[t.id] == STATE_OVERDUE]
    return sorted(late, key=lambda t: t.deadline.date or date.max)
