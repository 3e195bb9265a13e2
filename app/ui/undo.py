"""QUndoCommand adapters: redo runs a facade operation, undo reverts its batches.

The facade logs every operation as a batch; undoing is `undo_batches`, and redoing is running
the operation again (new batches), as Orange's paint-data commands do. One step may be several
batches (a task's fields and its progress saved together on leaving it). A step that cannot be
undone (changed again since) says so and leaves the stack, so the stack never claims an undo
that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from app.core.changes import Changes
from app.core.records import Progress
from app.errors import LedgerError
from app.ledger import Ledger

Operation = Callable[[Ledger], "Changes | list[Changes]"]


def _as_list(result: Changes | list[Changes]) -> list[Changes]:
    return list(result) if isinstance(result, list) else [result]


def _union(changes: list[Changes]) -> Changes:
    out = Changes()
    for one in changes:
        out = out.union(one)
    return out


class LedgerCommand(QUndoCommand):
    """One undoable step on the ledger (one or more batches)."""

    def __init__(self, ledger: Ledger, text: str, operation: Operation, on_changed: Callable[[Changes], None],
                 on_error: Callable[[str], None] | None = None) -> None:
        super().__init__(text)
        self._ledger = ledger
        self._operation = operation
        self._on_changed = on_changed
        self._on_error = on_error
        self._batch_ids: list[str] = []
        self.error: str | None = None

    def redo(self) -> None:
        """Run the operation; a refused one marks itself obsolete so the stack drops it."""
        self.error = None
        try:
            done = _as_list(self._operation(self._ledger))
        except LedgerError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        self._batch_ids = [c.batch_id for c in done if c.batch_id]
        changes = _union(done)
        if changes.empty:
            self.setObsolete(True)
        self._on_changed(changes)

    def undo(self) -> None:
        if not self._batch_ids:
            return
        try:
            changes = self._ledger.undo_batches(list(reversed(self._batch_ids)))
        except LedgerError as exc:
            self.error = str(exc)
            self.setObsolete(True)  # the stack drops the step instead of pretending it was undone
            if self._on_error is not None:
                self._on_error(f"不能撤销“{self.text()}”：{exc}")
            return
        self._batch_ids = []
        self._on_changed(changes)


def save_task_edits(task_id: str, fields: dict, entries: list[Progress]) -> Operation:
    """A task's fields and its progress rows in one step: if the second part is refused, the first is
    undone again, so the step is all or nothing."""

    def run(ledger: Ledger) -> list[Changes]:
        done: list[Changes] = []
        if fields:
            done.append(ledger.update_task(task_id, **fields))
        if entries:
            try:
                done.append(ledger.apply_progress(entries))
            except LedgerError:
                if done and done[0].batch_id:
                    ledger.undo_batches([done[0].batch_id])
                raise
        return done

    return run


class MergeCommand(QUndoCommand):
    """A merge the background job already applied, as one step: undo is 撤销合并 (all its batches in one
    transaction). It is not redone (that would need the files again): once undone it leaves the stack."""

    def __init__(self, ledger: Ledger, text: str, merge_batch: str, batch_ids: list[str],
                 on_changed: Callable[[Changes], None], on_error: Callable[[str], None]) -> None:
        super().__init__(text)
        self._ledger = ledger
        self._merge_batch = merge_batch
        self._batch_ids = batch_ids
        self._on_changed = on_changed
        self._on_error = on_error

    def redo(self) -> None:  # pushed after the job applied it: nothing to do
        return

    def undo(self) -> None:
        from app.returns import undo_merge

        changes = self._ledger.changes_of_batches(self._batch_ids)
        self.setObsolete(True)
        try:
            undo_merge(self._ledger, self._merge_batch)
        except LedgerError as exc:
            self._on_error(f"不能撤销合并：{exc}")
            return
        changes.dispatches = True
        self._on_changed(changes)
