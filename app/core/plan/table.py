"""Task tables (任务落实台账, 任务分解表) → LedgerDocument.

A table plan arrives as rows of text cells, from a .txt (tab-separated), a
spreadsheet or a Word table. Real tables are damaged in known ways and the parser
repairs them instead of dropping text:

* the header row repeats at every page break (skipped);
* section rows ("<b>一、…</b>" alone in a row) become headings;
* an empty 重点工作 cell continues the merged cell above;
* cells hold several "<p>" items (one content line each);
* rows broken over a page: a row with no 序号 continues the previous task, and a
  word cut in two ("推动政务" / "公开转型升级") is joined again;
* a name column split into two sub-columns in some rows only (see table_layout).

Every task left without a lead unit or deadline, and every row it cannot place,
becomes a warning with its row number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from app.core.deadlines import impossible_date, parse_deadline
from app.core.plan.front_matter import find_title, year_in
from app.core.plan.table_layout import KW, KW2, Layout, clean_cell, find_header, is_header_row, seq_value
from app.core.records import Deadline, Heading, LedgerDocument, ParseWarning, Round, Task, new_id
from app.core.rounds import find_rounds
from app.core.text import damage_message, find_damage
from app.core.units import UnitDirectory, split_unit_list

_BIG_SEQ_RE = re.compile(r"^[（(]?\s*(\d{1,6})\s*[)）.．、]?$")  # 序号 10000 and up (seq_value stops at 9999)
_SECTION_RE = re.compile(r"^(?P<num>[一二三四五六七八九十百]{1,3}[、．.]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]+[部分章节])\s*(?P<title>\S.*)$")
_SENTENCE_END = "。；;！!？?：:"


@dataclass
class _Cell:
    """A (possibly vertically merged, hence shared) cell whose text grows with continuation rows."""

    text: str = ""

    def add(self, piece: str, *, sentence: bool) -> None:
        if not piece:
            return
        if not self.text:
            self.text = piece
        elif sentence and (self.text[-1] in _SENTENCE_END or self.text.endswith("\n")):
            self.text += "\n" + piece
        else:
            self.text += piece


@dataclass
class _Draft:
    """A task being assembled from its first row and any continuation rows."""

    seq: str
    row: int
    heading_id: str | None
    name: _Cell
    name2: _Cell | None  # the second name sub-column, None when the name cell spans both
    cells: dict[str, _Cell] = field(default_factory=dict)
    wide: bool = False

    def add(self, role: str, piece: str) -> None:
        cell = self.cells.setdefault(role, _Cell())
        if role in ("lead", "coop"):
            _add_units(cell, piece)
        elif role == "deadline":
            cell.text = f"{cell.text}\n{piece}" if cell.text else piece
        else:
            cell.add(piece, sentence=True)

    def text(self, role: str) -> str:
        cell = self.cells.get(role)
        return cell.text if cell else ""


def _add_units(cell: _Cell, piece: str) -> None:
    """Unit cells broken over a page join directly ("各乡镇" + "(街道)…"), else with "、"."""
    if not cell.text or piece[:1] in "(（、，,；;" or cell.text[-1:] in "、，,；;(（":
        cell.text += piece
    else:
        cell.text += "、" + piece


def _section(row: list[str]) -> tuple[str, str] | None:
    """("一、", "深化…") for a row whose only text is a section heading."""
    texts = list(dict.fromkeys(c for c in row if c))  # a merged cell some tools repeat across
    if len(texts) != 1:
        return None
    m = _SECTION_RE.match(texts[0])
    if not m or len(texts[0]) > 60:
        return None
    return m.group("num"), m.group("title").strip()


def _section_level(number: str) -> int:
    if number.startswith(("（", "(")):
        return 2
    return 1


def _seq(cell: str) -> str:
    """"10000" as well as "1." / "（3）": a long table numbers past four digits."""
    found = seq_value(cell)
    if found or not cell:
        return found
    m = _BIG_SEQ_RE.match(cell.strip())
    return str(int(m.group(1))) if m else ""


def _memo(fn: Callable[[str], object]) -> Callable[[str], object]:
    """One call per distinct text within a parse: unit and deadline cells repeat on most rows."""
    cache: dict[str, object] = {}

    def cached(text: str) -> object:
        if text not in cache:
            cache[text] = fn(text)
        return cache[text]
    return cached


def title_and_year(lines: Sequence[str]) -> tuple[str, int | None]:
    """The plan title and year from the lines above a table (core.plan's one title rule)."""
    title, _ = find_title(list(lines), loose=True)
    return title, year_in(title)


def parse_task_table(
    rows: Sequence[Sequence[str]], *, source_name: str, title_lines: Sequence[str] = ()
) -> LedgerDocument:
    """Parse a task table (all rows of the sheet, title lines included) into a ledger document."""
    clean = _memo(clean_cell)
    grid = [[clean(c) for c in row] for row in rows]
    header_at = find_header(grid)
    doc = LedgerDocument()
    if header_at is None:
        doc.title, doc.year = title_and_year(list(title_lines))
        doc.warnings.append(ParseWarning(source_name, "未找到任务表表头（no task table header）"))
        return doc
    layout = Layout.from_header(grid[header_at], grid[header_at + 1:])
    above = [" ".join(c for c in row if c) for row in grid[:header_at]]
    doc.title, doc.year = title_and_year([*title_lines, *above])

    drafts: list[_Draft] = []
    heading_stack: list[Heading] = []
    all_text: list[str] = []
    for index in range(header_at + 1, len(grid)):
        row = grid[index]
        rownum = index + 1
        if not any(row):
            continue
        if is_header_row(row, layout):
            continue
        damaged = next((d for d in map(find_damage, row) if d), None)
        if damaged:
            doc.warnings.append(ParseWarning(f"第{rownum}行", damage_message(damaged)))
        section = _section(row)
        if section:
            number, title = section
            level = _section_level(number)
            while heading_stack and heading_stack[-1].level >= level:
                heading_stack.pop()
            heading = Heading(id=new_id(), number=number, title=title, level=level,
                              parent_id=heading_stack[-1].id if heading_stack else None)
            doc.headings.append(heading)
            heading_stack.append(heading)
            continue
        all_text.append("\t".join(row))
        fields, wide = layout.assign(row)
        seq = _seq(fields.get("seq", ""))
        prev = drafts[-1] if drafts else None
        heading_id = heading_stack[-1].id if heading_stack else None
        starts = bool(seq) if layout.has_seq else bool(fields.get(KW) or fields.get("content"))
        if prev is not None and prev.heading_id != heading_id:
            starts = True
        if not starts and fields.get("seq"):
            doc.warnings.append(ParseWarning(f"第{rownum}行", f"无法识别的行，未导入：{_excerpt(row)}"))
            continue
        if starts:
            draft = _start(fields, wide, prev, seq or str(len(drafts) + 1), rownum, heading_id)
            drafts.append(draft)
        elif prev is None:
            doc.warnings.append(ParseWarning(f"第{rownum}行", f"表头下方无法归属的内容，未导入：{_excerpt(row)}"))
            continue
        else:
            draft = prev
            _continue_names(draft, fields)
        for role, value in fields.items():
            if role in ("seq", KW, KW2) or not value:
                continue
            draft.add(role, value)

    year = doc.year or _year_from(drafts)
    doc.year = year
    directory = UnitDirectory()
    readers = _Readers(year)
    for draft in drafts:
        doc.tasks.append(_finish(draft, year, directory, doc.warnings, readers))
    doc.rounds = _rounds(all_text, year)
    doc.units = directory.units()
    return doc


def _start(fields: dict[str, str], wide: bool, prev: _Draft | None, seq: str, rownum: int,
           heading_id: str | None) -> _Draft:
    """A new task: an empty name cell shares the merged cell above (same shape of row only)."""
    name_text = fields.get(KW, "")
    name2_text = fields.get(KW2, "")
    if name_text:
        name = _Cell(name_text)
    elif prev is not None and prev.heading_id == heading_id and prev.wide == wide:
        name = prev.name  # vertically merged: later text in it belongs to all its tasks
    else:
        name = _Cell()
    split = wide and not (name_text and not name2_text)
    name2 = _Cell(name2_text) if split else None
    if not split and name2_text:
        name.add(name2_text, sentence=False)
    return _Draft(seq=seq, row=rownum, heading_id=heading_id, name=name, name2=name2, wide=wide)


def _continue_names(draft: _Draft, fields: dict[str, str]) -> None:
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


def _key_work(draft: _Draft) -> str:
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


class _Readers:
    """Unit lists and deadlines read once per distinct cell text (a long table repeats them)."""

    def __init__(self, year: int | None) -> None:
        self.units = _memo(split_unit_list)
        self.deadlines = _memo(lambda text: parse_deadline(text, year=year))
        self.impossible = _memo(lambda text: impossible_date(text, year=year))

    def unit_list(self, text: str) -> list[str]:
        return list(self.units(text))

    def deadline(self, text: str) -> Deadline:
        return replace(self.deadlines(text)) if text else Deadline()  # each task its own Deadline


def _finish(draft: _Draft, year: int | None, directory: UnitDirectory, warnings: list[ParseWarning],
            readers: _Readers | None = None) -> Task:
    readers = readers or _Readers(year)
    lead = _canonical(directory, readers.unit_list(draft.text("lead")))
    coop = _canonical(directory, readers.unit_list(draft.text("coop")), exclude=lead)
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
    if not lead:
        warnings.append(ParseWarning(where, "未找到责任单位（no lead unit）"))
    if readers.impossible(deadline_text):
        warnings.append(ParseWarning(where, f"完成时限“{deadline_text}”不是有效日期（impossible date）"))
    elif deadline.kind == "none":
        reason = f"完成时限“{deadline_text}”无法识别" if deadline_text else "未找到完成时限（no deadline）"
        warnings.append(ParseWarning(where, reason))
    if not task.content and not task.key_work:
        warnings.append(ParseWarning(where, "任务没有内容（empty task）"))
    return task


def _year_from(drafts: list[_Draft]) -> int | None:
    for draft in drafts:
        year = year_in(draft.text("deadline"))
        if year:
            return year
    return None


def _rounds(texts: list[str], year: int | None) -> list[Round]:
    found: list[Round] = []
    for text in texts:
        for r in find_rounds(text, year=year):
            if r.name not in {x.name for x in found}:
                found.append(r)
    return found


def _excerpt(row: Sequence[str]) -> str:
    text = " ".join(c for c in row if c)
    return text if len(text) <= 40 else text[:40] + "…"
