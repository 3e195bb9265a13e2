"""Outline numbering: real lines from seeds 002/003/004 and their kin."""

from __future__ import annotations

import pytest

from app.core.plan.outline import (
    LEVEL_CIRCLED,
    LEVEL_ITEM,
    LEVEL_SECTION,
    LEVEL_SUBITEM,
    LEVEL_SUBSECTION,
    chinese_number_value,
    classify_line,
    number_label,
    split_heading_title,
    to_chinese_number,
)

NUMBERED = [
    ("一、围绕建设法治政府,深入推进“五公开”", LEVEL_SECTION, "一、", 1, "围绕建设法治政府,深入推进“五公开”"),
    ("　　五、提升服务公开水平，创新创优发展环境", LEVEL_SECTION, "五、", 5, "提升服务公开水平，创新创优发展环境"),
    ("  五、提升服务公开实效,强化网上服务公开", LEVEL_SECTION, "五、", 5, "提升服务公开实效,强化网上服务公开"),
    ("十二、其他", LEVEL_SECTION, "十二、", 12, "其他"),
    ("(一)加强行政决策公开。", LEVEL_SUBSECTION, "(一)", 1, "加强行政决策公开。"),
    ("（三）加强行政执法信息公开。", LEVEL_SUBSECTION, "（三）", 3, "加强行政执法信息公开。"),
    ("    (五)充分发挥其他公开平台作用。", LEVEL_SUBSECTION, "(五)", 5, "充分发挥其他公开平台作用。"),
    ("1.认真贯彻执行《中宁县人民政府工作规则》", LEVEL_ITEM, "1.", 1, "认真贯彻执行《中宁县人民政府工作规则》"),
    ("1．凡政府全体会议和常务会议讨论决定的事项", LEVEL_ITEM, "1．", 1, "凡政府全体会议和常务会议讨论决定的事项"),
    ("2、按照区、市部署和要求", LEVEL_ITEM, "2、", 2, "按照区、市部署和要求"),
    ("3． 认真贯彻落实《自治区党委办公厅》", LEVEL_ITEM, "3．", 3, "认真贯彻落实《自治区党委办公厅》"),
    ("32.各单位要根据本要点制定本单位2023年政务公开工作方案", LEVEL_ITEM, "32.", 32, "各单位要根据本要点制定本单位2023年政务公开工作方案"),
    ("１．全角数字", LEVEL_ITEM, "１．", 1, "全角数字"),
    ("（2）细项", LEVEL_SUBITEM, "（2）", 2, "细项"),
    ("③第三点", LEVEL_CIRCLED, "③", 3, "第三点"),
]


@pytest.mark.parametrize(("line", "level", "number", "value", "rest"), NUMBERED, ids=[n[0][:12] for n in NUMBERED])
def test_classify_numbered_lines(line, level, number, value, rest):
    kind = classify_line(line)
    assert kind.is_numbered
    assert (kind.level, kind.number, kind.value, kind.rest) == (level, number, value, rest)


@pytest.mark.parametrize(
    "line",
    [
        "2018年全县政务公开工作的总体要求是：全面贯彻党的十九大",
        "2023年7月7日",
        "1.5亿元用于建设",
        "(此件公开发布)",
        "(牵头部门:政府办,责任部门:政府各部门;完成时限:2023年10月)",
        "以公开为常态、不公开为例外",
        "十九大精神",
    ],
)
def test_plain_text_is_not_numbered(line):
    assert classify_line(line).kind == "text"


def test_blank_lines_of_any_width():
    assert classify_line("\u3000\u2002  ").is_blank
    assert classify_line("").is_blank


@pytest.mark.parametrize(
    ("rest", "title", "tail"),
    [
        ("加强行政决策公开。", "加强行政决策公开", ""),
        ("圍繞高質量發展", "圍繞高質量發展", ""),
        ("加强行政执法信息公开。修订完善并严格落实《中宁县行政执法公示办法》", "加强行政执法信息公开", "修订完善并严格落实《中宁县行政执法公示办法》"),
        ("把握回应重点,引导社会预期。认真贯彻执行", "把握回应重点,引导社会预期", "认真贯彻执行"),
        ("做好自查自评及迎验工作。各乡（镇）和各部门（单位）要高度重视", "做好自查自评及迎验工作", "各乡（镇）和各部门（单位）要高度重视"),
    ],
)
def test_split_heading_title(rest, title, tail):
    assert split_heading_title(rest) == (title, tail)


def test_long_first_sentence_is_not_a_title():
    rest = "这" * 80 + "。后文"
    assert split_heading_title(rest) == (rest, "")


@pytest.mark.parametrize(("text", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("九十九", 99)])
def test_chinese_numbers_round_trip(text, value):
    assert chinese_number_value(text) == value
    assert to_chinese_number(value) == text


def test_number_labels():
    assert number_label(LEVEL_SECTION, 3) == "三、"
    assert number_label(LEVEL_SUBSECTION, 11) == "（十一）"
    assert number_label(LEVEL_ITEM, 4, style="．") == "4．"
    assert number_label(LEVEL_SUBITEM, 2) == "（2）"


def test_a_number_with_a_closing_bracket_only_is_a_sub_item():
    kind = classify_line("1）政策文件与解读材料同步发布")
    assert (kind.level, kind.number, kind.value, kind.rest) == (LEVEL_SUBITEM, "1）", 1, "政策文件与解读材料同步发布")


# --- issue 11: parts and chapters above 一、 ---------------------------------------------------------


@pytest.mark.parametrize("line, number, rest", [("第三部分　组织保障", "第三部分\u3000", "组织保障"),
                                                ("第一章 总体目标", "第一章\u3000", "总体目标"),
                                                ("第二篇：专项任务", "第二篇", "专项任务")])
def test_parts_chapters_and_pieces_are_above_the_first_level(line, number, rest):
    kind = classify_line(line)
    assert kind.is_numbered and kind.level < LEVEL_SECTION
    assert kind.number == number and kind.rest == rest


def test_a_sentence_starting_with_a_part_is_no_heading():
    assert not classify_line("第一部分所列任务须在年底前完成。").is_numbered


def test_parts_are_the_top_of_the_task_path_in_a_prose_plan():
    from app.core.plan import parse_prose_plan

    lines = ["某县2024年政务公开实施方案", "第一部分　工作目标", "全面提升公开质量。", "第二部分　主要任务",
             "一、深化重点领域公开", "1.公开城乡低保标准。（县民政局负责，6月底前）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    task = doc.tasks[0]
    assert doc.path_of(task) == ["第二部分\u3000主要任务", "一、深化重点领域公开"]
    assert min(h.level for h in doc.headings) == 1


def test_decimal_outline_levels():
    assert classify_line("2.3 推进服务公开").level == LEVEL_SUBSECTION
    assert classify_line("2.3.1 公开办事指南。").level == LEVEL_ITEM
    assert not classify_line("2.5亿元用于改造。").is_numbered


def test_a_decimal_plan_reads_its_numbers_as_levels():
    from app.core.plan import parse_prose_plan

    lines = ["某县2024年政务公开实施方案", "2. 主要任务", "2.1 推进执行公开", "2.1.1 公开重点项目进度。（县发改局负责，每季度）",
             "2.1.2 公开审计整改情况。（县审计局负责，年底前）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert [t.seq for t in doc.tasks] == ["1", "2"]
    assert doc.path_of(doc.tasks[1]) == ["2.主要任务", "2.1推进执行公开"]
    assert [t.lead_units for t in doc.tasks] == [["县发改局"], ["县审计局"]]
