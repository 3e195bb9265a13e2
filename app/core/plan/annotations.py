"""Responsibility/deadline annotations that close a task in a prose plan.

Plans put who does a task and by when in a bracket after (or under) the task text, in
several dialects:

* labelled fields: "(牵头部门:政府办,责任部门:政府各部门;完成时限:2023年10月)"
* clauses: "(县政府办公室牵头落实,各部门〔单位〕按照工作职能负责落实,2018年6月30日前完成并长期坚持)",
  "［县编办、政府法制办牵头落实，各乡（镇）人民政府和县政府各部门负责落实］",
  "(县财政局负责落实,按照自治区、中卫市相关要求时限推进)"

Roles: when a 牵头 part exists, its units lead and the 责任/负责 units cooperate; when
only 责任/负责 exists, those units lead; 配合/协助 always cooperates. Unit names are
returned as split (not yet canonical): the plan parser normalises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.records import Deadline

OPEN_BRACKETS = "（(〔［[【"
CLOSE_BRACKETS = "）)〕］]】"
_TRAILING_PUNCT = "。．.；;，, \t"

_LABEL_RE = re.compile(
    r"(?P<label>牵头(?:部门|单位)|责任(?:部门|单位)|主责(?:部门|单位)|承办(?:部门|单位)|落实(?:部门|单位)"
    r"|配合(?:部门|单位)|协办(?:部门|单位)|协助(?:部门|单位)|完成(?:时限|时间)|时限(?:要求)?)\s*[:：]"
)
# "X按照工作职能负责落实", "X牵头负责", "X负责配合落实", "X按职责分工牵头落实".
_ROLE_RE = re.compile(
    r"^(?P<units>.+?)(?:按照?|根据)?(?:各自)?(?:工作职能|工作职责|职责分工|职能|职责)?(?:分工)?"
    r"(?P<role>牵头负责落实|牵头落实|牵头负责|牵头|负责配合落实|配合落实|配合|协助落实|协助|负责落实|负责|落实)$"
)
# Words that mark a bracket as an annotation rather than an aside such as "(以下简称条例)".
_ROLE_HINT_RE = re.compile(r"(?:牵头|负责|配合|协助)(?:落实)?(?:[，,；;]|$)|(?:牵头|负责|配合)落实")
_TIME_HINT_RE = re.compile(r"\d{4}年|\d{1,2}月|前|内|长期|持续|时限|完成|推进|坚持|季度|每年|每月")
# "等部门〔单位〕", "等相关部门", "等" closing a list of named units.
_ETC_RE = re.compile(r"等(?:相关|有关)?(?:部门|单位)?(?:[〔（(［\[]单位[〕）)］\]])?$")
_SEPARATORS = "，,；;"


@dataclass
class Annotation:
    """A parsed annotation: units by role, the deadline as written, and where it sits in the text."""

    lead_units: list[str] = field(default_factory=list)
    coop_units: list[str] = field(default_factory=list)
    deadline_text: str = ""
    deadline: Deadline | None = None
    span: tuple[int, int] = (0, 0)
    raw: str = ""

    def remove_from(self, text: str) -> str:
        """`text` without the annotation (and without the whitespace it leaves)."""
        start, end = self.span
        return (text[:start].rstrip() + text[end:]).strip()


def _split_units(text: str) -> list[str]:
    """Split a unit list with the shared splitter (core.units), after dropping "等部门"."""
    text = _ETC_RE.sub("", text.strip(" ：:")).strip()
    if not text:
        return []
    try:
        from app.core.units import split_unit_list
    except ImportError:  # pragma: no cover - only while core.units is being written
        return [p for p in re.split(r"[、，,；;]", text) if p.strip()]
    return split_unit_list(text)


def _parse_deadline(text: str, year: int | None) -> Deadline | None:
    if not text:
        return None
    try:
        from app.core.deadlines import parse_deadline
    except ImportError:  # pragma: no cover - only while core.deadlines is being written
        return Deadline(text=text)
    return parse_deadline(text, year=year)


def _matching_open(text: str, close_at: int) -> int:
    """Index of the bracket opening the group that closes at `close_at`; -1 if unbalanced."""
    depth = 0
    for i in range(close_at, -1, -1):
        ch = text[i]
        if ch in CLOSE_BRACKETS:
            depth += 1
        elif ch in OPEN_BRACKETS:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _top_level_split(text: str, seps: str = _SEPARATORS) -> list[str]:
    """Split on `seps` outside brackets ("各部门〔单位〕" stays whole)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def looks_like_annotation(inner: str) -> bool:
    """True when a bracket's content names responsibilities (not an aside or a document number)."""
    return bool(_LABEL_RE.search(inner) or _ROLE_HINT_RE.search(inner))


def _parse_labelled(inner: str) -> tuple[list[str], list[str], list[str], str]:
    leads: list[str] = []
    resps: list[str] = []
    coops: list[str] = []
    deadline = ""
    matches = list(_LABEL_RE.finditer(inner))
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(inner)
        value = inner[m.end():end].strip(_SEPARATORS + " ")
        label = m.group("label")
        if label.startswith("牵头"):
            leads += _split_units(value)
        elif label.startswith(("配合", "协办", "协助")):
            coops += _split_units(value)
        elif label.startswith(("完成", "时限")):
            deadline = value
        else:
            resps += _split_units(value)
    return leads, resps, coops, deadline


def _parse_clauses(inner: str) -> tuple[list[str], list[str], list[str], str]:
    leads: list[str] = []
    resps: list[str] = []
    coops: list[str] = []
    rest: list[str] = []
    for clause in _top_level_split(inner):
        m = _ROLE_RE.match(clause)
        if m and not re.search(r"\d{1,4}\s*[年月日]|季度", m.group("units")):
            role = m.group("role")
            units = _split_units(m.group("units"))
            if "配合" in role or "协助" in role:
                coops += units
            elif "牵头" in role:
                leads += units
            else:
                resps += units
        else:
            rest.append(clause)
    deadline = "，".join(rest) if any(_TIME_HINT_RE.search(c) for c in rest) else ""
    return leads, resps, coops, deadline


def parse_annotation_body(inner: str, *, year: int | None = None) -> Annotation:
    """Units and deadline from the inside of an annotation bracket."""
    if _LABEL_RE.search(inner):
        leads, resps, coops, deadline_text = _parse_labelled(inner)
    else:
        leads, resps, coops, deadline_text = _parse_clauses(inner)
    if leads:
        lead_units, coop_units = leads, resps + coops
    else:
        lead_units, coop_units = resps, coops
    lead_units = _dedupe(lead_units)
    coop_units = [u for u in _dedupe(coop_units) if u not in lead_units]
    return Annotation(
        lead_units=lead_units,
        coop_units=coop_units,
        deadline_text=deadline_text,
        deadline=_parse_deadline(deadline_text, year),
        raw=inner,
    )


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name and name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _bracket_groups(text: str) -> list[tuple[int, int]]:
    """Top-level bracket groups (start, end-exclusive), in order."""
    groups, depth, start = [], 0, -1
    for i, ch in enumerate(text):
        if ch in OPEN_BRACKETS:
            if depth == 0:
                start = i
            depth += 1
        elif ch in CLOSE_BRACKETS and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def find_annotation(text: str, *, year: int | None = None) -> Annotation | None:
    """The responsibility annotation of a task text, or None.

    First choice is a bracket closing the text (trailing "。" and spaces allowed); failing
    that, the last top-level bracket anywhere in the text that reads as an annotation.
    `span` covers the bracket so `Annotation.remove_from` yields the task content.
    """
    if not text:
        return None
    end = len(text)
    while end > 0 and text[end - 1] in _TRAILING_PUNCT:
        end -= 1
    if end > 0 and text[end - 1] in CLOSE_BRACKETS:
        start = _matching_open(text, end - 1)
        if start >= 0 and looks_like_annotation(text[start + 1:end - 1]):
            return _finish(text, start, end, year)
    for start, stop in reversed(_bracket_groups(text)):
        inner = text[start + 1:stop - 1]
        if _LABEL_RE.search(inner) or (looks_like_annotation(inner) and "落实" in inner):
            return _finish(text, start, stop, year)
    return None


def _finish(text: str, start: int, end: int, year: int | None = None) -> Annotation:
    ann = parse_annotation_body(text[start + 1:end - 1].strip(), year=year)
    ann.span = (start, end)
    return ann
