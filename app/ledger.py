"""The Ledger facade: the one object the CLI and the window drive.

Like Anki's Collection: open or create one ledger file, run each operation in one
transaction, write every change to the change log, and return what changed
(`Changes`) so a view can refresh only that. Merges and imports are batches that
can be undone as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.records import LedgerDocument, Progress


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
