"""Carry-over (回头看): last year's unfinished and long-term tasks, brought into this year's ledger.

Plain documents in, a document and the links out: no files and no database here (the
command `ledgerdesk carry-over` reads and writes the ledgers), so the rules can be tested
on records alone.

* Which tasks: those not done (app/core/status.py: every lead unit's latest status 已完成),
  and those with deadline kind long_term even when done (the duty goes on next year).
* Each carried task's notes start with "上年延续：{old title} 序号 {seq}", then one line with
  the latest report of each unit that reported (status and text, with its round), or
  "上年最后进展：未报送"; the task's own old notes follow as "原备注：…".
* Into a new plan (`carry_into`): a task of the new plan whose content matches an old one
  is linked (its notes get those lines), not duplicated; the old tasks that match nothing
  are added at the end under a top-level heading "上年延续任务".

Matching (`similarity`, `best_match`): contents are compared after normalize_for_match
(half-width, simplified, no spaces) with all punctuation removed, by rapidfuzz:

* `fuzz.ratio` ≥ MATCH_RATIO (60): the same task reworded. On the seeds, true pairs between
  Xiji 2023 (000) and Xingqing 2023 (003) score 63–100; the closest wrong pair, two tasks
  opening with the same phrase "打造政策精准推送…机制" (专题 vs 接力), scores 57.
* or `fuzz.partial_ratio` ≥ CONTAINED_RATIO (90) with the shorter text at least
  CONTAINED_MIN_CHARS (20) long: the old task folded whole into a larger new one (Xingqing
  merged two of Xiji's tasks into one; those score 95–97). Short texts must not match
  every task that happens to contain them.

Each old task links to the new task with the highest ratio (at or above 60), failing that to
the one containing it best; several old tasks may link to one new task (a merged task carries
both old lines). Ties keep the new plan's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from rapidfuzz import fuzz, process

from app.core.records import Heading, LedgerDocument, Progress, Round, Task, Unit, new_id
from app.core.status import STATE_DONE, latest_progress, task_state
from app.core.text import normalize_for_match

LINK_FORMAT = "ledgerdesk-carry/1"
CARRY_PREFIX = "上年延续："
CARRY_HEADING = "上年延续任务"
NOT_REPORTED = "未报送"
MATCH_RATIO = 60.0
CONTAINED_RATIO = 90.0
CONTAINED_MIN_CHARS = 20
_NOT_WORD = re.compile(r"[\W_]+")
# a fixed day for task_state: done-ness does not depend on the date, only overdue/on-track does
_ANY_DAY = date(2000, 1, 1)

HOW_COPIED = "copied"  # a new task, copied from the old one
HOW_LINKED = "linked"  # an existing task of the new plan that matches the old one


@dataclass
class Link:
    """One carried task: the task in the new ledger ← the task of the old ledger."""

    task_id: str
    old_ledger_id: str
    old_task_id: str
    old_seq: str
    how: str
    score: float | None = None

    def to_json(self) -> dict:
        out = {"task": self.task_id, "old_ledger": self.old_ledger_id, "old_task": self.old_task_id,
               "old_seq": self.old_seq, "how": self.how}
        if self.score is not None:
            out["score"] = round(self.score, 1)
        return out


@dataclass
class CarryResult:
    """The new ledger's document, and what was carried how."""

    doc: LedgerDocument
    links: list[Link] = field(default_factory=list)
    carried: list[Task] = field(default_factory=list)  # the old tasks, in old document order

    @property
    def linked(self) -> list[Link]:
        return [link for link in self.links if link.how == HOW_LINKED]

    @property
    def copied(self) -> list[Link]:
        return [link for link in self.links if link.how == HOW_COPIED]

    def meta(self, old: LedgerDocument, *, into: str | None = None) -> dict:
        """What the batch of the new ledger keeps: every link, and which ledgers they join."""
        return {"format": LINK_FORMAT, "old_ledger": old.ledger_id, "old_title": old.title,
                "into": into, "links": [link.to_json() for link in self.links]}


# ---------------------------------------------------------------- which tasks, and their notes


def progress_by_task(doc: LedgerDocument) -> dict[str, list[Progress]]:
    """Each task's entries, read once (a ledger has tens of thousands)."""
    by_task: dict[str, list[Progress]] = {}
    for entry in doc.progress:
        by_task.setdefault(entry.task_id, []).append(entry)
    return by_task


def tasks_to_carry(doc: LedgerDocument, by_task: dict[str, list[Progress]] | None = None) -> list[Task]:
    """Unfinished tasks and long-term ones, in document order."""
    by_task = progress_by_task(doc) if by_task is None else by_task
    rounds = [r.name for r in doc.rounds]
    return [t for t in doc.tasks
            if t.deadline.kind == "long_term"
            or task_state(t, by_task.get(t.id, []), as_of=_ANY_DAY, rounds=rounds) != STATE_DONE]


def last_reports(doc: LedgerDocument, task: Task, entries: list[Progress] | None = None) -> list[Progress]:
    """Each unit's latest report on `task` (its `entries`, when already picked out): lead units
    first, then cooperating, then any other."""
    entries = [p for p in doc.progress if p.task_id == task.id] if entries is None else entries
    rounds = [r.name for r in doc.rounds]
    units = list(dict.fromkeys([*task.lead_units, *task.coop_units, *(p.unit for p in entries)]))
    found = (latest_progress(entries, unit, rounds=rounds) for unit in units)
    return [entry for entry in found if entry is not None]


def carry_line(old: LedgerDocument, task: Task) -> str:
    return f"{CARRY_PREFIX}{old.title} 序号 {task.seq}"


def carry_notes(old: LedgerDocument, task: Task, entries: list[Progress] | None = None) -> str:
    """The notes a carried task gets: the 上年延续 line, last year's last reports, the old notes."""
    lines = [carry_line(old, task)]
    reports = last_reports(old, task, entries)
    if not reports:
        lines.append(f"上年最后进展：{NOT_REPORTED}")
    for entry in reports:
        said = "，".join(x for x in ((entry.status or "").strip(), (entry.text or "").strip()) if x)
        lines.append(f"上年最后进展：{entry.unit}（{entry.round}）：{said}")
    if task.notes.strip():
        lines.append(f"原备注：{task.notes.strip()}")
    return "\n".join(lines)


def with_carry_notes(notes: str, carried: str) -> str:
    """The carry lines first, the task's own notes after (a task linked twice gets both blocks)."""
    return f"{carried}\n{notes}" if notes.strip() else carried


# ---------------------------------------------------------------- matching


def match_key(text: str) -> str:
    """What is compared: normalised, punctuation and symbols removed."""
    return _NOT_WORD.sub("", normalize_for_match(text or ""))


def similarity(a: str, b: str) -> tuple[bool, float]:
    """(match?, score) of two match keys, by the rules of the module docstring."""
    if not a or not b:
        return False, 0.0
    ratio = fuzz.ratio(a, b)
    if ratio >= MATCH_RATIO:
        return True, ratio
    if min(len(a), len(b)) >= CONTAINED_MIN_CHARS:
        contained = fuzz.partial_ratio(a, b)
        if contained >= CONTAINED_RATIO:
            return True, contained
    return False, ratio


def best_match(task: Task, candidates: list[tuple[str, str]]) -> tuple[str, float] | None:
    """The id and score of the best matching candidate (id, match key), or None: the highest
    ratio at or above MATCH_RATIO; failing that, the candidate containing the task best.
    rapidfuzz's process functions do the loop in C (a plan of thousands of tasks)."""
    key = match_key(task.content)
    if not key or not candidates:
        return None
    keys = [k for _, k in candidates]
    hit = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=MATCH_RATIO)
    if hit is None and len(key) >= CONTAINED_MIN_CHARS:
        long_enough = [k if len(k) >= CONTAINED_MIN_CHARS else "" for k in keys]
        hit = process.extractOne(key, long_enough, scorer=fuzz.partial_ratio, score_cutoff=CONTAINED_RATIO)
    if hit is None:
        return None
    _, score, index = hit
    return candidates[index][0], float(score)


# ---------------------------------------------------------------- building the new ledger


def _shift_year(day: date | None, years: int) -> date | None:
    if day is None or not years:
        return day
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_title(old: LedgerDocument, year: int | None) -> str:
    """The old title with its year changed ("2023年" → "2024年"), else marked as carried."""
    if year is None or year == old.year:
        return old.title
    if old.year and f"{old.year}年" in old.title:
        return old.title.replace(f"{old.year}年", f"{year}年", 1)
    return f"{old.title}（{year}年延续）"


def _copy_task(old: LedgerDocument, task: Task, heading_id: str | None, notes: str, seq: str | None = None) -> Task:
    return replace(task, id=new_id(), seq=seq or task.seq, heading_id=heading_id,
                   lead_units=list(task.lead_units), coop_units=list(task.coop_units),
                   deadline=replace(task.deadline), notes=notes)


def _units_for(target: list[Unit], tasks: list[Task], source: list[Unit]) -> list[Unit]:
    """`target`, plus the directory entries of `source` for units the carried tasks name."""
    have = {u.name for u in target}
    by_name = {u.name: u for u in source}
    out = list(target)
    for task in tasks:
        for name in (*task.lead_units, *task.coop_units):
            if name not in have and name in by_name:
                have.add(name)
                u = by_name[name]
                out.append(Unit(u.name, u.kind, list(u.aliases), u.liaison, u.phone))
    return out


def carry_new(old: LedgerDocument, *, year: int | None = None) -> CarryResult:
    """A new ledger of the carried tasks, under the old headings they sat under (with their
    parents), the old unit directory, and the old rounds moved on by the years between."""
    year = year if year is not None else (old.year + 1 if old.year else None)
    by_task = progress_by_task(old)
    carried = tasks_to_carry(old, by_task)
    needed: set[str] = set()
    by_id = old.heading_map()
    for task in carried:
        hid = task.heading_id
        while hid is not None and hid in by_id and hid not in needed:
            needed.add(hid)
            hid = by_id[hid].parent_id
    heading_ids = {h.id: new_id() for h in old.headings if h.id in needed}
    shift = (year - old.year) if (year and old.year) else 0
    doc = LedgerDocument(
        title=next_title(old, year), year=year, office=old.office,
        headings=[Heading(heading_ids[h.id], h.number, h.title,
                          heading_ids.get(h.parent_id) if h.parent_id else None, h.level)
                  for h in old.headings if h.id in heading_ids],
        units=[Unit(u.name, u.kind, list(u.aliases), u.liaison, u.phone) for u in old.units],
        rounds=[Round(r.name, _shift_year(r.due, shift)) for r in old.rounds],
    )
    result = CarryResult(doc=doc, carried=carried)
    for task in carried:
        copy = _copy_task(old, task, heading_ids.get(task.heading_id) if task.heading_id else None,
                          carry_notes(old, task, by_task.get(task.id, [])))
        doc.tasks.append(copy)
        result.links.append(Link(copy.id, old.ledger_id, task.id, task.seq, HOW_COPIED))
    return result


def carry_into(old: LedgerDocument, plan: LedgerDocument) -> CarryResult:
    """`plan` (next year's ledger) with the carried tasks linked or added; `plan` is not changed.

    The result keeps the plan's task, heading and unit records (copies) and its progress;
    it gets a new ledger id, being a new file."""
    by_task = progress_by_task(old)
    carried = tasks_to_carry(old, by_task)
    doc = LedgerDocument(
        title=plan.title, year=plan.year, office=plan.office,
        headings=[replace(h) for h in plan.headings],
        tasks=[replace(t, lead_units=list(t.lead_units), coop_units=list(t.coop_units), deadline=replace(t.deadline))
               for t in plan.tasks],
        units=[Unit(u.name, u.kind, list(u.aliases), u.liaison, u.phone) for u in plan.units],
        rounds=[replace(r) for r in plan.rounds],
        progress=[replace(p) for p in plan.progress],
        doubts={k: list(v) for k, v in plan.doubts.items()},
    )
    result = CarryResult(doc=doc, carried=carried)
    by_id = {t.id: t for t in doc.tasks}
    candidates = [(t.id, match_key(t.content)) for t in doc.tasks]
    unmatched: list[Task] = []
    for task in carried:
        found = best_match(task, candidates)
        if found is None:
            unmatched.append(task)
            continue
        target = by_id[found[0]]
        target.notes = with_carry_notes(target.notes, carry_notes(old, task, by_task.get(task.id, [])))
        result.links.append(Link(target.id, old.ledger_id, task.id, task.seq, HOW_LINKED, found[1]))
    if unmatched:
        heading = Heading(new_id(), _next_number(doc), CARRY_HEADING, None, 1)
        doc.headings.append(heading)
        for seq, task in zip(_next_seqs(doc, len(unmatched)), unmatched):
            copy = _copy_task(old, task, heading.id, carry_notes(old, task, by_task.get(task.id, [])), seq=seq)
            doc.tasks.append(copy)
            result.links.append(Link(copy.id, old.ledger_id, task.id, task.seq, HOW_COPIED))
        doc.units = _units_for(doc.units, unmatched, old.units)
    return result


_CN = "一二三四五六七八九十"


def _next_seqs(doc: LedgerDocument, count: int) -> list[str]:
    """序号 for added tasks: on from the plan's last number (33, 34, …), or 延1, 延2 … when the
    plan's numbers are not plain numbers."""
    seqs = [t.seq for t in doc.tasks]
    if all(s.isdigit() for s in seqs):
        start = max((int(s) for s in seqs), default=0)
        return [str(start + n) for n in range(1, count + 1)]
    return [f"延{n}" for n in range(1, count + 1)]


def _next_number(doc: LedgerDocument) -> str:
    """The number after the plan's last top-level heading ("四、" → "五、"), as the plan writes it."""
    top = sum(1 for h in doc.headings if h.parent_id is None)
    n = top + 1
    if n <= 10:
        word = _CN[n - 1]
    else:
        tens, ones = divmod(n, 10)
        word = (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[ones - 1] if ones else "")
    return f"{word}、"
