"""Columns of a task table: the header row, cell cleaning, and rows of a different shape.

The header names the columns in many ways (重点工作 / 任务名称, 责任单位 / 牵头单位…);
`find_header` maps them to task fields. Tables extracted from PDFs (seed 001) have a
name column split into two sub-columns in some rows only: such a row has one cell
more than the header. `Layout.assign` reads each row in the narrow or the wide shape,
whichever makes sense of its cells (a deadline where the deadline belongs, no
sentence in a unit column), so the same parse works when a spreadsheet pads every
row to the same width.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.text import clean_text, normalize_for_match

KW = "key_work"
KW2 = "key_work2"

# Header cell (match key, brackets removed) → field. Order: more specific first.
_HEADER_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号", "编号", "序", "序列号", "项次")),
    (KW, ("重点工作", "任务名称", "工作任务", "重点任务", "工作事项", "任务事项", "工作项目", "任务", "项目",
          "工作要点", "一级任务", "主要任务")),
    ("content", ("主要内容", "具体内容", "工作内容", "任务内容", "具体任务", "工作措施", "具体措施", "主要措施",
                 "任务分解", "具体工作", "工作要求", "内容")),
    ("metric", ("量化指标", "考核指标", "指标", "评价标准", "考核标准", "完成标准", "目标要求", "工作目标")),
    ("lead", ("责任单位", "牵头单位", "责任部门", "牵头部门", "主责单位", "牵头责任单位", "承办单位",
              "责任主体", "主体责任单位")),
    ("coop", ("配合单位", "协办单位", "配合部门", "协同单位", "协助单位", "参与单位")),
    ("deadline", ("完成时限", "完成时间", "时限", "时间节点", "完成期限", "时限要求", "办结时限", "完成时限要求")),
    ("progress", ("进展落实情况", "进展情况", "落实情况", "完成情况", "工作进展", "推进情况", "进度")),
    ("notes", ("备注",)),
)
_HEADER_INDEX = {name: role for role, names in _HEADER_FIELDS for name in names}
_BRACKETED_RE = re.compile(r"\([^()]*\)")
_TAG_RE = re.compile(r"</?(?:b|strong|i|em|u|span|font)(?:\s[^>]*)?>", re.IGNORECASE)
_P_SPLIT_RE = re.compile(r"</p>\s*<p(?:\s[^>]*)?>|<br\s*/?>", re.IGNORECASE)
_P_TAG_RE = re.compile(r"</?p(?:\s[^>]*)?>", re.IGNORECASE)
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}，。、；：“”（）《》])[ ]+(?=[{_CJK}，。、；：“”（）《》])")
_SEQ_RE = re.compile(r"^[（(]?\s*(\d{1,4})\s*[)）.．、]?$")
_DEADLINE_HINT_RE = re.compile(
    r"(?:19|20)\d{2}|\d{1,2}\s*月|年底|年末|年内|长期|持续|常态|季度|每年|每月|半年|随时|及时|上级|工作日|前完成"
)


def clean_cell(value: str | None) -> str:
    """Cell text as stored: <p> items one per line, other tags dropped, text repaired."""
    s = value or ""
    if "<" in s:
        s = _P_SPLIT_RE.sub("\n", s)
        s = _P_TAG_RE.sub("", s)
        s = _TAG_RE.sub("", s)
    s = clean_text(s)
    if " " in s:
        s = _CJK_GAP_RE.sub("", s)
    return s


def header_role(cell: str) -> str | None:
    key = _BRACKETED_RE.sub("", normalize_for_match(cell))
    if not key:
        return None
    role = _HEADER_INDEX.get(key)
    if role is None and len(key) <= 8:
        if "牵头" in key:
            role = "lead"
        elif "配合" in key or "协办" in key:
            role = "coop"
        elif "责任" in key and ("单位" in key or "部门" in key):
            role = "lead"
        elif "时限" in key or "完成时间" in key:
            role = "deadline"
    return role


def header_roles(row: Sequence[str]) -> list[str | None]:
    return [header_role(c) for c in row]


def _is_header(roles: list[str | None]) -> bool:
    found = {r for r in roles if r}
    if len(found) < 3:
        return False
    if not found & {KW, "content"}:
        return False
    return "seq" in found or len(found) >= 4


def find_header(grid: Sequence[Sequence[str]]) -> int | None:
    """Index of the first row that is a task-table header, or None."""
    for i, row in enumerate(grid):
        if sum(1 for c in row if c) >= 3 and _is_header(header_roles(row)):
            return i
    return None


def seq_value(cell: str) -> str:
    """"1", "12" from a 序号 cell ("1", "1.", "（3）"); "" when it is not a number."""
    m = _SEQ_RE.match(cell.strip())
    return str(int(m.group(1))) if m else ""


def _looks_deadline(s: str) -> bool:
    return len(s) <= 60 and "。" not in s and _DEADLINE_HINT_RE.search(s) is not None


def _looks_sentence(s: str) -> bool:
    return "。" in s or len(s) > 40


def _score(role: str | None, cell: str) -> int:
    """How well `cell` fits a column of `role` (negative: it clearly does not)."""
    if not cell:
        return 0
    if role == "seq":
        return 1 if seq_value(cell) else -3
    if role in (KW, KW2):
        return -2 if _looks_sentence(cell) else 0
    if role == "content":
        return 1 if _looks_sentence(cell) else 0
    if role in ("lead", "coop"):
        if "。" in cell:
            return -3
        return -2 if _looks_deadline(cell) and len(cell) < 16 else 0
    if role == "deadline":
        return 2 if _looks_deadline(cell) else -3
    return 0


@dataclass
class Layout:
    """Column roles of the table; `wide_roles` is the shape with a second name sub-column."""

    roles: list[str | None]
    wide_roles: list[str | None] | None = None

    @property
    def has_seq(self) -> bool:
        return "seq" in self.roles

    @classmethod
    def from_header(cls, header: Sequence[str], body: Sequence[Sequence[str]]) -> Layout:
        roles = header_roles(header)
        while roles and roles[-1] is None and not header[len(roles) - 1]:
            roles.pop()
        # Two columns claiming "lead": a 牵头 column leads, a 责任 column then cooperates.
        leads = [i for i, r in enumerate(roles) if r == "lead"]
        if len(leads) > 1 and "coop" not in roles:
            for i in leads:
                if "牵头" not in header[i]:
                    roles[i] = "coop"
                    break
        width = len(roles)
        wide = None
        if any(len(_trimmed(row)) == width + 1 for row in body) and KW in roles:
            at = roles.index(KW) + 1
            wide = roles[:at] + [KW2] + roles[at:]
        return cls(roles=roles, wide_roles=wide)

    def assign(self, row: Sequence[str]) -> tuple[dict[str, str], bool]:
        """Field → text for one row, and whether it was read in the wide shape."""
        cells = _trimmed(row)
        use_wide = False
        if self.wide_roles is not None:
            if len(cells) > len(self.roles):
                use_wide = True
            else:
                narrow = sum(_score(r, c) for r, c in zip(self.roles, cells))
                wide = sum(_score(r, c) for r, c in zip(self.wide_roles, cells))
                use_wide = wide > narrow
        roles = self.wide_roles if use_wide and self.wide_roles else self.roles
        fields: dict[str, str] = {}
        for role, cell in zip(roles, cells):
            if role and cell:
                fields[role] = f"{fields[role]}\n{cell}" if role in fields else cell
        return fields, use_wide


def is_header_row(row: Sequence[str], layout: Layout) -> bool:
    """A header row repeated at a page break (same roles as the first one, or any header)."""
    if sum(1 for c in row if c) < 3:
        return False
    return _is_header(header_roles(row))


def _trimmed(row: Sequence[str]) -> list[str]:
    cells = list(row)
    while cells and not cells[-1]:
        cells.pop()
    return cells
