"""Three-way merge decisions over plain values."""

from __future__ import annotations

from app.core.merge import (
    APPLIED,
    CONFLICT,
    REJECTED,
    UNCHANGED,
    ReturnedRow,
    TaskScope,
    Values,
    count,
    merge_rows,
    merge_values,
)

TASKS = {
    "t1": TaskScope("1", "推动社会组织信息公开，按年度公开评估结果", True),
    "t2": TaskScope("2", "推动政府决策计划公开", True),
    "t9": TaskScope("9", "加强法治政府建设信息公开", False),
}
SENT = Values.make("未开始", "", "", "")


def row(n, task_id, theirs, base=SENT, **kw):
    return ReturnedRow(row=n, task_id=task_id, theirs=theirs, base=base, **kw)


def decide(rows, ours=None, previous=None, **kw):
    return merge_rows(rows, unit="县民政局", tasks=TASKS, ours=ours or {}, previous=previous, **kw)


def test_values_normalise_whitespace_and_dates():
    from datetime import date

    assert Values.make(" 进行中 ", "a\r\nb  ", date(2023, 9, 1)) == Values.make("进行中", "a\nb", "2023-09-01")


def test_unchanged_row_changes_nothing():
    [d] = decide([row(5, "t1", SENT)], ours={"t1": SENT})
    assert d.outcome == UNCHANGED


def test_row_changed_only_by_them_is_applied():
    theirs = Values.make("进行中", "已公开评估结果3条")
    [d] = decide([row(5, "t1", theirs)], ours={"t1": SENT})
    assert d.outcome == APPLIED and d.result == theirs


def test_fields_changed_on_different_sides_combine():
    theirs = Values.make("未开始", "已公开")
    ours = Values.make("进行中", "")
    [d] = decide([row(5, "t1", theirs)], ours={"t1": ours})
    assert d.outcome == APPLIED and d.result == Values.make("进行中", "已公开")


def test_both_changed_differently_is_a_conflict_not_an_overwrite():
    theirs = Values.make("已完成", "全部完成")
    ours = Values.make("进行中", "办公室补录")
    [d] = decide([row(7, "t1", theirs)], ours={"t1": ours})
    assert d.outcome == CONFLICT
    assert d.result is None
    assert d.conflict_fields == ["status", "text"]
    assert "第7行" in d.message and "冲突" in d.message


def test_both_changed_identically_is_unchanged():
    same = Values.make("已完成", "全部完成")
    [d] = decide([row(7, "t1", same)], ours={"t1": same})
    assert d.outcome == UNCHANGED


def test_unassigned_task_is_rejected_with_chinese_reason():
    [d] = decide([row(5, "t9", Values.make("已完成"))])
    assert d.outcome == REJECTED
    assert d.message.startswith("第5行：任务“加强法治政府建设信息公开”不属于县民政局，未导入")


def test_locked_column_change_is_rejected_naming_the_column():
    [d] = decide([row(6, "t2", Values.make("已完成"), locked_changed=["主要内容"])])
    assert d.outcome == REJECTED and "“主要内容”" in d.message


def test_unmatched_row_is_rejected():
    [d] = decide([row(8, None, Values.make("已完成"), seq="99", content="新加的一行")])
    assert d.outcome == REJECTED and "找不到" in d.message and "序号99" in d.message


def test_same_task_twice_in_one_file_rejects_the_second():
    ds = decide([row(5, "t1", Values.make("进行中")), row(6, "t1", Values.make("已完成"))], ours={"t1": SENT})
    assert [d.outcome for d in ds] == [APPLIED, REJECTED]
    assert "重复" in ds[1].message


def test_without_base_blank_field_keeps_ours_and_different_values_conflict():
    ours = Values.make("进行中", "办公室记录")
    result, conflicts = merge_values(None, Values.make("", "部门填写"), ours)
    assert conflicts == ["text"]
    result, conflicts = merge_values(None, Values.make("已完成", ""), Values.make("", "办公室记录"))
    assert conflicts == [] and result == Values.make("已完成", "办公室记录")


def test_newer_return_supersedes_what_the_older_applied():
    older = Values.make("进行中", "第一版")
    newer = Values.make("已完成", "第二版")
    [d] = decide([row(5, "t1", newer)], ours={"t1": older}, previous={"t1": older})
    assert d.outcome == APPLIED and d.supersedes and d.result == newer


def test_clerk_edit_after_older_return_still_conflicts():
    older = Values.make("进行中", "第一版")
    clerk = Values.make("进行中", "办公室改过")
    [d] = decide([row(5, "t1", Values.make("已完成", "第二版"))], ours={"t1": clerk}, previous={"t1": older})
    assert d.outcome == CONFLICT


def test_count_uses_report_keys():
    ds = decide(
        [row(5, "t1", Values.make("进行中")), row(6, "t2", SENT), row(7, "t9", Values.make("x"))],
        ours={"t1": SENT, "t2": SENT},
    )
    assert count(ds) == {"applied": 1, "unchanged": 1, "conflicts": 0, "rejected": 1}


def test_stale_file_never_overwrites_its_changes_become_conflicts():
    newer = Values.make("已完成", "新版")
    older = Values.make("进行中", "旧版")
    [d] = decide([row(5, "t1", older)], ours={"t1": newer}, previous={"t1": newer}, stale=True)
    assert d.outcome == CONFLICT and not d.supersedes and d.conflict_fields == ["status", "text"]
    assert "与较晚保存的报送不同" in d.message
    # a field the newer return left as sent is not taken from the older one either
    [d] = decide([row(6, "t2", Values.make("未开始", "", "", "旧的佐证.png"))], ours={"t2": SENT}, stale=True)
    assert d.outcome == CONFLICT and d.conflict_fields == ["evidence"]
    [d] = decide([row(7, "t1", newer)], ours={"t1": newer}, stale=True)
    assert d.outcome == UNCHANGED


def test_status_synonyms_and_unknown_statuses():
    from app.core.merge import canonical_status

    assert [canonical_status(s) for s in ("已完成", " 完成 ", "推进中", "已办结。", "", "完成了吧")] == [
        "已完成", "已完成", "进行中", "已完成", "", None]
    [d] = decide([row(5, "t1", Values.make("完成了吧", "x", "2023-09-01", "a.pdf"))], ours={"t1": SENT})
    # the row is kept (text, date, evidence), the status recorded as typed and flagged for the clerk
    assert d.outcome == APPLIED and d.result == Values.make("完成了吧", "x", "2023-09-01", "a.pdf")
    assert d.review.startswith("状态“完成了吧”不在可选范围（未开始/进行中/")
    assert d.message.startswith("第5行：状态“完成了吧”不在可选范围") and "待办公室核定" in d.message
    [d] = decide([row(5, "t1", Values.make("正在推进", "x"))], ours={"t1": SENT})
    assert d.outcome == APPLIED and d.result.status == "进行中" and d.message == "第5行：状态“正在推进”按“进行中”导入"
    odd = Values.make("基本完成", "导入时的写法")  # a status the ledger already had is left alone
    [d] = decide([row(5, "t1", odd, base=odd)], ours={"t1": odd})
    assert d.outcome == UNCHANGED


def test_unreadable_date_message_follows_the_outcome():
    [d] = decide([row(5, "t1", Values.make("进行中"), bad_date="下周")], ours={"t1": SENT})
    assert d.outcome == APPLIED and d.message == "第5行：完成日期“下周”无法识别，完成日期未导入，其余已采用"
    [d] = decide([row(6, "t2", SENT, bad_date="下周")], ours={"t2": SENT})
    assert d.outcome == UNCHANGED and d.message == "第6行：完成日期“下周”无法识别，完成日期未导入，其余无变化"
