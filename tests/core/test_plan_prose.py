"""Prose plans 002/003/004 against their hand-checked golden files, field by field.

Decisions the golden files record (see app/core/plan.py):
* key_work of a numbered task is the title of the （一） heading above it; a （一） heading with
  no numbered children is itself one task, key_work = its title, seq "1" (its position under
  that heading, like the numbered siblings elsewhere).
* units are canonical across the plan: the first spelling seen wins and later spellings of
  the same unit ("县政府办公室" after "县人民政府办公室", "文广局" after "县文广局") resolve to it.
* deadlines come from the annotation, else from the task text ("2018年11月底前…", "年内…").
"""

from __future__ import annotations

import pytest

from app.core.plan import parse_prose_plan
from app.core.plan.front_matter import find_title, is_chrome_line
from app.core.records import LedgerDocument
from tests.conftest import SEED_FILES
from tests.golden_files import TASK_FIELDS, golden_view, load_golden

PROSE_SEEDS = ("002", "003", "004")
EXPECTED_COUNTS = {"002": 37, "003": 32, "004": 54}
_CACHE: dict[str, LedgerDocument] = {}


def parsed(key: str) -> LedgerDocument:
    if key not in _CACHE:
        path = SEED_FILES[key]
        _CACHE[key] = parse_prose_plan(path.read_text(encoding="utf-8").split("\n"), source_name=path.name)
    return _CACHE[key]


def _task_params():
    for key in PROSE_SEEDS:
        for index, task in enumerate(load_golden(key)["tasks"]):
            yield pytest.param(key, index, id=f"{key}-{index + 1:02d}-seq{task['seq']}")


@pytest.mark.parametrize("key", PROSE_SEEDS)
def test_plan_header_matches_golden(key):
    want, got = load_golden(key), golden_view(parsed(key))
    assert (got["title"], got["year"], got["rounds"]) == (want["title"], want["year"], want["rounds"])
    assert len(got["tasks"]) == len(want["tasks"]) == EXPECTED_COUNTS[key]


@pytest.mark.parametrize(("key", "index"), list(_task_params()))
def test_task_matches_golden(key, index):
    want = load_golden(key)["tasks"][index]
    got = golden_view(parsed(key))["tasks"][index]
    for name in TASK_FIELDS:
        assert got[name] == want[name], f"seed {key} task #{index + 1} (seq {want['seq']}) field {name}"


def test_titles_years_rounds():
    assert parsed("002").title == "中宁县2018年政务公开工作“整体提升年”活动方案"
    assert parsed("003").title == "银川市兴庆区2023年政务公开工作要点"
    assert parsed("004").title == "彭阳县2018年政务公开工作要点"
    assert [r.name for r in parsed("003").rounds] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert parsed("002").rounds == []  # the comment deadline of the cover letter is not a round


def test_traditional_text_is_stored_simplified_without_pinyin():
    doc = parsed("003")
    text = "".join(t.content for t in doc.tasks) + "".join(h.title for h in doc.headings)
    assert "鄉" not in text and "(xiāng)" not in text and "區" not in text
    assert doc.headings[0].label == "一、推进行政权力运行全流程公开"


def test_annotations_are_removed_from_content():
    for key in PROSE_SEEDS:
        for task in parsed(key).tasks:
            assert "负责落实" not in task.content[-12:], (key, task.seq)
            assert "完成时限" not in task.content, (key, task.seq)


def test_run_on_heading_is_heading_and_one_task():
    doc = parsed("002")
    task = next(t for t in doc.tasks if t.key_work == "加强行政执法信息公开")
    assert doc.path_of(task)[-1] == "(三)加强行政执法信息公开"
    assert task.content.startswith("修订完善并严格落实《中宁县行政执法公示办法》")


def test_headings_tree():
    doc = parsed("004")
    top = [h for h in doc.headings if h.parent_id is None]
    assert [h.number for h in top] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    assert sum(1 for h in doc.headings if h.parent_id == top[0].id) == 4


def test_warnings_name_preambles_closings_and_missing_fields():
    doc = parsed("004")
    text = [str(w) for w in doc.warnings]
    assert any(w.startswith("第6行：章节导语") for w in text)
    assert any(w.startswith("第137行：") and "未作为任务导入" in w for w in text)
    assert any(w.startswith("第139行：") for w in text)
    assert any(w.startswith("第96行：任务六、（二）1") and "未找到牵头/责任单位" in w for w in text)
    missing_deadline = [w for w in text if "未找到完成时限" in w]
    assert len(missing_deadline) == sum(1 for t in doc.tasks if t.deadline.kind == "none")
    # page chrome never shows up as a warning
    assert not any("扫一扫" in w or "相关链接" in w for w in (str(x) for x in parsed("002").warnings))


def test_units_directory_with_kinds_and_aliases():
    doc = parsed("004")
    by_name = {u.name: u for u in doc.units}
    assert by_name["各乡（镇）人民政府"].kind == "group"
    assert by_name["县财政局"].kind == "department"
    assert "县政府办公室" in by_name["县人民政府办公室"].aliases
    named = {n for t in doc.tasks for n in t.lead_units + t.coop_units}
    assert named == set(by_name)


def test_chrome_lines():
    assert is_chrome_line("首页 政府信息公开 新闻中心 网上办事 互动交流 走进中宁")
    assert is_chrome_line("扫一扫在手机打开当前页")
    assert is_chrome_line("联系人:曹文杰,电话:5025777,传真:5797067")
    assert is_chrome_line("发表日期: 2018年06月08日 作者: 中宁县政府办公室")
    assert not is_chrome_line("一、围绕建设法治政府,深入推进“五公开”")
    assert not is_chrome_line("各乡镇、政府各部门（单位）要切实增强“四个意识”")


def test_title_from_cover_letter_quote_and_draft_marks():
    assert find_title(["关于印发《某县2024年政务公开工作要点》的通知"]) == ("某县2024年政务公开工作要点", 0)
    assert find_title(["请认真研究《某县2024年政务公开工作要点》,提出意见。"]) == ("某县2024年政务公开工作要点", -1)
    assert find_title(["彭阳县2018年政务公开工作要点(征求意见稿)"])[0] == "彭阳县2018年政务公开工作要点"


def test_plan_without_title_or_tasks_warns():
    doc = parse_prose_plan(["随便写的一段话。", "另一段话。"], source_name="杂记.txt")
    assert doc.tasks == []
    assert doc.title == "杂记"
    assert any("未找到任何任务" in str(w) for w in doc.warnings)


def test_numbered_items_directly_under_sections():
    lines = [
        "某县2024年政务公开工作要点",
        "一、加强决策公开",
        "1.做好决策公开。（县政府办公室负责落实，2024年6月底前完成）",
        "2.做好解读。（县司法局牵头落实，各部门配合落实）",
        "二、加强保障",
        "（一）强化培训。每年培训一次。［县政府办公室负责落实］",
    ]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert [(t.seq, t.key_work) for t in doc.tasks] == [("1", "加强决策公开"), ("2", "加强决策公开"), ("1", "强化培训")]
    assert doc.tasks[0].deadline.date.isoformat() == "2024-06-30"
    assert doc.tasks[1].coop_units == ["各部门"]
    assert doc.year == 2024


def test_issuing_office_from_cover_letter():
    assert parsed("002").office == "中宁县人民政府办公室"
    assert parsed("003").office == "银川市兴庆区人民政府办公室"
    assert parsed("004").office == ""


def test_task_warnings_name_the_heading_path():
    text = [str(w) for w in parsed("004").warnings]
    assert "第10行：任务一、（一）1“凡政府全体会议和常务会议讨论决定…”未找到完成时限" in text


def test_prose_plan_rule_first_listed_unit_leads():
    lines = ["某县2024年政务公开工作要点", "（各项任务中排在第一位的为牵头单位）", "一、重点领域公开",
             "1.公开河湖长名单和巡河情况。（责任单位：县水利局、县生态环境局）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    task = doc.tasks[0]
    assert task.lead_units == ["县水利局"] and task.coop_units == ["县生态环境局"]
    assert task.id in doc.doubts


@pytest.mark.parametrize("bullet", ["——", "●", "▲", "◆", "·"])
def test_bullets_open_tasks_and_are_no_part_of_their_content(bullet):
    lines = ["某县2024年政务公开工作要点", "一、重点领域公开",
             f"{bullet}公开农村危房改造对象名单。（县住建局负责）",
             f"{bullet}公开义务教育划片结果。（县教育局负责，7月底前）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert [t.content for t in doc.tasks] == ["公开农村危房改造对象名单。", "公开义务教育划片结果。"]
    assert [t.seq for t in doc.tasks] == ["1", "2"]


def test_bullets_inside_one_paragraph_separate_its_tasks():
    lines = ["某县2024年政务公开工作要点", "一、重点领域公开",
             "▲公开农村低保对象名单。（县民政局负责）▲公开耕地保护补贴发放结果。（县农业农村局负责）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert [(t.content, t.lead_units) for t in doc.tasks] == [
        ("公开农村低保对象名单。", ["县民政局"]), ("公开耕地保护补贴发放结果。", ["县农业农村局"])]
