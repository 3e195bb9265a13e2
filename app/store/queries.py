"""Reading and writing ledger content with a Session; records in, records out."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.records import (
    ROLE_COOP,
    ROLE_LEAD,
    Deadline,
    Heading,
    LedgerDocument,
    Progress,
    Round,
    Task,
    Unit,
)
from app.store import snapshot_read, validate
from app.store.orm import (
    AssignmentRow,
    BatchRow,
    ChangeRow,
    ConflictRow,
    HeadingRow,
    LedgerInfo,
    ProgressRow,
    ReviewRow,
    RoundRow,
    TaskRow,
    UnitAliasRow,
    UnitRow,
)


def info(session: Session) -> LedgerInfo:
    return session.execute(select(LedgerInfo)).scalar_one()


def read_document(session: Session) -> LedgerDocument:
    """The whole ledger as plain records, in document order."""
    meta = info(session)
    doc = LedgerDocument(title=meta.title, year=meta.year, office=meta.office, ledger_id=meta.id)
    doc.headings = [
        Heading(h.id, h.number, h.title, h.parent_id, h.level)
        for h in session.execute(select(HeadingRow).order_by(HeadingRow.position)).scalars()
    ]
    validate.check_headings(session, doc.headings)  # a cycle would make every walk up the tree endless
    units = session.execute(
        select(UnitRow).options(selectinload(UnitRow.aliases)).order_by(UnitRow.position, UnitRow.id)
    ).scalars().all()
    unit_names = {u.id: u.name for u in units}
    doc.units = [Unit(u.name, u.kind, [a.alias for a in u.aliases], u.liaison, u.phone) for u in units]
    rounds = session.execute(select(RoundRow).order_by(RoundRow.position, RoundRow.id)).scalars().all()
    round_names = {r.id: r.name for r in rounds}
    doc.rounds = [Round(r.name, r.due) for r in rounds]
    tasks = session.execute(
        select(TaskRow).options(selectinload(TaskRow.assignments)).order_by(TaskRow.position)
    ).scalars().all()
    for t in tasks:
        doc.tasks.append(
            Task(
                id=t.id,
                seq=t.seq,
                heading_id=t.heading_id,
                key_work=t.key_work,
                content=t.content,
                metric=t.metric,
                lead_units=[unit_names[a.unit_id] for a in t.assignments if a.role == ROLE_LEAD],
                coop_units=[unit_names[a.unit_id] for a in t.assignments if a.role == ROLE_COOP],
                deadline=Deadline(t.deadline_text, t.deadline_date, t.deadline_kind),
                notes=t.notes,
            )
        )
    order = {t.id: i for i, t in enumerate(doc.tasks)}
    round_order = {r.id: r.position for r in rounds}
    rows = session.execute(select(ProgressRow)).scalars().all()
    rows.sort(key=lambda p: (order.get(p.task_id, 0), round_order.get(p.round_id, 0), p.id))
    doc.progress = [progress_record(p, unit_names, round_names) for p in rows]
    return doc


def progress_record(row: ProgressRow, unit_names: dict[int, str], round_names: dict[int, str]) -> Progress:
    return Progress(
        task_id=row.task_id,
        unit=unit_names[row.unit_id],
        round=round_names[row.round_id],
        status=row.status,
        text=row.text,
        done_date=row.done_date,
        evidence=row.evidence,
        updated_at=row.updated_at,
        source=row.source,
        reporter=row.reporter,
    )


def write_document(session: Session, doc: LedgerDocument, *, now: datetime, app_version: str) -> None:
    """Fill an empty ledger from a document; units named by tasks are added if missing."""
    session.add(
        LedgerInfo(
            id=doc.ledger_id, title=doc.title, year=doc.year, office=doc.office,
            created_at=now, modified_at=now, app_version=app_version, secret=secrets.token_hex(32),
        )
    )
    for pos, h in enumerate(doc.headings):
        session.add(HeadingRow(id=h.id, parent_id=h.parent_id, number=h.number, title=h.title, level=h.level,
                               position=pos))
    session.flush()
    units = ensure_units(session, doc)
    rounds: dict[str, RoundRow] = {}
    for pos, r in enumerate(doc.rounds):
        rounds[r.name] = RoundRow(name=r.name, due=r.due, position=pos)
        session.add(rounds[r.name])
    for pos, t in enumerate(doc.tasks):
        row = TaskRow(
            id=t.id, heading_id=t.heading_id, position=pos, seq=t.seq, key_work=t.key_work, content=t.content,
            metric=t.metric, deadline_text=t.deadline.text, deadline_date=t.deadline.date,
            deadline_kind=t.deadline.kind, notes=t.notes,
        )
        for i, name in enumerate(t.lead_units):
            row.assignments.append(AssignmentRow(unit=units[name], role=ROLE_LEAD, position=i))
        for i, name in enumerate(t.coop_units):
            if name not in t.lead_units:
                row.assignments.append(AssignmentRow(unit=units[name], role=ROLE_COOP, position=100 + i))
        session.add(row)
    session.flush()
    for p in doc.progress:
        if p.round not in rounds:
            rounds[p.round] = RoundRow(name=p.round, position=len(rounds))
            session.add(rounds[p.round])
            session.flush()
        session.add(
            ProgressRow(
                task_id=p.task_id, unit_id=units[p.unit].id, round_id=rounds[p.round].id, status=p.status,
                text=p.text, done_date=p.done_date, evidence=p.evidence, updated_at=p.updated_at, source=p.source,
                reporter=p.reporter,
            )
        )
    session.flush()


def ensure_units(session: Session, doc: LedgerDocument) -> dict[str, UnitRow]:
    """Unit rows for the directory and every unit a task or progress entry names."""
    from app.core.units import unit_kind  # core service; imported late to keep start-up light

    units: dict[str, UnitRow] = {}
    taken_aliases: set[str] = set()
    for u in doc.units:
        if u.name in units:
            continue
        row = UnitRow(name=u.name, kind=u.kind, liaison=u.liaison, phone=u.phone, position=len(units))
        for alias in u.aliases:
            if alias != u.name and alias not in taken_aliases:
                taken_aliases.add(alias)
                row.aliases.append(UnitAliasRow(alias=alias))
        units[u.name] = row
        session.add(row)
    named = [n for t in doc.tasks for n in (*t.lead_units, *t.coop_units)] + [p.unit for p in doc.progress]
    for name in named:
        if name not in units:
            units[name] = UnitRow(name=name, kind=unit_kind(name), position=len(units))
            session.add(units[name])
    session.flush()
    return units


def unit_ids(session: Session) -> dict[str, int]:
    return {name: uid for uid, name in session.execute(select(UnitRow.id, UnitRow.name))}


def round_ids(session: Session) -> dict[str, int]:
    return {name: rid for rid, name in session.execute(select(RoundRow.id, RoundRow.name))}


def record_value(entry: Progress | ProgressRow) -> dict:
    """The comparable, JSON-able value of a progress entry (a record or a row: same attributes)."""
    return {
        "status": entry.status,
        "text": entry.text,
        "done_date": entry.done_date.isoformat() if entry.done_date else None,
        "evidence": entry.evidence,
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        "source": entry.source,
        "reporter": entry.reporter,
    }


def progress_value(row: ProgressRow | None) -> dict | None:
    return None if row is None else record_value(row)


def apply_value(row: ProgressRow, value: dict) -> None:
    row.status = value.get("status", "")
    row.text = value.get("text", "")
    row.done_date = date.fromisoformat(value["done_date"]) if value.get("done_date") else None
    row.evidence = value.get("evidence", "")
    row.updated_at = datetime.fromisoformat(value["updated_at"]) if value.get("updated_at") else None
    row.source = value.get("source", "")
    row.reporter = value.get("reporter", "")


def insert_params(key: tuple[str, int, int], value: dict) -> dict:
    """A new progress row as executemany parameters (see apply_value for the same mapping)."""
    task_id, unit_id, round_id = key
    return {"task_id": task_id, "unit_id": unit_id, "round_id": round_id, "status": value.get("status", ""),
            "text": value.get("text", ""),
            "done_date": date.fromisoformat(value["done_date"]) if value.get("done_date") else None,
            "evidence": value.get("evidence", ""),
            "updated_at": datetime.fromisoformat(value["updated_at"]) if value.get("updated_at") else None,
            "source": value.get("source", ""), "reporter": value.get("reporter", "")}


def insert_value(params: dict) -> dict:
    """The record value of a row still waiting in insert_params form."""
    return {"status": params["status"], "text": params["text"],
            "done_date": params["done_date"].isoformat() if params["done_date"] else None,
            "evidence": params["evidence"],
            "updated_at": params["updated_at"].isoformat() if params["updated_at"] else None,
            "source": params["source"], "reporter": params["reporter"]}


def find_progress(session: Session, task_id: str, unit_id: int, round_id: int) -> ProgressRow | None:
    return session.execute(
        select(ProgressRow).where(
            ProgressRow.task_id == task_id, ProgressRow.unit_id == unit_id, ProgressRow.round_id == round_id
        )
    ).scalar_one_or_none()


def progress_entry(session: Session, task_id: str, unit: str, round_name: str) -> Progress | None:
    """One progress entry by task, unit and round names (None when there is none)."""
    units, rounds = unit_ids(session), round_ids(session)
    if unit not in units or round_name not in rounds:
        return None
    row = find_progress(session, task_id, units[unit], rounds[round_name])
    return None if row is None else progress_record(row, {units[unit]: unit}, {rounds[round_name]: round_name})


def progress_rows_for(session: Session, task_ids: set[str],
                      unit_ids: set[int]) -> dict[tuple[str, int, int], ProgressRow]:
    """Existing progress rows of these tasks and units, keyed (task_id, unit_id, round_id), in few queries."""
    rows: dict[tuple[str, int, int], ProgressRow] = {}
    ids = list(task_ids)
    for start in range(0, len(ids), 500):  # stay under the bound-parameter limit
        chunk = ids[start:start + 500]
        query = select(ProgressRow).where(ProgressRow.task_id.in_(chunk), ProgressRow.unit_id.in_(list(unit_ids)))
        for row in session.execute(query).scalars():
            rows[(row.task_id, row.unit_id, row.round_id)] = row
    return rows


def change_params(batch_id: str, *, entity: str, key: list | str, field: str = "", old: object = None,
                  new: object = None, at: datetime) -> dict:
    """One change-log row as insert parameters (old and new as JSON)."""
    return {"batch_id": batch_id, "at": at, "entity": entity, "entity_key": json.dumps(key, ensure_ascii=False),
            "field": field, "old": None if old is None else json.dumps(old, ensure_ascii=False),
            "new": None if new is None else json.dumps(new, ensure_ascii=False)}


def log_change(session: Session, batch_id: str, *, entity: str, key: list | str, field: str = "",
               old: object = None, new: object = None, at: datetime) -> None:
    session.add(ChangeRow(**change_params(batch_id, entity=entity, key=key, field=field, old=old, new=new, at=at)))


def batch_changes(session: Session, batch_id: str) -> list[ChangeRow]:
    return list(
        session.execute(select(ChangeRow).where(ChangeRow.batch_id == batch_id).order_by(ChangeRow.id)).scalars()
    )


def batches(session: Session) -> list[BatchRow]:
    return list(session.execute(select(BatchRow).order_by(BatchRow.created_at, BatchRow.id)).scalars())


# ----- the window's reads: plain selects, no ORM objects ------------------------------------------
# The window opens a county's ledger (10,000 tasks, 60,000 progress entries) and then re-reads only
# what an operation changed. ORM objects cost most of read_document's time there; these read the
# same records with Core selects (tests/ui/test_snapshot.py checks they equal read_document's).
_IN_CHUNK = 500  # ids per IN (…): under SQLite's bound-parameter limit


def _run(session: Session, query):
    """Core execution on the session's connection: rows as tuples, without the ORM's loading layer."""
    return session.connection().execute(query)


def _chunks(ids: list) -> list[list]:
    return [ids[start:start + _IN_CHUNK] for start in range(0, len(ids), _IN_CHUNK)] if ids else []


def _unit_names(session: Session) -> dict[int, str]:
    return dict(_run(session, select(UnitRow.id, UnitRow.name)).all())


def read_units(session: Session) -> list[Unit]:
    """The unit directory in its order, aliases in the order recorded."""
    aliases: dict[int, list[str]] = {}
    for unit_id, alias in _run(session, select(UnitAliasRow.unit_id, UnitAliasRow.alias)
                               .order_by(UnitAliasRow.id)).all():
        aliases.setdefault(unit_id, []).append(alias)
    rows = _run(session, select(UnitRow.id, UnitRow.name, UnitRow.kind, UnitRow.liaison, UnitRow.phone)
                           .order_by(UnitRow.position, UnitRow.id)).all()
    return [Unit(name, kind, aliases.get(uid, []), liaison, phone) for uid, name, kind, liaison, phone in rows]


def read_rounds(session: Session) -> list[Round]:
    return [Round(name, due) for name, due in
            _run(session, select(RoundRow.name, RoundRow.due).order_by(RoundRow.position, RoundRow.id)).all()]


def read_tasks(session: Session, task_ids: list[str] | None = None) -> list[Task]:
    """Tasks in document order (all, or those of `task_ids` that still exist), units by role."""
    if task_ids is None:  # the window's open: plain SQL (app/store/snapshot_read.py)
        return snapshot_read.all_tasks(session)
    names = _unit_names(session)
    columns = (TaskRow.id, TaskRow.seq, TaskRow.heading_id, TaskRow.key_work, TaskRow.content, TaskRow.metric,
               TaskRow.deadline_text, TaskRow.deadline_date, TaskRow.deadline_kind, TaskRow.notes, TaskRow.position)
    rows: list = []
    assigned: list = []
    assign_columns = (AssignmentRow.task_id, AssignmentRow.unit_id, AssignmentRow.role)
    for chunk in _chunks(list(dict.fromkeys(task_ids))):
        rows += _run(session, select(*columns).where(TaskRow.id.in_(chunk))).all()
        assigned += _run(session, select(*assign_columns).where(AssignmentRow.task_id.in_(chunk))
                         .order_by(AssignmentRow.position, AssignmentRow.id)).all()
    rows.sort(key=lambda r: r[-1])
    tasks: dict[str, Task] = {}
    for tid, seq, heading_id, key_work, content, metric, d_text, d_date, d_kind, notes, _pos in rows:
        tasks[tid] = Task(id=tid, seq=seq, heading_id=heading_id, key_work=key_work, content=content, metric=metric,
                          deadline=Deadline(d_text, d_date, d_kind), notes=notes)
    for tid, unit_id, role in assigned:
        task = tasks.get(tid)
        if task is not None:
            (task.lead_units if role == ROLE_LEAD else task.coop_units).append(names[unit_id])
    return list(tasks.values())


def read_progress(session: Session, task_ids: list[str] | None = None) -> list[Progress]:
    """Progress entries (all, or of `task_ids`) in read_document's order: task, round, entry."""
    names = _unit_names(session)
    round_names = dict(_run(session, select(RoundRow.id, RoundRow.name)).all())
    columns = (ProgressRow.task_id, ProgressRow.unit_id, ProgressRow.round_id, ProgressRow.status, ProgressRow.text,
               ProgressRow.done_date, ProgressRow.evidence, ProgressRow.updated_at, ProgressRow.source,
               ProgressRow.reporter)
    order = (TaskRow.position, RoundRow.position, ProgressRow.id)
    base = (select(*columns).join(TaskRow, TaskRow.id == ProgressRow.task_id)
            .join(RoundRow, RoundRow.id == ProgressRow.round_id))
    if task_ids is None:
        rows = _run(session, base.order_by(*order)).all()
    else:
        rows = []
        for chunk in _chunks(list(dict.fromkeys(task_ids))):
            rows += _run(session, base.where(ProgressRow.task_id.in_(chunk)).order_by(*order)).all()
    return [Progress(task_id=tid, unit=names[uid], round=round_names[rid], status=status, text=text,
                     done_date=done, evidence=evidence, updated_at=updated, source=source, reporter=reporter)
            for tid, uid, rid, status, text, done, evidence, updated, source, reporter in rows]


def read_progress_marks(session: Session, task_ids: list[str] | None = None) -> list[tuple]:
    """(task_id, unit, round, status, text_mark) per progress entry, in no particular order: text_mark is
    "…" when the entry has text, else "". Enough for task states and filters (a unit has one entry per task
    and round, so no tie needs updated_at) without reading 60,000 texts; the window reads an entry's
    text when it shows it (read_progress). Plain SQL on the DB-API cursor (app/store/snapshot_read.py)."""
    return snapshot_read.progress_marks(session, task_ids, chunk=_IN_CHUNK)


def read_snapshot(session: Session, *, progress: bool = True) -> LedgerDocument:
    """The whole ledger as read_document has it, read with plain selects (without `progress`: no entries)."""
    meta = _run(session, select(LedgerInfo.title, LedgerInfo.year, LedgerInfo.office, LedgerInfo.id)).one()
    doc = LedgerDocument(title=meta[0], year=meta[1], office=meta[2], ledger_id=meta[3])
    doc.headings = [
        Heading(hid, number, title, parent_id, level)
        for hid, number, title, parent_id, level in _run(session,
            select(HeadingRow.id, HeadingRow.number, HeadingRow.title, HeadingRow.parent_id, HeadingRow.level)
            .order_by(HeadingRow.position)).all()
    ]
    validate.check_headings(session, doc.headings)
    doc.units = read_units(session)
    doc.rounds = read_rounds(session)
    doc.tasks = read_tasks(session)
    if progress:
        doc.progress = read_progress(session)
    return doc


def batches_changed(session: Session, batch_ids: list[str]) -> tuple[set[str], set[tuple[str, str, str]], bool]:
    """What these batches changed per the change log: task ids, progress keys, and whether units changed."""
    tasks: set[str] = set()
    progress: set[tuple[str, str, str]] = set()
    units = False
    for chunk in _chunks(list(batch_ids)):
        query = select(ChangeRow.entity, ChangeRow.entity_key).where(ChangeRow.batch_id.in_(chunk))
        for entity, raw in _run(session, query).all():
            if entity == "task":
                tasks.add(json.loads(raw))
            elif entity == "progress":
                task_id, unit, round_name = json.loads(raw)
                progress.add((task_id, unit, round_name))
            elif entity == "unit":
                units = True
            elif entity == "unit_deadline":  # an approved 延期: the task's 完成时限 and state change
                tasks.add(json.loads(raw)[0])
    return tasks, progress, units


def open_counts(session: Session) -> dict[str, int]:
    """Open conflicts and open review items, counted in SQL."""
    conflicts = _run(session, select(func.count(ConflictRow.id)).where(ConflictRow.resolved_at.is_(None))).scalar()
    reviews = _run(session, select(func.count(ReviewRow.id)).where(ReviewRow.state == "open")).scalar()
    return {"conflicts": int(conflicts or 0), "reviews": int(reviews or 0)}
