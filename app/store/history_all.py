"""Every progress entry's history at once (the 留痕 appendix of the export), in one pass over the log.

`history.progress_history` answers for one entry and filters the log by its key; the export needs
every entry's, so this reads the change log once (progress changes and task deletions/re-creations,
which carry their entries whole), plus the progress table once for the entries that came with the
ledger and were never changed since. The rules are history.py's: names in the log (a unit's or
round's former names) are shown as today's; an entry present when the ledger was made starts with
the ledger's creating batch. Records come out in log order, entries that came with the ledger first.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.changes import EntryChange
from app.store import directory, queries
from app.store.history import _progress
from app.store.orm import BatchRow, ChangeRow, ProgressRow, RoundRow, UnitRow

Key = tuple[str, str, str]  # task id, unit, round as shown today


def _shown(resolver: dict[str, int], current: dict[str, int]) -> dict[str, str]:
    """Any name the log may hold (current or former) → the name shown today."""
    by_id = {i: name for name, i in current.items()}
    return {name: by_id.get(i, name) for name, i in resolver.items()}


def all_progress_history(session: Session) -> list[EntryChange]:
    """Every logged change of every progress entry, oldest first (see the module docstring)."""
    units = _shown(directory.unit_resolver(session), queries.unit_ids(session))
    rounds = _shown(directory.round_resolver(session), queries.round_ids(session))
    batches = {b.id: b for b in session.execute(select(BatchRow)).scalars()}
    created = session.execute(select(ChangeRow.batch_id).where(ChangeRow.entity == "ledger", ChangeRow.field == "create")
                              .order_by(ChangeRow.id).limit(1)).scalar()
    query = (select(ChangeRow.batch_id, ChangeRow.at, ChangeRow.entity, ChangeRow.entity_key, ChangeRow.old,
                    ChangeRow.new)
             .where((ChangeRow.entity == "progress") | ((ChangeRow.entity == "task") & (ChangeRow.field == "row")))
             .order_by(ChangeRow.id))
    changes: list[tuple[Key, object, str, dict | None, dict | None]] = []
    for batch_id, at, entity, raw_key, raw_old, raw_new in session.execute(query):
        old = json.loads(raw_old) if raw_old else None
        new = json.loads(raw_new) if raw_new else None
        if entity == "progress":
            task_id, unit, round_name = json.loads(raw_key)
            changes.append(((task_id, units.get(unit, unit), rounds.get(round_name, round_name)), at, batch_id, old, new))
            continue
        task_id = json.loads(raw_key)  # a task deleted (old) or made again (new), with its entries
        olds = {_entry_key(task_id, e, units, rounds): e for e in (old or {}).get("progress", [])}
        news = {_entry_key(task_id, e, units, rounds): e for e in (new or {}).get("progress", [])}
        for key in dict.fromkeys([*olds, *news]):
            changes.append((key, at, batch_id, olds.get(key), news.get(key)))

    first: dict[Key, dict | None] = {}
    for key, _at, _batch, old, _new in changes:
        first.setdefault(key, old)
    out: list[EntryChange] = []
    create = batches.get(created)
    if create is not None:
        initial = [(k, v) for k, v in first.items() if v is not None]
        logged = set(first)
        columns = [getattr(ProgressRow, name) for name in _VALUE_FIELDS]
        rows = session.execute(select(ProgressRow.task_id, UnitRow.name, RoundRow.name, *columns)  # plain tuples
                               .join(UnitRow, UnitRow.id == ProgressRow.unit_id)
                               .join(RoundRow, RoundRow.id == ProgressRow.round_id)
                               .order_by(ProgressRow.id))
        initial += [(tuple(row[:3]), _value(row[3:])) for row in rows if tuple(row[:3]) not in logged]
        for key, value in initial:
            out.append(EntryChange(at=create.created_at, batch_id=create.id, kind=create.kind, source=create.source,
                                   old=None, new=_progress(*key, value), undone=False))
    for key, at, batch_id, old, new in changes:
        batch = batches[batch_id]
        out.append(EntryChange(at=at, batch_id=batch_id, kind=batch.kind, source=batch.source,
                               old=_progress(*key, old), new=_progress(*key, new), undone=batch.undone_at is not None))
    return out


_VALUE_FIELDS = ("status", "text", "done_date", "evidence", "updated_at", "source", "reporter")


def _value(values) -> dict:
    """A progress row's columns as queries.record_value gives them (dates as ISO text)."""
    value = dict(zip(_VALUE_FIELDS, values))
    for name in ("done_date", "updated_at"):
        value[name] = value[name].isoformat() if value[name] else None
    return value


def _entry_key(task_id: str, entry: dict, units: dict[str, str], rounds: dict[str, str]) -> Key:
    unit, round_name = entry.get("unit", ""), entry.get("round", "")
    return task_id, units.get(unit, unit), rounds.get(round_name, round_name)
