"""Notices from the ledger: who has not returned a round's sheet, their contacts and open tasks (no Qt).

`remind_notice` gathers the records of a 催报通知 (app/formats/notice_docx.py writes them):
the units of the round whose sheet has not come back (sent and not returned, or never
sent; a return held for review has come back), each with its liaison and phone and the
tasks it leads or cooperates on (its groups' tasks too, as on its sheet) that are not
已完成 in its latest report, and the round's due date. `write_notices` writes one letter
for all, or one file per unit into a folder (names made safe, unique as Windows compares).
`supervise_notice` gathers a 督办通知: per unit, the tasks it leads or cooperates on that are, in its
own view as of a date (app/core/status.task_state narrowed to the unit), overdue or due within N
days, each with the unit's last report; long-term and undated tasks are never overdue (unless
reported 未按期完成). A unit with none is not addressed. A unit with its own deadline for a task
(an approved 延期, doc.unit_deadlines) is judged by it, and its notice prints
"<own date>（经批准延期，原定<planned>）".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from app.core.deadlines_unit import task_for_unit, task_state_with_units
from app.core.records import STATUS_DONE, LedgerDocument, Progress
from app.core.sheet_scope import ROLE_LEAD_LABEL, unit_tasks
from app.core.status import (
    DEFAULT_SOON_DAYS,
    STATE_DONE,
    STATE_DUE_SOON,
    STATE_OVERDUE,
    latest_progress,
    task_state,
)
from app.core.units import resolve_units
from app.dispatch_status import dispatch_status
from app.errors import LedgerError
from app.formats.notice_docx import (
    KIND_LABELS,
    KIND_REMIND,
    KIND_SUPERVISE,
    STATE_DUE_LABEL,
    STATE_OVERDUE_LABEL,
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


def supervise_tasks(doc: LedgerDocument, unit: str, by_task: dict[str, list[Progress]], rounds: list[str], *,
                    as_of: date, within: int) -> list[NoticeTask]:
    """The unit's tasks (as on its sheet) overdue or due within `within` days in its own view, overdue first.
    A cooperating unit is not chased for a task its lead units have all reported 已完成."""
    out = []
    for planned, role in unit_tasks(doc, unit):
        task = task_for_unit(planned, unit, doc.unit_deadlines)  # an approved 延期: the unit's own deadline
        entries = by_task.get(task.id, [])
        if not role.startswith(ROLE_LEAD_LABEL) and task_state_with_units(
                planned, entries, doc.unit_deadlines, as_of=as_of, rounds=rounds) == STATE_DONE:
            continue
        state = task_state(task, entries, as_of=as_of, soon_days=within, rounds=rounds, units=[unit])
        if state not in (STATE_OVERDUE, STATE_DUE_SOON):
            continue
        days = (task.deadline.date - as_of).days if task.deadline.date else 0
        latest = latest_progress(entries, unit, rounds=rounds)
        out.append(NoticeTask(
            seq=task.seq, content=task.content or task.key_work, role=role,
            deadline=task.deadline.text if task is planned else
            f"{task.deadline.text}（经批准延期，原定{planned.deadline.text or '未定'}）",
            status=(latest.status or "").strip() if latest else "", task_id=task.id, lead="、".join(task.lead_units),
            state=STATE_OVERDUE_LABEL if state == STATE_OVERDUE else STATE_DUE_LABEL,
            days=max(-days, 0) if state == STATE_OVERDUE else days,
            progress_text=latest.text if latest else "", progress_round=latest.round if latest else "",
            progress_at=latest.updated_at.date() if latest and latest.updated_at else None))
    out.sort(key=lambda t: t.state != STATE_OVERDUE_LABEL)  # stable: the ledger's order within each
    return out


def supervise_notice(ledger: Ledger, *, as_of: date | None = None, within: int = DEFAULT_SOON_DAYS,
                     units: list[str] | None = None, doc: LedgerDocument | None = None) -> Notice:
    """The 督办通知 as of `as_of` (default today): the units (or of `units` only) with tasks overdue
    or due within `within` days, in the directory's order. Its date (成文日期) is `as_of`."""
    if within < 0:
        raise LedgerError(f"--within {within}：天数不能为负数")
    doc = doc if doc is not None and doc.progress else ledger.document()
    as_of = as_of or date.today()
    wanted = resolve_units(doc, units) if units else None
    rounds = [r.name for r in doc.rounds]
    by_task: dict[str, list[Progress]] = defaultdict(list)
    for entry in doc.progress:
        by_task[entry.task_id].append(entry)
    notice = Notice(kind=KIND_SUPERVISE, ledger_title=doc.title, round=rounds[-1] if rounds else "", due=None,
                    issued=as_of, office=doc.office, within=within)
    names = list(dict.fromkeys(wanted)) if wanted is not None else [u.name for u in doc.units if u.kind != "group"]
    notice.total_units = len(names)
    directory = {u.name: u for u in doc.units}
    for name in names:
        tasks = supervise_tasks(doc, name, by_task, rounds, as_of=as_of, within=within)
        if tasks:
            unit = directory.get(name)
            notice.units.append(NoticeUnit(name=name, liaison=unit.liaison if unit else "",
                                           phone=unit.phone if unit else "", tasks=tasks))
    return notice


def _file_tag(notice: Notice) -> str:
    """What tells one run's files apart: the round (催报) or the as-of date (督办)."""
    return notice.issued.isoformat() if notice.kind == KIND_SUPERVISE else notice.round


def unit_file_names(notice: Notice) -> list[FileName]:
    """One file name per unit: "催报通知_单位_轮次.docx" / "督办通知_单位_2023-10-01.docx", safe on Windows
    and Linux, unique in the folder."""
    label = KIND_LABELS[notice.kind]
    tag = _file_tag(notice)
    folder = FolderNames()
    return [folder.claim(u.name, f"{label}_{u.name}_{tag}{NOTICE_SUFFIX}",
                         lambda extra, u=u: safe_stem(f"{label}_{u.name}", f"_{tag}{extra}"), NOTICE_SUFFIX)
            for u in notice.units]


def write_notices(notice: Notice, out: str | Path, *, per_unit: bool = False) -> list[Path]:
    """One letter for all (to `out`), or with `per_unit` one letter per unit into the folder `out`.

    Each file is written atomically; a per-unit run that fails part-way removes what it wrote, so
    the folder holds either every letter or none of this run's."""
    if not notice.units:
        if notice.kind == KIND_SUPERVISE:
            raise LedgerError(f"截至{notice.issued.isoformat()}，没有逾期或即将到期的任务（{notice.within}日内）")
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
