"""A task of a table being assembled from its rows, and finished into a Task.

The table parser (table.py) starts a draft at a task's first row and adds the cells of
its continuation rows; `finish_task` then reads the units (role words in a cell split
lead from cooperating units, see table_roles) and the deadline (a date cell read as
"2025-06-30" counts as a date), gives each unit one spelling across the table, and
adds the warnings of that task: no lead unit, no or an impossible deadline, no text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from app.core.deadlines import impossible_date, parse_deadline
from app.core.plan.table_header import KW, KW2
from app.core.plan.table_roles import read_unit_cell
from app.core.records import Deadline, ParseWarning, Task, new_id
from app.core.units import UnitDirectory, garbled_unit_name, split_unit_list

SENTENCE_END = "。；;！!？?：:"


def memo(fn: Callable[[str], object]) -> Callable[[str], object]:
    """One call per distinct text within a parse: unit and deadline cells repeat on most rows."""
    cache: dict[str, object] = {}

    def cached(text: str) -> object:
        if text not in cache:
            cache[text] = fn(text)
        return cache[text]
    return cached


@dataclass
class Cell:
    """A (possibly vertically merged, hence shared) cell whose text grows with continuation rows."""

    text: str = ""

    def add(self, piece: str, *, sentence: bool) -> None:
        if not piece:
            return
        if not self.text:
            self.text = piece
        elif sentence and (self.text[-1] in SENTENCE_END or self.text.endswith("\n")):
            self.text += "\n" + piece
        else:
            self.text += piece


@dataclass
class Draft:
    """A task being assembled from its first row and any continuation rows."""

    seq: str
    row: int
    heading_id: str | None
    name: Cell
    name2: Cell | None  # the second name sub-column, None when the name cell spans both
    cells: dict[str, Cell] = field(default_factory=dict)
    wide: bool = False
    doubts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # doubts that are also import warnings
    index: int = -1  # the row it starts on, 0-based

    def add(self, role: str, piece: str) -> None:
        cell = self.cells.setdefault(role, Cell())
        if role in ("lead", "coop"):
            _add_units(cell, piece)
        elif role == "deadline":
            cell.text = f"{cell.text}\n{piece}" if cell.text else piece
        else:
            cell.add(piece, sentence=True)

    def text(self, role: str) -> str:
        cell = self.cells.get(role)
        return cell.text if cell else ""

    def doubt(self, message: str, *, warn: bool = False) -> None:
        if message not in self.doubts:
            self.doubts.append(message)
        if warn and message not in self.warnings:
            self.warnings.append(message)


def _add_units(cell: Cell, piece: str) -> None:
    """Unit cells broken over a page join directly ("各乡镇" + "(街道)…"), else with "、"."""
    if not cell.text or piece[:1] in "(（、，,；;" or cell.text[-1:] in "、，,；;(（":
        cell.text += piece
    else:
        cell.text += "、" + piece


def start_draft(fields: dict[str, str], wide: bool, prev: Draft | None, seq: str, rownum: int,
           heading_id: str | None) -> Draft:
    """A new task: an empty name cell shares the merged cell above (same shape of row only)."""
    name_text = fields.get(KW, "")
    name2_text = fields.get(KW2, "")
    if name_text:
        name = Cell(name_text)
    elif prev is not None and prev.heading_id == heading_id and prev.wide == wide:
        name = prev.name  # vertically merged: later text in it belongs to all its tasks
    else:
        name = Cell()
    split = wide and not (name_text and not name2_text)
    name2 = Cell(name2_text) if split else None
    if not split and name2_text:
        name.add(name2_text, sentence=False)
    return Draft(seq=seq, row=rownum, heading_id=heading_id, name=name, name2=name2, wide=wide)


def continue_names(draft: Draft, fields: dict[str, str]) -> None:
    """Name text in a continuation row: a word cut by a page or line break, joined directly."""
    for role in (KW, KW2):
        piece = fields.get(role, "")
        if not piece:
            continue
        target = draft.name2 if role == KW2 and draft.name2 is not None else draft.name
        target.add(piece, sentence=False)


_NAME_BREAK_RE = re.compile(r"\s*\n\s*")


def _one_line(name: str) -> str:
    """A name cell typed over several lines (Alt+Enter, Word paragraphs) is one name."""
    return _NAME_BREAK_RE.sub("", name).strip()


def _key_work(draft: Draft) -> str:
    first = _one_line(draft.name.text)
    second = _one_line(draft.name2.text) if draft.name2 is not None else ""
    if first and second:
        return f"{first}：{second}"
    return first or second


def _canonical(directory: UnitDirectory, names: list[str], exclude: Sequence[str] = ()) -> list[str]:
    """One spelling per unit across the table ("县商务工信局" = "县商务工业信息化局" once seen)."""
    out: list[str] = []
    for name in names:
        found = directory.canonical(name)
        if found not in out and found not in exclude:
            out.append(found)
    return out


# A date typed or stored as numbers: an Excel date cell read as "2025-06-30", "2025/6/30", "2025.6".
_NUMERIC_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.．]\s*(\d{1,2})(?:\s*[-/.．]\s*(\d{1,2}))?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)")


def _spelled_dates(text: str) -> str:
    """"2025-06-30" → "2025年6月30日": the deadline reader knows dates as offices write them."""
    def spell(m: re.Match) -> str:
        year, month, day = m.group(1), int(m.group(2)), m.group(3)
        return f"{year}年{month}月{int(day)}日" if day else f"{year}年{month}月"
    return _NUMERIC_DATE_RE.sub(spell, text)


def _read_deadline(text: str, year: int | None) -> Deadline:
    spelled = _spelled_dates(text)
    found = parse_deadline(spelled, year=year)
    return replace(found, text=text) if spelled != text else found


class Readers:
    """Unit lists and deadlines read once per distinct cell text (a long table repeats them)."""

    def __init__(self, year: int | None) -> None:
        self.units = memo(split_unit_list)
        self.roles = memo(read_unit_cell)
        self.deadlines = memo(lambda text: _read_deadline(text, year))
        self.impossible = memo(lambda text: impossible_date(_spelled_dates(text), year=year))

    def unit_list(self, text: str) -> list[str]:
        return list(self.units(text))

    def lead_and_coop(self, lead_text: str, coop_text: str) -> tuple[list[str], list[str]]:
        """Units of the lead and coop cells; role words in them ("X牵头，Y配合") decide who does what."""
        lead_roles = self.roles(lead_text) if lead_text else None
        if lead_roles is None:
            lead, coop = self.unit_list(lead_text), []
        else:
            lead, coop = list(lead_roles.lead), list(lead_roles.coop)
        coop_roles = self.roles(coop_text) if coop_text else None
        if coop_roles is None:
            coop += self.unit_list(coop_text)
        else:
            coop += [*coop_roles.lead, *coop_roles.coop]
        if not lead and coop_roles is not None and coop_roles.lead:
            lead = list(coop_roles.lead)  # "X牵头" written in the coop column of a row without a lead
            coop = [u for u in coop if u not in lead]
        return lead, coop

    def deadline(self, text: str) -> Deadline:
        return replace(self.deadlines(text)) if text else Deadline()  # each task its own Deadline


def finish_task(draft: Draft, year: int | None, directory: UnitDirectory, warnings: list[ParseWarning],
            readers: Readers | None = None) -> Task:
    readers = readers or Readers(year)
    lead_names, coop_names = readers.lead_and_coop(draft.text("lead"), draft.text("coop"))
    lead = _canonical(directory, lead_names)
    coop = _canonical(directory, coop_names, exclude=lead)
    deadline_text = "；".join(p.strip() for p in draft.text("deadline").split("\n") if p.strip())
    deadline = readers.deadline(deadline_text)
    notes = draft.text("progress")
    extra = draft.text("notes")
    task = Task(
        id=new_id(), seq=draft.seq, heading_id=draft.heading_id, key_work=_key_work(draft),
        content=draft.text("content"), metric=draft.text("metric"), lead_units=lead, coop_units=coop,
        deadline=deadline, notes="\n".join(x for x in (notes, extra) if x),
    )
    where = f"第{draft.row}行（序号{draft.seq}）"
    for message in draft.warnings:
        warnings.append(ParseWarning(where, message))
    if not lead:
        warnings.append(ParseWarning(where, "未找到责任单位（no lead unit）"))
    for name in (*lead, *coop):
        if garbled_unit_name(name):
            warnings.append(ParseWarning(where, f"单位名称“{name}”不完整（括号不成对或没有文字），请核对"))
    if readers.impossible(deadline_text):
        warnings.append(ParseWarning(where, f"完成时限“{deadline_text}”不是有效日期（impossible date）"))
    elif deadline.kind == "none":
        reason = f"完成时限“{deadline_text}”无法识别" if deadline_text else "未找到完成时限（no deadline）"
        warnings.append(ParseWarning(where, reason))
    if not task.content and not task.key_work:
        warnings.append(ParseWarning(where, "任务没有内容（empty task）"))
    return task


