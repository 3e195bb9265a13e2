"""What surrounds a plan's body: page chrome to drop, the plan's title and year, the issuing office.

Shared by the prose parser (core/plan.py) and the table parser (core/table_plan.py), so both
read a title the same way: the last stand-alone line before the body that reads like a plan
name ("…2018年…工作要点", "…活动方案"), minus "(征求意见稿)", "（填报版）", "关于印发" and "的通知".
"""

from __future__ import annotations

import re

from app.core.plan import outline
from app.core.text import clean_text

# --- page chrome -------------------------------------------------------------------------

# Footer markers: once the body has started, the document ends at the first of these.
_PAGE_END_RE = re.compile(
    r"^(?:扫一扫|返回顶部|相关链接|上一篇|下一篇|【?打印|【?关闭|关闭窗口|打印本页|分享到|版权所有|Copyright|©"
    r"|主办单位|主办[:：]|承办单位|网站标识码|网站地图|联系我们|附件下载|\S*ICP备|\S*公网安备)",
    re.IGNORECASE,
)
_CHROME_RE = re.compile(
    r"^(?:发布时间|发表日期|发文日期|发布日期|来源[:：]|作者[:：]|浏览次数|点击数|阅读次数|访问量|字号|【?字体"
    r"|信息来源|当前位置|您的位置|您现在的位置|首页\s*[>＞›»]|联系人[:：]|联系电话|电话[:：]|传真[:：]|邮箱[:：]"
    r"|电子邮箱|地址[:：]|邮编[:：]|欢迎光临|欢迎访问|无障碍|长者版|登录|注册|搜索)"
)
_MENU_TOKEN_MAX = 8


def is_page_end(line: str) -> bool:
    """A footer line of a web page: nothing after it belongs to the plan."""
    return bool(_PAGE_END_RE.match(line.strip()))


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


def clean_title(line: str) -> str:
    """"关于印发《X》的通知 (征求意见稿)" → "X"; markup and a Markdown "#" go too."""
    s = clean_text(_MARKUP_RE.sub("", line)).lstrip("#").strip()
    s = _DRAFT_RE.sub("", s)
    s = re.sub(r"^关于印发", "", s)
    s = re.sub(r"的通知$", "", s)
    return _DRAFT_RE.sub("", s.strip("《》 ")).strip("《》 ")


def _title_candidate(line: str) -> str:
    s = clean_title(line)
    if not s or len(s) > 60 or re.search(r"[，,。；;：:]", s) or outline.classify_line(s).is_numbered:
        return ""
    return s if _TITLE_RE.search(s) and re.search(rf"{_PLAN_WORDS}$", s) else ""


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


def find_title(lines: list[str], *, loose: bool = False) -> tuple[str, int]:
    """(title, index of its line) among the lines before the body or table; ("", -1) if none.

    The one title rule of every plan reader (prose, task tables, exported ledgers): the
    last stand-alone line that reads like a dated plan name, else a plan name quoted in
    the cover letter (index -1). With `loose` (the few lines above a table) a line that
    merely names a plan, or else the first short line, will do.
    """
    for i in range(len(lines) - 1, -1, -1):
        title = _title_candidate(lines[i])
        if title:
            return title, i
    for i, line in enumerate(lines):  # a title quoted inside the cover letter
        for quoted in re.findall(r"《([^《》]{4,60})》", line):
            title = _title_candidate(quoted)
            if title:
                return title, -1
    return _loose_title(lines) if loose else ("", -1)
