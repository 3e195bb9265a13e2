"""Task tables typed or pasted as text: tabs, pipes, and the broken copy with one cell per line."""

from __future__ import annotations

from app.core.plan.table import read_task_table
from app.core.plan.text_table import align_cells, text_table_rows


def _tasks(lines):
    rows = text_table_rows(lines)
    assert rows is not None
    return read_task_table(rows, source_name="t.txt")


def test_pipe_table_with_outer_pipes_rule_line_and_spanned_cell():
    lines = [
        "某县2025年政务公开任务分工",
        "",
        "| 序号 | 任务分工 | 细化分工 | 责任单位 | 完成时限 |",
        "|---|:---|---|---|---|",
        "| 1 | 完善目录 | 编制公开目录。 | 县政府各部门 | 2025年5月底前 |",
        "| 2 |  | 乡镇编制公开目录。 | 各乡镇人民政府 | 2025年6月底前 |",
    ]
    result = _tasks(lines)
    doc = result.doc
    assert [(t.seq, t.key_work, t.content) for t in doc.tasks] == [
        ("1", "完善目录", "编制公开目录。"), ("2", "完善目录", "乡镇编制公开目录。")]
    assert doc.title == "某县2025年政务公开任务分工" and doc.year == 2025
    assert any("沿用上方" in d for d in doc.doubts[doc.tasks[1].id])
    assert result.columns.header_rows == [3]


def test_pipe_table_without_outer_pipes():
    lines = ["序号 | 重点工作 | 主要内容 | 牵头单位 | 完成时限", "1 | 公开预算 | 公开部门预算。 | 县财政局 | 长期坚持"]
    task = _tasks(lines).doc.tasks[0]
    assert (task.key_work, task.lead_units, task.deadline.kind) == ("公开预算", ["县财政局"], "long_term")


def test_tab_table_with_quoted_multiline_cell_as_excel_copies_it():
    lines = ["序号\t重点工作\t主要内容\t责任单位\t完成时限",
             '1\t公开预算\t"公开部门预算。', '公开部门决算。"\t县财政局\t2025年6月底前',
             "2\t公开采购\t公开采购意向。\t县财政局\t2025年9月底前"]
    doc = _tasks(lines).doc
    assert [t.content for t in doc.tasks] == ["公开部门预算。\n公开部门决算。", "公开采购意向。"]


def test_one_cell_per_line_grouped_by_seq_with_sections_and_lines_below():
    lines = [
        "某县2024年政务公开重点工作任务表", "",
        "序号", "工作任务", "具体内容", "责任单位", "完成时限",
        "一、权力运行公开",
        "1", "公开权责清单", "动态调整并公开县级部门权责清单。", "县委编办", "2024年6月底前",
        "2", "公开财政资金", "公开直达资金分配、使用情况。", "县财政局", "每季度",
        "二、政务服务公开",
        "3", "公开好差评", "按月公开“好差评”情况。", "县行政审批服务局", "每月",
        "抄送：县委办公室。",
    ]
    result = _tasks(lines)
    doc = result.doc
    assert [(t.seq, t.key_work, t.lead_units) for t in doc.tasks] == [
        ("1", "公开权责清单", ["县委编办"]), ("2", "公开财政资金", ["县财政局"]), ("3", "公开好差评", ["县行政审批服务局"])]
    assert [doc.path_of(t) for t in doc.tasks] == [["一、权力运行公开"]] * 2 + [["二、政务服务公开"]]
    assert doc.doubts == {}  # every group had the header's width
    assert any("抄送" in w.message for w in doc.warnings)  # below the table: a warning, not lost


def test_one_cell_per_line_with_empty_cells_gone_is_aligned_by_content_and_doubted():
    lines = [
        "序号", "重点工作", "主要内容", "牵头单位", "配合单位", "完成时限",
        "1", "公开预算", "公开部门预算和决算。", "县财政局", "各部门（单位）", "2025年6月底前",
        "2", "公开审计", "公开审计工作报告。", "县审计局", "2025年10月底前",  # 配合单位 empty: gone
        "3", "公开采购结果。", "县财政局", "长期坚持",  # 重点工作 and 配合单位 empty
    ]
    doc = _tasks(lines).doc
    tasks = doc.tasks
    assert (tasks[1].lead_units, tasks[1].coop_units, tasks[1].deadline.date.isoformat()) == (
        ["县审计局"], [], "2025-10-31")
    assert (tasks[2].content, tasks[2].lead_units, tasks[2].deadline.kind) == ("公开采购结果。", ["县财政局"], "long_term")
    assert doc.doubts.get(tasks[0].id) is None
    for task in tasks[1:]:
        assert any("已按内容对齐" in d for d in doc.doubts[task.id])
    assert sum("已按内容对齐" in w.message for w in doc.warnings) == 2


def test_align_cells_joins_a_cell_broken_over_two_lines():
    roles = ["seq", "key_work", "content", "lead", "deadline"]
    cells = ["1", "公开预算", "公开部门预算，细化到项级科目，", "并同步公开解读材料。", "县财政局", "2025年6月底前"]
    assert align_cells(cells, roles) == ["1", "公开预算", "公开部门预算，细化到项级科目，\n并同步公开解读材料。",
                                         "县财政局", "2025年6月底前"]


def test_prose_lines_are_no_text_table():
    lines = ["某县2025年政务公开工作要点", "一、总体要求", "坚持以人民为中心。", "二、重点任务",
             "（一）加强政策解读。做好政策解读工作。（县政府办牵头，各部门配合）", "三、工作要求", "四、保障措施"]
    assert text_table_rows(lines) is None


def test_tab_copy_with_a_cell_broken_at_its_paragraphs_is_joined_again():
    lines = ["序号\t重点工作\t主要内容\t责任单位\t完成时限",
             "1\t公开预算\t公开部门预算。",
             "细化到项级科目。\t县财政局\t2025年6月底前",
             "2\t公开采购\t公开采购意向。\t县财政局\t2025年9月底前"]
    doc = _tasks(lines).doc
    first, second = doc.tasks
    assert (first.content, first.lead_units) == ("公开部门预算。\n细化到项级科目。", ["县财政局"])
    assert first.deadline.date.isoformat() == "2025-06-30" and second.seq == "2"
    assert any("已拼接" in d for d in doc.doubts[first.id]) and doc.warnings == []
