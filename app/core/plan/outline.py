"""Outline numbering of prose plans: which lines are headings or numbered items, and at what level.

Chinese plans number their structure in a fixed ladder:

    一、 (level 1)   （一） or (一) (level 2)   1. 1． 1、 (level 3)   （1） 1） (level 4)   ① (level 5)

and above them, in long plans, 第一部分 / 第一章 / 第一篇 (LEVEL_PART, 0).

The plan parser (`app.core.plan`) only needs, for each line, whether it starts with
such a number, the level, the number as written (kept for display: "（一）" and "(一)"
are both valid and the ledger shows what the document wrote) and the remaining text.
Run-on headings ("（三）加强行政执法信息公开。修订完善…") are split by
`split_heading_title`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

LEVEL_PART = 0  # 第一部分 / 第一章 / 第一篇 (above 一、; prose.py shifts levels so the top is 1)
LEVEL_SECTION = 1  # 一、
LEVEL_SUBSECTION = 2  # （一）
LEVEL_ITEM = 3  # 1.
LEVEL_SUBITEM = 4  # （1）
LEVEL_CIRCLED = 5  # ①

KIND_BLANK = "blank"
KIND_NUMBERED = "numbered"
KIND_TEXT = "text"

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "一二三四五六七八九十"
_LEAD_SPACE = " \t\u3000\u00a0\u2002\u2003\ufeff"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Order matters: the bracketed forms are tried before the bare ones.
_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (LEVEL_PART, re.compile(rf"^(?P<num>第\s*(?P<val>[{_CN_NUM}]{{1,3}}|[0-9]{{1,2}})\s*(?:部分|章|篇))(?:[\s\u3000]+|[、：:．.]\s*|$)")),
    (LEVEL_SUBSECTION, re.compile(rf"^(?P<num>[（(]\s*(?P<val>[{_CN_NUM}]{{1,3}})\s*[）)])\s*")),
    (LEVEL_SUBITEM, re.compile(r"^(?P<num>[（(]\s*(?P<val>[0-9０-９]{1,3})\s*[）)])\s*")),
    (LEVEL_SUBITEM, re.compile(r"^(?P<num>(?P<val>[0-9０-９]{1,3})\s*[）)])\s*")),  # "1）" as Word lists write
    (LEVEL_SECTION, re.compile(rf"^(?P<num>(?P<val>[{_CN_NUM}]{{1,3}})\s*[、．.])\s*")),
    # "1." but not "1.5亿" or "2018.6"; "1、" and "1．" as well.
    (LEVEL_ITEM, re.compile(r"^(?P<num>(?P<val>[0-9０-９]{1,3})\s*(?:[、．]|\.(?![0-9])))\s*")),
    (LEVEL_CIRCLED, re.compile(rf"^(?P<num>(?P<val>[{_CIRCLED}]))\s*")),
    # decimal outlines: "1.1.1" a task, "1.1" the heading above it ("1.5亿元" and "2018.6" are no numbers)
    (LEVEL_ITEM, re.compile(r"^(?P<num>[0-9]{1,2}[.．][0-9]{1,2}[.．](?P<val>[0-9]{1,2}))(?![0-9.．])[.．、]?(?![亿万千百元%％])\s*")),
    (LEVEL_SUBSECTION, re.compile(r"^(?P<num>[0-9]{1,2}[.．](?P<val>[0-9]{1,2}))(?![0-9.．])[、]?(?![亿万千百元%％年月日个项家条次])\s*")),
]
_DECIMAL_RE = re.compile(r"^[0-9]{1,2}[.．][0-9]")


@dataclass(frozen=True)
class LineKind:
    """What one line of a prose plan is: blank, numbered (with level) or plain text."""

    kind: str
    level: int = 0
    number: str = ""  # as written, e.g. "（一）", "1．"
    value: int = 0  # the number's value, 1-based
    rest: str = ""  # the text after the number (or the whole stripped line)

    @property
    def is_blank(self) -> bool:
        return self.kind == KIND_BLANK

    @property
    def is_numbered(self) -> bool:
        return self.kind == KIND_NUMBERED


def chinese_number_value(text: str) -> int:
    """Value of a Chinese numeral up to 999 ("十二" → 12, "二十" → 20); 0 when not one."""
    if not text:
        return 0
    if all(c in _CN_DIGITS for c in text):  # positional: "一二" is unusual but harmless
        value = 0
        for c in text:
            value = value * 10 + _CN_DIGITS[c]
        return value
    total, current = 0, 0
    for c in text:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return 0
    return total + current


def _value_of(raw: str) -> int:
    raw = raw.strip()
    if raw in _CIRCLED:
        return _CIRCLED.index(raw) + 1
    digits = raw.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)})
    if digits.isdigit():
        return int(digits)
    return chinese_number_value(raw)


_MAX_PART_TITLE = 30


def classify_line(line: str) -> LineKind:
    """Recognise the outline number at the start of `line` (leading spaces of any width ignored)."""
    stripped = line.strip(_LEAD_SPACE + "\r\n")
    if not stripped:
        return LineKind(KIND_BLANK)
    for level, pattern in _PATTERNS:
        match = pattern.match(stripped)
        if not match:
            continue
        value = _value_of(match.group("val"))
        rest = stripped[match.end():].strip(_LEAD_SPACE)
        if value <= 0 or not rest and level not in (LEVEL_PART, LEVEL_SECTION, LEVEL_SUBSECTION):
            break
        if level == LEVEL_PART and (len(rest) > _MAX_PART_TITLE or any(ch in rest for ch in "。；;")):
            break  # "第一部分讲到…" running on in a sentence is no heading
        number = re.sub(r"\s+", "", match.group("num"))
        if level == LEVEL_PART and rest and not match.group(0).rstrip(_LEAD_SPACE).endswith(tuple("、：:．.")):
            number += "\u3000"  # "第二部分　重点任务": the part's title stays apart from its number
        return LineKind(KIND_NUMBERED, level=level, number=number, value=value, rest=rest)
    return LineKind(KIND_TEXT, rest=stripped)


# A bullet opening a line: "——", "●", "▲", "◆", "·"… marks an item, it is no part of its text.
_BULLET_RE = re.compile(r"^[\s\u3000]*(?:——|—|－－|[●○◎▲△◆◇■□▪▫•·∙※➢►▶√✓☆★])[\s\u3000]*(?=\S)")


def strip_bullet(line: str) -> str:
    """The line without its opening bullet ("——集中公开…" → "集中公开…")."""
    return _BULLET_RE.sub("", line, count=1)


# A bullet after a sentence's end inside a paragraph starts the next item ("…公开。●做好…").
_INNER_BULLET_RE = re.compile(r"(?<=[。；;！!？?）)])[\s\u3000]*(?=[●○◎▲△◆◇■□▪•☆★➢►▶])")


def split_bullets(line: str) -> list[str]:
    """A paragraph of several bulleted items as one piece per item (a single item stays whole)."""
    if not _BULLET_RE.match(line):
        return [line]
    parts = [p for p in _INNER_BULLET_RE.split(line) if p.strip()]
    return parts or [line]


# A run-in title opening a paragraph: a short clause of its own, then the text ("加强政策解读。重要政策…").
_RUN_IN_RE = re.compile(r"^(?P<title>[\u4e00-\u9fff“”《》]{4,14})[。：:](?P<rest>\S.{7,})$", re.DOTALL)
_NOT_TITLE_RE = re.compile(r"牵头|负责|配合|单位|部门|[一二三四五六七八九十\d]+[、.．]|^(?:各|县|区|市)")


def run_in_title(paragraph: str) -> tuple[str, str] | None:
    """(title, rest) of a paragraph opening with a run-in title, as Word plans set in bold; else None.

    The title is a short clause with no comma, ended by 。 or ：, naming the work ("推进财政信息公开"),
    and the text after it is longer than the title; a subject ("县财政局…", "各乡镇…") is no title.
    """
    m = _RUN_IN_RE.match(paragraph.strip())
    if not m or _NOT_TITLE_RE.search(m.group("title")) or len(m.group("rest")) <= len(m.group("title")):
        return None
    return m.group("title"), m.group("rest").strip()


# A run-on heading keeps its title up to the first full stop, if that title is short.
_MAX_TITLE = 60
_SENTENCE_END = "。；;"


def is_decimal(kind: LineKind) -> bool:
    """A "1.1" / "1.1.1" number (a decimal outline)."""
    return kind.is_numbered and bool(_DECIMAL_RE.match(kind.number))


def with_decimal_levels(kinds: list[LineKind]) -> list[LineKind]:
    """A plan numbered 1. / 1.1 / 1.1.1 (no 一、): its "1." lines are the top level, above "1.1"."""
    if not any(is_decimal(k) for k in kinds) or any(k.is_numbered and k.level == LEVEL_SECTION for k in kinds):
        return kinds
    return [replace(k, level=LEVEL_SECTION) if k.is_numbered and k.level == LEVEL_ITEM and not is_decimal(k) else k
            for k in kinds]


def split_heading_title(rest: str) -> tuple[str, str]:
    """Split "加强行政执法信息公开。修订完善…" into (title, run-on text).

    The title ends at the first "。" (or "；") when what precedes it is heading-sized; the
    final "。" of a title-only heading is dropped. A long text without such a stop is
    all title (the caller decides whether it is really a task).
    """
    text = rest.strip()
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END:
            if i == 0 or i > _MAX_TITLE:
                break
            return text[:i].strip(), text[i + 1:].strip()
    return text.rstrip("。；;").strip(), ""


def number_label(level: int, value: int, *, style: str = "") -> str:
    """A number in the conventional form of its level ("一、", "（二）", "3."), e.g. for Word lists."""
    if level in (LEVEL_SECTION, LEVEL_SUBSECTION):
        cn = to_chinese_number(value)
        return f"{cn}、" if level == LEVEL_SECTION else f"（{cn}）"
    if level == LEVEL_SUBITEM:
        return f"（{value}）"
    if level == LEVEL_CIRCLED and 1 <= value <= len(_CIRCLED):
        return _CIRCLED[value - 1]
    return f"{value}{style or '.'}"


def to_chinese_number(value: int) -> str:
    """1 → "一", 12 → "十二", 20 → "二十", 105 → "一百零五" (plans rarely pass 30); outside 1–999 as digits."""
    digits = "零一二三四五六七八九"
    if value <= 0 or value >= 1000:
        return str(value)
    if value < 10:
        return digits[value]
    if value < 20:
        return "十" + (digits[value % 10] if value % 10 else "")
    if value < 100:
        return digits[value // 10] + "十" + (digits[value % 10] if value % 10 else "")
    hundreds, rem = divmod(value, 100)
    if rem == 0:
        return digits[hundreds] + "百"
    tail = ("零" + digits[rem]) if rem < 10 else to_chinese_number(rem) if rem >= 20 else "一" + to_chinese_number(rem)
    return digits[hundreds] + "百" + tail
