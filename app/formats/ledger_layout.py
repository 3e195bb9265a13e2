"""What the xlsx and docx ledger writers share: columns, widths, title, row plan.

Both writers must print the same standard table (see seed 000), so every
decision about *what* goes in which row and cell is made here, once, on plain
records; the writers only decide *how* a cell looks in their format. Qt-free and
format-free so it can be tested on its own.

Decisions (documented for the users of the export):
- Title: a title that already contains "任务落实台账" is kept as written; one ending
  in "任务落实台账" gets "（填报版）" appended; any other title (a plan's name such as
  "XX县2023年政务公开工作要点", with a trailing "（征求意见稿）"-style remark
  dropped) gets "任务落实台账（填报版）" appended. An empty title becomes
  "<year>年政务公开工作要点任务落实台账（填报版）".
- Progress column: the chosen round (default: the latest round, in doc.rounds
  order, that has any progress anywhere in the ledger, so that every unit's export
  shows the same round), one line per reporting unit, lead units first:
  "县民政局：已完成。text".
- Overdue rows are shaded; the line under the title says so, with the as-of date
  the shading was computed for ("注：浅红底色为截至2023年12月31日逾期未完成的任务").
- 完成时限 of a task a unit was granted more time for (an approved 延期, doc.unit_deadlines):
  "原定<planned>，<unit>经批准延期至<date>" (app/core/deadlines_unit.deadline_cell); the overdue
  shading and the overview count each unit by its own deadline.
- A page break may fall inside a row only if the row is taller than KEEP_WHOLE_FRACTION
  of a page: a page is never left more than half empty by a row pushed to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from app.core.deadlines_unit import adjust_summaries, deadline_cell, task_state_with_units
from app.core.records import Heading, LedgerDocument, Progress, Task, Unit, UnitDeadline
from app.core.status import STATE_OVERDUE, UnitSummary, summarize_by_unit
from app.errors import LedgerError

COLUMNS = ("序号", "重点工作", "主要内容", "量化指标", "责任单位", "配合单位", "完成时限", "进展落实情况")
# Column widths in centimetres; they add up to the printable width of A4 landscape
# with the margins below (29.7 - 2.0 - 1.5 = 26.2 cm). 主要内容 and 进展落实情况 get the room.
COLUMN_WIDTHS_CM = (1.2, 2.6, 6.4, 2.8, 2.4, 3.0, 2.2, 5.6)
MARGINS_CM = {"left": 2.0, "right": 1.5, "top": 1.8, "bottom": 1.8, "header": 0.8, "footer": 0.8}
UNIT_JOINER = "、"
INFO_LABELS = ("填报单位", "填报时间", "联系人", "联系电话")
TITLE_SUFFIX = "任务落实台账"
EDITION = "（填报版）"
FOOTER_TEXT = "第 {page} 页 共 {pages} 页"
PAGE_HEIGHT_CM = 21.0  # A4 landscape
PRINT_HEIGHT_PT = (PAGE_HEIGHT_CM - MARGINS_CM["top"] - MARGINS_CM["bottom"]) / 2.54 * 72
# Rows up to this share of a page's body are kept whole; taller ones may break across pages.
KEEP_WHOLE_FRACTION = 0.5
LEGEND_OVERDUE = "注：浅红底色为截至{date}逾期未完成的任务"
LEGEND_NONE_OVERDUE = "注：截至{date}无逾期未完成的任务"

_TRAILING_REMARK = re.compile(r"[（(](征求意见稿|送审稿|讨论稿|草案|试行|修订稿)[）)]\s*$")


def ledger_title(doc: LedgerDocument) -> str:
    """The title line of the printed table (see the module docstring for the rule)."""
    title = (doc.title or "").strip()
    if not title:
        year = f"{doc.year}年" if doc.year else ""
        return f"{year}政务公开工作要点{TITLE_SUFFIX}{EDITION}"
    if title.endswith(TITLE_SUFFIX):
        return title + EDITION
    if TITLE_SUFFIX in title:
        return title
    return _TRAILING_REMARK.sub("", title).rstrip() + TITLE_SUFFIX + EDITION


def format_date_cn(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


# ---------------------------------------------------------------- rows


@dataclass
class SectionRow:
    """A full-width bold heading row ("一、深化重点领域信息公开")."""

    heading: Heading
    label: str
    level: int


@dataclass
class TaskRow:
    """One task row; `key_span` > 1 starts a 重点工作 merge, 0 continues one."""

    task: Task
    cells: tuple[str, ...]
    progress_lines: list[str]
    overdue: bool
    key_span: int = 1


@dataclass
class LedgerLayout:
    """Everything a writer needs, already decided."""

    title: str
    info: dict[str, str]
    round_name: str | None
    as_of: date
    unit: str | None
    rows: list[SectionRow | TaskRow] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    overview: list[UnitSummary] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)  # most overdue first
    unit_deadlines: dict[tuple[str, str], UnitDeadline] = field(default_factory=dict)  # (task id, unit) → granted

    @property
    def task_rows(self) -> list[TaskRow]:
        return [r for r in self.rows if isinstance(r, TaskRow)]

    @property
    def legend(self) -> str:
        """The line under the title: what the shading means, as of which date."""
        template = LEGEND_OVERDUE if self.overdue else LEGEND_NONE_OVERDUE
        return template.format(date=format_date_cn(self.as_of))


def resolve_unit(doc: LedgerDocument, unit: str) -> Unit:
    """The directory unit named `unit` (canonical name, alias, or a name the directory resolves
    without guessing, e.g. 民政局 → 县民政局), or a LedgerError listing names."""
    from app.core.units import UnitDirectory

    wanted = unit.strip()
    for u in doc.units:
        if u.name == wanted or wanted in u.aliases:
            return u
    resolved = UnitDirectory(doc.units).resolve(wanted)
    if resolved is not None:
        return next(u for u in doc.units if u.name == resolved)
    named = {n for t in doc.tasks for n in (*t.lead_units, *t.coop_units)}
    if wanted in named:
        return Unit(wanted)
    names = doc.unit_names() or sorted(named)
    listing = "、".join(names[:8]) + ("……" if len(names) > 8 else "")
    raise LedgerError(f"台账中没有单位“{wanted}”（unknown unit）；可用的单位：{listing or '（无）'}")


def round_names(doc: LedgerDocument) -> list[str]:
    """Rounds in doc.rounds order, then any round named only by progress entries."""
    names = [r.name for r in doc.rounds]
    for entry in doc.progress:
        if entry.round not in names:
            names.append(entry.round)
    return names


def resolve_round(doc: LedgerDocument, round_name: str | None) -> str | None:
    """The round to show: as asked (checked), else the latest round with any progress."""
    names = round_names(doc)
    if round_name is not None:
        if round_name in names:
            return round_name
        listing = "、".join(names[:8]) or "（无）"
        raise LedgerError(f"台账中没有报送轮次“{round_name}”（unknown round）；可用的轮次：{listing}")
    reported = {p.round for p in doc.progress if p.status or p.text}
    latest = [n for n in names if n in reported]
    return latest[-1] if latest else (names[-1] if names else None)


def progress_line(entry: Progress) -> str:
    """"县民政局：已完成。text" — status, then text, without doubled punctuation."""
    status, text = entry.status.strip(), entry.text.strip()
    if status and text:
        body = status + ("" if status[-1] in "。；;：:，," else "。") + text
    else:
        body = status or text
    return f"{entry.unit}：{body}"


def _ordered_entries(task: Task, entries: list[Progress]) -> list[Progress]:
    rank = {u: i for i, u in enumerate([*task.lead_units, *task.coop_units])}
    return sorted(entries, key=lambda p: rank.get(p.unit, len(rank)))


# ---------------------------------------------------------------- status


def overview_counts(doc: LedgerDocument, tasks: list[Task], as_of: date) -> list[UnitSummary]:
    """Per unit, over the exported tasks: led, done, in progress, long-term, overdue (core.status rules)."""
    part = LedgerDocument(title=doc.title, year=doc.year, ledger_id=doc.ledger_id, headings=doc.headings,
                          tasks=tasks, units=doc.units, rounds=doc.rounds, progress=doc.progress)
    rows = summarize_by_unit(part, as_of=as_of)
    if doc.unit_deadlines:
        rows = adjust_summaries(rows, tasks, _progress_by_task(doc), doc.unit_deadlines, as_of=as_of,
                                rounds=[r.name for r in doc.rounds])
    return [row for row in rows if row.led]


def overdue_row(task: Task, limit: int = 60, deadlines: dict | None = None) -> tuple[str, str, str, str]:
    """(序号, 主要内容 shortened, 责任单位, 完成时限) for the overdue list of the overview."""
    content = task.content if len(task.content) <= limit else task.content[: limit - 1] + "…"
    return task.seq, content, UNIT_JOINER.join(task.lead_units), deadline_cell(task, deadlines or {})


def _progress_by_task(doc: LedgerDocument) -> dict[str, list[Progress]]:
    by_task: dict[str, list[Progress]] = {}
    for entry in doc.progress:
        by_task.setdefault(entry.task_id, []).append(entry)
    return by_task


# ---------------------------------------------------------------- plan


def build_layout(
    doc: LedgerDocument, *, unit: str | None = None, round_name: str | None = None, as_of: date | None = None
) -> LedgerLayout:
    """Decide every row and cell of the printed table."""
    as_of = as_of or date.today()
    chosen_unit = resolve_unit(doc, unit) if unit else None
    shown_round = resolve_round(doc, round_name)
    tasks = doc.tasks_of_unit(chosen_unit.name) if chosen_unit else list(doc.tasks)
    info = dict.fromkeys(INFO_LABELS, "")
    if chosen_unit:
        info.update({"填报单位": chosen_unit.name, "填报时间": format_date_cn(as_of),
                     "联系人": chosen_unit.liaison, "联系电话": chosen_unit.phone})
    unit_name = chosen_unit.name if chosen_unit else None
    layout = LedgerLayout(ledger_title(doc), info, shown_round, as_of, unit_name)
    layout.tasks = tasks
    layout.unit_deadlines = dict(doc.unit_deadlines)
    layout.rows = plan_rows(doc, tasks, shown_round, as_of)
    layout.overview = overview_counts(doc, tasks, as_of)
    late = {r.task.id for r in layout.rows if isinstance(r, TaskRow) and r.overdue}
    layout.overdue = sorted((t for t in tasks if t.id in late), key=lambda t: t.deadline.date or date.max)
    return layout


def plan_rows(
    doc: LedgerDocument, tasks: list[Task], round_name: str | None, as_of: date
) -> list[SectionRow | TaskRow]:
    """Section rows when a heading is entered, task rows, and 重点工作 merge spans."""
    by_id = doc.heading_map()
    by_task = _progress_by_task(doc)
    order = [r.name for r in doc.rounds]
    rows: list[SectionRow | TaskRow] = []
    current: list[str] = []
    for task in tasks:
        chain = _chain(task.heading_id, by_id)
        if chain != current:
            common = 0
            while common < min(len(chain), len(current)) and chain[common] == current[common]:
                common += 1
            for hid in chain[common:]:
                heading = by_id[hid]
                rows.append(SectionRow(heading, heading.label, heading.level))
            current = chain
        entries = by_task.get(task.id, [])
        shown = _ordered_entries(task, [p for p in entries if p.round == round_name and (p.status or p.text)])
        cells = (
            task.seq,
            task.key_work,
            task.content,
            task.metric,
            UNIT_JOINER.join(task.lead_units),
            UNIT_JOINER.join(task.coop_units),
            deadline_cell(task, doc.unit_deadlines),
            "\n".join(progress_line(p) for p in shown),
        )
        state = task_state_with_units(task, entries, doc.unit_deadlines, as_of=as_of, rounds=order)
        overdue = state == STATE_OVERDUE
        rows.append(TaskRow(task, cells, [progress_line(p) for p in shown], overdue))
    _assign_spans(rows)
    return rows


def _chain(heading_id: str | None, by_id: dict[str, Heading]) -> list[str]:
    chain: list[str] = []
    seen: set[str] = set()
    while heading_id is not None and heading_id in by_id and heading_id not in seen:
        seen.add(heading_id)
        chain.append(heading_id)
        heading_id = by_id[heading_id].parent_id
    return list(reversed(chain))


def _assign_spans(rows: list[SectionRow | TaskRow]) -> None:
    """Consecutive task rows (no section row between) with the same non-empty key work merge."""
    start: TaskRow | None = None
    for row in rows:
        if not isinstance(row, TaskRow):
            start = None
            continue
        key = row.task.key_work.strip()
        if start is not None and key and key == start.task.key_work.strip():
            start.key_span += 1
            row.key_span = 0
        else:
            start = row if key else None


# ---------------------------------------------------------------- text metrics


def display_width(text: str) -> int:
    """Width in half-width units: CJK and full-width characters count 2."""
    return sum(2 if ord(ch) > 0x2E7F or ch in "‘’“”…—" else 1 for ch in text)


def line_count(text: str, width_units: float) -> int:
    """Lines `text` wraps to in a column `width_units` half-width characters wide."""
    width_units = max(width_units, 2.0)
    lines = 0
    for para in (text or "").split("\n"):
        w = display_width(para)
        lines += max(1, -(-w // int(width_units)))
    return max(lines, 1)


# ---------------------------------------------------------------- splitting long text


_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])")
_CLAUSE_END = re.compile(r"(?<=[，、,：:])")


@dataclass(frozen=True)
class Piece:
    """A sentence of a cell's text; `new_line` when a line break precedes it in the text."""

    text: str
    new_line: bool = False


def split_pieces(text: str) -> list[Piece]:
    """The text as sentences, so that a long cell can be continued on another row at a
    line or sentence boundary; join_pieces gives the text back exactly."""
    pieces: list[Piece] = []
    for index, line in enumerate((text or "").split("\n")):
        parts = [p for p in _SENTENCE_END.split(line) if p] or [""]
        pieces += [Piece(p, index > 0 and k == 0) for k, p in enumerate(parts)]
    return pieces if text else []


def join_pieces(pieces: list[Piece]) -> str:
    """The text of consecutive pieces (a line break before each new line but the first)."""
    return "".join(("\n" if p.new_line and i else "") + p.text for i, p in enumerate(pieces))


def fill_lines(pieces: list[Piece], width_units: float, max_lines: int, *,
               force: bool = False) -> tuple[list[Piece], list[Piece]]:
    """(the pieces that fit in `max_lines` lines, the rest). Whole sentences only, unless
    `force` (a fresh row must take something): then a first sentence too long for the row
    is cut at a comma, or failing that between characters."""
    taken: list[Piece] = []
    for piece in pieces:
        if line_count(join_pieces([*taken, piece]), width_units) > max_lines:
            break
        taken.append(piece)
    if taken or not pieces or not force:
        return taken, pieces[len(taken):]
    head, tail = _cut_piece(pieces[0], width_units, max(max_lines, 1))
    return [head], [tail, *pieces[1:]]


def _cut_piece(piece: Piece, width_units: float, max_lines: int) -> tuple[Piece, Piece]:
    """A sentence longer than a row, cut at the last comma (else character) that still fits."""
    low, high = 1, max(1, len(piece.text) - 1)  # the longest head that fits: binary search
    while low < high:
        mid = (low + high + 1) // 2
        if line_count(piece.text[:mid], width_units) <= max_lines:
            low = mid
        else:
            high = mid - 1
    cut = low
    commas = [m.end() for m in _CLAUSE_END.finditer(piece.text, 0, cut + 1) if 0 < m.end() <= cut]
    if commas and commas[-1] >= cut // 2:
        cut = commas[-1]
    return Piece(piece.text[:cut], piece.new_line), Piece(piece.text[cut:], False)
