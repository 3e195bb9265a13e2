"""Which tasks a unit reports on, and how a returned row finds its task again.

Shared by the sheet writer (what to send), the reader side (which task a row is)
and the merge (is the task the unit's at all), so the three never disagree.

A sheet holds the tasks the unit is named on (leads or cooperates) and, by default
(`include_groups=True`), the tasks of the groups that stand for every unit of its kind:
"各部门（单位）", "县政府各部门", "县级各部门" → every department; "各乡镇人民政府",
"各乡（镇）", "各乡镇（街道）" → every township. The role column says why
("配合（各部门（单位））"). Groups that name only some units ("有关部门", "各起草单位")
are not handed out. Group pseudo-units get no sheet of their own unless asked
(`group_sheets`): nobody fills one in. The merge accepts a group task's row when the
sheet was sent with it (its hidden data lists the task), or, for a sheet that lost
its hidden data, when the task is the unit's by the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from app.core.records import LedgerDocument, Task, Unit
from app.core.text import normalize_for_match
from app.core.units import normalize_unit_name, unit_kind

ROLE_LEAD_LABEL = "牵头"
ROLE_COOP_LABEL = "配合"
ROW_MATCH_THRESHOLD = 80  # fuzz.ratio on normalised content, 0-100
MATCH_BY_ID = "按隐藏编号"


_LEVEL = r"(?:县级|县直|县政府|区政府|市政府|政府|县|区|市)?"
_ALL_DEPARTMENTS_RE = re.compile(rf"^{_LEVEL}各(?:部门|单位|委办局)(?:（(?:单位|部门)）)?$")
_ALL_TOWNSHIPS_RE = re.compile(
    rf"^{_LEVEL}各(?:乡(?:（镇）)?镇?(?:（镇）)?(?:（街道）|街道)?|镇|街道)(?:人民政府|政府|办事处)?$"
)


@lru_cache(maxsize=1 << 14)  # cached: asked for every unit name of every task, once per unit a sheet is made for
def group_member_kind(name: str) -> str | None:
    """The unit kind a group stands for when it means every unit of that kind, else None.

    "各部门（单位）", "县政府各部门", "县级各部门" → "department"; "各乡镇人民政府",
    "各乡（镇）", "各乡镇（街道）" → "township"; "有关部门", "各起草单位" → None (some units only).
    """
    if unit_kind(name) != "group":
        return None
    key = normalize_unit_name(name)
    if _ALL_TOWNSHIPS_RE.match(key):
        return "township"
    if _ALL_DEPARTMENTS_RE.match(key):
        return "department"
    return None


def is_group(unit: Unit) -> bool:
    return unit.kind == "group" or unit_kind(unit.name) == "group"


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
    if me is None or is_group(me):
        return None
    kind = me.kind if me.kind in ("department", "township") else unit_kind(me.name)
    for names, label in ((task.lead_units, ROLE_LEAD_LABEL), (task.coop_units, ROLE_COOP_LABEL)):
        for name in names:
            if group_member_kind(name) == kind:
                return f"{label}（{name}）"
    return None


def unit_tasks(doc: LedgerDocument, unit: str, *, include_groups: bool = True) -> list[tuple[Task, str]]:
    """(task, role label) for every task the unit leads or cooperates on, in document order."""
    units = _units_by_name(doc)
    out = []
    for task in doc.tasks:
        role = role_of(doc, task, unit, units, include_groups=include_groups)
        if role is not None:
            out.append((task, role))
    return out


def sheet_units(doc: LedgerDocument, *, include_groups: bool = True, group_sheets: bool = False) -> list[str]:
    """Units that get a return sheet, in directory order: every unit with at least one task
    (its own, or its groups' with `include_groups`); group pseudo-units only with `group_sheets`."""
    units = _units_by_name(doc)
    named = {name for t in doc.tasks for name in (*t.lead_units, *t.coop_units)}
    out = []
    for unit in doc.units:
        if is_group(unit):
            if group_sheets and unit.name in named:
                out.append(unit.name)
        elif unit.name in named or (include_groups and any(
                role_of(doc, t, unit.name, units, include_groups=True) for t in doc.tasks)):
            out.append(unit.name)
    return out


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
