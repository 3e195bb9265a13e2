"""Nothing of a task table is lost without a word: every row has a fate, every guess is a doubt.

Fates: a task, a continuation of one, a heading, a header (also repeated at a page break),
the lines above the table, a warning naming the row, or blank.
"""

from __future__ import annotations

from collections import Counter

from app.core.plan.table import read_task_table
from app.core.plan.table_grid import TableRows

HEADER = ["序号", "重点工作", "主要内容", "牵头单位", "配合单位", "完成时限"]


def _read(rows):
    return read_task_table(rows, source_name="t.xlsx")


def test_every_row_of_a_messy_table_is_accounted_for():
    rows = [
        ["某县2025年政务公开任务落实台账"],                                             # 1 above
        ["填报单位：（盖章）"],                                                       # 2 above
        [],                                                                          # 3 blank
        ["序号", "重点工作", "主要内容", "责任单位", "", "完成时限", "备注"],                 # 4 header
        ["", "", "", "牵头单位", "配合单位", "", ""],                                    # 5 header, second row
        ["一、深化重点领域公开", "", "", "", "", "", ""],                                # 6 heading
        ["1", "公开预算", "公开部门预算。", "县财政局", "各部门", "2025年6月底前", ""],        # 7 task
        ["", "", "同步公开解读材料。", "", "", "", ""],                                   # 8 continuation
        ["序号", "重点工作", "主要内容", "责任单位", "", "完成时限", "备注"],                 # 9 header repeated
        ["", "", "", "牵头单位", "配合单位", "", ""],                                    # 10 its second row
        ["2", "", "公开决算。", "", "", "", "联系人：张三"],                                # 11 task (carried)
        ["（一）细化公开", "", "", "", "", "", ""],                                      # 12 heading
        ["合计", "", "", "", "", "", ""],                                              # 13 warning
        ["3", "公开采购", "公开采购意向。", "县财政局", "", "长期坚持", "", "多出的单元格"],      # 14 task, extra cell
        ["填表人：李四", "", "", "", "", "", ""],                                        # 15 warning
    ]
    result = _read(rows)
    doc = result.doc
    assert result.fates == ["front", "front", "blank", "header", "header", "heading", "task", "continuation",
                            "header", "header", "task", "heading", "warning", "task", "warning"]
    assert Counter(result.fates)["task"] == len(doc.tasks) == 3
    assert Counter(result.fates)["heading"] == len(doc.headings) == 2
    warned_rows = {w.location for w in doc.warnings}
    for number, fate in enumerate(result.fates, start=1):
        if fate == "warning":
            assert f"第{number}行" in warned_rows
    # the text of every cell below the header is in a task, a heading or a warning
    kept = " ".join([*(f"{t.seq} {t.key_work} {t.content} {t.notes} {' '.join(t.lead_units + t.coop_units)} "
                       f"{t.deadline.text}" for t in doc.tasks),
                     *(h.label for h in doc.headings), *(w.message for w in doc.warnings)])
    for number, row in enumerate(rows, start=1):
        if result.fates[number - 1] in ("task", "continuation", "heading", "warning"):
            for cell in row:
                if cell:
                    assert cell in kept, f"row {number}: {cell} lost"
    task2 = doc.tasks[1]
    assert task2.key_work == "公开预算" and task2.lead_units == ["县财政局"]
    assert task2.deadline.date.isoformat() == "2025-06-30"
    assert task2.coop_units == []  # an empty 配合单位 is not carried: offices leave it empty
    assert "联系人：张三" in task2.notes
    assert "多出的单元格" in doc.tasks[2].notes


def test_carried_and_guessed_cells_are_doubts_and_inferred_ones_also_warnings():
    rows = [HEADER,
            ["1", "公开预算", "公开部门预算。", "县财政局", "", "2025年6月底前"],
            ["2", "", "公开部门决算。", "", "", ""]]
    doc = _read(rows).doc
    first, second = doc.tasks
    assert first.id not in doc.doubts
    doubts = doc.doubts[second.id]
    assert any(d.startswith("工作任务单元格为空") for d in doubts)
    assert any(d.startswith("牵头（责任）单位为空，沿用上一项（第2行）") for d in doubts)
    assert any(d.startswith("完成时限为空，沿用上一项（第2行）") for d in doubts)
    warnings = [str(w) for w in doc.warnings]
    assert sum(w.startswith("第3行（序号2）") for w in warnings) == 2  # lead and deadline, not the task name
    assert (second.lead_units, second.deadline.date.isoformat()) == (["县财政局"], "2025-06-30")


def test_nothing_is_carried_across_a_section_row():
    rows = [HEADER, ["1", "公开预算", "公开部门预算。", "县财政局", "", "2025年6月底前"],
            ["二、加强平台建设", "", "", "", "", ""], ["2", "", "优化网站栏目。", "", "", ""]]
    doc = _read(rows).doc
    task = doc.tasks[1]
    assert (task.key_work, task.lead_units, task.deadline.kind) == ("", [], "none")
    assert any("未找到责任单位" in str(w) for w in doc.warnings)


def test_cells_a_reader_knows_are_merged_carry_down_every_field_as_doubts_only():
    rows = [HEADER,
            ["1", "公开预算", "公开部门预算。", "县财政局", "县审计局", "2025年6月底前"],
            ["2", "", "公开部门决算。", "", "", ""]]
    covered = {(2, 1): (1, 1), (2, 3): (1, 3), (2, 4): (1, 4), (2, 5): (1, 5)}
    doc = _read(TableRows(rows, covered=covered, spans_known=True)).doc
    task = doc.tasks[1]
    assert (task.key_work, task.lead_units, task.coop_units) == ("公开预算", ["县财政局"], ["县审计局"])
    doubts = doc.doubts[task.id]
    assert "工作任务沿用上方的合并单元格“公开预算”（merged cell carried down）" in doubts
    assert "配合单位沿用第2行的合并单元格（merged cell carried down）" in doubts
    assert doc.warnings == []


def test_a_lead_cell_with_roles_is_split_into_lead_and_coop():
    rows = [["序号", "任务名称", "工作要求", "责任部门", "时限要求"],
            ["1", "住房保障", "公开分配结果。", "县住建局牵头，县自然资源局配合", "长期"],
            ["2", "社会救助", "按月公开资金发放。", "县民政局主办、县残联协办", "每月"],
            ["3", "教育公开", "公开招生政策。", "牵头单位：县教体局；配合单位：各中小学校", "2024年6月底前"],
            ["4", "卫生公开", "公开医疗机构名录。", "县卫健局、县医保局分别负责", "2024年12月底前"]]
    tasks = _read(rows).doc.tasks
    assert [(t.lead_units, t.coop_units) for t in tasks] == [
        (["县住建局"], ["县自然资源局"]), (["县民政局"], ["县残联"]), (["县教体局"], ["各中小学校"]),
        (["县卫健局", "县医保局"], [])]


def test_units_in_notes_or_in_a_bracket_closing_the_content_when_no_unit_column_holds_them():
    rows = [["序号", "重点工作", "具体要求", "完成时限", "备注"],
            ["1", "预决算公开", "部门预算批复后20日内公开。", "批复后20日内", "县财政局牵头，各部门（单位）配合"],
            ["2", "国资公开", "公开国有企业主要财务指标。", "2025年12月底前", "县国资中心"],
            ["3", "审计公开", "公开审计工作报告。（县审计局负责）", "2025年10月底前", ""],
            ["4", "佐证材料", "报送公开工作佐证材料。", "2025年12月底前", "报送佐证材料"]]
    doc = _read(rows).doc
    tasks = doc.tasks
    assert [(t.lead_units, t.coop_units) for t in tasks] == [
        (["县财政局"], ["各部门（单位）"]), (["县国资中心"], []), (["县审计局"], []), ([], [])]
    assert tasks[2].content == "公开审计工作报告。"
    assert any("取自备注" in d for d in doc.doubts[tasks[0].id])
    assert any("括注" in d for d in doc.doubts[tasks[2].id])
    assert any("序号4" in str(w) and "未找到责任单位" in str(w) for w in doc.warnings)


def test_a_whole_task_in_a_row_without_seq_is_a_task_of_its_own_not_a_continuation():
    rows = [HEADER,
            ["1", "公开预算", "公开部门预算。", "县财政局", "", "2025年6月底前"],
            ["", "公开采购", "公开采购意向。", "县财政局", "", "2025年9月底前"],
            ["2", "公开审计", "公开审计报告。", "县审计局", "", "2025年10月底前"]]
    doc = _read(rows).doc
    assert [t.key_work for t in doc.tasks] == ["公开预算", "公开采购", "公开审计"]
    assert any("没有序号" in d for d in doc.doubts[doc.tasks[1].id])
    assert doc.tasks[0].content == "公开部门预算。"
