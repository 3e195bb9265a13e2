"""What a returned file holds, as plain records: the same for xlsx, xls, ods, docx and liaison files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.core.merge import Values


@dataclass
class SentRow:
    """What the hidden data says was sent for one task."""

    task_id: str
    row: int
    seq: str
    base: Values
    fingerprint: str
    columns: dict[str, str]


@dataclass
class ReadRow:
    """One data row of the returned table."""

    row: int
    task_id: str | None  # from the hidden id column / hidden run, when present
    cells: dict[str, str]  # header (canonical) → text; only columns the file has
    hashes: dict[str, str] | None = field(default=None, repr=False, compare=False)  # locked-cell hashes, once


@dataclass
class ReturnedSheet:
    path: Path
    kind: str  # "xlsx", "xls", "ods", "docx"
    hidden: bool = False
    ledger_id: str | None = None
    unit: str | None = None
    round: str | None = None
    sent: dict[str, SentRow] = field(default_factory=dict)
    rows: list[ReadRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    preamble: str = ""  # text above the header row (title, 填报单位 lines)
    reporter: str = ""  # who filled it in (liaison files say so; sheets do not)
    phone: str = ""
    dispatch_id: str | None = None  # which dispatch of the ledger the hidden data says this answers
    signature: str | None = None  # the hidden data's signature (see signature.py)
    title: str = ""  # the title line (first line above the header), naming unit and round


def parse_saved_at(text: str | None) -> datetime | None:
    """An ISO / W3CDTF time as an aware UTC datetime; a time without zone is local time."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.astimezone()  # naive: local time of this machine
    return value.astimezone(timezone.utc)
