"""Unit scores (考核): per unit and round, what it returned and how its tasks stand, weighed into points.

Plain data in, plain data out (no Qt, no SQL); app/scores.py gathers the inputs from a ledger.
The rules, per unit and reporting round:

* returned on time (按时报送): its return for the round was merged (and not undone) on or before the
  round's due day (the day itself counts as on time; a round with no due date has every return on
  time) — the same measure as the returns dashboard's 已交 / 逾期交: the merge time of the file;
* late (逾期报送): merged after the due day;
* missing (未报送): a sheet was sent and no merged return has come back by now (the as-of date);
  a return whose rows all wait for the clerk's check (待核实) scores as missing until a row of it
  is accepted — then it counts as returned at its merge time;
* not sent (未发出): the office sent the unit nothing for the round: no return points either way
  (the office never asked), but its tasks are still counted;
* done (每项完成): tasks whose entry of this unit in this round has the status 已完成;
* overdue (每项逾期未完成): tasks the unit leads (directly, or through a group such as 各部门（单位）)
  whose deadline date — the unit's own deadline when an extension was approved for it — is
  before the round's reference day (its due date, or the as-of date when that is earlier or the
  round has none) and whose latest report of the unit up to that round is not 已完成;
  long-term deadlines (长期坚持) and deadlines without a date are never overdue;
* rework (每项退回修改): entries of the unit in that round the office returned for rework
  (review items of kind REVIEW_REWORK, whatever became of them; an undone one does not count).

score = the points of the return state + done × 每项完成 + overdue × 每项逾期未完成 + rework × 每项退回修改.
A unit's total adds up its rounds. The default weights (DEFAULT_WEIGHTS): 按时报送 +10, 逾期报送 +5,
未报送 0, 每项完成 +2, 每项逾期未完成 −2, 每项退回修改 −1 — a late return still earns half, a
missing one nothing, and each open deadline missed costs as much as a task done earns.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Protocol

from app.core.records import STATUS_DONE, Deadline, LedgerDocument
from app.core.sheet_scope import group_member_kind, is_group
from app.core.units import unit_kind

FORMAT_TAG = "ledgerdesk-scores/1"

# the weights: key (as kept in the ledger setting "score_weights") → label, default points
WEIGHT_KEYS = ("on_time", "late", "missing", "done", "overdue", "rework")
WEIGHT_LABELS = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送", "done": "每项完成",
                 "overdue": "每项逾期未完成", "rework": "每项退回修改"}
WEIGHT_UNITS = {"on_time": "分/轮", "late": "分/轮", "missing": "分/轮", "done": "分/项", "overdue": "分/项",
                "rework": "分/项"}
DEFAULT_WEIGHTS = {"on_time": 10, "late": 5, "missing": 0, "done": 2, "overdue": -2, "rework": -1}
WEIGHT_LIMIT = 1000  # |points| above this is a typing slip, not a weighting

# return states (the first four as app/dispatch_status.py names them)
SENT, RETURNED, HELD, NOT_SENT = "sent", "returned", "held", "not_sent"
ON_TIME, LATE, MISSING = "on_time", "late", "missing"
STATE_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", MISSING: "未报送", HELD: "待核实", NOT_SENT: "未发出"}


class WeightError(ValueError):
    """A weight that cannot be used; the message names it and says why (in Chinese)."""


def weight_key(name: str) -> str:
    """The key of a weight named by its key ("on_time") or its label ("按时报送"); WeightError otherwise."""
    name = name.strip()
    if name in WEIGHT_LABELS:
        return name
    for key, label in WEIGHT_LABELS.items():
        if name == label:
            return key
    known = "、".join(WEIGHT_LABELS.values())
    raise WeightError(f"考核权重“{name}”不存在（可用：{known}）")


def weight_value(name: str, value: object) -> float | int:
    """A weight's points: a finite number within ±WEIGHT_LIMIT (a numeric text is read as a number)."""
    label = WEIGHT_LABELS.get(name, name)
    if isinstance(value, str):
        text = value.strip().replace("＋", "+").replace("－", "-").replace("−", "-")
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise WeightError(f"考核权重“{label}”的值“{value}”不是数字") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeightError(f"考核权重“{label}”的值“{value}”不是数字")
    if abs(value) > WEIGHT_LIMIT:
        raise WeightError(f"考核权重“{label}”的值 {value} 超出范围（应在 −{WEIGHT_LIMIT} 到 {WEIGHT_LIMIT} 之间）")
    return int(value) if float(value).is_integer() else float(value)


def points_text(value: float) -> str:
    """+10, −2, 0, +1.5: a weight as the table's header shows it."""
    value = int(value) if float(value).is_integer() else round(value, 2)
    if value > 0:
        return f"+{value}"
    return f"−{-value}" if value < 0 else "0"


def number_text(value: float) -> str:
    """12, 7.5, −3: a score without a trailing .0."""
    value = int(value) if float(value).is_integer() else round(value, 2)
    return f"−{-value}" if value < 0 else str(value)


@dataclass(frozen=True)
class ScoreWeights:
    """Points per return state (per round) and per task counted; see the module docstring."""

    on_time: float = DEFAULT_WEIGHTS["on_time"]
    late: float = DEFAULT_WEIGHTS["late"]
    missing: float = DEFAULT_WEIGHTS["missing"]
    done: float = DEFAULT_WEIGHTS["done"]
    overdue: float = DEFAULT_WEIGHTS["overdue"]
    rework: float = DEFAULT_WEIGHTS["rework"]

    @classmethod
    def from_json(cls, value: object) -> ScoreWeights:
        """The weights of a setting: a JSON object of some keys (the others take the defaults);
        an unknown key or a value that is not a number is refused (WeightError)."""
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise WeightError("考核权重设置应为“名称: 分值”的对象（score_weights must be a JSON object）")
        return cls().replace_with(value)

    def replace_with(self, changes: Mapping[str, object]) -> ScoreWeights:
        """These weights with some changed; keys by key or label, values numbers or numeric texts."""
        values = self.to_json()
        for name, value in changes.items():
            key = weight_key(str(name))
            values[key] = weight_value(key, value)
        return ScoreWeights(**values)

    def to_json(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def changed_from_defaults(self) -> dict[str, float]:
        """Only the weights that differ from the defaults (what the setting needs to keep)."""
        return {k: v for k, v in self.to_json().items() if v != DEFAULT_WEIGHTS[k]}

    def state_points(self, state: str) -> float:
        if state == HELD:
            return self.missing
        return getattr(self, state) if state in (ON_TIME, LATE, MISSING) else 0

    def describe(self) -> str:
        """One line for above the tables: "按时报送 +10 分/轮；逾期报送 +5 分/轮；…"."""
        return "；".join(f"{WEIGHT_LABELS[k]} {points_text(v)} {WEIGHT_UNITS[k]}" for k, v in self.to_json().items())


class Entry(Protocol):
    """A progress entry as the scores read it (app.core.records.Progress, or the window's marks)."""

    task_id: str
    unit: str
    round: str
    status: str
    text: str


@dataclass(frozen=True)
class ReturnFact:
    """One unit's return for one round, as app/dispatch_status.py found it."""

    unit: str
    round: str
    state: str  # SENT, RETURNED, HELD, NOT_SENT
    returned_at: datetime | None = None


@dataclass
class UnitScore:
    """One unit in one round: its return state, the counts and the points."""

    unit: str
    round: str
    state: str  # ON_TIME, LATE, MISSING, HELD, NOT_SENT
    returned_at: datetime | None = None
    done: int = 0
    overdue: int = 0
    rework: int = 0
    score: float = 0

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_json(self) -> dict:
        return {"unit": self.unit, "round": self.round, "state": self.state, "label": self.label,
                "returned_at": self.returned_at.isoformat() if self.returned_at else None, "done": self.done,
                "overdue": self.overdue, "rework": self.rework, "score": self.score}


@dataclass
class UnitTotal:
    """One unit over the rounds scored: how many rounds of each return state, the task counts, the sum."""

    unit: str
    on_time: int = 0
    late: int = 0
    missing: int = 0  # 待核实 counted here, as it is scored
    not_sent: int = 0
    done: int = 0
    overdue: int = 0
    rework: int = 0
    score: float = 0

    def to_json(self) -> dict:
        return {"unit": self.unit, "on_time": self.on_time, "late": self.late, "missing": self.missing,
                "not_sent": self.not_sent, "done": self.done, "overdue": self.overdue, "rework": self.rework,
                "score": self.score}


@dataclass
class RoundInfo:
    name: str
    due: date | None = None


@dataclass
class ScoreTable:
    """Everything the table, the files and the JSON show."""

    weights: ScoreWeights
    as_of: date
    rounds: list[RoundInfo] = field(default_factory=list)
    rows: list[UnitScore] = field(default_factory=list)  # round by round, units in the dashboard's order
    totals: list[UnitTotal] = field(default_factory=list)  # highest score first, then the units' order

    def rows_of(self, round_name: str) -> list[UnitScore]:
        return [r for r in self.rows if r.round == round_name]

    def to_json(self) -> dict:
        return {"format": FORMAT_TAG, "as_of": self.as_of.isoformat(), "weights": self.weights.to_json(),
                "rounds": [{"name": r.name, "due": r.due.isoformat() if r.due else None,
                            "units": [s.to_json() for s in self.rows_of(r.name)]} for r in self.rounds],
                "units": [t.to_json() for t in self.totals]}


def _rounded(value: float) -> float:
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def return_state(fact: ReturnFact, due: date | None) -> str:
    """ON_TIME / LATE / MISSING / HELD / NOT_SENT for one return (on the due day is on time)."""
    if fact.state == RETURNED and fact.returned_at is not None:
        late = due is not None and fact.returned_at.astimezone().date() > due
        return LATE if late else ON_TIME
    if fact.state == HELD:
        return HELD
    return NOT_SENT if fact.state == NOT_SENT else MISSING


def led_pairs(doc: LedgerDocument) -> list[tuple[str, str]]:
    """(task id, unit) for every task a unit of the directory leads, directly or through a group that
    stands for every unit of its kind (the rule of app/core/sheet_scope.role_of), in document order."""
    by_kind: dict[str, list[str]] = {}
    for unit in doc.units:
        if not is_group(unit):
            kind = unit.kind if unit.kind in ("department", "township") else unit_kind(unit.name)
            by_kind.setdefault(kind, []).append(unit.name)
    out: list[tuple[str, str]] = []
    for task in doc.tasks:
        seen: set[str] = set()
        for name in task.lead_units:
            for unit in (name, *by_kind.get(group_member_kind(name) or "", ())):
                # a unit named as cooperating is not a lead through a group (role_of: named roles first)
                if unit in seen or (unit != name and unit in task.coop_units):
                    continue
                seen.add(unit)
                out.append((task.id, unit))
    return out


def _reference_day(due: date | None, as_of: date) -> date:
    return min(due, as_of) if due is not None else as_of


def _can_be_overdue(deadline: Deadline) -> bool:
    return deadline.date is not None and deadline.kind != "long_term"


def compute_scores(doc: LedgerDocument, progress: Iterable[Entry], returns: Sequence[ReturnFact], *,
                   weights: ScoreWeights, as_of: date, unit_deadlines: Mapping[tuple[str, str], Deadline] | None = None,
                   rework: Iterable[tuple[str, str]] = (), round_name: str | None = None) -> ScoreTable:
    """The scores of every unit `returns` lists, round by round (only `round_name` when given).

    `progress`: every entry (task, unit, round, status, text); `unit_deadlines`: (task id, unit) →
    the unit's own deadline where an extension was approved; `rework`: (unit, round) per entry
    returned for rework."""
    order = [r.name for r in doc.rounds]
    position = {name: i for i, name in enumerate(order)}
    rounds = [RoundInfo(r.name, r.due) for r in doc.rounds if round_name in (None, r.name)]
    dues = {r.name: r.due for r in doc.rounds}
    tasks = {t.id: t for t in doc.tasks}
    own = unit_deadlines or {}

    done: Counter[tuple[str, str]] = Counter()
    reports: dict[tuple[str, str], dict[int, str]] = {}  # (task, unit) → round index → status
    for entry in progress:
        if entry.task_id not in tasks or entry.round not in position:
            continue
        status = (entry.status or "").strip()
        if status == STATUS_DONE:
            done[(entry.unit, entry.round)] += 1
        if status or (entry.text or "").strip():
            reports.setdefault((entry.task_id, entry.unit), {})[position[entry.round]] = status

    overdue: Counter[tuple[str, str]] = Counter()
    refs = [(r, position[r.name], _reference_day(r.due, as_of)) for r in rounds]
    for task_id, unit in led_pairs(doc):
        deadline = own.get((task_id, unit)) or tasks[task_id].deadline
        if not _can_be_overdue(deadline):
            continue
        said = reports.get((task_id, unit), {})
        for info, index, ref in refs:
            if deadline.date >= ref:  # type: ignore[operator]
                continue
            latest = max((i for i in said if i <= index), default=None)
            if latest is None or said[latest] != STATUS_DONE:
                overdue[(unit, info.name)] += 1

    returned_for_rework = Counter(rework)
    wanted = {r.name for r in rounds}
    rows: list[UnitScore] = []
    totals: dict[str, UnitTotal] = {}
    for fact in returns:
        if fact.round not in wanted:
            continue
        key = (fact.unit, fact.round)
        state = return_state(fact, dues.get(fact.round))
        row = UnitScore(fact.unit, fact.round, state, fact.returned_at if state in (ON_TIME, LATE) else None,
                        done=done[key], overdue=overdue[key], rework=returned_for_rework[key])
        row.score = _rounded(weights.state_points(state) + row.done * weights.done + row.overdue * weights.overdue
                             + row.rework * weights.rework)
        rows.append(row)
        total = totals.setdefault(fact.unit, UnitTotal(fact.unit))
        if state in (ON_TIME, LATE):
            setattr(total, state, getattr(total, state) + 1)
        elif state == NOT_SENT:
            total.not_sent += 1
        else:
            total.missing += 1
        total.done += row.done
        total.overdue += row.overdue
        total.rework += row.rework
        total.score = _rounded(total.score + row.score)
    ranked = sorted(totals.values(), key=lambda t: -t.score)  # stable: equal scores keep the units' order
    rows.sort(key=lambda r: position.get(r.round, -1))  # stable: the units' order within a round
    return ScoreTable(weights=weights, as_of=as_of, rounds=rounds, rows=rows, totals=ranked)


# ---------------------------------------------------------------- the tables, as the files and the window show them

SUMMARY_COLUMNS = ("名次", "单位", "按时报送（轮）", "逾期报送（轮）", "未报送（轮）", "完成任务（项）",
                   "逾期未完成（项）", "退回修改（项）", "总分")
ROUND_COLUMNS = ("序号", "单位", "报送情况", "交回时间", "完成任务（项）", "逾期未完成（项）", "退回修改（项）", "得分")
SCORE_COLUMN = -1  # the last column of both


def ranks(scores: Sequence[float]) -> list[int]:
    """Competition ranks of scores sorted highest first: equal scores share a rank (1, 2, 2, 4)."""
    out: list[int] = []
    for i, score in enumerate(scores):
        out.append(out[-1] if i and score == scores[i - 1] else i + 1)
    return out


def summary_values(table: ScoreTable) -> list[tuple]:
    """One row per unit: rank, unit, rounds on time / late / missing, tasks done / overdue / reworked, total."""
    places = ranks([t.score for t in table.totals])
    return [(place, t.unit, t.on_time, t.late, t.missing, t.done, t.overdue, t.rework, t.score)
            for place, t in zip(places, table.totals)]


def round_values(table: ScoreTable, round_name: str) -> list[tuple]:
    """One row per unit of the round: number, unit, return state, returned at, the counts, its score."""
    return [(i, r.unit, r.label, r.returned_at, r.done, r.overdue, r.rework, r.score)
            for i, r in enumerate(table.rows_of(round_name), start=1)]


def time_text(value: datetime | None) -> str:
    """When a return was merged, local time to the minute ("" when none)."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""
