"""Units that open a sentence: "由X牵头，Y配合，…", "X负责，…", "X会同Y…", "X要会同Y做好…".

Here the units are the sentence's subject, part of its grammar, not an annotation after it:
a reader takes X as the lead and Y as cooperating, and keeps the sentence as written as the
task's content. `opening_annotation` reads such a start; the caller adds a doubt (the units
were read from the sentence, not from a bracket).
"""

from __future__ import annotations

import re

from app.core.plan.annotations import Annotation, top_level_split
from app.core.units import plausible_unit_name, split_unit_list

# "由X牵头" / "X牵头负责" / "由X负责" as the first clause (a comma follows).
_DUTY = r"(?:按照?(?:各自)?(?:工作)?职(?:责|能)(?:分工)?|分别|共同|具体)?"
_LEAD_CLAUSE_RE = re.compile(
    rf"^(?:由)?(?P<units>[^，,。；;：:]{{2,60}}?){_DUTY}(?:牵头负责|牵头落实|牵头抓总|牵头|主办|负责落实|负责)$")
# "由X负责做好…" / "由X牵头开展…": 由 marks X as the doer even without a comma after the role.
_BY_RE = re.compile(r"^由(?P<units>[^，,。；;：:]{2,40}?)(?:牵头|负责)(?P<rest>[\u4e00-\u9fff].+)$")
# "Y配合" / "Y协助" / "Y参与" as the next clause.
_COOP_CLAUSE_RE = re.compile(r"^(?P<units>[^，,。；;：:]{2,60}?)(?:配合落实|积极配合|配合|协助|协办|参与)$")
# "X会同Y…", "X要会同Y…", "由X会同Y…": X leads, Y (the names right after 会同) cooperates.
_TOGETHER_RE = re.compile(r"^(?:由)?(?P<lead>[^，,。；;：:]{2,40}?)(?:要|应|须|应当|需)?(?:会同|联合|协调)(?P<rest>.+)$")
_UNIT_TAIL_RE = re.compile(
    r"(?:局|办|委|院|政府|中心|部门|单位|所|站|队|处|室|股|科|会|团|社|公司|部|厅|馆|校|行|组|乡镇|街道|社区|办事处|管委会)$")
_LIST_JOIN = "、和及与"
_MAX_NAMES = 24


def _units(text: str) -> list[str] | None:
    names = split_unit_list(text)
    return names if names and all(plausible_unit_name(n) for n in names) else None


def _names_after(rest: str) -> tuple[str, list[str]] | None:
    """The unit names opening `rest` ("县司法局动态调整…" → "县司法局"), the longest that reads as names."""
    best: tuple[str, list[str]] | None = None
    for end in range(2, min(len(rest), _MAX_NAMES) + 1):
        head = rest[:end]
        if not _UNIT_TAIL_RE.search(head) or (end < len(rest) and rest[end] in _LIST_JOIN + "（("):
            continue
        names = _units(head)
        if names:
            best = head, names
    return best


def opening_annotation(sentence: str) -> Annotation | None:
    """The units a sentence opens with, as an annotation whose `raw` is the opening words; else None."""
    text = sentence.strip()
    clauses = top_level_split(text, "，,")
    if len(clauses) >= 2:
        m = _LEAD_CLAUSE_RE.match(clauses[0].strip())
        lead = _units(m.group("units")) if m else None
        if lead:
            coop: list[str] = []
            used = [clauses[0].strip()]
            if len(clauses) >= 3 and (c := _COOP_CLAUSE_RE.match(clauses[1].strip())):
                coop = _units(c.group("units")) or []
                if coop:
                    used.append(clauses[1].strip())
            return Annotation(lead_units=lead, coop_units=[n for n in coop if n not in lead],
                              raw="，".join(used), bare=True, reading="，".join(used))
        # "X牵头、Y配合，…": both roles in the first clause
        first = clauses[0].strip()
        pair = re.match(r"^(?:由)?(?P<lead>.{2,40}?)牵头[、，,]?(?P<coop>.{2,40}?)(?:配合|协助|参与)$", first)
        if pair and (lead := _units(pair.group("lead"))) and (coop := _units(pair.group("coop"))):
            return Annotation(lead_units=lead, coop_units=[n for n in coop if n not in lead], raw=first,
                              bare=True, reading=first)
    m = _BY_RE.match(text)
    if m and not m.group("rest").startswith(("同志", "人")) and (lead := _units(m.group("units"))):
        raw = text[: m.start("rest")]
        return Annotation(lead_units=lead, raw=raw, bare=True, reading=raw)
    m = _TOGETHER_RE.match(text)
    if m and (lead := _units(m.group("lead"))):
        found = _names_after(m.group("rest"))
        if found:
            head, coop = found
            raw = text[: m.start("rest") + len(head)]
            return Annotation(lead_units=lead, coop_units=[n for n in coop if n not in lead], raw=raw,
                              bare=True, reading=raw)
    return None
