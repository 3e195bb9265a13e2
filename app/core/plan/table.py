"""Task tables (任务落实台账, 任务分解表) → LedgerDocument.

A table plan arrives as rows of text cells, from a text copy, a spreadsheet, a Word
table or a web page. What each column means is read from its header (table_header),
chosen or overridden per column (table_columns, `--columns`), and real tables are
damaged in known ways the parser repairs instead of dropping text:

* the header row (one or two rows) repeats at every page break (skipped);
* section rows ("一、…", "（一）…" alone in a row) become headings;
* a cell merged over several rows (Word vMerge, HTML rowspan, a merged range) is carried
  down to every task it covers; an empty 工作任务, 牵头单位 or 完成时限 cell where the
  reader knows nothing of merges (a text copy, a CSV) is taken as "same as above";
* cells hold several "<p>" items (one content line each);
* rows broken over a page: a row with no 序号 continues the previous task, and a
  word cut in two ("推动政务" / "公开转型升级") is joined again;
* a name column split into two sub-columns in some rows only (see table_layout);
* a lead cell that says who leads and who cooperates ("X牵头，Y配合"), and units written
  in 备注 or in a bracket at the end of the content when no unit column holds them.

table_draft assembles each task from its rows and finishes it (units, deadline, warnings).
Whatever the parser had to assume (a carried cell, a guessed column, units taken from a
remark) is a doubt of that task (LedgerDocument.doubts); every task left without a lead
unit or deadline, and every row it cannot place, is a warning naming the row. Every
row ends up in a task, a heading, the header, the lines above the table or a warning
(`TableResult.fates`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.plan.annotations import find_annotation
from app.core.plan.doc_rules import apply_first_unit_rule, first_unit_rule
from app.core.plan.front_matter import closing_kind, find_title, is_chrome_line, year_in
from app.core.plan.table_columns import FIELD_LABELS, ColumnMapping, ColumnSpec, choose_columns
from app.core.plan.table_draft import (
    SENTENCE_END,
    Cell,
    Draft,
    Readers,
    continue_names,
    finish_task,
    memo,
    start_draft,
)
from app.core.plan.table_grid import TableRows, as_table_rows
from app.core.plan.table_header import HEADING as HEADING_COLUMN
from app.core.plan.table_header import (
    SECTION_RE,
    band_keys,
    column_labels,
    find_header_band,
    is_header_row,
    row_key,
)
from app.core.plan.table_layout import KW, KW2, Layout, clean_cell, looks_deadline, seq_value
from app.core.plan.table_roles import looks_like_units, read_unit_cell
from app.core.plan.warnings import skipped_text
from app.core.records import Heading, LedgerDocument, ParseWarning, Round, new_id
from app.core.rounds import find_rounds
from app.core.text import damage_message, find_damage, normalize_for_match
from app.core.units import UnitDirectory, split_unit_list

_BIG_SEQ_RE = re.compile(r"^[（(]?\s*(\d{1,6})\s*[)）.．、]?$")  # 序号 10000 and up (seq_value stops at 9999)
# Fields a merged cell may carry down; 工作任务 is shared through Draft.name instead.
_MERGE_CARRIED = ("content", "metric", "lead", "coop", "deadline", "notes", "progress")
# Fields an empty cell takes from the task above when the reader knows nothing of merges.
_EMPTY_CARRIED = ("lead", "deadline")

_APPENDIX_RE = re.compile(r"^附\s*(?:件|表|录)?\s*\d*\s*[:：]")
_CONTINUED_RE = re.compile(r"^[（(]?续(?:上)?表[)）]?\s*\d*[:：]?$")
# Words of a row that is no section heading: totals, signatures, notes under the table.
_NOT_CATEGORY_RE = re.compile(r"合计|小计|总计|填表|填报|制表|审核|说明|注[:：]|备注|附件|联系人|电话|日期|单位[:：]|盖章|页")

# Row fates (TableResult.fates).
BLANK, FRONT, HEADER, HEADING, TASK, CONTINUATION, WARNED = (
    "blank", "front", "header", "heading", "task", "continuation", "warning")


def _section(row: Sequence[str]) -> tuple[str, str] | None:
    """("一、", "深化…") for a row whose only text is a section heading."""
    texts = list(dict.fromkeys(c for c in row if c))  # a merged cell some tools repeat across
    if len(texts) != 1:
        return None
    m = SECTION_RE.match(texts[0])
    if not m or len(texts[0]) > 60:
        return None
    number, title = m.group("num"), m.group("title").strip()
    if number.startswith("第") and title:
        number += "\u3000"  # "第一部分　重点任务", as the prose reader labels a part
    return number, title


def _section_level(number: str) -> int:
    """一、 1, （一） 2; 第一部分 / 第一章 above them (0, shifted to 1 once the table is read)."""
    if number.startswith(("（", "(")):
        return 2
    if number.startswith("第"):
        return 0
    return 1


_SUB_SEQ_RE = re.compile(r"^(\d{1,4})\s*[.．\-－—]\s*(\d{1,3})(?:\s*[.．\-－—]\s*(\d{1,3}))?[.．、]?$")
_CIRCLED = {chr(0x2460 + i): str(i + 1) for i in range(20)}  # ①…⑳


def _seq(cell: str) -> str:
    """"1", "1." / "（3）", "10000" (a long table numbers past four digits), "1.2" / "1-2", "③"."""
    found = seq_value(cell)
    if found or not cell:
        return found
    s = cell.strip()
    m = _BIG_SEQ_RE.match(s)
    if m:
        return str(int(m.group(1)))
    m = _SUB_SEQ_RE.match(s)
    if m:
        return ".".join(str(int(g)) for g in m.groups() if g)
    return _CIRCLED.get(s, "")


def title_and_year(lines: Sequence[str]) -> tuple[str, int | None]:
    """The plan title and year from the lines above a table (core.plan's one title rule)."""
    title, _ = find_title(list(lines), loose=True)
    return title, year_in(title)


@dataclass
class TableResult:
    """The parsed table, the column mapping used, and what became of each input row."""

    doc: LedgerDocument
    columns: ColumnMapping | None
    fates: list[str]


def parse_task_table(
    rows: Sequence[Sequence[str]], *, source_name: str, title_lines: Sequence[str] = (),
    columns: ColumnSpec | None = None, below_lines: Sequence[str] = (),
) -> LedgerDocument:
    """Parse a task table (all rows of the sheet, title lines included) into a ledger document."""
    return read_task_table(rows, source_name=source_name, title_lines=title_lines, columns=columns,
                           below_lines=below_lines).doc


def read_task_table(
    rows: Sequence[Sequence[str]], *, source_name: str, title_lines: Sequence[str] = (),
    columns: ColumnSpec | None = None, below_lines: Sequence[str] = (),
) -> TableResult:
    """parse_task_table with the column mapping and the fate of every row (for reports and tests).

    `title_lines` are the paragraphs above the table (a Word body, a web page), `below_lines`
    those under it: reporting dates in them are rounds, a closing block (落款, 抄送) is the
    document's frame, anything else is a warning quoting it.
    """
    parser = _TableParser(as_table_rows(rows), source_name, list(title_lines), columns)
    result = parser.run()
    parser.below(below_lines)
    return result


class _TableParser:
    """One parse of one table: the header, then every row in order, then the tasks finished."""

    def __init__(self, table: TableRows, source_name: str, title_lines: list[str], spec: ColumnSpec | None) -> None:
        clean = memo(clean_cell)
        self.table = table
        self.grid = [[clean(c) for c in row] for row in table]
        self.source_name = source_name
        self.title_lines = title_lines
        self.spec = spec
        self.doc = LedgerDocument()
        self.fates = [BLANK if not any(row) else "" for row in self.grid]
        self.drafts: list[Draft] = []
        self.row_fields: dict[int, dict[str, str]] = {}
        self.heading_stack: list[Heading] = []
        self.all_text: list[str] = []
        self.carried: dict[tuple[int, str], int] = {}  # (row, field) → the row whose merged cell it took
        self._numbered_headings = False
        self._column_headings: set[str] = set()

    # --- the header ---------------------------------------------------------------------------

    def _header(self) -> tuple[int, int] | None:
        band = find_header_band(self.grid)
        if band is None and self.spec is not None:
            return _user_header(self.grid, self.spec)
        return band

    def _mapping(self, start: int, end: int) -> ColumnMapping:
        band = self.grid[start:end]
        spread = {}
        for r in range(start, end):
            for c in range(len(self.grid[r])):
                col = self.table.spread_from(r, c)
                if col is not None:
                    spread[(r - start, c)] = col
        labels = column_labels(band, spread) if band else []
        body = [row for row in self.grid[end:] if any(row) and not _section(row)]
        numbers = [self.table.number(i) for i in range(start, end)]
        return choose_columns(labels, body, header_rows=numbers, spec=self.spec)

    def run(self) -> TableResult:
        doc = self.doc
        band = self._header()
        if band is None:
            doc.title, doc.year = title_and_year(self.title_lines)
            doc.warnings.append(ParseWarning(self.source_name, "未找到任务表表头（no task table header）"))
            return TableResult(doc, None, [f or WARNED for f in self.fates])
        start, end = band
        mapping = self._mapping(start, end)
        self.mapping = mapping
        above = [" ".join(c for c in row if c) for row in self.grid[:start]]
        for i in range(start):
            self.fates[i] = self.fates[i] or FRONT
        for i in range(start, end):
            self.fates[i] = HEADER
        doc.title, doc.year = title_and_year([*self.title_lines, *above])
        width = max((u.index + 1 for u in mapping.columns if u.field or u.header), default=0)
        self.layout = Layout.from_roles(mapping.roles(), self.grid[end:], width=width)
        self.header_keys = set(band_keys(self.grid[start:end]))
        self._guessed = [u for u in mapping.columns if u.guessed]
        for use in self._guessed:
            doc.warnings.append(ParseWarning(
                f"第{use.number}列", f"{'表头为空' if not use.header else f'表头“{use.header}”无法识别'}，"
                f"按内容当作“{FIELD_LABELS[use.field]}”（column guessed from its cells；可用 --columns 改正）"))
        if not (mapping.has(KW) or mapping.has("content")):
            doc.warnings.append(ParseWarning(self.source_name, "列对应中没有“工作任务”或“主要内容”列，无法导入任务"))
            return TableResult(doc, mapping, [f or WARNED for f in self.fates])
        for index in range(end, len(self.grid)):
            if self.fates[index] != BLANK:
                self.fates[index] = self._row(index)
        self._finish_all()
        return TableResult(doc, mapping, self.fates)

    # --- rows ---------------------------------------------------------------------------------

    def _warn(self, index: int, message: str) -> str:
        self.doc.warnings.append(ParseWarning(f"第{self.table.number(index)}行", message))
        return WARNED

    def _skip(self, index: int, why: str) -> str:
        """A row the parser cannot place: a warning that keeps all its text."""
        text = " ".join(c for c in self.grid[index] if c)
        self.doc.warnings.append(skipped_text(f"第{self.table.number(index)}行", why, text))
        return WARNED

    def below(self, lines: Sequence[str]) -> None:
        """Paragraphs under the table: rounds in them, and each a warning unless it closes the document.

        A line opening an attachment ("附：各单位联络员名单", "附件2") ends the plan: what follows
        is another document (a contact list), part of the closing block like 抄送 and 印发.
        """
        texts = [clean_cell(line) for line in lines if line and line.strip()]
        end = next((i for i, text in enumerate(texts) if _APPENDIX_RE.match(text)), len(texts))
        texts = texts[:end]
        found = _rounds(texts, self.doc.year)
        self.doc.rounds += [r for r in found if r.name not in {x.name for x in self.doc.rounds}]
        for text in texts:
            if closing_kind(text) or is_chrome_line(text):
                continue
            self.doc.warnings.append(skipped_text("表格下方", "表格下方的文字", text))

    def _row(self, index: int) -> str:
        row = self.grid[index]
        if row_key(row) in self.header_keys or is_header_row(row):
            return HEADER
        damaged = next((d for d in map(find_damage, row) if d), None)
        if damaged:
            self._warn(index, damage_message(damaged))
        section = _section(row)
        if section:
            self._heading(*section)
            return HEADING
        if _CONTINUED_RE.match(" ".join(c for c in row if c)):
            return HEADER  # "续表" over a table continued on the next page
        category = self._category(index)
        if category:
            self._heading("", category, level=3 if self._numbered_headings else 1)
            return HEADING
        self.all_text.append("\t".join(row))
        fields, wide, loose = self.layout.assign(row)
        chapter = fields.pop(HEADING_COLUMN, "")
        if chapter:
            self._column_heading(chapter)
        seq = _seq(fields.get("seq", ""))
        prev = self.drafts[-1] if self.drafts else None
        heading_id = self.heading_stack[-1].id if self.heading_stack else None
        starts = bool(seq) if self.layout.has_seq else bool(fields.get(KW) or fields.get("content"))
        own_row = False
        if self.layout.has_seq and not seq and not fields.get("seq") and self._complete_row(index, fields):
            starts = own_row = True  # a task of its own in a row without 序号 (a merged 序号): no continuation
        new_section = prev is not None and prev.heading_id != heading_id
        if new_section and (fields.get(KW) or fields.get("content")):
            starts = True  # the first row under a heading starts a task, 序号 or not
        if starts:
            self._carry_merged(index, fields, wide)
        self.row_fields[index] = fields
        if not starts and fields.get("seq"):
            return self._skip(index, "无法识别的行")
        if starts:
            rownum = self.table.number(index)
            if not seq:
                seq = prev.seq if own_row and prev is not None else str(len(self.drafts) + 1)
            draft = start_draft(fields, wide, prev, seq, rownum, heading_id)
            draft.index = index
            if own_row:
                merged = any(self.table.carried_from(index, u.index) is not None for u in self.mapping.of("seq"))
                how = "序号是合并单元格" if merged else "没有序号"
                draft.doubt(f"第{rownum}行{how}，但有自己的内容、责任单位和时限：按一项新任务导入，"
                            f"序号沿用“{seq}”（row of its own under a merged 序号）", warn=not merged)
            self._name_doubt(draft, index, fields, prev)
            self.drafts.append(draft)
            fate = TASK
        elif prev is None or new_section:
            return self._skip(index, "表头下方无法归属的内容")
        else:
            draft = prev
            continue_names(draft, fields)
            fate = CONTINUATION
        for role, value in fields.items():
            if role in ("seq", KW, KW2) or not value:
                continue
            draft.add(role, value)
        for column, text in loose:
            piece = f"{self._column_name(column)}：{text}"
            if draft.text("notes") and draft.text("notes")[-1] not in "；;。\n":
                piece = "；" + piece  # "牵头领导：王某；责任人：李某", not one run-on line
            draft.add("notes", piece)
        for use in self._guessed:
            if fields.get(use.field):
                draft.doubt(f"“{FIELD_LABELS[use.field]}”取自第{use.number}列，该列按内容推断（guessed column）")
        for message in self.table.doubts.get(index, ()):
            draft.doubt(message, warn=index in self.table.unsure)
        return fate

    def _column_name(self, column: int) -> str:
        uses = self.mapping.columns
        header = uses[column].header if column < len(uses) else ""
        return header or f"第{column + 1}列"

    def _complete_row(self, index: int, fields: dict[str, str]) -> bool:
        """A row that holds a task of its own: its own content, unit and deadline (the task name may be merged).

        Rows broken over a page continue their task with content only; a measure under a 序号
        merged over several rows has its own 责任单位 and 完成时限.
        """
        if not self.drafts or not all(fields.get(r) for r in ("content", "lead", "deadline")):
            return False
        prev = self.drafts[-1]
        return not (prev.text("lead") == "" and prev.text("deadline") == "")

    def _category(self, index: int) -> str:
        """An unnumbered section row ("重点领域信息公开" alone, over the rows of its tasks), else ""."""
        row = self.grid[index]
        texts = list(dict.fromkeys(c for c in row if c))
        if len(texts) != 1:
            return ""
        text = texts[0]
        col = row.index(text)
        spread = sum(1 for c in range(col + 1, len(row)) if self.table.spread_from(index, c) == col)
        merged = spread + 1 >= max(2, (len(self.layout.roles) + 1) // 2)
        if (len(text) > 30 or col != 0 or "\n" in text or _NOT_CATEGORY_RE.search(text) or _seq(text)
                or closing_kind(text) or is_chrome_line(text)):
            return ""
        if not merged and not (len(re.findall(r"[\u4e00-\u9fff]", text)) >= 4 and text[-1] not in SENTENCE_END + "，、。"):
            return ""
        following = next((r for r in self.grid[index + 1:index + 4] if any(r)), None)
        if following is None or not _seq(following[0]):
            return ""
        return text

    def _heading(self, number: str, title: str, level: int | None = None) -> None:
        if number:
            self._numbered_headings = True
        level = level or _section_level(number)
        while self.heading_stack and self.heading_stack[-1].level >= level:
            self.heading_stack.pop()
        heading = Heading(id=new_id(), number=number, title=title, level=level,
                          parent_id=self.heading_stack[-1].id if self.heading_stack else None)
        self.doc.headings.append(heading)
        self.heading_stack.append(heading)

    def _column_heading(self, text: str) -> None:
        """The chapter a heading column (一级指标) gives its rows: a new heading when its text changes."""
        titles = [t.strip() for t in text.split("\n") if t.strip()]
        current = [h for h in self.heading_stack if h.id in self._column_headings]
        if [h.title for h in current] == titles:
            return
        while self.heading_stack and self.heading_stack[-1].id in self._column_headings:
            self.heading_stack.pop()
        for title in titles:
            level = self.heading_stack[-1].level + 1 if self.heading_stack else 1
            heading = Heading(id=new_id(), number="", title=title, level=level,
                              parent_id=self.heading_stack[-1].id if self.heading_stack else None)
            self.doc.headings.append(heading)
            self.heading_stack.append(heading)
            self._column_headings.add(heading.id)

    def _carry_merged(self, index: int, fields: dict[str, str], wide: bool) -> None:
        """Fields whose cell a vertical merge covers take the text of the merged cell above."""
        if not self.table.covered or wide:
            return
        for use in self.mapping.columns:
            role = use.field
            if role not in _MERGE_CARRIED or fields.get(role):
                continue
            src = self.table.carried_from(index, use.index)
            if src is None or src not in self.row_fields:
                continue
            value = self.row_fields[src].get(role, "")
            if value:
                fields[role] = value
                self.carried[(index, role)] = src

    def _name_doubt(self, draft: Draft, index: int, fields: dict[str, str], prev: Draft | None) -> None:
        if fields.get(KW) or prev is None or draft.name is not prev.name or not draft.name.text:
            return
        kw_cols = [u.index for u in self.mapping.of(KW)]
        merged = any(self.table.carried_from(index, c) is not None for c in kw_cols)
        label = FIELD_LABELS[KW]
        if merged:
            draft.doubt(f"{label}沿用上方的合并单元格“{_short(draft.name.text)}”（merged cell carried down）")
        else:
            draft.doubt(f"{label}单元格为空，沿用上方的“{_short(draft.name.text)}”（empty cell taken as merged）")

    # --- tasks --------------------------------------------------------------------------------

    def _finish_all(self) -> None:
        doc = self.doc
        year = doc.year or _year_from(self.drafts)
        doc.year = year
        directory = UnitDirectory()
        readers = Readers(year)
        for i, draft in enumerate(self.drafts):
            self._merged_doubts(draft)
            self._fill_units(draft)
            prev = self.drafts[i - 1] if i else None
            self._carry_empty(draft, prev)
            task = finish_task(draft, year, directory, doc.warnings, readers)
            doc.tasks.append(task)
            for message in draft.doubts:
                doc.add_doubt(task, message)
        if any(h.level < 1 for h in doc.headings):  # 第一部分 rows above 一、 rows: levels from 1
            for h in doc.headings:
                h.level += 1
        rule = first_unit_rule([*self.title_lines, *(" ".join(c for c in row if c) for row in self.grid)])
        if rule:
            apply_first_unit_rule(doc, rule)
        doc.rounds = _rounds(self.all_text, year)
        doc.units = directory.units()

    def _merged_doubts(self, draft: Draft) -> None:
        for role in _MERGE_CARRIED:
            src = self.carried.get((draft.index, role))
            if src is not None:
                draft.doubt(f"{FIELD_LABELS[role]}沿用第{self.table.number(src)}行的合并单元格（merged cell carried down）")

    def _fill_units(self, draft: Draft) -> None:
        """No unit in the unit columns: the units written in 备注, or in a bracket closing the content."""
        if draft.text("lead"):
            return
        notes = draft.text("notes")
        found = read_unit_cell(notes) if notes else None
        if found is None and notes and looks_like_units(notes):
            found_lead, found_coop = split_unit_list(notes), []
        elif found is not None and found.lead:
            found_lead, found_coop = found.lead, found.coop
        else:
            found_lead, found_coop = [], []
        if found_lead:
            draft.add("lead", "、".join(found_lead))
            if found_coop:
                draft.add("coop", "、".join(found_coop))
            draft.doubt(f"责任单位取自备注“{_short(notes)}”（units read from 备注）")
            return
        content = draft.text("content")
        annotation = find_annotation(content) if content else None
        if annotation is not None and annotation.lead_units:
            draft.cells["content"] = Cell(annotation.remove_from(content))
            draft.add("lead", "、".join(annotation.lead_units))
            if annotation.coop_units:
                draft.add("coop", "、".join(annotation.coop_units))
            if not draft.text("deadline") and annotation.deadline_text:
                draft.add("deadline", annotation.deadline_text)
            draft.doubt(f"责任单位取自内容末尾的括注“{_short(annotation.raw)}”（units read from the content）")

    def _carry_empty(self, draft: Draft, prev: Draft | None) -> None:
        """An empty 牵头单位 or 完成时限 cell under a filled one: most likely a merged cell lost in the copy."""
        if prev is None or prev.heading_id != draft.heading_id:
            return
        for role in _EMPTY_CARRIED:
            if draft.text(role) or not prev.text(role) or not self.mapping.has(role):
                continue
            draft.cells[role] = Cell(prev.text(role))
            draft.doubt(f"{FIELD_LABELS[role]}为空，沿用上一项（第{prev.row}行）“{_short(prev.text(role))}”"
                        "（empty cell taken as merged，请核对）", warn=True)


def _user_header(grid: Sequence[Sequence[str]], spec: ColumnSpec) -> tuple[int, int] | None:
    """The header rows of a table whose header says nothing known, the user having said where fields are.

    With header texts in --columns: the first row holding them all. With column numbers only:
    the first row of two cells or more, when none of them looks like data (a 序号, a date, a
    sentence), else no header row at all.
    """
    wanted = {normalize_for_match(t) for t in spec.header_texts}
    for i, row in enumerate(grid[:100]):
        cells = {normalize_for_match(c) for c in row if c}
        if wanted and wanted <= cells:
            return i, i + 1
    if wanted:
        return None
    first = next((i for i, row in enumerate(grid) if sum(1 for c in row if c) >= 2), None)
    if first is None:
        return None
    looks_like_data = any(seq_value(c) or looks_deadline(c) or "。" in c for c in grid[first] if c)
    return (first, first) if looks_like_data else (first, first + 1)


def _year_from(drafts: list[Draft]) -> int | None:
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


def _short(text: str, limit: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
