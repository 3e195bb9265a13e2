"""Units' own deadlines (table unit_deadline), granted by approved 延期 requests; logged and undoable.

A task keeps its planned 完成时限; an approved request gives ONE unit a later deadline for it, with the
original (as it was when approved), the reason and the review item that asked. At most one per task
and unit: a second approval replaces the first (the change log keeps both). Change-log rows use the
entity ENTITY, key [task_id, unit], old/new the row as JSON (None: no row), so undo puts back exactly
what was there before.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.changes import Changes
from app.core.records import Deadline, UnitDeadline
from app.errors import LedgerError
from app.store import queries
from app.store.orm import BatchRow, ChangeRow, TaskRow, UnitDeadlineRow

ENTITY = "unit_deadline"


def _deadline(text: str, day: date | None) -> Deadline:
    return Deadline(text=text or "", date=day, kind="date" if day else "none")


def _record(row: UnitDeadlineRow) -> UnitDeadline:
    return UnitDeadline(task_id=row.task_id, unit=row.unit, deadline=_deadline(row.deadline_text, row.deadline_date),
                        original=_deadline(row.original_text, row.original_date), reason=row.reason or "",
                        approved_at=row.approved_at, review_id=row.review_id)


def read_all(session: Session) -> dict[tuple[str, str], UnitDeadline]:
    """Every unit deadline, keyed (task_id, unit), in the order approved."""
    rows = session.execute(select(UnitDeadlineRow).order_by(UnitDeadlineRow.id)).scalars()
    return {(r.task_id, r.unit): _record(r) for r in rows}


def _as_json(row: UnitDeadlineRow | None) -> dict | None:
    if row is None:
        return None
    return {"deadline_text": row.deadline_text, "deadline_date": row.deadline_date.isoformat() if row.deadline_date
            else None, "original_text": row.original_text,
            "original_date": row.original_date.isoformat() if row.original_date else None, "reason": row.reason,
            "review_id": row.review_id, "approved_at": row.approved_at.isoformat() if row.approved_at else None}


def _day(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _store(session: Session, task_id: str, unit: str, value: dict | None, row: UnitDeadlineRow | None) -> None:
    if value is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    if row is None:
        row = UnitDeadlineRow(task_id=task_id, unit=unit)
        session.add(row)
    row.deadline_text = value.get("deadline_text") or ""
    row.deadline_date = _day(value.get("deadline_date"))
    row.original_text = value.get("original_text") or ""
    row.original_date = _day(value.get("original_date"))
    row.reason = value.get("reason") or ""
    row.review_id = value.get("review_id")
    row.approved_at = datetime.fromisoformat(value["approved_at"]) if value.get("approved_at") else datetime.now()
    session.flush()


def _row(session: Session, task_id: str, unit: str) -> UnitDeadlineRow | None:
    return session.execute(select(UnitDeadlineRow).where(UnitDeadlineRow.task_id == task_id,
                                                         UnitDeadlineRow.unit == unit)).scalar_one_or_none()


def write(session: Session, deadline: UnitDeadline, batch: BatchRow, at: datetime) -> Changes:
    """Set the unit's deadline for the task (the original is the task's deadline now, unless one was
    granted before: then the first original stays)."""
    task = session.get(TaskRow, deadline.task_id)
    if task is None:
        raise LedgerError(f"任务不存在（unknown task id {deadline.task_id}）")
    row = _row(session, deadline.task_id, deadline.unit)
    old = _as_json(row)
    original = (old["original_text"], _day(old["original_date"])) if old else (deadline.original.text,
                                                                               deadline.original.date)
    new = {"deadline_text": deadline.deadline.text,
           "deadline_date": deadline.deadline.date.isoformat() if deadline.deadline.date else None,
           "original_text": original[0], "original_date": original[1].isoformat() if original[1] else None,
           "reason": deadline.reason, "review_id": deadline.review_id,
           "approved_at": (deadline.approved_at or at).isoformat()}
    _store(session, deadline.task_id, deadline.unit, new, row)
    queries.log_change(session, batch.id, entity=ENTITY, key=[deadline.task_id, deadline.unit], old=old, new=new,
                       at=at)
    return Changes(batch_id=batch.id, tasks={deadline.task_id})


def undo_change(session: Session, change: ChangeRow, undo: BatchRow, at: datetime, changes: Changes) -> None:
    """Put back what was there before, refusing when the unit's deadline changed again since."""
    task_id, unit = json.loads(change.entity_key)
    row = _row(session, task_id, unit)
    current = _as_json(row)
    expected = json.loads(change.new) if change.new else None
    if current != expected:
        raise LedgerError(f"“{unit}”的延期时限在此之后又被修改，不能撤销（changed since）")
    old = json.loads(change.old) if change.old else None
    _store(session, task_id, unit, old, row)
    queries.log_change(session, undo.id, entity=ENTITY, key=[task_id, unit], old=current, new=old, at=at)
    changes.tasks.add(task_id)
