"""Per-task doubts of prose plans (LedgerDocument.doubts) and warnings that name their line: what a
clerk should look at after import, and why."""

from __future__ import annotations

from app.core.plan import parse_prose_plan
from app.core.plan.warnings import SkippedText

PLAN = [
    "某县2025年政务公开工作要点",  # 1
    "一、推进决策公开",  # 2
    "全县各单位要统一思想。",  # 3: preamble before the first item
    "1.制定重大行政决策事项目录。县司法局负责",  # 4: units from an unbracketed clause
    "2.公开决策草案，8月底前完成。（县政府办公室负责）",  # 5: deadline from the text, no year
    "3.公开决策结果。（县政府办公室牵头，张三同志负责，2025年6月底前）",  # 6: a name that is no unit
    "4.公开会议开放情况。（县档案馆）",  # 7: units without a role word
    "5.做好会议解读。",  # 8: no unit, no deadline
    "6.公开会议纪要。（县政府办公室负责，长期坚持）",  # 9
    "各单位要高度重视。",  # 10: closing paragraph after the last task's annotation
]


def _doc():
    return parse_prose_plan(PLAN, source_name="要点.txt")


def _doubts(doc, n: int) -> str:
    return " | ".join(doc.doubts.get(doc.tasks[n].id, []))


def test_units_from_an_unbracketed_sentence_end_are_a_doubt_naming_the_line():
    doc = _doc()
    assert doc.tasks[0].lead_units == ["县司法局"]
    assert "第4行：责任单位取自未加括号的文字“县司法局负责”，请核对" in _doubts(doc, 0)


def test_a_deadline_guessed_from_the_text_and_its_year_are_doubts():
    doc = _doc()
    doubts = _doubts(doc, 1)
    assert "完成时限取自任务正文中的“8月底前”，请核对" in doubts
    assert "完成时限“8月底前”未写年份，按方案年度2025年计" in doubts
    assert "取自任务正文" not in _doubts(doc, 2)  # the annotation said it, with its year


def test_a_name_that_does_not_read_as_a_unit_is_a_doubt():
    doc = _doc()
    assert doc.tasks[2].coop_units == ["张三同志"]
    assert "“张三同志”不像单位名称，请核对" in _doubts(doc, 2)
    assert "不像单位名称" not in _doubts(doc, 1)


def test_units_named_without_a_role_are_a_doubt():
    doc = _doc()
    assert doc.tasks[3].lead_units == ["县档案馆"]
    assert "第7行只列了单位“县档案馆”，未写明牵头或配合，已按牵头单位导入" in _doubts(doc, 3)


def test_a_task_without_units_is_a_doubt_and_a_warning_on_its_line():
    doc = _doc()
    assert "未找到牵头/责任单位" in _doubts(doc, 4)
    said = [str(w) for w in doc.warnings]
    assert "第8行：任务一、5“做好会议解读。”未找到牵头/责任单位" in said
    assert "第8行：任务一、5“做好会议解读。”未找到完成时限" in said


def test_text_not_imported_is_warned_on_its_line_and_kept_whole():
    doc = _doc()
    skipped = {w.location: w for w in doc.warnings if isinstance(w, SkippedText)}
    assert set(skipped) == {"第3行", "第10行"}
    assert skipped["第3行"].message == "章节导语，未作为任务导入：“全县各单位要统一思想。”"
    assert skipped["第10行"].text == "各单位要高度重视。"
    assert [w.location for w in doc.warnings] == sorted((w.location for w in doc.warnings),
                                                       key=lambda loc: int(loc[1:-1]))


def test_a_confident_task_has_no_doubt():
    doc = parse_prose_plan(["某县2025年政务公开工作要点", "一、推进公开", "1.公开预算。（县财政局负责，2025年6月底前完成）"],
                           source_name="x.txt")
    assert doc.doubts == {}
