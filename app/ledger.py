"""The Ledger facade: the one object the CLI and the window drive.

Like Anki's Collection: open or create one ledger file, run each operation in one
transaction, write every change to the change log, and return what changed
(`Changes`) so a view can refresh only that. Merges and imports are batches that
can be undone as a whole.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import __version__
from app.core.records import LedgerDocument, Progress
from app.errors import LedgerError, LedgerFileError
from app.store import file as store_file
from app.store import queries
from app.store.file import FileLock
from app.store.orm import BatchRow, ChangeRow, ConflictRow, LedgerInfo, ProgressRow, TaskRow


@dataclass
class Changes:
    """What an operation changed; the window refreshes only these."""

    batch_id: str | None = None
    tasks: set[str] = field(default_factory=set)  # task ids whose fields changed
    progress: set[tuple[str, str, str]] = field(default_factory=set)  # (task_id, unit, round)
    structure: bool = False  # headings/tasks added, removed or moved
    units: bool = False
    conflicts: bool = False
    meta: bool = False

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.progress or self.structure or self.units or self.conflicts or self.meta)


@dataclass
class BatchInfo:
    """One import/merge/edit batch from the change log."""

    id: str
    kind: str  # "create", "import", "merge", "edit", "resolve", "undo"
    source: str  # file name or "typed"
    file_hash: str | None
    unit: str | None
    round: str | None
    created_at: datetime
    undone: bool
    change_count: int
    meta: dict


@dataclass
class Conflict:
    """A progress entry both the ledger and a returned sheet changed differently since it was sent."""

    id: int
    batch_id: str
    task_id: str
    unit: str
    round: str
    base: Progress | None
    ours: Progress | None
    theirs: Progress
    resolved: bool = False
    resolution: str = ""  # "theirs", "ours", "edit"


class Ledger:
    """An open ledger file. Use `create`, `create_from_document` or `open`; close when done."""

    def __init__(self, path: Path, engine, *, readonly: bool, lock: FileLock | None,
                 migration_backup: Path | None = None) -> None:
        self.path = path
        self.readonly = readonly
        self.migration_backup = migration_backup
        self._engine = engine
        self._lock = lock
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    # ----- opening and closing -------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, title: str, year: int | None = None, office: str = "") -> Ledger:
        """A new, empty ledger file; refuses to replace an existing file."""
        return cls.create_from_document(path, LedgerDocument(title=title, year=year, office=office), source="new")

    @classmethod
    def create_from_document(cls, path: str | Path, doc: LedgerDocument, *, source: str,
                             overwrite: bool = False) -> Ledger:
        """Write `doc` into a new ledger file: all or nothing (temp file, then rename)."""
        path = Path(path)
        if path.exists() and not overwrite:
            raise LedgerFileError(path, "文件已存在，未覆盖（file exists; use --force to replace it）")
        if not path.parent.exists():
            raise LedgerFileError(path, "所在文件夹不存在（folder does not exist）")
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        engine = store_file.make_engine(tmp)
        try:
            store_file.upgrade(engine)
            now = _now()
            with Session(engine) as session, session.begin():
                queries.write_document(session, doc, now=now, app_version=__version__)
                batch = _new_batch(session, kind="create" if source == "new" else "import", source=source, now=now)
                queries.log_change(session, batch.id, entity="ledger", key=doc.ledger_id, field="create",
                                   new={"tasks": len(doc.tasks), "headings": len(doc.headings),
                                        "units": len(doc.units), "rounds": len(doc.rounds)}, at=now)
        except Exception:
            engine.dispose()
            tmp.unlink(missing_ok=True)
            raise
        engine.dispose()
        os.replace(tmp, path)
        return cls.open(path)

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> Ledger:
        """Open an existing ledger; upgrades an older schema after a backup copy next to it."""
        path = Path(path)
        store_file.check_is_ledger_file(path)
        if readonly:
            return cls(path, store_file.make_engine(path, readonly=True), readonly=True, lock=None)
        lock = store_file.FileLock(path)
        lock.acquire()
        engine = store_file.make_engine(path)
        try:
            backup = store_file.ensure_current_schema(engine, path)
        except Exception:
            engine.dispose()
            lock.release()
            raise
        return cls(path, engine, readonly=False, lock=lock, migration_backup=backup)

    def close(self) -> None:
        self._engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- reading --------------------------------------------------------------------------
    def document(self) -> LedgerDocument:
        with self._sessions() as session:
            return queries.read_document(session)

    @property
    def title(self) -> str:
        with self._sessions() as session:
            return queries.info(session).title

    def backup(self, label: str = "backup") -> Path:
        """A snapshot in `<stem>_备份/` next to the ledger (before merges and other bulk work)."""
        folder = self.path.with_name(f"{self.path.stem}_备份")
        target = folder / f"{self.path.stem}.{label}-{store_file.timestamp()}-{uuid.uuid4().hex[:4]}{self.path.suffix}"
        return store_file.backup_copy(self._engine, target)

    # ----- progress, batches, undo ------------------------------------------------------------
    def apply_progress(self, entries: list[Progress], *, kind: str = "edit", source: str = "typed",
                       file_hash: str | None = None, unit: str | None = None, round: str | None = None,
                       meta: dict | None = None) -> Changes:
        """Upsert progress entries (task, unit, round) in one transaction and one logged batch."""
        self._check_writable()
        now = _now()
        changes = Changes()
        with self._sessions() as session, session.begin():
            batch = _new_batch(session, kind=kind, source=source, file_hash=file_hash, unit=unit, round=round,
                               meta=meta, now=now)
            changes.batch_id = batch.id
            units = queries.unit_ids(session)
            rounds = queries.round_ids(session)
            task_ids = set(session.execute(select(TaskRow.id)).scalars())
            for entry in entries:
                if entry.task_id not in task_ids:
                    raise LedgerError(f"任务不存在（unknown task id {entry.task_id}）")
                if entry.unit not in units:
                    raise LedgerError(f"单位“{entry.unit}”不在本台账的单位名录中（unknown unit）")
                if entry.round not in rounds:
                    raise LedgerError(f"报送轮次“{entry.round}”不存在（unknown round）")
                row = queries.find_progress(session, entry.task_id, units[entry.unit], rounds[entry.round])
                old = queries.progress_value(row)
                if entry.updated_at is None:
                    entry = replace(entry, updated_at=now)
                new = queries.record_value(entry)
                if old is not None and _same_content(old, new):
                    continue
                if row is None:
                    row = ProgressRow(task_id=entry.task_id, unit_id=units[entry.unit], round_id=rounds[entry.round])
                    session.add(row)
                queries.apply_value(row, new)
                key = [entry.task_id, entry.unit, entry.round]
                queries.log_change(session, batch.id, entity="progress", key=key, old=old, new=new, at=now)
                changes.progress.add(tuple(key))
            _touch(session, now)
        return changes

    def record_batch(self, *, kind: str, source: str, file_hash: str | None = None, unit: str | None = None,
                     round: str | None = None, meta: dict | None = None) -> str:
        """A batch with no changes, so that e.g. a merged file is recognised when it comes again."""
        self._check_writable()
        with self._sessions() as session, session.begin():
            return _new_batch(session, kind=kind, source=source, file_hash=file_hash, unit=unit, round=round,
                              meta=meta, now=_now()).id

    def find_batch_by_hash(self, file_hash: str) -> BatchInfo | None:
        for info in self.batches():
            if info.file_hash == file_hash and not info.undone:
                return info
        return None

    def batches(self) -> list[BatchInfo]:
        with self._sessions() as session:
            counts = dict(
                session.execute(select(ChangeRow.batch_id, func.count(ChangeRow.id)).group_by(ChangeRow.batch_id)).all()
            )
            return [_batch_info(b, counts.get(b.id, 0)) for b in queries.batches(session)]

    def changes_of_batch(self, batch_id: str) -> list[dict]:
        """The change-log rows of one batch, as plain dicts (for audit views and reports)."""
        with self._sessions() as session:
            return [
                {"entity": c.entity, "key": json.loads(c.entity_key), "field": c.field,
                 "old": json.loads(c.old) if c.old else None, "new": json.loads(c.new) if c.new else None,
                 "at": c.at}
                for c in queries.batch_changes(session, batch_id)
            ]

    def undo_batch(self, batch_id: str) -> Changes:
        """Restore every progress entry a batch changed; refused if one was changed again since."""
        self._check_writable()
        now = _now()
        changes = Changes()
        with self._sessions() as session, session.begin():
            batch = session.get(BatchRow, batch_id)
            if batch is None:
                raise LedgerError(f"找不到批次 {batch_id}（unknown batch）")
            if batch.undone_at is not None:
                raise LedgerError(f"批次 {batch_id} 已撤销过（already undone）")
            undo = _new_batch(session, kind="undo", source=batch.source, unit=batch.unit, round=batch.round,
                              meta={"undoes": batch_id}, now=now)
            changes.batch_id = undo.id
            units = queries.unit_ids(session)
            rounds = queries.round_ids(session)
            for change in reversed(queries.batch_changes(session, batch_id)):
                if change.entity != "progress":
                    raise LedgerError("此批次包含无法撤销的更改（only progress changes can be undone）")
                task_id, unit, round_name = json.loads(change.entity_key)
                row = queries.find_progress(session, task_id, units[unit], rounds[round_name])
                current = queries.progress_value(row)
                expected = json.loads(change.new) if change.new else None
                if current != expected:
                    raise LedgerError(
                        f"任务 {task_id} 的“{unit}/{round_name}”进展在此批次之后又被修改，不能整体撤销（changed since）"
                    )
                old = json.loads(change.old) if change.old else None
                if old is None:
                    session.delete(row)
                else:
                    queries.apply_value(row, old)
                queries.log_change(session, undo.id, entity="progress", key=[task_id, unit, round_name],
                                   old=current, new=old, at=now)
                changes.progress.add((task_id, unit, round_name))
            session.execute(update(ConflictRow).where(ConflictRow.batch_id == batch_id,
                                                      ConflictRow.resolved_at.is_(None))
                            .values(resolved_at=now, resolution="undone"))
            batch.undone_at = now
            _touch(session, now)
        changes.conflicts = True
        return changes

    # ----- conflicts ----------------------------------------------------------------------------
    def add_conflicts(self, conflicts: list[Conflict], batch_id: str) -> Changes:
        self._check_writable()
        now = _now()
        with self._sessions() as session, session.begin():
            for c in conflicts:
                session.add(ConflictRow(
                    batch_id=batch_id, task_id=c.task_id, unit=c.unit, round=c.round,
                    base=_dump(c.base), ours=_dump(c.ours), theirs=_dump(c.theirs), created_at=now,
                ))
        return Changes(batch_id=batch_id, conflicts=bool(conflicts))

    def conflicts(self, *, open_only: bool = True) -> list[Conflict]:
        with self._sessions() as session:
            query = select(ConflictRow).order_by(ConflictRow.id)
            if open_only:
                query = query.where(ConflictRow.resolved_at.is_(None))
            return [_conflict(row) for row in session.execute(query).scalars()]

    def resolve_conflict(self, conflict_id: int, *, choice: str, status: str | None = None,
                         text: str | None = None) -> Changes:
        """Settle a conflict: take theirs, keep ours, or write an edited entry."""
        if choice not in ("theirs", "ours", "edit"):
            raise LedgerError(f"未知的处理方式 {choice}（use theirs, ours or edit）")
        match = [c for c in self.conflicts(open_only=True) if c.id == conflict_id]
        if not match:
            raise LedgerError(f"冲突 {conflict_id} 不存在或已处理（no such open conflict）")
        conflict = match[0]
        entries: list[Progress] = []
        if choice == "theirs":
            entries = [replace(conflict.theirs, updated_at=None)]
        elif choice == "edit":
            base = conflict.ours or conflict.theirs
            entries = [replace(base, status=status if status is not None else base.status,
                               text=text if text is not None else base.text, source="typed", updated_at=None)]
        changes = self.apply_progress(entries, kind="resolve", source=f"conflict {conflict_id}",
                                      unit=conflict.unit, round=conflict.round, meta={"conflict": conflict_id,
                                                                                      "choice": choice})
        with self._sessions() as session, session.begin():
            row = session.get(ConflictRow, conflict_id)
            row.resolved_at = _now()
            row.resolution = choice
        changes.conflicts = True
        return changes

    # ----- helpers ------------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.readonly:
            raise LedgerFileError(self.path, "以只读方式打开，不能修改（opened read-only）")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _same_content(old: dict, new: dict) -> bool:
    """Equal apart from bookkeeping (when and from where)."""
    keys = ("status", "text", "done_date", "evidence")
    return all(old.get(k) == new.get(k) for k in keys)


def _new_batch(session: Session, *, kind: str, source: str, now: datetime, file_hash: str | None = None,
               unit: str | None = None, round: str | None = None, meta: dict | None = None) -> BatchRow:
    batch = BatchRow(id=str(uuid.uuid4()), kind=kind, source=source, file_hash=file_hash, unit=unit, round=round,
                     created_at=now, meta=json.dumps(meta or {}, ensure_ascii=False))
    session.add(batch)
    session.flush()
    return batch


def _touch(session: Session, now: datetime) -> None:
    session.execute(update(LedgerInfo).values(modified_at=now))


def _batch_info(row: BatchRow, count: int) -> BatchInfo:
    return BatchInfo(id=row.id, kind=row.kind, source=row.source, file_hash=row.file_hash, unit=row.unit,
                     round=row.round, created_at=row.created_at, undone=row.undone_at is not None,
                     change_count=count, meta=json.loads(row.meta or "{}"))


def _dump(entry: Progress | None) -> str | None:
    if entry is None:
        return None
    return json.dumps({"task_id": entry.task_id, "unit": entry.unit, "round": entry.round,
                       **queries.record_value(entry)}, ensure_ascii=False)


def _load(raw: str | None) -> Progress | None:
    if not raw:
        return None
    data = json.loads(raw)
    return Progress(
        task_id=data["task_id"], unit=data["unit"], round=data["round"], status=data.get("status", ""),
        text=data.get("text", ""),
        done_date=date.fromisoformat(data["done_date"]) if data.get("done_date") else None,
        evidence=data.get("evidence", ""),
        updated_at=datetime.fromisoformat(data["updated_at"]) if data.get("updated_at") else None,
        source=data.get("source", ""),
    )


def _conflict(row: ConflictRow) -> Conflict:
    return Conflict(id=row.id, batch_id=row.batch_id, task_id=row.task_id, unit=row.unit, round=row.round,
                    base=_load(row.base), ours=_load(row.ours), theirs=_load(row.theirs),
                    resolved=row.resolved_at is not None, resolution=row.resolution)
