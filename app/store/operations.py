"""Operations that change a ledger, each inside a Session the facade opened.

Every change is written to the change log under a batch, old and new value as JSON,
so that a whole batch (an import, a merged file, an edit) can be undone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.core.changes import BatchInfo, Changes, Conflict
from app.core.records import ROLE_COOP, ROLE_LEAD, Deadline, Progress
from app.errors import LedgerError
from app.store import dispatches, queries
from app.store.orm import (
    AssignmentRow,
    BatchRow,
    ChangeRow,
    ConflictRow,
    LedgerInfo,
    ProgressRow,
    RoundRow,
    TaskRow,
    UnitAliasRow,
    UnitRow,
)

TASK_TEXT_FIELDS = ("seq", "key_work", "content", "metric", "notes")
TASK_FIELDS = (*TASK_TEXT_FIELDS, "deadline", "lead_units", "coop_units")


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def new_batch(session: Session, *, kind: str, source: str, at: datetime, file_hash: str | None = None,
              unit: str | None = None, round: str | None = None, meta: dict | None = None) -> BatchRow:
    import uuid

    batch = BatchRow(id=str(uuid.uuid4()), kind=kind, source=source, file_hash=file_hash, unit=unit, round=round,
                     created_at=at, meta=json.dumps(meta or {}, ensure_ascii=False))
    session.add(batch)
    session.flush()
    return batch


def touch(session: Session, at: datetime) -> None:
    session.execute(update(LedgerInfo).values(modified_at=at))


def same_content(old: dict, new: dict) -> bool:
    """Equal apart from bookkeeping (when and from where)."""
    return all(old.get(k) == new.get(k) for k in ("status", "text", "done_date", "evidence"))


# ----- progress ---------------------------------------------------------------------------------
@dataclass
class Lookups:
    """Names → ids and the task ids, read once per transaction (a merge writes a batch per file)."""

    units: dict[str, int]
    rounds: dict[str, int]
    task_ids: set[str]

    @classmethod
    def read(cls, session: Session) -> Lookups:
        return cls(queries.unit_ids(session), queries.round_ids(session),
                   set(session.execute(select(TaskRow.id)).scalars()))


def apply_progress(session: Session, entries: list[Progress], batch: BatchRow, at: datetime,
                   lookups: Lookups | None = None) -> Changes:
    """Upsert entries; unchanged ones (same status, text, date, evidence) are skipped and not logged."""
    return _ProgressWriter(session, batch, at, entries, lookups or Lookups.read(session)).apply(entries)


class _ProgressWriter:
    """Looks up names and existing rows once per batch, then writes the entries: new rows and the
    change log as two executemany inserts (a merge writes thousands), changed rows through the ORM."""

    def __init__(self, session: Session, batch: BatchRow, at: datetime, entries: list[Progress],
                 lookups: Lookups) -> None:
        self.session = session
        self.batch = batch
        self.at = at
        self.units, self.rounds, self.task_ids = lookups.units, lookups.rounds, lookups.task_ids
        wanted_units = {self.units[e.unit] for e in entries if e.unit in self.units}
        self.existing = queries.progress_rows_for(session, {e.task_id for e in entries}, wanted_units)
        self.inserts: dict[tuple[str, int, int], dict] = {}
        self.log: list[dict] = []
        self.changes = Changes(batch_id=batch.id)

    def apply(self, entries: list[Progress]) -> Changes:
        with self.session.no_autoflush:
            for entry in entries:
                self._apply_one(entry)
        self.session.flush()
        connection = self.session.connection()  # plain executemany: no ORM bookkeeping for rows never read back
        if self.inserts:
            connection.execute(insert(ProgressRow.__table__), list(self.inserts.values()))
        if self.log:
            connection.execute(insert(ChangeRow.__table__), self.log)
        return self.changes

    def _apply_one(self, entry: Progress) -> None:
        if entry.task_id not in self.task_ids:
            raise LedgerError(f"任务不存在（unknown task id {entry.task_id}）")
        if entry.unit not in self.units:
            raise LedgerError(f"单位“{entry.unit}”不在本台账的单位名录中（unknown unit）")
        if entry.round not in self.rounds:
            raise LedgerError(f"报送轮次“{entry.round}”不存在（unknown round）")
        row_key = (entry.task_id, self.units[entry.unit], self.rounds[entry.round])
        row = self.existing.get(row_key)
        pending = self.inserts.get(row_key)
        old = queries.progress_value(row) if pending is None else queries.insert_value(pending)
        new = queries.record_value(entry if entry.updated_at else replace(entry, updated_at=self.at))
        if old is not None and same_content(old, new):
            return
        if row is None:
            self.inserts[row_key] = queries.insert_params(row_key, new)
        else:
            queries.apply_value(row, new)
        key = [entry.task_id, entry.unit, entry.round]
        self.log.append(queries.change_params(self.batch.id, entity="progress", key=key, old=old, new=new, at=self.at))
        self.changes.progress.add(tuple(key))


# ----- task fields --------------------------------------------------------------------------------
def task_field_value(task: TaskRow, name: str) -> object:
    """A task field as JSON-able data (deadline as its contract object, units as name lists)."""
    if name == "deadline":
        return Deadline(task.deadline_text, task.deadline_date, task.deadline_kind).to_json()
    if name in ("lead_units", "coop_units"):
        role = ROLE_LEAD if name == "lead_units" else ROLE_COOP
        return [a.unit.name for a in task.assignments if a.role == role]
    return getattr(task, name)


def set_task_field(session: Session, task: TaskRow, name: str, value: object) -> None:
    if name == "deadline":
        data = value if isinstance(value, dict) else value.to_json()  # type: ignore[union-attr]
        task.deadline_text = data.get("text", "")
        task.deadline_date = date.fromisoformat(data["date"]) if data.get("date") else None
        task.deadline_kind = data.get("kind", "none")
    elif name in ("lead_units", "coop_units"):
        role = ROLE_LEAD if name == "lead_units" else ROLE_COOP
        units = queries.unit_ids(session)
        unknown = [u for u in value if u not in units]  # type: ignore[union-attr]
        if unknown:
            raise LedgerError(f"单位“{unknown[0]}”不在本台账的单位名录中（unknown unit）")
        for assignment in [a for a in task.assignments if a.role == role]:
            task.assignments.remove(assignment)
        session.flush()
        base = 0 if role == ROLE_LEAD else 100
        for i, name_ in enumerate(value):  # type: ignore[arg-type]
            task.assignments.append(AssignmentRow(unit_id=units[name_], role=role, position=base + i))
        session.flush()
        session.expire(task, ["assignments"])
    elif name in TASK_TEXT_FIELDS:
        setattr(task, name, value)
    else:
        raise LedgerError(f"不能修改字段 {name}（unknown task field）")


def update_task(session: Session, task_id: str, fields: dict, batch: BatchRow, at: datetime) -> Changes:
    task = session.get(TaskRow, task_id)
    if task is None:
        raise LedgerError(f"任务不存在（unknown task id {task_id}）")
    changes = Changes(batch_id=batch.id)
    for name, value in fields.items():
        if name not in TASK_FIELDS:
            raise LedgerError(f"不能修改字段 {name}（unknown task field）")
        old = task_field_value(task, name)
        new = value.to_json() if isinstance(value, Deadline) else (list(value) if isinstance(value, (list, tuple))
                                                                    else value)
        if old == new:
            continue
        set_task_field(session, task, name, new)
        queries.log_change(session, batch.id, entity="task", key=task_id, field=name, old=old, new=new, at=at)
        changes.tasks.add(task_id)
    return changes


# ----- undo ---------------------------------------------------------------------------------------
def undo_batch(session: Session, batch_id: str, at: datetime) -> Changes:
    batch = session.get(BatchRow, batch_id)
    if batch is None:
        raise LedgerError(f"找不到批次 {batch_id}（unknown batch）")
    if batch.undone_at is not None:
        raise LedgerError(f"批次 {batch_id} 已撤销过（already undone）")
    undo = new_batch(session, kind="undo", source=batch.source, unit=batch.unit, round=batch.round,
                     meta={"undoes": batch_id}, at=at)
    changes = Changes(batch_id=undo.id, conflicts=True)
    units = queries.unit_ids(session)
    rounds = queries.round_ids(session)
    for change in reversed(queries.batch_changes(session, batch_id)):
        old = json.loads(change.old) if change.old else None
        expected = json.loads(change.new) if change.new else None
        if change.entity == "task":
            task_id = json.loads(change.entity_key)
            task = session.get(TaskRow, task_id)
            current = task_field_value(task, change.field) if task else None
            if current != expected:
                raise LedgerError(f"任务 {task_id} 的字段“{change.field}”在此之后又被修改，不能撤销（changed since）")
            set_task_field(session, task, change.field, old)
            queries.log_change(session, undo.id, entity="task", key=task_id, field=change.field, old=current,
                               new=old, at=at)
            changes.tasks.add(task_id)
            continue
        if change.entity == "unit":
            _undo_unit_change(session, change, undo, at)
            changes.units = True
            continue
        if change.entity != "progress":
            raise LedgerError("此批次包含无法撤销的更改（only progress and task edits can be undone）")
        task_id, unit, round_name = json.loads(change.entity_key)
        row = queries.find_progress(session, task_id, units[unit], rounds[round_name])
        current = queries.progress_value(row)
        if current != expected:
            raise LedgerError(
                f"任务 {task_id} 的“{unit}/{round_name}”进展在此批次之后又被修改，不能整体撤销（changed since）"
            )
        if old is None:
            session.delete(row)
        else:
            queries.apply_value(row, old)
        queries.log_change(session, undo.id, entity="progress", key=[task_id, unit, round_name], old=current,
                           new=old, at=at)
        changes.progress.add((task_id, unit, round_name))
    session.execute(update(ConflictRow).where(ConflictRow.batch_id == batch_id, ConflictRow.resolved_at.is_(None))
                    .values(resolved_at=at, resolution="undone"))
    dispatches.cancel_reviews_of_batch(session, batch_id)
    batch.undone_at = at
    return changes


# ----- batches and conflicts -------------------------------------------------------------------------
def batch_infos(session: Session) -> list[BatchInfo]:
    counts = dict(session.execute(select(ChangeRow.batch_id, func.count(ChangeRow.id)).group_by(ChangeRow.batch_id)).all())
    return [
        BatchInfo(id=b.id, kind=b.kind, source=b.source, file_hash=b.file_hash, unit=b.unit, round=b.round,
                  created_at=b.created_at, undone=b.undone_at is not None, change_count=counts.get(b.id, 0),
                  meta=json.loads(b.meta or "{}"))
        for b in queries.batches(session)
    ]


def dump_progress(entry: Progress | None) -> str | None:
    if entry is None:
        return None
    return json.dumps({"task_id": entry.task_id, "unit": entry.unit, "round": entry.round,
                       **queries.record_value(entry)}, ensure_ascii=False)


def load_progress(raw: str | None) -> Progress | None:
    if not raw:
        return None
    data = json.loads(raw)
    return Progress(
        task_id=data["task_id"], unit=data["unit"], round=data["round"], status=data.get("status", ""),
        text=data.get("text", ""), done_date=date.fromisoformat(data["done_date"]) if data.get("done_date") else None,
        evidence=data.get("evidence", ""),
        updated_at=datetime.fromisoformat(data["updated_at"]) if data.get("updated_at") else None,
        source=data.get("source", ""),
        reporter=data.get("reporter", ""),
    )


def add_conflicts(session: Session, conflicts: list[Conflict], batch_id: str, at: datetime) -> None:
    for c in conflicts:
        session.add(ConflictRow(batch_id=batch_id, task_id=c.task_id, unit=c.unit, round=c.round,
                                base=dump_progress(c.base), ours=dump_progress(c.ours),
                                theirs=dump_progress(c.theirs), created_at=at))


def list_conflicts(session: Session, *, open_only: bool) -> list[Conflict]:
    query = select(ConflictRow).order_by(ConflictRow.id)
    if open_only:
        query = query.where(ConflictRow.resolved_at.is_(None))
    return [
        Conflict(id=r.id, batch_id=r.batch_id, task_id=r.task_id, unit=r.unit, round=r.round,
                 base=load_progress(r.base), ours=load_progress(r.ours), theirs=load_progress(r.theirs),
                 resolved=r.resolved_at is not None, resolution=r.resolution)
        for r in session.execute(query).scalars()
    ]


def mark_conflict_resolved(session: Session, conflict_id: int, choice: str, at: datetime) -> None:
    row = session.get(ConflictRow, conflict_id)
    row.resolved_at = at
    row.resolution = choice


def add_round(session: Session, name: str, due: date | None) -> None:
    if name in queries.round_ids(session):
        raise LedgerError(f"报送轮次“{name}”已存在（round exists）")
    position = (session.execute(select(func.max(RoundRow.position))).scalar() or 0) + 1
    session.add(RoundRow(name=name, due=due, position=position))


UNIT_FIELDS = ("liaison", "phone", "kind")


def unit_row(session: Session, name: str) -> UnitRow:
    """The unit named `name`, or the user-facing error every unit operation gives."""
    row = session.execute(select(UnitRow).where(UnitRow.name == name)).scalar_one_or_none()
    if row is None:
        raise LedgerError(f"单位“{name}”不在本台账的单位名录中（unknown unit）")
    return row


def update_unit(session: Session, name: str, fields: dict, batch: BatchRow, at: datetime) -> Changes:
    row = unit_row(session, name)
    changes = Changes(batch_id=batch.id)
    for field_name, value in fields.items():
        if field_name not in UNIT_FIELDS:
            raise LedgerError(f"不能修改单位字段 {field_name}（unknown unit field）")
        old = getattr(row, field_name)
        if old == value:
            continue
        setattr(row, field_name, value)
        queries.log_change(session, batch.id, entity="unit", key=name, field=field_name, old=old, new=value, at=at)
        changes.units = True
    return changes


def _undo_unit_change(session: Session, change, undo: BatchRow, at: datetime) -> None:  # noqa: ANN001
    name = json.loads(change.entity_key)
    row = unit_row(session, name)
    expected = json.loads(change.new) if change.new is not None else None
    current = getattr(row, change.field)
    if current != expected:
        raise LedgerError(f"单位“{name}”的{change.field}在此之后又被修改，不能撤销（changed since）")
    old = json.loads(change.old) if change.old is not None else ""
    setattr(row, change.field, old)
    queries.log_change(session, undo.id, entity="unit", key=name, field=change.field, old=current, new=old, at=at)


def add_unit_alias(session: Session, unit: str, alias: str) -> None:
    row = unit_row(session, unit)
    owner = session.execute(select(UnitAliasRow).where(UnitAliasRow.alias == alias)).scalar_one_or_none()
    if owner is not None or session.execute(select(UnitRow).where(UnitRow.name == alias)).first():
        raise LedgerError(f"“{alias}”已是单位名称或别名，不能再作为“{unit}”的别名（alias taken）")
    row.aliases.append(UnitAliasRow(alias=alias))
