"""Dispatches (what the ledger sent) and review items, inside a Session the facade opened."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.dispatch import OPEN, REVIEW_EXTENSION, REVIEW_REWORK, UNDONE, Dispatch, DispatchRow, ReviewItem
from app.core.merge import Values
from app.errors import LedgerError
from app.store import queries
from app.store.orm import DispatchLineRow, DispatchRecordRow, LedgerInfo, ReviewRow


def secret(session: Session, *, create: bool = False) -> bytes:
    """The ledger's signing key; a ledger without one gets one when `create` (inside a write)."""
    info = session.execute(select(LedgerInfo)).scalars().one()
    if not info.secret and create:
        info.secret = secrets.token_hex(32)
        session.flush()
    return bytes.fromhex(info.secret) if info.secret else b""


def _values_json(v: Values | None) -> str | None:
    return None if v is None else json.dumps(v.to_json(), ensure_ascii=False)


def _values(raw: str | None) -> Values | None:
    if not raw:
        return None
    data = json.loads(raw)
    return Values.make(data.get("status", ""), data.get("text", ""), data.get("done_date", ""),
                       data.get("evidence", ""))


def add_dispatches(session: Session, dispatches: list[Dispatch]) -> None:
    last = session.execute(select(func.max(DispatchRecordRow.position))).scalar() or 0
    for n, d in enumerate(dispatches, start=last + 1):
        session.add(DispatchRecordRow(id=d.id, unit=d.unit, round=d.round, created_at=d.created_at,
                                      file_name=d.file_name, fmt=d.fmt, position=n))
        session.flush()
        session.add_all(
            DispatchLineRow(dispatch_id=d.id, position=i, task_id=r.task_id, seq=r.seq,
                            locked=json.dumps(r.locked, ensure_ascii=False), base=_values_json(r.base) or "{}",
                            fingerprint=r.fingerprint, columns=json.dumps(r.columns, ensure_ascii=False))
            for i, r in enumerate(d.rows))
    session.flush()


def _rows(lines) -> list[DispatchRow]:
    return [DispatchRow(task_id=ln.task_id, seq=ln.seq, locked=json.loads(ln.locked or "{}"),
                        base=_values(ln.base) or Values(), fingerprint=ln.fingerprint,
                        columns=json.loads(ln.columns or "{}")) for ln in lines]


def _dispatch(row, lines, count: int) -> Dispatch:
    return Dispatch(id=row.id, unit=row.unit, round=row.round, created_at=row.created_at, file_name=row.file_name,
                    fmt=row.fmt, rows=_rows(lines or []), task_count=count)


def list_dispatches(session: Session, *, round_name: str | None = None) -> list[Dispatch]:
    """Dispatches in the order recorded, with their row counts but not their rows (get_dispatch loads
    one dispatch whole: a merge needs only the dispatches its files answer)."""
    table = DispatchRecordRow.__table__
    query = select(table).order_by(table.c.position)
    if round_name is not None:
        query = query.where(table.c.round == round_name)
    records = list(session.execute(query))
    line_table = DispatchLineRow.__table__
    counts = dict(session.execute(select(line_table.c.dispatch_id, func.count())
                                  .group_by(line_table.c.dispatch_id)).all())
    return [_dispatch(r, None, counts.get(r.id, 0)) for r in records]


def get_dispatch(session: Session, dispatch_id: str) -> Dispatch | None:
    """One dispatch with every row as sent (plain selects: nothing here is changed)."""
    table = DispatchRecordRow.__table__
    record = session.execute(select(table).where(table.c.id == dispatch_id)).first()
    if record is None:
        return None
    line_table = DispatchLineRow.__table__
    lines = list(session.execute(select(line_table).where(line_table.c.dispatch_id == dispatch_id)
                                 .order_by(line_table.c.position)))
    return _dispatch(record, lines, len(lines))


# ----- review items -----------------------------------------------------------------------------
REVIEW_ENTITY = "review"  # change-log rows of a review item's state a merge changed (undo puts it back)


def _entry_json(item: ReviewItem) -> str | None:
    """The entry's values; an extension request's fields beside them (app/core/dispatch.py)."""
    if item.kind != REVIEW_EXTENSION:
        return _values_json(item.entry)
    data = item.entry.to_json() if item.entry is not None else {}
    return json.dumps({**data, **item.extension_json()}, ensure_ascii=False)


def add_reviews(session: Session, items: list[ReviewItem], batch_id: str | None, at: datetime) -> list[int]:
    """Store the items; a second open 退回修改 of the same task and unit is refused (the transaction
    writes nothing), whichever path asks for it: `return_entry` or 退回 of a review item."""
    for item in items:
        if item.kind == REVIEW_REWORK and any(i.task_id == item.task_id for i in open_rework(session, item.unit)):
            raise LedgerError(f"{item.unit}的这条进展已退回修改，尚未报回（already returned, not yet fixed）")
    rows = [ReviewRow(kind=i.kind, state=OPEN, batch_id=batch_id, dispatch_id=i.dispatch_id, file=i.file,
                      unit=i.unit, round=i.round, task_id=i.task_id, row=i.row, message=i.message,
                      entry=_entry_json(i), base=_values_json(i.base), created_at=at) for i in items]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def _review(row: ReviewRow) -> ReviewItem:
    item = ReviewItem(id=row.id, kind=row.kind, file=row.file, unit=row.unit, round=row.round, task_id=row.task_id,
                      row=row.row, message=row.message, entry=_values(row.entry), base=_values(row.base),
                      batch_id=row.batch_id, dispatch_id=row.dispatch_id, state=row.state,
                      created_at=row.created_at, resolved_at=row.resolved_at, resolution=row.resolution)
    if row.kind == REVIEW_EXTENSION and row.entry:
        data = json.loads(row.entry)
        item.extension_to = data.get("extension_to") or ""
        item.extension_date = date.fromisoformat(data["extension_date"]) if data.get("extension_date") else None
        item.extension_reason = data.get("extension_reason") or ""
    return item


def reviews_of_unit(session: Session, unit: str, kinds: tuple[str, ...]) -> list[ReviewItem]:
    """The unit's review items of these kinds, oldest first (what its next sheet's notes come from)."""
    query = select(ReviewRow).where(ReviewRow.unit == unit, ReviewRow.kind.in_(kinds)).order_by(ReviewRow.id)
    return [_review(r) for r in session.execute(query).scalars()]


def open_rework(session: Session, unit: str | None = None) -> list[ReviewItem]:
    """Open 退回修改 items (of one unit, or all), oldest first."""
    query = select(ReviewRow).where(ReviewRow.kind == REVIEW_REWORK, ReviewRow.state == OPEN)
    if unit is not None:
        query = query.where(ReviewRow.unit == unit)
    return [_review(r) for r in session.execute(query.order_by(ReviewRow.id)).scalars()]


def close_review_logged(session: Session, item_id: int, state: str, resolution: str, batch_id: str,
                        at: datetime) -> None:
    """Close an open item from inside another batch (a merge closing a rework item), logged so that
    undoing that batch opens it again (undo_review_change)."""
    close_review(session, item_id, state, resolution, at)
    queries.log_change(session, batch_id, entity=REVIEW_ENTITY, key=item_id, field="state", old=OPEN, new=state,
                       at=at)


def set_resolution_logged(session: Session, item_id: int, resolution: str, batch_id: str, at: datetime) -> None:
    """Change a settled item's resolution text from inside another batch (a merge marking a declined
    延期 as answered), logged so that undo puts the old text back."""
    row = session.get(ReviewRow, item_id)
    if row is None:
        return
    old, row.resolution = row.resolution, resolution
    queries.log_change(session, batch_id, entity=REVIEW_ENTITY, key=item_id, field="resolution", old=old,
                       new=resolution, at=at)


def undo_review_change(session: Session, change, undo_batch_id: str, at: datetime) -> None:
    """Put back what a batch changed of an item (opened again, or its old resolution); refused when the
    item was settled otherwise since."""
    item_id = json.loads(change.entity_key)
    row = session.get(ReviewRow, item_id)
    expected = json.loads(change.new) if change.new is not None else None
    old = json.loads(change.old) if change.old is not None else None
    current = None if row is None else getattr(row, change.field)
    if current != expected:
        raise LedgerError(f"待审核事项 {item_id} 在此之后又被处理，不能撤销（settled since）")
    if change.field == "state":
        row.state, row.resolution, row.resolved_at = OPEN, "", None
    else:
        row.resolution = old
    queries.log_change(session, undo_batch_id, entity=REVIEW_ENTITY, key=item_id, field=change.field, old=expected,
                       new=old, at=at)


def list_reviews(session: Session, *, open_only: bool = True) -> list[ReviewItem]:
    query = select(ReviewRow).order_by(ReviewRow.id)
    if open_only:
        query = query.where(ReviewRow.state == OPEN)
    return [_review(r) for r in session.execute(query).scalars()]


def get_review(session: Session, item_id: int) -> ReviewItem:
    row = session.get(ReviewRow, item_id)
    if row is None:
        raise LedgerError(f"待审核事项 {item_id} 不存在（no such review item）")
    return _review(row)


def close_review(session: Session, item_id: int, state: str, resolution: str, at: datetime) -> None:
    session.execute(update(ReviewRow).where(ReviewRow.id == item_id)
                    .values(state=state, resolution=resolution, resolved_at=at))


def cancel_reviews_of_batch(session: Session, batch_id: str) -> None:
    """An undone merge takes its review items with it (they no longer wait for anyone)."""
    session.execute(update(ReviewRow).where(ReviewRow.batch_id == batch_id, ReviewRow.state == OPEN)
                    .values(state=UNDONE))
