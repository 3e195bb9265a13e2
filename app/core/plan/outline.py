"""Outline numbering of prose plans: which lines are headings or numbered items, and at what level.

Chinese plans number their structure in a fixed ladder:

    一、 (level 1)   （一） or (一) (level 2)   1. 1． 1、 (level 3)   （1） 1） (level 4)   ① (level 5)

The plan parser (`app.core.plan`) only needs, for each line, whether it starts with
such a number, the level, the number as written (kept for display: "（一）" and "(一)"
are both valid and the ledger shows what the document wrote) and the remaining text.
Run-on headings ("（三）加强行政执法信息公开。修订完善…") are split by
`split_heading_title`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    (LEVEL_SUBSECTION, re.compile(rf"^(?P<num>[（(]\s*(?P<val>[{_CN_NUM}]{{1,3}})\s*[）)])\s*")),
    (LEVEL_SUBITEM, re.compile(r"^(?P<num>[（(]\s*(?P<val>[0-9０-９]{1,3})\s*[）)])\s*")),
    (LEVEL_SUBITEM, re.compile(r"^(?P<num>(?P<val>[0-9０-９]{1,3})\s*[）)])\s*")),  # "1）" as Word lists write
    (LEVEL_SECTION, re.compile(rf"^(?P<num>(?P<val>[{_CN_NUM}]{{1,3}})\s*[、．.])\s*")),
    # "1." but not "1.5亿" or "2018.6"; "1、" and "1．" as well.
    (LEVEL_ITEM, re.compile(r"^(?P<num>(?P<val>[0-9０-９]{1,3})\s*(?:[、．]|\.(?![0-9])))\s*")),
    (LEVEL_CIRCLED, re.compile(rf"^(?P<num>(?P<val>[{_CIRCLED}]))\s*")),
]


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
        if value <= 0 or not rest and level != LEVEL_SECTION and level != LEVEL_SUBSECTION:
            break
        number = re.sub(r"\s+", "", match.group("num"))
        return LineKind(KIND_NUMBERED, level=level, number=number, value=value, rest=rest)
    return LineKind(KIND_TEXT, rest=stripped)


# A run-on heading keeps its title up to the first full stop, if that title is short.
_MAX_TITLE = 60
_SENTENCE_END = "。；;"


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
