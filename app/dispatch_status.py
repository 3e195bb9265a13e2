"""Who was sent what for a round, and who has returned it (the returns dashboard's data; no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core.records import LedgerDocument
from app.core.sheet_scope import sheet_units
from app.ledger import Ledger

SENT, RETURNED, HELD, NOT_SENT = "sent", "returned", "held", "not_sent"
STATE_LABELS = {SENT: "已发出，未交回", RETURNED: "已交回", HELD: "已交回，待核实", NOT_SENT: "未发出"}


@dataclass
class UnitRound:
    """One unit in one round: its dispatches and the returns merged for it."""

    unit: str
    round: str
    state: str
    sent_at: datetime | None = None
    files_sent: list[str] = field(default_factory=list)
    tasks_sent: int = 0
    returned_at: datetime | None = None
    files_returned: list[str] = field(default_factory=list)
    # rows of its returns (not undone) as the merge counted them: applied, left as conflicts, rejected
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0

    @property
    def missing(self) -> bool:
        """Nothing came back yet (sent and not returned, or never sent): who a 催报通知 is for."""
        return self.state in (SENT, NOT_SENT)

    def to_json(self) -> dict:
        return {"unit": self.unit, "round": self.round, "state": self.state, "label": STATE_LABELS[self.state],
                "sent_at": self.sent_at.isoformat() if self.sent_at else None, "files_sent": self.files_sent,
                "tasks_sent": self.tasks_sent,
                "returned_at": self.returned_at.isoformat() if self.returned_at else None,
                "files_returned": self.files_returned, "applied": self.applied, "conflicts": self.conflicts,
                "rejected": self.rejected}


def dispatch_status(ledger: Ledger, round_name: str | None = None, *,
                    doc: LedgerDocument | None = None) -> list[UnitRound]:
    """Per round (the named one, else every round) and unit: sent / returned / held / missing.

    Units with tasks that were sent nothing for a round are listed as 未发出, so a forgotten
    unit shows up before the deadline, not after. `doc`: the ledger's records when the caller
    has them already (the window), so a refresh reads only dispatches, reviews and batches."""
    doc = doc if doc is not None else ledger.document()
    rounds = [r.name for r in doc.rounds if round_name in (None, r.name)]
    status: dict[tuple[str, str], UnitRound] = {}
    for d in ledger.dispatches(round_name):
        entry = status.setdefault((d.unit, d.round), UnitRound(d.unit, d.round, SENT))
        entry.sent_at = d.created_at if entry.sent_at is None else max(entry.sent_at, d.created_at)
        entry.files_sent.append(d.file_name)
        entry.tasks_sent = d.task_count
    review_states: dict[str, set[str]] = {}
    for item in ledger.reviews(open_only=False):
        if item.batch_id:
            review_states.setdefault(item.batch_id, set()).add(item.state)
    for b in ledger.batches():
        if b.kind != "merge" or b.undone or not b.unit or not b.round or (b.unit, b.round) not in status:
            continue
        entry = status[(b.unit, b.round)]
        states = review_states.get(b.id, set())
        # a held return counts once the clerk accepted a row of it; while rows wait it is 待核实;
        # a return whose every held row was rejected has not come back yet
        held = bool(b.meta.get("held")) and "accepted" not in states
        if held and "open" not in states:
            continue
        entry.files_returned.append(b.source)
        for name in ("applied", "conflicts", "rejected"):
            value = b.meta.get(name)
            if isinstance(value, int):
                setattr(entry, name, getattr(entry, name) + value)
        if not held:
            entry.state = RETURNED
            entry.returned_at = b.created_at if entry.returned_at is None else max(entry.returned_at, b.created_at)
        elif entry.state == SENT:
            entry.state = HELD
    units = sheet_units(doc)
    out = []
    for name in rounds:
        listed = [status[(u, name)] for u in units if (u, name) in status]
        listed += [s for (u, r), s in status.items() if r == name and u not in units]
        listed += [UnitRound(u, name, NOT_SENT) for u in units if (u, name) not in status]
        out.extend(listed)
    return out
