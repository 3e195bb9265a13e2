"""The `ledgerdesk/1` JSON form of a ledger (see shared/contracts/CLI.md).

Beyond the contract (keys are only added): each task's "unit_deadlines", the units' own deadlines
granted by approved 延期 requests ({unit, deadline, original, reason, approved_at}; [] when none).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from app.core.deadlines_unit import granted_of
from app.core.records import LedgerDocument, Progress, Task, UnitDeadline

FORMAT_TAG = "ledgerdesk/1"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def progress_to_json(entry: Progress) -> dict:
    return {
        "task_id": entry.task_id,
        "unit": entry.unit,
        "round": entry.round,
        "status": entry.status,
        "text": entry.text,
        "done_date": _iso(entry.done_date),
        "evidence": entry.evidence,
        "updated_at": _iso(entry.updated_at.replace(microsecond=0)) if entry.updated_at else None,
        "source": entry.source,
        "reporter": entry.reporter,
    }


def unit_deadline_to_json(granted: UnitDeadline) -> dict:
    return {"unit": granted.unit, "deadline": granted.deadline.to_json(), "original": granted.original.to_json(),
            "reason": granted.reason, "approved_at": _iso(granted.approved_at)}


def _unit_deadlines(task: Task, doc: LedgerDocument) -> list[dict]:
    return [unit_deadline_to_json(d) for d in granted_of(task, doc.unit_deadlines)] if doc.unit_deadlines else []


def document_to_json(doc: LedgerDocument) -> dict:
    """The contract's object; progress entries nest under their task."""
    progress_by_task: dict[str, list[dict]] = {}
    for entry in doc.progress:
        item = progress_to_json(entry)
        item.pop("task_id")
        progress_by_task.setdefault(entry.task_id, []).append(item)
    return {
        "format": FORMAT_TAG,
        "ledger_id": doc.ledger_id,
        "title": doc.title,
        "year": doc.year,
        "office": doc.office,
        "rounds": [{"name": r.name, "due": _iso(r.due)} for r in doc.rounds],
        "units": [
            {"name": u.name, "kind": u.kind, "aliases": list(u.aliases), "liaison": u.liaison, "phone": u.phone}
            for u in doc.units
        ],
        "headings": [
            {"id": h.id, "number": h.number, "title": h.title, "parent_id": h.parent_id, "level": h.level}
            for h in doc.headings
        ],
        "tasks": [
            {
                "id": t.id,
                "seq": t.seq,
                "path": doc.path_of(t),
                "key_work": t.key_work,
                "content": t.content,
                "metric": t.metric,
                "lead_units": list(t.lead_units),
                "coop_units": list(t.coop_units),
                "deadline": t.deadline.to_json(),
                "notes": t.notes,
                "progress": progress_by_task.get(t.id, []),
                "unit_deadlines": _unit_deadlines(t, doc),
            }
            for t in doc.tasks
        ],
    }


def write_json(doc: LedgerDocument, path: Path) -> None:
    Path(path).write_text(json.dumps(document_to_json(doc), ensure_ascii=False, indent=2), encoding="utf-8")
