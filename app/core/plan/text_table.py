"""Task tables typed or pasted as plain text lines → rows of cells.

A table copied out of a browser or Word into Notepad arrives in one of three shapes:

* tab-separated, one row per line (cells with line breaks quoted, as Excel copies them);
* pipe-separated ("1 | 内容 | 单位 | 时限 |", with or without the outer pipes, with or
  without a "---|---" line under the header, as Markdown and some editors write it);
* broken: one cell per line, the empty cells gone. The header is found as a run of
  lines that are each a header cell ("序号", "工作任务", "责任单位"…), and the lines after
  it are grouped into rows of that width, a new row starting at each next 序号 ("1",
  "2"…). A group with more or fewer cells than the header is aligned to the columns by
  what its cells look like (a deadline, unit names, a sentence), and that row gets a
  doubt: the person checks it.

`text_table_rows` returns every line as a row (lines that are no table row as one-cell
rows, so the parser still sees the title above and accounts for what lies below), or
None when the lines hold no task table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from app.core.plan.table_grid import TableRows
from app.core.plan.table_header import KW, SECTION_RE, find_header, is_header, read_header_cell
from app.core.plan.table_layout import clean_cell, looks_deadline, seq_value
from app.core.plan.table_roles import looks_like_units

_PIPES = "|｜"
_PIPE_SPLIT_RE = re.compile(r"\s*[|｜]\s*")
_RULE_RE = re.compile(r"^[\s|｜+:：\-—=─━┼├┤┬┴╋]+$")  # "---|---", "+----+----+", "|:--|--:|"
_MAX_HEADER_CELL = 12


def _has_header(rows: Sequence[Sequence[str]]) -> bool:
    return find_header([[clean_cell(c) for c in row] for row in rows if len(row) >= 3]) is not None


# --- tab-separated ------------------------------------------------------------------------------


def _tab_rows(lines: Sequence[str]) -> TableRows:
    text = "\n".join(lines)
    if '\t"' in text or text.startswith('"'):  # quoted cells holding line breaks (an Excel copy)
        rows, numbers = [], []
        reader = csv.reader(io.StringIO(text), delimiter="\t")
        start = 1
        try:
            for row in reader:
                rows.append(row)
                numbers.append(start)
                start = reader.line_num + 1
            return TableRows(rows, numbers=numbers)
        except csv.Error:
            pass
    return _rejoin_broken([line.split("\t") for line in lines])


def _starts_row(cells: Sequence[str]) -> bool:
    first = cells[0].strip() if cells else ""
    return bool(seq_value(first) or SECTION_RE.match(first))


def _rejoin_broken(split: list[list[str]]) -> TableRows:
    """Rows a Word → Notepad copy broke at the paragraphs of a cell, joined again.

    Such a copy ends a row early ("1	公开预算	公开部门预算。") and goes on in the next line
    ("细化到项级科目。	县财政局	2025年6月底前"): two short lines that together have the
    header's width, the second not starting a row (no 序号, no section number).
    """
    header_at = find_header([[clean_cell(c) for c in row] for row in split[:200]])
    if header_at is None:
        return TableRows(split)
    width = len(_trimmed(split[header_at]))
    rows: list[list[str]] = []
    numbers: list[int] = []
    doubts: dict[int, list[str]] = {}
    i = 0
    while i < len(split):
        row, first = list(split[i]), i + 1
        i += 1
        while (first - 1 > header_at and len(row) < width and i < len(split) and split[i] and any(split[i])
               and len(row) + len(split[i]) - 1 <= width and not _starts_row(split[i])):
            nxt = split[i]
            row = row[:-1] + [f"{row[-1]}\n{nxt[0]}" if row[-1] else nxt[0]] + list(nxt[1:])
            doubts[len(rows)] = [f"第{first}行的单元格在复制时断成了几行，已拼接为一行（cell broken over lines，请核对）"]
            i += 1
        rows.append(row)
        numbers.append(first)
    return TableRows(rows, numbers=numbers, doubts=doubts)


def _trimmed(row: Sequence[str]) -> list[str]:
    cells = list(row)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


# --- pipe-separated -----------------------------------------------------------------------------


def _pipe_cells(line: str) -> list[str] | None:
    s = line.strip()
    if sum(s.count(p) for p in _PIPES) < 2:
        return None
    if s[:1] in _PIPES:
        s = s[1:]
    if s[-1:] in _PIPES:
        s = s[:-1]
    return [c.strip() for c in _PIPE_SPLIT_RE.split(s)]


def _pipe_rows(lines: Sequence[str], *, need_header: bool = True) -> TableRows | None:
    rows: list[list[str]] = []
    numbers: list[int] = []
    found = False
    for n, line in enumerate(lines, start=1):
        if line.strip() and _RULE_RE.match(line) and any(p in line for p in "|｜+-"):
            continue  # a rule line under the header or between rows
        cells = _pipe_cells(line)
        if cells is not None:
            found = True
        rows.append(cells if cells is not None else [line.strip()])
        numbers.append(n)
    if not found or (need_header and not _has_header(rows)):
        return None
    return TableRows(rows, numbers=numbers)


# --- one cell per line --------------------------------------------------------------------------


def _header_cell(text: str) -> bool:
    return len(text) <= _MAX_HEADER_CELL and not SECTION_RE.match(text) and read_header_cell(text) is not None


def _header_run(lines: Sequence[tuple[int, str]]) -> tuple[int, int] | None:
    """(start, end) in `lines` of the first run of header cells, one a line, that makes a header."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _header_cell(lines[j][1]):
            j += 1
        if j - i >= 3 and is_header([read_header_cell(t).field for _, t in lines[i:j]]):
            return i, j
        i = j + 1 if j > i else i + 1
    return None


def _fit(role: str | None, text: str) -> float:
    """How well one cell's text fits a column (higher is better), for aligning a short or long group."""
    sentence = "。" in text or len(text) > 30
    broken = text.rstrip()[-1:] in "，、；：,;:" or "\n" in text  # a sentence cut at a line end
    if broken and role != "content":
        return -3.0
    if role == "seq":
        return 3.0 if seq_value(text) else -4.0
    if role == "deadline":
        return 3.0 if looks_deadline(text) and not sentence else -3.0
    if role in ("lead", "coop"):
        return 2.0 if looks_like_units(text) else (-3.0 if sentence else -1.0)
    if role == "content":
        return 2.0 if sentence else 0.0
    if role == KW:
        return -2.0 if sentence else 1.0
    return 0.0


def align_cells(cells: Sequence[str], roles: Sequence[str | None]) -> list[str]:
    """`cells` (in order) spread over the columns of `roles`: skipped columns empty, extra cells joined.

    An order-keeping alignment maximising how well each cell fits its column; a column may
    take several consecutive cells (a cell broken over lines), at a cost per join.
    """
    k, w = len(cells), len(roles)
    neg = float("-inf")
    best = [[neg] * (w + 1) for _ in range(k + 1)]
    take = [[0] * (w + 1) for _ in range(k + 1)]
    best[k][w] = 0.0
    for j in range(w - 1, -1, -1):
        for i in range(k, -1, -1):
            options = [(best[i][j + 1], 0)]  # column j stays empty
            for t in range(1, k - i + 1):
                if best[i + t][j + 1] == neg:
                    continue
                joined = "\n".join(cells[i:i + t])
                cost = (1.0 if roles[j] == "content" else 2.5) * (t - 1)
                options.append((best[i + t][j + 1] + _fit(roles[j], joined) - cost, t))
            best[i][j], take[i][j] = max(options)
    out: list[str] = []
    i = 0
    for j in range(w):
        t = take[i][j]
        out.append("\n".join(cells[i:i + t]))
        i += t
    return out


def _cell_rows(lines: Sequence[str]) -> TableRows | None:
    filled = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    run = _header_run(filled)
    if run is None:
        return None
    start, end = run
    header = [t for _, t in filled[start:end]]
    roles = [read_header_cell(t).field for t in header]
    width = len(header)
    rows: list[list[str]] = [[t] for _, t in filled[:start]]
    numbers: list[int] = [n for n, _ in filled[:start]]
    doubts: dict[int, list[str]] = {}
    rows.append(header)
    numbers.append(filled[start][0])
    groups = _groups(filled[end:], roles, width)
    for first_line, cells, kind in groups:
        if kind == "row":
            aligned = cells if len(cells) == width else align_cells(cells, roles)
            if len(cells) != width:
                doubts[len(rows)] = [(f"第{first_line}行起的一组有 {len(cells)} 个单元格，表头有 {width} 列："
                                      "已按内容对齐到各列（cells regrouped from a one-cell-per-line copy，请核对）")]
            rows.append(aligned)
        else:
            rows.append(cells)
        numbers.append(first_line)
    return TableRows(rows, numbers=numbers, doubts=doubts, unsure=set(doubts))


def _groups(lines: Sequence[tuple[int, str]], roles: Sequence[str | None], width: int) -> list[tuple[int, list[str], str]]:
    """(first line number, cells, "row" | "line") for the lines under a one-cell-per-line header."""
    out: list[tuple[int, list[str], str]] = []
    seq_first = roles[0] == "seq"
    current: list[str] = []
    first = 0
    expected: int | None = None

    def close() -> None:
        nonlocal current
        if current:
            out.append((first, current, "row"))
        current = []

    for n, text in lines:
        value = seq_value(text) if seq_first else ""
        anchor = bool(value) and (expected is None or int(value) == expected) and (not current or len(current) >= 2)
        if SECTION_RE.match(text) and len(text) <= 60 and (not current or len(current) >= 2):
            close()
            out.append((n, [text], "line"))
            continue
        if anchor:
            close()
            first, current = n, [text]
            expected = int(value) + 1
            continue
        if not seq_first and (not current or len(current) >= width):
            close()
            first, current = n, [text]
            continue
        if current and len(current) >= width and _past_table(text):
            close()
            out.append((n, [text], "line"))
            continue
        if not current:
            out.append((n, [text], "line"))  # before the first row, or after the table
            continue
        current.append(text)
    close()
    return _trim_last(out, width)


def _past_table(text: str) -> bool:
    return bool(re.match(r"^(?:抄送|印发|附件|说明|注[:：]|备注[:：]|联系人|联系电话)", text))


def _trim_last(groups: list[tuple[int, list[str], str]], width: int) -> list[tuple[int, list[str], str]]:
    """The last row takes at most `width` cells: the lines after it are below the table."""
    for k in range(len(groups) - 1, -1, -1):
        first, cells, kind = groups[k]
        if kind != "row":
            continue
        if len(cells) > width:
            rest = [(first, [c], "line") for c in cells[width:]]
            groups = groups[:k] + [(first, cells[:width], "row")] + rest + groups[k + 1:]
        break
    return groups


# --- entry point --------------------------------------------------------------------------------


def text_table_rows(lines: Sequence[str]) -> TableRows | None:
    """The lines as table rows when they hold a task table (tab, pipe or one cell a line), else None."""
    if any("\t" in line for line in lines):
        rows = _tab_rows(lines)
        if _has_header(rows):
            return rows
    if any(sum(line.count(p) for p in _PIPES) >= 2 for line in lines):
        rows = _pipe_rows(lines)
        if rows is not None:
            return rows
    return _cell_rows(lines)


def split_text_rows(lines: Sequence[str]) -> TableRows | None:
    """Tab- or pipe-separated lines as rows even without a known header (the user gave --columns)."""
    if any("\t" in line for line in lines):
        return _tab_rows(lines)
    return _pipe_rows(lines, need_header=False)
