"""What surrounds a plan's body: page chrome to drop, the plan's title and year, the issuing office,
the cover letter and the closing block.

Shared by the prose parser (plan/prose.py) and the table parser (plan/table.py), so both
read a title the same way: the plan as it names itself, the last stand-alone line before the
body (and before any "附件" line) that reads like a dated plan name ("…2018年…工作要点",
"…活动方案"), minus "【通知公告】", "(征求意见稿)", "（填报版）", "X关于印发" and "的通知"; failing
that, a plan name quoted in the cover letter, then an undated plan name ("秀川县政务公开工作要点").
The year comes from the title, else from the document's date (the 落款 "2024年2月28日").

Front matter is everything of the document that is neither body nor chrome: the cover letter
and title before the body, and the closing block after it (落款, date, 附件, 抄送, 印发,
"（此件公开发布）"). The plan parser does not turn it into tasks and does not warn about it.
"""

from __future__ import annotations

import re

from app.core.plan import outline
from app.core.text import clean_text
from app.core.units import plausible_unit_name

# --- page chrome -------------------------------------------------------------------------

# Footer markers: once the body has started, the document ends at the first of these.
_PAGE_END_RE = re.compile(
    r"^(?:扫一扫|返回顶部|相关链接|上一篇|下一篇|【?打印|【?关闭|关闭窗口|打印本页|分享到|版权所有|Copyright|©"
    r"|网站标识码|网站地图|联系我们|附件下载|\S*ICP备|\S*公网安备)",
    re.IGNORECASE,
)
# "主办单位：某县人民政府办公室 承办：…": a site footer; "主办：县委宣传部" under a task is an annotation.
_HOST_FOOTER_RE = re.compile(r"^(?:主办单位|主办|承办单位|承办)\s*[:：].*(?:承办|网站|技术支持|电话|地址|邮编|ICP|版权)")
_CHROME_RE = re.compile(
    r"^(?:发布时间|发表日期|发文日期|发布日期|来源[:：]|作者[:：]|浏览次数|点击数|阅读次数|访问量|字号|【?字体"
    r"|信息来源|当前位置|您的位置|您现在的位置|首页\s*[>＞›»]|联系人[:：]|联系电话|电话[:：]|传真[:：]|邮箱[:：]"
    r"|电子邮箱|地址[:：]|邮编[:：]|欢迎光临|欢迎访问|无障碍|长者版|登录|注册|搜索)"
)
_MENU_TOKEN_MAX = 8


def is_page_end(line: str) -> bool:
    """A footer line of a web page: nothing after it belongs to the plan."""
    s = line.strip()
    return bool(_PAGE_END_RE.match(s) or _HOST_FOOTER_RE.match(s))


def is_chrome_line(line: str) -> bool:
    """Menus, bylines, contact and footer lines of a saved web page (never plan text)."""
    s = line.strip()
    if not s:
        return False
    if is_page_end(s) or _CHROME_RE.match(s):
        return True
    tokens = s.split()
    # A menu: several short words side by side, no sentence punctuation (a tab means table cells).
    return (
        "\t" not in s
        and len(tokens) >= 3
        and all(len(t) <= _MENU_TOKEN_MAX for t in tokens)
        and not re.search(r"[，。；：,;:、（）()]", s)
        and not outline.classify_line(s).is_numbered
    )


def drop_chrome(lines: list[str]) -> list[str]:
    """`lines` without chrome lines (used by the web-page reader before parsing)."""
    return [line for line in lines if not is_chrome_line(line)]


# --- title and year ----------------------------------------------------------------------

_PLAN_WORDS = r"(?:工作要点|要点|实施方案|活动方案|工作方案|方案|工作计划|计划|任务落实台账|台账|任务分解表|分解表|任务清单|清单|工作安排|安排|实施意见)"
_TITLE_RE = re.compile(rf"(?:19|20)\d{{2}}\s*年.{{0,40}}{_PLAN_WORDS}")
# A qualifier after the title: a draft, or the fill-in copy of a ledger ("（填报版）").
_DRAFT_RE = re.compile(
    r"\s*[（(【\[]?\s*(?:征求意见稿|送审稿|讨论稿|草稿|草案|修改稿|修订稿|代拟稿|填报版)\s*[）)】\]]?\s*$"
)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_MARKUP_RE = re.compile(r"<[^>]+>")
_LABEL_LINE_RE = re.compile(r"^(?:附件|附表)\s*\d*[:：]?$")


def year_in(text: str) -> int | None:
    """The first year written in `text` ("…2023年…" → 2023), or None."""
    m = _YEAR_RE.search(text or "")
    return int(m.group(1)) if m else None


# "【通知公告】", "[政务公开]": a web site's column label before the title.
_COLUMN_PREFIX_RE = re.compile(r"^\s*[【\[［](?:[^】\]］]{1,12})[】\]］]\s*")
# "某县人民政府办公室关于印发": the cover letter's sender before what it issues.
_ISSUER_RE = re.compile(r"^.{0,40}?关于(?:印发|转发|下发)")


def clean_title(line: str) -> str:
    """"某县人民政府办公室关于印发《X》的通知 (征求意见稿)" → "X"; a "【通知公告】" prefix, markup and a
    Markdown "#" go too."""
    s = clean_text(_MARKUP_RE.sub("", line)).lstrip("#").strip()
    s = _COLUMN_PREFIX_RE.sub("", s)
    s = _DRAFT_RE.sub("", s)
    s = _ISSUER_RE.sub("", s)
    s = re.sub(r"的通知$", "", s)
    return _DRAFT_RE.sub("", s.strip("《》 ")).strip("《》 ")


def _plain_name(line: str) -> str:
    """The cleaned line when it could be a title at all: short, no sentence punctuation, no number."""
    s = clean_title(line)
    if not s or len(s) > 60 or re.search(r"[，,。；;：:]", s) or outline.classify_line(s).is_numbered:
        return ""
    return s


def _title_candidate(line: str) -> str:
    s = _plain_name(line)
    return s if s and _TITLE_RE.search(s) and re.search(rf"{_PLAN_WORDS}$", s) else ""


def _undated_candidate(line: str) -> str:
    """"秀川县政务公开工作要点": a plan name without a year (the year then comes from the document's date)."""
    s = _plain_name(line)
    return s if s and len(s) >= 6 and re.search(rf"(?:工作|公开|任务|重点){_PLAN_WORDS}$", s) else ""


def _loose_title(lines: list[str]) -> tuple[str, int]:
    """A table's title with no year: the first line naming a plan, else the first short line."""
    first = ("", -1)
    for i, raw in enumerate(lines):
        s = clean_title(raw)
        if not s or _LABEL_LINE_RE.match(s) or re.search(r"[:：]\s*$", s):
            continue
        if re.search(_PLAN_WORDS, s) and len(s) <= 80:
            return s, i
        if first[1] < 0 and len(s) <= 60:
            first = (s, i)
    return first


_OFFICE_RE = re.compile(r"^\S{2,20}(?:人民政府办公室|人民政府办公厅|政府办公室|政务公开办公室|人民政府)$")


def find_office(lines: list[str]) -> str:
    """The issuing office signed under the cover letter ("中宁县人民政府办公室"), or ""."""
    for line in lines:
        s = line.strip()
        if _OFFICE_RE.match(s) and not re.search(r"[，,。、：:]", s):
            return s
    return ""


_ATTACHMENT_RE = re.compile(r"^\s*附\s*(?:件|表)\s*\d*\s*(?:[:：]|$)")


def _find_in(lines: list[str], offset: int, rule) -> tuple[str, int]:
    """The last line of `lines` that `rule` reads as a title, then one quoted in a cover letter (index -1)."""
    for i in range(len(lines) - 1, -1, -1):
        title = rule(lines[i])
        if title:
            return title, offset + i
    for line in lines:
        for quoted in re.findall(r"《([^《》]{4,60})》", line):
            title = rule(quoted)
            if title:
                return title, -1
    return "", -1


def find_title(lines: list[str], *, loose: bool = False) -> tuple[str, int]:
    """(title, index of its line) among the lines before the body or table; ("", -1) if none.

    The one title rule of every plan reader (prose, task tables, exported ledgers): the
    last stand-alone line that reads like a dated plan name, else a plan name quoted in
    the cover letter (index -1), else the same for an undated plan name. Lines from the
    first "附件" on name what is attached (a plan's 任务分解表): they are read only when the
    lines before them name nothing. With `loose` (the few lines above a table) a line that
    merely names a plan, or else the first short line, will do.
    """
    cut = next((i for i, line in enumerate(lines) if _ATTACHMENT_RE.match(clean_text(line))), len(lines))
    for part, offset in ((lines[:cut], 0), (lines[cut:], cut)):
        for rule in (_title_candidate, _undated_candidate):
            found = _find_in(part, offset, rule)
            if found[0]:
                return found
    return _loose_title(lines) if loose else ("", -1)


# --- the document's date and its closing block -------------------------------------------

_CN_DATE_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_DATE_LINE_RE = re.compile(
    r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*(?:印发|发布|制定)?$"
)
_CN_DATE_LINE_RE = re.compile(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$")
_PRINTED_RE = re.compile(r"^\S.{0,40}?\s+(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")
_CLOSING_RE = re.compile(
    r"^(?:附\s*(?:件|表)\s*\d*\s*(?:[:：].*)?|抄\s*送\s*[:：].*|主\s*送\s*[:：].*|印\s*发\s*[:：].*"
    r"|[（(]此件(?:公开发布|主动公开|依申请公开|不予公开|不公开|删减后公开)[)）]|(?:征求意见稿|送审稿|讨论稿))$"
)


# "2.秀川县政务公开联络员名单": a further attachment listed under "附件：1.…".
_ATTACHMENT_NAME_RE = re.compile(r"^\d{1,2}\s*[.．、]\s*\S.{1,40}(?:表|清单|名单|方案|要点|目录|办法|细则|台账)$")


def _cn_small(text: str) -> int:
    return outline.chinese_number_value(text)


def line_date(line: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a line that is only a date ("2024年2月28日", "二〇二四年二月二十八日"), else None."""
    s = clean_text(line).replace(" ", "")
    m = _DATE_LINE_RE.match(s)
    if m:
        return int(m.group("y")), int(m.group("m")), int(m.group("d"))
    m = _CN_DATE_LINE_RE.match(s)
    if m:
        year = int("".join(_CN_DATE_DIGITS[c] for c in m.group(1)))
        return year, _cn_small(m.group(2)), _cn_small(m.group(3))
    return None


def document_year(lines: list[str]) -> int | None:
    """The year of the document's own date: its first line that is only a date (the 落款 of the
    cover letter, or of the plan at its end), or an "…年…月…日印发" line."""
    for line in lines:
        found = line_date(line)
        if found:
            return found[0]
        if _PRINTED_RE.match(clean_text(line)):
            return year_in(line)
    return None


def _signature_line(line: str) -> bool:
    """"秀川县人民政府办公室", "清溪县自然资源局": the issuer signing the plan, a name alone on its line."""
    s = clean_text(line).replace(" ", "")
    if not s or len(s) > 30 or re.search(r"[，,。；;：:、]", s):
        return False
    return bool(_OFFICE_RE.match(s)) or plausible_unit_name(s)


def closing_kind(line: str) -> str:
    """What a line of a closing block is: "date", "printed", "attachment", "attachment name", "cc", "note",
    "signature"; "" if none."""
    s = clean_text(line)
    if not s:
        return ""
    if line_date(s):
        return "date"
    if _PRINTED_RE.match(s):
        return "printed"
    m = _CLOSING_RE.match(s)
    if m:
        if s.startswith("附"):
            return "attachment"
        return "cc" if re.match(r"^(?:抄|主|印)", s) else "note"
    if _ATTACHMENT_NAME_RE.match(s):
        return "attachment name"
    return "signature" if _signature_line(s) else ""


def closing_start(lines: list[str], start: int, end: int) -> int:
    """Index where the closing block (落款, date, 附件, 抄送, 印发) of lines[start:end] begins; `end` if none.

    Read from the end up over blank and chrome lines; a block needs one line that only a
    closing has (a date, 附件, 抄送, 印发, "此件公开发布"), so a unit's name alone is a
    signature only next to such lines, and "2.…名单" an attachment only under "附件：1.…".
    """
    block: list[tuple[int, str]] = []
    for i in range(end - 1, start - 1, -1):
        line = lines[i]
        if not line.strip() or is_chrome_line(line):
            continue
        kind = closing_kind(line)
        if not kind:
            break
        block.append((i, kind))
    block.reverse()
    # "附件：1.任务分工表" / "2.联系人名单": a numbered name is an attachment only under an 附件 line
    cut, seen_attachment = 0, False
    for n, (_, kind) in enumerate(block):
        seen_attachment = seen_attachment or kind == "attachment"
        if kind == "attachment name" and not seen_attachment:
            cut = n + 1
    block = block[cut:]
    if not any(kind not in ("signature", "attachment name") for _, kind in block):
        return end
    return block[0][0]
