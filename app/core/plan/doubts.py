"""Why the plan parser is unsure of a task, in the words a clerk reads (LedgerDocument.doubts).

Each function returns the doubts one reading gives, so every parser words them alike: units
read from text that does not say its role plainly, a deadline found in the task's own text or
written without its year, a name that does not read as a unit.
"""

from __future__ import annotations

import re

from app.core.plan.annotations import Annotation
from app.core.plan.warnings import excerpt
from app.core.records import Deadline
from app.core.units import plausible_unit_name

NO_LEAD = "未找到牵头/责任单位"
_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年")


def annotation_doubts(ann: Annotation | None, line_no: int) -> list[str]:
    """An annotation without brackets ("综合股牵头，各股室配合"), or naming units without a role."""
    if ann is None:
        return []
    doubts = []
    if ann.bare and ann.has_units and not ann.implicit_role:
        doubts.append(f"第{line_no}行：责任单位取自未加括号的文字“{excerpt(ann.raw)}”，请核对")
    if ann.implicit_role:
        doubts.append(f"第{line_no}行只列了单位“{excerpt(ann.raw)}”，未写明牵头或配合，已按牵头单位导入")
    if ann.rest:
        doubts.append(f"第{line_no}行责任批注中的“{excerpt(ann.rest)}”不是单位或时限，已记入备注")
    return doubts


def deadline_doubts(deadline: Deadline, *, from_text: bool, year: int | None) -> list[str]:
    """A deadline taken from the task's text, or a date computed with the plan's year."""
    doubts = []
    if from_text:
        doubts.append(f"完成时限取自任务正文中的“{deadline.text}”，请核对")
    if deadline.date is not None and year and not _YEAR_RE.search(deadline.text):
        doubts.append(f"完成时限“{deadline.text}”未写年份，按方案年度{year}年计")
    return doubts


def inherited_doubt(line_no: int, ann: Annotation) -> str:
    """Units taken from the annotation of a heading above the task."""
    return f"任务未写责任单位，取自第{line_no}行上级标题的“{excerpt(ann.raw)}”"


def heading_unit_doubt(unit: str) -> str:
    """Units taken from a heading that is a unit's name ("一、县财政局")."""
    return f"任务未写责任单位，取自标题中的单位“{unit}”"


def split_doubt(line_no: int, seq: str, count: int) -> str:
    """One numbered item cut into several tasks by its several annotations."""
    return f"第{line_no}行的条目{seq}含{count}处责任单位，已拆分为{count}项任务，请核对"


def unit_name_doubts(names: list[str]) -> list[str]:
    """Names that do not read as a unit's name ("张三同志"): a leftover of the text, or a person."""
    return [f"“{name}”不像单位名称，请核对" for name in names if not plausible_unit_name(name)]
