"""Read a standard ledger table back: LedgerDesk's own .xlsx export (also after
LibreOffice, Excel or WPS re-saved it, or converted it to .ods/.xls), or any
spreadsheet with the standard header row.

Values are read with python-calamine (fast; xlsx, xls, xlsb, ods alike; hidden
sheets included). The rules:

- The hidden sheet "_ledgerdesk" (see ledger_xlsx.py) gives ids, headings, units,
  rounds, notes, deadline dates and all progress entries.
- VISIBLE cells win for what a person may have edited: 序号, 重点工作, 主要内容,
  量化指标, 责任单位, 配合单位, 完成时限 (a changed deadline text is re-parsed). Edits
  in 进展落实情况 are not read back (progress comes in through return sheets): a
  warning names the row.
- Spill rows (a task's 进展落实情况 continued below its row, see ledger_xlsx.py)
  belong to the task row above: their text is joined to the task's (as the hidden
  "spill" record says, else guessed: a new line where a row starts "单位：状态…"), so
  the check of 进展落实情况 and a read without the hidden sheet see the whole text. A
  spill row is known by its id cell "<task id>+<n>", or, with the id column gone, by
  its 序号 cell "序号" (shown as nothing) with 主要内容 … 完成时限 empty, or by those
  cells being empty parts of merged cells, directly after the task's rows. A spill
  row is never read as a task, nor as a repeated header row; one that follows no row
  of its task is left out with a warning.
- Rows are matched to the hidden data by the hidden id column (I), then by seq and
  text. A visible row matching nothing becomes a new task with a new id; a hidden
  task with no visible row was deleted by the user and is left out (warning).
- Hidden sheet deleted but the id column kept: the ids are kept, the rest is read as
  a plain table.
- No hidden sheet but a standard header ("plain import", only with plain=True): headings come from the
  section rows, every task gets a new id, an empty 重点工作 continues the one above
  (a merged cell, as in seed 000), and progress lines "单位：状态。文本" go to a round
  named "第一次报送".

Returns None when the workbook is not an export (so other table parsers can try).
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook
from rapidfuzz import fuzz

from app.core.deadlines import impossible_date, parse_deadline
from app.core.plan.table import title_and_year
from app.core.records import (
    STATUSES,
    Deadline,
    Heading,
    LedgerDocument,
    ParseWarning,
    Progress,
    Round,
    Task,
    Unit,
    new_id,
)
from app.core.rounds import find_rounds
from app.core.units import UnitDirectory, match_key, split_unit_list, unit_kind
from app.errors import InputError
from app.formats.ledger_layout import COLUMNS, UNIT_JOINER, progress_line
from app.formats.ledger_xlsx import DATA_SHEET, SPILL_ID_SEP, SPILL_MARK, XLSX_FORMAT_TAG, clean

PLAIN_ROUND = "第一次报送"
_HEADER_SCAN_ROWS = 40
_ID_HEADER = "_id"
_SECTION_NUMBER = re.compile(r"^\s*([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+[、.．](?!\d))")
_SPLIT_UNITS = re.compile(r"[、；;，,\n]+")
# Cells a spill row leaves empty (merged with its task row's); 重点工作 may restart there.
_PLAN_COLUMNS = ("主要内容", "量化指标", "责任单位", "配合单位", "完成时限")
_PROGRESS_HEAD = re.compile(r"([^：\n。；;！？!?，,]{1,30})：")  # "县民政局：" starting a progress line


def read_exported_ledger(path: Path, *, plain: bool = False) -> LedgerDocument | None:
    """The ledger in a LedgerDesk export, or None if `path` is not one.

    An export is recognised by its hidden sheet, or (hidden sheet deleted) by the id
    column "_id" beside the standard header. Other tables with the standard header
    are read only when `plain` is true: the import dispatcher leaves them to the
    general task-table parser (app/core/table_plan.py), which knows more layouts.
    """
    path = Path(path)
    _check_unpacked_size(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several private error types
        raise InputError(path, f"无法读取表格（cannot read spreadsheet）：{exc}") from exc
    hidden = _read_hidden(wb) if DATA_SHEET in wb.sheet_names else None
    main = _find_main_sheet(wb, hidden)
    if main is None:
        return None
    _name, rows, header_row, columns, merges = main
    if hidden is None and _ID_HEADER not in columns and not plain:
        return None
    return _Builder(path, hidden, rows, header_row, columns, merges).build()


# ---------------------------------------------------------------- sheets

MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # far above any real ledger; refuses zip bombs


def _check_unpacked_size(path: Path) -> None:
    """An .xlsx/.ods is a zip: refuse one that would unpack to an absurd size."""
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"文件已损坏，无法读取（damaged file）：{exc}") from exc
    if total > MAX_UNPACKED_BYTES:
        raise InputError(path, "文件解压后过大，已拒绝（file unpacks too large）")



def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _read_hidden(wb: CalamineWorkbook) -> dict | None:
    rows = wb.get_sheet_by_name(DATA_SHEET).to_python(skip_empty_area=False)
    records: dict[str, list] = {"round": [], "unit": [], "heading": [], "task": [], "progress": [], "spill": []}
    tag, meta = None, {}
    for row in rows:
        if not row or not row[0]:
            continue
        kind = _cell_text(row[0])
        text = "".join(_cell_text(v) for v in row[1:])
        if kind == "format":
            tag = text
            continue
        try:
            payload = json.loads(text)
        except ValueError:
            continue
        if kind == "meta":
            meta = payload
        elif kind in records:
            records[kind].append(payload)
    if tag != XLSX_FORMAT_TAG:
        return None
    return {"meta": meta, **records}


def _normalize_header(value: object) -> str:
    return re.sub(r"\s+", "", _cell_text(value))


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        names = [_normalize_header(v) for v in row]
        if all(required in names for required in ("序号", "主要内容", "责任单位", "完成时限")):
            columns = {name: names.index(name) for name in (*COLUMNS, _ID_HEADER) if name in names}
            return r, columns
    return None


def _find_main_sheet(wb: CalamineWorkbook, hidden: dict | None):
    names = list(wb.sheet_names)
    preferred = (hidden or {}).get("meta", {}).get("sheet")
    others = [n for n in names if n not in (preferred, DATA_SHEET)]
    order = ([preferred] if preferred in names else []) + others
    for name in order:
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        found = _find_header(rows)
        if found:
            merges = sheet.merged_cell_ranges
            return name, rows, found[0], found[1], merges
    return None


# ---------------------------------------------------------------- building


class _Builder:
    """Turns the visible rows plus (optional) hidden data into a LedgerDocument."""

    def __init__(self, path: Path, hidden: dict | None, rows: list[list], header_row: int,
                 columns: dict[str, int], merges) -> None:
        self.path, self.hidden, self.rows = path, hidden, rows
        self.header_row, self.columns = header_row, columns
        self.merged_key_rows = None if merges is None else _rows_inside_merges(merges, columns.get("重点工作"))
        # Rows inside a vertical merge, for each of the cells a spill row leaves empty.
        self.merged_plan_rows = None if merges is None else [
            _rows_of_merges(merges, columns[name]) for name in _PLAN_COLUMNS if name in columns]
        self.doc = LedgerDocument()
        self.warnings: list[ParseWarning] = []
        self.used_ids: set[str] = set()

    # -- visible cells
    def cell(self, row: list, name: str) -> str:
        col = self.columns.get(name)
        return _cell_text(row[col]).strip() if col is not None and col < len(row) else ""

    def build(self) -> LedgerDocument:
        doc = self.doc
        hidden = self.hidden
        if hidden:
            meta = hidden["meta"]
            doc.ledger_id = meta.get("ledger_id") or doc.ledger_id
            doc.title, doc.year, doc.office = meta.get("title", ""), meta.get("year"), meta.get("office", "")
            doc.rounds = [Round(r["name"], _date(r.get("due"))) for r in hidden["round"]]
            doc.units = [Unit(u["name"], u.get("kind", "department"), list(u.get("aliases", [])),
                              u.get("liaison", ""), u.get("phone", "")) for u in hidden["unit"]]
            doc.headings = [Heading(h["id"], h["number"], h["title"], h.get("parent_id"), h.get("level", 1))
                            for h in hidden["heading"]]
        else:
            # Hidden sheet gone: read what a plain table parser would (one title rule, rounds
            # from the plan's own text, e.g. task 38 of seed 000).
            above = [" ".join(_cell_text(v).strip() for v in row if _cell_text(v).strip())
                     for row in self.rows[: self.header_row]]
            doc.title, doc.year = title_and_year(above)
            doc.title = doc.title or self.path.stem
            doc.rounds = find_rounds(self._visible_plan_text(), year=doc.year)
        self.directory = UnitDirectory(doc.units)
        self._rows_to_tasks()
        doc.warnings = self.warnings
        return doc

    def _visible_plan_text(self) -> str:
        """The plan's cells below the header, one row a line (not 进展落实情况: reports, not plan)."""
        names = [n for n in COLUMNS if n != "进展落实情况"]
        return "\n".join("\t".join(self.cell(row, n) for n in names) for row in self.rows[self.header_row + 1:])

    def _rows_to_tasks(self) -> None:
        hidden_tasks = {t["id"]: t for t in (self.hidden or {}).get("task", [])}
        unused = dict(hidden_tasks)
        progress = (self.hidden or {}).get("progress", [])
        self.progress_by_task: dict[str, list[dict]] = {}
        for p in progress:
            self.progress_by_task.setdefault(p["task_id"], []).append(p)
        self.orphan_rows: list[int] = []
        self.spill_joins = {s["task_id"]: list(s.get("joins", [])) for s in (self.hidden or {}).get("spill", [])
                            if isinstance(s, dict) and "task_id" in s}
        stack: list[Heading] = []
        prev_key: str | None = None  # key work of the task row above, None after a section row
        open_task: _OpenTask | None = None  # the task row above, its progress still open to spill rows
        adjacent = False  # nothing but blank rows since open_task's last row
        for r in range(self.header_row + 1, len(self.rows)):
            row = self.rows[r]
            values = {name: self.cell(row, name) for name in COLUMNS}
            ident = self.cell(row, _ID_HEADER)
            spill = _spill_shaped(values)
            if spill and open_task is not None:
                part = self._spill_part(open_task, r, values, ident, adjacent)
                if part is not None:
                    open_task.add(part, self._raw(row, "进展落实情况"))
                    adjacent = True
                    continue
            if not any(values.values()) and not ident:
                continue  # blank
            adjacent = False
            if spill and (values["序号"] == SPILL_MARK or _spill_ident(ident)):
                self._orphan_spill_row(r, values)  # never a task
                continue
            if values["序号"] == SPILL_MARK:
                continue  # a header repeated at a page break
            if not any(values.values()):
                continue  # only an id left
            if values["序号"] and not any(values[n] for n in COLUMNS[1:]):
                self._close(open_task)
                open_task = None
                stack = self._section(values["序号"], stack)
                prev_key = None
                continue
            self._close(open_task)
            source = unused.pop(ident, None) if ident else None
            if source is None and unused:
                source = _match_by_text(values, unused)
                if source is not None:
                    unused.pop(source["id"])
            task = self._task(r, values, source, stack, prev_key)
            if source is None and ident and self.hidden is None and ident not in self.used_ids \
                    and not _spill_ident(ident):
                task.id = ident  # hidden sheet deleted, id column kept
            if task.id in self.used_ids:
                task.id = new_id()  # a copied row
            self.used_ids.add(task.id)
            prev_key = task.key_work
            self.doc.tasks.append(task)
            open_task = _OpenTask(task, source, ident, r, self._raw(row, "进展落实情况"))
            adjacent = True
        self._close(open_task)
        self._warn_orphans()
        for t in unused.values():
            self.warnings.append(ParseWarning(self.path.name, f"任务“{t['seq']}”已从表格中删除，未导入"))
        self._complete_units()

    def _raw(self, row: list, name: str) -> str:
        """A cell's text as written (not stripped: a spill row's text may go on mid-line)."""
        col = self.columns.get(name)
        return _cell_text(row[col]) if col is not None and col < len(row) else ""

    def _spill_part(self, open_task: _OpenTask, r: int, values: dict[str, str], ident: str,
                    adjacent: bool) -> int | None:
        """The part number if row `r` (spill-shaped) continues `open_task`, else None."""
        spill_id = _spill_ident(ident)
        if spill_id is not None:  # the id cell says whose spill row it is
            base, part = spill_id
            return part if open_task.ident and base == open_task.ident else None
        if ident or not adjacent:
            return None  # a task's id (a row emptied by hand), or not right below the task
        if values["序号"] == SPILL_MARK:
            return open_task.parts_read
        # 序号 emptied too (a copy of the values): still a spill row if its other cells are
        # parts of merged cells, or hold nothing but 重点工作 restarted at a page top.
        if self.merged_plan_rows and all(r in rows for rows in self.merged_plan_rows):
            return open_task.parts_read
        if values["重点工作"] in ("", clean(open_task.task.key_work).strip()):
            return open_task.parts_read
        return None

    def _orphan_spill_row(self, r: int, values: dict[str, str]) -> None:
        """A spill row below no row of its task (the task's row deleted, rows moved): noted."""
        if values["进展落实情况"]:
            self.orphan_rows.append(r)

    def _warn_orphans(self) -> None:
        """One warning for each run of spill rows left without their task."""
        runs: list[list[int]] = []
        for r in self.orphan_rows:
            if runs and r == runs[-1][-1] + 1:
                runs[-1].append(r)
            else:
                runs.append([r])
        for run in runs:
            where = f"第{run[0] + 1}行" if len(run) == 1 else f"第{run[0] + 1}–{run[-1] + 1}行"
            self.warnings.append(ParseWarning(
                f"{self.path.name} {where}",
                "续行（spill row）不在其任务的行下，其进展落实情况未导入",
            ))

    def _close(self, open_task: _OpenTask | None) -> None:
        """The task's progress, now that its spill rows are all read."""
        if open_task is None:
            return
        task, source = open_task.task, open_task.source
        joins = self.spill_joins.get(source["id"] if source is not None else open_task.ident)
        text = open_task.parts[0][1]
        for part, chunk in open_task.parts[1:]:
            if joins is not None and part < len(joins):
                join = joins[part]
            else:
                join = self._guess_join(task, chunk)
            text += join + chunk
        if source is not None:
            self._hidden_progress(task, self.progress_by_task.get(source["id"], []), text, open_task.row)
        elif text.strip():
            self._visible_progress(task, text)

    def _guess_join(self, task: Task, chunk: str) -> str:
        """How a spill row's text goes on from the row above when no record says: on a new
        line if it starts like a progress line ("单位：状态。…", a unit of the task or a known
        one), else within the line (the writer cut most rows between sentences of one line)."""
        m = _PROGRESS_HEAD.match(chunk.lstrip())
        if m is None:
            return ""
        unit, body = m.group(1).strip(), chunk.lstrip()[m.end():].lstrip()
        if body.startswith(STATUSES):
            return "\n"
        task_units = {match_key(u) for u in (*task.lead_units, *task.coop_units)}
        if match_key(unit) in task_units or self.directory.resolve(unit):
            return "\n"
        return ""

    def _section(self, label: str, stack: list[Heading]) -> list[Heading]:
        """Map a section row to a heading (known, or new), returning the new heading chain."""
        known = [h for h in self.doc.headings if h.label == label.strip()]
        ids = [h.id for h in stack]
        known.sort(key=lambda h: -(ids.index(h.parent_id) if h.parent_id in ids else -1))
        if known:
            heading = known[0]
        else:
            m = _SECTION_NUMBER.match(label)
            number, title = (m.group(1).strip(), label[m.end():].strip()) if m else ("", label.strip())
            level = _level_of(number)
            parents = [h for h in stack if h.level < level]
            heading = Heading(new_id(), number, title, parents[-1].id if parents else None, level)
            self.doc.headings.append(heading)
        by_id = self.doc.heading_map()
        chain, hid = [], heading.id
        while hid is not None and hid in by_id and len(chain) < 20:
            chain.append(by_id[hid])
            hid = by_id[hid].parent_id
        return list(reversed(chain))

    def _task(self, r: int, values: dict[str, str], source: dict | None, stack: list[Heading],
              prev_key: str | None) -> Task:
        src = source or {}
        key = values["重点工作"]
        if not key and prev_key:
            # An empty 重点工作 under a task row: a merged cell continuing the one above, or truly empty.
            if not self.hidden:
                continued = True  # plain tables leave it empty when it continues (seed 000)
            elif self.merged_key_rows is not None:
                continued = r in self.merged_key_rows
            else:
                continued = source is None or src.get("key_work") == prev_key  # .ods: no merge info
            key = prev_key if continued else ""
        return Task(
            id=src.get("id") or new_id(),
            seq=values["序号"] or src.get("seq", ""),
            heading_id=stack[-1].id if stack else src.get("heading_id"),
            key_work=_prefer(src.get("key_work"), key),
            content=_prefer(src.get("content"), values["主要内容"]),
            metric=_prefer(src.get("metric"), values["量化指标"]),
            lead_units=self._units(src.get("lead_units"), values["责任单位"]),
            coop_units=self._units(src.get("coop_units"), values["配合单位"]),
            deadline=self._deadline(src.get("deadline"), values["完成时限"], r, shown=src.get("deadline_shown")),
            notes=src.get("notes", ""),
        )

    def _units(self, hidden: list[str] | None, text: str) -> list[str]:
        if hidden is not None and clean(UNIT_JOINER.join(hidden)).strip() == text:
            return list(hidden)
        if not self.hidden:
            return split_unit_list(text)
        names = []
        for part in _SPLIT_UNITS.split(text):
            part = part.strip()
            if part:
                names.append(self.directory.resolve(part) or part)
        return list(dict.fromkeys(names))

    def _deadline(self, hidden: dict | None, text: str, r: int, *, shown: object = None) -> Deadline:
        """The task's planned deadline; a cell still showing what the export printed for an approved
        延期 ("原定…，经批准延期至…", the hidden `deadline_shown`) is the planned deadline unchanged."""
        unchanged = isinstance(shown, str) and clean(shown).strip() == text
        if hidden is not None and (unchanged or clean(hidden.get("text", "")).strip() == text):
            return Deadline(hidden.get("text", ""), _date(hidden.get("date")), hidden.get("kind", "none"))
        if impossible_date(text, year=self.doc.year):
            self.warnings.append(ParseWarning(f"{self.path.name} 第{r + 1}行",
                                              f"完成时限“{text}”不是有效日期（impossible date）"))
        return parse_deadline(text, year=self.doc.year)

    def _hidden_progress(self, task: Task, entries: list[dict], visible: str, r: int) -> None:
        shown_round = (self.hidden or {}).get("meta", {}).get("round")
        rebuilt: list[Progress] = []
        for p in entries:
            rebuilt.append(_progress_from_json(p, task.id))
        self.doc.progress.extend(rebuilt)
        shown = [progress_line(p) for p in rebuilt if p.round == shown_round and (p.status or p.text)]
        seen = sorted(clean(x).strip() for x in visible.split("\n") if x.strip())
        if sorted(clean(x).strip() for x in shown) != seen:
            self.warnings.append(ParseWarning(
                f"{self.path.name} 第{r + 1}行",
                "进展落实情况在表格中被修改，未导入（请用回报表报送进展）",
            ))

    def _visible_progress(self, task: Task, text: str) -> None:
        round_name = (self.hidden or {}).get("meta", {}).get("round") or PLAIN_ROUND
        if round_name not in [r.name for r in self.doc.rounds]:
            self.doc.rounds.append(Round(round_name))
        for line in (x.strip() for x in text.split("\n")):
            if not line:
                continue
            unit, sep, body = line.partition("：")
            if not sep or len(unit) > 30:
                unit, body = (task.lead_units[0] if task.lead_units else ""), line
            status = next((s for s in STATUSES if body.startswith(s)), "")
            rest = body[len(status):].lstrip("。；;，, ") if status else body
            entry = Progress(task.id, unit.strip(), round_name, status, rest, source=self.path.name)
            self.doc.progress.append(entry)

    def _complete_units(self) -> None:
        """Every unit named by a task is in the directory (new ones get a guessed kind)."""
        known = {u.name for u in self.doc.units}
        for task in self.doc.tasks:
            for name in (*task.lead_units, *task.coop_units):
                if name not in known:
                    known.add(name)
                    kind = unit_kind(name)
                    self.doc.units.append(Unit(name, kind if kind != "other" else "department"))


class _OpenTask:
    """A task row just read, with its progress text row by row (its own row, part 0, then
    its spill rows)."""

    def __init__(self, task: Task, source: dict | None, ident: str, row: int, text: str) -> None:
        self.task, self.source, self.ident, self.row = task, source, ident, row
        self.parts: list[tuple[int, str]] = [(0, text)]

    @property
    def parts_read(self) -> int:
        return len(self.parts)

    def add(self, part: int, text: str) -> None:
        self.parts.append((part, text))


def _spill_shaped(values: dict[str, str]) -> bool:
    """序号 is the spill mark or empty, and the cells a spill row leaves empty are."""
    return values["序号"] in ("", SPILL_MARK) and not any(values[n] for n in _PLAN_COLUMNS)


def _spill_ident(ident: str) -> tuple[str, int] | None:
    """("<task id>", n) for a spill row's id cell "<task id>+<n>", else None."""
    base, sep, tail = ident.rpartition(SPILL_ID_SEP)
    if sep and base and tail.isdigit() and int(tail) > 0:
        return base, int(tail)
    return None


def _prefer(hidden: str | None, visible: str) -> str:
    """The hidden text when the visible cell still shows it (keeps characters a cell cannot hold)."""
    if hidden is not None and clean(hidden).strip() == visible:
        return hidden
    return visible


def _match_by_text(values: dict[str, str], candidates: dict[str, dict]) -> dict | None:
    """Fallback when the id column is gone: same seq and similar content, else same content."""
    content, seq = values["主要内容"], values["序号"]
    best, best_score = None, 0.0
    for t in candidates.values():
        score = fuzz.ratio(clean(t.get("content", "")), content)
        if seq and t.get("seq") == seq:
            score += 15
        if score > best_score:
            best, best_score = t, score
    return best if best_score >= 90 else None


_PROGRESS_FIELDS = [f for f in fields(Progress) if f.name != "task_id"]


def _progress_from_json(data: dict, task_id: str) -> Progress:
    """Inverse of ledger_json.progress_to_json, for every field Progress has (new ones included)."""
    values: dict = {}
    for f in _PROGRESS_FIELDS:
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "done_date":
            value = _date(value)
        elif f.name == "updated_at":
            value = datetime.fromisoformat(value) if value else None
        values[f.name] = value
    return Progress(task_id=task_id, **values)


def _rows_inside_merges(merges, col: int | None) -> set[int]:
    """Rows (0-based) that continue a vertical merge in the 重点工作 column."""
    rows: set[int] = set()
    if col is None:
        return rows
    for (r1, c1), (r2, c2) in merges:
        if c1 <= col <= c2 and r2 > r1:
            rows.update(range(r1 + 1, r2 + 1))
    return rows


def _rows_of_merges(merges, col: int) -> set[int]:
    """Rows (0-based) of the vertical merges in column `col`, first rows included."""
    rows: set[int] = set()
    for (r1, c1), (r2, c2) in merges:
        if c1 <= col <= c2 and r2 > r1:
            rows.update(range(r1, r2 + 1))
    return rows


def _level_of(number: str) -> int:
    if not number:
        return 1
    if number[0] in "（(":
        return 2
    if number[0].isdigit():
        return 3
    return 1


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
