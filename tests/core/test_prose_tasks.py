"""Prose plans read by meaning (issue 11 "Prose"): a task is text closed by who does it, wherever and
however the plan writes that. Real sentences in, tasks out.

Numbering decided here (see app/core/plan/prose.py): tasks cut from a heading's own text are numbered
by position under the heading ("1", "2", … as the seeds number a heading that is one task); a
numbered item cut into several tasks keeps its number with a suffix ("3-1", "3-2").
"""

from __future__ import annotations

from datetime import date

import pytest

from app.core.plan import parse_prose_plan
from app.core.records import LedgerDocument

TITLE = "某县2025年政务公开工作要点"


def parse(*body: str) -> LedgerDocument:
    return parse_prose_plan([TITLE, *body], source_name="要点.txt")


def rows(doc: LedgerDocument) -> list[tuple]:
    return [(t.seq, t.content, t.lead_units, t.coop_units) for t in doc.tasks]


# --- several tasks in one paragraph -----------------------------------------------------------------


def test_each_annotated_sentence_of_a_paragraph_is_a_task():
    doc = parse(
        "一、加强重点领域信息公开",
        "（一）财政信息公开。",
        "全面公开县本级预算、决算。（县财政局负责）及时公开地方政府债务限额、余额。（县财政局负责，6月底前完成）"
        "做好惠民惠农补贴资金发放信息公开。（县财政局、县农业农村局分别负责）",
    )
    assert rows(doc) == [
        ("1", "全面公开县本级预算、决算。", ["县财政局"], []),
        ("2", "及时公开地方政府债务限额、余额。", ["县财政局"], []),
        ("3", "做好惠民惠农补贴资金发放信息公开。", ["县财政局", "县农业农村局"], []),
    ]
    assert {t.key_work for t in doc.tasks} == {"财政信息公开"}
    assert doc.tasks[1].deadline.date == date(2025, 6, 30)


def test_a_heading_that_runs_on_into_several_tasks():
    doc = parse("一、提升平台效能",
                "（一）政府网站。加强网站内容保障，确保信息更新及时准确。（县政府办负责，长期坚持）"
                "优化网站智能搜索功能。（县政府办、县融媒体中心分别负责，9月底前完成）")
    assert [h.label for h in doc.headings] == ["一、提升平台效能", "（一）政府网站"]
    assert rows(doc) == [
        ("1", "加强网站内容保障，确保信息更新及时准确。", ["县政府办"], []),
        ("2", "优化网站智能搜索功能。", ["县政府办", "县融媒体中心"], []),
    ]
    assert [t.deadline.kind for t in doc.tasks] == ["long_term", "date"]


def test_a_numbered_item_with_two_annotations_becomes_two_numbered_tasks():
    doc = parse("一、做好政策发布", "1.做好政策发布；（县政府办负责）同步做好解读。（各起草部门负责）",
                "2.做好政策推送。（县融媒体中心负责）")
    assert rows(doc) == [
        ("1-1", "做好政策发布；", ["县政府办"], []),
        ("1-2", "同步做好解读。", ["各起草部门"], []),
        ("2", "做好政策推送。", ["县融媒体中心"], []),
    ]
    assert "拆分为2项任务" in " ".join(doc.doubts[doc.tasks[0].id])


def test_unnumbered_paragraphs_under_a_heading_are_one_task_each():
    doc = parse("一、聚焦重点领域", "（一）财政资金公开",
                "全面公开县级预算、决算及“三公”经费。〔县财政局牵头落实，各预算单位负责落实，2025年6月底前完成〕",
                "公开乡村振兴补助资金分配结果。［县财政局、县农业农村局按职责分工负责落实，资金下达后15日内］")
    assert rows(doc) == [
        ("1", "全面公开县级预算、决算及“三公”经费。", ["县财政局"], ["各预算单位"]),
        ("2", "公开乡村振兴补助资金分配结果。", ["县财政局", "县农业农村局"], []),
    ]
    assert doc.tasks[1].deadline.kind == "relative"


# --- annotations without brackets ---------------------------------------------------------------------


def test_the_annotation_on_a_line_of_its_own():
    doc = parse("一、主动公开重点信息", "1.及时公开国土空间规划批前公示和批后公告信息。", "规划股牵头落实",
                "2.公开征地补偿安置方案，6月底前完成专栏升级。", "征地股牵头落实，各自然资源所配合")
    assert rows(doc) == [
        ("1", "及时公开国土空间规划批前公示和批后公告信息。", ["规划股"], []),
        ("2", "公开征地补偿安置方案，6月底前完成专栏升级。", ["征地股"], ["各自然资源所"]),
    ]


def test_the_annotation_as_the_last_sentence_or_clause_without_brackets():
    doc = parse("一、规范依申请公开",
                "1.规范申请登记、审核、办理、答复流程，按法定时限答复。综合股牵头，各股室配合。",
                "2.加强局门户网站栏目内容保障。办公室负责，长期坚持。",
                "3.按季度公开执法检查情况，执法监察大队牵头，耕保股配合",
                "4.规范性文件在印发后20个工作日内公开——区司法局负责")
    assert rows(doc) == [
        ("1", "规范申请登记、审核、办理、答复流程，按法定时限答复。", ["综合股"], ["各股室"]),
        ("2", "加强局门户网站栏目内容保障。", ["办公室"], []),
        ("3", "按季度公开执法检查情况", ["执法监察大队"], ["耕保股"]),
        ("4", "规范性文件在印发后20个工作日内公开", ["区司法局"], []),
    ]
    assert doc.tasks[1].deadline.kind == "long_term"
    assert doc.tasks[2].deadline.kind == "recurring"


def test_a_sentence_that_only_ends_in_a_duty_word_is_no_annotation():
    doc = parse("一、加强指导", "1.政府各部门所属下属单位政务公开工作由各部门负责指导推进。（县政府办负责）")
    assert rows(doc) == [("1", "政府各部门所属下属单位政务公开工作由各部门负责指导推进。", ["县政府办"], [])]


def test_keyed_lines_under_a_task_are_one_annotation():
    doc = parse("一、推进标准化建设", "1.在乡镇便民服务中心设立政务公开专区。", "责任单位：各乡镇人民政府",
                "配合单位：县政府办公室", "完成时限：2025年9月底前",
                "2.公开义务教育学校划片范围。", "牵头单位：县教体局；配合单位：各乡镇人民政府", "完成时限：8月底前")
    assert rows(doc) == [
        ("1", "在乡镇便民服务中心设立政务公开专区。", ["各乡镇人民政府"], ["县政府办公室"]),
        ("2", "公开义务教育学校划片范围。", ["县教体局"], ["各乡镇人民政府"]),
    ]
    assert [t.deadline.date for t in doc.tasks] == [date(2025, 9, 30), date(2025, 8, 31)]


def test_keys_at_the_end_of_the_sentence_and_keys_in_brackets():
    doc = parse("一、推进执行公开", "1.公开重点项目进展情况 责任单位：县发改局（牵头），县住建局；完成时限：每季度",
                "2.做好民生政策宣传【责任单位】县融媒体中心【完成时限】6月底前")
    assert rows(doc) == [
        ("1", "公开重点项目进展情况", ["县发改局"], ["县住建局"]),
        ("2", "做好民生政策宣传", ["县融媒体中心"], []),
    ]
    assert [t.deadline.kind for t in doc.tasks] == ["recurring", "date"]


# --- brackets in other places -----------------------------------------------------------------------


def test_a_bracket_inside_a_sentence_annotates_the_whole_sentence():
    doc = parse("一、做好解读", "1.做好重要政策解读（各起草部门负责），确保解读材料同步发布。")
    assert rows(doc) == [("1", "做好重要政策解读，确保解读材料同步发布。", ["各起草部门"], [])]


def test_a_bracket_opening_the_line_annotates_the_text_after_it():
    doc = parse("一、做好解读", "1.【县司法局】做好规章解读。")
    assert rows(doc) == [("1", "做好规章解读。", ["县司法局"], [])]


def test_a_bracket_of_unit_names_and_a_line_of_unit_names():
    doc = parse("一、重点领域", "1.公开环境质量信息（区生态环境分局；每月）。", "2.公开营商环境政策措施。", "县商务局、县市场监管局")
    assert rows(doc) == [
        ("1", "公开环境质量信息。", ["区生态环境分局"], []),
        ("2", "公开营商环境政策措施。", ["县商务局", "县市场监管局"], []),
    ]
    assert doc.tasks[0].deadline.kind == "recurring"
    assert all("未写明牵头或配合" in " ".join(doc.doubts[t.id]) for t in doc.tasks)


def test_asides_in_brackets_stay_in_the_text():
    text = "进一步加强“三馆一中心”（县档案馆、图书馆、政务服务中心）政府信息查阅室建设。（县文广局负责）"
    doc = parse("一、平台", "1." + text)
    assert rows(doc) == [("1", text[: text.rindex("（")], ["县文广局"], [])]


def test_a_bracket_broken_over_two_lines_is_read_whole():
    doc = parse("一、推进公开", "1.公开县政府年度重点工作任务分解和推进落实情况。（县政府办公", "室负责，8月底前完成）")
    assert rows(doc) == [("1", "公开县政府年度重点工作任务分解和推进落实情况。", ["县政府办公室"], [])]
    assert doc.tasks[0].deadline.date == date(2025, 8, 31)


# --- 分别, keys, roles ---------------------------------------------------------------------------------


def test_fenbie_makes_every_listed_unit_a_lead_and_is_never_a_name():
    doc = parse("一、民生", "1.做好招生入学和医疗服务信息公开。（县教体局、县卫健局分别负责）",
                "2.公开保障性住房分配信息。（县住建局牵头，各乡镇分别负责）",
                "3.回应重大舆情。〔县委网信办、县政府办分别牵头，各部门配合落实〕")
    assert [(t.lead_units, t.coop_units) for t in doc.tasks] == [
        (["县教体局", "县卫健局"], []), (["县住建局"], ["各乡镇"]), (["县委网信办", "县政府办"], ["各部门"])]
    assert not any("分别" in u.name for u in doc.units)


def test_every_office_key_and_separator():
    doc = parse(
        "一、各种写法",
        "1.公开预算。［牵头单位：县财政局；责任单位：县级各部门；完成时限：2025年6月底前］",
        "2.公开决算。[牵头单位:县财政局,责任单位:各预算单位]",
        "3.公开采购。【牵头单位：县财政局；配合单位：县审计局，各乡镇人民政府】",
        "4.公开审计。(牵头单位:县审计局;参与单位:各被审计单位;完成时限:10月底前)",
        "5.召开发布会。（主办：县委宣传部；协办：县政府办公室；时限：每季度）",
    )
    assert [(t.lead_units, t.coop_units) for t in doc.tasks] == [
        (["县财政局"], ["县级各部门"]),
        (["县财政局"], ["各预算单位"]),
        (["县财政局"], ["县审计局", "各乡镇人民政府"]),
        (["县审计局"], ["各被审计单位"]),
        (["县委宣传部"], ["县政府办公室"]),
    ]
    assert [t.deadline.kind for t in doc.tasks] == ["date", "none", "none", "date", "recurring"]


def test_what_an_annotation_says_besides_units_and_time_goes_to_the_notes():
    doc = parse("一、执行", "1.公开民生实事办理进度。牵头领导：王副县长；责任单位：县政府办公室；完成时限：2025年12月底前")
    task = doc.tasks[0]
    assert (task.content, task.lead_units, task.notes) == ("公开民生实事办理进度。", ["县政府办公室"], "牵头领导：王副县长")
    assert any("已记入备注" in d for d in doc.doubts[task.id])


# --- items, headings and sections -------------------------------------------------------------------


def test_an_item_that_is_itself_the_task_keeps_its_sentence():
    doc = parse("二、推进民生实事公开", "（一）全年城镇新增就业2000人以上。［牵头单位：县人社局；责任单位：各乡镇人民政府］",
                "（二）重要政策出台后3个工作日内发布解读材料。[牵头单位:县政府办公室,责任单位:各政策起草部门]")
    assert rows(doc) == [
        ("1", "全年城镇新增就业2000人以上。", ["县人社局"], ["各乡镇人民政府"]),
        ("1", "重要政策出台后3个工作日内发布解读材料。", ["县政府办公室"], ["各政策起草部门"]),
    ]
    assert [t.key_work for t in doc.tasks] == ["全年城镇新增就业2000人以上", "重要政策出台后3个工作日内发布解读材料"]
    deadlines = [(t.deadline.kind, t.deadline.date) for t in doc.tasks]
    assert deadlines == [("date", date(2025, 12, 31)), ("relative", None)]


def test_an_annotation_on_a_heading_over_items_is_inherited_by_items_naming_no_unit():
    doc = parse("一、推进决策公开", "（一）完善重大行政决策公开制度（县司法局牵头）", "1.制定重大行政决策事项目录。",
                "2.公开决策草案。（县政府办公室负责，长期坚持）")
    assert rows(doc) == [("1", "制定重大行政决策事项目录。", ["县司法局"], []),
                         ("2", "公开决策草案。", ["县政府办公室"], [])]
    assert any("上级标题" in d for d in doc.doubts[doc.tasks[0].id])


def test_sections_of_guidance_prose_are_not_tasks_in_an_annotated_plan():
    doc = parse("一、总体要求", "以习近平新时代中国特色社会主义思想为指导，全面推进政务公开。",
                "二、重点任务", "1.公开县本级预算。（县财政局负责）",
                "三、保障措施", "1.加强组织领导。", "2.强化督查考核。")
    assert rows(doc) == [("1", "公开县本级预算。", ["县财政局"], [])]
    skipped = [w.location for w in doc.warnings if "未作为任务导入" in w.message]
    assert skipped == ["第3行", "第7行", "第8行"]


def test_a_plan_annotating_nothing_keeps_every_item_as_a_task():
    doc = parse("一、公开重点", "1.公开预算。", "2.公开决算。", "二、保障措施", "（一）加强组织领导。各单位明确分管领导。")
    assert [t.content for t in doc.tasks] == ["公开预算。", "公开决算。", "各单位明确分管领导。"]


def test_a_plan_sorted_by_unit_takes_the_unit_from_the_heading():
    doc = parse("一、县财政局", "1.公开县本级预算决算。", "2.按月公开财政收支情况。", "二、县教育体育局", "1.公开招生政策，8月底前完成。")
    assert [t.lead_units for t in doc.tasks] == [["县财政局"], ["县财政局"], ["县教育体育局"]]
    assert all(any("取自标题" in d for d in doc.doubts[t.id]) for t in doc.tasks)


def test_bracketed_numbers_are_the_task_level_when_no_item_is_open():
    doc = parse("一、推进政策解读", "（一）同步解读", "（1）政策文件与解读材料同步发布。（各起草单位负责）",
                "（2）重要政策通过新闻发布会解读。（县委宣传部牵头，县政府办公室配合）",
                "（二）细化公开", "1.做好重点工作公开，包括：", "（1）重点任务分解；", "（2）重大项目进展。",
                "（县政府办公室负责）")
    assert rows(doc) == [
        ("1", "政策文件与解读材料同步发布。", ["各起草单位"], []),
        ("2", "重要政策通过新闻发布会解读。", ["县委宣传部"], ["县政府办公室"]),
        ("1", "做好重点工作公开，包括：\n（1）重点任务分解；\n（2）重大项目进展。", ["县政府办公室"], []),
    ]


def test_a_plan_of_annotated_paragraphs_without_any_number():
    doc = parse("为做好全年工作，制定本要点。", "全面公开预算、决算。（县财政局负责）", "公开政府采购信息。（县财政局牵头，各采购单位配合）")
    assert rows(doc) == [("1", "全面公开预算、决算。", ["县财政局"], []),
                         ("2", "公开政府采购信息。", ["县财政局"], ["各采购单位"])]


def test_a_deadline_bracket_after_the_annotation_belongs_to_it():
    doc = parse("一、公开", "1.公开预算。（县财政局负责）（2025年6月底前）", "2.公开决算。", "（县财政局负责）", "（2025年9月底前完成）")
    assert rows(doc) == [("1", "公开预算。", ["县财政局"], []), ("2", "公开决算。", ["县财政局"], [])]
    assert [t.deadline.date for t in doc.tasks] == [date(2025, 6, 30), date(2025, 9, 30)]
    assert doc.warnings == []


def test_the_points_under_an_annotated_item_are_its_content():
    doc = parse("一、公开", "1.做好重点工作公开（县政府办公室牵头，各部门配合）", "（1）政府工作报告重点任务落实情况；",
                "（2）重大项目进展情况。", "2.公开预算。（县财政局负责）", "各单位要高度重视。")
    assert rows(doc) == [
        ("1", "做好重点工作公开\n（1）政府工作报告重点任务落实情况；\n（2）重大项目进展情况。", ["县政府办公室"], ["各部门"]),
        ("2", "公开预算。", ["县财政局"], []),
    ]
    assert [w.location for w in doc.warnings if "未作为任务导入" in w.message] == ["第7行"]


# --- issue 11: units opening the sentence ----------------------------------------------------------


@pytest.mark.parametrize("sentence, lead, coop", [
    ("由县交通运输局牵头，各乡镇配合，公开农村公路养护资金使用情况。", ["县交通运输局"], ["各乡镇"]),
    ("由县审计局负责，公开年度审计整改结果。", ["县审计局"], []),
    ("县林业局会同县自然资源局公开林地征占用审批结果。", ["县林业局"], ["县自然资源局"]),
    ("县商务局要会同县市场监管局做好价格监测信息发布。", ["县商务局"], ["县市场监管局"]),
    ("县文旅局牵头、县融媒体中心配合，宣传推介旅游惠民政策。", ["县文旅局"], ["县融媒体中心"]),
])
def test_units_opening_a_sentence_lead_and_cooperate_and_the_sentence_stays_whole(sentence, lead, coop):
    from app.core.plan import parse_prose_plan

    doc = parse_prose_plan(["某县2024年政务公开工作要点", "一、重点领域公开", sentence], source_name="x.txt")
    task = doc.tasks[0]
    assert task.lead_units == lead and task.coop_units == coop
    assert task.content == sentence
    assert any("请核对" in d for d in doc.doubts[task.id])


def test_a_sentence_about_departments_is_not_read_as_units():
    from app.core.plan.opening import opening_annotation

    assert opening_annotation("各部门要加强组织领导，确保任务落实。") is None
    assert opening_annotation("加强统筹协调，形成工作合力。") is None


@pytest.mark.parametrize("line, content, lead", [
    ("每月（县住建局负责）公开保障性住房分配进展，接受群众监督。", "每月公开保障性住房分配进展，接受群众监督。", ["县住建局"]),
    ("全县义务教育学校收费标准（县教育局牵头）在开学前向社会公示。", "全县义务教育学校收费标准在开学前向社会公示。", ["县教育局"]),
])
def test_an_annotation_in_mid_sentence_gives_its_units_and_leaves_the_sentence(line, content, lead):
    from app.core.plan import parse_prose_plan

    doc = parse_prose_plan(["某县2024年政务公开工作要点", "一、重点领域公开", line], source_name="x.txt")
    task = doc.tasks[0]
    assert task.content == content and task.lead_units == lead


def test_an_aside_in_mid_sentence_without_a_role_stays_in_the_text():
    from app.core.plan import parse_prose_plan

    line = "公开《条例》（以下简称条例）规定的事项。（县司法局负责）"
    task = parse_prose_plan(["某县2024年政务公开工作要点", "一、重点领域公开", line], source_name="x.txt").tasks[0]
    assert task.content == "公开《条例》（以下简称条例）规定的事项。" and task.lead_units == ["县司法局"]


def test_a_run_in_title_opening_a_paragraph_is_the_key_work():
    from app.core.plan import parse_prose_plan

    lines = ["某县2024年政务公开工作要点", "一、深化重点领域公开",
             "做好就业信息公开。及时发布招聘会和公益性岗位信息，全年不少于3000条。（责任单位：县人社局）",
             "县财政局。按规定公开部门预算和决算情况。（责任单位：县财政局）"]
    first, second = parse_prose_plan(lines, source_name="x.txt").tasks
    assert first.key_work == "做好就业信息公开"
    assert first.content == "及时发布招聘会和公益性岗位信息，全年不少于3000条。"
    assert second.key_work == "深化重点领域公开"  # a unit opening the paragraph is no title


@pytest.mark.parametrize("sentence, lead", [
    ("由县气象局负责发布灾害性天气预警信息。", ["县气象局"]),
    ("县教育局、县卫健局按职责分工负责，公开学校卫生检查结果。", ["县教育局", "县卫健局"]),
])
def test_units_opening_a_sentence_without_a_comma_or_with_their_duty(sentence, lead):
    from app.core.plan import parse_prose_plan

    task = parse_prose_plan(["某县2024年政务公开工作要点", "一、重点领域公开", sentence], source_name="x.txt").tasks[0]
    assert task.lead_units == lead and task.content == sentence
