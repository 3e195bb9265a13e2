"""Deadline parsing: the 完成时限 cell (or a phrase inside task prose) → `Deadline`.

Kinds follow the JSON contract: date, long_term, relative, per_superior, recurring, none.
Decisions worth knowing:

* Kind "date" needs a computed calendar date. A date form whose year is unknown
  ("12月1日前" with no `year`, "年内" with no `year`) gives kind "none"; the text is kept,
  so nothing is lost and a person can fill the year in.
* Several dates in one cell ("2023年6月底前；2023年12月底前", ranges "6月—12月") → the latest.
* long_term (长期坚持, 持续推进, 常态化, 长期) wins over everything, and keeps the latest
  date found as a first milestone ("2018年6月30日前完成并长期坚持" → 2018-06-30).
* per_superior: "按上级要求", "按照自治区、中卫市相关要求时限推进" (no date of its own).
* relative: tied to an event, "闭幕后5天内", "确定后5日内", "…后N个工作日内"; also a cell
  saying only "及时"/"随时" (the event is the information itself). No date.
* relative also: counted back from an event ("节假日前3天内"), or tied to another one ("与年度考核同步").
* recurring: 每季度, 每月, 每半年, 每学期, 每年9月, 按季度, 按月. "每年9月" gets that month's end in `year`
  (when known) so dashboards can warn; 每季度/每月 have no date.

Inside task prose (`find_deadline_in_text`) only firm phrases count; besides dates ending in 前,
年内/年底 and recurrences, a yearly target ("全年…2000人以上") is due at the year's end and a
time limit counted from an event ("出台后3个工作日内", "24小时内") is relative.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from app.core.records import Deadline
from app.core.text import to_halfwidth, to_simplified

_TAG_RE = re.compile(r"<[^>]+>")
_WS_RE = re.compile(r"\s+")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM_RE = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,3})(?=月|日|号)")
_CN_YEAR_RE = re.compile(r"([〇零一二三四五六七八九]{4})(?=年)")


def _cn_to_int(s: str) -> int | None:
    """一..三十一 → int; None for anything else."""
    if "十" not in s:
        return _CN_DIGITS.get(s) if len(s) == 1 else None
    tens, _, units = s.partition("十")
    t = _CN_DIGITS.get(tens, None) if tens else 1
    u = _CN_DIGITS.get(units, None) if units else 0
    if t is None or u is None:
        return None
    return t * 10 + u


class _Mapped:
    """Text under normalisation that remembers, per character, the span of the original
    it came from, so a phrase found in the normalised text can be cut from the original."""

    def __init__(self, text: str) -> None:
        self.chars = list(text)
        self.spans = [(i, i + 1) for i in range(len(text))]

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def map_chars(self, func) -> None:
        """Apply a length-keeping conversion (widths, t2s); skipped if it changes the length."""
        converted = func(self.text)
        if len(converted) == len(self.chars):
            self.chars = list(converted)

    def sub(self, pattern: re.Pattern | str, repl) -> None:
        """re.sub where every replacement character maps to the whole matched span."""
        text = self.text
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for m in re.finditer(pattern, text):
            chars += self.chars[pos : m.start()]
            spans += self.spans[pos : m.start()]
            out = repl(m) if callable(repl) else repl
            if m.end() > m.start():
                span = (self.spans[m.start()][0], self.spans[m.end() - 1][1])
            else:
                span = self.spans[m.start()] if m.start() < len(self.spans) else (len(text), len(text))
            chars += list(out)
            spans += [span] * len(out)
            pos = m.end()
        self.chars = chars + self.chars[pos:]
        self.spans = spans + self.spans[pos:]

    def original(self, text: str, start: int, end: int) -> str:
        return text[self.spans[start][0] : self.spans[end - 1][1]]


def _month_day(m: re.Match) -> str:
    n = _cn_to_int(m.group(1))
    return str(n) if n is not None and 1 <= n <= 31 else m.group(1)


def _normalize_mapped(text: str, year: int | None = None) -> _Mapped:
    """Half-width digits, simplified, no tags or whitespace, Chinese numerals in dates → digits,
    "今年"/"本年" → the plan's year when known."""
    mapped = _Mapped(text)
    mapped.sub(_TAG_RE, " ")
    mapped.map_chars(to_halfwidth)
    mapped.map_chars(to_simplified)
    mapped.sub(_WS_RE, "")
    if year is not None:
        mapped.sub(r"今年|本年", f"{year}年")
    mapped.sub(_CN_YEAR_RE, lambda m: "".join(str(_CN_DIGITS[c]) for c in m.group(1)))
    mapped.sub(_CN_NUM_RE, _month_day)
    mapped.sub(r"[号號]", "日")
    return mapped


def _normalize(text: str, year: int | None = None) -> str:
    return _normalize_mapped(text, year).text


def month_end(year: int, month: int) -> date:
    """The last day of a month ("6月底" → 6-30, "2月底" → 2-28 or 2-29). The one month-end helper."""
    return date(year, month, calendar.monthrange(year, month)[1])


def calendar_date(year: int | None, month: int, day: int | None = None) -> date | None:
    """The date, or the month's end when `day` is None; None for an impossible date.

    "2月30日" is None, not 2月29日: an impossible date is a typing error a person must
    see, so the text is kept and the parsers warn (see `impossible_date`).
    """
    if year is None or not (1 <= month <= 12) or not (1900 <= year <= 2200):
        return None
    if day is None:
        return month_end(year, month)
    if not 1 <= day <= month_end(year, month).day:
        return None
    return date(year, month, day)


_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# One pattern for every dated form; alternatives are tried left to right at each position.
_DATE_RE = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})年(?:度)?)?"
    r"(?:"
    r"(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<end>底|末|份|中旬|下旬|上旬))?"
    r"|(?P<half>上半年|下半年|全年)"
    r"|第?(?P<q>[一二三四1234])季度(?:末|底)?"
    r"|(?P<yend>年底|年末|底|末|内)"
    r")?"
)
_BARE_YEAR_END_RE = re.compile(r"(?<![\d每1-9])(?:年内|年底|年末|本年度|今年)")
_RECURRING_RE = re.compile(
    r"(?:每(?:个)?(?:季度|季|月|半年|学期|学年|年|周|旬|星期)|按(?:季度|季|月度?|半年|学期|年度|周))"
    r"(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?"
)
_LONG_TERM_RE = re.compile(r"长期|持续推进|持续开展|常态化|长效")
_PER_SUPERIOR_RE = re.compile(
    r"按(?:照)?上级|按(?:照)?[^，,。；;]{0,30}?要求(?:的)?(?:时限|时间|进度|节点)|根据上级"
    r"|^(?:按|按照|根据)[^，,。；;\d]{0,12}?(?:要求|部署|安排)(?:执行|推进|完成|落实)?$"
)
_RELATIVE_RE = re.compile(
    r"后\d+(?:个)?(?:工作日|自然日|日|天|周|个月|月|小时)内"
    r"|之?日起\d+(?:个)?(?:工作日|自然日|日|天|周|个月|月)内"
    r"|\d+(?:个)?(?:工作日|小时)内"
    r"|前\d+(?:个)?(?:工作日|自然日|日|天|周|个月)(?:内)?"  # "节假日前3天内": counted back from an event
    r"|^(?:与|同|随)[^，,。；;]{1,16}?(?:同步|同时|一并)"  # "与年度考核同步": tied to another event
    r"|^(?:节假日|重要节假日|节日|春节|汛期|开学|会议召开|活动开展)(?:前|期间|后)"
)
_PROMPT_RE = re.compile(r"^(?:及时|随时|即时)(?:完成|办理|公开|发布|更新)?$")


def _dates_in(s: str, year: int | None) -> tuple[list[date], bool]:
    """All dates in normalised text `s`; the bool says a date form was seen but had no year."""
    found: list[date] = []
    yearless = False
    context_year = year
    for m in _DATE_RE.finditer(s):
        if not m.group(0) or (m.group("y") is None and m.group("m") is None and m.group("half") is None
                              and m.group("q") is None):
            continue
        y = int(m.group("y")) if m.group("y") else context_year
        if m.group("y"):
            context_year = y  # "2023年6月—12月": the second month inherits 2023
        if y is None:
            yearless = True
            continue
        got: date | None = None
        if m.group("m"):
            d = int(m.group("d")) if m.group("d") else None
            end = m.group("end")
            if d is None and end == "上旬":
                d = 10
            elif d is None and end == "中旬":
                d = 20
            got = calendar_date(y, int(m.group("m")), d)
        elif m.group("half"):
            got = date(y, 6, 30) if m.group("half") == "上半年" else date(y, 12, 31)
        elif m.group("q"):
            got = month_end(y, _QUARTER[m.group("q")] * 3)
        elif m.group("y"):
            got = date(y, 12, 31)  # "2023年", "2023年年底", "2023年内"
        if got is not None:
            found.append(got)
    return found, yearless


def _year_end_dates(s: str, year: int | None) -> tuple[list[date], bool]:
    """"年内", "年底前" with no year written: Dec 31 of `year`."""
    if not _BARE_YEAR_END_RE.search(s):
        return [], False
    if year is None:
        return [], True
    return [date(year, 12, 31)], False


def parse_deadline(text: str | None, *, year: int | None = None) -> Deadline:
    """Parse a 完成时限 cell. `year` is the plan's year, used when the cell omits it."""
    raw = (text or "").strip()
    s = _normalize(raw, year)
    if not s:
        return Deadline(text=raw, date=None, kind="none")

    rec = _RECURRING_RE.search(s)
    rest = _RECURRING_RE.sub("|", s) if rec else s  # keep "每年9月" out of the date scan
    dates, yearless = _dates_in(rest, year)
    ye_dates, ye_yearless = _year_end_dates(rest, year)
    dates += ye_dates
    yearless = yearless or ye_yearless
    latest = max(dates) if dates else None

    if _LONG_TERM_RE.search(s):
        return Deadline(text=raw, date=latest, kind="long_term")
    if _PER_SUPERIOR_RE.search(s):
        return Deadline(text=raw, date=latest, kind="per_superior")
    if rec and rec.start() == 0 and latest is None:  # "每季度结束后10日内": every quarter, not once
        return Deadline(text=raw, date=_recurring_date(rec, year), kind="recurring")
    if _RELATIVE_RE.search(s) or _PROMPT_RE.match(s):
        return Deadline(text=raw, date=latest, kind="relative")
    if latest is not None:
        return Deadline(text=raw, date=latest, kind="date")
    if rec:
        return Deadline(text=raw, date=_recurring_date(rec, year), kind="recurring")
    return Deadline(text=raw, date=None, kind="none")


_MONTH_DAY_RE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})年)?(?<!\d)(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?")
_LEAP_YEAR = 2000  # year unknown: 2月29日 may be valid


def impossible_date(text: str | None, *, year: int | None = None) -> str | None:
    """The first impossible date written in `text` ("2024年2月30日", "13月"), as written; else None.

    `parse_deadline` gives such a date no calendar date; callers use this to tell the
    user why ("完成时限“…”不是有效日期") instead of silently moving the day.
    """
    if not text or "月" not in text:
        return None
    mapped = _normalize_mapped(text, year)
    context_year = year
    for m in _MONTH_DAY_RE.finditer(mapped.text):
        if m.group("y"):
            context_year = int(m.group("y"))
        month = int(m.group("m"))
        day = int(m.group("d")) if m.group("d") else None
        if calendar_date(context_year or _LEAP_YEAR, month, day) is None:
            return mapped.original(text, m.start(), m.end())
    return None


def _recurring_date(m: re.Match, year: int | None) -> date | None:
    """"每年9月" → that month's end in `year`; other recurrences have no single date."""
    if year is None or not m.group("m") or not m.group(0).startswith("每年"):
        return None
    d = int(m.group("d")) if m.group("d") else None
    return calendar_date(year, int(m.group("m")), d)


# --- deadlines inside task prose -------------------------------------------------------

_DATE_PHRASE = (
    r"(?:(?:19|20)\d{2}年)?\d{1,2}月(?:\d{1,2}日|份?底|份?末|份|中旬|下旬|上旬)?"
    r"|(?:19|20)\d{2}年(?:上半年|下半年|第?[一二三四]季度|年底|年末|底)"
)
_PROSE_DATE_RE = re.compile(
    rf"(?:{_DATE_PHRASE})(?:(?:前|以前|之前)?(?:和|、|及|至|—|-|~|到)(?:{_DATE_PHRASE}))*(?:前|以前|之前|止)"
)
# "确保今年8月份如期全面完成": a month (with its year) named for completion, no 前.
_PROSE_MONTH_DONE_RE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月份?(?:底|末)?(?:前|内)?[^。；;，,]{0,8}?完成")
_PROSE_YEAR_END_RE = re.compile(r"(?<![\d每上下本当])(?:年内|年底前|年底|年末前)")
_PROSE_RECURRING_RE = re.compile(
    r"(?:每(?:个)?(?:季度|月|半年|学期|年\d{1,2}月(?:\d{1,2}日)?)|按(?:季度|月度?|半年|学期))"
    r"(?:[^，。；,;]{0,12}?\d{1,2}日(?:前|以前|之前))?"
)
# "全年城镇新增就业2000人以上": a target counted over the year is due at its end.
_PROSE_YEAR_TARGET_RE = re.compile(r"(?<![上下])全年(?=[^，。；,;]{0,24}?\d)")
# "出台后3个工作日内", "在24小时内作出回应": a time limit counted from an event.
_PROSE_RELATIVE_RE = re.compile(
    r"(?:[\u4e00-\u9fff]{2}后)?\d+(?:个)?(?:小时|工作日|自然日|日|天|周|个月)内"
)


def find_deadline_in_text(text: str | None, *, year: int | None = None) -> Deadline | None:
    """Find a deadline phrase inside task prose ("…2018年11月底前完成…", "年内…", "每季度…").

    Only firm phrases count: a dated phrase ending in 前/以前/之前, then 年内/年底前, then a
    recurrence. Words like 持续推进 or 及时 are everywhere in prose and are not deadlines
    here. Returns the fragment found as `Deadline.text`, or None.
    """
    if not text:
        return None
    mapped = _normalize_mapped(text, year)
    s = mapped.text
    m = _PROSE_DATE_RE.search(s) or _PROSE_MONTH_DONE_RE.search(s)
    if m:
        found = parse_deadline(mapped.original(text, m.start(), m.end()), year=year)
        if found.date is not None:
            return found
    m = _PROSE_YEAR_END_RE.search(s)
    if m and year is not None:
        return Deadline(text=mapped.original(text, m.start(), m.end()), date=date(year, 12, 31), kind="date")
    m = _PROSE_RECURRING_RE.search(s)
    if m:
        return parse_deadline(mapped.original(text, m.start(), m.end()), year=year)
    m = _PROSE_YEAR_TARGET_RE.search(s)
    if m and year is not None:
        return Deadline(text=mapped.original(text, m.start(), m.end()), date=date(year, 12, 31), kind="date")
    m = _PROSE_RELATIVE_RE.search(s)
    if m:
        return Deadline(text=mapped.original(text, m.start(), m.end()), date=None, kind="relative")
    return None
