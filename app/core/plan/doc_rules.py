"""Rules a plan states for itself: "责任单位中排在第一位的为牵头单位".

Many plans list all units of a task in one 责任单位 cell or bracket and say once, under
the title or in a note, that the first one leads ("排在第一位的为牵头单位", "列第一位的为
牵头单位", "排名第一的为牵头单位", "首位为牵头单位"). A reader applies that to every task
of the document: the first unit leads, the others cooperate. Each task so read carries a
doubt quoting the rule, so the clerk sees why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.core.records import LedgerDocument

_FIRST_LEADS_RE = re.compile(
    r"(?:排在?|列|位列|名列|排名|居|写在)?\s*(?:第\s*[一1]\s*(?:位|个|名|家)?|首位|首个|(?:最)?前面|最前)\s*(?:的|者)?\s*"
    r"(?:单位|部门)?\s*(?:为|是|系|即为|作为)\s*牵头"
)
_MAX_RULE_LINE = 80


def first_unit_rule(lines: Iterable[str]) -> str | None:
    """The line saying the first listed unit leads, or None."""
    for line in lines:
        text = (line or "").strip()
        if text and len(text) <= _MAX_RULE_LINE and _FIRST_LEADS_RE.search(text):
            return text
    return None


def apply_first_unit_rule(doc: LedgerDocument, rule: str) -> None:
    """Every task listing several leads and no cooperating unit: the first leads, the rest cooperate."""
    quoted = rule.strip("（）() ")
    for task in doc.tasks:
        if len(task.lead_units) < 2 or task.coop_units:
            continue
        task.lead_units, task.coop_units = task.lead_units[:1], task.lead_units[1:]
        doc.add_doubt(task, f"按文件说明“{quoted}”，第一个单位作牵头单位，其余作配合单位")
