"""Front matter (issue 11): the plan's title as it names itself, its year, and the cover letter and closing
block around the body, which are neither tasks nor warnings."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.plan import parse_prose_plan
from app.core.plan.front_matter import closing_kind, closing_start, document_year, find_title, line_date

COVER = [
    "秀政办发〔2024〕5号",
    "秀川县人民政府办公室关于印发秀川县政务公开工作要点的通知",
    "各乡镇人民政府，县政府各部门，各直属机构：",
    "经县人民政府同意，现将《秀川县政务公开工作要点》印发给你们，请认真贯彻执行。",
    "秀川县人民政府办公室",
    "2024年2月28日",
    "（此件公开发布）",
    "秀川县政务公开工作要点",
    "为进一步做好全县政务公开工作，结合我县实际，制定本要点。",
]
BODY = [
    "一、围绕中心工作做好公开",
    "（一）公开重点工作推进情况。",
    "1.公开县政府年度重点工作任务分解和推进落实情况。（县政府办公室负责，8月底前完成）",
    "2.公开重大项目建设进展情况。（县发展改革局负责，每季度公开）",
]
CLOSING = [
    "附件：秀川县政务公开工作任务分工表",
    "抄送：县委办公室，县人大常委会办公室，县政协办公室。",
    "秀川县人民政府办公室　　　　　　　　2024年2月28日印发",
]


def test_a_cover_letter_plan_without_a_year_in_its_title():
    doc = parse_prose_plan(COVER + BODY + CLOSING, source_name="秀川.txt")
    assert (doc.title, doc.year, doc.office) == ("秀川县政务公开工作要点", 2024, "秀川县人民政府办公室")
    assert [t.content[:6] for t in doc.tasks] == ["公开县政府年", "公开重大项目"]
    assert doc.tasks[0].deadline.date == date(2024, 8, 31)  # "8月底前" takes the plan's year
    assert any("未写年份，按方案年度2024年计" in d for d in doc.doubts[doc.tasks[0].id])
    said = " ".join(str(w) for w in doc.warnings)
    for line in COVER + CLOSING:  # front matter: not a task, not a warning
        assert line[:8] not in said


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["【通知公告】安澜县2025年政务公开工作要点", "发布时间：2025-04-02　来源：安澜县人民政府办公室"], "安澜县2025年政务公开工作要点"),
        (["玉岩县人民政府办公室关于印发玉岩县2025年政务公开工作任务清单的通知", "各乡镇人民政府："],
         "玉岩县2025年政务公开工作任务清单"),
        (COVER, "秀川县政务公开工作要点"),
        # the plan's own title, not the attachment's after "附件"
        (["石桥县2025年政务公开工作要点", "一、总体要求", "附件：石桥县2025年政务公开重点任务分解表",
          "石桥县2025年政务公开重点任务分解表"], "石桥县2025年政务公开工作要点"),
        (["附件", "青岗县2025年政务公开工作要点任务分解表"], "青岗县2025年政务公开工作要点任务分解表"),
    ],
)
def test_the_title_as_the_plan_names_itself(lines, title):
    assert find_title(lines, loose=True)[0] == title


def test_the_year_of_an_undated_title_comes_from_the_document_date():
    assert document_year(COVER) == 2024
    assert document_year(["某县政务公开工作要点", "二〇二五年三月五日"]) == 2025
    assert line_date("2025年3月5日") == (2025, 3, 5) and line_date("请于2025年3月5日前报送") is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("2025年3月5日", "date"),
        ("秀川县人民政府办公室　　　　2024年2月28日印发", "printed"),
        ("附件：秀川县政务公开工作任务分工表", "attachment"),
        ("附件2", "attachment"),
        ("抄送：县委办公室，县人大常委会办公室。", "cc"),
        ("（此件公开发布）", "note"),
        ("清溪县自然资源局", "signature"),
        ("2.秀川县政务公开联络员名单", "attachment name"),
        ("各单位要高度重视，认真组织实施。", ""),
        ("县政府办公室牵头落实", ""),
    ],
)
def test_closing_lines(line, kind):
    assert closing_kind(line) == kind


def test_a_closing_block_needs_a_line_only_a_closing_has():
    lines = ["1.公开预算。", "县财政局", "2025年3月5日"]
    assert closing_start(lines, 0, 3) == 1
    assert closing_start(["1.公开预算。", "县财政局"], 0, 2) == 2  # a name alone may be the task's unit
    listed = ["1.公开预算。", "附件：1.某县任务分工表", "2.某县联络员名单"]
    assert closing_start(listed, 0, 3) == 1
    assert closing_start(["1.公开预算。", "2.某县联络员名单"], 0, 2) == 2  # no 附件 above: an item


def test_the_signature_and_date_after_the_last_task_are_front_matter_not_text():
    lines = ["清溪县自然资源局2025年政务公开工作要点", "一、规范依申请公开", "1.建立依申请公开转主动公开机制。",
             "办公室牵头，各股室配合落实", "清溪县自然资源局", "2025年3月5日"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert [(t.lead_units, t.coop_units) for t in doc.tasks] == [(["办公室"], ["各股室"])]
    assert not any("第5行" in w.location or "第6行" in w.location for w in doc.warnings)


def test_a_web_page_footer_ends_the_body_but_a_host_key_under_a_task_does_not():
    lines = ["某县2025年政务公开工作要点", "一、政策发布", "1.县政府新闻发布会每季度至少召开1次。", "主办：县委宣传部；协办：县政府办公室",
             "扫一扫在手机打开当前页", "主办单位：某县人民政府办公室 网站标识码：1234"]
    doc = parse_prose_plan(lines, source_name="x.html")
    assert [(t.lead_units, t.coop_units) for t in doc.tasks] == [(["县委宣传部"], ["县政府办公室"])]
    assert not doc.warnings or all("主办单位" not in str(w) for w in doc.warnings)


def test_an_annotated_paragraph_before_the_first_number_is_body():
    lines = ["某县2025年政务公开工作要点", "为做好全年工作，制定本要点。", "全面公开预算、决算。（县财政局负责）", "一、其他", "1.公开采购。（县财政局负责）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert [t.content for t in doc.tasks] == ["全面公开预算、决算。", "公开采购。"]
