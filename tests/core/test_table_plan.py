"""Task tables → LedgerDocument: the seeds 000 and 001 against their hand-checked goldens,
and the table damage the parser repairs, one behaviour per test.

Seed 001 (a table extracted from a PDF) is ambiguous in places; the golden file records
these readings, each a decision rather than a certainty:

* task 4: the first name sub-column of its row is empty. The task may belong under
  "推动政务公开转型升级" (a merged cell whose text only starts in the next row) or stand
  alone; the text cannot tell, so its key work is its own sub-name "优化信息公开专栏".
  It does not inherit "政府自身建设": task 3's name cell spans both sub-columns, and a
  merged cell cannot also continue into a single sub-column below it.
* tasks 5, 6, 10, 11, 12: rows with two name sub-columns keep both as "一级：二级"
  ("推动政务公开转型升级：增强政策助企效能"); the first level is shared by the rows of
  its merged cell, cut in two by the page ("推动政务" / "公开转型升级").
* tasks 3 and 9: a name cut by a page break is joined without a separator ("政府" +
  "自身建设", "强化重大" + "舆情处置能力"), and so are sentences cut mid-word in the
  content ("精准传递政" + "策意图").
* task 2: "主动公开 民生保障" is one name broken over two lines: the space is dropped.
* tails such as "等相关部门" are dropped from unit lists ("县商务局等相关部门" → 县商务局).
* task 4 has two deadlines ("2023年年底", "2023年8月底"): both stay in the text, the
  task's date is the later one.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.core.plan.table import parse_task_table, title_and_year
from app.formats.text_in import read_text
from tests.golden_files import TASK_FIELDS, golden_view, load_golden

HEADER = ["序号", "重点工作", "主要内容", "责任单位", "配合单位", "完成时限"]


@pytest.fixture(scope="module")
def parsed():
    from tests.conftest import SEED_FILES

    cache = {}
    for key in ("000", "001"):
        rows = [line.split("\t") for line in read_text(SEED_FILES[key]).split("\n")]
        cache[key] = golden_view(parse_task_table(rows, source_name=SEED_FILES[key].name))
    return cache


def _cases(key: str) -> list[tuple[str, str]]:
    return [(key, t["seq"]) for t in load_golden(key)["tasks"]]


@pytest.mark.parametrize("key", ["000", "001"])
def test_seed_title_year_rounds_and_count(parsed, key):
    want = load_golden(key)
    got = parsed[key]
    assert (got["title"], got["year"], got["rounds"]) == (want["title"], want["year"], want["rounds"])
    assert len(got["tasks"]) == {"000": 38, "001": 16}[key]
    assert [t["seq"] for t in got["tasks"]] == [str(i) for i in range(1, len(got["tasks"]) + 1)]


@pytest.mark.parametrize(("key", "seq"), _cases("000") + _cases("001"))
def test_seed_task_matches_golden(parsed, key, seq):
    want = next(t for t in load_golden(key)["tasks"] if t["seq"] == seq)
    got = next(t for t in parsed[key]["tasks"] if t["seq"] == seq)
    for name in TASK_FIELDS:
        assert got[name] == want[name], f"{key} task {seq}: {name}"


def test_000_rounds_come_from_task_38(parsed):
    assert parsed["000"]["rounds"] == [
        {"name": "第一次报送", "due": "2023-09-10"},
        {"name": "第二次报送", "due": "2023-12-01"},
    ]


def test_000_title_drops_fill_in_qualifier(parsed):
    assert parsed["000"]["title"] == "西吉县2023年政务公开工作要点任务落实台账"


def test_001_broken_rows_joined(parsed):
    tasks = {t["seq"]: t for t in parsed["001"]["tasks"]}
    assert tasks["6"]["key_work"] == "推动政务公开转型升级：加大解读回应力度"
    assert "精准传递政策意图。" in tasks["6"]["content"]
    assert tasks["3"]["lead_units"] == ["县级各部门", "各乡镇（街道）", "经开区"]
    assert tasks["4"]["content"].count("\n") == 4  # five <p> items, one per line
    assert tasks["4"]["deadline"] == {"text": "2023年年底；2023年8月底", "date": "2023-12-31", "kind": "date"}


# --- behaviours on small tables ----------------------------------------------------------


def _doc(rows, **kw):
    return parse_task_table(rows, source_name="t.xlsx", **kw)


def test_header_repeated_at_page_break_is_skipped_and_sections_become_headings():
    rows = [
        ["某县2024年政务公开工作要点任务台账"],
        HEADER,
        ["<b>一、深化公开</b>", "", "", "", "", ""],
        ["1", "做好公开", "公开预算。", "县财政局", "各乡镇", "2024年6月底"],
        HEADER,
        ["2", "", "公开决算。", "县财政局", "", "2024年12月底"],
        ["（一）细化公开", "", "", "", "", ""],
        ["3", "公开采购", "公开采购信息。", "县财政局", "", "长期坚持"],
    ]
    doc = _doc(rows)
    assert doc.title == "某县2024年政务公开工作要点任务台账" and doc.year == 2024
    assert [t.seq for t in doc.tasks] == ["1", "2", "3"]
    assert doc.tasks[1].key_work == "做好公开"  # empty cell continues the one above
    assert [h.label for h in doc.headings] == ["一、深化公开", "（一）细化公开"]
    assert doc.path_of(doc.tasks[2]) == ["一、深化公开", "（一）细化公开"]
    assert doc.tasks[0].deadline.date == date(2024, 6, 30)
    assert doc.tasks[2].deadline.kind == "long_term"
    assert doc.warnings == []


def test_missing_lead_and_deadline_and_unplaceable_rows_are_warnings():
    rows = [
        HEADER,
        ["说明：本表由县政府办汇总", "", "", "", "", ""],
        ["1", "做好公开", "公开预算。", "", "", ""],
        ["合计", "", "", "", "", ""],
    ]
    doc = _doc(rows)
    messages = [str(w) for w in doc.warnings]
    assert any("第2行" in m and "说明" in m for m in messages)
    assert any("序号1" in m and "责任单位" in m for m in messages)
    assert any("序号1" in m and "完成时限" in m for m in messages)
    assert any("第4行" in m and "合计" in m for m in messages)
    assert len(doc.tasks) == 1


def test_lead_and_coop_columns_split_with_shared_county_prefix():
    rows = [HEADER, ["1", "公开", "内容。", "县发改局、财政局", "各部门（单位）、各乡镇人民政府", "2024年12月底"]]
    task = _doc(rows).tasks[0]
    assert task.lead_units == ["县发改局", "县财政局"]
    assert task.coop_units == ["各部门（单位）", "各乡镇人民政府"]


def test_two_lead_columns_qianhou_leads_and_zeren_cooperates():
    rows = [["序号", "工作任务", "牵头单位", "责任单位", "完成时限"], ["1", "公开预算", "县财政局", "各部门", "2024年底"]]
    task = _doc(rows).tasks[0]
    assert task.lead_units == ["县财政局"] and task.coop_units == ["各部门"]


def test_wide_rows_read_correctly_when_spreadsheet_pads_every_row():
    header = ["序号", "任务名称", "具体内容", "责任单位", "完成时限", ""]
    rows = [
        header,
        ["1", "强化监督", "对照要点梳理台账。", "县级各部门", "2023年年底", ""],
        ["", "", "定期清理过时内容。", "", "", ""],
        ["2", "促进治理", "对标先进", "<p>总结经验。</p> <p>更新目录。</p>", "县政府办", "2023年年底"],
        ["", "", "", "巩固成果。", "", ""],
    ]
    doc = _doc(rows)
    assert [t.key_work for t in doc.tasks] == ["强化监督", "促进治理：对标先进"]
    assert doc.tasks[0].content == "对照要点梳理台账。\n定期清理过时内容。"
    assert doc.tasks[1].content == "总结经验。\n更新目录。\n巩固成果。"
    assert doc.tasks[1].lead_units == ["县政府办"]


def test_table_without_header_gives_no_tasks_and_a_warning():
    doc = _doc([["姓名", "年龄"], ["张三", "30"]])
    assert doc.tasks == [] and doc.warnings


def test_title_skips_attachment_and_form_lines():
    assert title_and_year(["附件", "", "2023年盐亭县政务公开重点任务分解表"]) == ("2023年盐亭县政务公开重点任务分解表", 2023)
    assert title_and_year(["# 某县2022年任务落实台账（填报版）", "填报单位:"]) == ("某县2022年任务落实台账", 2022)


def test_table_title_uses_the_prose_title_rule_with_a_loose_fallback():
    # the same rule as prose plans: qualifiers, "关于印发《…》的通知", the last dated plan line
    assert title_and_year(["关于印发《某县2024年政务公开工作要点》的通知（征求意见稿）"]) == ("某县2024年政务公开工作要点", 2024)
    assert title_and_year(["<b>某县2021年任务清单</b>", "某县2022年任务落实台账（修订稿）"]) == ("某县2022年任务落实台账", 2022)
    # no dated plan name above the table: a line naming a plan, else the first short line
    assert title_and_year(["附件2：", "政务公开重点任务责任清单", "填报单位："]) == ("政务公开重点任务责任清单", None)
    assert title_and_year(["附件", "县政府办公室汇总"]) == ("县政府办公室汇总", None)


def test_name_typed_over_two_lines_is_one_key_work_and_repeated_section_cells_are_one_heading():
    rows = [
        HEADER,
        ["一、深化公开", "一、深化公开", "一、深化公开", "", "", ""],
        ["1", "推动政务\n公开转型升级", "第一项。\n第二项。", "县财政局\n县审计局", "", "2024年6月底\n2024年12月底"],
    ]
    doc = _doc(rows)
    task = doc.tasks[0]
    assert [h.label for h in doc.headings] == ["一、深化公开"]
    assert task.key_work == "推动政务公开转型升级"
    assert task.content == "第一项。\n第二项。"
    assert task.lead_units == ["县财政局", "县审计局"]
    assert task.deadline.text == "2024年6月底；2024年12月底" and task.deadline.date == date(2024, 12, 31)


# --- shapes of other offices ------------------------------------------------------------------


def test_unnumbered_category_rows_continued_tables_sub_numbers_and_date_cells():
    rows = [
        ["序号", "重点工作", "主要内容", "责任单位", "完成时限"],
        ["重点领域信息公开", "", "", "", ""],
        ["1.1", "财政公开", "公开预决算。", "县财政局", "2025-06-30"],
        ["续表", "", "", "", ""],
        ["序号", "重点工作", "主要内容", "责任单位", "完成时限"],
        ["1.2", "审计公开", "公开审计报告。", "县审计局", "2025/9/30"],
        ["②", "统计公开", "发布统计公报。", "县统计局", "2025.3"],
    ]
    doc = _doc(rows)
    assert [h.label for h in doc.headings] == ["重点领域信息公开"]
    assert [(t.seq, doc.path_of(t)) for t in doc.tasks] == [
        ("1.1", ["重点领域信息公开"]), ("1.2", ["重点领域信息公开"]), ("2", ["重点领域信息公开"])]
    assert [t.deadline.date for t in doc.tasks] == [date(2025, 6, 30), date(2025, 9, 30), date(2025, 3, 31)]
    assert doc.tasks[0].deadline.text == "2025-06-30"  # as written
    assert doc.warnings == []


def test_a_total_row_is_no_section_but_a_warning_keeping_its_text():
    rows = [HEADER, ["1", "公开", "公开预算。", "县财政局", "", "2025年底"], ["合计：共计两项任务", "", "", "", "", ""],
            ["2", "公开", "公开决算。", "县财政局", "", "2025年底"]]
    doc = _doc(rows)
    assert doc.headings == [] and len(doc.tasks) == 2
    assert [(w.location, w.text) for w in doc.warnings if hasattr(w, "text")] == [("第3行", "合计：共计两项任务")]


def test_bracketed_role_after_a_unit_splits_lead_and_coop_without_lone_brackets():
    rows = [HEADER, ["1", "公开", "内容。", "县医保局（牵头）、县卫健局、各定点医院", "", "2024年12月底"]]
    doc = _doc(rows)
    task = doc.tasks[0]
    assert task.lead_units == ["县医保局"]
    assert task.coop_units == ["县卫健局", "各定点医院"]
    assert not any("不完整" in w.message for w in doc.warnings)


def test_a_unit_name_with_a_lone_bracket_is_a_warning():
    from app.core.units import garbled_unit_name
    assert garbled_unit_name("县文旅局（") and garbled_unit_name("）") and not garbled_unit_name("各乡镇（街道）")


@pytest.mark.parametrize("rule", ["注：责任单位列第一位的为牵头单位。", "（排名第一的为牵头单位，其余为配合单位）"])
def test_a_document_rule_makes_the_first_listed_unit_lead(rule):
    rows = [["序号", "工作任务", "责任单位", "完成时限"],
            ["1", "公开河湖长名单。", "县水利局、县生态环境局、各乡镇", "2024年5月底"],
            ["2", "公开学校收费标准。", "县教育局", "2024年8月底"]]
    doc = _doc(rows, title_lines=["某县2024年政务公开任务分工", rule])
    first, second = doc.tasks
    assert first.lead_units == ["县水利局"] and first.coop_units == ["县生态环境局", "各乡镇"]
    assert any("第一个单位作牵头单位" in d for d in doc.doubts[first.id])
    assert second.lead_units == ["县教育局"] and second.id not in doc.doubts


def test_without_the_rule_every_listed_unit_of_a_responsibility_cell_leads():
    rows = [["序号", "工作任务", "责任单位", "完成时限"], ["1", "公开河湖长名单。", "县水利局、县生态环境局", "2024年5月底"]]
    assert _doc(rows).tasks[0].lead_units == ["县水利局", "县生态环境局"]


def test_cells_of_unknown_columns_are_kept_in_notes_one_by_one():
    rows = [["序号", "工作任务", "责任单位", "完成时限", "分管领导", "联系人"],
            ["1", "公开农机补贴名单。", "县农业农村局", "2024年9月底", "李副县长", "张三"]]
    task = _doc(rows).tasks[0]
    assert task.notes == "分管领导：李副县长；联系人：张三"


def test_part_rows_in_a_table_are_above_its_section_rows():
    rows = [HEADER, ["第一部分　重点任务"], ["一、深化重点领域公开"],
            ["1", "公开", "公开城乡低保标准。", "县民政局", "", "2024年6月底"], ["第二部分　工作保障"],
            ["2", "培训", "组织政务公开业务培训。", "县政府办", "", "2024年10月底"]]
    doc = _doc(rows)
    assert [doc.path_of(t) for t in doc.tasks] == [["第一部分\u3000重点任务", "一、深化重点领域公开"], ["第二部分\u3000工作保障"]]
    assert min(h.level for h in doc.headings) == 1
