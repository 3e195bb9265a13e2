"""Responsibility annotations in every form the seeds use (real lines) and their kin."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.plan.annotations import (
    find_annotation,
    looks_like_annotation,
    merge_annotations,
    parse_annotation_body,
    read_bare_annotation,
)
from app.core.text import clean_text

CASES = [
    # (text, lead, coop, deadline text, kind, date)
    (
        "提升政府公信力和执行力。(县政府办公室牵头落实,各部门〔单位〕按照工作职能负责落实,2018年6月30日前完成并长期坚持)",
        ["县政府办公室"], ["各部门（单位）"], "2018年6月30日前完成并长期坚持", "long_term", date(2018, 6, 30),
    ),
    (
        "意见收集情况要向社会公布。(各部门〔单位〕负责落实,2018年7月31日前完成并长期坚持)",
        ["各部门（单位）"], [], "2018年7月31日前完成并长期坚持", "long_term", date(2018, 7, 31),
    ),
    ("不得少于5次。(县政府办公室负责落实)", ["县政府办公室"], [], "", None, None),
    (
        "推动政府部门依法全面规范履职。(县编办、县政府法制办负责落实,按照自治区、中卫市相关要求时限推进)",
        ["县编办", "县政府法制办"], [], "按照自治区、中卫市相关要求时限推进", "per_superior", None,
    ),
    (
        "接受群众监督。(各乡镇、部门〔单位〕负责落实,县“两会”闭幕后5天内完成)",
        ["各乡镇", "各部门（单位）"], [], "县“两会”闭幕后5天内完成", "relative", None,
    ),
    (
        "(牽頭部門:政府辦,責任部門:政府各部門;完成時限:2023年10月)",
        ["政府办"], ["政府各部门"], "2023年10月", "date", date(2023, 10, 31),
    ),
    ("(責任部門:人社局;完成時限:2023年10月)", ["人社局"], [], "2023年10月", "date", date(2023, 10, 31)),
    (
        "(牵头部门:政府办;责任部门:政府各部门、各乡镇街道;完成时限:2023年10月)",
        ["政府办"], ["政府各部门", "各乡镇街道"], "2023年10月", "date", date(2023, 10, 31),
    ),
    (
        "(牵头部门:财政局、发改局,责任部门:政府各部门、各乡镇街道;完成时限:2023年10月)",
        ["财政局", "发改局"], ["政府各部门", "各乡镇街道"], "2023年10月", "date", date(2023, 10, 31),
    ),
    (
        "提升政府公信力和执行力。［县人民政府办公室、各乡（镇）人民政府和县政府各部门负责落实］",
        ["县人民政府办公室", "各乡（镇）人民政府", "县政府各部门"], [], "", None, None,
    ),
    (
        "推动政府部门依法全面规范履职。［县编办、政府法制办牵头落实，各乡（镇）人民政府和县政府各部门负责落实］",
        ["县编办", "县政府法制办"], ["各乡（镇）人民政府", "县政府各部门"], "", None, None,
    ),
    (
        "落实市场主体自主权。［县发改局、市监局牵头落实，县政府各部门按工作职能负责落实］",
        ["县发改局", "县市监局"], ["县政府各部门"], "", None, None,
    ),
    (
        "制定出台我县相关办法。［县政府办公室牵头落实，县政府相关部门配合落实］",
        ["县政府办公室"], ["县政府相关部门"], "", None, None,
    ),
    (
        "提供目录导航。［县政府办公室牵头落实，县政府各部门负责配合落实］",
        ["县政府办公室"], ["县政府各部门"], "", None, None,
    ),
    (
        "提供便利。［县文广局、档案局、政务服务中心牵头负责，县政府各部门配合落实］",
        ["县文广局", "县档案局", "县政务服务中心"], ["县政府各部门"], "", None, None,
    ),
    (
        "轮训一遍。［县政府政务公开办公室牵头负责落实，各乡（镇）人民政府和县政府各部门配合落实］",
        ["县政府政务公开办公室"], ["各乡（镇）人民政府", "县政府各部门"], "", None, None,
    ),
    ("可关停整合。［各乡（镇）人民政府和县政府各部门配合落实］", [], ["各乡（镇）人民政府", "县政府各部门"], "", None, None),
    (
        "应不少于2次。 ［县政府办公室、县文广局及政府相关部门负责落实］",
        ["县政府办公室", "县文广局", "政府相关部门"], [], "", None, None,
    ),
    (
        "起到引领作用。［县发改局、建环局、国土局等部门按工作职能牵头落实，各乡（镇）人民政府和县政府各部门按职责分工负责落实］",
        ["县发改局", "县建环局", "县国土局"], ["各乡（镇）人民政府", "县政府各部门"], "", None, None,
    ),
    (
        "整改。(县政务服务中心、政府法制办负责落实,除明确时间节点的事项外,其他按照自治区、中卫市相关要求时限推进)",
        ["县政务服务中心", "县政府法制办"], [], "除明确时间节点的事项外，其他按照自治区、中卫市相关要求时限推进", "per_superior", None,
    ),
    # kin: square brackets, 【】, a full stop after the bracket
    ("做好工作[县财政局牵头落实，县审计局配合落实]。", ["县财政局"], ["县审计局"], "", None, None),
    ("做好工作【责任单位：县民政局；完成时限：2023年12月底】", ["县民政局"], [], "2023年12月底", "date", date(2023, 12, 31)),
]


@pytest.mark.parametrize(("text", "lead", "coop", "dl_text", "kind", "due"), CASES, ids=[c[0][-24:] for c in CASES])
def test_find_annotation(text, lead, coop, dl_text, kind, due):
    text = clean_text(text)
    ann = find_annotation(text, year=2018)
    assert ann is not None
    assert ann.lead_units == lead
    assert ann.coop_units == coop
    assert ann.deadline_text == dl_text
    if kind is None:
        assert ann.deadline is None
    else:
        assert (ann.deadline.kind, ann.deadline.date) == (kind, due)
    content = ann.remove_from(text)
    assert "落实" not in content[-6:] and "时限" not in content
    assert content == text[: ann.span[0]].strip() + text[ann.span[1]:].strip()


@pytest.mark.parametrize(
    "text",
    [
        "按照《国务院办公厅关于推进社会公益事业建设领域政府信息公开的意见》（国办发〔2018〕10号）",
        "新修订的《中华人民共和国政府信息公开条例》（以下简称条例）出台后",
        "重点公开住房保障等6大领域的信息。",
        "政府和社会资本合作(PPP)项目",
        "",
    ],
)
def test_asides_are_not_annotations(text):
    assert find_annotation(text) is None


def test_annotation_in_the_middle_is_found_and_removed():
    text = "做好公开工作(县财政局牵头落实,各部门负责落实)。另附说明。"
    ann = find_annotation(text)
    assert ann is not None and ann.lead_units == ["县财政局"]
    assert ann.remove_from(text) == "做好公开工作。另附说明。"


def test_looks_like_annotation():
    assert looks_like_annotation("县政府办公室负责落实")
    assert looks_like_annotation("责任单位:县民政局")
    assert not looks_like_annotation("以下简称条例")
    assert not looks_like_annotation("档案局、图书馆、政务服务中心")


# --- issue 11: every office's annotation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("inner", "lead", "coop", "dl_text"),
    [
        ("县教体局、县卫健局分别负责", ["县教体局", "县卫健局"], [], ""),
        ("县住建局牵头，各乡镇分别负责", ["县住建局"], ["各乡镇"], ""),
        ("主办：县委宣传部；协办：县政府办公室；时限：每季度", ["县委宣传部"], ["县政府办公室"], "每季度"),
        ("牵头单位:县审计局;参与单位:各被审计单位;完成时限:10月底前", ["县审计局"], ["各被审计单位"], "10月底前"),
        ("牵头单位：县住建局；配合单位：县财政局，各乡镇人民政府", ["县住建局"], ["县财政局", "各乡镇人民政府"], ""),
        ("责任单位：县发改局（牵头），县财政局、县统计局", ["县发改局"], ["县财政局", "县统计局"], ""),
        ("责任单位：县财政局，配合单位：县审计局，2024年6月底前完成", ["县财政局"], ["县审计局"], "2024年6月底前完成"),
        ("责任单位：县财政局；配合单位：无", ["县财政局"], [], ""),
        ("县财政局 县审计局负责", ["县财政局", "县审计局"], [], ""),
        ("县政府办公室牵头，各承办单位负责落实，6月底前、12月底前分别公开", ["县政府办公室"], ["各承办单位"],
         "6月底前、12月底前分别公开"),
    ],
)
def test_parse_annotation_body_every_office(inner, lead, coop, dl_text):
    ann = parse_annotation_body(inner, year=2025)
    assert (ann.lead_units, ann.coop_units, ann.deadline_text) == (lead, coop, dl_text)


def test_what_is_neither_unit_nor_time_is_kept_apart():
    ann = parse_annotation_body("牵头领导：张副县长；责任单位：县财政局", year=2025)
    assert (ann.lead_units, ann.rest) == (["县财政局"], "牵头领导：张副县长")


@pytest.mark.parametrize(
    ("text", "lead", "coop", "dl_text"),
    [
        ("规划股牵头落实", ["规划股"], [], ""),
        ("综合股牵头，各股室配合。", ["综合股"], ["各股室"], ""),
        ("办公室负责，长期坚持。", ["办公室"], [], "长期坚持"),
        ("责任单位：县级各部门", ["县级各部门"], [], ""),
        ("完成时限：2025年6月底前", [], [], "2025年6月底前"),
        ("牵头单位：县教体局；配合单位：各乡镇人民政府", ["县教体局"], ["各乡镇人民政府"], ""),
    ],
)
def test_read_bare_annotation(text, lead, coop, dl_text):
    ann = read_bare_annotation(text, year=2025)
    assert ann is not None and ann.bare
    assert (ann.lead_units, ann.coop_units, ann.deadline_text) == (lead, coop, dl_text)


@pytest.mark.parametrize(
    "text",
    [
        "由各部门负责指导推进",  # "由" is no part of a name
        "各乡镇、各部门要明确政务公开工作机构和人员",
        "清溪县自然资源局",  # a signature: no role
        "按季度公开执法检查情况，执法监察大队牵头",  # who comes first, then by when
        "做好公开。县财政局负责",  # two sentences
        "2025年3月5日",
    ],
)
def test_sentences_that_are_no_bare_annotation(text):
    assert read_bare_annotation(text, year=2025) is None


def test_keyed_lines_read_together():
    lines = [read_bare_annotation(t, year=2025) for t in ("牵头单位：县财政局", "责任单位：各乡镇", "完成时限：8月底前")]
    merged = merge_annotations(lines, year=2025)
    assert (merged.lead_units, merged.coop_units, merged.deadline.date) == (["县财政局"], ["各乡镇"], date(2025, 8, 31))


@pytest.mark.parametrize("inner, kind", [("县教育局负责，每学年", "recurring"), ("县应急局负责，与防汛演练同步", "relative")])
def test_event_and_school_year_times_in_an_annotation_are_its_deadline(inner, kind):
    ann = parse_annotation_body(inner, year=2024)
    assert ann.deadline is not None and ann.deadline.kind == kind and not ann.rest


def test_a_clause_that_does_the_work_is_no_deadline_of_a_bare_annotation():
    from app.core.plan.annotations import read_bare_annotation

    assert read_bare_annotation("各村委会负责，每月在村务公开栏公布低保户名单和补助标准", year=2024) is None
    found = read_bare_annotation("县水利局负责，2024年9月底前完成公开", year=2024)
    assert found is not None and found.lead_units == ["县水利局"] and found.deadline.kind == "date"
