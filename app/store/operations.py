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
from app.core.records import Deadline, Progress
from app.errors import LedgerError
from app.store import deadlines, directory, dispatches, queries, settings, structure
from app.store.orm import (
    BatchRow,
    ChangeRow,
    ConflictRow,
    LedgerInfo,
    ProgressRow,
    ReviewRow,
    RoundRow,
    TaskRow,
    UnitAliasRow,
    UnitRow,
)
from app.store.structure import TASK_FIELDS, TASK_TEXT_FIELDS, set_task_field, task_field_value

__all__ = ["TASK_FIELDS", "TASK_TEXT_FIELDS", "set_task_field", "task_field_value"]  # kept here for callers



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
    units: dict[str, int] = {}
    rounds: dict[str, int] = {}
    unit_names: dict[int, str] = {}
    round_names: dict[int, str] = {}
    cache: dict = {}  # name resolvers for restored tasks, read once per undo
    logged = list(reversed(queries.batch_changes(session, batch_id)))
    at_index = 0
    while at_index < len(logged):
        change = logged[at_index]
        at_index += 1
        if structure.is_bulk_undo(change):  # moves and deletions of many tasks: one pass
            run = [change]
            while at_index < len(logged) and structure.is_bulk_undo(logged[at_index]):
                run.append(logged[at_index])
                at_index += 1
            structure.undo_places(session, run, undo, at, changes, cache)
            continue
        if structure.is_seq_undo(change):  # a renumbering: one pass
            run = [change]
            while at_index < len(logged) and structure.is_seq_undo(logged[at_index]):
                run.append(logged[at_index])
                at_index += 1
            structure.undo_seqs(session, run, undo, at, changes)
            continue
        old = json.loads(change.old) if change.old else None
        expected = json.loads(change.new) if change.new else None
        if change.entity == "task" and change.field in ("row", "place"):
            structure.undo_task_change(session, change, undo, at, changes, cache)
            continue
        if change.entity == "heading":
            structure.undo_heading_change(session, change, undo, at, changes)
            continue
        if change.entity in directory.ENTITIES or (change.entity == "unit"
                                                   and change.field in directory.UNIT_ROW_FIELDS):
            directory.undo_change(session, change, undo, at, changes)
            units, rounds = {}, {}
            cache.clear()
            continue
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
        if change.entity == settings.ENTITY:
            settings.undo_setting_change(session, change, undo, at, changes)
            continue
        if change.entity == deadlines.ENTITY:  # an approved 延期: the unit's deadline as before
            deadlines.undo_change(session, change, undo, at, changes)
            continue
        if change.entity == dispatches.REVIEW_ENTITY:  # a rework item a merge closed: open again
            dispatches.undo_review_change(session, change, undo.id, at)
            changes.reviews = True
            continue
        if change.entity == "unit":
            _undo_unit_change(session, change, undo, at)
            changes.units = True
            continue
        if change.entity != "progress":
            raise LedgerError("此批次包含无法撤销的更改（only progress and task edits can be undone）")
        task_id, unit, round_name = json.loads(change.entity_key)
        if not units or not rounds:  # read once, again after a change of the directory or rounds
            units, rounds = directory.unit_resolver(session), directory.round_resolver(session)
            unit_names = {uid: name for name, uid in queries.unit_ids(session).items()}
            round_names = {rid: name for name, rid in queries.round_ids(session).items()}
        if unit not in units or round_name not in rounds:
            raise LedgerError(f"“{unit}/{round_name}”已不在本台账中，不能撤销（unit or round gone since）")
        row = queries.find_progress(session, task_id, units[unit], rounds[round_name])
        unit, round_name = unit_names[units[unit]], round_names[rounds[round_name]]
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
    changes.reviews = _reopen_settled(session, batch) or changes.reviews
    batch.undone_at = at
    return changes


def _reopen_settled(session: Session, batch: BatchRow) -> bool:
    """Undoing a 处理冲突 or review step opens again what it settled, so the clerk (or redo) can settle it
    again; True when a review item was reopened."""
    meta = json.loads(batch.meta or "{}")
    if batch.kind == "resolve" and meta.get("conflict") is not None:
        session.execute(update(ConflictRow).where(ConflictRow.id == meta["conflict"])
                        .values(resolved_at=None, resolution=""))
    elif batch.kind == "review" and meta.get("review") is not None:
        session.execute(update(ReviewRow).where(ReviewRow.id == meta["review"])
                        .values(state="open", resolution="", resolved_at=None))
        return True
    return False


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


def _undo_unit_change(session: Session, change, undo: BatchRow, at: datetime) -> None:
    name = json.loads(change.entity_key)
    unit_id = directory.unit_resolver(session).get(name)
    row = session.get(UnitRow, unit_id) if unit_id is not None else unit_row(session, name)
    name = row.name
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
