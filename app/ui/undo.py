"""QUndoCommand adapters: redo runs a facade operation, undo reverts its batch.

The facade logs every operation as a batch; undoing is `undo_batch`, and redoing is
running the operation again (a new batch), as Orange's paint-data commands do.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from app.core.changes import Changes
from app.errors import LedgerError
from app.ledger import Ledger


class LedgerCommand(QUndoCommand):
    """One undoable operation on the ledger."""

    def __init__(self, ledger: Ledger, text: str, operation: Callable[[Ledger], Changes],
                 on_changed: Callable[[Changes], None]) -> None:
        super().__init__(text)
        self._ledger = ledger
        self._operation = operation
        self._on_changed = on_changed
        self._batch_id: str | None = None
        self.error: str | None = None

    def redo(self) -> None:
        """Run the operation; a refused one marks itself obsolete so the stack drops it."""
        try:
            changes = self._operation(self._ledger)
        except LedgerError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        self._batch_id = changes.batch_id
        if changes.empty:
            self.setObsolete(True)
        self._on_changed(changes)

    def undo(self) -> None:
        if self._batch_id is None:
            return
        changes = self._ledger.undo_batch(self._batch_id)
        self._batch_id = None
        self._on_changed(changes)
