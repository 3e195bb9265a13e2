"""The 要点落实 part of the 政府信息公开工作年度报告: per section, what was done, from the ledger.

Plain records in, plain records out (app/formats/report_docx.py writes the .docx, the
command `ledgerdesk report` prints the counts), so the counting can be tested alone.

* Sections are the top-level headings (a task under "（一）…" counts for its "一、…");
  tasks under no heading form a last section "其他任务".
* A task is 已完成 (done) as app/core/status.py decides; 未完成 (not done) when it is
  overdue on the report date (its date passed, or a lead unit reported 未按期完成);
  推进中 (in progress) otherwise: on track, due soon, long-term, or without a date.
* The reason a task is not done: for each lead unit that has not finished, its latest
  progress text ("单位：text"; its status when it gave no text) or "单位：未报送"; the lead
  units that did finish are named after it ("（县民政局已完成）"). A task none of whose lead
  units ever reported has the reason "未报送" alone (the .docx lists those together).
* The main measures: the latest progress texts of the lead units of the done and
  in-progress tasks, the same text said of several tasks once, citing their 序号; a text
  that only repeats a status ("已完成。") says nothing and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from app.core.deadlines_unit import task_state_with_units
from app.core.records import STATUS_DONE, STATUSES, LedgerDocument, Progress, Task
from app.core.status import STATE_DONE, STATE_OVERDUE, latest_progress

JSON_FORMAT = "ledgerdesk-report/1"
DONE, IN_PROGRESS, NOT_DONE = "done", "in_progress", "not_done"
OTHER_SECTION = "其他任务"
NOT_REPORTED = "未报送"
_END_PUNCT = re.compile(r"[。；;，,.\s]+$")


@dataclass
class Measure:
    """One measure: a progress text and the 序号 of the tasks it was reported for."""

    text: str
    seqs: list[str] = field(default_factory=list)


@dataclass
class Unfinished:
    """A task not done, and why (its lead units' latest words)."""

    seq: str
    content: str
    reason: str


@dataclass
class SectionReport:
    """One top-level section of the plan."""

    number: str
    title: str
    tasks: int = 0
    done: int = 0
    in_progress: int = 0
    not_done: int = 0
    measures: list[Measure] = field(default_factory=list)
    unfinished: list[Unfinished] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number}{self.title}"

    def counts(self) -> dict:
        return {"tasks": self.tasks, "done": self.done, "in_progress": self.in_progress, "not_done": self.not_done}


@dataclass
class AnnualReport:
    """The whole part: the plan's title and year, the date, the sections."""

    ledger_title: str
    year: int | None
    office: str
    as_of: date
    sections: list[SectionReport] = field(default_factory=list)

    def totals(self) -> dict:
        out = {"tasks": 0, "done": 0, "in_progress": 0, "not_done": 0}
        for section in self.sections:
            for key, value in section.counts().items():
                out[key] += value
        return out

    def to_json(self) -> dict:
        return {"format": JSON_FORMAT, "title": self.ledger_title, "year": self.year,
                "as_of": self.as_of.isoformat(),
                "sections": [{"title": s.label, **s.counts()} for s in self.sections],
                "totals": self.totals()}


def classify(state: str) -> str:
    if state == STATE_DONE:
        return DONE
    if state == STATE_OVERDUE:
        return NOT_DONE
    return IN_PROGRESS


def _lead_units(task: Task, entries: list[Progress]) -> list[str]:
    return list(dict.fromkeys(task.lead_units)) or sorted({p.unit for p in entries})


def _lead_reports(task: Task, entries: list[Progress], rounds: list[str]) -> list[Progress]:
    found = (latest_progress(entries, unit, rounds=rounds) for unit in _lead_units(task, entries))
    return [e for e in found if e is not None]


def reason_of(units: list[str], reports: list[Progress]) -> str:
    """Why a task is not done, in the words of its lead units that have not finished; 未报送
    when none of them ever reported."""
    if not reports:
        return NOT_REPORTED
    latest = {entry.unit: entry for entry in reports}
    parts, finished = [], []
    for unit in units:
        entry = latest.get(unit)
        if entry is None:
            parts.append(f"{unit}：{NOT_REPORTED}")
        elif (entry.status or "").strip() == STATUS_DONE:
            finished.append(unit)
        else:
            said = (entry.text or "").strip() or (entry.status or "").strip()
            parts.append(f"{unit}：{_END_PUNCT.sub('', said)}")
    reason = "；".join(parts)
    if finished:
        reason += f"（{'、'.join(finished)}已完成）"
    return reason


def _says_something(text: str) -> bool:
    return bool(text) and text not in STATUSES


def _top_heading_of(doc: LedgerDocument) -> dict[str, str]:
    """heading id → the id of its top-level heading."""
    by_id = doc.heading_map()
    top: dict[str, str] = {}
    for heading in doc.headings:
        hid, seen = heading.id, set()
        while by_id[hid].parent_id is not None and by_id[hid].parent_id in by_id and hid not in seen:
            seen.add(hid)
            hid = by_id[hid].parent_id
        top[heading.id] = hid
    return top


def build_report(doc: LedgerDocument, *, as_of: date) -> AnnualReport:
    """Count and describe every top-level section of `doc` as of `as_of`."""
    rounds = [r.name for r in doc.rounds]
    by_task: dict[str, list[Progress]] = {}
    for entry in doc.progress:
        by_task.setdefault(entry.task_id, []).append(entry)
    top = _top_heading_of(doc)
    sections: dict[str | None, SectionReport] = {
        h.id: SectionReport(h.number, h.title) for h in doc.headings if h.parent_id is None or h.id == top[h.id]
    }
    measures: dict[str | None, dict[str, Measure]] = {}
    for task in doc.tasks:
        key = top.get(task.heading_id) if task.heading_id else None
        if key not in sections:
            sections[None] = sections.get(None) or SectionReport("", OTHER_SECTION)
            key = None
        section = sections[key]
        entries = by_task.get(task.id, [])
        # a lead unit's approved 延期 moves its deadline (the export's 统计 counts it the same way)
        kind = classify(task_state_with_units(task, entries, doc.unit_deadlines, as_of=as_of, rounds=rounds))
        section.tasks += 1
        reports = _lead_reports(task, entries, rounds)
        if kind == NOT_DONE:
            section.not_done += 1
            section.unfinished.append(Unfinished(task.seq, task.content,
                                                 reason_of(_lead_units(task, entries), reports)))
            continue
        if kind == DONE:
            section.done += 1
        else:
            section.in_progress += 1
        found = measures.setdefault(key, {})
        for entry in reports:
            text = _END_PUNCT.sub("", (entry.text or "").strip())
            if _says_something(text):
                measure = found.setdefault(text, Measure(text))
                if not measure.seqs or measure.seqs[-1] != task.seq:  # two lead units, same words: cite once
                    measure.seqs.append(task.seq)
    for key, section in sections.items():
        section.measures = list(measures.get(key, {}).values())
    ordered = [s for k, s in sections.items() if k is not None and s.tasks] + (
        [sections[None]] if None in sections else [])
    return AnnualReport(doc.title, doc.year, doc.office, as_of, ordered)
