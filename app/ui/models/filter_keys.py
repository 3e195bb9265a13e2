"""Filter keys, built once per task and refreshed for changed tasks only, and the filter over them.

Typing in 搜索 on a county's ledger must stay under a frame: a key per task holds what every
filter asks (all text fields folded into one string, the units named, the groups standing for
every unit of a kind, the state, the rounds reported), so a filter is a plain loop over 10,000
small objects, not a walk through the item model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.records import Task, Unit
from app.core.status import STATE_DONE, STATE_LABELS, STATE_LONG_TERM, STATE_OVERDUE

DUE_OVERDUE = "overdue"
DUE_SOON = "soon"
DUE_LONG_TERM = "long_term"
DUE_LABELS = {"": "全部时限", DUE_OVERDUE: "已逾期", DUE_SOON: "{n} 天内到期", DUE_LONG_TERM: "长期坚持"}


@dataclass(slots=True)
class TaskKey:
    """What the filters ask of one task, precomputed."""

    text: str  # every text field, case-folded, joined by a separator no query contains
    units: frozenset[str]  # lead and cooperating units, as named
    group_kinds: frozenset[str]  # "department" / "township": the task is every such unit's (各部门（单位）)
    state: str
    reported: frozenset[str]  # rounds with at least one report (status or text) from some unit
    due: date | None


def _is_report(mark: object) -> bool:
    return bool((getattr(mark, "status", "") or "").strip() or (getattr(mark, "text", "") or "").strip())


def build_key(task: Task, state: str, marks: Iterable[object] = ()) -> TaskKey:
    """The key of one task; `marks` are its progress entries (anything with .round, .status, .text)."""
    from app.core.sheet_scope import group_member_kind  # with rapidfuzz: loaded after the window shows

    named = (*task.lead_units, *task.coop_units)
    fields = (task.seq, task.key_work, task.content, task.metric, task.notes, "、".join(task.lead_units),
              "、".join(task.coop_units), task.deadline.text, STATE_LABELS.get(state, state))
    return TaskKey(
        text="\n".join(fields).casefold(),
        units=frozenset(named),
        group_kinds=frozenset(kind for name in named if (kind := group_member_kind(name))),
        state=state,
        reported=frozenset(m.round for m in marks if _is_report(m)),  # type: ignore[attr-defined]
        due=task.deadline.date,
    )


@dataclass(frozen=True)
class FilterSpec:
    """The filters chosen in the bar; the empty spec shows everything."""

    text: str = ""
    unit: str = ""
    state: str = ""
    round: str = ""
    reported: bool = True  # with `round`: tasks reported in it (True) or not yet (False)
    due: str = ""  # "", DUE_OVERDUE, DUE_SOON, DUE_LONG_TERM
    days: int = 15

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.unit or self.state or self.round or self.due)


def unit_member_kind(units: Iterable[Unit], name: str) -> str | None:
    """The kind whose group tasks are also `name`'s (as its sheet has them), None for a group or unknown."""
    from app.core.sheet_scope import is_group

    for unit in units:
        if unit.name == name:
            if is_group(unit):
                return None
            return unit.kind if unit.kind in ("department", "township") else None
    return None


def matching(keys: Mapping[str, TaskKey], spec: FilterSpec, *, as_of: date, member_kind: str | None = None,
             within: Iterable[str] | None = None) -> set[str] | None:
    """Ids of the tasks the spec lets through, or None when it lets everything through.

    `member_kind`: the chosen unit's kind (unit_member_kind), so that a department also sees the
    tasks of "各部门（单位）". `within`: only these ids can pass (typing on narrows the last result)."""
    if spec.empty:
        return None
    items = keys.items() if within is None else [(t, keys[t]) for t in within if t in keys]
    terms = spec.text.casefold().split()
    if not (spec.unit or spec.state or spec.round or spec.due):  # the common case, typing: one tight loop
        if len(terms) == 1:
            term = terms[0]
            return {task_id for task_id, key in items if term in key.text}
        return {task_id for task_id, key in items if all(term in key.text for term in terms)}
    unit, state, round_name, reported = spec.unit, spec.state, spec.round, spec.reported
    due, last_day = spec.due, as_of + timedelta(days=max(spec.days, 0))
    out = set()
    for task_id, key in items:
        if unit and unit not in key.units and (member_kind is None or member_kind not in key.group_kinds):
            continue
        if state and key.state != state:
            continue
        if round_name and (round_name in key.reported) != reported:
            continue
        if due:
            if due == DUE_OVERDUE and key.state != STATE_OVERDUE:
                continue
            if due == DUE_LONG_TERM and key.state != STATE_LONG_TERM:
                continue
            if due == DUE_SOON and (key.due is None or key.state == STATE_DONE or not as_of <= key.due <= last_day):
                continue
        if terms and not all(term in key.text for term in terms):
            continue
        out.add(task_id)
    return out


def narrows(before: FilterSpec, after: FilterSpec) -> bool:
    """True when `after` can only let through what `before` did: the same choices, and the text typed
    on from the old text (each old term is then inside a new one)."""
    old, new = before.text.casefold().strip(), after.text.casefold().strip()
    same_choices = (before.unit, before.state, before.round, before.reported, before.due, before.days) == \
        (after.unit, after.state, after.round, after.reported, after.due, after.days)
    return same_choices and bool(old) and new.startswith(old)
