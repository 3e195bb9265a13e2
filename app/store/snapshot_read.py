"""The window's bulk reads at open: every task with its units, every progress mark, in plain SQL.

Opening a county's ledger reads 10,000 tasks, 25,000 assignments and 60,000 progress entries
before the first paint. SQLAlchemy's result layer (a Row per row, a processor call per column)
cost more there than SQLite itself, so these run on the session's own DB-API cursor (the same
connection and transaction as every other read) and convert dates with the very processors the
ORM columns use: the records come out equal to read_document's (tests/store/test_fast_snapshot.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.core.records import ROLE_LEAD, Deadline, Task, UnitDeadline
from app.store.orm import RoundRow, TaskRow, UnitDeadlineRow

_TASKS_SQL = ("SELECT id, seq, heading_id, key_work, content, metric, deadline_text, deadline_date, deadline_kind, "
              "notes FROM task ORDER BY position")
# per task in (position, id) order, as the ORM's assignment list has them; the task_id index does the grouping
_ASSIGNMENTS_SQL = "SELECT task_id, unit_id, role FROM assignment ORDER BY task_id, position, id"
_MARKS_SQL = "SELECT task_id, unit_id, round_id, status, trim(text) != '' FROM progress"


def _processor(session: Session, column) -> Callable[[Any], Any] | None:
    """The ORM column's own result processor (str → date for SQLite), so the values match read_document's."""
    dialect = session.get_bind().dialect
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


def _cursor(session: Session):
    return session.connection().connection.cursor()


def _unit_names(cursor) -> dict[int, str]:
    return dict(cursor.execute("SELECT id, name FROM unit").fetchall())


def all_tasks(session: Session) -> list[Task]:
    """Every task in document order, lead and cooperating units by name in their recorded order."""
    to_date = _processor(session, TaskRow.__table__.c.deadline_date)
    cursor = _cursor(session)
    try:
        names = _unit_names(cursor)
        tasks: dict[str, Task] = {}
        for tid, seq, heading_id, key_work, content, metric, d_text, d_date, d_kind, notes in \
                cursor.execute(_TASKS_SQL).fetchall():
            day = to_date(d_date) if to_date is not None and d_date is not None else d_date
            tasks[tid] = Task(tid, seq, heading_id, key_work, content, metric, [], [], Deadline(d_text, day, d_kind),
                              notes)
        for tid, unit_id, role in cursor.execute(_ASSIGNMENTS_SQL).fetchall():
            task = tasks.get(tid)
            if task is not None:
                (task.lead_units if role == ROLE_LEAD else task.coop_units).append(names[unit_id])
    finally:
        cursor.close()
    return list(tasks.values())


def progress_marks(session: Session, task_ids: list[str] | None = None, *, chunk: int = 500) -> list[tuple]:
    """(task_id, unit, round, status, text_mark) per entry, in no particular order; text_mark is "…" when
    the entry has text. The texts themselves stay in the file (60,000 of them, read when shown)."""
    cursor = _cursor(session)
    try:
        names = _unit_names(cursor)
        round_names = dict(cursor.execute(f"SELECT id, name FROM {RoundRow.__tablename__}").fetchall())
        if task_ids is None:
            rows = cursor.execute(_MARKS_SQL).fetchall()
        else:
            ids = list(dict.fromkeys(task_ids))
            rows = []
            for start in range(0, len(ids), chunk):  # under SQLite's bound-parameter limit
                part = ids[start:start + chunk]
                rows += cursor.execute(f"{_MARKS_SQL} WHERE task_id IN ({','.join('?' * len(part))})",
                                       part).fetchall()
    finally:
        cursor.close()
    return [(tid, names[uid], round_names[rid], status, "…" if has_text else "")
            for tid, uid, rid, status, has_text in rows]


_UNIT_DEADLINES_SQL = ("SELECT task_id, unit, deadline_text, deadline_date, original_text, original_date, reason, "
                       "approved_at, review_id FROM unit_deadline ORDER BY id")


def unit_deadlines(session: Session) -> dict[tuple[str, str], UnitDeadline]:
    """store.deadlines.read_all without ORM objects: the first ORM query of a process configures every
    mapper (a few hundred ms), which the window's open must not pay for a table that is mostly empty."""
    table = UnitDeadlineRow.__table__
    to_date = _processor(session, table.c.deadline_date)
    to_time = _processor(session, table.c.approved_at)

    def day(raw):
        return to_date(raw) if to_date is not None and raw is not None else raw

    def deadline(text: str | None, raw) -> Deadline:
        found = day(raw)
        return Deadline(text=text or "", date=found, kind="date" if found else "none")

    cursor = _cursor(session)
    try:
        rows = cursor.execute(_UNIT_DEADLINES_SQL).fetchall()
    finally:
        cursor.close()
    return {(tid, unit): UnitDeadline(task_id=tid, unit=unit, deadline=deadline(d_text, d_date),
                                      original=deadline(o_text, o_date), reason=reason or "",
                                      approved_at=to_time(at) if to_time is not None and at is not None else at,
                                      review_id=review_id)
            for tid, unit, d_text, d_date, o_text, o_date, reason, at, review_id in rows}
