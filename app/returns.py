"""Merge what comes back from the units (no Qt); sending the sheets is app/sending.py.

`merge_files` reads returned files, decides
every row with the three-way merge (app.core.merge) and writes the outcome through
the Ledger facade: one logged batch per merged file (kind "merge", with the file's
sha256 so the same file is recognised next time), conflicts kept for the clerk,
a backup copy of the ledger first. A dry run computes the same report and writes
nothing. Several files in one call see each other's effect in memory, so a dry
run reports what the real merge would do.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.core import merge as mg
from app.core.merge import ReturnedRow, TaskScope, Values, parse_done_date
from app.core.records import LedgerDocument, Progress, Round
from app.core.sheet_scope import MATCH_BY_ID, match_row, match_unit, role_of
from app.core.text import normalize_for_match
from app.errors import InputError, LedgerError
from app.formats.returns import (
    SUPPORTED_SUFFIXES,
    ReturnedSheet,
    parse_saved_at,
    read_return_file,
    saved_time,
)
from app.formats.returns import (
    LOCKED,
    column_hashes,
    fingerprint,
)
from app.ledger import Conflict, Ledger, MergeItem

MERGED, DUPLICATE, REJECTED = "merged", "duplicate", "rejected"


# ------------------------------------------------------------------------------ report
@dataclass
class FileReport:
    file: str
    unit: str | None = None
    round: str | None = None
    outcome: str = REJECTED
    applied: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)
    batch: str | None = None
    updated_over_previous: int = 0
    identified_by: str = ""
    file_hash: str = ""
    saved_at: datetime | None = None  # when the file was last saved (UTC), see return_read.saved_time
    saved_from: str = ""  # where that time comes from (file properties, package, modification time)
    decisions: list[mg.RowDecision] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "file": self.file, "unit": self.unit, "round": self.round, "outcome": self.outcome,
            "applied": self.applied, "unchanged": self.unchanged, "conflicts": self.conflicts,
            "rejected": self.rejected, "messages": list(self.messages), "batch": self.batch,
            "updated_over_previous": self.updated_over_previous, "identified_by": self.identified_by,
            "sha256": self.file_hash, "saved_at": self.saved_at.isoformat() if self.saved_at else None,
            "saved_from": self.saved_from,
            "rows": [{"row": d.row, "task_id": d.task_id, "outcome": d.outcome, "match": d.match}
                     for d in self.decisions],
        }


@dataclass
class MergeReport:
    batch: str | None = None  # the merged file's batch, or a merge id covering several batches
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    backup: str | None = None

    def to_json(self) -> dict:
        return {"batch": self.batch, "dry_run": self.dry_run, "files": [f.to_json() for f in self.files],
                "batches": list(self.batches), "backup": self.backup}

    @property
    def readable_files(self) -> int:
        return sum(1 for f in self.files if f.outcome != REJECTED)


# ------------------------------------------------------------------------------ merge
def expand_paths(paths: list[Path]) -> list[Path]:
    """Folders become the supported files inside them (sorted; Office lock files "~$…" skipped)."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                              and not p.name.startswith(("~$", "."))))
        else:
            out.append(path)
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _State:
    """What the ledger holds, updated in memory as files are decided (so dry runs tell the truth)."""

    def __init__(self, ledger: Ledger, doc: LedgerDocument) -> None:
        self.ledger = ledger
        self.doc = doc
        self.tasks = {t.id: t for t in doc.tasks}
        self.ours: dict[tuple[str, str, str], Values] = {(p.task_id, p.unit, p.round): Values.of(p) for p in doc.progress}
        self.batches = [b for b in ledger.batches() if not b.undone]
        self.hashes = {b.file_hash: b for b in self.batches if b.file_hash}
        self._previous: dict[tuple[str, str], dict[str, Values]] = {}
        # (unit, round) → [(saved time, file name)] of the returns merged so far
        self.saved: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        for b in self.batches:
            at = parse_saved_at(b.meta.get("saved_at")) if b.kind == "merge" and b.unit and b.round else None
            if at is not None:
                self.saved.setdefault((b.unit, b.round), []).append((at, b.source))

    def newer_return(self, unit: str, round_name: str, saved_at: datetime | None) -> str | None:
        """The file name of a merged return of this unit and round saved after `saved_at`, if any."""
        if saved_at is None:
            return None
        later = [(at, name) for at, name in self.saved.get((unit, round_name), []) if at > saved_at]
        return max(later)[1] if later else None

    def previous(self, unit: str, round_name: str) -> dict[str, Values]:
        """Task id → what the latest earlier return of this unit and round applied."""
        key = (unit, round_name)
        if key not in self._previous:
            found: dict[str, Values] = {}
            for batch in sorted(self.batches, key=lambda b: b.created_at):
                if batch.kind != "merge" or batch.unit != unit or batch.round != round_name or not batch.change_count:
                    continue
                for change in self.ledger.changes_of_batch(batch.id):
                    if change["entity"] == "progress" and change["new"]:
                        task_id = change["key"][0]
                        new = change["new"]
                        found[task_id] = Values.make(new.get("status"), new.get("text"), new.get("done_date") or "",
                                                     new.get("evidence"))
            self._previous[key] = found
        return self._previous[key]


def _identify(sheet: ReturnedSheet, doc: LedgerDocument, report: FileReport) -> bool:
    """Fill unit and round; False (with the reason in messages) when the file is not for this ledger."""
    if sheet.hidden:
        if sheet.ledger_id and sheet.ledger_id != doc.ledger_id:
            report.messages.append("此表属于另一本台账（ledger id 不符），未导入（sheet belongs to another ledger）")
            return False
        if sheet.unit not in doc.unit_names():
            report.messages.append(f"表中的单位“{sheet.unit}”不在本台账的单位名录中，未导入")
            return False
        if sheet.round not in [r.name for r in doc.rounds]:
            report.messages.append(f"表中的报送轮次“{sheet.round}”不在本台账中，未导入（unknown round）")
            return False
        report.unit, report.round, report.identified_by = sheet.unit, sheet.round, "隐藏数据"
        return True
    stem = sheet.path.stem
    unit, how = match_unit(doc, stem)
    if unit is None:
        unit, how = match_unit(doc, sheet.preamble)
        how = how.replace("文件名", "表头文字")
    if unit is None:
        report.messages.append("表内没有隐藏数据，文件名和表头中也认不出单位，未导入；请把文件名改为“单位_轮次”后重试")
        return False
    round_name = _round_from_text(doc.rounds, stem) or _round_from_text(doc.rounds, sheet.preamble)
    if round_name is None and len(doc.rounds) == 1:
        round_name = doc.rounds[0].name
    if round_name is None:
        report.messages.append("表内没有隐藏数据，无法确定报送轮次，未导入；请在文件名中写明轮次（如“_第一次报送”）")
        return False
    report.unit, report.round, report.identified_by = unit, round_name, how
    report.messages.append(f"表内没有隐藏数据：{how}识别为{unit}，轮次“{round_name}”；各行按序号与内容匹配")
    return True


def _round_from_text(rounds: list[Round], text: str) -> str | None:
    key = normalize_for_match(text)
    hits = [r.name for r in rounds if normalize_for_match(r.name) and normalize_for_match(r.name) in key]
    return max(hits, key=len) if hits else None


def _rows(sheet: ReturnedSheet, state: _State, unit: str, scopes: dict[str, TaskScope]) -> list[ReturnedRow]:
    """Match each read row to a task and build the merge's input."""
    doc = state.doc
    own = {tid for tid, scope in scopes.items() if scope.assigned}
    rows = []
    for read in sheet.rows:
        cells = read.cells
        seq, content = cells.get("序号", ""), cells.get("主要内容", "")
        if read.task_id and read.task_id in state.tasks:
            task_id, how = read.task_id, MATCH_BY_ID
        else:
            found = match_row(doc, seq, content, prefer=own)
            task_id, how = found.task_id, found.how
        sent = sheet.sent.get(task_id) if task_id else None
        base = sent.base if sent else None
        changed: list[str] = []
        whole_row_changed = False
        if sent and sent.columns:
            now = column_hashes(cells)
            changed = [c for c in LOCKED if c in cells and c in sent.columns and now[c] != sent.columns[c]]
        elif sent and sent.fingerprint and all(c in cells for c in LOCKED):
            # per-column hashes lost (damaged hidden cell): the whole-row fingerprint still guards the row
            whole_row_changed = fingerprint(cells) != sent.fingerprint
        fallback = base or Values()
        bad_date = ""
        done = fallback.done_date
        if "完成日期" in cells:
            parsed = parse_done_date(cells["完成日期"])
            if parsed is None:
                bad_date = cells["完成日期"]
            else:
                done = parsed
        theirs = Values.make(cells.get("状态", fallback.status), cells.get("进展落实情况", fallback.text), done,
                             cells.get("佐证材料", fallback.evidence))
        rows.append(ReturnedRow(row=read.row, task_id=task_id, theirs=theirs, base=base, match=how, seq=seq,
                                content=content, locked_changed=changed,
                                locked_fingerprint_changed=whole_row_changed, bad_date=bad_date))
    return rows


def _decide_file(path: Path, state: _State, report: FileReport) -> tuple[list[Progress], list[Conflict]]:
    sheet = read_return_file(path)
    if not _identify(sheet, state.doc, report):
        return [], []
    unit, round_name = report.unit, report.round
    assert unit is not None and round_name is not None
    # In scope: tasks the unit is named on, and the group tasks its sheet was sent with; a sheet that
    # lost its hidden data is taken as sent the default way (with the groups the unit belongs to).
    scopes = {t.id: TaskScope(t.seq, t.content, t.id in sheet.sent or role_of(
        state.doc, t, unit, include_groups=not sheet.hidden) is not None) for t in state.doc.tasks}
    ours = {tid: v for (tid, u, r), v in state.ours.items() if u == unit and r == round_name}
    previous = state.previous(unit, round_name)
    newer = state.newer_return(unit, round_name, report.saved_at)
    if newer is not None:
        report.messages.append(f"此文件比已合并的《{newer}》更早保存，差异作为冲突保留（older than a merged return）")
    decisions = mg.merge_rows(_rows(sheet, state, unit, scopes), unit=unit, tasks=scopes, ours=ours, previous=previous,
                              stale=newer is not None)
    if report.saved_at is not None:
        state.saved.setdefault((unit, round_name), []).append((report.saved_at, path.name))
    report.decisions = decisions
    counts = mg.count(decisions)
    report.applied, report.unchanged = counts["applied"], counts["unchanged"]
    report.conflicts, report.rejected = counts["conflicts"], counts["rejected"]
    entries: list[Progress] = []
    conflicts: list[Conflict] = []
    for d in decisions:
        if d.match and d.match != MATCH_BY_ID and d.task_id:
            report.messages.append(f"第{d.row}行：{d.match}")
        if d.message:
            report.messages.append(d.message)
        if d.outcome == mg.APPLIED and d.result is not None and d.task_id:
            entry = d.result.to_progress(task_id=d.task_id, unit=unit, round_name=round_name, source=path.name)
            entry.reporter = sheet.reporter  # liaison files name who filled them in
            entries.append(entry)
            state.ours[(d.task_id, unit, round_name)] = d.result
            previous[d.task_id] = d.result
            report.updated_over_previous += int(d.supersedes)
        elif d.outcome == mg.CONFLICT and d.task_id:
            def prog(v: Values | None, d=d) -> Progress | None:
                return v.to_progress(task_id=d.task_id, unit=unit, round_name=round_name, source=path.name) if v else None

            conflicts.append(Conflict(id=0, batch_id="", task_id=d.task_id, unit=unit, round=round_name,
                                      base=prog(d.base), ours=prog(d.ours), theirs=prog(d.theirs)))
    if sheet.reporter or sheet.phone:
        report.messages.append(f"填报人：{sheet.reporter or '未填'}" + (f"，电话 {sheet.phone}" if sheet.phone else ""))
    if report.updated_over_previous:
        report.messages.append(f"更新了{report.updated_over_previous}条（较上次报送）")
    if not decisions:
        report.messages.append("表中没有任务行")
    report.outcome = MERGED
    return entries, conflicts


def _merge_one(path: Path, fr: FileReport, state: _State,
               pending: list[tuple[FileReport, list[Progress], list[Conflict]]]) -> None:
    """Decide one returned file into `fr`; a file to apply is added to `pending`."""
    try:
        fr.file_hash = file_sha256(path)
    except OSError:
        fr.messages.append(f"{path.name}：文件不存在或无法读取（cannot read file）")
        return
    earlier = state.hashes.get(fr.file_hash)
    if earlier is not None:
        fr.outcome, fr.unit, fr.round, fr.batch = DUPLICATE, earlier.unit, earlier.round, earlier.id
        fr.messages.append(f"此文件已于{earlier.created_at:%Y-%m-%d %H:%M}合并过（{earlier.source}），未重复导入")
        return
    try:
        entries, conflicts = _decide_file(path, state, fr)
    except InputError as exc:
        fr.outcome = REJECTED
        fr.messages.append(str(exc))
        return
    if fr.outcome == MERGED:
        pending.append((fr, entries, conflicts))
        state.hashes[fr.file_hash] = _Seen(fr)  # a second copy in this same call is a duplicate


def merge_files(ledger: Ledger, paths: list[Path], *, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> MergeReport:
    """Merge returned files into the ledger (see the module docstring); never raises for a bad file.

    Files are decided in the order they were saved (oldest first; the report keeps the
    order given), so two versions of one unit's return in one call end with the newer.
    """
    files = expand_paths(paths)
    state = _State(ledger, ledger.document())
    report = MergeReport(dry_run=dry_run)
    report.files = [FileReport(file=path.name) for path in files]
    for fr, path in zip(report.files, files):
        fr.saved_at, fr.saved_from = saved_time(path)
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    order = sorted(range(len(files)), key=lambda n: (report.files[n].saved_at or oldest, n))
    pending: list[tuple[FileReport, list[Progress], list[Conflict]]] = []
    for i, n in enumerate(order):
        path, fr = files[n], report.files[n]
        _merge_one(path, fr, state, pending)
        if progress is not None:
            progress(i + 1, len(files))
    if not dry_run and pending:
        report.backup = str(ledger.backup("merge"))
        merge_id = f"merge-{uuid.uuid4()}"
        items = [
            MergeItem(entries=entries, conflicts=conflicts, source=fr.file, file_hash=fr.file_hash, unit=fr.unit,
                      round=fr.round, meta={"merge_id": merge_id, "applied": fr.applied, "unchanged": fr.unchanged,
                                            "conflicts": fr.conflicts, "rejected": fr.rejected,
                                            "saved_at": fr.saved_at.isoformat() if fr.saved_at else None,
                                            "saved_from": fr.saved_from})
            for fr, entries, conflicts in pending
        ]
        for (fr, _entries, _conflicts), batch_id in zip(pending, ledger.apply_merge(items)):
            fr.batch = batch_id
            report.batches.append(batch_id)
        report.batch = report.batches[0] if len(report.batches) == 1 else merge_id
    return report


class _Seen:
    """Stands in for a BatchInfo of a file merged earlier in the same call."""

    def __init__(self, fr: FileReport) -> None:
        self.fr = fr
        self.unit, self.round, self.source = fr.unit, fr.round, fr.file
        self.created_at = datetime.now()

    @property
    def id(self) -> str | None:
        return self.fr.batch


def undo_merge(ledger: Ledger, batch: str) -> list[str]:
    """Undo one merge batch, or every batch of a multi-file merge id; returns the undone batch ids.

    A refusal names the task by its seq and the start of its content, not by its id.
    """
    infos = ledger.batches()
    group = [b for b in infos if b.meta.get("merge_id") == batch and not b.undone]
    if not group:
        if not any(b.id == batch for b in infos):
            raise LedgerError(f"找不到合并批次 {batch}（unknown batch）")
        done = [batch]
    else:
        done = [info.id for info in reversed(group)]  # batches() lists oldest first; undo newest first
    try:
        ledger.undo_batches(done)
    except LedgerError as exc:
        raise LedgerError(name_tasks(ledger.document(), str(exc))) from exc
    return done


def name_tasks(doc: LedgerDocument, message: str) -> str:
    """Replace task ids in a store message with 序号 and a content excerpt the clerk recognises."""
    named = False
    for task in doc.tasks:
        if task.id in message:
            excerpt = task.content.replace("\n", " ")
            excerpt = excerpt if len(excerpt) <= 20 else excerpt[:20] + "……"
            message = message.replace(f"任务 {task.id} ", f"任务 {task.id}").replace(
                task.id, f"序号{task.seq or '（无）'}“{excerpt}”")
            named = True
    if named and "changed since" in message:
        message += "；请先撤销或改回之后的修改，再撤销此次合并"
    return message
