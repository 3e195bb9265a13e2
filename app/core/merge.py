"""Three-way merge of returned progress rows, over plain values.

For each row a department sends back we know three versions of one progress entry
(task, unit, round):

* base   — what the sheet carried when it was sent (kept in the sheet's hidden data);
* theirs — what the department returned;
* ours   — what the ledger holds now.

The merge is field by field (status, text, done date, evidence): a field changed
only by them is taken, a field changed only by us is kept, a field both changed
differently makes the whole row a conflict that the clerk resolves — never an
overwrite. Scope checks (task not assigned to the unit, a locked column edited,
an unmatched row) reject the row with a Chinese message naming the row. A status
outside the list keeps the row, records the status as typed and flags it for review.

Pure Python: no Qt, no SQLAlchemy, no file formats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from app.core.records import STATUSES, Progress

FIELDS = ("status", "text", "done_date", "evidence")
FIELD_LABELS = {"status": "状态", "text": "进展落实情况", "done_date": "完成日期", "evidence": "佐证材料"}

APPLIED = "applied"
UNCHANGED = "unchanged"
CONFLICT = "conflict"
REJECTED = "rejected"


def norm_text(value: object) -> str:
    """Cell text as compared: line breaks unified, trailing spaces per line and outer blanks dropped."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    if "\n" not in s and "\r" not in s and "\u3000" not in s:
        return s.strip()  # one line: the common case, and the same result as below
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    return "\n".join(line.rstrip() for line in s.split("\n")).strip()


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_done_date(text: str) -> str | None:
    """A completion date as typed (2023-09-01, 2023/9/1, 2023.9.1, 2023年9月1日, an Excel serial)
    → ISO text; "" for an empty cell; None when it cannot be read."""
    text = norm_text(text)
    if not text:
        return ""
    match = _DATE_RE.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        if text.isdigit() and 20000 < int(text) < 80000:  # a date cell saved without its format
            return (date(1899, 12, 30) + timedelta(days=int(text))).isoformat()
    except ValueError:
        return None
    return None


# Other words liaisons type (WPS or pasted rows bypass the drop-down) for the statuses.
STATUS_SYNONYMS = {
    "完成": "已完成", "已办结": "已完成", "办结": "已完成", "已办完": "已完成", "完成了": "已完成", "已落实": "已完成",
    "全部完成": "已完成", "已全部完成": "已完成",
    "正在推进": "进行中", "推进中": "进行中", "正在进行": "进行中", "正在办理": "进行中", "办理中": "进行中",
    "在办": "进行中", "正在落实": "进行中", "落实中": "进行中", "持续推进中": "进行中",
    "未启动": "未开始", "尚未开始": "未开始", "尚未启动": "未开始", "没开始": "未开始", "未开展": "未开始",
    "长期": "长期坚持", "持续推进": "长期坚持", "长期推进": "长期坚持", "常态化推进": "长期坚持",
    "逾期": "未按期完成", "逾期未完成": "未按期完成", "超期": "未按期完成", "超期未完成": "未按期完成",
    "未按时完成": "未按期完成",
}


def canonical_status(text: str) -> str | None:
    """A returned status as one of STATUSES: as typed, or a known synonym; "" for blank; None when unknown."""
    key = re.sub(r"\s+", "", norm_text(text)).rstrip("。.!！")
    if not key or key in STATUSES:
        return key
    return STATUS_SYNONYMS.get(key)


@dataclass(frozen=True)
class Values:
    """The fill-in part of a progress entry, normalised so that equal means equal."""

    status: str = ""
    text: str = ""
    done_date: str = ""  # ISO date, or "" when none
    evidence: str = ""

    @classmethod
    def make(cls, status: object = "", text: object = "", done_date: object = "", evidence: object = "") -> Values:
        if isinstance(done_date, date):
            done_date = done_date.isoformat()
        return cls(norm_text(status), norm_text(text), norm_text(done_date), norm_text(evidence))

    @classmethod
    def of(cls, entry: Progress | None) -> Values:
        if entry is None:
            return cls()
        return cls.make(entry.status, entry.text, entry.done_date, entry.evidence)

    @property
    def empty(self) -> bool:
        return not (self.status or self.text or self.done_date or self.evidence)

    def to_list(self) -> list[str]:
        return [self.status, self.text, self.done_date, self.evidence]

    def to_json(self) -> dict:
        """As stored and reported: the four fields, a missing date as null."""
        return {"status": self.status, "text": self.text, "done_date": self.done_date or None,
                "evidence": self.evidence}

    def to_progress(self, *, task_id: str, unit: str, round_name: str, source: str = "") -> Progress:
        return Progress(
            task_id=task_id,
            unit=unit,
            round=round_name,
            status=self.status,
            text=self.text,
            done_date=date.fromisoformat(self.done_date) if self.done_date else None,
            evidence=self.evidence,
            source=source,
        )


@dataclass
class ReturnedRow:
    """One row read from a returned sheet, already matched to a task (or not)."""

    row: int  # row number as the person sees it in the file
    task_id: str | None
    theirs: Values
    base: Values | None = None  # None when the sheet lost its hidden data
    match: str = ""  # how the row was matched, e.g. "按隐藏编号"
    seq: str = ""
    content: str = ""
    locked_changed: list[str] = field(default_factory=list)  # locked column names edited
    locked_fingerprint_changed: bool = False  # only the whole-row fingerprint was kept, and it differs
    bad_date: str = ""  # the 完成日期 cell as typed when it could not be read (that field is not taken)
    notes: list[str] = field(default_factory=list)  # other non-fatal remarks
    refused: str = ""  # why the row is refused before any check (e.g. a copied row), with its own words


@dataclass
class TaskScope:
    """What the merge needs to know about one ledger task."""

    seq: str
    content: str
    assigned: bool  # the returning unit leads or cooperates on it


@dataclass
class RowDecision:
    """The outcome for one returned row."""

    row: int
    task_id: str | None
    outcome: str  # applied / unchanged / conflict / rejected
    message: str = ""
    match: str = ""
    base: Values | None = None
    theirs: Values = field(default_factory=Values)
    ours: Values = field(default_factory=Values)
    result: Values | None = None  # the values to write when applied
    supersedes: bool = False  # applied over what an earlier return of this unit had applied
    conflict_fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # remarks added to the message (e.g. a status synonym)
    review: str = ""  # why the clerk should look at this row (e.g. a status outside the list)


def _short(text: str, limit: int = 18) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "……"


def merge_values(base: Values | None, theirs: Values, ours: Values, *, ours_is_theirs_before: bool = False):
    """Field-wise three-way merge. Returns (result, conflicting field names).

    Without a base (hidden data lost) a blank returned field keeps ours, an empty
    ledger field takes theirs, and two different non-empty values conflict.
    `ours_is_theirs_before`: the ledger still holds what an earlier return of the
    same unit applied, so the unit's newer answer wins every field it changed.
    """
    result: dict[str, str] = {}
    conflicts: list[str] = []
    for name in FIELDS:
        b = getattr(base, name) if base is not None else None
        t = getattr(theirs, name)
        o = getattr(ours, name)
        if t == o:
            result[name] = o
        elif b is not None and t == b:
            result[name] = o  # they left it as sent: keep ours
        elif b is None and not t:
            result[name] = o  # no base, blank returned: nothing to take
        elif ours_is_theirs_before or (b is not None and o == b) or (b is None and not o):
            result[name] = t
        else:
            result[name] = o
            conflicts.append(name)
    return Values(**result), conflicts


def decide_row(
    row: ReturnedRow,
    *,
    unit: str,
    tasks: Mapping[str, TaskScope],
    ours: Values,
    previous: Values | None = None,
    stale: bool = False,
) -> RowDecision:
    """Scope checks, then the three-way merge of one row.

    `stale`: the file was saved before a return of the same unit and round that is
    already merged, so it must not win over that newer answer: every field it would
    change becomes a conflict for the clerk.
    """
    head = f"第{row.row}行"
    theirs, notes = row.theirs, []
    status = canonical_status(theirs.status)
    if status and status != theirs.status:
        notes.append(f"状态“{theirs.status}”按“{status}”导入")
        theirs = replace(theirs, status=status)
    common = {"row": row.row, "task_id": row.task_id, "match": row.match, "base": row.base, "theirs": theirs, "ours": ours}
    if row.refused:
        return RowDecision(outcome=REJECTED, message=f"{head}：{row.refused}", **common)
    if row.task_id is None or row.task_id not in tasks:
        label = f"序号{row.seq}“{_short(row.content)}”" if (row.seq or row.content) else "此行"
        return RowDecision(outcome=REJECTED, message=f"{head}：{label}在台账中找不到对应任务，未导入", **common)
    scope = tasks[row.task_id]
    if not scope.assigned:
        return RowDecision(
            outcome=REJECTED, message=f"{head}：任务“{_short(scope.content)}”不属于{unit}，未导入", **common
        )
    if row.locked_changed:
        cols = "、".join(f"“{c}”" for c in row.locked_changed)
        return RowDecision(outcome=REJECTED, message=f"{head}：锁定列{cols}被修改，未导入（locked column changed）", **common)
    if row.locked_fingerprint_changed:
        return RowDecision(outcome=REJECTED, message=f"{head}：锁定列内容与发出时不符，未导入（locked columns changed）",
                           **common)
    sent_status = row.base.status if row.base is not None else ours.status
    review = ""
    if status is None and theirs.status not in (sent_status, ours.status):  # an imported odd status may stay
        # The sheet allows the liaison's own wording: keep the row (text, date, evidence) and the
        # status as typed, and ask the clerk to settle the status.
        review = f"状态“{theirs.status}”不在可选范围（{'/'.join(STATUSES)}），已按所填记录，待办公室核定"
        notes.append(review)
    common["notes"] = notes
    common["review"] = review
    supersedes = not stale and previous is not None and ours == previous and not ours.empty
    result, conflicts = merge_values(row.base, theirs, ours, ours_is_theirs_before=supersedes)
    if stale and (conflicts or result != ours):
        fields = [f for f in FIELDS if f in conflicts or getattr(result, f) != getattr(ours, f)]
        names = "、".join(FIELD_LABELS[c] for c in fields)
        return RowDecision(
            outcome=CONFLICT,
            message=f"{head}：任务“{_short(scope.content)}”的{names}与较晚保存的报送不同，已记为冲突，待人工选择",
            conflict_fields=fields,
            **common,
        )
    if conflicts:
        names = "、".join(FIELD_LABELS[c] for c in conflicts)
        return RowDecision(
            outcome=CONFLICT,
            message=f"{head}：任务“{_short(scope.content)}”的{names}在台账中也被修改过，已记为冲突，待人工选择",
            conflict_fields=conflicts,
            **common,
        )
    if result == ours:
        return RowDecision(outcome=UNCHANGED, **common)
    return RowDecision(outcome=APPLIED, result=result, supersedes=supersedes, **common)


def merge_rows(
    rows: list[ReturnedRow],
    *,
    unit: str,
    tasks: Mapping[str, TaskScope],
    ours: dict[str, Values],
    previous: dict[str, Values] | None = None,
    stale: bool = False,
) -> list[RowDecision]:
    """Decide every row of one returned file; a task returned twice in one file is refused the second time.

    `stale`: the file is older than a return already merged (see `decide_row`)."""
    previous = previous or {}
    seen: dict[str, int] = {}
    decisions: list[RowDecision] = []
    for row in rows:
        if row.task_id is not None and row.task_id in seen:
            decisions.append(
                RowDecision(
                    row=row.row,
                    task_id=row.task_id,
                    outcome=REJECTED,
                    match=row.match,
                    theirs=row.theirs,
                    message=f"第{row.row}行：与第{seen[row.task_id]}行是同一任务，重复，未导入",
                )
            )
            continue
        if row.task_id is not None:
            seen[row.task_id] = row.row
        decision = decide_row(
            row, unit=unit, tasks=tasks, ours=ours.get(row.task_id or "", Values()),
            previous=previous.get(row.task_id or ""), stale=stale,
        )
        notes = [*decision.notes, *row.notes]
        if row.bad_date and decision.outcome != REJECTED:
            tail = {APPLIED: "，其余已采用", UNCHANGED: "，其余无变化"}.get(decision.outcome, "")
            notes.append(f"完成日期“{row.bad_date}”无法识别，完成日期未导入{tail}")
        for note in notes:
            decision.message = (decision.message + "；" if decision.message else f"第{row.row}行：") + note
        decisions.append(decision)
    return decisions


def count(decisions: list[RowDecision]) -> dict[str, int]:
    """Row counts per outcome, with the keys of the merge report."""
    out = {APPLIED: 0, UNCHANGED: 0, "conflicts": 0, REJECTED: 0}
    for d in decisions:
        out["conflicts" if d.outcome == CONFLICT else d.outcome] += 1
    return out
