"""Merge what comes back from the units (no Qt); sending the sheets is app/sending.py.

`merge_files` reads returned files, finds the dispatch each answers and whether its
hidden data can be trusted (app/return_identity.py), matches every row to a task
(app/return_rows.py), decides it with the three-way merge against what the ledger
sent (app.core.merge), and writes the outcome through the Ledger facade: one logged
batch per file (kind "merge", with the file's sha256 so the same file is recognised
next time), conflicts and review items kept for the clerk, a backup copy of the ledger
first. A file whose hidden data disagrees with its dispatch, its name or its title is
not applied: its rows are held as review items. Every file named, or found in a named
folder, has its line in the report. A dry run computes the same report and writes
nothing; several files in one call see each other's effect in memory, so a dry run
reports what the real merge would do.

The window previews a merge (a dry run, laid out row by row by `merge_report.row_items`),
lets the clerk settle its conflicts there, then merges with `resolutions`: a conflict
with a resolution is written as the chosen value in the same transaction as the rest
(no open conflict is left for it), one without stays an open conflict as always.
`expected` (file → sha256 from the preview) refuses the whole merge, nothing written,
when a file changed between the preview and 应用.

Review of returns (see app/review.py): a trusted file's row with 申请延期至 filled makes a
REVIEW_EXTENSION item (the date read as 完成日期 is, or as a deadline "2024年3月底"; an
unreadable one is kept as typed, the item still arrives and the report says so); the same
request again while one is open, or a date already granted, makes none. A row of a task the
office returned to this unit (an open REVIEW_REWORK item, any round) closes that item as
FIXED ("fixed") when the unit typed into the row and its values differ from those returned;
otherwise the report says "退回修改的任务 N 未修改" and the item stays open. A row of a task
whose 延期 request was declined marks that answer as seen (ANSWERED_MARK: the next sheet no
longer shows "延期申请未同意…"). Held (untrusted) files do none of this. The closures travel in the batch's meta (Ledger.apply_merge closes them in the
same transaction, logged, so undoing the merge opens them again).
"""

from __future__ import annotations

import stat
import tempfile
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from pathlib import Path

from app.core import merge as mg
from app.core.deadlines import parse_deadline
from app.core.dispatch import OPEN, REVIEW_EXTENSION, REVIEW_HELD, REVIEW_REWORK, REVIEW_STATUS, ReviewItem
from app.core.dispatch import REJECTED as ITEM_REJECTED
from app.core.merge import TaskScope, Values, parse_done_date
from app.core.records import LedgerDocument, Progress
from app.core.sheet_scope import MATCH_BY_ID, unit_tasks
from app.errors import InputError, LedgerError
from app.formats.file_hash import file_sha256
from app.formats.returns import (
    SUPPORTED_SUFFIXES,
    ReturnedSheet,
    convert,
    parse_saved_at,
    read_return_file,
    saved_time,
)
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO
from app.ledger import ANSWERED_MARK, ANSWERED_META, REWORK_FIXED_META, Conflict, Ledger, MergeItem
from app.merge_report import (
    DUPLICATE,
    MERGED,
    REJECTED,
    ConflictKey,
    FileReport,
    MergeReport,
    Resolution,
)
from app.return_identity import Dispatches, Identity, Refused, identify
from app.return_rows import build_rows

__all__ = ["DUPLICATE", "MERGED", "REJECTED", "ConflictKey", "FileReport", "MergeReport", "Resolution",
           "expand_paths", "merge_files", "undo_merge"]

Resolutions = Mapping[ConflictKey, Resolution] | Resolution  # one Resolution: every conflict that way


# ------------------------------------------------------------------------------ files
def expand_paths(paths: list[Path]) -> list[Path]:
    """Folders become every file inside them (sorted): nothing in a folder goes unreported."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if not p.is_dir()))
        else:
            out.append(path)
    return out


READABLE_SUFFIXES = frozenset(SUPPORTED_SUFFIXES | set(convert.CONVERTIBLE))  # read, or read once converted
MAX_RETURN_BYTES = 20 * 1024 * 1024  # a return sheet is well under 1 MB; a liaison file a few MB


def _not_a_plain_file(path: Path) -> str:
    """Why a path is not read (a FIFO, a device, /dev/zero behind a symlink would never end), or ""."""
    try:
        info = path.stat()  # follows a symlink: what counts is what would be read
    except OSError:
        return "文件不存在或无法读取（cannot read file）"
    if not stat.S_ISREG(info.st_mode):
        return "不是普通文件（设备、管道或快捷方式所指的特殊文件），未读取（not a regular file）"
    if info.st_size > MAX_RETURN_BYTES:
        return (f"文件过大（{info.st_size // (1024 * 1024)} MB，报送表通常不到 1 MB），未读取；"
                "请确认是否发错了文件（file too large）")
    return ""


def read_returned(path: Path, work_dir: Path, report: FileReport) -> ReturnedSheet:
    """Read a returned file; .doc/.odt/.wps/.et are read from a converted copy (LibreOffice), and
    anything else that is no return file raises InputError with one line saying what it is."""
    suffix = path.suffix.lower()
    if path.name.startswith("~$") or suffix not in READABLE_SUFFIXES:
        raise InputError(path, convert.describe_unreadable(path))
    if convert.needs_conversion(path):  # also an .xls that is really HTML, a .docx that is really .doc
        copy = convert.convert_for_reading(path, work_dir)
        report.converted_from = suffix
        sheet = read_return_file(copy)
        sheet.path = path  # the liaison's name: file name and title checks, and the report
        report.messages.append(f"{convert.kind_label(path)}，已用 LibreOffice 转换后读取（原文件未改动）")
        return sheet
    return read_return_file(path)


# ------------------------------------------------------------------------------ state
class _Scopes(Mapping[str, TaskScope]):
    """Task id → TaskScope for one file, made on demand: a county ledger has thousands of tasks and a
    sheet a few dozen rows, so scopes are built only for the tasks its rows name."""

    def __init__(self, tasks: dict, own: set[str]) -> None:
        self._tasks = tasks
        self._own = own

    def __getitem__(self, task_id: str) -> TaskScope:
        task = self._tasks[task_id]
        return TaskScope(task.seq, task.content, task_id in self._own)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._tasks

    def __iter__(self):
        return iter(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)


class _State:
    """What the ledger holds, updated in memory as files are decided (so dry runs tell the truth)."""

    def __init__(self, ledger: Ledger, doc: LedgerDocument, resolutions: Resolutions | None = None) -> None:
        self.ledger = ledger
        self.resolutions = resolutions
        self.doc = doc
        self.tasks = {t.id: t for t in doc.tasks}
        # (unit, round) → task id → what the ledger holds now
        self.ours: dict[tuple[str, str], dict[str, Values]] = {}
        for p in doc.progress:
            self.ours.setdefault((p.unit, p.round), {})[p.task_id] = Values.of(p)
        self.batches = [b for b in ledger.batches() if not b.undone]
        self.hashes = {b.file_hash: b for b in self.batches if b.file_hash}
        self.dispatches = Dispatches(ledger.dispatches(), ledger.secret(create=False), ledger.dispatch)
        self._assigned: dict[tuple[str, bool], set[str]] = {}
        self._previous: dict[tuple[str, str], dict[str, Values]] = {}
        # (unit, round) → [(saved time, file name)] of the returns merged so far
        self.saved: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        for b in self.batches:
            at = parse_saved_at(b.meta.get("saved_at")) if b.kind == "merge" and b.unit and b.round else None
            if at is not None:
                self.saved.setdefault((b.unit, b.round), []).append((at, b.source))
        # review of returns: open rework items (unit, task) → item; open extension requests; granted deadlines
        self.rework: dict[tuple[str, str], ReviewItem] = {}
        self.asked: set[tuple[str, str, str]] = set()  # (unit, task, requested) of open extension requests
        self.declined: dict[tuple[str, str], list[ReviewItem]] = {}  # declined 延期 the unit has not answered
        for item in ledger.reviews(open_only=False):
            if not item.task_id:
                continue
            if item.kind == REVIEW_REWORK and item.state == OPEN:
                self.rework.setdefault((item.unit, item.task_id), item)
            elif item.kind == REVIEW_EXTENSION and item.state == OPEN:
                self.asked.add((item.unit, item.task_id, item.extension_to))
            elif (item.kind == REVIEW_EXTENSION and item.state == ITEM_REJECTED
                  and not item.resolution.endswith(ANSWERED_MARK)):
                self.declined.setdefault((item.unit, item.task_id), []).append(item)
        self.granted = {key: d.deadline.date for key, d in ledger.unit_deadlines().items()}

    def resolution(self, key: ConflictKey) -> Resolution | None:
        """The clerk's choice for this conflict, if any."""
        if self.resolutions is None or isinstance(self.resolutions, Resolution):
            return self.resolutions
        return self.resolutions.get(key)

    def assigned(self, unit: str, *, include_groups: bool) -> set[str]:
        """The tasks a unit is named on (and, with groups, its groups' tasks), once per unit."""
        key = (unit, include_groups)
        if key not in self._assigned:
            self._assigned[key] = {t.id for t, _role in unit_tasks(self.doc, unit, include_groups=include_groups)}
        return self._assigned[key]

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


# ------------------------------------------------------------------------------ one file
def _review(kind: str, d: mg.RowDecision, report: FileReport, identity: Identity, message: str,
            entry: Values | None) -> ReviewItem:
    return ReviewItem(id=0, kind=kind, file=report.file, unit=identity.unit, round=identity.round,
                      task_id=d.task_id, row=d.row, message=message, entry=entry, base=d.base,
                      dispatch_id=identity.dispatch.id if identity.dispatch else None)


def _hold(decisions: list[mg.RowDecision], report: FileReport, identity: Identity) -> list[ReviewItem]:
    """An untrusted file: nothing is applied; every row that would change the ledger waits for the clerk."""
    held = []
    would = mg.count(decisions)
    for d in decisions:
        if d.outcome in (mg.APPLIED, mg.CONFLICT) and d.task_id:
            what = "将更新台账" if d.outcome == mg.APPLIED else "与台账中的修改冲突"
            held.append(_review(REVIEW_HELD, d, report, identity,
                                f"第{d.row}行（{what}）：{'；'.join(identity.doubts)}", d.theirs))
    report.doubts = list(identity.doubts)
    report.held = len(held)
    report.applied = report.conflicts = 0
    report.messages.append("未合并：" + "；".join(identity.doubts))
    report.messages.append(
        f"{len(held)}行已转入待审核（若采用：{would['applied']}行将更新，{would['conflicts']}行冲突），"
        "请核实后用“ledgerdesk review 台账 --accept 编号”采用或 --reject 不采用" if held
        else "表中没有会改变台账的行")
    return held


def _decide_file(sheet: ReturnedSheet, state: _State, report: FileReport
                 ) -> tuple[list[Progress], list[Conflict], list[ReviewItem]]:
    try:
        identity = identify(sheet, state.doc, state.dispatches)
    except Refused as exc:
        report.messages.append(str(exc))
        return [], [], []
    unit, round_name = identity.unit, identity.round
    report.unit, report.round, report.identified_by = unit, round_name, identity.how
    report.signature = identity.signature
    report.dispatch = identity.dispatch.id if identity.dispatch else None
    report.messages.extend(identity.notes)
    # In scope: tasks the unit was sent (its dispatch, or the hidden data of an old sheet) and the tasks
    # it is named on; a sheet that lost its hidden data is taken as sent the default way (with groups).
    own = set(identity.sent) | state.assigned(unit, include_groups=not sheet.hidden)
    scopes = _Scopes(state.tasks, own)
    ours = state.ours.setdefault((unit, round_name), {})
    previous = state.previous(unit, round_name)
    newer = state.newer_return(unit, round_name, report.saved_at)
    if newer is not None and identity.trusted:
        report.messages.append(f"此文件比已合并的《{newer}》更早保存，差异作为冲突保留（older than a merged return）")
    decisions = mg.merge_rows(build_rows(sheet, state.doc, identity.sent, own), unit=unit, tasks=scopes, ours=ours,
                              previous=previous, stale=newer is not None)
    report.decisions = decisions
    counts = mg.count(decisions)
    report.applied, report.unchanged = counts["applied"], counts["unchanged"]
    report.conflicts, report.rejected = counts["conflicts"], counts["rejected"]
    for d in decisions:
        if d.match and d.match != MATCH_BY_ID and d.task_id:
            report.messages.append(f"第{d.row}行：{d.match}")
        if d.message:
            report.messages.append(d.message)
    report.outcome = MERGED
    if not identity.trusted:
        reviews = _hold(decisions, report, identity)
        report.review = len(reviews)
        report.outcome = REJECTED
        return [], [], reviews
    if report.saved_at is not None:
        state.saved.setdefault((unit, round_name), []).append((report.saved_at, sheet.path.name))
    entries: list[Progress] = []
    conflicts: list[Conflict] = []
    reviews: list[ReviewItem] = []
    source = sheet.path.name
    for d in decisions:
        chosen: Resolution | None = None
        if d.outcome == mg.APPLIED and d.result is not None and d.task_id:
            entry = d.result.to_progress(task_id=d.task_id, unit=unit, round_name=round_name, source=source)
            entry.reporter = sheet.reporter  # liaison files name who filled them in
            entries.append(entry)
            ours[d.task_id] = d.result
            previous[d.task_id] = d.result
            report.updated_over_previous += int(d.supersedes)
        elif d.outcome == mg.CONFLICT and d.task_id:
            def prog(v: Values | None, d=d) -> Progress | None:
                return v.to_progress(task_id=d.task_id, unit=unit, round_name=round_name, source=source) if v else None

            chosen = state.resolution((report.file_hash, d.task_id, unit, round_name))
            if chosen is not None:
                _settle(d, chosen, report, ours, previous, entries, prog, sheet.reporter)
            else:
                conflicts.append(Conflict(id=0, batch_id="", task_id=d.task_id, unit=unit, round=round_name,
                                          base=prog(d.base), ours=prog(d.ours), theirs=prog(d.theirs)))
        if d.review and d.task_id and d.outcome != mg.REJECTED and (chosen is None or chosen.choice == "theirs"):
            reviews.append(_review(REVIEW_STATUS, d, report, identity, f"第{d.row}行：{d.review}",
                                   d.result or d.theirs))
    reviews.extend(_review_of_returns(sheet, decisions, state, report, identity))
    report.review = len(reviews)
    if sheet.reporter or sheet.phone:
        report.messages.append(f"填报人：{sheet.reporter or '未填'}" + (f"，电话 {sheet.phone}" if sheet.phone else ""))
    if report.updated_over_previous:
        report.messages.append(f"更新了{report.updated_over_previous}条（较上次报送）")
    if not decisions:
        report.messages.append("表中没有任务行")
    return entries, conflicts, reviews


def requested_date(text: str, year: int | None) -> str | None:
    """申请延期至 as typed → ISO date (2024-03-31, 2024/3/31, 2024年3月底…), None when unreadable."""
    parsed = parse_done_date(text)
    if parsed:
        return parsed
    deadline = parse_deadline(text, year=year)
    return deadline.date.isoformat() if deadline.kind == "date" and deadline.date else None


def _review_of_returns(sheet: ReturnedSheet, decisions: list[mg.RowDecision], state: _State, report: FileReport,
                       identity: Identity) -> list[ReviewItem]:
    """A trusted file's extension requests (new review items) and the rework items its rows fix."""
    cells = {r.row: r.cells for r in sheet.rows}
    unit = identity.unit
    items: list[ReviewItem] = []
    fixed: dict[str, str] = {}
    answered: dict[str, str] = {}
    for d in decisions:
        if not d.task_id or d.outcome == mg.REJECTED:
            continue
        seq = state.tasks[d.task_id].seq if d.task_id in state.tasks else ""
        row_cells = cells.get(d.row, {})
        asked, reason = (row_cells.get(EXTENSION_TO) or "").strip(), (row_cells.get(EXTENSION_REASON) or "").strip()
        if asked:
            iso = requested_date(asked, state.doc.year)
            shown = iso or asked
            if (unit, d.task_id, shown) in state.asked:
                report.messages.append(f"第{d.row}行：延期至 {shown} 的申请已在待审核中，未重复登记")
            elif iso and state.granted.get((d.task_id, unit)) == date.fromisoformat(iso):
                report.messages.append(f"第{d.row}行：已批准延期至 {iso}，未重复登记")
            else:
                message = f"第{d.row}行：申请延期至“{asked}”" + (f"，理由：{reason}" if reason else "，未写理由")
                if iso is None:
                    message += "；申请延期至不是可识别的日期（请写成 2024-03-31），已按所填记录"
                items.append(ReviewItem(id=0, kind=REVIEW_EXTENSION, file=report.file, unit=unit,
                                        round=identity.round, task_id=d.task_id, row=d.row, message=message,
                                        entry=d.result or d.theirs, base=d.base,
                                        dispatch_id=identity.dispatch.id if identity.dispatch else None,
                                        extension_to=shown, extension_date=date.fromisoformat(iso) if iso else None,
                                        extension_reason=reason))
                state.asked.add((unit, d.task_id, shown))
                report.extensions.append({"row": d.row, "task_id": d.task_id, "seq": seq, "requested": shown,
                                          "date": iso, "reason": reason, "readable": iso is not None})
        elif reason:
            report.messages.append(f"第{d.row}行：填了延期理由但没有填申请延期至，未作为延期申请")
        for declined in state.declined.pop((unit, d.task_id), []):  # the unit has seen the answer
            answered[str(declined.id)] = declined.resolution + ANSWERED_MARK
        rework = state.rework.get((unit, d.task_id))
        if rework is None:
            continue
        typed = d.base is None or d.theirs != d.base
        one = {"review": rework.id, "task_id": d.task_id, "seq": seq, "row": d.row}
        if typed and not d.theirs.empty and d.theirs != rework.entry:
            fixed[str(rework.id)] = f"已按退回意见修改（{report.file} 第{d.row}行）"
            report.rework_fixed.append(one)
            del state.rework[(unit, d.task_id)]
        else:
            report.rework_unchanged.append(one)
    report.rework_closing = fixed
    report.declined_answered = answered
    return items


def _settle(d: mg.RowDecision, chosen: Resolution, report: FileReport, ours: dict[str, Values],
            previous: dict[str, Values], entries: list[Progress], prog: Callable, reporter: str) -> None:
    """A conflict the clerk settled in the preview: its chosen value is written with the rest of the file."""
    assert d.task_id is not None
    written = chosen.written(d.theirs, d.ours)
    if written != d.ours:
        entry = prog(written)
        if chosen.choice != "theirs":
            entry.source = "typed"  # the clerk's own value, as `ledgerdesk resolve --take edit` writes
        entry.reporter = reporter if chosen.choice == "theirs" else ""
        entries.append(entry)
        ours[d.task_id] = written
        previous[d.task_id] = written
    report.conflicts -= 1
    report.resolved += 1
    report.resolutions[d.row] = chosen
    report.messages.append(f"第{d.row}行：冲突已按“{chosen.label()}”处理")


Pending = tuple[FileReport, list[Progress], list[Conflict], list[ReviewItem]]


def _merge_one(path: Path, fr: FileReport, state: _State, pending: list[Pending], work_dir: Path) -> None:
    """Decide one returned file into `fr`; a file to record (merged, or held for review) goes to `pending`."""
    problem = _not_a_plain_file(path)
    if problem:
        fr.messages.append(f"{path.name}：{problem}")
        return
    try:
        fr.file_hash = file_sha256(path)
    except OSError:
        fr.messages.append(f"{path.name}：文件无法读取（cannot read file）")
        return
    earlier = state.hashes.get(fr.file_hash)
    if earlier is not None:
        fr.outcome, fr.unit, fr.round, fr.batch = DUPLICATE, earlier.unit, earlier.round, earlier.id
        fr.messages.append(f"此文件已于{earlier.created_at:%Y-%m-%d %H:%M}合并过（{earlier.source}），未重复导入")
        return
    try:
        sheet = read_returned(path, work_dir, fr)
        entries, conflicts, reviews = _decide_file(sheet, state, fr)
    except InputError as exc:
        fr.outcome = REJECTED
        fr.messages.append(str(exc))
        return
    if fr.outcome == MERGED or fr.held:
        pending.append((fr, entries, conflicts, reviews))
        state.hashes[fr.file_hash] = _Seen(fr)  # a second copy in this same call is a duplicate


def merge_files(ledger: Ledger, paths: list[Path], *, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None, resolutions: Resolutions | None = None,
                expected: Mapping[Path, str] | None = None) -> MergeReport:
    """Merge returned files into the ledger (see the module docstring); never raises for a bad file.

    Files are decided in the order they were saved (oldest first; the report keeps the
    order given), so two versions of one unit's return in one call end with the newer.
    `resolutions`: the clerk's choice per conflict (or one Resolution for all of them).
    `expected`: path → sha256 as previewed; a file that is different now (or missing, or a
    file that was not previewed) raises LedgerError naming it, and nothing is written.
    """
    files = expand_paths(paths)
    state = _State(ledger, ledger.document(), resolutions)
    report = MergeReport(dry_run=dry_run)
    report.files = [FileReport(file=path.name, path=path) for path in files]
    for fr, path in zip(report.files, files):
        fr.saved_at, fr.saved_from = saved_time(path) if not _not_a_plain_file(path) else (None, "")
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    order = sorted(range(len(files)), key=lambda n: (report.files[n].saved_at or oldest, n))
    pending: list[Pending] = []
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-merge-") as work:
        for i, n in enumerate(order):
            _merge_one(files[n], report.files[n], state, pending, Path(work))
            if expected is not None:
                _check_unchanged(files[n], report.files[n], expected)
            if progress is not None:
                progress(i + 1, len(files))
    if not dry_run and pending:
        report.backup = str(ledger.backup("merge"))
        merge_id = f"merge-{uuid.uuid4()}"
        items = [
            MergeItem(entries=entries, conflicts=conflicts, reviews=reviews, source=fr.file, file_hash=fr.file_hash,
                      unit=fr.unit, round=fr.round,
                      meta={"merge_id": merge_id, "applied": fr.applied, "unchanged": fr.unchanged,
                            "conflicts": fr.conflicts, "resolved": fr.resolved, "rejected": fr.rejected, "review": fr.review,
                            "held": fr.held, "dispatch": fr.dispatch, "signature": fr.signature,
                            "saved_at": fr.saved_at.isoformat() if fr.saved_at else None,
                            "saved_from": fr.saved_from, REWORK_FIXED_META: fr.rework_closing,
                            ANSWERED_META: fr.declined_answered})
            for fr, entries, conflicts, reviews in pending
        ]
        for (fr, *_rest), batch_id in zip(pending, ledger.apply_merge(items)):
            fr.batch = batch_id
            report.batches.append(batch_id)
        report.batch = report.batches[0] if len(report.batches) == 1 else merge_id
    return report


def _check_unchanged(path: Path, fr: FileReport, expected: Mapping[Path, str]) -> None:
    """Refuse the merge when a previewed file is not the file it was (before anything is written)."""
    if path not in expected:
        raise LedgerError(f"{path.name}：预览时没有这个文件，未合并任何文件；请重新预览（file not previewed）")
    if expected[path] != fr.file_hash:
        raise LedgerError(f"{path.name}：预览之后文件被修改或移走，未合并任何文件；请重新预览（file changed since the preview）")


def preview_hashes(report: MergeReport) -> dict[Path, str]:
    """What a dry run read, as `merge_files(expected=…)` checks it: path → sha256 ("" when unreadable)."""
    return {f.path: f.file_hash for f in report.files if f.path is not None}


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
