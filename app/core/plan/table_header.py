"""The header of a task table: what each column means, and which rows the header takes.

Offices name the same column many ways (重点工作 / 任务名称 / 任务分工, 责任单位 / 牵头部门 /
责任科室, 完成时限 / 时间节点…) and spread headers over two rows ("责任单位" over "牵头单位 |
配合单位"). A header cell is read by its words: a known name first, then the words in it
(牵头/主办/责任 → lead, 配合/协办/参与 → coop, 时限/时间/期限 → deadline…), so a spelling
never seen before still finds its field. `find_header_band` finds the header rows
(not necessarily the first rows, blank cells allowed) and `column_labels` gives each
column its label and field, the lower row of a two-row header being the more specific.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.text import normalize_for_match

KW = "key_work"
KW2 = "key_work2"
HEADING = "heading"  # a column whose (merged) value is the chapter of its rows (一级指标 beside 二级指标)
NO_FIELD = "no_field"  # a header known to be no field of the ledger (分值, 权重): kept in 备注, never guessed
FIELDS = ("seq", KW, "content", "metric", "lead", "coop", "deadline", "progress", "notes", HEADING)

# Known header names (match key, brackets removed) → field. Checked before the words below.
_HEADER_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号", "编号", "序", "序列号", "项次", "no", "no.", "顺序号")),
    (KW, ("重点工作", "任务名称", "工作任务", "重点任务", "工作事项", "任务事项", "工作项目", "任务", "项目",
          "工作要点", "一级任务", "主要任务", "任务分工", "重点工作任务", "工作名称", "事项", "任务类别",
          "目标任务", "重点事项", "类别", "工作类别", "领域")),
    ("content", ("主要内容", "具体内容", "工作内容", "任务内容", "具体任务", "工作措施", "具体措施", "主要措施",
                 "任务分解", "具体工作", "工作要求", "具体要求", "细化分工", "内容", "二级任务", "具体事项",
                 "主要举措", "工作举措", "推进措施", "任务要求", "落实措施", "具体工作措施", "具体工作任务",
                 "公开内容", "公开事项")),
    ("metric", ("量化指标", "考核指标", "指标", "评价标准", "考核标准", "完成标准", "目标要求", "工作目标",
                "预期成效", "预期目标", "成果形式")),
    ("lead", ("责任单位", "牵头单位", "责任部门", "牵头部门", "主责单位", "牵头责任单位", "承办单位",
              "责任主体", "主体责任单位", "责任科室", "责任处室", "责任股室", "主办单位", "主办", "牵头",
              "责任科(室)", "牵头科室", "牵头处室", "负责单位", "主管单位", "承办部门", "单位")),
    ("coop", ("配合单位", "协办单位", "配合部门", "协同单位", "协助单位", "参与单位", "协办", "配合",
              "配合科室", "配合处室", "协办部门", "参与部门", "协作单位")),
    ("deadline", ("完成时限", "完成时间", "时限", "时间节点", "完成期限", "时限要求", "办结时限", "完成时限要求",
                  "时间", "时间安排", "进度安排", "完成时间节点", "截止时间")),
    ("progress", ("进展落实情况", "进展情况", "落实情况", "完成情况", "工作进展", "推进情况", "进度")),
    ("notes", ("备注", "说明", "附注")),
)
_HEADER_INDEX = {name: field for field, names in _HEADER_FIELDS for name in names}
# Words that give a header its meaning when its name is not known, in the order they are tried.
_MEANING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("progress", re.compile(r"进展|落实情况|完成情况|推进情况|工作进度|进度情况")),
    ("coop", re.compile(r"配合|协办|协助|协同|参与|协作")),
    ("lead", re.compile(r"牵头|主办|主责|责任(?!人|领导)|负责(?:单位|部门|科室|处室)|承办|主体|主管")),
    ("deadline", re.compile(r"时限|期限|时间|日期|截止|节点")),
    ("metric", re.compile(r"指标|标准|目标|成效|成果|考核")),
    ("notes", re.compile(r"备注|说明|附注|来源|依据")),
    ("content", re.compile(r"内容|要求|措施|举措|细化|具体|分解|描述")),
    (KW, re.compile(r"任务|工作|事项|项目|要点|重点|名称")),
    ("seq", re.compile(r"^序|编号$")),
)
_MEANING_OF = dict(_MEANING)
# "一级指标", "二级目录", "三级事项": one level of a hierarchy of task names.
_LEVEL_NAME_RE = re.compile(r"^[一二三四1-4]级[\u4e00-\u9fff]{1,4}$")
# Scores of an assessment table: numbers, but no 序号 and no field of the ledger.
_SCORE_RE = re.compile(r"分值|权重|分数|得分|赋分|满分|评分|计分|扣分")
# Columns about people, not units: a known header, but no field of the ledger (kept in 备注).
_PEOPLE_RE = re.compile(r"领导|联系人|责任人|经办人|填报人|联络员|电话|手机|姓名")
_UNIT_WORD_RE = re.compile(r"单位|部门|科室|处室|股室")
# A section row's text: "一、…", "（一）…", "第一部分…" (a heading inside the table, never a header).
SECTION_RE = re.compile(
    r"^(?P<num>[一二三四五六七八九十百]{1,3}[、．.]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]+(?:部分|章|节|篇))"
    r"\s*(?P<title>\S.*)$")
_NUMBERED_RE = re.compile(r"^[（(]?[一二三四五六七八九十]{1,3}[)）、.．]")
_BRACKETED_RE = re.compile(r"\(([^()]*)\)")
_MAX_HEADER_LEN = 14
_DIGIT_RE = re.compile(r"\d")


@dataclass(frozen=True)
class HeaderRole:
    """A header cell's field and how it was found: "header" (a known name) or "meaning" (a word in it)."""

    field: str
    by: str


def _key(cell: str) -> tuple[str, str]:
    """(match key without brackets, the bracketed words) of a header cell."""
    key = normalize_for_match(cell).strip("*＊:：、.．")
    inner = "".join(_BRACKETED_RE.findall(key))
    return _BRACKETED_RE.sub("", key), inner


def read_header_cell(cell: str) -> HeaderRole | None:
    """The field a header cell names, or None when it names none (or is no header text)."""
    if not cell:
        return None
    key, inner = _key(cell)
    if not key or len(key) > _MAX_HEADER_LEN or _DIGIT_RE.search(key):
        return None
    if inner:  # "责任单位（牵头）": the bracket says which kind of responsibility
        for field in ("coop", "lead"):
            if _MEANING_OF[field].search(inner):
                return HeaderRole(field, "header")
    field = _HEADER_INDEX.get(key)
    if field is not None:
        return HeaderRole(field, "header")
    if _SCORE_RE.search(key):
        return HeaderRole(NO_FIELD, "header")
    if _LEVEL_NAME_RE.match(key):
        return HeaderRole(KW, "meaning")  # 一级目录 / 二级指标: a level of the task's name (table_columns settles which)
    if len(key) > 10 or (_PEOPLE_RE.search(key) and not _UNIT_WORD_RE.search(key)):
        return None
    for field, pattern in _MEANING:
        if pattern.search(key):
            return HeaderRole(field, "meaning")
    return None


def header_role(cell: str) -> str | None:
    found = read_header_cell(cell)
    return found.field if found and found.field != NO_FIELD else None


def header_roles(row: Sequence[str]) -> list[str | None]:
    return [header_role(c) for c in row]


def is_header(roles: Sequence[str | None]) -> bool:
    """Three fields or more, one of them the task or its content, and a 序号 or a fourth field."""
    found = {r for r in roles if r}
    if len(found) < 3:
        return False
    if not found & {KW, "content"} and not {"metric", "lead", "deadline"} <= found:
        return False  # a 工作目标 column with its units and deadline is a task table too
    return "seq" in found or len(found) >= 4


def _filled(row: Sequence[str]) -> int:
    return sum(1 for c in row if c)


def is_header_row(row: Sequence[str]) -> bool:
    return _filled(row) >= 3 and is_header(header_roles(row))


def find_header(grid: Sequence[Sequence[str]]) -> int | None:
    """Index of the first row that is a task-table header, or None."""
    for i, row in enumerate(grid):
        if is_header_row(row):
            return i
    return None


def is_sub_header(row: Sequence[str], above: Sequence[str]) -> bool:
    """The second row of a two-row header: header words only, under blank or spreading cells above.

    "牵头单位 | 配合单位" under "责任单位 | (blank)": two cells or more, each naming a field, none
    under 序号, and at least one where the row above is blank or names something else (a parent).
    """
    cells = [(i, c) for i, c in enumerate(row) if c]
    if len(cells) < 2 or len(cells) > max(len([c for c in above if c]), 1) + 2:
        return False
    if any(i < len(above) and header_role(above[i]) == "seq" for i, _ in cells):
        return False  # nothing sits under 序号: a row with text there is a section or a task
    if any(read_header_cell(c) is None or _NUMBERED_RE.match(c) for _, c in cells):
        return False
    under_blank = any(i >= len(above) or not above[i] for i, _ in cells)
    under_parent = any(i < len(above) and above[i] and header_role(above[i]) != header_role(c) for i, c in cells)
    return under_blank or under_parent


def find_header_band(grid: Sequence[Sequence[str]]) -> tuple[int, int] | None:
    """(first, end) of the header rows: the header row and a second header row under it, if any."""
    first = find_header(grid)
    if first is None:
        return None
    end = first + 1
    if end < len(grid) and is_sub_header(grid[end], grid[first]):
        end += 1
    return first, end


@dataclass
class ColumnLabel:
    """One column's header as shown ("责任单位 › 牵头单位") and the field it names."""

    index: int
    text: str
    role: HeaderRole | None


def column_labels(band: Sequence[Sequence[str]], spread: dict[tuple[int, int], int] | None = None) -> list[ColumnLabel]:
    """Label and field of every column of a header band (one or two rows).

    A parent label spreads over the columns under it: over the positions a merge says it
    covers (`spread`: (band row, column) → the column holding the text), else over the
    blank cells to its right that have a label below them.
    """
    width = max((len(r) for r in band), default=0)
    rows = [list(r) + [""] * (width - len(r)) for r in band]
    spread = spread or {}
    labels: list[ColumnLabel] = []
    top = rows[0]
    lower = rows[1] if len(rows) > 1 else [""] * width
    parent = ""
    for c in range(width):
        if top[c]:
            parent = top[c]
        elif (0, c) in spread:
            parent = top[spread[(0, c)]]
        elif not lower[c]:
            parent = ""
        upper = top[c] or (parent if lower[c] else "")
        parts = [p for p in (upper, lower[c]) if p]
        text = " › ".join(dict.fromkeys(parts))
        role = read_header_cell(lower[c]) if lower[c] else None
        if role is None and upper:
            role = read_header_cell(upper)
        if role is None and len(parts) == 2:
            role = read_header_cell(upper + lower[c])
        labels.append(ColumnLabel(c, text, role))
    return labels


def band_keys(band: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """Each header row as a comparison key: a header repeated at a page break is skipped by it."""
    return [tuple(normalize_for_match(c) for c in row if c) for row in band]


def row_key(row: Sequence[str]) -> tuple[str, ...]:
    return tuple(normalize_for_match(c) for c in row if c)
