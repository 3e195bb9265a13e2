"""Responsibility/deadline annotations that close a task in a prose plan.

Plans put who does a task and by when in a bracket after (or under) the task text, in
several dialects:

* labelled fields: "(牵头部门:政府办,责任部门:政府各部门;完成时限:2023年10月)"
* clauses: "(县政府办公室牵头落实,各部门〔单位〕按照工作职能负责落实,2018年6月30日前完成并长期坚持)",
  "［县编办、政府法制办牵头落实，各乡（镇）人民政府和县政府各部门负责落实］",
  "(县财政局负责落实,按照自治区、中卫市相关要求时限推进)"
* keys of every office's habit: 牵头单位/主办, 责任单位/承办, 配合单位/协办/参与单位, 完成时限/时限,
  between them semicolons or commas: "［牵头单位：县司法局；责任单位：…；完成时限：…］", "（主办：…；协办：…）"
* no bracket at all, as a line of its own or the last sentence: "县住建局牵头落实",
  "综合股牵头，各股室配合", "责任单位：县级各部门" (`read_bare_annotation`);
* no role word: a bracket or a line of unit names only ("（县财政局）", `unit_list_annotation`),
  a unit marking its own role ("县发改局（牵头）、县财政局"), a deadline bracket after the
  annotation ("（2025年6月底前）", `deadline_annotation`).

What an annotation says besides units and time ("牵头领导：张三", "联系人：…") is kept in
`Annotation.rest` for the task's notes, never dropped.

Roles: when a 牵头/主办 part exists, its units lead and the 责任/负责 units cooperate; when
only 责任/负责 exists, those units lead; 配合/协办/协助/参与 always cooperates. "分别负责" /
"分别牵头" make every listed unit a lead and is never part of a name. Unit names are
returned as split (not yet canonical): the plan parser normalises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from app.core.deadlines import parse_deadline
from app.core.records import Deadline
from app.core.units import plausible_unit_name, split_unit_list

OPEN_BRACKETS = "（(〔［[【"
CLOSE_BRACKETS = "）)〕］]】"
_TRAILING_PUNCT = "。．.；;，, \t"

_UNIT_WORD = r"(?:部门|单位|科室|股室|处室|机关)"
_LABEL_RE = re.compile(
    rf"(?P<label>(?:牵头|责任|主责|承办|落实|实施|执行|配合|协办|协助|参与){_UNIT_WORD}|主办{_UNIT_WORD}?|协办|牵头|配合"
    r"|完成(?:时限|时间|期限)|时限(?:要求)?|时间(?:节点|要求)?|期限|办结时限)\s*[:：]"
)
_LEAD_LABELS = ("牵头", "主办")
_COOP_LABELS = ("配合", "协办", "协助", "参与")
_TIME_LABELS = ("完成", "时限", "时间", "办结")
# "X按照工作职能负责落实", "X牵头负责", "X负责配合落实", "X按职责分工牵头落实", "X、Y分别负责".
_ROLE_RE = re.compile(
    r"^(?P<units>.+?)(?:按照?|根据)?(?:各自)?(?:工作职能|工作职责|职责分工|职能|职责)?(?:分工)?(?:分别|共同|具体)?"
    r"(?P<role>牵头负责落实|牵头落实|牵头负责|牵头抓总|牵头|主办|协办|负责配合落实|配合落实|配合|协助落实|协助"
    r"|参与|负责落实|负责实施|负责|落实)$"
)
# Words that mark a bracket as an annotation rather than an aside such as "(以下简称条例)".
_ROLE_HINT_RE = re.compile(
    r"(?:牵头|负责|配合|协助|主办|协办|参与)(?:落实)?(?:[，,；;]|$)|(?:牵头|负责|配合)(?:落实|实施)"
)
_TIME_HINT_RE = re.compile(
    r"\d{4}年|\d{1,2}月|前|内|长期|持续|时限|完成|推进|坚持|季度|每年|每月|每半年|上级|要求|部署|随时|及时|全年|上半年|下半年"
)
# "等部门〔单位〕", "等相关部门", "等" closing a list of named units.
_ETC_RE = re.compile(r"等(?:相关|有关)?(?:部门|单位)?(?:[〔（(［\[]单位[〕）)］\]])?$")
_SEPARATORS = "，,；;"
# The words annotations are made of, which the parser reads but does not store (the accounting check
# of accounting.py does not count them as lost).
ANNOTATION_WORDS = (
    "牵头", "负责", "落实", "配合", "协助", "协办", "主办", "参与", "分别", "共同", "具体", "实施", "抓总",
    "按照", "按", "根据", "各自", "工作职能", "工作职责", "职责分工", "职能", "职责", "分工",
    "单位", "部门", "科室", "股室", "处室", "机关", "责任", "主责", "承办",
    "完成时限", "完成时间", "完成期限", "时限要求", "时间节点", "时间要求", "办结时限", "时限", "完成",
    "等", "相关", "有关", "其他", "和", "及", "与", "以及",
)


@dataclass
class Annotation:
    """A parsed annotation: units by role, the deadline as written, and where it sits in the text."""

    lead_units: list[str] = field(default_factory=list)
    coop_units: list[str] = field(default_factory=list)
    deadline_text: str = ""
    deadline: Deadline | None = None
    span: tuple[int, int] = (0, 0)
    raw: str = ""
    bare: bool = False  # written without brackets: a line or the last sentence of its own
    implicit_role: bool = False  # a bracket of unit names only, no role word: read as the units responsible
    reading: str = ""  # what was parsed (`raw`, or "责任单位：…" for a bare unit list), for `merge_annotations`
    rest: str = ""  # what it says besides units and deadline ("牵头领导：张三"): kept in the task's notes

    @property
    def has_units(self) -> bool:
        return bool(self.lead_units or self.coop_units)

    def remove_from(self, text: str) -> str:
        """`text` without the annotation (and without the whitespace it leaves)."""
        start, end = self.span
        return (text[:start].rstrip() + text[end:]).strip()


# A space between two names separates them ("县财政局 县审计局"); the unit splitter drops spaces.
_SPACED_NAMES_RE = re.compile(r"(?<=[局办委院室所站队处心股科门府会团社司部厅庭馆校行组乡镇道区])[ \t\u3000]+(?=\S)")
_NO_UNIT = {"无", "暂无", "—", "——", "-", "/", "／", "空"}


def _split_units(text: str) -> list[str]:
    """Split a unit list with the shared splitter (core.units), after dropping "等部门" ("无" is no unit)."""
    text = _ETC_RE.sub("", _SPACED_NAMES_RE.sub("、", text.strip(" ：:"))).strip()
    if not text or text in _NO_UNIT:
        return []
    return [u for u in split_unit_list(text) if u not in _NO_UNIT]


def _parse_deadline(text: str, year: int | None) -> Deadline | None:
    return parse_deadline(text, year=year) if text else None


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


@lru_cache(maxsize=16)
def _marks(seps: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(OPEN_BRACKETS + CLOSE_BRACKETS + seps) + "]")


def top_level_split(text: str, seps: str = _SEPARATORS) -> list[str]:
    """Split on `seps` outside brackets ("各部门〔单位〕" stays whole)."""
    parts, depth, start = [], 0, 0
    for m in _marks(seps).finditer(text):
        ch, i = m.group(), m.start()
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def first_label_at(text: str) -> int:
    """Where the first key ("责任单位：", "完成时限：") of `text` starts; -1 if it has none."""
    m = _LABEL_RE.search(text)
    return m.start() if m else -1


def has_label(inner: str) -> bool:
    """True when the text holds a key such as "牵头单位：" or "完成时限："."""
    return _LABEL_RE.search(inner) is not None


def looks_like_annotation(inner: str) -> bool:
    """True when a bracket's content names responsibilities (not an aside or a document number)."""
    return bool(_LABEL_RE.search(inner) or _ROLE_HINT_RE.search(inner))


@dataclass
class _Roles:
    """Units by the role the text gives them, the deadline clauses and the clauses read as neither."""

    leads: list[str] = field(default_factory=list)
    resps: list[str] = field(default_factory=list)
    coops: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)

    def add(self, units: list[str], role: str) -> None:
        """Units of one role ("lead", "resp", "coop"); a name marked "县发改局（牵头）" takes its own."""
        for name in units:
            m = _ROLE_MARK_RE.match(name)
            own = role
            if m:
                name, mark = m.group("name"), m.group("mark")
                own = "coop" if mark in _COOP_MARKS else "lead" if mark in _LEAD_MARKS else "resp"
            {"lead": self.leads, "coop": self.coops}.get(own, self.resps).append(name)


# "县发改局（牵头）、县财政局": the unit says its role in a bracket after its name.
_ROLE_MARK_RE = re.compile(r"^(?P<name>.+?)[（(](?P<mark>牵头|主办|主责|负责|配合|协办|协助|参与)[)）]$")
_LEAD_MARKS = ("牵头", "主办", "主责")
_COOP_MARKS = ("配合", "协办", "协助", "参与")


def _role_of_word(role: str) -> str:
    if any(w in role for w in ("配合", "协助", "协办", "参与")):
        return "coop"
    return "lead" if ("牵头" in role or "主办" in role) else "resp"


def _role_of_label(label: str) -> str:
    if label.startswith(_LEAD_LABELS):
        return "lead"
    return "coop" if label.startswith(_COOP_LABELS) else "resp"


def _parse_labelled(inner: str, roles: _Roles) -> None:
    matches = list(_LABEL_RE.finditer(inner))
    if matches and matches[0].start() > 0:  # "县财政局牵头，完成时限：6月底前": clauses before the first key
        _parse_clauses(inner[: matches[0].start()], roles)
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(inner)
        value = inner[m.end():end].strip(_SEPARATORS + " ")
        label = m.group("label")
        if label.startswith(_TIME_LABELS):
            if value:
                roles.deadlines.append(value)
        elif value:
            _parse_clauses(value, roles, default=_role_of_label(label))


def role_clause(clause: str) -> tuple[str, str] | None:
    """(units as written, role word) when `clause` says who does it ("各乡镇分别负责"); else None."""
    m = _ROLE_RE.match(clause.strip())
    if not m or re.search(r"\d{1,4}\s*[年月日]|季度", m.group("units")):
        return None
    return m.group("units"), m.group("role")


def _parse_clauses(inner: str, roles: _Roles, *, default: str = "") -> None:
    """Clauses "X牵头", "Y配合落实", "6月底前完成"; under a key (`default` its role) a bare unit list too.

    Clauses that are neither units nor time: with a time word among them they are all the
    deadline as written (the seeds' "除明确时间节点的事项外，其他按照…要求时限推进"), else they
    are kept apart (`rest`) for the task's notes.
    """
    rest: list[str] = []
    for clause in top_level_split(inner):
        found = role_clause(clause)
        if found is not None:
            roles.add(_split_units(found[0]), _role_of_word(found[1]))
            continue
        units = _split_units(clause) if default else []
        timed = _TIME_HINT_RE.search(clause) is not None
        if units and (all(plausible_unit_name(u) for u in units) or not timed):
            roles.add(units, default)
        else:
            rest.append(clause)
    if any(_TIME_HINT_RE.search(c) or _is_deadline_clause(c, None) for c in rest):
        roles.deadlines.append("，".join(rest))  # also "与年度考核同步", "每学期": times the hints miss
    else:
        roles.rest += rest


def parse_annotation_body(inner: str, *, year: int | None = None) -> Annotation:
    """Units and deadline from the inside of an annotation bracket (or an unbracketed annotation)."""
    roles = _Roles()
    if _LABEL_RE.search(inner):
        _parse_labelled(inner, roles)
    else:
        _parse_clauses(inner, roles)
    leads, resps, coops = roles.leads, roles.resps, roles.coops
    deadline_text = "；".join(roles.deadlines)
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
        reading=inner,
        rest="；".join(roles.rest),
    )


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name and name not in seen:
            seen.add(name)
            out.append(name)
    return out


_BRACKET_RE = re.compile("[" + re.escape(OPEN_BRACKETS + CLOSE_BRACKETS) + "]")


def bracket_groups(text: str) -> list[tuple[int, int]]:
    """Top-level bracket groups (start, end-exclusive), in order."""
    groups, depth, start = [], 0, -1
    for m in _BRACKET_RE.finditer(text):
        ch, i = m.group(), m.start()
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
    for start, stop in reversed(bracket_groups(text)):
        inner = text[start + 1:stop - 1]
        if _LABEL_RE.search(inner) or (looks_like_annotation(inner) and "落实" in inner):
            return _finish(text, start, stop, year)
    return None


def _finish(text: str, start: int, end: int, year: int | None = None) -> Annotation:
    ann = parse_annotation_body(text[start + 1:end - 1].strip(), year=year)
    ann.span = (start, end)
    return ann


# --- annotations without a role word or without brackets ------------------------------------

_GENERIC_NAMES = {"单位", "部门", "科室", "股室", "处室", "社区", "街道", "乡镇", "村居", "机关"}


def unit_list_annotation(inner: str, *, year: int | None = None) -> Annotation | None:
    """A bracket holding unit names only ("（县财政局、县审计局）"): those units are responsible.

    The caller decides that the bracket closes a sentence; "各部门（单位）" and "（以下简称条例）"
    are never unit lists here (generic words, no unit shape).
    """
    body = inner.strip()
    if not body or re.search(r"[：:]", body) or looks_like_annotation(body):
        return None
    for n, clause in enumerate(top_level_split(body)):  # "区生态环境分局；每月": names, then maybe a deadline
        units = _split_units(clause)
        if units and all(len(u) >= 3 and u not in _GENERIC_NAMES and plausible_unit_name(u) for u in units):
            continue
        if n == 0 or not _is_deadline_clause(clause, year):
            return None
    ann = parse_annotation_body(f"责任单位：{body}", year=year)
    ann.raw, ann.implicit_role = body, True
    return ann


def deadline_annotation(inner: str, *, year: int | None = None) -> Annotation | None:
    """A bracket holding only a deadline ("（2025年6月底前）"): it belongs to the annotation just before it."""
    body = inner.strip()
    if not body or not all(_is_deadline_clause(c, year) for c in top_level_split(body)):
        return None
    return Annotation(deadline_text=body, deadline=_parse_deadline(body, year), raw=body,
                      reading=f"完成时限：{body}")


# Words without which no unbracketed text is an annotation (a cheap test before the real reading).
_BARE_HINT_RE = re.compile(r"牵头|负责|配合|协助|主办|协办|参与|落实|[:：]")


_MAX_PLAIN_DEADLINE = 12
_TASK_VERB_RE = re.compile(r"公开|发布|开展|做好|组织|编制|建立|完善|公示|解读|报送|上报|梳理")
# The words of a time ("2025年12月底前完成", "每季度", "长期坚持"): what is left of a deadline clause without them is short.
_TIME_WORDS_RE = re.compile(
    r"(?:19|20)\d{2}年|\d{1,2}月(?:\d{1,2}日)?|[上中下]旬|底|末|以前|之前|前|内|完成|到位|每(?:个)?(?:季度|月|半年|年|学期|周)"
    r"|按(?:季度|月|半年|年度|学期)|长期|坚持|持续|全年|年底|年内|上半年|下半年|及时|一次|更新")


@lru_cache(maxsize=8192)
def _is_deadline_clause(clause: str, year: int | None) -> bool:
    """True when the clause says a deadline of any kind (cached: plans repeat "长期坚持" hundreds of times).

    A long clause that does something ("按季度在公开栏公开村级财务收支情况") is the task, not its time.
    """
    if len(clause) > _MAX_PLAIN_DEADLINE and _TASK_VERB_RE.search(clause):
        left = re.sub(r"[^\u4e00-\u9fff]", "", _TIME_WORDS_RE.sub("", clause))
        if len(left) > _MAX_PLAIN_DEADLINE - 4:
            return False
    deadline = _parse_deadline(clause, year if year is not None else 2000)
    return deadline is not None and deadline.kind != "none"


_KEYED_CLAUSE_RE = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[:：]\s*\S.{0,30}$")


def _keyed_prefix(text: str) -> bool:
    """What precedes the first known key of a keyed line: nothing, or other "键：值" clauses ("牵头领导：王某")."""
    return all(_KEYED_CLAUSE_RE.match(c) for c in top_level_split(text))


def read_bare_annotation(text: str, *, year: int | None = None) -> Annotation | None:
    """`text` read as a whole as an unbracketed annotation, or None.

    Forms: a keyed line ("责任单位：县级各部门", "牵头单位：县教体局；配合单位：…", "完成时限：8月底前"),
    or clauses naming units with a role ("综合股牵头，各股室配合", "县住建局牵头落实"), then maybe a
    deadline ("办公室负责，长期坚持"). Every unit must read as a unit name, so a
    sentence such as "由各部门负责指导推进" is no annotation.
    """
    body = text.strip().rstrip(_TRAILING_PUNCT).strip()
    if (not body or len(body) > 160 or body[0] in OPEN_BRACKETS or not _BARE_HINT_RE.search(body)
            or re.search(r"[。！!？?]", body)):  # one sentence at most
        return None
    first = _LABEL_RE.search(body)
    if first is not None and _keyed_prefix(body[: first.start()]):
        ann = parse_annotation_body(body, year=year)
        if not (ann.has_units or ann.deadline_text):
            return None
    else:
        # who first, then maybe by when: "办公室负责，长期坚持" (not "按季度公开…情况，X牵头")
        for n, clause in enumerate(top_level_split(body)):
            found = role_clause(clause)
            if found is not None:
                if not all(plausible_unit_name(u) for u in _split_units(found[0]) or [""]):
                    return None
            elif n == 0 or not _is_deadline_clause(clause, year):
                return None
        ann = parse_annotation_body(body, year=year)
    if not all(plausible_unit_name(u) for u in ann.lead_units + ann.coop_units):
        return None
    ann.raw, ann.bare = body, True
    return ann


def merge_annotations(annotations: list[Annotation], *, year: int | None = None) -> Annotation:
    """Annotations written one after another for the same text (keyed lines under a task) as one.

    They are read together, so "牵头单位：A" then "责任单位：B" on the next line gives A the lead and
    B the cooperation, as one bracket would.
    """
    if len(annotations) == 1:
        return annotations[0]
    merged = parse_annotation_body("；".join(a.reading or a.raw for a in annotations), year=year)
    merged.raw = "；".join(a.raw for a in annotations)
    merged.bare = any(a.bare for a in annotations)
    merged.implicit_role = any(a.implicit_role for a in annotations)
    return merged
