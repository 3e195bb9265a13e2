"""Units in a table cell that says who does what: "X牵头，Y配合", "X主办、Y协办", "责任单位：X".

A lead column often holds more than a list of names: the office writes the roles into
the cell ("县住建局牵头，县自然资源局配合"), or a table with no unit column puts them in
备注. `read_unit_cell` reads such a cell by its role words and labels; a cell without
any is a plain list (None here, the caller splits it). The roles follow the plan
annotations (app/core/plan/annotations.py): 牵头/主办 lead; 配合/协办/协助/参与 cooperate;
负责/责任 lead, unless the cell also names a 牵头 unit, then they cooperate; "分别负责/
分别牵头" make every named unit a lead. `looks_like_units` tells a cell of unit names
from a remark ("报送佐证材料").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.units import split_unit_list

_LABEL_RE = re.compile(
    r"(?P<label>牵头(?:单位|部门|科室|处室)?|主办(?:单位)?|主责(?:单位|部门)?|责任(?:单位|部门|科室|处室)"
    r"|配合(?:单位|部门)?|协办(?:单位|部门)?|协助(?:单位)?|参与(?:单位|部门)?)\s*[:：]"
)
_ROLE_RE = re.compile(
    r"(?P<role>分别牵头(?:负责)?|分别负责|牵头负责|牵头落实|牵头|主办|主责|负责落实|负责|配合落实|配合|协办|协助|参与)"
    r"(?=$|[，,；;、。.\s（(）)])"
)
_LEAD_WORDS = ("牵头", "主办", "主责")
_COOP_WORDS = ("配合", "协办", "协助", "参与")
_SEPARATORS = "，,；;、。. \n"
_UNIT_END_RE = re.compile(
    r"(?:局|办|委|院|政府|中心|部门|单位|所|站|队|处|室|股|科|会|团|社|公司|部|厅|庭|馆|校|学校|行|组|乡|镇|街道|"
    r"社区|村|办事处|管委会|分局|园区|集团|医院|法院|检察院|中队|大队|支队)$"
)
_TRAILING_BRACKET_RE = re.compile(r"（[^（）]*）$")
# A role word in a bracket after the unit: "县数据局（牵头），县直各部门" reads as "县数据局牵头，…".
_BRACKETED_ROLE_RE = re.compile(r"\s*[（(]\s*(牵头|主办|主责|负责|配合|协办|协助|参与)(?:单位|部门)?\s*[）)]")


@dataclass
class CellUnits:
    """Units a cell names, by role, and how they were read ("roles", "labels")."""

    lead: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)
    how: str = "roles"


def _kind(word: str) -> str:
    if word.startswith("分别") or word.startswith(_LEAD_WORDS):
        return "lead"
    if word.startswith(_COOP_WORDS):
        return "coop"
    return "resp"  # 负责 / 责任: leads unless a 牵头 unit is named


def _units(text: str) -> list[str]:
    return split_unit_list(text.strip(_SEPARATORS))


def _settle(parts: list[tuple[str, list[str]]], rest: list[str], how: str) -> CellUnits:
    has_lead = any(kind == "lead" for kind, _ in parts)
    out = CellUnits(how=how)
    for kind, names in parts:
        target = out.lead if kind == "lead" or (kind == "resp" and not has_lead) else out.coop
        target.extend(n for n in names if n not in target)
    if rest:  # names after the last role word: cooperating once someone leads
        target = out.coop if out.lead else out.lead
        target.extend(n for n in rest if n not in target)
    out.coop = [n for n in out.coop if n not in out.lead]
    return out


def _by_labels(text: str) -> CellUnits | None:
    matches = list(_LABEL_RE.finditer(text))
    if not matches:
        return None
    parts: list[tuple[str, list[str]]] = []
    before = _units(text[:matches[0].start()])
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        parts.append((_kind(m.group("label")), _units(text[m.end():end])))
    if before:
        parts.insert(0, ("resp", before))
    return _settle(parts, [], "labels")


def _by_roles(text: str) -> CellUnits | None:
    matches = list(_ROLE_RE.finditer(text))
    if not matches:
        return None
    parts: list[tuple[str, list[str]]] = []
    start = 0
    for m in matches:
        names = _units(text[start:m.start()])
        if names:
            parts.append((_kind(m.group("role")), names))
        start = m.end()
    if not parts:
        return None
    return _settle(parts, _units(text[start:]), "roles")


def read_unit_cell(text: str) -> CellUnits | None:
    """Lead and cooperating units of a cell written with roles or labels; None for a plain list."""
    if not text:
        return None
    text = _BRACKETED_ROLE_RE.sub(r"\1", text)
    return _by_labels(text) or _by_roles(text)


def looks_like_units(text: str) -> bool:
    """True when every name the cell lists ends like a unit (局, 办, 中心, 股, 各乡镇…), no sentence."""
    if not text or "。" in text or len(text) > 120:
        return False
    names = split_unit_list(text)
    if not names:
        return False
    for name in names:
        core = _TRAILING_BRACKET_RE.sub("", name)
        if not (core.startswith("各") or _UNIT_END_RE.search(core)):
            return False
    return True
