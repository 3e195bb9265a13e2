"""Reporting rounds (报送轮次) named in a plan's text.

A plan asks units to report progress at fixed times, and each time becomes a round of
the ledger (a column of return sheets). The seeds write it three ways:

* dates listed in one sentence: "落实情况或进展信息分别于2023年9月10日、12月1日前报送"
  → 第一次报送 2023-09-10, 第二次报送 2023-12-01;
* dates named by period: "务于7月30日前和12月20日前，将上半年和全年具体工作落实情况报…"
  → 上半年 2018-07-30, 全年 2018-12-20;
* a recurrence: "落实本要点进展情况务必于每季度最后一个月10日前报送" → 第一季度 … 第四季度.

Only sentences that send the *plan's progress* somewhere count: a reporting verb (报送,
报, 上报) together with what is reported (落实情况, 进展情况, 进展信息…). A comment
deadline ("提出修改意见建议,于6月8日18时前…报县行政中心", seed 002) or a task's own
deliverable ("7月15日前…报送试点成果和总体情况", seed 004) is not a round.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

from app.core.deadlines import calendar_date
from app.core.records import Round

_SENTENCE_SPLIT_RE = re.compile(r"[。；;！!\t\n]+")
_REPORT_VERB_RE = re.compile(r"报送|上报|报告|报(?=[县市区州省自乡镇街政该本上])|提交|报至")
_PROGRESS_RE = re.compile(
    r"(?:落实|进展|推进|完成|执行|工作)(?:情况|信息)|进展|工作总结|完成情况|落实进度"
)
_NOT_ROUND_RE = re.compile(r"意见|征求|签字|盖章|反馈|修改")

_DATE_RE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<end>底|末))"
)
_PERIOD_RE = re.compile(r"上半年|下半年|前三季度|第[一二三四]季度|[一二三四]季度|全年|年度")
_QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
_QUARTERLY_RE = re.compile(
    r"每(?:个)?季度(?P<which>最后一个月|末月|第三个月|末|结束前|第一个月|首月|结束后|终了后)?"
    r"(?:的)?(?:(?P<d>\d{1,2})\s*[日号]|(?P<n>\d{1,2})\s*个?工作日)?"
)
_ORDINALS = "一二三四五六七八九十"


def _fold_digits(text: str) -> str:
    return text.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)})


def _is_report_sentence(sentence: str) -> bool:
    return bool(
        _REPORT_VERB_RE.search(sentence) and _PROGRESS_RE.search(sentence) and not _NOT_ROUND_RE.search(sentence)
    )


def _quarterly(sentence: str, year: int | None) -> list[Round]:
    m = _QUARTERLY_RE.search(sentence)
    if not m:
        return []
    which = m.group("which") or ""
    day = int(m.group("d")) if m.group("d") else None
    rounds = []
    for q, name in enumerate(_QUARTER_NAMES):
        if which in ("第一个月", "首月", "结束后", "终了后"):
            # reported in the month after the quarter ends
            month, y = (q + 1) * 3 + 1, year
            if month > 12 and y is not None:
                month, y = 1, y + 1
            elif month > 12:
                month = 1
            due = calendar_date(y, month, day or (int(m.group("n")) if m.group("n") else None))
        else:
            due = calendar_date(year, (q + 1) * 3, day)
        rounds.append(Round(name=name, due=due))
    return rounds


_LIST_GAP_RE = re.compile(r"^\s*(?:前|以前|之前)?\s*(?:[、，,]|和|及|与|或)\s*(?:于|在)?\s*$")


def _dated(sentence: str, year: int | None) -> list[Round]:
    """The first run of listed dates in a reporting sentence ("9月10日、12月1日前")."""
    matches = list(_DATE_RE.finditer(sentence))
    run = matches[:1]
    for prev, cur in itertools.pairwise(matches):
        if not _LIST_GAP_RE.match(sentence[prev.end():cur.start()]):
            break
        run.append(cur)
    dues: list[date | None] = []
    current_year = year
    for m in run:
        if m.group("y"):
            current_year = int(m.group("y"))
        day = int(m.group("d")) if m.group("d") else None
        dues.append(calendar_date(current_year, int(m.group("m")), day))
    if not dues:
        return []
    periods = _PERIOD_RE.findall(sentence)
    if len(periods) == len(dues):
        names = [p if p.startswith("第") or p in ("上半年", "下半年", "前三季度", "全年", "年度") else f"第{p}" for p in periods]
        names = ["全年" if n == "年度" else n for n in names]
    else:
        names = [f"第{_ORDINALS[i] if i < len(_ORDINALS) else i + 1}次报送" for i in range(len(dues))]
    return [Round(name=n, due=d) for n, d in zip(names, dues)]


def find_rounds(text: str, *, year: int | None) -> list[Round]:
    """Reporting rounds found in `text` (a whole plan, or one cell), in order, names unique.

    `year` is the plan's year, used when a date omits it. A round whose year cannot be
    known keeps its name with `due=None`.
    """
    found: list[Round] = []
    names: set[str] = set()
    for sentence in _SENTENCE_SPLIT_RE.split(_fold_digits(text or "")):
        if not _is_report_sentence(sentence):
            continue
        rounds = _quarterly(sentence, year) if "季度" in sentence and "每" in sentence else []
        if not rounds:
            rounds = _dated(sentence, year)
        for r in rounds:
            if r.name not in names:
                names.add(r.name)
                found.append(r)
    return found
