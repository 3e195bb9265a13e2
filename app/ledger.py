"""The Ledger facade: the one object the CLI and the window drive.

Like Anki's Collection: open or create one ledger file, run each operation in one
transaction, write every change to the change log, and return what changed
(`Changes`) so a view can refresh only that. Merges, imports and edits are batches
that can be undone as a whole. The SQL lives in app/store; this class only opens
files and draws transaction boundaries.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

from app import __version__
from app.core.changes import BatchInfo, Changes, Conflict, EntryChange, MergeItem
from app.core.dispatch import (
    FIXED,
    OPEN,
    REJECTED,
    REVIEW_DOUBT,
    REVIEW_EXTENSION,
    REVIEW_REWORK,
    Dispatch,
    ReviewItem,
)
from app.core.merge import Values
from app.core.records import LedgerDocument, Progress, Round, Task, Unit, UnitDeadline
from app.errors import LedgerError, LedgerFileError
from app.store import deadlines as store_deadlines
from app.store import directory, history, history_all, queries, snapshot_read, structure
from app.store import dispatches as store_dispatches
from app.store import file as store_file
from app.store import operations as ops
from app.store import settings as store_settings

__all__ = ["BatchInfo", "Changes", "Conflict", "EntryChange", "Ledger", "MergeItem"]

REWORK_FIXED_META = "rework_fixed"  # MergeItem.meta key: {review id: resolution} of rework items the file fixed
ANSWERED_META = "declined_answered"  # MergeItem.meta key: {review id: resolution} of declined 延期 now answered
ANSWERED_MARK = "（单位已再次报送）"  # ends the resolution of a declined 延期 the unit has returned the task since
REWORK_PREFIX = "退回修改："
DECLINED_PREFIX = "延期申请未同意："
APPROVED_PREFIX = "已批准延期至"


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary ledgers (".<name>.<hex>.tmp") of an import killed before its rename; called with the
    ledger's lock held, so no other import of that name is writing one."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def _doubt_items(doc: LedgerDocument, source: str) -> list[ReviewItem]:
    """Each line the importer was unsure of, as an open review item of its task (in document order)."""
    known = {t.id for t in doc.tasks}
    order = [t.id for t in doc.tasks if t.id in doc.doubts] + [tid for tid in doc.doubts if tid not in known]
    return [ReviewItem(id=0, kind=REVIEW_DOUBT, file=source, unit="", round="", task_id=tid if tid in known else None,
                       row=None, message=line)
            for tid in order for line in doc.doubts[tid]]


class Ledger:
    """An open ledger file. Use `create`, `create_from_document` or `open`; close when done."""

    def __init__(self, path: Path, engine, *, readonly: bool, lock: store_file.FileLock | None,
                 migration_backup: Path | None = None) -> None:
        self.path = path
        self.readonly = readonly
        self.migration_backup = migration_backup
        self._engine = engine
        self._lock = lock
        self._sessions = store_file.session_factory(engine)
        self._temporary_view: Path | None = None

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
        lock = store_file.FileLock(path)
        lock.acquire()  # refuse to replace a ledger open elsewhere; one import of a name at a time
        _remove_stale_temporaries(path)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        engine = store_file.make_engine(tmp)
        try:
            store_file.upgrade(engine)
            at = ops.now()
            with store_file.session_factory(engine).begin() as session:
                queries.write_document(session, doc, now=at, app_version=__version__)
                batch = ops.new_batch(session, kind="create" if source == "new" else "import", source=source, at=at)
                queries.log_change(session, batch.id, entity="ledger", key=doc.ledger_id, field="create",
                                   new={"tasks": len(doc.tasks), "headings": len(doc.headings),
                                        "units": len(doc.units), "rounds": len(doc.rounds)}, at=at)
                store_dispatches.add_reviews(session, _doubt_items(doc, source), batch.id, at)
            engine.dispose()
            os.replace(tmp, path)
        except BaseException:
            engine.dispose()
            tmp.unlink(missing_ok=True)
            raise
        finally:
            lock.release()
        return cls.open(path)

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, wait: float = 0.0) -> Ledger:
        """Open an existing ledger; upgrades an older schema (atomically, keeping the original as a backup).

        A damaged or hand-broken file is refused with one line (app/store/validate.py).
        `wait`: seconds to wait for another writer to finish (short CLI writes), else refuse at once."""
        path = Path(path)
        if readonly:
            engine, view = store_file.open_read_only(path)  # an older or WAL file is read in a temporary copy
            ledger = cls(path, engine, readonly=True, lock=None)
            ledger._temporary_view = view
            return ledger
        engine, lock, backup = store_file.open_writable(path, wait=wait)
        return cls(path, engine, readonly=False, lock=lock, migration_backup=backup)

    def close(self) -> None:
        self._engine.dispose()
        if self._temporary_view is not None:
            store_file.discard_view(self._temporary_view)
            self._temporary_view = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Ledger:  # noqa: PYI034 - Ledger is not subclassed; typing.Self needs 3.11
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator:
        """One transaction for one operation; refused on a read-only ledger."""
        if self.readonly:
            raise LedgerFileError(self.path, "以只读方式打开，不能修改（opened read-only）")
        with self._sessions.begin() as session:
            yield session

    # ----- reading --------------------------------------------------------------------------
    def document(self) -> LedgerDocument:
        """The whole ledger, with the units' own deadlines (approved 延期) in `unit_deadlines`."""
        with self._sessions() as session:
            doc = queries.read_document(session)
            doc.unit_deadlines = store_deadlines.read_all(session)
            return doc

    def progress_entry(self, task_id: str, unit: str, round_name: str) -> Progress | None:
        """One entry, without reading the whole ledger (settling a review item needs just that one)."""
        with self._sessions() as session:
            return queries.progress_entry(session, task_id, unit, round_name)

    # the window's reads: the whole ledger once, then only what an operation changed
    def snapshot(self, *, progress: bool = True) -> LedgerDocument:
        """The same records as `document()`, read without ORM objects (the window opens 10,000 tasks);
        without `progress` the entries are left out (the window keeps `progress_marks` instead)."""
        with self._sessions() as session:
            doc = queries.read_snapshot(session, progress=progress)
            doc.unit_deadlines = snapshot_read.unit_deadlines(session)
            return doc

    def tasks(self, task_ids: list[str]) -> list[Task]:
        """These tasks as they are now, in document order; a deleted one is simply missing."""
        with self._sessions() as session:
            return queries.read_tasks(session, list(task_ids))

    def progress_of(self, task_ids: list[str]) -> list[Progress]:
        """Every progress entry of these tasks, in `document()`'s order."""
        with self._sessions() as session:
            return queries.read_progress(session, list(task_ids))

    def progress_marks(self, task_ids: list[str] | None = None) -> list[tuple]:
        """(task_id, unit, round, status, text_mark) per entry (of these tasks, or all): text_mark is "…"
        when the entry has text. What task states and the window's filters need, without the texts."""
        with self._sessions() as session:
            return queries.read_progress_marks(session, None if task_ids is None else list(task_ids))

    def units(self) -> list[Unit]:
        with self._sessions() as session:
            return queries.read_units(session)

    def rounds(self) -> list[Round]:
        with self._sessions() as session:
            return queries.read_rounds(session)

    def open_counts(self) -> dict[str, int]:
        """Open conflicts and review items, counted (the status bar shows them after every change)."""
        with self._sessions() as session:
            return queries.open_counts(session)

    def changes_of_batches(self, batch_ids: list[str]) -> Changes:
        """What these batches changed, from the change log (a merge reports files, the window wants rows)."""
        with self._sessions() as session:
            tasks, progress, units = queries.batches_changed(session, batch_ids)
            extra = history.batches_flags(session, batch_ids)
        return Changes(batch_id=batch_ids[0] if batch_ids else None, tasks=tasks, progress=progress, units=units,
                       conflicts=True, reviews=True).union(extra)

    def progress_history(self, task_id: str, unit: str, round_name: str) -> list[EntryChange]:
        """Every change of one progress entry, oldest first, from the change log (imports, merges, edits,
        undos; under the unit's and round's former names too)."""
        with self._sessions() as session:
            return history.progress_history(session, task_id, unit, round_name)

    def all_progress_history(self) -> list[EntryChange]:
        """Every progress entry's changes, oldest first, in one read of the change log (the export's
        留痕 appendix; per entry the same records as `progress_history`)."""
        with self._sessions() as session:
            return history_all.all_progress_history(session)

    @property
    def title(self) -> str:
        with self._sessions() as session:
            return queries.info(session).title

    def backup(self, label: str = "backup") -> Path:
        """A snapshot in `<stem>_备份/` next to the ledger (before merges and other bulk work)."""
        folder = self.path.with_name(f"{self.path.stem}_备份")
        name = f"{self.path.stem}.{label}-{store_file.timestamp()}-{uuid.uuid4().hex[:4]}{self.path.suffix}"
        return store_file.backup_copy(self._engine, folder / name)

    # ----- edits ------------------------------------------------------------------------------
    def update_task(self, task_id: str, *, source: str = "typed", **fields: object) -> Changes:
        """Change task fields (seq, key_work, content, metric, notes, deadline, lead_units, coop_units)."""
        return self._edit({"task": task_id}, source,
                          lambda session, batch, at: ops.update_task(session, task_id, fields, batch, at))

    # ----- structure: tasks and headings added, deleted, moved (app/store/structure.py) ----------------
    def add_task(self, heading_id: str | None, *, before: str | None = None, source: str = "typed",
                 **fields: object) -> Changes:
        """A new task in `heading_id` (None: outside any heading), before task `before` or at the heading's
        end; its id is the one id in `changes.tasks`. Numbers follow the ledger's style (structure.py)."""
        return self._edit({"op": "add_task", "heading": heading_id}, source,
                          lambda session, batch, at: structure.add_task(session, heading_id, before, fields, batch,
                                                                        at))

    def add_heading(self, parent_id: str | None, title: str, *, before: str | None = None,
                    source: str = "typed") -> Changes:
        """A new heading under `parent_id` (None: top level), before sibling `before` or last; its id is the
        one id in `changes.headings`."""
        return self._edit({"op": "add_heading", "parent": parent_id}, source,
                          lambda session, batch, at: structure.add_heading(session, parent_id, title, before, batch,
                                                                           at))

    def delete_tasks(self, task_ids: list[str], *, source: str = "typed") -> Changes:
        """Delete tasks with their assignments and progress (kept in the change log: undo restores all)."""
        ids = list(task_ids)
        return self._edit({"op": "delete_tasks", "tasks": ids}, source,
                          lambda session, batch, at: structure.delete_tasks(session, ids, batch, at))

    def delete_heading(self, heading_id: str, *, source: str = "typed") -> Changes:
        """Delete a heading with its sub-headings and all their tasks."""
        return self._edit({"op": "delete_heading", "heading": heading_id}, source,
                          lambda session, batch, at: structure.delete_heading(session, heading_id, batch, at))

    def move_tasks(self, task_ids: list[str], heading_id: str | None, *, before: str | None = None,
                   source: str = "typed") -> Changes:
        """Move tasks (kept in document order) into `heading_id`, before task `before` or at its end."""
        ids = list(task_ids)
        return self._edit({"op": "move_tasks", "tasks": ids, "heading": heading_id}, source,
                          lambda session, batch, at: structure.move_tasks(session, ids, heading_id, before, batch,
                                                                          at))

    def move_heading(self, heading_id: str, parent_id: str | None, *, before: str | None = None,
                     source: str = "typed") -> Changes:
        """Move a heading (with its sub-headings and tasks) under `parent_id`, before sibling `before` or last."""
        return self._edit({"op": "move_heading", "heading": heading_id, "parent": parent_id}, source,
                          lambda session, batch, at: structure.move_heading(session, heading_id, parent_id, before,
                                                                            batch, at))

    # ----- unit directory and rounds (app/store/directory.py) ---------------------------------------------
    def add_unit(self, name: str, *, kind: str = "department", liaison: str = "", phone: str = "",
                 source: str = "typed") -> Changes:
        """A new unit at the end of the directory."""
        return self._edit({"op": "add_unit", "unit": name}, source,
                          lambda session, batch, at: directory.add_unit(session, name, kind, liaison, phone, batch,
                                                                        at))

    def rename_unit(self, old: str, new: str, *, source: str = "typed") -> Changes:
        """Rename a unit; the old name stays an alias; tasks, progress, dispatches and review items follow."""
        return self._edit({"op": "rename_unit", "unit": old, "new": new}, source,
                          lambda session, batch, at: directory.rename_unit(session, old, new, batch, at))

    def merge_units(self, source: str, target: str, *, source_label: str = "typed") -> Changes:
        """`source` becomes part of `target`: its assignments and progress move there, its names become
        aliases. Refused (naming the tasks) when both have an entry for the same task and round."""
        return self._edit({"op": "merge_units", "unit": source, "into": target}, source_label,
                          lambda session, batch, at: directory.merge_units(session, source, target, batch, at))

    def split_alias(self, alias: str, *, kind: str | None = None, source: str = "typed") -> Changes:
        """An alias becomes a unit of its own (no assignments yet)."""
        return self._edit({"op": "split_alias", "alias": alias}, source,
                          lambda session, batch, at: directory.split_alias(session, alias, kind, batch, at))

    def remove_alias(self, alias: str, *, source: str = "typed") -> Changes:
        return self._edit({"op": "remove_alias", "alias": alias}, source,
                          lambda session, batch, at: directory.remove_alias(session, alias, batch, at))

    def rename_round(self, old: str, new: str, *, source: str = "typed") -> Changes:
        """Rename a reporting round; progress, dispatches and review items follow."""
        return self._edit({"op": "rename_round", "round": old, "new": new}, source,
                          lambda session, batch, at: directory.rename_round(session, old, new, batch, at))

    def set_round_due(self, name: str, due: date | None, *, source: str = "typed") -> Changes:
        return self._edit({"op": "set_round_due", "round": name}, source,
                          lambda session, batch, at: directory.set_round_due(session, name, due, batch, at))

    def setting(self, key: str) -> object | None:
        """A setting kept in the ledger file (JSON value), None when unset."""
        with self._sessions() as session:
            return store_settings.read_setting(session, key)

    def set_setting(self, key: str, value: object | None, *, source: str = "typed") -> Changes:
        """Set (None: remove) one ledger setting, as one logged, undoable batch."""
        return self._edit({"op": "set_setting", "key": key}, source,
                          lambda session, batch, at: store_settings.write_setting(session, key, value, batch, at))

    def _edit(self, meta: dict, source: str, operation) -> Changes:
        """One logged, undoable edit batch around `operation`."""
        at = ops.now()
        with self._write() as session:
            batch = ops.new_batch(session, kind="edit", source=source, at=at, meta=meta)
            changes = operation(session, batch, at)
            ops.touch(session, at)
        return changes

    def apply_progress(self, entries: list[Progress], *, kind: str = "edit", source: str = "typed",
                       file_hash: str | None = None, unit: str | None = None, round: str | None = None,
                       meta: dict | None = None) -> Changes:
        """Upsert progress entries (task, unit, round) in one transaction and one logged batch."""
        at = ops.now()
        with self._write() as session:
            batch = ops.new_batch(session, kind=kind, source=source, file_hash=file_hash, unit=unit, round=round,
                                  meta=meta, at=at)
            changes = ops.apply_progress(session, entries, batch, at)
            ops.touch(session, at)
        return changes

    def apply_merge(self, items: list[MergeItem]) -> list[str]:
        """Apply several returned files in ONE transaction: a batch per file, its entries and conflicts.

        Either every file's changes land or none do. Returns the batch ids, in the order given.
        """
        at = ops.now()
        batch_ids: list[str] = []
        with self._write() as session:
            lookups = ops.Lookups.read(session)
            for item in items:
                batch = ops.new_batch(session, kind=item.kind, source=item.source, file_hash=item.file_hash,
                                      unit=item.unit, round=item.round, meta=item.meta, at=at)
                ops.apply_progress(session, item.entries, batch, at, lookups)
                ops.add_conflicts(session, item.conflicts, batch.id, at)
                store_dispatches.add_reviews(session, item.reviews, batch.id, at)
                for review_id, resolution in (item.meta.get(REWORK_FIXED_META) or {}).items():
                    store_dispatches.close_review_logged(session, int(review_id), FIXED, resolution, batch.id, at)
                for review_id, resolution in (item.meta.get(ANSWERED_META) or {}).items():
                    store_dispatches.set_resolution_logged(session, int(review_id), resolution, batch.id, at)
                batch_ids.append(batch.id)
            ops.touch(session, at)
        return batch_ids

    def add_round(self, name: str, *, due: date | None = None, source: str = "typed") -> Changes:
        """A new reporting round at the end of the list (logged and undoable)."""
        return self._edit({"op": "add_round", "round": name}, source,
                          lambda session, batch, at: directory.add_round(session, name, due, batch, at))

    def record_batch(self, *, kind: str, source: str, file_hash: str | None = None, unit: str | None = None,
                     round: str | None = None, meta: dict | None = None) -> str:
        """A batch with no changes, so that e.g. a merged file is recognised when it comes again."""
        with self._write() as session:
            return ops.new_batch(session, kind=kind, source=source, file_hash=file_hash, unit=unit, round=round,
                                 meta=meta, at=ops.now()).id

    def update_unit(self, name: str, *, source: str = "typed", **fields: str) -> Changes:
        """Change a unit's liaison (联系人), phone or kind; logged and undoable like any edit."""
        return self._edit({"unit": name}, source,
                          lambda session, batch, at: ops.update_unit(session, name, fields, batch, at))

    def add_unit_alias(self, unit: str, alias: str, *, source: str = "typed") -> Changes:
        """Record that `alias` means `unit` (after a person confirmed a fuzzy suggestion); undoable."""
        return self._edit({"op": "add_alias", "unit": unit, "alias": alias}, source,
                          lambda session, batch, at: directory.add_alias(session, unit, alias, batch, at))

    # ----- dispatches (what was sent) ---------------------------------------------------------
    def secret(self, *, create: bool = True) -> bytes:
        """The key that signs the files this ledger sends; made on first use in a writable ledger
        (`create`; a merge only reads it, so a dry run writes nothing)."""
        if self.readonly or not create:
            with self._sessions() as session:
                return store_dispatches.secret(session)
        with self._write() as session:
            return store_dispatches.secret(session, create=True)

    def record_dispatches(self, dispatches: list[Dispatch], *, new_round: str | None = None,
                          due: date | None = None) -> Changes:
        """Keep what was sent (one transaction; with the round it was sent for when that is new)."""
        with self._write() as session:
            if new_round:
                ops.add_round(session, new_round, due)
            store_dispatches.add_dispatches(session, dispatches)
            ops.touch(session, ops.now())
        return Changes(dispatches=True, meta=bool(new_round))

    def dispatches(self, round_name: str | None = None) -> list[Dispatch]:
        """What was sent, in the order recorded; without the rows (`dispatch` loads one whole)."""
        with self._sessions() as session:
            return store_dispatches.list_dispatches(session, round_name=round_name)

    def dispatch(self, dispatch_id: str) -> Dispatch | None:
        with self._sessions() as session:
            return store_dispatches.get_dispatch(session, dispatch_id)

    # ----- review items ---------------------------------------------------------------------------
    def reviews(self, *, open_only: bool = True) -> list[ReviewItem]:
        with self._sessions() as session:
            return store_dispatches.list_reviews(session, open_only=open_only)

    def review(self, item_id: int) -> ReviewItem:
        with self._sessions() as session:
            return store_dispatches.get_review(session, item_id)

    def settle_review(self, item_id: int, *, state: str, resolution: str, entries: list[Progress],
                      conflicts: list[Conflict], reviews: list[ReviewItem] | None = None,
                      deadlines: list[UnitDeadline] | None = None) -> Changes:
        """Close a review item and write what settling it decided, in one transaction and one batch
        (`deadlines`: units' own deadlines an approved 延期 grants, logged as entity unit_deadline)."""
        at = ops.now()
        with self._write() as session:
            item = store_dispatches.get_review(session, item_id)
            if item.state != "open":
                raise LedgerError(f"待审核事项 {item_id} 已处理（already settled）")
            batch = ops.new_batch(session, kind="review", source=item.file, unit=item.unit, round=item.round,
                                  meta={"review": item_id, "state": state}, at=at)
            changes = ops.apply_progress(session, entries, batch, at)
            ops.add_conflicts(session, conflicts, batch.id, at)
            store_dispatches.add_reviews(session, reviews or [], batch.id, at)
            for deadline in deadlines or []:
                changes = changes.union(store_deadlines.write(session, deadline, batch, at))
            store_dispatches.close_review(session, item_id, state, resolution, at)
            ops.touch(session, at)
        changes.reviews = True
        changes.conflicts = bool(conflicts)
        return changes

    # ----- review of returns: 退回修改 and 延期 (app/review.py decides; see app/core/dispatch.py) ----------
    def return_entry(self, task_id: str, unit: str, round_name: str, *, reason: str,
                     source: str = "typed") -> Changes:
        """退回修改: an open REVIEW_REWORK item for the unit's entry of `round_name`, message = reason, its
        `entry` the values as they are now (the unit's next return that differs closes it). One undoable
        batch (undo cancels the item). Refused when the reason is empty, the task, unit or round is
        unknown, or the entry is already returned and not yet fixed."""
        reason = (reason or "").strip()
        if not reason:
            raise LedgerError("退回修改须写明理由（--reason）")
        at = ops.now()
        with self._write() as session:
            if not queries.read_tasks(session, [task_id]):
                raise LedgerError(f"任务不存在（unknown task id {task_id}）")
            if unit not in queries.unit_ids(session):
                raise LedgerError(f"单位“{unit}”不在本台账的单位名录中（unknown unit）")
            if round_name not in queries.round_ids(session):
                raise LedgerError(f"报送轮次“{round_name}”不存在（unknown round）")
            current = queries.progress_entry(session, task_id, unit, round_name)
            batch = ops.new_batch(session, kind="edit", source=source, unit=unit, round=round_name, at=at,
                                  meta={"op": "return_entry", "task": task_id, "unit": unit, "round": round_name})
            item = ReviewItem(id=0, kind=REVIEW_REWORK, file=source, unit=unit, round=round_name, task_id=task_id,
                              row=None, message=reason, entry=Values.of(current))
            store_dispatches.add_reviews(session, [item], batch.id, at)
            ops.touch(session, at)
        return Changes(batch_id=batch.id, reviews=True)

    def rework_notes(self, unit: str) -> dict[str, str]:
        """task id → reason of the unit's open 退回修改 items (what its next sheet / liaison file shows)."""
        with self._sessions() as session:
            return {i.task_id: i.message for i in store_dispatches.open_rework(session, unit) if i.task_id}

    def review_notes(self, unit: str) -> dict[str, str]:
        """task id → the 审核意见 cell of the unit's next sheet: "退回修改：<reason>" for an open rework item,
        "延期申请未同意：<reason>" for a declined request until the unit's next merged return of that task
        (the merge ends its resolution with ANSWERED_MARK), "已批准延期至<date>" while the unit has its own
        deadline; several joined by "；"."""
        with self._sessions() as session:
            items = store_dispatches.reviews_of_unit(session, unit, (REVIEW_REWORK, REVIEW_EXTENSION))
            granted = store_deadlines.read_all(session)
        notes: dict[str, list[str]] = {}
        for i in items:
            if not i.task_id:
                continue
            if i.kind == REVIEW_REWORK and i.state == OPEN:
                notes.setdefault(i.task_id, []).append(REWORK_PREFIX + i.message)
            elif i.kind == REVIEW_EXTENSION and i.state == REJECTED and not i.resolution.endswith(ANSWERED_MARK):
                notes.setdefault(i.task_id, []).append(i.resolution or DECLINED_PREFIX.rstrip("："))
        for (task_id, who), deadline in granted.items():
            if who == unit:
                notes.setdefault(task_id, []).append(f"{APPROVED_PREFIX}{deadline.deadline.text}")
        return {task_id: "；".join(texts) for task_id, texts in notes.items()}

    def unit_deadlines(self) -> dict[tuple[str, str], UnitDeadline]:
        """Units' own deadlines (approved 延期), keyed (task_id, unit); read without ORM objects, as the
        window asks for them after every task edit."""
        with self._sessions() as session:
            return snapshot_read.unit_deadlines(session)

    # ----- batches and undo -------------------------------------------------------------------
    def batches(self) -> list[BatchInfo]:
        with self._sessions() as session:
            return ops.batch_infos(session)

    def find_batch_by_hash(self, file_hash: str) -> BatchInfo | None:
        for info in self.batches():
            if info.file_hash == file_hash and not info.undone:
                return info
        return None

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
        """Restore everything a batch changed; refused if an entry was changed again since."""
        return self.undo_batches([batch_id])

    def undo_batches(self, batch_ids: list[str]) -> Changes:
        """Undo several batches (newest first) in one transaction: all are undone or none."""
        at = ops.now()
        changes = Changes(conflicts=True)
        with self._write() as session:
            for batch_id in batch_ids:
                changes = changes.union(ops.undo_batch(session, batch_id, at))
            ops.touch(session, at)
        return changes

    # ----- conflicts ----------------------------------------------------------------------------
    def add_conflicts(self, conflicts: list[Conflict], batch_id: str) -> Changes:
        with self._write() as session:
            ops.add_conflicts(session, conflicts, batch_id, ops.now())
        return Changes(batch_id=batch_id, conflicts=bool(conflicts))

    def conflicts(self, *, open_only: bool = True) -> list[Conflict]:
        with self._sessions() as session:
            return ops.list_conflicts(session, open_only=open_only)

    def resolve_conflict(self, conflict_id: int, *, choice: str, status: str | None = None,
                         text: str | None = None) -> Changes:
        """Settle a conflict in one transaction: take theirs, keep ours, or write an edited entry."""
        if choice not in ("theirs", "ours", "edit"):
            raise LedgerError(f"未知的处理方式 {choice}（use theirs, ours or edit）")
        at = ops.now()
        with self._write() as session:
            match = [c for c in ops.list_conflicts(session, open_only=True) if c.id == conflict_id]
            if not match:
                raise LedgerError(f"冲突 {conflict_id} 不存在或已处理（no such open conflict）")
            conflict = match[0]
            entries: list[Progress] = []
            if choice == "theirs":
                entries = [replace(conflict.theirs, updated_at=None)]
            elif choice == "edit":
                base = conflict.ours or conflict.theirs
                entries = [replace(base, status=base.status if status is None else status,
                                   text=base.text if text is None else text, source="typed", updated_at=None)]
            batch = ops.new_batch(session, kind="resolve", source=f"conflict {conflict_id}", unit=conflict.unit,
                                  round=conflict.round, meta={"conflict": conflict_id, "choice": choice}, at=at)
            changes = ops.apply_progress(session, entries, batch, at)
            ops.mark_conflict_resolved(session, conflict_id, choice, at)
            ops.touch(session, at)
        changes.conflicts = True
        return changes
