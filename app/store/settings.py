"""The ledger's own settings (table ledger_setting: key → JSON text), logged and undoable.

Settings that belong to the ledger rather than to one PC (the weights of the unit scores, say)
live in the file, so they travel with it to another computer and show in its change log.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.changes import Changes
from app.errors import LedgerError
from app.store import queries
from app.store.orm import BatchRow, ChangeRow, LedgerSettingRow

ENTITY = "setting"
MAX_KEY = 64


def read_setting(session: Session, key: str) -> object | None:
    """The decoded value, or None when the ledger has no such setting."""
    row = session.get(LedgerSettingRow, key)
    return None if row is None else json.loads(row.value)


def read_settings(session: Session) -> dict[str, object]:
    return {row.key: json.loads(row.value) for row in session.scalars(select(LedgerSettingRow))}


def write_setting(session: Session, key: str, value: object | None, batch: BatchRow, at: datetime) -> Changes:
    """Set (or, with None, remove) one setting; the old and new values go to the change log."""
    if not key or len(key) > MAX_KEY:
        raise LedgerError(f"设置项名称“{key}”无效（invalid setting key）")
    row = session.get(LedgerSettingRow, key)
    old = None if row is None else json.loads(row.value)
    if old == value:
        return Changes(batch_id=batch.id)
    _store(session, key, value, row)
    queries.log_change(session, batch.id, entity=ENTITY, key=key, old=old, new=value, at=at)
    return Changes(batch_id=batch.id, meta=True)


def _store(session: Session, key: str, value: object | None, row: LedgerSettingRow | None) -> None:
    if value is None:
        if row is not None:
            session.delete(row)
        return
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(LedgerSettingRow(key=key, value=text))
    else:
        row.value = text
    session.flush()


def undo_setting_change(session: Session, change: ChangeRow, undo: BatchRow, at: datetime, changes: Changes) -> None:
    """Put the old value back, refusing when the setting changed again since."""
    key = json.loads(change.entity_key)
    row = session.get(LedgerSettingRow, key)
    current = None if row is None else json.loads(row.value)
    expected = json.loads(change.new) if change.new else None
    if current != expected:
        raise LedgerError(f"设置项“{key}”在此之后又被修改，不能撤销（changed since）")
    old = json.loads(change.old) if change.old else None
    _store(session, key, old, row)
    queries.log_change(session, undo.id, entity=ENTITY, key=key, old=current, new=old, at=at)
    changes.meta = True
