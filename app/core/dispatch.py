"""What the ledger sent (dispatches) and what waits for the clerk's judgement (review items).

The ledger keeps what it sent: when `sheets` or `package` writes a file for a unit and
round, a Dispatch records every row as sent (task id, locked cells, the values the file
was prefilled with). The three-way merge takes its base from here, never from the
returned file, so a file's hidden data can only say which dispatch it answers.

A ReviewItem is something a merge would not decide alone: a status outside the list
(the row was kept, the status recorded as typed), or a row of a file whose hidden data
disagrees with its dispatch, its file name or its title line (held, not applied, until
the clerk accepts or rejects it). An import doubt is one too: a line on which the plan
importer was unsure of a task (a cell carried down, a deadline read from the text), kept
until the clerk confirms (已核对) or dismisses it. Plain records: no Qt, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core.merge import Values

REVIEW_STATUS = "status"  # a status outside the list, applied as typed; the clerk settles it
REVIEW_HELD = "held"  # a row of an untrusted file, not applied until accepted
REVIEW_DOUBT = "doubt"  # the plan importer was unsure of a task (doc.doubts); the clerk checks it
REVIEW_REWORK = "rework"  # the office returned an entry (退回修改, with a reason); open until the unit returns it again
REVIEW_EXTENSION = "extension"  # a unit asked for more time (申请延期至 + 理由); approving sets its own deadline
REVIEW_KINDS = (REVIEW_STATUS, REVIEW_HELD, REVIEW_DOUBT, REVIEW_REWORK, REVIEW_EXTENSION)
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
REVIEW_KIND_LABELS = {REVIEW_STATUS: "状态不在可选范围", REVIEW_HELD: "待核实的报送行", REVIEW_DOUBT: "导入存疑",
                      REVIEW_REWORK: "退回修改", REVIEW_EXTENSION: "延期申请"}


@dataclass
class DispatchRow:
    """One task row as it left the office."""

    task_id: str
    seq: str
    locked: dict[str, str]  # 序号 重点工作 主要内容 量化指标 本单位职责 完成时限, as printed
    base: Values
    fingerprint: str
    columns: dict[str, str]  # per locked column hash (return-sheet rule)


@dataclass
class Dispatch:
    """One file sent to one unit for one round."""

    id: str
    unit: str
    round: str
    created_at: datetime
    file_name: str = ""
    fmt: str = ""  # "xlsx", "docx", "ldpkg"
    rows: list[DispatchRow] = field(default_factory=list)  # loaded only when asked (see the store)
    task_count: int = 0  # how many rows were sent, known also when the rows are not loaded


@dataclass
class ReviewItem:
    """A returned row the clerk must look at (see the module docstring)."""

    id: int
    kind: str  # REVIEW_STATUS, REVIEW_HELD or REVIEW_DOUBT
    file: str
    unit: str
    round: str
    task_id: str | None
    row: int | None
    message: str
    entry: Values | None = None  # what the unit returned (held rows: what accepting would take)
    base: Values | None = None  # what was sent, for the three-way merge on accept
    batch_id: str | None = None
    dispatch_id: str | None = None
    state: str = OPEN
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str = ""

    def to_json(self) -> dict:
        def values(v: Values | None) -> dict | None:
            return None if v is None else v.to_json()

        return {"id": self.id, "kind": self.kind, "label": REVIEW_KIND_LABELS.get(self.kind, self.kind),
                "state": self.state, "file": self.file, "unit": self.unit, "round": self.round,
                "task_id": self.task_id, "row": self.row, "message": self.message, "entry": values(self.entry),
                "base": values(self.base), "batch": self.batch_id, "dispatch": self.dispatch_id,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
                "resolution": self.resolution}
