"""The report of a merge: one entry per file given or found in a folder, as the CLI and window show it.

Its JSON is the contract's `merge --json` object (shared/contracts/CLI.md); keys are only
ever added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core import merge as mg

MERGED, DUPLICATE, REJECTED = "merged", "duplicate", "rejected"


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
