"""Plain records for a whole ledger: what readers produce and writers consume.

These dataclasses are the lingua franca between the formats (plan parsers,
exporters, return sheets) and the store. They carry no database or Qt state, so
every arrow of the data flow can be tested with them alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

# Deadline kinds, as fixed by the JSON contract.
DEADLINE_KINDS = ("date", "long_term", "relative", "per_superior", "recurring", "none")
# Unit kinds.
UNIT_KINDS = ("department", "township", "group", "other")
# Assignment roles.
ROLE_LEAD = "lead"
ROLE_COOP = "coop"
# Progress statuses, in the order a drop-down shows them. Extensible: any text is stored.
STATUSES = ("未开始", "进行中", "已完成", "长期坚持", "未按期完成")
STATUS_DONE = "已完成"


def new_id() -> str:
    """A fresh stable id (UUID4 hex with dashes) for tasks, headings, ledgers."""
    return str(uuid.uuid4())


@dataclass
class Deadline:
    """A deadline as written, with the date and kind the parser found."""

    text: str = ""
    date: date | None = None
    kind: str = "none"

    def to_json(self) -> dict:
        return {"text": self.text, "date": self.date.isoformat() if self.date else None, "kind": self.kind}


@dataclass
class UnitDeadline:
    """One unit's own deadline for a task, granted by an approved 延期 request (review of returns).

    The task keeps its planned deadline (`original`, as it was when the request was approved); exports
    show "原定…，<unit>经批准延期至…" and overdue checks for the unit use `deadline`."""

    task_id: str
    unit: str
    deadline: Deadline
    original: Deadline
    reason: str = ""
    approved_at: datetime | None = None
    review_id: int | None = None


@dataclass
class Heading:
    """A section heading ("一、…", "（一）…"); `number` is as written, punctuation included."""

    id: str
    number: str
    title: str
    parent_id: str | None = None
    level: int = 1

    @property
    def label(self) -> str:
        return f"{self.number}{self.title}"


@dataclass
class Task:
    """One task row of the ledger."""

    id: str
    seq: str
    heading_id: str | None = None
    key_work: str = ""
    content: str = ""
    metric: str = ""
    lead_units: list[str] = field(default_factory=list)
    coop_units: list[str] = field(default_factory=list)
    deadline: Deadline = field(default_factory=Deadline)
    notes: str = ""


@dataclass
class Unit:
    """A unit of the directory; `name` is canonical, `aliases` other spellings."""

    name: str
    kind: str = "department"
    aliases: list[str] = field(default_factory=list)
    liaison: str = ""
    phone: str = ""


@dataclass
class Round:
    """A reporting round (报送轮次)."""

    name: str
    due: date | None = None


@dataclass
class Progress:
    """What one unit reported for one task in one round."""

    task_id: str
    unit: str
    round: str
    status: str = ""
    text: str = ""
    done_date: date | None = None
    evidence: str = ""
    updated_at: datetime | None = None
    source: str = ""  # "typed", or the imported file's name
    reporter: str = ""  # who filled it in (填报人), when known


@dataclass
class ParseWarning:
    """Something an importer could not place, with where it was found."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}：{self.message}" if self.location else self.message


@dataclass
class LedgerDocument:
    """A whole ledger as plain data: a parse result, or a snapshot of a ledger file."""

    title: str = ""
    year: int | None = None
    office: str = ""
    ledger_id: str = field(default_factory=new_id)
    headings: list[Heading] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    # task id → why the parser is unsure of that task (units inferred from a sentence end, a cell
    # carried down from the row above, a guessed column…), for the clerk to review after import
    doubts: dict[str, list[str]] = field(default_factory=dict)
    # (task id, unit) → that unit's own deadline (an approved 延期); Ledger.document()/snapshot() fill it
    unit_deadlines: dict[tuple[str, str], UnitDeadline] = field(default_factory=dict)

    def add_doubt(self, task: Task, doubt: str) -> None:
        """Note once that the parser is unsure of `task`, and why."""
        found = self.doubts.setdefault(task.id, [])
        if doubt not in found:
            found.append(doubt)

    def heading_map(self) -> dict[str, Heading]:
        return {h.id: h for h in self.headings}

    def path_of(self, task: Task) -> list[str]:
        """Heading labels above `task`, outermost first."""
        by_id = self.heading_map()
        path: list[str] = []
        hid = task.heading_id
        while hid is not None and hid in by_id:
            heading = by_id[hid]
            path.append(heading.label)
            hid = heading.parent_id
        return list(reversed(path))

    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]

    def tasks_of_unit(self, unit: str) -> list[Task]:
        """Tasks the unit leads or cooperates on, in document order."""
        return [t for t in self.tasks if unit in t.lead_units or unit in t.coop_units]
