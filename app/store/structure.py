"""Structure edits: add, delete and move tasks and headings, inside a Session the facade opened.

Ids never change; what changes is where a row sits (`position`), its heading or parent, its level,
and the displayed numbers (task `seq`, heading `number`), which are renumbered live.

Order. Task positions give the document order the exports print (a section row where the heading
changes), heading positions the pre-order of the heading tree; both are only compared, so a gap
is as good as a run. A task added or moved "at the end" of a heading goes after that heading's
last own task; a heading without own tasks gets it before the tasks of its sub-headings (else
the printed table would show it under the last sub-heading). A moved heading takes its
sub-headings and all their tasks with it. Every change of place is logged with the row that
followed it before ("before"), so undo puts it back exactly there.

Numbering rule (decided from the ledger as it was before the edit, so a plan keeps its own style):
- Tasks: if the 序号 run 1, 2, 3 … through the whole ledger (seeds 000, 001, 003), all tasks are
  renumbered that way after the edit ("global"). If instead every heading's own tasks run 1 … k
  (seeds 002, 004: numbers restart in each (一)), each heading whose tasks ran that way, and every
  heading that had none, is renumbered 1 … k ("per heading"). The style of the numbers (a prefix
  or suffix such as "1." or "（1）") is kept. A ledger whose numbers follow neither pattern (typed
  by hand, gaps, letters) keeps every number as it is; only a new task is numbered: one more than
  the task before it in its heading, else 1 (empty if no task of the ledger has a number).
- Headings: per level, if every group of sibling headings at that level is numbered 1 … k in one
  style ("一、", "（一）", "(一)", "1.", "（1）" …), that level is renumbered after the edit (a new
  level takes the usual style of its depth: 一、 / （一） / 1. / （1）). A level numbered otherwise
  keeps its numbers; a new heading there gets one more than the sibling before it.
A moved heading takes the level of its new place (its sub-headings follow).

Speed: a global numbering renumbers the whole ledger, and a section may hold thousands of tasks,
so positions, numbers and the change log are written with executemany, and undo replays a run
of moves or deletions in memory (a linked list of the document order) and writes it once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlalchemy.orm import Session

from app.core.changes import Changes
from app.core.records import ROLE_COOP, ROLE_LEAD, Deadline, new_id
from app.errors import LedgerError
from app.store import directory, queries
from app.store.orm import (
    AssignmentRow,
    BatchRow,
    ChangeRow,
    HeadingRow,
    ProgressRow,
    RoundRow,
    TaskRow,
    UnitRow,
)

# ----- task fields ------------------------------------------------------------------------------
TASK_TEXT_FIELDS = ("seq", "key_work", "content", "metric", "notes")
TASK_FIELDS = (*TASK_TEXT_FIELDS, "deadline", "lead_units", "coop_units")


def task_field_value(task: TaskRow, name: str) -> object:
    """A task field as JSON-able data (deadline as its contract object, units as name lists)."""
    if name == "deadline":
        return Deadline(task.deadline_text, task.deadline_date, task.deadline_kind).to_json()
    if name in ("lead_units", "coop_units"):
        role = ROLE_LEAD if name == "lead_units" else ROLE_COOP
        return [a.unit.name for a in task.assignments if a.role == role]
    return getattr(task, name)


def set_task_field(session: Session, task: TaskRow, name: str, value: object) -> None:
    if name == "deadline":
        data = value if isinstance(value, dict) else value.to_json()  # type: ignore[union-attr]
        task.deadline_text = data.get("text", "")
        task.deadline_date = date.fromisoformat(data["date"]) if data.get("date") else None
        task.deadline_kind = data.get("kind", "none")
    elif name in ("lead_units", "coop_units"):
        role = ROLE_LEAD if name == "lead_units" else ROLE_COOP
        units = queries.unit_ids(session)
        unknown = [u for u in value if u not in units]  # type: ignore[union-attr]
        if unknown:
            raise LedgerError(f"单位“{unknown[0]}”不在本台账的单位名录中（unknown unit）")
        for assignment in [a for a in task.assignments if a.role == role]:
            task.assignments.remove(assignment)
        session.flush()
        base = 0 if role == ROLE_LEAD else 100
        for i, name_ in enumerate(value):  # type: ignore[arg-type]
            task.assignments.append(AssignmentRow(unit_id=units[name_], role=role, position=base + i))
        session.flush()
        session.expire(task, ["assignments"])
    elif name in TASK_TEXT_FIELDS:
        setattr(task, name, value)
    else:
        raise LedgerError(f"不能修改字段 {name}（unknown task field）")



# ----- numbers ----------------------------------------------------------------------------------
_CN = "零一二三四五六七八九"
_ARABIC_RE = re.compile(r"^(\D*?)(\d{1,6})(\D*)$")
_CN_RE = re.compile(r"^([^一二三四五六七八九十百]*?)([一二三四五六七八九十百]{1,4})([^一二三四五六七八九十百]*)$")


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (how plans number their sections)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + _CN[rest] if rest < 10 else cn_numeral(rest) if rest >= 20
                                 else "一" + cn_numeral(rest))
    return _CN[n // 100] + "百" + tail if n < 1000 else str(n)


def parse_cn(text: str) -> int | None:
    if not text or any(c not in _CN + "十百" for c in text):
        return None
    for n in range(1, 1000):  # plans have at most a few dozen sections: a lookup is exact and simple
        if cn_numeral(n) == text:
            return n
    return None


@dataclass(frozen=True)
class Style:
    """How a number is written: Chinese or Arabic digits, with what before and after."""

    kind: str = "arabic"  # "arabic" or "cn"
    prefix: str = ""
    suffix: str = ""

    def format(self, n: int) -> str:
        return f"{self.prefix}{cn_numeral(n) if self.kind == 'cn' else n}{self.suffix}"


LEVEL_STYLES = {1: Style("cn", "", "、"), 2: Style("cn", "（", "）"), 3: Style("arabic", "", "."),
                4: Style("arabic", "（", "）")}
TASK_STYLE = Style()


def parse_number(text: str) -> tuple[Style, int] | None:
    """"（三）" → (Style("cn", "（", "）"), 3); "12" → (Style(), 12); None when it is no number."""
    text = (text or "").strip()
    match = _ARABIC_RE.match(text)
    if match:
        return Style("arabic", match.group(1), match.group(3)), int(match.group(2))
    match = _CN_RE.match(text)
    if match:
        n = parse_cn(match.group(2))
        if n is not None:
            return Style("cn", match.group(1), match.group(3)), n
    return None


def _run_style(numbers: list[str]) -> Style | None:
    """The one style in which `numbers` read 1, 2, 3 …; None if they do not."""
    style = None
    for i, text in enumerate(numbers, start=1):
        parsed = parse_number(text)
        if parsed is None or parsed[1] != i or (style is not None and parsed[0] != style):
            return None
        style = parsed[0]
    return style


def _common_style(numbers: Iterable[str], default: Style) -> Style:
    counts: dict[Style, int] = {}
    for text in numbers:
        parsed = parse_number(text)
        if parsed is not None:
            counts[parsed[0]] = counts.get(parsed[0], 0) + 1
    return max(counts, key=counts.get) if counts else default  # type: ignore[arg-type]


def _next_after(previous: str | None, style: Style, first: str) -> str:
    parsed = parse_number(previous or "") if previous is not None else None
    if parsed is not None:
        return parsed[0].format(parsed[1] + 1)
    return first if previous is None else style.format(1)


def _groups(items: Iterable[tuple[str, str | None]]) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for item_id, group in items:
        out.setdefault(group, []).append(item_id)
    return out


def task_numbers(before: list[tuple[str, str | None, str]], after: list[tuple[str, str | None]],
                 fresh: set[str]) -> dict[str, str]:
    """New 序号 for the tasks `after` (id, heading) in document order, by the rule of the module
    docstring; `before` is (id, heading, seq) before the edit, `fresh` the new tasks. Only the
    numbers that change are returned."""
    seqs = {tid: seq for tid, _h, seq in before}
    old = [(tid, heading) for tid, heading, _s in before]
    style = _run_style([seqs[tid] for tid, _h in old])
    groups_before = _groups(old)
    wanted: dict[str, str] = {}
    if style is not None or not before:
        style = style or TASK_STYLE
        wanted = {tid: style.format(i) for i, (tid, _h) in enumerate(after, start=1)}
    else:
        group_styles = {h: _run_style([seqs[t] for t in ids]) for h, ids in groups_before.items()}
        per_heading = len(groups_before) > 1 and all(s is not None for s in group_styles.values())
        style = _common_style(seqs.values(), TASK_STYLE)
        numbered = any(parse_number(s) for s in seqs.values())
        for heading, ids in _groups(after).items():
            regular = heading not in groups_before or group_styles.get(heading) is not None
            if per_heading and regular:
                run = group_styles.get(heading) or style
                wanted.update({tid: run.format(i) for i, tid in enumerate(ids, start=1)})
                continue
            previous: str | None = None
            for tid in ids:
                if tid in fresh:
                    wanted[tid] = _next_after(previous, style, style.format(1) if numbered else "")
                previous = wanted.get(tid, seqs.get(tid, ""))
    return {tid: seq for tid, seq in wanted.items() if seqs.get(tid) != seq}


def heading_numbers(before: list[tuple[str, str | None, int, str]], after: list[tuple[str, str | None, int]],
                    fresh: set[str]) -> dict[str, str]:
    """New numbers of the headings `after` (id, parent, level) in pre-order, by level (module docstring);
    `before` is (id, parent, level, number) before the edit."""
    numbers = {hid: number for hid, _p, _l, number in before}
    by_level: dict[int, dict[str | None, list[str]]] = {}
    for hid, parent, level, _n in before:
        by_level.setdefault(level, {}).setdefault(parent, []).append(hid)
    level_style: dict[int, Style | None] = {}
    for level, groups in by_level.items():
        styles = {_run_style([numbers[h] for h in ids]) for ids in groups.values()}
        level_style[level] = styles.pop() if len(styles) == 1 else None
    wanted: dict[str, str] = {}
    after_groups: dict[tuple[int, str | None], list[str]] = {}
    for hid, parent, level in after:
        after_groups.setdefault((level, parent), []).append(hid)
    for (level, _parent), ids in after_groups.items():
        default = LEVEL_STYLES.get(level, Style("arabic", "", "."))
        if level not in by_level or level_style[level] is not None:
            style = level_style.get(level) or default
            wanted.update({hid: style.format(i) for i, hid in enumerate(ids, start=1)})
            continue
        style = _common_style((numbers[h] for g in by_level[level].values() for h in g), default)
        previous: str | None = None
        for hid in ids:
            if hid in fresh:
                wanted[hid] = _next_after(previous, style, style.format(1))
            previous = wanted.get(hid, numbers.get(hid, ""))
    return {hid: number for hid, number in wanted.items() if numbers.get(hid) != number}


# ----- reading the tree -------------------------------------------------------------------------
@dataclass
class Tree:
    """Headings in pre-order with their parents and levels (a ledger has hundreds at most)."""

    order: list[str]
    parent: dict[str, str | None]
    level: dict[str, int]
    number: dict[str, str]

    @classmethod
    def read(cls, session: Session) -> Tree:
        rows = session.execute(select(HeadingRow.id, HeadingRow.parent_id, HeadingRow.level, HeadingRow.number)
                               .order_by(HeadingRow.position, HeadingRow.id)).all()
        ids = {r[0] for r in rows}
        children: dict[str | None, list[str]] = {}
        for hid, parent, _level, _number in rows:
            children.setdefault(parent if parent in ids else None, []).append(hid)
        order: list[str] = []
        stack = list(reversed(children.get(None, [])))
        seen: set[str] = set()
        while stack:
            hid = stack.pop()
            if hid in seen:
                continue
            seen.add(hid)
            order.append(hid)
            stack.extend(reversed(children.get(hid, [])))
        order += [r[0] for r in rows if r[0] not in seen]  # a cycle (refused on read) would hide rows
        return cls(order, {r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows}, {r[0]: r[3] for r in rows})

    def subtree(self, heading_id: str) -> list[str]:
        """The heading and its descendants, in pre-order."""
        start = self.order.index(heading_id)
        out = [heading_id]
        inside = {heading_id}
        for hid in self.order[start + 1:]:
            if self.parent.get(hid) not in inside:
                break
            out.append(hid)
            inside.add(hid)
        return out

    def children(self, parent_id: str | None) -> list[str]:
        return [h for h in self.order if self.parent.get(h) == parent_id]

    def numbering_rows(self) -> list[tuple[str, str | None, int, str]]:
        return [(h, self.parent[h], self.level[h], self.number[h]) for h in self.order]


def _task_rows(session: Session) -> list[tuple[str, str | None, str]]:
    return [tuple(r) for r in session.execute(select(TaskRow.id, TaskRow.heading_id, TaskRow.seq)
                                               .order_by(TaskRow.position, TaskRow.id)).all()]


def _heading_exists(session: Session, heading_id: str | None) -> None:
    if heading_id is not None and session.get(HeadingRow, heading_id) is None:
        raise LedgerError(f"章节不存在（unknown heading id {heading_id}）")


def _tasks(session: Session, task_ids: list[str]) -> list:
    """(id, heading_id, position) of these tasks in document order; an unknown id is refused."""
    ids = list(dict.fromkeys(task_ids))
    found: dict[str, tuple] = {}
    for start in range(0, len(ids), 500):
        for row in session.execute(select(TaskRow.id, TaskRow.heading_id, TaskRow.position)
                                   .where(TaskRow.id.in_(ids[start:start + 500]))).all():
            found[row[0]] = row
    missing = [tid for tid in ids if tid not in found]
    if missing:
        raise LedgerError(f"任务不存在（unknown task id {missing[0]}）")
    return sorted(found.values(), key=lambda r: (r[2], r[0]))


# ----- places -----------------------------------------------------------------------------------
def _first(session: Session, query) -> str | None:
    return session.execute(query.limit(1)).scalar()


def task_after(session: Session, task_id: str, skip: Iterable[str] = ()) -> str | None:
    """The task that follows `task_id` in document order (leaving out `skip`)."""
    position = session.get(TaskRow, task_id).position
    return _first(session, select(TaskRow.id).where(TaskRow.position > position, TaskRow.id.notin_(list(skip)))
                  .order_by(TaskRow.position, TaskRow.id))


def end_of_heading(session: Session, heading_id: str | None, skip: Iterable[str], tree: Tree) -> str | None:
    """The task before which a task goes to be the last own task of `heading_id` (None: at the very end)."""
    skip = list(skip)
    own = TaskRow.heading_id.is_(None) if heading_id is None else TaskRow.heading_id == heading_id
    last = _first(session, select(TaskRow.id).where(own, TaskRow.id.notin_(skip))
                  .order_by(TaskRow.position.desc(), TaskRow.id.desc()))
    if last is not None:
        return task_after(session, last, skip)
    query = select(TaskRow.id).where(TaskRow.id.notin_(skip))
    if heading_id is not None:
        later = tree.order[tree.order.index(heading_id):]
        query = query.where(TaskRow.heading_id.in_(later))
    return _first(session, query.order_by(TaskRow.position, TaskRow.id))


def _shift_for(session: Session, table, ids: list[str], anchor_position: int | None) -> int:
    """Room for len(ids) rows right before `anchor_position` (None: after the last row); the first position.
    A gap left by deleted rows is used from its end, so undoing a delete puts rows back where they were."""
    k = len(ids)
    column = table.position
    if anchor_position is None:
        top = session.execute(select(column).where(table.id.notin_(ids)).order_by(column.desc()).limit(1)).scalar()
        return (top if top is not None else -1) + 1
    prev = session.execute(select(column).where(column < anchor_position, table.id.notin_(ids))
                           .order_by(column.desc()).limit(1)).scalar()
    if prev is None or anchor_position - prev - 1 >= k:
        return anchor_position - k
    session.execute(update(table).where(column >= anchor_position, table.id.notin_(ids))
                    .values(position=column + k).execution_options(synchronize_session=False))
    session.expire_all()  # positions of rows the session may hold changed
    return anchor_position


def place_rows(session: Session, table, ids: list[str], anchor: str | None) -> None:
    """Put rows `ids` (tasks or headings, in this order) right before row `anchor` (None: at the end).
    Plain UPDATEs (a section may hold thousands of tasks), then the session forgets what it had loaded."""
    if not ids:
        return
    session.flush()
    anchor_position = None if anchor is None else session.execute(
        select(table.position).where(table.id == anchor)).scalar()
    start = _shift_for(session, table, ids, anchor_position)
    core = table.__table__
    session.connection().execute(update(core).where(core.c.id == bindparam("row_id"))
                                 .values(position=bindparam("row_position")),
                                 [{"row_id": row_id, "row_position": start + i} for i, row_id in enumerate(ids)])
    for row_id in ids:  # only these rows changed here: forget just them (an undo places thousands one by one)
        loaded = session.identity_map.get(session.identity_key(table, row_id))
        if loaded is not None:
            session.expire(loaded, ["position"])


def next_tasks(session: Session, skip: Iterable[str] = ()) -> dict[str, str | None]:
    """Task id → the task after it in document order (leaving out `skip`), read once for many tasks."""
    skip = set(skip)
    order = [tid for tid in session.execute(select(TaskRow.id).order_by(TaskRow.position, TaskRow.id)).scalars()]
    out: dict[str, str | None] = {}
    following: str | None = None
    for tid in reversed(order):
        out[tid] = following
        if tid not in skip:
            following = tid
    return out


def normalize_headings(session: Session, batch: BatchRow, at: datetime) -> Tree:
    """Heading positions in pre-order (an older ledger may list sub-headings after all sections), so that
    "before the next heading" means the same for position and tree; logged, so undo restores the old order."""
    session.flush()
    tree = Tree.read(session)
    rows = dict(session.execute(select(HeadingRow.id, HeadingRow.position)).all())
    wanted = {hid: i for i, hid in enumerate(tree.order)}
    if _order_of(rows) == tree.order:
        return tree
    session.execute(update(HeadingRow).where(HeadingRow.id.in_(list(wanted)))
                    .values(position=case(wanted, value=HeadingRow.id)).execution_options(synchronize_session="fetch"))
    queries.log_change(session, batch.id, entity="heading", key="", field="order", old=rows, new=wanted, at=at)
    session.flush()
    return Tree.read(session)


def _order_of(positions: dict[str, int]) -> list[str]:
    return sorted(positions, key=lambda h: (positions[h], h))


def heading_after_subtree(tree: Tree, heading_id: str, skip: set[str]) -> str | None:
    """The heading that follows `heading_id`'s subtree in pre-order (leaving out `skip`)."""
    sub = set(tree.subtree(heading_id))
    start = tree.order.index(heading_id)
    for hid in tree.order[start:]:
        if hid not in sub and hid not in skip:
            return hid
    return None


def end_of_parent(tree: Tree, parent_id: str | None, skip: set[str]) -> str | None:
    """The heading before which a heading goes to be `parent_id`'s last child (None: at the end)."""
    if parent_id is None:
        return None
    return heading_after_subtree(tree, parent_id, skip)


# ----- snapshots (what the change log keeps of a whole row) -------------------------------------------
TASK_ROW_FIELDS = ("seq", "key_work", "content", "metric", "notes")


def _names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    return (dict(session.execute(select(UnitRow.id, UnitRow.name)).all()),
            dict(session.execute(select(RoundRow.id, RoundRow.name)).all()))


def task_snapshot(session: Session, task: TaskRow, *, progress: bool = True,
                  names: tuple[dict[int, str], dict[int, str]] | None = None) -> dict:
    """A task whole as JSON-able data: fields, assignments (unit, role, position) and progress entries."""
    session.flush()
    names, rounds = names or _names(session)
    assignments = session.execute(select(AssignmentRow.unit_id, AssignmentRow.role, AssignmentRow.position)
                                  .where(AssignmentRow.task_id == task.id)
                                  .order_by(AssignmentRow.position, AssignmentRow.id)).all()
    data = {"id": task.id, "heading_id": task.heading_id, **{f: getattr(task, f) for f in TASK_ROW_FIELDS},
            "deadline": Deadline(task.deadline_text, task.deadline_date, task.deadline_kind).to_json(),
            "assignments": [{"unit": names[u], "role": r, "position": p} for u, r, p in assignments]}
    if progress:
        rows = session.execute(select(ProgressRow).join(RoundRow, RoundRow.id == ProgressRow.round_id)
                               .where(ProgressRow.task_id == task.id)
                               .order_by(RoundRow.position, ProgressRow.id)).scalars().all()
        data["progress"] = [{"unit": names[p.unit_id], "round": rounds[p.round_id], **queries.record_value(p)}
                            for p in rows]
    return data


def task_snapshots(session: Session, ids: list[str]) -> dict[str, dict]:
    """task_snapshot of many tasks in a few queries (deleting a section of thousands)."""
    session.flush()
    names, rounds = _names(session)
    round_order = dict(session.execute(select(RoundRow.id, RoundRow.position)).all())
    out: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for task in session.execute(select(TaskRow).where(TaskRow.id.in_(chunk))).scalars():
            out[task.id] = {"id": task.id, "heading_id": task.heading_id,
                            **{f: getattr(task, f) for f in TASK_ROW_FIELDS},
                            "deadline": Deadline(task.deadline_text, task.deadline_date, task.deadline_kind).to_json(),
                            "assignments": [], "progress": []}
        for tid, unit_id, role, position in session.execute(
                select(AssignmentRow.task_id, AssignmentRow.unit_id, AssignmentRow.role, AssignmentRow.position)
                .where(AssignmentRow.task_id.in_(chunk)).order_by(AssignmentRow.position, AssignmentRow.id)).all():
            out[tid]["assignments"].append({"unit": names[unit_id], "role": role, "position": position})
        entries = session.execute(select(ProgressRow).where(ProgressRow.task_id.in_(chunk))).scalars().all()
        for p in sorted(entries, key=lambda p: (round_order.get(p.round_id, 0), p.id)):
            out[p.task_id]["progress"].append({"unit": names[p.unit_id], "round": rounds[p.round_id],
                                               **queries.record_value(p)})
    return out


def _comparable(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if k not in ("before", "progress")}


def restore_task(session: Session, data: dict, cache: dict | None = None) -> TaskRow:
    """Make a task again from its snapshot, with the same id, assignments and progress entries
    (`cache`: the name resolvers, kept across the rows of one undo)."""
    if session.get(TaskRow, data["id"]) is not None:
        raise LedgerError(f"任务 {data['id']} 已存在，不能恢复（exists）")
    _heading_exists(session, data.get("heading_id"))
    cache = {} if cache is None else cache
    if "units" not in cache:
        cache["units"], cache["rounds"] = directory.unit_resolver(session), directory.round_resolver(session)
    units, rounds = cache["units"], cache["rounds"]
    for a in data.get("assignments", []):
        if a["unit"] not in units:
            raise LedgerError(f"单位“{a['unit']}”已不在单位名录中，不能恢复任务（unit gone since）")
    for p in data.get("progress", []):
        if p["unit"] not in units or p["round"] not in rounds:
            raise LedgerError(f"“{p['unit']}/{p['round']}”已不存在，不能恢复任务的进展（changed since）")
    deadline = data.get("deadline") or {}
    task = TaskRow(id=data["id"], heading_id=data.get("heading_id"), position=0,
                   **{f: data.get(f, "") for f in TASK_ROW_FIELDS}, deadline_text=deadline.get("text", ""),
                   deadline_date=date.fromisoformat(deadline["date"]) if deadline.get("date") else None,
                   deadline_kind=deadline.get("kind", "none"))
    session.add(task)
    session.flush()
    for a in data.get("assignments", []):
        session.add(AssignmentRow(task_id=task.id, unit_id=units[a["unit"]], role=a["role"], position=a["position"]))
    if data.get("progress"):
        session.execute(insert(ProgressRow.__table__), [
            queries.insert_params((task.id, units[p["unit"]], rounds[p["round"]]), p) for p in data["progress"]])
    session.flush()
    return task


def _remove_task(session: Session, task: TaskRow) -> None:
    session.execute(delete(ProgressRow).where(ProgressRow.task_id == task.id))
    session.execute(delete(AssignmentRow).where(AssignmentRow.task_id == task.id))
    session.expire(task, ["assignments"])
    session.delete(task)
    session.flush()


def heading_snapshot(row: HeadingRow) -> dict:
    return {"id": row.id, "parent_id": row.parent_id, "number": row.number, "title": row.title, "level": row.level}


# ----- renumbering ------------------------------------------------------------------------------
class Renumber:
    """Reads the numbers before an edit and, after it, writes (and logs) the ones the rule changes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        session.flush()
        self.tasks_before = _task_rows(session)
        self.headings_before = Tree.read(session).numbering_rows()

    def apply(self, batch: BatchRow, at: datetime, changes: Changes, *, fresh_tasks: set[str] = frozenset(),
              fresh_headings: set[str] = frozenset(), report: bool = True) -> None:
        session = self.session
        session.flush()
        rows = _task_rows(session)
        current = {tid: seq for tid, _h, seq in rows}
        wanted = task_numbers(self.tasks_before, [(tid, h) for tid, h, _s in rows], set(fresh_tasks))
        if wanted:  # plain executemany: a global numbering renumbers thousands of tasks at once
            core = TaskRow.__table__
            connection = session.connection()
            connection.execute(update(core).where(core.c.id == bindparam("row_id")).values(seq=bindparam("row_seq")),
                               [{"row_id": tid, "row_seq": seq} for tid, seq in wanted.items()])
            log = [queries.change_params(batch.id, entity="task", key=tid, field="seq", old=current[tid], new=seq, at=at)
                   for tid, seq in wanted.items() if tid not in fresh_tasks]  # a new row is logged whole, numbered
            if log:
                connection.execute(insert(ChangeRow.__table__), log)
            session.expire_all()
            if report:
                changes.tasks |= set(wanted)
        tree = Tree.read(session)
        rows = [(h, tree.parent[h], tree.level[h]) for h in tree.order]
        for heading_id, number in heading_numbers(self.headings_before, rows, set(fresh_headings)).items():
            row = session.get(HeadingRow, heading_id)
            if heading_id not in fresh_headings:
                queries.log_change(session, batch.id, entity="heading", key=heading_id, field="number",
                                   old=row.number, new=number, at=at)
            row.number = number
            if report:
                changes.headings.add(heading_id)
        session.flush()


# ----- tasks --------------------------------------------------------------------------------------
def _check_before(session: Session, before: str | None, heading_id: str | None, skip: set[str]) -> None:
    if before is None:
        return
    row = session.get(TaskRow, before)
    if row is None:
        raise LedgerError(f"任务不存在（unknown task id {before}）")
    if row.heading_id != heading_id:
        raise LedgerError(f"任务 {row.seq or before} 不在目标章节中，不能插在它前面（not in that heading）")
    if before in skip:
        raise LedgerError("不能把任务插在它自己前面（before one of the moved tasks）")


def add_task(session: Session, heading_id: str | None, before: str | None, fields: dict, batch: BatchRow,
             at: datetime) -> Changes:
    _heading_exists(session, heading_id)
    _check_before(session, before, heading_id, set())
    unknown = [f for f in fields if f not in TASK_FIELDS]
    if unknown:
        raise LedgerError(f"不能设置字段 {unknown[0]}（unknown task field）")
    renumber = Renumber(session)
    tree = Tree.read(session)
    anchor = before if before is not None else end_of_heading(session, heading_id, [], tree)
    task = TaskRow(id=new_id(), heading_id=heading_id, position=0, seq="")
    session.add(task)
    session.flush()
    place_rows(session, TaskRow, [task.id], anchor)
    changes = Changes(batch_id=batch.id, structure=True, tasks={task.id})
    renumber.apply(batch, at, changes, fresh_tasks={task.id}, report=False)
    for name, value in fields.items():
        value = value.to_json() if isinstance(value, Deadline) else (list(value) if isinstance(value, (list, tuple))
                                                                      else value)
        set_task_field(session, task, name, value)
    session.flush()
    session.refresh(task)
    queries.log_change(session, batch.id, entity="task", key=task.id, field="row", old=None,
                       new=task_snapshot(session, task, progress=False), at=at)
    return changes


def delete_tasks(session: Session, task_ids: list[str], batch: BatchRow, at: datetime,
                 renumber: Renumber | None = None) -> Changes:
    if not task_ids:
        raise LedgerError("没有选择要删除的任务（no tasks given）")
    rows = _tasks(session, task_ids)
    own_renumber = renumber is None
    renumber = renumber or Renumber(session)
    changes = Changes(batch_id=batch.id, structure=True)
    following = next_tasks(session)
    ids = [task.id for task in rows]
    snapshots = task_snapshots(session, ids)
    log = []
    for task_id in ids:
        snapshots[task_id]["before"] = following[task_id]
        log.append(queries.change_params(batch.id, entity="task", key=task_id, field="row", old=snapshots[task_id],
                                         new=None, at=at))
        changes.tasks.add(task_id)
    session.connection().execute(insert(ChangeRow.__table__), log)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(delete(ProgressRow).where(ProgressRow.task_id.in_(chunk)))
        session.execute(delete(AssignmentRow).where(AssignmentRow.task_id.in_(chunk)))
        session.execute(delete(TaskRow).where(TaskRow.id.in_(chunk)).execution_options(synchronize_session=False))
    session.expire_all()
    if own_renumber:
        renumber.apply(batch, at, changes)
    return changes


def move_tasks(session: Session, task_ids: list[str], heading_id: str | None, before: str | None,
               batch: BatchRow, at: datetime) -> Changes:
    if not task_ids:
        raise LedgerError("没有选择要移动的任务（no tasks given）")
    _heading_exists(session, heading_id)
    rows = _tasks(session, task_ids)
    ids = [r.id for r in rows]
    _check_before(session, before, heading_id, set(ids))
    renumber = Renumber(session)
    tree = Tree.read(session)
    following = next_tasks(session)
    places = [(r.id, r.heading_id, following[r.id]) for r in rows]
    anchor = before if before is not None else end_of_heading(session, heading_id, ids, tree)
    session.execute(update(TaskRow).where(TaskRow.id.in_(ids)).values(heading_id=heading_id)
                    .execution_options(synchronize_session=False))
    place_rows(session, TaskRow, ids, anchor)
    changes = Changes(batch_id=batch.id, structure=True, tasks=set(ids))
    following = next_tasks(session)
    session.connection().execute(insert(ChangeRow.__table__), [
        queries.change_params(batch.id, entity="task", key=task_id, field="place",
                              old={"heading": old_heading, "before": old_next},
                              new={"heading": heading_id, "before": following[task_id]}, at=at)
        for task_id, old_heading, old_next in places])
    renumber.apply(batch, at, changes)
    return changes


# ----- headings ---------------------------------------------------------------------------------------
def _check_heading_before(tree: Tree, before: str | None, parent_id: str | None, moving: set[str]) -> None:
    if before is None:
        return
    if before not in tree.parent:
        raise LedgerError(f"章节不存在（unknown heading id {before}）")
    if tree.parent[before] != parent_id:
        raise LedgerError(f"章节“{tree.number[before]}”不在目标位置下，不能插在它前面（not a sibling）")
    if before in moving:
        raise LedgerError("不能把章节插在它自己前面（before itself）")


def add_heading(session: Session, parent_id: str | None, title: str, before: str | None, batch: BatchRow,
                at: datetime) -> Changes:
    title = (title or "").strip()
    if not title:
        raise LedgerError("章节标题不能为空（empty title）")
    _heading_exists(session, parent_id)
    tree = normalize_headings(session, batch, at)
    _check_heading_before(tree, before, parent_id, set())
    renumber = Renumber(session)
    level = tree.level[parent_id] + 1 if parent_id is not None else 1
    row = HeadingRow(id=new_id(), parent_id=parent_id, number="", title=title, level=level, position=0)
    session.add(row)
    session.flush()
    anchor = before if before is not None else end_of_parent(tree, parent_id, set())
    place_rows(session, HeadingRow, [row.id], anchor)
    changes = Changes(batch_id=batch.id, structure=True, headings={row.id})
    renumber.apply(batch, at, changes, fresh_headings={row.id}, report=False)
    queries.log_change(session, batch.id, entity="heading", key=row.id, field="row", old=None,
                       new=heading_snapshot(row), at=at)
    return changes


def delete_heading(session: Session, heading_id: str, batch: BatchRow, at: datetime) -> Changes:
    if session.get(HeadingRow, heading_id) is None:
        raise LedgerError(f"章节不存在（unknown heading id {heading_id}）")
    tree = normalize_headings(session, batch, at)
    subtree = tree.subtree(heading_id)
    renumber = Renumber(session)
    task_ids = list(session.execute(select(TaskRow.id).where(TaskRow.heading_id.in_(subtree))
                                    .order_by(TaskRow.position, TaskRow.id)).scalars())
    changes = Changes(batch_id=batch.id, structure=True, headings=set(subtree))
    if task_ids:
        changes.tasks |= delete_tasks(session, task_ids, batch, at, renumber).tasks
    for hid in reversed(subtree):  # children first: undo, in reverse, makes parents first
        row = session.get(HeadingRow, hid)
        snapshot = heading_snapshot(row)
        snapshot["before"] = heading_after_subtree(Tree.read(session), hid, set())
        queries.log_change(session, batch.id, entity="heading", key=hid, field="row", old=snapshot, new=None, at=at)
        session.delete(row)
        session.flush()
    renumber.apply(batch, at, changes)
    return changes


def _task_anchor_after_block(session: Session, tree: Tree, block: list[str], task_block: list[str]) -> str | None:
    """The first task (not moving) of a heading that follows the moved headings in pre-order."""
    last = tree.order.index(block[-1])
    later = [h for h in tree.order[last + 1:] if h not in set(block)]
    if not later:
        return None
    return _first(session, select(TaskRow.id).where(TaskRow.heading_id.in_(later), TaskRow.id.notin_(task_block))
                  .order_by(TaskRow.position, TaskRow.id))


def _log_levels(session: Session, block: list[str], parent_id: str | None, batch: BatchRow, at: datetime) -> None:
    base = session.get(HeadingRow, parent_id).level if parent_id is not None else 0
    depth: dict[str, int] = {}
    for hid in block:
        row = session.get(HeadingRow, hid)
        depth[hid] = base + 1 if hid == block[0] else depth[row.parent_id] + 1
        if row.level != depth[hid]:
            queries.log_change(session, batch.id, entity="heading", key=hid, field="level", old=row.level,
                               new=depth[hid], at=at)
            row.level = depth[hid]


def move_heading(session: Session, heading_id: str, parent_id: str | None, before: str | None, batch: BatchRow,
                 at: datetime) -> Changes:
    row = session.get(HeadingRow, heading_id)
    if row is None:
        raise LedgerError(f"章节不存在（unknown heading id {heading_id}）")
    _heading_exists(session, parent_id)
    tree = Tree.read(session)
    block = tree.subtree(heading_id)
    if parent_id in block:
        raise LedgerError(f"不能把章节“{row.number}{row.title}”移到它自己的下级（into itself）")
    _check_heading_before(tree, before, parent_id, set(block))
    tree = normalize_headings(session, batch, at)
    renumber = Renumber(session)
    old_place = {"parent": row.parent_id, "before": heading_after_subtree(tree, heading_id, set())}
    anchor = before if before is not None else end_of_parent(tree, parent_id, set(block))
    row.parent_id = parent_id
    place_rows(session, HeadingRow, block, anchor)
    queries.log_change(session, batch.id, entity="heading", key=heading_id, field="place", old=old_place,
                       new={"parent": parent_id, "before": anchor}, at=at)
    _log_levels(session, block, parent_id, batch, at)
    changes = Changes(batch_id=batch.id, structure=True, headings=set(block))
    task_block = list(session.execute(select(TaskRow.id).where(TaskRow.heading_id.in_(block))
                                      .order_by(TaskRow.position, TaskRow.id)).scalars())
    if task_block:
        homes = dict(session.execute(select(TaskRow.id, TaskRow.heading_id).where(TaskRow.heading_id.in_(block))).all())
        following = next_tasks(session)
        places = [(tid, following[tid]) for tid in task_block]
        task_anchor = _task_anchor_after_block(session, Tree.read(session), block, task_block)
        place_rows(session, TaskRow, task_block, task_anchor)
        following = next_tasks(session)
        session.connection().execute(insert(ChangeRow.__table__), [
            queries.change_params(batch.id, entity="task", key=tid, field="place",
                                  old={"heading": homes[tid], "before": old_next},
                                  new={"heading": homes[tid], "before": following[tid]}, at=at)
            for tid, old_next in places])
        changes.tasks |= set(task_block)
    renumber.apply(batch, at, changes)
    return changes


# ----- undo ---------------------------------------------------------------------------------------
def _load(raw: str | None) -> object:
    return json.loads(raw) if raw is not None else None


def undo_task_change(session: Session, change, undo: BatchRow, at: datetime, changes: Changes,
                     cache: dict | None = None) -> None:
    """Undo one logged task row ("row": added or deleted) or place ("place": moved)."""
    task_id = json.loads(change.entity_key)
    old, new = _load(change.old), _load(change.new)
    changes.structure = True
    changes.tasks.add(task_id)
    task = session.get(TaskRow, task_id)
    if change.field == "row" and old is None:  # it was added: remove it, unless changed since
        if task is None:
            raise LedgerError(f"任务 {task_id} 已被删除，不能撤销添加（deleted since）")
        current = task_snapshot(session, task)
        if current["progress"] or _comparable(current) != _comparable(new):  # type: ignore[arg-type]
            raise LedgerError(f"任务“{task.seq}”在添加之后又被修改或填报了进展，不能撤销（changed since）")
        _remove_task(session, task)
        queries.log_change(session, undo.id, entity="task", key=task_id, field="row", old=new, new=None, at=at)
        return
    if change.field == "row":  # it was deleted: make it again where it was
        restored = restore_task(session, old, cache)  # type: ignore[arg-type]
        _put_task_back(session, restored, old.get("heading_id"), old.get("before"))  # type: ignore[union-attr]
        queries.log_change(session, undo.id, entity="task", key=task_id, field="row", old=None, new=old, at=at)
        return
    if task is None or task.heading_id != new["heading"]:  # type: ignore[index]
        raise LedgerError(f"任务 {task_id} 在移动之后又被移动或删除，不能撤销（moved since）")
    _heading_exists(session, old["heading"])  # type: ignore[index]
    task.heading_id = old["heading"]  # type: ignore[index]
    _put_task_back(session, task, old["heading"], old["before"])  # type: ignore[index]
    queries.log_change(session, undo.id, entity="task", key=task_id, field="place", old=new, new=old, at=at)


def is_bulk_undo(change) -> bool:
    """A move, or a deletion: undone together with its neighbours in one pass (undo_places)."""
    return change.entity == "task" and (change.field == "place" or (change.field == "row" and change.old is not None))


def undo_places(session: Session, run: list, undo: BatchRow, at: datetime, changes: Changes,
                cache: dict) -> None:
    """Undo a run of task moves and deletions (in undo order) in one pass: the document order is
    rebuilt in memory (each task right before the task that followed it) and written once.
    A section of 2,000 tasks moved and moved back stays a fraction of a second."""
    session.flush()
    headings = set(session.execute(select(HeadingRow.id)).scalars())
    rows = session.execute(select(TaskRow.id, TaskRow.heading_id, TaskRow.position)
                           .order_by(TaskRow.position, TaskRow.id)).all()
    chain = _Chain([r[0] for r in rows])
    home = {r[0]: r[1] for r in rows}
    position = {r[0]: r[2] for r in rows}
    log: list[dict] = []
    restored: list[dict] = []
    for change in run:
        task_id = json.loads(change.entity_key)
        old, new = _load(change.old), _load(change.new)
        changes.structure = True
        changes.tasks.add(task_id)
        if change.field == "row":
            _check_restorable(old, home, headings, cache, session)  # type: ignore[arg-type]
            restored.append(old)  # type: ignore[arg-type]
            home[task_id] = old.get("heading_id")  # type: ignore[union-attr]
            target, before = home[task_id], old.get("before")  # type: ignore[union-attr]
            log.append(queries.change_params(undo.id, entity="task", key=task_id, field="row", old=None, new=old, at=at))
        else:
            if task_id not in home or home[task_id] != new["heading"]:  # type: ignore[index]
                raise LedgerError(f"任务 {task_id} 在移动之后又被移动或删除，不能撤销（moved since）")
            target, before = old["heading"], old["before"]  # type: ignore[index]
            if target is not None and target not in headings:
                raise LedgerError(f"章节不存在（unknown heading id {target}）")
            chain.remove(task_id)
            home[task_id] = target
            log.append(queries.change_params(undo.id, entity="task", key=task_id, field="place", old=new, new=old,
                                             at=at))
        if before is not None and before in chain.next and before != task_id:
            chain.insert_before(task_id, before)
        else:
            order = chain.order()
            at_index = _end_index(order, home, target, Tree.read(session))
            chain.insert_before(task_id, order[at_index] if at_index < len(order) else None)
    order = chain.order()
    session.flush()
    core = TaskRow.__table__
    connection = session.connection()
    if restored:
        _insert_tasks(connection, restored, cache)
    was = {r[0]: r[1] for r in rows}
    moved = [{"row_id": tid, "row_heading": home[tid], "row_position": i} for i, tid in enumerate(order)
             if position.get(tid) != i or tid not in was or home[tid] != was[tid]]
    if moved:
        connection.execute(update(core).where(core.c.id == bindparam("row_id"))
                           .values(position=bindparam("row_position"), heading_id=bindparam("row_heading")), moved)
    if log:
        connection.execute(insert(ChangeRow.__table__), log)
    session.expire_all()


class _Chain:
    """The document order as a linked list: thousands of "put t before s" in O(1) each."""

    def __init__(self, ids: list[str]) -> None:
        self.next: dict[str, str | None] = {}
        self.prev: dict[str, str | None] = {}
        self.head: str | None = ids[0] if ids else None
        self.tail: str | None = ids[-1] if ids else None
        for i, tid in enumerate(ids):
            self.prev[tid] = ids[i - 1] if i else None
            self.next[tid] = ids[i + 1] if i + 1 < len(ids) else None

    def remove(self, tid: str) -> None:
        before, after = self.prev.pop(tid), self.next.pop(tid)
        if before is None:
            self.head = after
        else:
            self.next[before] = after
        if after is None:
            self.tail = before
        else:
            self.prev[after] = before

    def insert_before(self, tid: str, anchor: str | None) -> None:
        before = self.tail if anchor is None else self.prev[anchor]
        self.prev[tid], self.next[tid] = before, anchor
        if before is None:
            self.head = tid
        else:
            self.next[before] = tid
        if anchor is None:
            self.tail = tid
        else:
            self.prev[anchor] = tid

    def order(self) -> list[str]:
        out, tid = [], self.head
        while tid is not None:
            out.append(tid)
            tid = self.next[tid]
        return out


def _check_restorable(data: dict, home: dict, headings: set, cache: dict, session: Session) -> None:
    if data["id"] in home:
        raise LedgerError(f"任务 {data['id']} 已存在，不能恢复（exists）")
    if data.get("heading_id") is not None and data["heading_id"] not in headings:
        raise LedgerError(f"章节不存在（unknown heading id {data['heading_id']}）")
    if "units" not in cache:
        cache["units"], cache["rounds"] = directory.unit_resolver(session), directory.round_resolver(session)
    for a in data.get("assignments", []):
        if a["unit"] not in cache["units"]:
            raise LedgerError(f"单位“{a['unit']}”已不在单位名录中，不能恢复任务（unit gone since）")
    for p in data.get("progress", []):
        if p["unit"] not in cache["units"] or p["round"] not in cache["rounds"]:
            raise LedgerError(f"“{p['unit']}/{p['round']}”已不存在，不能恢复任务的进展（changed since）")


def _insert_tasks(connection, datas: list[dict], cache: dict) -> None:
    """Deleted tasks back, whole, in three executemany inserts (positions are written after)."""
    units, rounds = cache["units"], cache["rounds"]
    tasks, assignments, progress = [], [], []
    for data in datas:
        deadline = data.get("deadline") or {}
        tasks.append({"id": data["id"], "heading_id": data.get("heading_id"), "position": 0,
                      **{f: data.get(f, "") for f in TASK_ROW_FIELDS}, "deadline_text": deadline.get("text", ""),
                      "deadline_date": date.fromisoformat(deadline["date"]) if deadline.get("date") else None,
                      "deadline_kind": deadline.get("kind", "none")})
        assignments += [{"task_id": data["id"], "unit_id": units[a["unit"]], "role": a["role"],
                         "position": a["position"]} for a in data.get("assignments", [])]
        progress += [queries.insert_params((data["id"], units[p["unit"]], rounds[p["round"]]), p)
                     for p in data.get("progress", [])]
    connection.execute(insert(TaskRow.__table__), tasks)
    if assignments:
        connection.execute(insert(AssignmentRow.__table__), assignments)
    if progress:
        connection.execute(insert(ProgressRow.__table__), progress)


def is_seq_undo(change) -> bool:
    return change.entity == "task" and change.field == "seq"


def undo_seqs(session: Session, run: list, undo: BatchRow, at: datetime, changes: Changes) -> None:
    """Undo a run of renumbered 序号 at once (a global numbering renumbers thousands); refused when
    any of them was changed since."""
    session.flush()
    wanted = [(json.loads(c.entity_key), _load(c.old), _load(c.new)) for c in run]
    current: dict[str, str] = {}
    ids = [tid for tid, _o, _n in wanted]
    for start in range(0, len(ids), 500):
        current.update(session.execute(select(TaskRow.id, TaskRow.seq).where(TaskRow.id.in_(ids[start:start + 500])))
                       .all())
    for tid, old, new in wanted:
        if current.get(tid) != new:
            raise LedgerError(f"任务 {tid} 的字段“seq”在此之后又被修改，不能撤销（changed since）")
        current[tid] = old  # type: ignore[assignment]
    core = TaskRow.__table__
    connection = session.connection()
    connection.execute(update(core).where(core.c.id == bindparam("row_id")).values(seq=bindparam("row_seq")),
                       [{"row_id": tid, "row_seq": old} for tid, old, _n in wanted])
    connection.execute(insert(ChangeRow.__table__), [
        queries.change_params(undo.id, entity="task", key=tid, field="seq", old=new, new=old, at=at)
        for tid, old, new in wanted])
    session.expire_all()
    changes.tasks |= set(ids)


def _end_index(order: list[str], home: dict, heading_id: str | None, tree: Tree) -> int:
    """end_of_heading in memory: after the heading's last own task, else before its sub-headings' tasks."""
    own = [i for i, tid in enumerate(order) if home.get(tid) == heading_id]
    if own:
        return own[-1] + 1
    later = set(tree.order[tree.order.index(heading_id):]) if heading_id in tree.order else set()
    return next((i for i, tid in enumerate(order) if home.get(tid) in later), len(order))


def _put_task_back(session: Session, task: TaskRow, heading_id: str | None, before: str | None) -> None:
    if before is not None and session.get(TaskRow, before) is None:
        before = None
        anchor = end_of_heading(session, heading_id, [task.id], Tree.read(session))
    else:
        anchor = before
    place_rows(session, TaskRow, [task.id], anchor)


def undo_heading_change(session: Session, change, undo: BatchRow, at: datetime, changes: Changes) -> None:
    """Undo one logged heading row, place, level or number."""
    heading_id = json.loads(change.entity_key)
    old, new = _load(change.old), _load(change.new)
    changes.structure = True
    if change.field == "order":
        session.flush()
        current = dict(session.execute(select(HeadingRow.id, HeadingRow.position)).all())
        if set(current) != set(new) or _order_of(current) != _order_of(new):  # type: ignore[arg-type]
            raise LedgerError("章节顺序在此之后又被修改，不能撤销（changed since）")
        session.execute(update(HeadingRow).where(HeadingRow.id.in_(list(old)))  # type: ignore[arg-type]
                        .values(position=case(old, value=HeadingRow.id)).execution_options(synchronize_session="fetch"))
        queries.log_change(session, undo.id, entity="heading", key="", field="order", old=new, new=old, at=at)
        return
    changes.headings.add(heading_id)
    row = session.get(HeadingRow, heading_id)
    if change.field in ("number", "level", "title"):
        if row is None or getattr(row, change.field) != new:
            raise LedgerError(f"章节 {heading_id} 的“{change.field}”在此之后又被修改，不能撤销（changed since）")
        setattr(row, change.field, old)
    elif change.field == "row" and old is None:  # added: remove it, if still empty
        if row is None:
            raise LedgerError(f"章节 {heading_id} 已被删除，不能撤销添加（deleted since）")
        has_children = session.execute(select(HeadingRow.id).where(HeadingRow.parent_id == heading_id)).first()
        has_tasks = session.execute(select(TaskRow.id).where(TaskRow.heading_id == heading_id)).first()
        if has_children or has_tasks or heading_snapshot(row) != new:
            raise LedgerError(f"章节“{row.number}{row.title}”在添加之后又有了改动或内容，不能撤销（changed since）")
        session.delete(row)
    elif change.field == "row":  # deleted: make it again
        if row is not None:
            raise LedgerError(f"章节 {heading_id} 已存在，不能恢复（exists）")
        _heading_exists(session, old["parent_id"])  # type: ignore[index]
        session.add(HeadingRow(**{k: old[k] for k in ("id", "parent_id", "number", "title", "level")},  # type: ignore[index]
                               position=0))
        session.flush()
        _put_heading_back(session, [heading_id], old["parent_id"], old.get("before"))  # type: ignore[union-attr,index]
    elif change.field == "place":
        if row is None or row.parent_id != new["parent"]:  # type: ignore[index]
            raise LedgerError(f"章节 {heading_id} 在移动之后又被移动或删除，不能撤销（moved since）")
        _heading_exists(session, old["parent"])  # type: ignore[index]
        block = Tree.read(session).subtree(heading_id)
        row.parent_id = old["parent"]  # type: ignore[index]
        _put_heading_back(session, block, old["parent"], old["before"])  # type: ignore[index]
    else:
        raise LedgerError("此批次包含无法撤销的章节更改（unknown heading change）")
    session.flush()
    queries.log_change(session, undo.id, entity="heading", key=heading_id, field=change.field, old=new, new=old, at=at)


def _put_heading_back(session: Session, block: list[str], parent_id: str | None, before: str | None) -> None:
    if before is not None and session.get(HeadingRow, before) is None:
        before = end_of_parent(Tree.read(session), parent_id, set(block))
    place_rows(session, HeadingRow, block, before)
