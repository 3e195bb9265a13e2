"""Which tasks a unit reports on, and how a returned row finds its task again.

Shared by the sheet writer (what to send), the reader side (which task a row is)
and the merge (is the task the unit's at all), so the three never disagree.

A sheet holds the tasks the unit is named on (leads or cooperates), like
`LedgerDocument.tasks_of_unit`; group units ("各部门（单位）") get a sheet of their
own. With `include_groups=True` a department's sheet also holds the tasks of the
groups it belongs to ("各部门…" → departments, "各乡镇…" → townships; role shown as
"配合（各部门（单位））"). The merge accepts a group task's row only when the
sheet was sent with it (its hidden data lists the task).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from app.core.records import LedgerDocument, Task, Unit
from app.core.text import normalize_for_match

ROLE_LEAD_LABEL = "牵头"
ROLE_COOP_LABEL = "配合"
ROW_MATCH_THRESHOLD = 80  # fuzz.ratio on normalised content, 0-100
MATCH_BY_ID = "按隐藏编号"


def _group_member_kind(group: Unit) -> str | None:
    """The unit kind a group stands for ("各部门…" → department, "各乡镇…" → township)."""
    if group.kind != "group":
        return None
    name = group.name
    if "乡" in name or "镇" in name:
        return "township"
    if "部门" in name or "单位" in name:
        return "department"
    return None


def _units_by_name(doc: LedgerDocument) -> dict[str, Unit]:
    return {u.name: u for u in doc.units}


def role_of(doc: LedgerDocument, task: Task, unit: str, units: dict[str, Unit] | None = None, *,
            include_groups: bool = True) -> str | None:
    """The unit's role on the task as shown in the sheet, or None when not assigned."""
    if unit in task.lead_units:
        return ROLE_LEAD_LABEL
    if unit in task.coop_units:
        return ROLE_COOP_LABEL
    if not include_groups:
        return None
    units = units if units is not None else _units_by_name(doc)
    me = units.get(unit)
    if me is None or me.kind == "group":
        return None
    for names, label in ((task.lead_units, ROLE_LEAD_LABEL), (task.coop_units, ROLE_COOP_LABEL)):
        for name in names:
            group = units.get(name)
            if group is not None and _group_member_kind(group) == me.kind:
                return f"{label}（{group.name}）"
    return None


def unit_tasks(doc: LedgerDocument, unit: str, *, include_groups: bool = False) -> list[tuple[Task, str]]:
    """(task, role label) for every task the unit leads or cooperates on, in document order."""
    units = _units_by_name(doc)
    out = []
    for task in doc.tasks:
        role = role_of(doc, task, unit, units, include_groups=include_groups)
        if role is not None:
            out.append((task, role))
    return out


def sheet_units(doc: LedgerDocument) -> list[str]:
    """Units that get a return sheet: every unit named on at least one task, directory order."""
    named = {name for t in doc.tasks for name in (*t.lead_units, *t.coop_units)}
    return [u.name for u in doc.units if u.name in named]


def inherited_key_work(doc: LedgerDocument) -> dict[str, str]:
    """Task id → key work, filling a continued (merged-cell) key work from the task above."""
    out: dict[str, str] = {}
    last_heading: str | None = None
    last = ""
    for task in doc.tasks:
        if task.heading_id != last_heading:
            last = ""
            last_heading = task.heading_id
        if task.key_work:
            last = task.key_work
        out[task.id] = task.key_work or last
    return out


@dataclass
class RowMatch:
    task_id: str | None
    how: str
    score: float = 0.0


def match_row(doc: LedgerDocument, seq: str, content: str, *, prefer: set[str] | None = None) -> RowMatch:
    """Find a task by seq + content when the hidden id is gone; fuzzy on the content.

    The content decides (a seq alone is too weak: numbers restart per section in
    some ledgers); a matching seq breaks ties and adds confidence. Tasks in
    `prefer` (the unit's own) win ties against others.
    """
    key = normalize_for_match(content)
    seq = seq.strip()
    if not key:
        candidates = [t for t in doc.tasks if seq and t.seq == seq]
        if len(candidates) == 1:
            return RowMatch(candidates[0].id, "按序号匹配（内容为空）", 0.0)
        return RowMatch(None, "无法匹配", 0.0)
    best: tuple[float, int, int, Task] | None = None
    for task in doc.tasks:
        score = fuzz.ratio(key, normalize_for_match(task.content))
        rank = (score, int(bool(seq) and task.seq == seq), int(bool(prefer) and task.id in prefer))
        if best is None or rank > best[:3]:
            best = (*rank, task)
    if best is None or best[0] < ROW_MATCH_THRESHOLD:
        return RowMatch(None, f"无法匹配（最高相似度 {best[0]:.0f}）" if best else "无法匹配", best[0] if best else 0.0)
    score, seq_ok, _, task = best
    how = f"按序号与内容匹配（相似度 {score:.0f}）" if seq_ok else f"按内容匹配（相似度 {score:.0f}，序号不同）"
    return RowMatch(task.id, how, score)


def match_unit(doc: LedgerDocument, text: str) -> tuple[str | None, str]:
    """The unit a file name (or a 填报单位 line) names: exact or alias substring, else fuzzy."""
    key = normalize_for_match(text)
    if not key:
        return None, ""
    hits: list[tuple[int, str]] = []
    for unit in doc.units:
        names = [unit.name, *unit.aliases]
        if unit.name[:1] in "县区市" and len(unit.name) >= 4:
            names.append(unit.name[1:])  # "民政局" for "县民政局": how people name files
        for name in names:
            probe = normalize_for_match(name)
            if probe and probe in key:
                hits.append((len(probe), unit.name))
    if hits:
        return max(hits)[1], "按文件名中的单位名称"
    best = max(((fuzz.ratio(key, normalize_for_match(u.name)), u.name) for u in doc.units), default=(0, None))
    if best[1] is not None and best[0] >= ROW_MATCH_THRESHOLD:
        return best[1], f"按文件名模糊匹配单位（相似度 {best[0]:.0f}）"
    return None, ""
