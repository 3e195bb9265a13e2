"""Columns of a task table read by meaning, the mapping shown to the user, and --columns overriding it."""

from __future__ import annotations

import pytest

from app.core.plan.table import read_task_table
from app.core.plan.table_columns import ColumnSpecError, parse_column_spec
from app.core.plan.table_header import read_header_cell


def _read(rows, spec=None):
    return read_task_table(rows, source_name="t.csv", columns=parse_column_spec(spec) if spec else None)


@pytest.mark.parametrize(("header", "field"), [
    ("任务分工", "key_work"), ("重点任务", "key_work"), ("任务名称", "key_work"),
    ("细化分工", "content"), ("工作措施", "content"), ("具体要求", "content"), ("工作任务及要求", "content"),
    ("责任科室", "lead"), ("责任处室", "lead"), ("主办", "lead"), ("牵头科室", "lead"), ("责任单位（牵头）", "lead"),
    ("责任单位及责任人", "lead"), ("责任单位（配合）", "coop"), ("协办", "coop"), ("参与部门", "coop"),
    ("时间节点", "deadline"), ("完成时限及要求", "deadline"), ("完 成 时 间", "deadline"), ("時限要求", "deadline"),
    ("序 号", "seq"), ("量化指标", "metric"), ("预期成果", "metric"), ("备注", "notes"), ("推进情况", "progress"),
])
def test_header_cells_are_read_by_their_words(header, field):
    assert read_header_cell(header).field == field


@pytest.mark.parametrize("header", ["牵头领导", "联系电话", "联络员", "县财政局", "2025年6月底前", "一、重点工作"])
def test_cells_that_name_no_field(header):
    found = read_header_cell(header)
    assert found is None or header.startswith("一、")


def test_header_found_below_title_lines_with_unknown_spellings():
    rows = [
        ["某县卫生健康局2025年政务公开任务分解表"],
        ["填报科室：（盖章）"],
        ["序 号", "任务分工", "细化分工", "责任科室", "协办", "时间节点"],
        ["1", "公开目录", "更新主动公开目录。", "办公室", "医政股", "2025年3月底前"],
    ]
    result = _read(rows)
    task = result.doc.tasks[0]
    assert (task.key_work, task.content, task.lead_units, task.coop_units) == (
        "公开目录", "更新主动公开目录。", ["办公室"], ["医政股"])
    assert task.deadline.date.isoformat() == "2025-03-31"
    assert result.doc.title == "某县卫生健康局2025年政务公开任务分解表"
    columns = result.columns.to_json()
    assert columns["lead"] == {"column": 4, "columns": [4], "header": "责任科室", "guessed": False, "by": "header"}
    assert columns["deadline"]["header"] == "时间节点"
    assert result.columns.header_rows == [3]


def test_qiantou_leads_and_zeren_cooperates_when_both_columns_exist():
    rows = [["序号", "工作任务", "具体内容", "牵头单位", "责任单位", "配合单位", "完成时限"],
            ["1", "公开预算", "公开部门预算。", "县财政局", "各部门（单位）", "县审计局", "2025年6月底前"]]
    result = _read(rows)
    task = result.doc.tasks[0]
    assert task.lead_units == ["县财政局"]
    assert task.coop_units == ["各部门（单位）", "县审计局"]
    assert result.columns.to_json()["coop"]["columns"] == [5, 6]


def test_several_zeren_columns_without_qiantou_all_lead():
    rows = [["序号", "重点工作", "主要内容", "责任单位", "责任部门", "完成时限"],
            ["1", "公开预算", "公开部门预算。", "县财政局", "县审计局", "2025年6月底前"]]
    assert _read(rows).doc.tasks[0].lead_units == ["县财政局", "县审计局"]


def test_blank_header_cell_is_guessed_from_content_and_every_task_doubts_it():
    rows = [["序号", "", "主要内容", "责任单位", "完成时限"],
            ["1", "公开预算", "公开部门预算。", "县财政局", "2025年6月底前"],
            ["2", "公开决算", "公开部门决算。", "县财政局", "2025年9月底前"]]
    result = _read(rows)
    doc = result.doc
    assert [t.key_work for t in doc.tasks] == ["公开预算", "公开决算"]
    assert result.columns.to_json()["key_work"]["guessed"] is True
    assert all(any("第2列" in d and "推断" in d for d in doc.doubts[t.id]) for t in doc.tasks)
    assert any(w.location == "第2列" and "按内容" in w.message for w in doc.warnings)
    assert "（按内容推断）" in result.columns.describe()


def test_a_task_column_without_a_content_column_is_the_content():
    rows = [["序号", "工作任务", "责任单位", "完成时限"], ["1", "及时公开政府预算。", "县财政局", "2025年6月底前"]]
    task = _read(rows).doc.tasks[0]
    assert (task.key_work, task.content) == ("", "及时公开政府预算。")


def test_columns_override_by_number_header_text_and_letter():
    rows = [["序号", "甲", "乙", "丙", "丁", "戊"],  # headers that mean nothing
            ["1", "公开预算", "公开部门预算。", "县财政局", "县审计局", "2025年6月底前"]]
    assert _read(rows).doc.tasks == []  # no header found: nothing guessed from nothing
    result = _read(rows, "任务=2，内容=乙；牵头=D, 配合=5, 时限=第6列")
    task = result.doc.tasks[0]
    assert (task.seq, task.key_work, task.content, task.lead_units, task.coop_units) == (
        "1", "公开预算", "公开部门预算。", ["县财政局"], ["县审计局"])
    assert task.deadline.date.isoformat() == "2025-06-30"
    assert {f: e["by"] for f, e in result.columns.to_json().items()}["lead"] == "user"


def test_columns_override_fixes_one_field_and_keeps_the_rest():
    rows = [["序号", "重点工作", "主要内容", "配合单位", "责任单位", "完成时限"],  # the office swapped them
            ["1", "公开预算", "公开部门预算。", "县财政局", "县审计局", "2025年6月底前"]]
    auto = _read(rows).doc.tasks[0]
    assert auto.lead_units == ["县审计局"]
    fixed = _read(rows, "lead=4,coop=5").doc.tasks[0]
    assert (fixed.lead_units, fixed.coop_units, fixed.key_work) == (["县财政局"], ["县审计局"], "公开预算")


def test_columns_override_ignore_and_none():
    rows = [["序号", "重点工作", "主要内容", "责任单位", "配合单位", "完成时限"],
            ["1", "公开预算", "公开部门预算。", "县财政局", "县审计局", "2025年6月底前"]]
    task = _read(rows, "配合=无").doc.tasks[0]
    assert task.coop_units == [] and task.lead_units == ["县财政局"]
    result = _read(rows, "ignore=5")
    assert result.doc.tasks[0].coop_units == [] and "coop" not in result.columns.to_json()
    assert result.columns.unused_json() == [{"column": 5, "header": "配合单位"}]


@pytest.mark.parametrize(("text", "words"), [
    ("任务", "字段=列号"), ("负责人=3", "不认识的字段"), ("", "空的"), ("牵头=0", "从 1 开始"),
])
def test_bad_column_specs_say_what_is_wrong(text, words):
    with pytest.raises(ColumnSpecError, match=words):
        parse_column_spec(text)


def test_column_spec_naming_a_missing_header_or_column_is_refused():
    rows = [["序号", "重点工作", "主要内容", "责任单位", "完成时限"], ["1", "公开", "公开预算。", "县财政局", "2025年底"]]
    with pytest.raises(ColumnSpecError, match="表头中没有“牵头部门”"):
        _read(rows, "牵头=牵头部门")
    with pytest.raises(ColumnSpecError, match="第9列超出表格宽度"):
        _read(rows, "牵头=9")


# --- issue 11: headers read by meaning and position -------------------------------------------------


def test_first_and_second_level_columns_beside_a_content_column_are_chapter_and_task():
    rows = [["一级目录", "二级目录", "具体要求", "责任单位", "完成时限", "权重"],
            ["基层公开", "村务公开", "村级财务每季度公开一次。", "各乡镇", "每季度", "10"],
            ["", "事务公开", "公开惠农补贴发放名单。", "县农业农村局", "2024年9月底", "8"],
            ["平台建设", "网站维护", "网站栏目更新及时。", "县政府办", "长期", "5"]]
    result = _read(rows)
    doc = result.doc
    assert [doc.path_of(t) for t in doc.tasks] == [["基层公开"], ["基层公开"], ["平台建设"]]
    assert [t.key_work for t in doc.tasks] == ["村务公开", "事务公开", "网站维护"]
    assert [t.seq for t in doc.tasks] == ["1", "2", "3"]
    assert doc.tasks[0].notes == "权重：10"


def test_a_score_column_is_never_the_seq_column():
    assert read_header_cell("分值").field not in ("seq", None)
    rows = [["工作任务", "责任单位", "配合单位", "完成时限", "考核分值"],
            ["公开预算。", "县财政局", "各部门", "2024年6月底", "3"],
            ["公开决算。", "县财政局", "各部门", "2024年8月底", "2"]]
    result = _read(rows)
    assert [t.seq for t in result.doc.tasks] == ["1", "2"]
    assert not result.columns.has("seq")
    assert result.doc.tasks[1].notes == "考核分值：2"


def test_a_target_column_of_sentences_beside_short_task_names_is_the_content():
    rows = [["序号", "重点工作", "目标任务", "责任单位", "完成时限"],
            ["1", "就业信息公开", "全年发布招聘岗位信息不少于3000条，每月更新一次。", "县人社局", "每月"],
            ["2", "住房保障公开", "公开保障性住房分配对象和分配结果，接受社会监督。", "县住建局", "2024年10月底"]]
    task = _read(rows).doc.tasks[0]
    assert task.key_work == "就业信息公开"
    assert task.content.startswith("全年发布招聘岗位信息") and task.metric == ""


def test_a_target_column_alone_is_the_content_of_each_task():
    rows = [["序号", "年度目标", "责任单位", "完成时限"],
            ["1", "政府网站信息更新及时率达到100%。", "县政府办", "长期"],
            ["2", "依申请公开按期答复率100%。", "县司法局", "2024年12月底"]]
    result = _read(rows)
    assert [t.content for t in result.doc.tasks] == ["政府网站信息更新及时率达到100%。", "依申请公开按期答复率100%。"]
