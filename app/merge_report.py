"""The report of a merge: one entry per file given or found in a folder, as the CLI and window show it.

Its JSON is the contract's `merge --json` object (shared/contracts/CLI.md); keys are only
ever added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core import merge as mg

MERGED, DUPLICATE, REJECTED = "merged", "duplicate", "rejected"
OUTCOME_LABELS = {MERGED: "已合并", DUPLICATE: "重复文件，未重复导入", REJECTED: "未导入"}


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
        return sum(1 for f in self.files if f.outcome != REJECTED or f.held)


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
                         + (f"，待审核 {f.review} 行" if f.review else ""))
            if f.saved_at is not None:
                lines.append(f"  保存时间：{f.saved_at.astimezone():%Y-%m-%d %H:%M:%S}（{f.saved_from}）")
        shown = f.messages if messages_per_file is None else f.messages[:messages_per_file]
        lines.extend(f"  {m}" for m in shown)
        if len(shown) < len(f.messages):
            lines.append(f"  ……另有 {len(f.messages) - len(shown)} 条说明")
    if report.batch:
        lines.append(f"合并批次：{report.batch}（可用 ledgerdesk undo-merge 撤销）")
    if report.backup:
        lines.append(f"合并前备份：{report.backup}")
    return "\n".join(lines)
