"""What operations report back: changes, batches and conflicts, as plain records.

Kept in core (no database types) so that the window, the CLI and the merge code can
all speak them; app.ledger re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core.dispatch import ReviewItem
from app.core.records import Progress


@dataclass
class Changes:
    """What an operation changed; the window refreshes only these."""

    batch_id: str | None = None
    tasks: set[str] = field(default_factory=set)  # task ids whose fields changed (added, moved, renumbered)
    headings: set[str] = field(default_factory=set)  # heading ids added, moved, renumbered or retitled
    progress: set[tuple[str, str, str]] = field(default_factory=set)  # (task_id, unit, round)
    structure: bool = False  # headings/tasks added, removed or moved
    units: bool = False
    conflicts: bool = False
    meta: bool = False
    reviews: bool = False  # review items added or settled
    dispatches: bool = False  # files sent (sheets, packages)

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.headings or self.progress or self.structure or self.units or self.conflicts
                    or self.meta or self.reviews or self.dispatches)

    def union(self, other: Changes) -> Changes:
        """Both operations' changes (the window refreshes once for a step made of two batches);
        the batch id is this one's, else the other's."""
        return Changes(batch_id=self.batch_id or other.batch_id, tasks=self.tasks | other.tasks,
                       headings=self.headings | other.headings,
                       progress=self.progress | other.progress, structure=self.structure or other.structure,
                       units=self.units or other.units, conflicts=self.conflicts or other.conflicts,
                       meta=self.meta or other.meta, reviews=self.reviews or other.reviews,
                       dispatches=self.dispatches or other.dispatches)


@dataclass
class EntryChange:
    """One change of one progress entry, from the change log (the entry's history, oldest first)."""

    at: datetime
    batch_id: str
    kind: str  # the batch's kind: "import", "merge", "edit", "resolve", "review", "undo", ...
    source: str  # file name or "typed"
    old: Progress | None
    new: Progress | None
    undone: bool  # the batch was undone since


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


@dataclass
class MergeItem:
    """One returned file's share of a merge: its entries, its conflicts and its batch's labels."""

    entries: list[Progress]
    conflicts: list[Conflict]
    source: str
    file_hash: str | None = None
    unit: str | None = None
    round: str | None = None
    meta: dict = field(default_factory=dict)
    kind: str = "merge"
    reviews: list[ReviewItem] = field(default_factory=list)  # rows for the clerk (odd status, held rows)
