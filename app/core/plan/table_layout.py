"""Rows of a task table: cell cleaning, and rows of a different shape than the header.

What the columns mean is read by table_header (and chosen by table_columns). Tables extracted from PDFs (seed 001) have a
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

from app.core.plan.table_header import KW, KW2, find_header, header_role, header_roles, is_header_row
from app.core.text import clean_text

__all__ = ["KW", "KW2", "Layout", "clean_cell", "find_header", "header_role", "header_roles", "is_header_row",
           "seq_value"]

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


def seq_value(cell: str) -> str:
    """"1", "12" from a 序号 cell ("1", "1.", "（3）"); "" when it is not a number."""
    m = _SEQ_RE.match(cell.strip())
    return str(int(m.group(1))) if m else ""


def looks_deadline(s: str) -> bool:
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
        return -2 if looks_deadline(cell) and len(cell) < 16 else 0
    if role == "deadline":
        return 2 if looks_deadline(cell) else -3
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
    def from_roles(cls, roles: Sequence[str | None], body: Sequence[Sequence[str]], width: int | None = None) -> Layout:
        """The layout of a table whose `width` header columns mean `roles`.

        Rows one cell wider than the header add a name sub-column (the wide shape).
        """
        roles = list(roles)
        if width is None:
            while roles and roles[-1] is None:
                roles.pop()
            width = len(roles)
        roles = (roles + [None] * width)[:width]
        wide = None
        if KW in roles and KW2 not in roles and any(len(_trimmed(row)) == width + 1 for row in body):
            at = roles.index(KW) + 1
            wide = roles[:at] + [KW2] + roles[at:]
        return cls(roles=roles, wide_roles=wide)

    def assign(self, row: Sequence[str]) -> tuple[dict[str, str], bool, list[tuple[int, str]]]:
        """Field → text for one row, whether it was read in the wide shape, and the cells no field took.

        A cell no field takes (a column of no known meaning, a cell past the header's width)
        comes back with its column so the caller can keep it (in 备注) rather than drop it.
        """
        cells = _trimmed(row)
        use_wide = False
        if self.wide_roles is not None:
            narrow = sum(_score(r, c) for r, c in zip(self.roles, cells))
            wide = sum(_score(r, c) for r, c in zip(self.wide_roles, cells))
            # a cell past the header's width is a sub-column unless the narrow reading fits better
            use_wide = wide >= narrow if len(cells) > len(self.roles) else wide > narrow
        roles = self.wide_roles if use_wide and self.wide_roles else self.roles
        fields: dict[str, str] = {}
        loose: list[tuple[int, str]] = []
        for i, cell in enumerate(cells):
            if not cell:
                continue
            role = roles[i] if i < len(roles) else None
            if role is None:
                loose.append((i - 1 if use_wide and i > roles.index(KW2) else i, cell))
            else:
                fields[role] = f"{fields[role]}\n{cell}" if role in fields else cell
        return fields, use_wide, loose


def _trimmed(row: Sequence[str]) -> list[str]:
    cells = list(row)
    while cells and not cells[-1]:
        cells.pop()
    return cells
