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

Review of returns (退回 / 延期), see app/review.py:
- REVIEW_REWORK: the office returned one entry (退回修改) with a reason (`message`). `unit`, `round`
  and `task_id` name the entry; `entry` holds its values when it was returned. States: open (the
  unit's next sheet and liaison file show "退回修改：<reason>"), FIXED "fixed" (a later merge brought
  a row of that task from that unit whose values differ from `entry`: closed by the merge),
  ACCEPTED (the clerk took the entry as it is now), "undone" (its batch was undone).
- REVIEW_EXTENSION: a unit asked for more time in a returned row. `extension_to` is the 申请延期至
  cell as typed (ISO when it parsed), `extension_date` the parsed date (None when unreadable: the
  item still arrives and its message says so), `extension_reason` the 延期理由. In the stored entry
  JSON they are the keys "extension_to", "extension_date" (ISO or null), "extension_reason" beside
  the four values. States: open, ACCEPTED (approved: a unit deadline was written), REJECTED
  (declined; the next sheet shows "延期申请未同意：<reason>").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.core.merge import Values

REVIEW_STATUS = "status"  # a status outside the list, applied as typed; the clerk settles it
REVIEW_HELD = "held"  # a row of an untrusted file, not applied until accepted
REVIEW_DOUBT = "doubt"  # the plan importer was unsure of a task (doc.doubts); the clerk checks it
REVIEW_REWORK = "rework"  # the office returned an entry (退回修改, with a reason); open until the unit returns it again
REVIEW_EXTENSION = "extension"  # a unit asked for more time (申请延期至 + 理由); approving sets its own deadline
REVIEW_KINDS = (REVIEW_STATUS, REVIEW_HELD, REVIEW_DOUBT, REVIEW_REWORK, REVIEW_EXTENSION)
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
FIXED = "fixed"  # a rework item the unit's next return changed (closed by the merge)
UNDONE = "undone"  # its batch was undone
REVIEW_STATE_LABELS = {OPEN: "待处理", ACCEPTED: "已采用", REJECTED: "不采用", FIXED: "已按退回意见修改",
                       UNDONE: "已撤销"}
EXTENSION_KEYS = ("extension_to", "extension_date", "extension_reason")  # in the stored entry JSON
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
    kind: str  # one of REVIEW_KINDS
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
    extension_to: str = ""  # REVIEW_EXTENSION: 申请延期至 as typed (ISO when it parsed)
    extension_date: date | None = None  # REVIEW_EXTENSION: the requested date, None when unreadable
    extension_reason: str = ""  # REVIEW_EXTENSION: 延期理由

    def extension_json(self) -> dict:
        """The extension keys as stored beside the entry's values."""
        return {"extension_to": self.extension_to,
                "extension_date": self.extension_date.isoformat() if self.extension_date else None,
                "extension_reason": self.extension_reason}

    def to_json(self) -> dict:
        def values(v: Values | None) -> dict | None:
            return None if v is None else v.to_json()

        return {"id": self.id, "kind": self.kind, "label": REVIEW_KIND_LABELS.get(self.kind, self.kind),
                "state": self.state, "file": self.file, "unit": self.unit, "round": self.round,
                "task_id": self.task_id, "row": self.row, "message": self.message, "entry": values(self.entry),
                "base": values(self.base), "batch": self.batch_id, "dispatch": self.dispatch_id,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
                "resolution": self.resolution,
                "extension": self.extension_json() if self.kind == REVIEW_EXTENSION else None}
