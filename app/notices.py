"""Notices from the ledger: who has not returned a round's sheet, their contacts and open tasks (no Qt).

`remind_notice` gathers the records of a 催报通知 (app/formats/notice_docx.py writes them):
the units of the round whose sheet has not come back (sent and not returned, or never
sent; a return held for review has come back), each with its liaison and phone and the
tasks it leads or cooperates on (its groups' tasks too, as on its sheet) that are not
已完成 in its latest report, and the round's due date. `write_notices` writes one letter
for all, or one file per unit into a folder (names made safe, unique as Windows compares).
A 督办通知 (kind "supervise") will gather overdue tasks the same way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from app.core.records import STATUS_DONE, LedgerDocument, Progress
from app.core.sheet_scope import unit_tasks
from app.core.status import latest_progress
from app.core.units import resolve_units
from app.dispatch_status import dispatch_status
from app.errors import LedgerError
from app.formats.notice_docx import (
    KIND_LABELS,
    KIND_REMIND,
    Notice,
    NoticeTask,
    NoticeUnit,
    write_notice,
    write_unit_notice,
)
from app.formats.safe_names import FileName, FolderNames, safe_stem
from app.ledger import Ledger

NOTICE_SUFFIX = ".docx"


def current_round(doc: LedgerDocument, round_name: str | None = None) -> str:
    """The named round, else the last one (the round the window calls 本轮); a name the ledger lacks
    is one line listing the rounds it has."""
    names = [r.name for r in doc.rounds]
    if not names:
        raise LedgerError("台账中还没有报送轮次（no rounds）；请先生成报送表或添加轮次")
    if round_name is None:
        return names[-1]
    if round_name not in names:
        raise LedgerError(f"报送轮次“{round_name}”不存在（unknown round）；已有：{'、'.join(names)}")
    return round_name



def open_tasks(doc: LedgerDocument, unit: str, progress: list[Progress], rounds: list[str]) -> list[NoticeTask]:
    """The unit's tasks (as on its sheet) whose latest report by the unit is not 已完成."""
    by_task: dict[str, list[Progress]] = defaultdict(list)
    for entry in progress:
        if entry.unit == unit:
            by_task[entry.task_id].append(entry)
    out = []
    for task, role in unit_tasks(doc, unit):
        latest = latest_progress(by_task.get(task.id, ()), unit, rounds=rounds)
        status = (latest.status or "").strip() if latest else ""
        if status == STATUS_DONE:
            continue
        out.append(NoticeTask(seq=task.seq, content=task.content or task.key_work, role=role,
                              deadline=task.deadline.text, status=status, task_id=task.id,
                              lead="、".join(task.lead_units)))
    return out


def remind_notice(ledger: Ledger, round_name: str | None = None, *, units: list[str] | None = None,
                  issued: date | None = None, doc: LedgerDocument | None = None) -> Notice:
    """The 催报通知 of a round (default: the last): the units that have not returned, or of those
    only the ones named in `units` (a named unit that has returned is left out: nothing to remind)."""
    doc = doc if doc is not None and doc.progress else ledger.document()
    name = current_round(doc, round_name)
    wanted = set(resolve_units(doc, units)) if units else None
    rows = dispatch_status(ledger, name, doc=doc)
    directory = {u.name: u for u in doc.units}
    rounds = [r.name for r in doc.rounds]
    notice = Notice(kind=KIND_REMIND, ledger_title=doc.title, round=name,
                    due=next(r.due for r in doc.rounds if r.name == name), issued=issued or date.today(),
                    office=doc.office, total_units=len(rows), returned_units=sum(not r.missing for r in rows))
    for row in rows:
        if not row.missing or (wanted is not None and row.unit not in wanted):
            continue
        unit = directory.get(row.unit)
        notice.units.append(NoticeUnit(
            name=row.unit, liaison=unit.liaison if unit else "", phone=unit.phone if unit else "",
            sent_at=row.sent_at.date() if row.sent_at else None,
            tasks=open_tasks(doc, row.unit, doc.progress, rounds)))
    return notice


def unit_file_names(notice: Notice) -> list[FileName]:
    """One file name per unit: "催报通知_单位_轮次.docx", safe on Windows and Linux, unique in the folder."""
    label = KIND_LABELS[notice.kind]
    folder = FolderNames()
    return [folder.claim(u.name, f"{label}_{u.name}_{notice.round}{NOTICE_SUFFIX}",
                         lambda extra, u=u: safe_stem(f"{label}_{u.name}", f"_{notice.round}{extra}"), NOTICE_SUFFIX)
            for u in notice.units]


def write_notices(notice: Notice, out: str | Path, *, per_unit: bool = False) -> list[Path]:
    """One letter for all (to `out`), or with `per_unit` one letter per unit into the folder `out`.

    Each file is written atomically; a per-unit run that fails part-way removes what it wrote, so
    the folder holds either every letter or none of this run's."""
    if not notice.units:
        raise LedgerError(f"{notice.round}：所有单位均已报送，无需催报（every unit has returned）")
    out = Path(out)
    if not per_unit:
        if out.is_dir():
            raise LedgerError(f"{out.name}：是一个文件夹；一份通知请给出文件名，每个单位一份请用 --per-unit")
        return [write_notice(notice, out)]
    if out.exists() and not out.is_dir():
        raise LedgerError(f"{out.name}：已存在且不是文件夹（--per-unit 需要一个文件夹）")
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for unit, name in zip(notice.units, unit_file_names(notice)):
            written.append(write_unit_notice(notice, unit, out / name.name))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if made:
            try:
                out.rmdir()
            except OSError:
                pass
        raise
    return written
