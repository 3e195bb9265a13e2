"""Deadline parser: every form of the issue and the JSON contract, plus prose search."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.deadlines import (
    calendar_date,
    find_deadline_in_text,
    impossible_date,
    month_end,
    parse_deadline,
)

D = date

# (cell text, plan year, expected kind, expected date)
CASES = [
    # the forms named in the issue
    ("2023年12月底", None, "date", D(2023, 12, 31)),
    ("2023年10月", None, "date", D(2023, 10, 31)),
    ("长期坚持", 2023, "long_term", None),
    ("2018年6月30日前完成并长期坚持", None, "long_term", D(2018, 6, 30)),
    ("按照自治区、中卫市相关要求时限推进", 2018, "per_superior", None),
    ("县“两会”闭幕后5天内完成", 2018, "relative", None),
    ("计划、报告、结果信息确定后5日内完成", 2018, "relative", None),
    ("年内", 2023, "date", D(2023, 12, 31)),
    ("每年9月", 2023, "recurring", D(2023, 9, 30)),
    ("2023年8月底", None, "date", D(2023, 8, 31)),
    ("2018年11月30日前完成政府网站专栏开设并完善相关信息", None, "date", D(2018, 11, 30)),
    # the contract's other examples
    ("持续推进", None, "long_term", None),
    ("按上级要求时限推进", None, "per_superior", None),
    ("每季度", 2023, "recurring", None),
    ("", 2023, "none", None),
    ("无", 2023, "none", None),
    # the other real cells of the seeds
    ("2023年年底", None, "date", D(2023, 12, 31)),
    ("<p>2023年年底</p> <p>2023年8月底</p>", None, "date", D(2023, 12, 31)),
    ("2018年10月31日前完成并长期坚持", None, "long_term", D(2018, 10, 31)),
    ("2018年11月30日前完成", None, "date", D(2018, 11, 30)),
    ("除明确时间节点的事项外,其他按照自治区、中卫市相关要求时限推进", 2018, "per_superior", None),
    ("2018年11月底前", None, "date", D(2018, 11, 30)),
    # more forms of the brief
    ("2018年6月30日前", None, "date", D(2018, 6, 30)),
    ("12月1日前", 2023, "date", D(2023, 12, 1)),
    ("12月1日前", None, "none", None),  # a date form, but no year known: kind none, text kept
    ("年内", None, "none", None),
    ("年底前", 2023, "date", D(2023, 12, 31)),
    ("年底", 2018, "date", D(2018, 12, 31)),
    ("2023年上半年", None, "date", D(2023, 6, 30)),
    ("2023年下半年", None, "date", D(2023, 12, 31)),
    ("第三季度", 2023, "date", D(2023, 9, 30)),
    ("2023年第一季度末", None, "date", D(2023, 3, 31)),
    ("2023年6月—12月", None, "date", D(2023, 12, 31)),
    ("2023年6月底前；2023年12月底前", None, "date", D(2023, 12, 31)),
    ("２０２３年１２月底", None, "date", D(2023, 12, 31)),
    ("２０２３年１０月", None, "date", D(2023, 10, 31)),
    ("二〇二三年十月", None, "date", D(2023, 10, 31)),
    ("十二月底前", 2023, "date", D(2023, 12, 31)),
    ("2024年2月30日前", None, "none", None),  # impossible: text kept, no date (was clamped to 2-29)
    ("2024年2月29日前", None, "date", D(2024, 2, 29)),
    ("2023年2月29日", None, "none", None),
    ("长期", None, "long_term", None),
    ("常态化", None, "long_term", None),
    ("收到申请后15个工作日内", None, "relative", None),
    ("及时", None, "relative", None),
    ("每月", 2023, "recurring", None),
    ("每半年", 2023, "recurring", None),
    ("每年9月", None, "recurring", None),
    ("今年8月", 2023, "date", D(2023, 8, 31)),
    ("今年8月", None, "none", None),
    ("本年度", 2023, "date", D(2023, 12, 31)),
    ("2023年8月份", None, "date", D(2023, 8, 31)),
    ("30号前", None, "none", None),
]


@pytest.mark.parametrize(("text", "year", "kind", "when"), CASES)
def test_parse_deadline(text, year, kind, when):
    got = parse_deadline(text, year=year)
    assert (got.kind, got.date) == (kind, when)
    assert got.text == text.strip()


def test_parse_deadline_keeps_text_stripped():
    got = parse_deadline("  2023年12月底 \n")
    assert got.text == "2023年12月底"
    assert got.to_json() == {"text": "2023年12月底", "date": "2023-12-31", "kind": "date"}


def test_impossible_date_is_not_moved_but_named():
    got = parse_deadline("2024年2月30日")
    assert (got.text, got.kind, got.date) == ("2024年2月30日", "none", None)
    assert impossible_date("2024年2月30日") == "2024年2月30日"
    assert impossible_date("二〇二三年二月二十九日前完成") == "二〇二三年二月二十九日"
    assert impossible_date("6月31日前；12月31日前", year=2023) == "6月31日"
    assert impossible_date("2023年13月底") == "2023年13月"
    assert impossible_date("2月29日前") is None  # year unknown: may be a leap year
    assert impossible_date("2024年2月29日前、每季度最后一个月10日前") is None


def test_month_end_and_calendar_date():
    assert month_end(2024, 2) == D(2024, 2, 29)
    assert month_end(2023, 2) == D(2023, 2, 28)
    assert calendar_date(2023, 6, None) == D(2023, 6, 30)
    assert calendar_date(2023, 6, 31) is None
    assert calendar_date(None, 6, 1) is None


def test_parse_deadline_none_input():
    assert parse_deadline(None).kind == "none"


PROSE = [
    ("2．2018年11月底前，抓紧公布“一次办”事项", 2018, "2018年11月底前", "date", D(2018, 11, 30)),
    ("市政等主管部门，要于2018年11月底前分别制定完善", None, "2018年11月底前", "date", D(2018, 11, 30)),
    ("请各乡镇、各部门（单位）务于7月30日前和12月20日前，将", 2018, "7月30日前和12月20日前", "date", D(2018, 12, 20)),
    ("年内集中组织开展一次全县政务公开培训", 2018, "年内", "date", D(2018, 12, 31)),
    ("实行每季度最后一个月10日前报送", 2023, "每季度最后一个月10日前", "recurring", None),
    ("每年9月集中组织政府开放活动", 2023, "每年9月", "recurring", D(2023, 9, 30)),
    ("２０１８年７月１５日前，各乡（镇）及13个部门", None, "２０１８年７月１５日前", "date", D(2018, 7, 15)),
    ("确保今年8月份如期全面完成", 2018, "今年8月份如期全面完成", "date", D(2018, 8, 31)),
    ("要在2018年9月份前完成", None, "2018年9月份前", "date", D(2018, 9, 30)),
    ("今年底前完成", 2018, "今年底前", "date", D(2018, 12, 31)),
    ("于十一月 底前完成", 2018, "十一月 底前", "date", D(2018, 11, 30)),
    ("年內完成", 2018, "年內", "date", D(2018, 12, 31)),
    ("8月底前实现现行有效行政规范性文件统一查询", 2023, "8月底前", "date", D(2023, 8, 31)),
]


@pytest.mark.parametrize(("text", "year", "fragment", "kind", "when"), PROSE)
def test_find_deadline_in_text(text, year, fragment, kind, when):
    got = find_deadline_in_text(text, year=year)
    assert got is not None
    assert (got.text, got.kind, got.date) == (fragment, kind, when)


@pytest.mark.parametrize(
    "text",
    [
        "县政府主要负责人1年内解读重要政策措施应不少于3次",  # "1年内" is a span, not a deadline
        "及时公开政府工作报告",
        "持续推进政务公开标准化规范化",
        "年内至少听取1次汇报",  # 年内 without a known year gives nothing computable
        "",
        None,
    ],
)
def test_find_deadline_in_text_finds_nothing(text):
    assert find_deadline_in_text(text, year=None if text and "年内至少" in text else 2018) is None


def test_every_deadline_cell_of_seed_000_parses(seed_path):
    lines = seed_path("000").read_text(encoding="utf-8").splitlines()
    cells = [line.split("\t")[6] for line in lines if line[:1].isdigit() and line.count("\t") >= 6]
    assert len(cells) == 38
    parsed = [parse_deadline(c, year=2023) for c in cells]
    assert all(p.kind in ("date", "long_term") for p in parsed)
    assert sum(p.kind == "long_term" for p in parsed) == 1
    assert {p.date for p in parsed if p.kind == "date"} == {D(2023, 12, 31)}


def test_every_annotation_deadline_of_seed_002_parses(seed_path):
    import re

    text = seed_path("002").read_text(encoding="utf-8")
    tails = re.findall(r"落实[,，]((?:(?!落实)[^()（）])*?)[)）]", text)
    assert len(tails) >= 25
    kinds = {t: parse_deadline(t, year=2018).kind for t in tails}
    assert all(k != "none" for k in kinds.values()), kinds
    assert kinds["县“两会”闭幕后5天内完成"] == "relative"


# --- issue 11: the forms other offices write ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "kind", "when"),
    [
        ("按季度", 2025, "recurring", None),
        ("按月公开", 2025, "recurring", None),
        ("每季度结束后10日内", 2025, "recurring", None),  # every quarter, not once after an event
        ("按省市要求", 2025, "per_superior", None),
        ("按上级部署", 2025, "per_superior", None),
        ("24小时内", 2025, "relative", None),
        ("收信后10个工作日内", 2025, "relative", None),
        ("每年12月底前", 2025, "recurring", D(2025, 12, 31)),
        ("2025年第三季度", None, "date", D(2025, 9, 30)),
    ],
)
def test_parse_deadline_other_offices(text, year, kind, when):
    got = parse_deadline(text, year=year)
    assert (got.kind, got.date) == (kind, when)


@pytest.mark.parametrize(
    ("text", "fragment", "kind", "when"),
    [
        ("全年城镇新增就业2000人以上。", "全年", "date", D(2025, 12, 31)),  # a yearly target is due at the year's end
        ("按季度公开耕地保护和执法检查情况。", "按季度", "recurring", None),
        ("重要政策出台后3个工作日内发布解读材料。", "出台后3个工作日内", "relative", None),
        ("对重大舆情在5小时内发布权威信息。", "5小时内", "relative", None),
    ],
)
def test_find_deadline_in_text_other_offices(text, fragment, kind, when):
    got = find_deadline_in_text(text, year=2025)
    assert got is not None and (got.text, got.kind, got.date) == (fragment, kind, when)


@pytest.mark.parametrize("text", ["全年具体工作落实情况报县政府办公室", "上半年和全年工作总结", "县政府主要负责人1年内解读"])
def test_a_year_named_without_a_target_is_no_deadline(text):
    assert find_deadline_in_text(text, year=2025) is None


# --- issue 11: event-tied and school-year deadlines ------------------------------------------------


@pytest.mark.parametrize("text", ["与全县目标责任考核同步", "随年度预算公开同步", "汛期前5个工作日内", "春节前", "开学前"])
def test_deadlines_tied_to_an_event_are_relative(text):
    found = parse_deadline(text, year=2026)
    assert found.kind == "relative" and found.date is None


@pytest.mark.parametrize("text", ["每学年", "按学期", "每学期开学后两周内"])
def test_school_terms_recur(text):
    assert parse_deadline(text, year=2026).kind == "recurring"


@pytest.mark.parametrize("text, expected", [("三季度末", date(2026, 9, 30)), ("11月份", date(2026, 11, 30)),
                                            ("2026年第一季度", date(2026, 3, 31)), ("年底前", date(2026, 12, 31))])
def test_quarter_month_and_year_end_forms_take_the_plan_year(text, expected):
    found = parse_deadline(text, year=2026)
    assert found.kind == "date" and found.date == expected
