"""The report of a merge: one entry per file given or found in a folder, as the CLI and window show it.

Its JSON is the contract's `merge --json` object (shared/contracts/CLI.md); keys are only
ever added. `row_items` lays a (dry-run) report out row by row for the window's merge
preview: what would be applied (old → new), the conflicts (base / ours / theirs), the
rejected rows and files with their reasons, and the rows kept for review. A conflict is
named by its `ConflictKey` (the file's sha256, task, unit, round), which stays the same
between the preview and the real merge of the same file; a `Resolution` is the clerk's
choice for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core import merge as mg
from app.core.merge import Values

MERGED, DUPLICATE, REJECTED = "merged", "duplicate", "rejected"
OUTCOME_LABELS = {MERGED: "已合并", DUPLICATE: "重复文件，未重复导入", REJECTED: "未导入"}

# the clerk's choices for a conflict, as `ledgerdesk resolve` names them
THEIRS, OURS, EDIT = "theirs", "ours", "edit"
CHOICE_LABELS = {THEIRS: "采用报送值", OURS: "保留台账值", EDIT: "改为编辑后的值"}

ConflictKey = tuple[str, str, str, str]  # (file sha256, task id, unit, round)


@dataclass(frozen=True)
class Resolution:
    """How one conflict of a merge is settled in the same transaction: `values` for EDIT."""

    choice: str
    values: Values | None = None

    def __post_init__(self) -> None:
        if self.choice not in CHOICE_LABELS:
            raise ValueError(f"unknown choice {self.choice!r}")
        if self.choice == EDIT and self.values is None:
            raise ValueError("an edit needs its values")

    def label(self) -> str:
        if self.choice != EDIT or self.values is None:
            return CHOICE_LABELS[self.choice]
        return f"编辑为：{self.values.status or '—'}｜{self.values.text or '—'}"

    def written(self, theirs: Values, ours: Values) -> Values:
        """The values this choice leaves in the ledger."""
        if self.choice == THEIRS:
            return theirs
        if self.choice == OURS:
            return ours
        assert self.values is not None
        return self.values


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
    review: int = 0  # review items made from this file (odd statuses, held rows)
    held: int = 0  # rows kept for review instead of applied (the file's hidden data is doubtful)
    messages: list[str] = field(default_factory=list)
    batch: str | None = None
    updated_over_previous: int = 0
    identified_by: str = ""
    file_hash: str = ""
    saved_at: datetime | None = None  # when the file was last saved (UTC), see returns.saved_time
    saved_from: str = ""  # where that time comes from (file properties, package, modification time)
    dispatch: str | None = None  # the dispatch of the ledger this file answers
    signature: str = "absent"  # valid / invalid / absent
    doubts: list[str] = field(default_factory=list)  # why its rows are held
    converted_from: str = ""  # e.g. ".doc": read through LibreOffice
    decisions: list[mg.RowDecision] = field(default_factory=list)
    path: Path | None = None  # where the file was read (a folder's file too): the preview applies these
    resolved: int = 0  # conflicts settled by the clerk's choice in the same merge (not left open)
    resolutions: dict[int, Resolution] = field(default_factory=dict)  # row number → the choice applied
    # review of returns (app/returns.py): extension requests the file made, rework items it fixed or left as they were
    extensions: list[dict] = field(default_factory=list)  # {row, task_id, seq, requested, date, reason, readable}
    rework_fixed: list[dict] = field(default_factory=list)  # {review, task_id, seq, row}
    rework_unchanged: list[dict] = field(default_factory=list)  # {review, task_id, seq, row}
    rework_closing: dict[str, str] = field(default_factory=dict)  # review id → resolution, written with the batch
    declined_answered: dict[str, str] = field(default_factory=dict)  # review id → resolution, written with the batch

    def to_json(self) -> dict:
        return {
            "file": self.file, "unit": self.unit, "round": self.round, "outcome": self.outcome,
            "applied": self.applied, "unchanged": self.unchanged, "conflicts": self.conflicts,
            "rejected": self.rejected, "review": self.review, "held": self.held, "messages": list(self.messages),
            "batch": self.batch, "updated_over_previous": self.updated_over_previous,
            "identified_by": self.identified_by, "sha256": self.file_hash,
            "saved_at": self.saved_at.isoformat() if self.saved_at else None, "saved_from": self.saved_from,
            "dispatch": self.dispatch, "signature": self.signature, "doubts": list(self.doubts),
            "converted_from": self.converted_from or None,
            "resolved": self.resolved,
            "rows": [self._row_json(d) for d in self.decisions],
            "extensions": [dict(e) for e in self.extensions],
            "rework_fixed": [dict(e) for e in self.rework_fixed],
            "rework_unchanged": [dict(e) for e in self.rework_unchanged],
        }

    def _row_json(self, d: mg.RowDecision) -> dict:
        def values(v: Values | None) -> dict | None:
            return None if v is None else v.to_json()

        chosen = self.resolutions.get(d.row)
        return {"row": d.row, "task_id": d.task_id, "outcome": d.outcome, "match": d.match,
                "message": d.message, "review": d.review or None, "base": values(d.base),
                "ours": values(d.ours), "theirs": values(d.theirs), "result": values(d.result),
                "conflict_fields": list(d.conflict_fields), "resolution": chosen.choice if chosen else None}


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
        return sum(1 for f in self.files if f.outcome != REJECTED or f.held)

    @property
    def would_write(self) -> bool:
        """A real merge of these files would record something (a merged file, or rows held for review)."""
        return any(f.outcome == MERGED or f.held for f in self.files)


# ------------------------------------------------------------------------------ row by row
APPLY, CONFLICT, REFUSED, REVIEW, UNCHANGED = "apply", "conflict", "refused", "review", "unchanged"
ITEM_LABELS = {APPLY: "应用", CONFLICT: "冲突", REFUSED: "退回", REVIEW: "待审核", UNCHANGED: "无变化"}


@dataclass(frozen=True)
class RowItem:
    """One line of the merge preview: a returned row (or a whole file that cannot be used)."""

    kind: str  # APPLY / CONFLICT / REFUSED / REVIEW / UNCHANGED
    file: str
    file_hash: str
    row: int  # the row as the liaison sees it; 0 for a whole file
    task_id: str | None
    unit: str
    round: str
    reason: str = ""
    old: Values | None = None  # what the ledger holds now
    new: Values | None = None  # what would be written (applied), or what the unit returned
    base: Values | None = None  # what was sent
    conflict_fields: tuple[str, ...] = ()

    @property
    def key(self) -> ConflictKey | None:
        """The conflict's name for `merge_files(resolutions=…)`; None when this is no conflict."""
        if self.kind != CONFLICT or not self.task_id:
            return None
        return (self.file_hash, self.task_id, self.unit, self.round)


def row_items(report: MergeReport) -> list[RowItem]:
    """Every file's rows in file order; a file that is rejected or a duplicate is one REFUSED line."""
    items: list[RowItem] = []
    for f in report.files:
        unit, round_name = f.unit or "", f.round or ""
        common = {"file": f.file, "file_hash": f.file_hash, "unit": unit, "round": round_name}
        if f.outcome != MERGED and not f.held:
            reason = "；".join(f.messages) or OUTCOME_LABELS.get(f.outcome, f.outcome)
            label = OUTCOME_LABELS[DUPLICATE] if f.outcome == DUPLICATE else "整份文件未导入"
            items.append(RowItem(kind=REFUSED, row=0, task_id=None, reason=f"{label}：{reason}", **common))
            continue
        for d in f.decisions:
            one = dict(row=d.row, task_id=d.task_id, old=d.ours, base=d.base, **common)
            if f.held:
                if d.outcome in (mg.APPLIED, mg.CONFLICT) and d.task_id:
                    items.append(RowItem(kind=REVIEW, new=d.result or d.theirs,
                                         reason="文件存疑，此行转入待审核：" + "；".join(f.doubts), **one))
                elif d.outcome == mg.REJECTED:
                    items.append(RowItem(kind=REFUSED, new=d.theirs, reason=d.message, **one))
                continue
            if d.outcome == mg.REJECTED:
                items.append(RowItem(kind=REFUSED, new=d.theirs, reason=d.message, **one))
            elif d.outcome == mg.CONFLICT:
                items.append(RowItem(kind=CONFLICT, new=d.theirs, reason=d.message,
                                     conflict_fields=tuple(d.conflict_fields), **one))
            elif d.review:
                items.append(RowItem(kind=REVIEW, new=d.result or d.theirs, reason=d.message, **one))
            elif d.outcome == mg.APPLIED:
                items.append(RowItem(kind=APPLY, new=d.result, reason=d.message or d.match, **one))
            else:
                items.append(RowItem(kind=UNCHANGED, new=d.theirs, reason=d.message, **one))
    return items


def review_lines(f: FileReport) -> list[str]:
    """The file's 延期申请 and 退回修改 outcomes, one line each (text report and the window)."""
    lines = []
    for e in f.extensions:
        reason = f"，理由：{e['reason']}" if e.get("reason") else ""
        lines.append(f"  延期申请：任务 {e['seq']} 申请延期至 {e['requested']}{reason}（已转入待审核）"
                     + ("" if e.get("readable") else "；申请延期至不是可识别的日期，按所填记录"))
    lines.extend(f"  退回修改的任务 {r['seq']} 已修改，退回事项已关闭" for r in f.rework_fixed)
    lines.extend(f"  退回修改的任务 {r['seq']} 未修改" for r in f.rework_unchanged)
    return lines


def format_report(report: MergeReport, *, messages_per_file: int | None = None) -> str:
    """The report as the clerk reads it (CLI and window); `messages_per_file` caps the lines per file."""
    lines = []
    if report.dry_run:
        lines.append("【试运行】以下为将会发生的结果，台账未修改。")
    for f in report.files:
        label = "未导入，待审核" if f.held else OUTCOME_LABELS.get(f.outcome, f.outcome)
        lines.append(f"{f.file}：{label}" + (f"（{f.unit}，{f.round}）" if f.unit else ""))
        if f.outcome == MERGED:
            lines.append(f"  采用 {f.applied} 行，无变化 {f.unchanged} 行，冲突 {f.conflicts} 行，拒收 {f.rejected} 行"
                         + (f"，待审核 {f.review} 行" if f.review else "")
                         + (f"；另有 {f.resolved} 处冲突已按所选处理" if f.resolved else ""))
            if f.saved_at is not None:
                lines.append(f"  保存时间：{f.saved_at.astimezone():%Y-%m-%d %H:%M:%S}（{f.saved_from}）")
            lines.extend(review_lines(f))
        shown = f.messages if messages_per_file is None else f.messages[:messages_per_file]
        lines.extend(f"  {m}" for m in shown)
        if len(shown) < len(f.messages):
            lines.append(f"  ……另有 {len(f.messages) - len(shown)} 条说明")
    if report.batch:
        lines.append(f"合并批次：{report.batch}（可用 ledgerdesk undo-merge 撤销）")
    if report.backup:
        lines.append(f"合并前备份：{report.backup}")
    return "\n".join(lines)
