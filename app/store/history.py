"""What the change log says about one progress entry, and what batches changed beyond rows.

A progress entry's history is every logged change of its key (task, unit, round) — under the
unit's aliases (former names after a rename or merge) and the round's former names too — plus
the deletion of its task and the undoing of that deletion, which carried the entry whole.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.changes import Changes, EntryChange
from app.core.records import Progress
from app.store import directory, queries
from app.store.orm import BatchRow, ChangeRow

_IN_CHUNK = 500


def batches_flags(session: Session, batch_ids: list[str]) -> Changes:
    """The kinds of change these batches made that queries.batches_changed does not name."""
    out = Changes()
    ids = list(batch_ids)
    for start in range(0, len(ids), _IN_CHUNK):
        query = (select(ChangeRow.entity, ChangeRow.field, ChangeRow.entity_key)
                 .where(ChangeRow.batch_id.in_(ids[start:start + _IN_CHUNK])))
        for entity, field, key in session.execute(query).all():
            if entity == "heading":
                out.structure = True
                if json.loads(key):
                    out.headings.add(json.loads(key))
            elif entity == "task" and field in ("row", "place"):
                out.structure = True
            elif entity in ("unit", "alias", "unit_refs", "assignment", "owner"):
                out.units = True
                if entity in ("assignment", "owner"):
                    out.structure = out.structure or entity == "assignment"
            elif entity in ("round", "round_refs"):
                out.meta = True
    return out


def _progress(task_id: str, unit: str, round_name: str, value: dict | None) -> Progress | None:
    if value is None:
        return None
    return Progress(task_id=task_id, unit=unit, round=round_name, status=value.get("status", ""),
                    text=value.get("text", ""),
                    done_date=date.fromisoformat(value["done_date"]) if value.get("done_date") else None,
                    evidence=value.get("evidence", ""),
                    updated_at=datetime.fromisoformat(value["updated_at"]) if value.get("updated_at") else None,
                    source=value.get("source", ""), reporter=value.get("reporter", ""))


def progress_history(session: Session, task_id: str, unit: str, round_name: str) -> list[EntryChange]:
    """The entry's changes oldest first (see the module docstring); [] for an unknown unit or round."""
    units = directory.unit_resolver(session)
    rounds = directory.round_resolver(session)
    if unit not in units or round_name not in rounds:
        return []
    unit_id, round_id = units[unit], rounds[round_name]
    unit_names = {name for name, uid in units.items() if uid == unit_id}
    round_names = {name for name, rid in rounds.items() if rid == round_id}
    shown_unit = next((n for n, uid in queries.unit_ids(session).items() if uid == unit_id), unit)
    shown_round = next((n for n, rid in queries.round_ids(session).items() if rid == round_id), round_name)
    prefix = json.dumps([task_id], ensure_ascii=False)[:-1] + ","
    query = (select(ChangeRow, BatchRow).join(BatchRow, BatchRow.id == ChangeRow.batch_id)
             .where(((ChangeRow.entity == "progress") & ChangeRow.entity_key.startswith(prefix, autoescape=True))
                    | ((ChangeRow.entity == "task") & (ChangeRow.field == "row")
                       & (ChangeRow.entity_key == json.dumps(task_id))))
             .order_by(ChangeRow.id))
    out: list[EntryChange] = []
    rows = session.execute(query).all()
    rows = [(c, b) for c, b in rows if _concerns(c, unit_names, round_names)]
    initial = _initial(session, task_id, unit_id, round_id, rows, (unit_names, round_names))
    if initial is not None:
        out.append(EntryChange(at=initial[0].created_at, batch_id=initial[0].id, kind=initial[0].kind,
                               source=initial[0].source, old=None,
                               new=_progress(task_id, shown_unit, shown_round, initial[1]), undone=False))
    for change, batch in rows:
        old = json.loads(change.old) if change.old else None
        new = json.loads(change.new) if change.new else None
        if change.entity == "task":  # the task was deleted (old) or made again (new): with its entries
            old, new = _entry_of(old, unit_names, round_names), _entry_of(new, unit_names, round_names)
        out.append(EntryChange(at=change.at, batch_id=batch.id, kind=batch.kind, source=batch.source,
                               old=_progress(task_id, shown_unit, shown_round, old),
                               new=_progress(task_id, shown_unit, shown_round, new),
                               undone=batch.undone_at is not None))
    return out


def _initial(session: Session, task_id: str, unit_id: int, round_id: int, rows: list,
             names: tuple[set[str], set[str]]) -> tuple | None:
    """(the batch that made the ledger, the entry's value then) when the entry came with the ledger
    itself (an imported ledger's progress is not logged entry by entry)."""
    if rows:
        first = rows[0][0]
        value = json.loads(first.old) if first.old else None
        if first.entity == "task":  # the first thing logged is the task's deletion: the entry was there
            value = _entry_of(value, *names)
        if value is None:
            return None
    else:
        row = queries.find_progress(session, task_id, unit_id, round_id)
        if row is None:
            return None
        value = queries.record_value(row)
    created = session.execute(select(BatchRow).join(ChangeRow, ChangeRow.batch_id == BatchRow.id)
                              .where(ChangeRow.entity == "ledger", ChangeRow.field == "create")
                              .order_by(ChangeRow.id).limit(1)).scalar()
    return None if created is None else (created, value)


def _concerns(change: ChangeRow, units: set[str], rounds: set[str]) -> bool:
    if change.entity == "progress":
        _tid, unit, round_name = json.loads(change.entity_key)
        return unit in units and round_name in rounds
    snapshots = [json.loads(raw) for raw in (change.old, change.new) if raw]
    return any(_entry_of(s, units, rounds) is not None for s in snapshots)


def _entry_of(snapshot: dict | None, units: set[str], rounds: set[str]) -> dict | None:
    for entry in (snapshot or {}).get("progress", []):
        if entry.get("unit") in units and entry.get("round") in rounds:
            return entry
    return None
