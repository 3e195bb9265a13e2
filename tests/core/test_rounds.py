"""Reporting rounds found in plan text (real sentences from seeds 000, 002, 003, 004)."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.records import Round
from app.core.rounds import find_rounds
from app.core.text import clean_text

SEED_000 = (
    "依据各乡镇，各部门（单位）工作台账报送情况（落实情况或进展信息分别于2023年9月10日、12月1日前报送"
    "县人民政府政务公开办公室（313室）\t县人民政府办公室\t各部门（单位）、各乡（镇）人民政府\t2023年12月底"
)
SEED_003 = "落實本要點進展情況務必於每季度最後一個月10日前報送至興慶區政務公開辦公室,並納入政府信息公開工作年度報告"
SEED_004 = "请各乡镇、各部门（单位）务于7月30日前和12月20日前，将上半年和全年具体工作落实情况报县人民政府政务公开办公室。"

CASES = [
    (SEED_000, 2023, [Round("第一次报送", date(2023, 9, 10)), Round("第二次报送", date(2023, 12, 1))]),
    (
        SEED_003,
        2023,
        [
            Round("第一季度", date(2023, 3, 10)),
            Round("第二季度", date(2023, 6, 10)),
            Round("第三季度", date(2023, 9, 10)),
            Round("第四季度", date(2023, 12, 10)),
        ],
    ),
    (SEED_004, 2018, [Round("上半年", date(2018, 7, 30)), Round("全年", date(2018, 12, 20))]),
    ("各单位于每季度末将工作落实情况报送县政务公开办。", 2023, [Round(f"第{q}季度", date(2023, m, d)) for q, m, d in (("一", 3, 31), ("二", 6, 30), ("三", 9, 30), ("四", 12, 31))]),
    ("请于6月底前、12月底前将落实情况报送县政府办。", 2022, [Round("第一次报送", date(2022, 6, 30)), Round("第二次报送", date(2022, 12, 31))]),
    # year unknown: names kept, no dates
    (SEED_004, None, [Round("上半年", None), Round("全年", None)]),
]


@pytest.mark.parametrize(("text", "year", "expected"), CASES, ids=["000", "003", "004", "quarter-end", "month-end", "no-year"])
def test_find_rounds(text, year, expected):
    assert find_rounds(clean_text(text), year=year) == expected


@pytest.mark.parametrize(
    "text",
    [
        # 002's comment deadline in the cover letter
        "请认真研究讨论并提出修改意见建议,于6月8日18时前经主要负责人签字盖章后报县行政中心222室,如未按时报送视为没有意见。",
        # 004's task deliverable: a date and 报送, but not the plan's progress
        "2018年7月15日前，各乡（镇）及13个试点领域的政府部门向县人民政府政务公开办公室报送试点成果和总体情况",
        # a task with a deadline, no reporting
        "2018年11月15日前,集中组织开展一次全县性预决算公开专项检查和考核统计工作",
        "",
    ],
)
def test_not_rounds(text):
    assert find_rounds(clean_text(text), year=2018) == []


def test_seed_002_has_no_round(seed_path):
    text = clean_text(seed_path("002").read_text(encoding="utf-8"))
    assert find_rounds(text, year=2018) == []
