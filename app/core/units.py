"""Unit names: canonical form, comparison keys, kinds, list splitting, and the directory.

Plans name the same unit many ways ("县发改局", "发展改革局", "县发展和改革局"; "各部门〔单位〕",
"各部门(单位)"). We store one canonical spelling (`normalize_unit_name`), compare on a
looser key (`match_key`), and resolve other spellings only through exact keys and a small
table of well-known abbreviations. Fuzzy matching (`UnitDirectory.suggest`) only ever
*suggests*: a person confirms; nothing is merged silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from app.core.records import LedgerDocument, Unit
from app.core.text import clean_text, normalize_for_match

_OPEN_BRACKETS = "(〔［[【〖"
_CLOSE_BRACKETS = ")〕］]】〗"
_BRACKET_TABLE = {ord(c): "（" for c in _OPEN_BRACKETS} | {ord(c): "）" for c in _CLOSE_BRACKETS}
_EDGE_PUNCT = "、，,；;。.:：!！?？·•-—_ "
_TAG_RE = re.compile(r"<[^>]+>")
# A break before an opening bracket continues the name ("各乡镇" / "(街道)"): not a separator.
_BREAK_RE = re.compile(r"(?:</p\s*>|<br\s*/?>|[\r\n]+)(?!\s*(?:<p[^>]*>)?\s*[(（〔［\[])", re.IGNORECASE)


@lru_cache(maxsize=1 << 15)  # cached: every unit name of every annotation and cell passes here
def normalize_unit_name(name: str | None) -> str:
    """Canonical spelling for storage: cleaned, simplified, brackets （）, no spaces or edge punctuation."""
    s = clean_text(_TAG_RE.sub("", name or ""))
    s = s.translate(_BRACKET_TABLE)
    s = re.sub(r"\s+", "", s)
    return s.strip(_EDGE_PUNCT)


# One leading level prefix is dropped for comparing; "市场…"/"市监…" are names, not a level.
_LEVEL_PREFIX_RE = re.compile(r"^(?:县|区|市(?!场|监|直))")


_REPEATED_IN_BRACKETS_RE = re.compile(r"(.)\(\1\)")


def _full_key(name: str | None) -> str:
    """match_key with the level prefix kept (县民政局 ≠ 市民政局)."""
    key = _REPEATED_IN_BRACKETS_RE.sub(r"\1", normalize_for_match(normalize_unit_name(name)))
    return key.replace("(", "").replace(")", "")


def split_level(name: str | None) -> tuple[str, str]:
    """("县", "民政局") for 县民政局; ("", "民政局") for a name without a 县/区/市 level prefix."""
    key = _full_key(name)
    match = _LEVEL_PREFIX_RE.match(key)
    if match and len(key) > match.end():
        return match.group(0), key[match.end():]
    return "", key


def match_key(name: str | None) -> str:
    """Key for comparing names: normalize_for_match without round brackets ("各部门（单位）" =
    "各部门单位"), a bracket repeating the character before it dropped ("各乡镇（镇）" = "各乡镇",
    a typo seen in real tables), minus a leading 县/区/市 level prefix."""
    key = _full_key(name)
    stripped = _LEVEL_PREFIX_RE.sub("", key)
    return stripped or key


# --- kinds --------------------------------------------------------------------------

_GROUP_WORDS = ("相关部门", "有关部门", "各部门", "各单位", "各乡镇", "各乡（镇）", "有关单位", "相关单位")
_BARE_GROUPS = {"部门（单位）", "部门单位", "部门", "单位", "乡镇", "乡镇（街道）"}
_TOWNSHIP_RE = re.compile(r"(?:乡|镇|街道)(?:人民政府|政府)?$|街道办事处$|街道办$")


@lru_cache(maxsize=1 << 14)  # cached: sheets and merges ask it for every unit name of every task, per unit
def unit_kind(name: str) -> str:
    """"group" (各乡镇人民政府, 各部门（单位）, 县政府各部门…), "township", "department", or "other" (empty)."""
    s = normalize_unit_name(name)
    if not s:
        return "other"
    if s.startswith("各") or s in _BARE_GROUPS or any(w in s for w in _GROUP_WORDS):
        return "group"
    if _TOWNSHIP_RE.search(s):
        return "township"
    return "department"


# --- splitting lists ----------------------------------------------------------------

_UNIT_SUFFIX_RE = re.compile(
    r"(?:局|办|委|院|政府|中心|部门|单位|所|站|队|处|室|会|团|社|公司|部|厅|庭|馆|校|行|组|乡|镇|街道|区|办事处|管委会"
    r"|股|科|股室|科室|处室)$"
)
_TRAILING_BRACKET_RE = re.compile(r"（[^（）]*）$")
_SEPARATORS_RE = re.compile(r"[、，,；;\n/|]+")
_CONJ_RE = re.compile(r"和|及|与|以及")
# Duty words around the names in annotations: "…等部门（单位）按照工作职能负责落实".
_DUTY_TAIL_RE = re.compile(
    r"(?:按照?(?:各自)?(?:工作)?(?:职能|职责|职责分工|分工))?(?:分别)?"
    r"(?:牵头)?(?:负责)?(?:配合)?(?:落实|负责|实施|推进)?$"
)
_ETC_TAIL_RE = re.compile(r"等(?:相关|有关|其他)?(?:部门|单位)?(?:（单位）|（部门）)?$")
_NOT_UNITS = {"按工作职能", "按照工作职能", "按职责分工", "按照职责分工", "负责落实", "牵头落实", "配合落实", ""}
_OWN_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?:市|县|区|州|盟|旗)(?!场|监|级|直)")


def _top_level_split(s: str) -> list[str]:
    """Split on separators outside brackets: "各乡镇（街道、社区）" stays whole."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(s):
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth = max(0, depth - 1)
        elif depth == 0 and _SEPARATORS_RE.fullmatch(ch):
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    return [p for p in parts if p]


def _looks_like_unit(s: str) -> bool:
    core = _TRAILING_BRACKET_RE.sub("", s)
    return bool(core) and _UNIT_SUFFIX_RE.search(core) is not None


# Words a unit name never contains: particles and verbs of a sentence ("由各部门负责", "要及时公开").
_NOT_IN_NAME_RE = re.compile(
    r"[的了要将把被让使由从向按对。；;！!？?，,：:]|应当|应该|必须|确保|进行|开展|做好|加强|推动|落实|完成|按照|根据|通过|及时|每年|年底"
)
_MAX_NAME = 30
# A name never starts with a verb: "建设政务服务中心" is a task, "县住房和城乡建设局" a unit.
_VERB_START_RE = re.compile(
    r"^(?:加强|推进|推动|做好|完善|提升|深化|优化|强化|规范|健全|建立|建设|发挥|打造|抓好|办好|用好|管好|围绕|聚焦"
    r"|坚持|扩大|增强|开展|实施|创新|全面|持续|进一步|积极|切实|依法|严格|探索|公开|发布|解读|回应|畅通|拓展)"
)


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def garbled_unit_name(name: str | None) -> bool:
    """True for a piece of text that is no name at all: a lone bracket, punctuation, a cut-off "县数据局（"."""
    s = normalize_unit_name(name)
    return not s or not _balanced(s) or not re.search(r"[\u4e00-\u9fffA-Za-z]", s)


def plausible_unit_name(name: str | None) -> bool:
    """True when `name` reads as one unit's name ("县财政局", "各股室", "执法监察大队", "各乡镇（街道）").

    Used to tell an unbracketed annotation ("综合股牵头，各股室配合") from a sentence that merely ends
    in a duty word ("由各部门负责指导推进"): a name is short, ends like a unit or names a group, and
    holds none of the particles and verbs of a sentence.
    """
    s = normalize_unit_name(name)
    if not _balanced(s):
        return False  # "县数据局（" / "）": a piece cut out of a bracket, never a name
    if (not 2 <= len(s) <= _MAX_NAME or _NOT_IN_NAME_RE.search(_TRAILING_BRACKET_RE.sub("", s))
            or _VERB_START_RE.match(s)):
        return False
    return _looks_like_unit(s) or unit_kind(s) == "group"


def _split_conjunction(item: str) -> list[str]:
    """Split on 和/及/与 only where both sides end like unit names ("人力资源和社会保障局" stays)."""
    for m in _CONJ_RE.finditer(item):
        left, right = item[: m.start()], item[m.end() :]
        if _looks_like_unit(left) and _looks_like_unit(_ETC_TAIL_RE.sub("", right) or right):
            return [left, *_split_conjunction(right)]
    return [item]


def _strip_noise(item: str) -> str:
    item = _DUTY_TAIL_RE.sub("", item)
    item = _ETC_TAIL_RE.sub("", item)
    return item.strip(_EDGE_PUNCT)


def _needs_county_prefix(item: str) -> bool:
    """A department item written without its level, e.g. "财政局" after "县发改局"."""
    if unit_kind(item) != "department":
        return False
    if item.startswith("市"):
        return item.startswith(("市场", "市监"))
    if item.startswith(("县", "区", "省", "自治区", "各")):
        return False
    return _OWN_PLACE_RE.match(item) is None


def split_unit_list(text: str | None) -> list[str]:
    """Split a responsibility cell into canonical unit names, in order, without duplicates.

    Separators: 、，,；; and line breaks; 和/及/与 only between two unit names. Tails like
    "等相关部门" and duty words ("按工作职能负责落实") are dropped. A list written with a
    shared level prefix ("县发改局、财政局、市监局") gives later bare department names
    that prefix ("县财政局", "县市监局"); a list where later items carry 县 themselves
    is left alone, and names with their own place ("固原市生态环境局西吉分局") too.
    """
    # line and paragraph breaks separate names too; normalize_unit_name drops whitespace
    s = normalize_unit_name(_BREAK_RE.sub("、", text or ""))
    if not s:
        return []
    items: list[str] = []
    for piece in _top_level_split(s):
        for part in _split_conjunction(_strip_noise(piece)):
            part = _strip_noise(part)
            if part.startswith("部门") and items and items[-1].startswith("各"):
                part = "各" + part  # "各乡镇、部门（单位）"
            if part not in _NOT_UNITS:
                items.append(part)

    first_county = next(
        (i for i, it in enumerate(items) if it.startswith("县") and unit_kind(it) == "department"), None
    )
    if first_county is not None:
        later = items[first_county + 1 :]
        explicit = any(it.startswith("县") and unit_kind(it) == "department" for it in later)
        if not explicit:
            items = items[: first_county + 1] + ["县" + it if _needs_county_prefix(it) else it for it in later]

    result: list[str] = []
    for it in items:
        name = normalize_unit_name(it)
        if name and name not in result:
            result.append(name)
    return result


# --- the directory ------------------------------------------------------------------

# Well-known abbreviations; each set is one unit. Keys are match keys (no 县/区/市 prefix).
_BUILTIN_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(g)
    for g in (
        {"政府办", "府办", "政府办公室", "人民政府办公室", "政府办公厅"},
        {"发改局", "发展改革局", "发展和改革局", "发展改革委", "发改委"},
        {"人社局", "人力资源社会保障局", "人力资源和社会保障局", "人力社保局"},
        {"市监局", "市场监管局", "市场监督管理局"},
        {"住建局", "住房城乡建设局", "住房和城乡建设局"},
        {"卫健局", "卫生健康局", "卫生和健康局", "卫生健康委"},
        {"审批局", "审批服务管理局", "行政审批服务局", "行政审批局"},
        {"教体局", "教育体育局", "教育和体育局"},
        {"自然资源局", "自然资源和规划局", "自然资源规划局"},
        {"工信局", "工业和信息化局", "工业信息化局", "经信局"},
        {"商务工信局", "商务工业信息化局", "商务和工业信息化局"},
        {"文广局", "文化旅游广电局", "文化广电旅游局", "文旅局"},
        {"农业农村局", "农业和农村局", "农业农村和水利局"},
        {"交通局", "交通运输局"},
        {"应急局", "应急管理局"},
        {"医保局", "医疗保障局"},
        {"统计局"},
        {"司法局", "司法行政局"},
        {"网信办", "网络安全和信息化办公室", "网络安全和信息化委员会办公室"},
        {"法制办", "政府法制办", "政府法制办公室", "法制办公室"},
        {"编办", "机构编制委员会办公室", "编委办", "委编办"},
        {"政务公开办", "政府政务公开办公室", "政务公开办公室", "政府政务公开办"},
        {"融媒体中心", "融媒中心"},
        {"乡村振兴局", "扶贫办", "扶贫开发办公室"},
        {"卫计局", "卫生和计划生育局", "卫生计生局"},
        {"建环局", "住房城乡建设和环境保护局"},
    )
)
_BUILTIN_INDEX: dict[str, frozenset[str]] = {key: g for g in _BUILTIN_GROUPS for key in g}


class UnitDirectory:
    """All known units of a ledger, with their aliases; exact resolution and fuzzy suggestions.

    Names are compared by key (widths, brackets, the 各乡镇（镇） typo folded). A name with a
    level prefix matches the same name without one (县民政局 = 民政局), never a different
    level (县委宣传部 ≠ 市委宣传部): that would silently merge two governments' units.
    """

    def __init__(self, units: Iterable[Unit] = ()) -> None:
        self._units: dict[str, Unit] = {}
        self._by_key: dict[tuple[str, str], str] = {}  # (level, body) → canonical name
        for unit in units:
            self.add(unit)

    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, name: object) -> bool:
        return name in self._units

    def units(self) -> list[Unit]:
        return list(self._units.values())

    def names(self) -> list[str]:
        return list(self._units)

    def get(self, name: str) -> Unit | None:
        return self._units.get(name)

    def add(self, unit: Unit) -> Unit:
        """Add a unit (its name is taken as canonical); an existing name keeps its record."""
        if unit.name in self._units:
            return self._units[unit.name]
        self._units[unit.name] = unit
        self._by_key.setdefault(split_level(unit.name), unit.name)
        for alias in unit.aliases:
            self._by_key.setdefault(split_level(alias), unit.name)
        return unit

    def add_alias(self, canonical: str, alias: str) -> None:
        """Record `alias` as another spelling of the unit `canonical` (which must exist)."""
        unit = self._units.get(canonical)
        if unit is None:
            raise KeyError(canonical)
        key = split_level(alias)
        owner = self._by_key.get(key)
        if owner is not None and owner != canonical:
            raise ValueError(f"“{alias}”已是“{owner}”的别名")
        if alias != canonical and alias not in unit.aliases:
            unit.aliases.append(alias)
        self._by_key[key] = canonical

    def _level_compatible(self, level: str, bodies: Iterable[str]) -> set[str]:
        """Canonical names whose body is in `bodies` at a level that may be `level`'s."""
        wanted = set(bodies)
        return {name for (lvl, body), name in self._by_key.items()
                if body in wanted and (not level or not lvl or lvl == level)}

    def resolve(self, name: str) -> str | None:
        """The canonical name for `name`: by exact key or alias, then the same name with or without
        its level prefix, then the built-in abbreviation table, each only when exactly one unit
        fits. Never fuzzy."""
        level, body = split_level(name)
        if not body:
            return None
        found = self._by_key.get((level, body))
        if found is not None:
            return found
        candidates = self._level_compatible(level, [body])
        if len(candidates) == 1:
            return candidates.pop()
        if candidates:
            return None
        group = _BUILTIN_INDEX.get(body)
        if group is None:
            return None
        candidates = self._level_compatible(level, group)
        return candidates.pop() if len(candidates) == 1 else None

    def canonical(self, name: str) -> str:
        """The one spelling of `name` in this directory, adding the unit (or the alias) when first seen.

        Importers call this for every unit they read, so "县政府办公室" and "县人民政府办公室"
        become one unit with an alias once the full name is known."""
        found = self.resolve(name)
        if found is None:
            self.add(Unit(name=name, kind=unit_kind(name)))
            return name
        if found != name:
            try:
                self.add_alias(found, name)
            except ValueError:  # already another unit's alias: keep the first reading
                pass
        return found

    def suggest(self, name: str, limit: int = 3, score_cutoff: float = 80) -> list[tuple[str, float]]:
        """Likely units for an unknown name, best first, for a person to confirm (fuzz.ratio on keys)."""
        key = match_key(name)
        if not key or not self._by_key:
            return []
        by_body: dict[str, set[str]] = {}
        for (_level, body), canonical in self._by_key.items():
            by_body.setdefault(body, set()).add(canonical)
        hits = process.extract(key, list(by_body), scorer=fuzz.ratio, limit=None, score_cutoff=score_cutoff)
        best: dict[str, float] = {}
        for matched_body, score, _index in hits:
            for canonical in by_body[matched_body]:
                best[canonical] = max(best.get(canonical, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:limit]


def resolve_units(doc: LedgerDocument, names: list[str]) -> list[str]:
    """Canonical names for what the clerk typed (full name, alias or a short name the directory resolves);
    an unknown name is refused in one line (the CLI's --unit/--lead/--coop, the notices' unit choice)."""
    from app.errors import LedgerError

    directory = UnitDirectory(doc.units)
    out = []
    for name in names:
        found = name if name in directory else directory.resolve(name)
        if found is None:
            raise LedgerError(f"台账中没有单位“{name}”（unknown unit）；请用 ledgerdesk units 查看单位名录")
        out.append(found)
    return out
