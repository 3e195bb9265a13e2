"""Return sheets: the part of the ledger one unit fills in for one round (xlsx or docx).

Layout (both formats): a title line, a short instruction block, then ONE header row
(HEADERS) and one row per task of the unit. The first six columns are what the
office sent and are locked; the last four are filled in by the unit.

Hidden data, so a returned file can be merged safely (format tag FORMAT_TAG):
- xlsx: a hidden sheet "_ledgerdesk" (A1 = FORMAT_TAG, then key/value rows
  ledger_id, unit, round, header_row, then one row per task: task id, sheet row,
  seq, the four fill-in values as sent (the merge base), the fingerprint of the
  locked columns and a JSON object of per-column hashes); plus a hidden, locked
  last column "任务编号" carrying each row's task id, so reordered or copied rows
  keep their identity.
- docx: the same metadata as compact JSON in a hidden-font (w:vanish) paragraph
  "#ldmeta:{…}" after the table (core properties cap text at 255 characters, and
  hidden text is kept on save by Word, WPS and LibreOffice alike; a custom XML
  part is not reliably kept by WPS); the core property "subject" is FORMAT_TAG;
  each row's task id is a hidden-font run "#ld:<id>" in its 序号 cell, so sorted
  rows keep their identity too.

Sheet protection has no password: it prevents accidents, not intent; the merge
checks the per-column hashes anyway and rejects a row whose locked columns changed
(naming them); when a row's column hashes are lost it checks the whole-row fingerprint.
The writers are xlsx_writer.py and docx_writer.py, the reader reader.py; the package
__init__ is the one face the rest of the program uses.

Review of returns (退回 / 延期): a sheet written with review notes (the writers' `notes`, task id →
text; app/sending.py always passes them) has three more columns, REVIEW_COLUMNS: 审核意见 (the
office's note: "退回修改：…", "延期申请未同意：…", "已批准延期至…"; read-only, filled only where
there is a note) and the fill-in 申请延期至 / 延期理由. In the xlsx they follow the hidden 任务编号
column (so they show right after 佐证材料, and the hidden column stays where older sheets have it);
in Word they follow 佐证材料. The note is locked but is NOT one of LOCKED: it is the office's note,
outside the fingerprint and column hashes, so a liaison who clears it does not get the row refused.
A sheet without these columns (written before, or without notes) merges exactly as before.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from app.core.dispatch import Dispatch, DispatchRow
from app.core.merge import Values, norm_text
from app.core.records import STATUSES, LedgerDocument, Progress, Task
from app.core.sheet_scope import inherited_key_work, unit_tasks
from app.formats.returns import signature
from app.formats.safe_names import FileName, FolderNames, safe_stem, split_tail

FORMAT_TAG = "ledgerdesk-return/1"
META_SHEET = "_ledgerdesk"
LOCKED = ("序号", "重点工作", "主要内容", "量化指标", "本单位职责", "完成时限")
FILL = ("状态", "进展落实情况", "完成日期", "佐证材料")
HEADERS = LOCKED + FILL
ID_HEADER = "任务编号"
# Review of returns (退回 / 延期): the unit may ask for more time in two optional fill-in columns,
# and a row the office returned for rework shows the office's note (read-only) in REWORK_NOTE.
EXTENSION_TO = "申请延期至"
EXTENSION_REASON = "延期理由"
EXTENSION = (EXTENSION_TO, EXTENSION_REASON)
REWORK_NOTE = "审核意见"
REVIEW_COLUMNS = (REWORK_NOTE, *EXTENSION)  # after the ten (see the module docstring)
REVIEW_FILL = EXTENSION  # the two the unit may type into
WIDTHS = (6, 14, 42, 18, 10, 12, 12, 50, 13, 26)
REVIEW_WIDTHS = (22, 13, 24)
DOCX_ID_PREFIX = "#ld:"
DOCX_META_PREFIX = "#ldmeta:"
ROW_FIELDS = ("task_id", "row", "seq", "status", "text", "done_date", "evidence", "fingerprint", "columns")


def safe_file_name(name: str) -> str:
    """A stem Windows and Linux accept (see safe_names): invalid and control characters become "_",
    no trailing dots or spaces, no device name, at most STEM_BYTES, keeping the part after the
    last "_" (the round of "单位_轮次") when shortened."""
    return safe_stem(*split_tail(name)).text


def sheet_file_name(unit: str, round_name: str, suffix: str) -> str:
    """One unit's file name (alone: several in one folder are made unique by sheet_file_names)."""
    return safe_stem(unit, f"_{round_name}").text + suffix


def sheet_file_names(units: list[str], round_name: str, suffix: str) -> list[FileName]:
    """The file names of one folder of sheets, one per unit, unique as Windows compares names;
    each says why it is not simply "单位_轮次" + suffix."""
    folder = FolderNames()
    return [folder.claim(unit, f"{unit}_{round_name}{suffix}",
                         lambda extra, unit=unit: safe_stem(unit, f"_{round_name}{extra}"), suffix)
            for unit in units]


def _hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def locked_key(value: object) -> str:
    """A locked cell as compared: whitespace-insensitive, so a re-saved file still matches."""
    return re.sub(r"\s+", "", norm_text(value))


def column_hashes(values: dict[str, str]) -> dict[str, str]:
    return {col: _hash(locked_key(values.get(col, ""))) for col in LOCKED}


def fingerprint(values: dict[str, str]) -> str:
    return _hash("\x1f".join(locked_key(values.get(col, "")) for col in LOCKED), 16)


@dataclass
class SheetRow:
    """One task row as sent: locked cells, the base values, its row number in the file, and the
    office's 审核意见 for it ("" when none)."""

    task: Task
    row: int
    locked: dict[str, str]
    base: Values
    note: str = ""


def review_instruction() -> str:
    """The line that explains the three review columns (sheets written with notes)."""
    return ("“审核意见”为办公室的退回或延期意见（只读），请按意见修改后报回；如确需延期，"
            "在“申请延期至”填写日期（如 2024-03-31）并在“延期理由”写明原因，办公室审核后答复。")


def instructions(unit: str, round_name: str, due: str) -> list[str]:
    statuses = "、".join(STATUSES)
    return [
        (f"填报说明：本表为{unit}在“{round_name}”需报送的任务，只填写“状态”“进展落实情况”“完成日期”“佐证材料”四列（浅黄色），"
        "其余列已锁定，请勿修改，请勿增删行。"),
        f"状态请从下拉列表选择（{statuses}）；完成日期写成 2023-09-01；佐证材料写文件名，多个用顿号分隔。",
        "填好后直接保存（也可另存为 .xls/.ods），请保留本表格式，按时报送。" + (f"报送截止：{due}。" if due else ""),
    ]


def plan_rows(doc: LedgerDocument, unit: str, round_name: str, first_row: int, *,
              include_groups: bool = True, notes: dict[str, str] | None = None) -> list[SheetRow]:
    """The rows of the unit's sheet, prefilled with what the ledger holds for this round (and the
    office's note per task, from `notes`)."""
    key_work = inherited_key_work(doc)
    current: dict[str, Progress] = {p.task_id: p for p in doc.progress if p.unit == unit and p.round == round_name}
    rows = []
    for i, (task, role) in enumerate(unit_tasks(doc, unit, include_groups=include_groups)):
        locked = {
            "序号": task.seq,
            "重点工作": key_work.get(task.id, ""),
            "主要内容": task.content,
            "量化指标": task.metric,
            "本单位职责": role,
            "完成时限": task.deadline.text,
        }
        rows.append(SheetRow(task, first_row + i, locked, Values.of(current.get(task.id)),
                             (notes or {}).get(task.id, "")))
    return rows


@dataclass(frozen=True)
class Stamp:
    """What makes a sent file one dispatch of the ledger: its id, and the ledger's secret to sign it."""

    dispatch_id: str
    key: bytes


def dispatch_for(doc: LedgerDocument, unit: str, round_name: str, *, include_groups: bool = True,
                 fmt: str = "xlsx", now: datetime | None = None) -> Dispatch:
    """What the ledger keeps of one file before it is written: a new id and every row as sent."""
    rows = [DispatchRow(task_id=r.task.id, seq=r.task.seq, locked=dict(r.locked), base=r.base,
                        fingerprint=fingerprint(r.locked), columns=column_hashes(r.locked))
            for r in plan_rows(doc, unit, round_name, 1, include_groups=include_groups)]
    return Dispatch(id=str(uuid.uuid4()), unit=unit, round=round_name,
                    created_at=now or datetime.now(), fmt=fmt, rows=rows)  # to the microsecond: sends follow in order


def signed_rows(rows: list[SheetRow]) -> list[list[str]]:
    """Per row what the signature covers (see signature.payload)."""
    return [[r.task.id, r.task.seq, *r.base.to_list(), fingerprint(r.locked),
             json.dumps(column_hashes(r.locked), ensure_ascii=False)] for r in rows]


def meta_rows(doc: LedgerDocument, unit: str, round_name: str, header_row: int, rows: list[SheetRow],
              stamp: Stamp | None = None) -> dict:
    """The hidden data as one plain object (written to a sheet or to docx properties).

    With a `stamp` it names the dispatch and carries the signature over what was sent."""
    meta: dict = {
        "format": FORMAT_TAG,
        "ledger_id": doc.ledger_id,
        "unit": unit,
        "round": round_name,
        "header_row": header_row,
    }
    if stamp is not None:
        meta["dispatch_id"] = stamp.dispatch_id
        meta["signature"] = signature.sign(stamp.key, signature.payload(
            doc.ledger_id, stamp.dispatch_id, unit, round_name, signed_rows(rows)))
    meta["rows"] = [
        [r.task.id, r.row, r.task.seq, *r.base.to_list(), fingerprint(r.locked),
         json.dumps(column_hashes(r.locked), ensure_ascii=False)]
        for r in rows
    ]
    return meta


def due_text(doc: LedgerDocument, round_name: str) -> str:
    for r in doc.rounds:
        if r.name == round_name and r.due:
            return f"{r.due.year}年{r.due.month}月{r.due.day}日"
    return ""


