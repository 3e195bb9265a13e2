"""The unit directory and the reporting rounds: add, rename, merge, split and remove aliases; rounds
added, renamed and given a due date. Inside a Session the facade opened; every change is logged.

Units are rows with ids (tasks and progress refer to the id), but dispatches, review items,
conflicts and batches name a unit or round as text. A rename or a merge therefore rewrites those
names too, logging which rows it rewrote so that undo puts exactly those back; the old name
stays an alias, so a file that still says it (a returned sheet, an old change-log row) resolves.

Merging two units: the source's assignments and progress entries go to the target, its name and
aliases become the target's aliases, and the source row goes (undo makes it again, same id when
free). Where both units are assigned to one task, the target keeps one assignment: lead if either
was lead. Where both have a progress entry for the same task and round the merge is refused,
naming the tasks (a person must decide which report stands), and nothing changes.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.changes import Changes
from app.core.records import ROLE_LEAD, UNIT_KINDS
from app.errors import LedgerError
from app.store import queries
from app.store.orm import (
    AssignmentRow,
    BatchRow,
    ChangeRow,
    ConflictRow,
    DispatchRecordRow,
    ProgressRow,
    ReviewRow,
    RoundRow,
    TaskRow,
    UnitAliasRow,
    UnitDeadlineRow,
    UnitRow,
)


# ----- names that still resolve -------------------------------------------------------------------
def unit_resolver(session: Session) -> dict[str, int]:
    """Unit name or alias → unit id (an old name kept as an alias after a rename or merge resolves)."""
    names = dict(session.execute(select(UnitAliasRow.alias, UnitAliasRow.unit_id)).all())
    names.update(queries.unit_ids(session))
    return names


def unit_names_of(session: Session, unit_id: int) -> set[str]:
    """Every name a unit answers to: its name and its aliases."""
    row = session.get(UnitRow, unit_id)
    aliases = session.execute(select(UnitAliasRow.alias).where(UnitAliasRow.unit_id == unit_id)).scalars()
    return {row.name, *aliases} if row is not None else set()


def round_renames(session: Session) -> list[tuple[str, str]]:
    """(old, new) of every round rename in force (not undone), oldest first."""
    query = (select(ChangeRow.old, ChangeRow.new).join(BatchRow, BatchRow.id == ChangeRow.batch_id)
             .where(ChangeRow.entity == "round", ChangeRow.field == "name", BatchRow.undone_at.is_(None),
                    BatchRow.kind != "undo").order_by(ChangeRow.id))
    return [(json.loads(old), json.loads(new)) for old, new in session.execute(query).all() if old and new]


def round_resolver(session: Session) -> dict[str, int]:
    """Round name → id, former names (before a rename) included; current names win."""
    current = queries.round_ids(session)
    names: dict[str, int] = {}
    renames = round_renames(session)
    for old, new in reversed(renames):  # follow each old name to where its chain ends today
        target = new
        seen = {old}
        while target not in current and target not in seen:
            seen.add(target)
            target = next((n for o, n in renames if o == target), target)
        if target in current:
            names.setdefault(old, current[target])
        elif target in names:
            names.setdefault(old, names[target])
    names.update(current)
    return names


# ----- text references (dispatches, review items, conflicts, batches name units and rounds) -------------
# a unit's own deadlines (approved 延期) follow a rename or merge like its dispatches and review items
_REF_COLUMNS = {"unit": (DispatchRecordRow, ReviewRow, ConflictRow, BatchRow, UnitDeadlineRow),
                "round": (DispatchRecordRow, ReviewRow, ConflictRow, BatchRow)}
_CHUNK = 500


def rewrite_refs(session: Session, what: str, old: str, new: str, only: dict | None = None) -> dict[str, list]:
    """Rows naming unit/round `old` now name `new` (all of them, or the ids in `only`); their ids by table."""
    session.flush()
    done: dict[str, list] = {}
    for table in _REF_COLUMNS[what]:
        column = getattr(table, what)
        query = select(table.id).where(column == old)
        found = list(session.execute(query).scalars())
        if only is not None:
            allowed = set(only.get(table.__tablename__, []))
            found = [i for i in found if i in allowed]
        for start in range(0, len(found), _CHUNK):
            session.execute(update(table).where(table.id.in_(found[start:start + _CHUNK])).values({what: new})
                            .execution_options(synchronize_session="fetch"))
        if found:
            done[table.__tablename__] = found
    for row in session.execute(select(ConflictRow).where(ConflictRow.id.in_(done.get("conflict", [])))).scalars():
        for attr in ("base", "ours", "theirs"):  # the entries kept whole name the unit and round too
            raw = getattr(row, attr)
            if raw:
                data = json.loads(raw)
                if data.get(what) == old:
                    data[what] = new
                    setattr(row, attr, json.dumps(data, ensure_ascii=False))
    session.flush()
    return done


def _log_refs(session: Session, what: str, old: str, new: str, batch: BatchRow, at: datetime) -> None:
    done = rewrite_refs(session, what, old, new)
    if done:
        queries.log_change(session, batch.id, entity=f"{what}_refs", key=[old, new], new=done, at=at)


# ----- units ----------------------------------------------------------------------------------------
def _unit(session: Session, name: str) -> UnitRow:
    """The unit called `name`, or whose alias it is."""
    row = session.execute(select(UnitRow).where(UnitRow.name == name)).scalar_one_or_none()
    if row is None:
        alias = session.execute(select(UnitAliasRow).where(UnitAliasRow.alias == name)).scalar_one_or_none()
        row = session.get(UnitRow, alias.unit_id) if alias is not None else None
    if row is None:
        raise LedgerError(f"单位“{name}”不在本台账的单位名录中（unknown unit）")
    return row


def _alias_row(session: Session, alias: str) -> UnitAliasRow | None:
    return session.execute(select(UnitAliasRow).where(UnitAliasRow.alias == alias)).scalar_one_or_none()


def _name_free(session: Session, name: str, *, allow_alias_of: int | None = None) -> None:
    name = name.strip()
    if not name:
        raise LedgerError("单位名称不能为空（empty name）")
    if session.execute(select(UnitRow.id).where(UnitRow.name == name)).first():
        raise LedgerError(f"单位“{name}”已在单位名录中（name taken）")
    alias = _alias_row(session, name)
    if alias is not None and alias.unit_id != allow_alias_of:
        owner = session.get(UnitRow, alias.unit_id)
        raise LedgerError(f"“{name}”已是单位“{owner.name}”的别名（alias taken）")


def unit_snapshot(row: UnitRow) -> dict:
    return {"id": row.id, "name": row.name, "kind": row.kind, "liaison": row.liaison, "phone": row.phone,
            "position": row.position}


def _set_alias(session: Session, alias: str, owner: UnitRow | None, batch: BatchRow, at: datetime) -> None:
    """`alias` now means `owner` (None: nothing), logged."""
    row = _alias_row(session, alias)
    before = {"unit": session.get(UnitRow, row.unit_id).name, "id": row.id} if row is not None else None
    if owner is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(UnitAliasRow(unit_id=owner.id, alias=alias))
    else:
        row.unit_id = owner.id
    session.flush()
    session.expire_all()
    queries.log_change(session, batch.id, entity="alias", key=alias, old=before,
                       new={"unit": owner.name} if owner is not None else None, at=at)


def add_unit(session: Session, name: str, kind: str, liaison: str, phone: str, batch: BatchRow,
             at: datetime) -> Changes:
    name = (name or "").strip()
    _name_free(session, name)
    if kind not in UNIT_KINDS:
        raise LedgerError(f"单位类型“{kind}”无效，应为 {'/'.join(UNIT_KINDS)}（unknown kind）")
    position = (session.execute(select(func.max(UnitRow.position))).scalar() or 0) + 1
    row = UnitRow(name=name, kind=kind, liaison=liaison or "", phone=phone or "", position=position)
    session.add(row)
    session.flush()
    queries.log_change(session, batch.id, entity="unit", key=name, field="row", new=unit_snapshot(row), at=at)
    return Changes(batch_id=batch.id, units=True)


def add_alias(session: Session, unit: str, alias: str, batch: BatchRow, at: datetime) -> Changes:
    row = _unit(session, unit)
    alias = (alias or "").strip()
    if not alias:
        raise LedgerError("别名不能为空（empty alias）")
    if _alias_row(session, alias) is not None or session.execute(select(UnitRow.id).where(UnitRow.name == alias)).first():
        raise LedgerError(f"“{alias}”已是单位名称或别名，不能再作为“{row.name}”的别名（alias taken）")
    _set_alias(session, alias, row, batch, at)
    return Changes(batch_id=batch.id, units=True)


def remove_alias(session: Session, alias: str, batch: BatchRow, at: datetime) -> Changes:
    if _alias_row(session, alias) is None:
        raise LedgerError(f"“{alias}”不是任何单位的别名（unknown alias）")
    _set_alias(session, alias, None, batch, at)
    return Changes(batch_id=batch.id, units=True)


def split_alias(session: Session, alias: str, kind: str | None, batch: BatchRow, at: datetime) -> Changes:
    from app.core.units import unit_kind

    owner_row = _alias_row(session, alias)
    if owner_row is None:
        raise LedgerError(f"“{alias}”不是任何单位的别名（unknown alias）")
    _set_alias(session, alias, None, batch, at)
    add_unit(session, alias, kind or unit_kind(alias), "", "", batch, at)
    return Changes(batch_id=batch.id, units=True)


def rename_unit(session: Session, old: str, new: str, batch: BatchRow, at: datetime) -> Changes:
    row = _unit(session, old)
    old = row.name
    new = (new or "").strip()
    if new == old:
        raise LedgerError(f"新名称与原名称相同（“{old}”）")
    _name_free(session, new, allow_alias_of=row.id)
    if _alias_row(session, new) is not None:  # one of its own aliases becomes its name
        _set_alias(session, new, None, batch, at)
    row = session.get(UnitRow, row.id)
    row.name = new
    session.flush()
    queries.log_change(session, batch.id, entity="unit", key=old, field="name", old=old, new=new, at=at)
    _set_alias(session, old, session.get(UnitRow, row.id), batch, at)
    _log_refs(session, "unit", old, new, batch, at)
    return Changes(batch_id=batch.id, units=True, structure=True)


def _task_label(session: Session, task_id: str) -> str:
    task = session.get(TaskRow, task_id)
    return f"序号{task.seq}“{task.content[:12]}”" if task is not None else task_id


def merge_units(session: Session, source: str, target: str, batch: BatchRow, at: datetime) -> Changes:
    src, dst = _unit(session, source), _unit(session, target)
    if src.id == dst.id:
        raise LedgerError(f"“{source}”与“{target}”是同一个单位（same unit）")
    src_name, dst_name = src.name, dst.name
    theirs = {(p.task_id, p.round_id): p for p in
              session.execute(select(ProgressRow).where(ProgressRow.unit_id == src.id)).scalars()}
    ours = set(session.execute(select(ProgressRow.task_id, ProgressRow.round_id)
                               .where(ProgressRow.unit_id == dst.id)).all())
    clashes = sorted({task for task, rnd in theirs if (task, rnd) in ours})
    if clashes:
        labels = "、".join(_task_label(session, t) for t in clashes[:5]) + ("等" if len(clashes) > 5 else "")
        raise LedgerError(f"“{src_name}”与“{dst_name}”对同一任务同一轮次都有进展，不能合并：{labels}；"
                          f"请先删除或改正其中一方的进展（both have progress）")
    granted = set(session.execute(select(UnitDeadlineRow.task_id).where(UnitDeadlineRow.unit == src_name)).scalars())
    both_granted = sorted(granted & set(session.execute(select(UnitDeadlineRow.task_id)
                                                        .where(UnitDeadlineRow.unit == dst_name)).scalars()))
    if both_granted:
        labels = "、".join(_task_label(session, t) for t in both_granted[:5]) + ("等" if len(both_granted) > 5 else "")
        raise LedgerError(f"“{src_name}”与“{dst_name}”对同一任务都有经批准的延期，不能合并：{labels}（both have an extension）")
    changes = Changes(batch_id=batch.id, units=True, structure=True)
    target_roles: dict[str, dict[str, AssignmentRow]] = {}
    for a in session.execute(select(AssignmentRow).where(AssignmentRow.unit_id == dst.id)).scalars():
        target_roles.setdefault(a.task_id, {})[a.role] = a
    for a in list(session.execute(select(AssignmentRow).where(AssignmentRow.unit_id == src.id)
                                  .order_by(AssignmentRow.task_id, AssignmentRow.position)).scalars()):
        changes.tasks.add(a.task_id)
        held = target_roles.get(a.task_id, {})
        if a.role in held or (held and a.role != ROLE_LEAD):  # the target keeps its own (lead wins)
            _drop_assignment(session, a, src_name, batch, at)
            continue
        for other in list(held.values()):  # the source led, the target cooperated: the target now leads
            _drop_assignment(session, other, dst_name, batch, at)
        a.unit_id = dst.id
        queries.log_change(session, batch.id, entity="assignment", key=[a.task_id, a.role], field="unit",
                           old=src_name, new=dst_name, at=at)
    for (task_id, round_id), p in theirs.items():
        p.unit_id = dst.id
        round_name = session.get(RoundRow, round_id).name
        queries.log_change(session, batch.id, entity="owner", key=[task_id, round_name], old=src_name,
                           new=dst_name, at=at)
        changes.progress.add((task_id, dst_name, round_name))
    session.flush()
    for alias in list(session.execute(select(UnitAliasRow.alias).where(UnitAliasRow.unit_id == src.id)
                                      .order_by(UnitAliasRow.id)).scalars()):
        _set_alias(session, alias, session.get(UnitRow, dst.id), batch, at)
    _log_refs(session, "unit", src_name, dst_name, batch, at)
    src = session.get(UnitRow, src.id)
    queries.log_change(session, batch.id, entity="unit", key=src_name, field="row", old=unit_snapshot(src), at=at)
    session.delete(src)
    session.flush()
    _set_alias(session, src_name, session.get(UnitRow, dst.id), batch, at)
    return changes


def _drop_assignment(session: Session, a: AssignmentRow, unit: str, batch: BatchRow, at: datetime) -> None:
    queries.log_change(session, batch.id, entity="assignment", key=[a.task_id, a.role], field="row",
                       old={"unit": unit, "position": a.position}, at=at)
    session.delete(a)
    session.flush()


# ----- rounds ---------------------------------------------------------------------------------------
def _round(session: Session, name: str) -> RoundRow:
    row = session.execute(select(RoundRow).where(RoundRow.name == name)).scalar_one_or_none()
    if row is None:
        raise LedgerError(f"报送轮次“{name}”不存在（unknown round）")
    return row


def add_round(session: Session, name: str, due: date | None, batch: BatchRow, at: datetime) -> Changes:
    name = (name or "").strip()
    if not name:
        raise LedgerError("报送轮次名称不能为空（empty round name）")
    if name in queries.round_ids(session):
        raise LedgerError(f"报送轮次“{name}”已存在（round exists）")
    position = (session.execute(select(func.max(RoundRow.position))).scalar() or 0) + 1
    row = RoundRow(name=name, due=due, position=position)
    session.add(row)
    session.flush()
    queries.log_change(session, batch.id, entity="round", key=name, field="row",
                       new={"name": name, "due": due.isoformat() if due else None, "position": position}, at=at)
    return Changes(batch_id=batch.id, meta=True)


def rename_round(session: Session, old: str, new: str, batch: BatchRow, at: datetime) -> Changes:
    row = _round(session, old)
    new = (new or "").strip()
    if not new:
        raise LedgerError("报送轮次名称不能为空（empty round name）")
    if new == old:
        raise LedgerError(f"新名称与原名称相同（“{old}”）")
    if new in queries.round_ids(session):
        raise LedgerError(f"报送轮次“{new}”已存在（round exists）")
    row.name = new
    session.flush()
    queries.log_change(session, batch.id, entity="round", key=old, field="name", old=old, new=new, at=at)
    _log_refs(session, "round", old, new, batch, at)
    return Changes(batch_id=batch.id, meta=True, structure=True)


def set_round_due(session: Session, name: str, due: date | None, batch: BatchRow, at: datetime) -> Changes:
    row = _round(session, name)
    if row.due == due:
        return Changes(batch_id=batch.id)
    queries.log_change(session, batch.id, entity="round", key=name, field="due",
                       old=row.due.isoformat() if row.due else None, new=due.isoformat() if due else None, at=at)
    row.due = due
    return Changes(batch_id=batch.id, meta=True)


# ----- undo ---------------------------------------------------------------------------------------
ENTITIES = ("alias", "unit_refs", "round_refs", "assignment", "owner", "round")
UNIT_ROW_FIELDS = ("row", "name")


def _changed_since(what: str) -> LedgerError:
    return LedgerError(f"{what}在此之后又被修改，不能撤销（changed since）")


def undo_change(session: Session, change, undo: BatchRow, at: datetime, changes: Changes) -> None:
    """Undo one logged directory or round change (the entities of this module), logging the reverse."""
    key = json.loads(change.entity_key)
    old = json.loads(change.old) if change.old is not None else None
    new = json.loads(change.new) if change.new is not None else None
    entity, field = change.entity, change.field
    session.flush()
    if entity == "alias":
        row = _alias_row(session, key)
        owner = session.get(UnitRow, row.unit_id).name if row is not None else None
        if owner != (new or {}).get("unit"):
            raise _changed_since(f"别名“{key}”")
        if old is None:
            session.delete(row)
        else:
            target = _unit(session, old["unit"])
            if row is None:
                if session.execute(select(UnitRow.id).where(UnitRow.name == key)).first():
                    raise _changed_since(f"别名“{key}”")
                free = session.get(UnitAliasRow, old["id"]) is None  # same id: aliases keep their order
                session.add(UnitAliasRow(unit_id=target.id, alias=key, **({"id": old["id"]} if free else {})))
            else:
                row.unit_id = target.id
        session.flush()
        changes.units = True
    elif entity in ("unit_refs", "round_refs"):
        source, renamed = key
        rewrite_refs(session, entity.split("_")[0], renamed, source, only=new)
        changes.units = changes.units or entity == "unit_refs"
        changes.meta = changes.meta or entity == "round_refs"
        changes.dispatches = changes.reviews = True
    elif entity == "unit" and field == "name":
        row = session.execute(select(UnitRow).where(UnitRow.name == new)).scalar_one_or_none()
        if row is None:
            raise _changed_since(f"单位“{new}”的名称")
        _name_free(session, old, allow_alias_of=row.id)
        row.name = old
        changes.units = changes.structure = True
    elif entity == "unit" and field == "row":
        if old is None:  # added: remove it, if nothing uses it
            row = session.execute(select(UnitRow).where(UnitRow.name == new["name"])).scalar_one_or_none()
            if row is None:
                raise _changed_since(f"单位“{new['name']}”")
            used = (session.execute(select(AssignmentRow.id).where(AssignmentRow.unit_id == row.id)).first()
                    or session.execute(select(ProgressRow.id).where(ProgressRow.unit_id == row.id)).first()
                    or session.execute(select(UnitAliasRow.id).where(UnitAliasRow.unit_id == row.id)).first())
            if used:
                raise LedgerError(f"单位“{row.name}”已被任务、进展或别名使用，不能撤销添加（in use since）")
            session.delete(row)
        else:  # removed by a merge: make it again, with its id when free
            _name_free(session, old["name"])
            values = {k: old[k] for k in ("name", "kind", "liaison", "phone", "position")}
            if session.get(UnitRow, old["id"]) is None:
                values["id"] = old["id"]
            session.add(UnitRow(**values))
        session.flush()
        changes.units = True
    elif entity == "assignment":
        task_id, role = key
        if field == "row":  # dropped: put it back
            unit = _unit(session, old["unit"])
            session.add(AssignmentRow(task_id=task_id, unit_id=unit.id, role=role, position=old["position"]))
        else:  # moved from `old` to `new`: back
            src, dst = _unit(session, old), _unit(session, new)
            row = session.execute(select(AssignmentRow).where(AssignmentRow.task_id == task_id,
                                                              AssignmentRow.role == role,
                                                              AssignmentRow.unit_id == dst.id)).scalar_one_or_none()
            if row is None:
                raise _changed_since(f"任务 {task_id} 的单位")
            row.unit_id = src.id
        session.flush()
        session.expire_all()
        changes.tasks.add(task_id)
        changes.units = changes.structure = True
    elif entity == "owner":
        task_id, round_name = key
        src, dst = _unit(session, old), _unit(session, new)
        rnd = round_resolver(session).get(round_name)
        row = session.execute(select(ProgressRow).where(ProgressRow.task_id == task_id, ProgressRow.unit_id == dst.id,
                                                        ProgressRow.round_id == rnd)).scalar_one_or_none()
        if row is None:
            raise _changed_since(f"任务 {task_id} 的“{new}/{round_name}”进展")
        row.unit_id = src.id
        session.flush()
        current_round = session.get(RoundRow, rnd).name
        changes.progress |= {(task_id, src.name, current_round), (task_id, dst.name, current_round)}
        changes.units = True
    elif entity == "round":
        _undo_round(session, key, field, old, new)
        changes.meta = True
    else:
        raise LedgerError("此批次包含无法撤销的更改（unknown change）")
    queries.log_change(session, undo.id, entity=entity, key=key, field=field, old=new, new=old, at=at)


def _undo_round(session: Session, key: str, field: str, old: object, new: object) -> None:
    if field == "row":
        row = session.execute(select(RoundRow).where(RoundRow.name == new["name"])).scalar_one_or_none()  # type: ignore[index]
        if row is None:
            raise _changed_since(f"报送轮次“{new['name']}”")  # type: ignore[index]
        used = session.execute(select(ProgressRow.id).where(ProgressRow.round_id == row.id)).first() or \
            session.execute(select(DispatchRecordRow.id).where(DispatchRecordRow.round == row.name)).first()
        if used:
            raise LedgerError(f"报送轮次“{row.name}”已有进展或发送记录，不能撤销添加（in use since）")
        session.delete(row)
    elif field == "name":
        row = session.execute(select(RoundRow).where(RoundRow.name == new)).scalar_one_or_none()
        if row is None:
            raise _changed_since(f"报送轮次“{new}”的名称")
        if old in queries.round_ids(session):
            raise LedgerError(f"报送轮次“{old}”已存在，不能撤销改名（name taken since）")
        row.name = old  # type: ignore[assignment]
    elif field == "due":
        row = _round(session, key) if key in queries.round_ids(session) else \
            session.get(RoundRow, round_resolver(session).get(key, -1))
        if row is None or (row.due.isoformat() if row.due else None) != new:
            raise _changed_since(f"报送轮次“{key}”的截止日期")
        row.due = date.fromisoformat(old) if old else None  # type: ignore[arg-type]
    else:
        raise LedgerError("此批次包含无法撤销的轮次更改（unknown round change）")
    session.flush()
