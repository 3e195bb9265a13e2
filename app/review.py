"""Settle review items: the returned rows a merge would not decide alone (no Qt).

- held rows (their file's hidden data disagreed with its dispatch, name or title):
  accepting merges the row now, three-way against what was sent, under the unit the
  file was sent to; a field the ledger changed meanwhile becomes a conflict, as in any
  merge. Rejecting drops it (the report and the item keep what it was).
- a status outside the list (the row was applied with the status as typed): accepting
  keeps it, or sets the status the clerk chooses (`status`); rejecting puts back the
  status that was sent.
- an import doubt (the importer was unsure of a task): accepting marks it 已核对 (the task as
  imported is right, or the clerk has corrected it); rejecting dismisses it. Neither touches
  progress.
- a 退回修改 item (REVIEW_REWORK, made by `return_entry` or by `return_item` on a held row or an odd
  status): open until the unit's next return of that task changes it (the merge closes it as
  "fixed", app/returns.py). Accepting = the clerk takes the entry as it is now (closes it);
  rejecting = the office withdraws the return (closed, the note no longer shows).
- an extension request (REVIEW_EXTENSION, from a returned row's 申请延期至 / 延期理由): accepting
  approves it: the unit gets its own deadline for the task (unit_deadline, logged as its own entity,
  undoable; the task's planned deadline stays and exports show "原定…，经批准延期至…"). A request
  whose date could not be read cannot be approved (return it, or the unit asks again). Rejecting or
  returning declines it: the unit's next sheet shows "延期申请未同意：<reason>".
`return_item` (CLI `review --return ID --reason T`): a held row or an odd status is rejected as above
AND a rework item asks the unit to fix it (its next sheet shows "退回修改：<reason>"); an extension
request is declined with the reason.
Each settlement is one logged batch, undoable like any edit.
"""

from __future__ import annotations

from dataclasses import replace

from app.core.changes import Changes, Conflict
from app.core.dispatch import (
    ACCEPTED,
    OPEN,
    REJECTED,
    REVIEW_DOUBT,
    REVIEW_EXTENSION,
    REVIEW_HELD,
    REVIEW_REWORK,
    REVIEW_STATUS,
    ReviewItem,
)
from app.core.merge import Values, canonical_status, merge_values
from app.core.records import STATUSES, Deadline, Progress, UnitDeadline
from app.errors import LedgerError
from app.ledger import APPROVED_PREFIX, DECLINED_PREFIX, Ledger

DOUBT_CONFIRMED = "已核对"


def _current(ledger: Ledger, item: ReviewItem) -> Values:
    assert item.task_id is not None
    return Values.of(ledger.progress_entry(item.task_id, item.unit, item.round))


def _entry(item: ReviewItem, values: Values) -> Progress:
    assert item.task_id is not None
    return values.to_progress(task_id=item.task_id, unit=item.unit, round_name=item.round, source=item.file)


def accept(ledger: Ledger, item_id: int, *, status: str | None = None) -> Changes:
    """Take the item's row (held) or its status (status item; `status` sets another one)."""
    item = ledger.review(item_id)
    if item.kind in (REVIEW_REWORK, REVIEW_EXTENSION) and status is not None:
        raise LedgerError(f"待审核事项 {item_id} 是{_label(item)}，不能设置状态（--status is for status items）")
    if item.kind == REVIEW_REWORK:
        return ledger.settle_review(item_id, state=ACCEPTED, resolution="按现状采用", entries=[], conflicts=[])
    if item.kind == REVIEW_EXTENSION:
        return _approve(ledger, item)
    if item.kind == REVIEW_DOUBT:
        if status is not None:
            raise LedgerError(f"待审核事项 {item_id} 是导入存疑，不能设置状态（--status is for status items）")
        return ledger.settle_review(item_id, state=ACCEPTED, resolution=DOUBT_CONFIRMED, entries=[], conflicts=[])
    if item.entry is None or item.task_id is None:
        raise LedgerError(f"待审核事项 {item_id} 没有可采用的内容（nothing to accept）")
    ours = _current(ledger, item)
    entries: list[Progress] = []
    conflicts: list[Conflict] = []
    follow_up: list[ReviewItem] = []
    if item.kind == REVIEW_HELD:
        taken = item.entry
        if status is not None:
            taken = replace(taken, status=_checked_status(status))
        result, clashing = merge_values(item.base, taken, ours)
        if clashing:
            conflicts.append(Conflict(id=0, batch_id="", task_id=item.task_id, unit=item.unit, round=item.round,
                                      base=_entry(item, item.base) if item.base else None,
                                      ours=_entry(item, ours) if not ours.empty else None,
                                      theirs=_entry(item, taken)))
        elif result != ours:
            entries.append(_entry(item, result))
            if result.status and canonical_status(result.status) is None:  # as a trusted file's row would be
                follow_up.append(replace(item, id=0, kind=REVIEW_STATUS, entry=result, message=(
                    f"状态“{result.status}”不在可选范围（{'/'.join(STATUSES)}），已按所填记录，待办公室核定")))
        resolution = "采用" + ("（有冲突，待处理）" if clashing else "")
    elif item.kind == REVIEW_STATUS:
        chosen = _checked_status(status) if status is not None else ours.status
        if chosen != ours.status:
            entries.append(_entry(item, Values(chosen or "", ours.text, ours.done_date, ours.evidence)))
        resolution = f"状态定为“{chosen}”"
    else:
        raise LedgerError(f"待审核事项 {item_id} 的类型“{item.kind}”无法处理")
    return ledger.settle_review(item_id, state=ACCEPTED, resolution=resolution, entries=entries, conflicts=conflicts,
                                reviews=follow_up)


def _checked_status(status: str) -> str:
    chosen = canonical_status(status)
    if chosen not in STATUSES:
        raise LedgerError(f"状态“{status}”不在可选范围（{'/'.join(STATUSES)}）")
    return chosen


def _label(item: ReviewItem) -> str:
    return {REVIEW_REWORK: "退回修改", REVIEW_EXTENSION: "延期申请", REVIEW_DOUBT: "导入存疑"}.get(item.kind, "报送行")


def date_text(day) -> str:
    """A date as the ledger writes deadlines: 2024年3月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _approve(ledger: Ledger, item: ReviewItem) -> Changes:
    """The unit's own deadline for the task: the requested date; the task's deadline stays as planned."""
    if item.task_id is None:
        raise LedgerError(f"待审核事项 {item.id} 没有对应的任务，不能批准延期")
    if item.extension_date is None:
        raise LedgerError(f"待审核事项 {item.id} 的申请延期至“{item.extension_to}”不是可识别的日期，不能批准"
                          "（请用 --return 编号 --reason 理由 退回，请单位写成 2024-03-31 后重报）")
    tasks = ledger.tasks([item.task_id])
    if not tasks:
        raise LedgerError(f"待审核事项 {item.id} 的任务已删除，不能批准延期")
    granted = UnitDeadline(task_id=item.task_id, unit=item.unit,
                           deadline=Deadline(date_text(item.extension_date), item.extension_date, "date"),
                           original=tasks[0].deadline, reason=item.extension_reason, review_id=item.id)
    return ledger.settle_review(item.id, state=ACCEPTED, resolution=APPROVED_PREFIX + granted.deadline.text,
                                entries=[], conflicts=[], deadlines=[granted])


def _rejected(ledger: Ledger, item: ReviewItem) -> list[Progress]:
    """What rejecting writes: an odd status goes back to the one sent (a held row was never applied)."""
    entries: list[Progress] = []
    if item.kind == REVIEW_STATUS and item.task_id is not None:
        ours = _current(ledger, item)
        sent = item.base.status if item.base is not None else ""
        if ours.status != sent:
            entries.append(_entry(item, Values(sent, ours.text, ours.done_date, ours.evidence)))
    return entries


def reject(ledger: Ledger, item_id: int, *, reason: str = "") -> Changes:
    """Do not take the item: a held row is dropped; an odd status goes back to what was sent; an
    extension request is declined; a rework item is withdrawn."""
    item = ledger.review(item_id)
    if item.kind == REVIEW_DOUBT:
        return ledger.settle_review(item_id, state=REJECTED, resolution="已忽略" + (f"：{reason}" if reason else ""),
                                    entries=[], conflicts=[])
    if item.kind == REVIEW_EXTENSION:
        return ledger.settle_review(item_id, state=REJECTED, resolution=DECLINED_PREFIX + (reason or "（未写理由）"),
                                    entries=[], conflicts=[])
    if item.kind == REVIEW_REWORK:
        return ledger.settle_review(item_id, state=REJECTED, resolution="撤回退回" + (f"：{reason}" if reason else ""),
                                    entries=[], conflicts=[])
    return ledger.settle_review(item_id, state=REJECTED, resolution="不采用" + (f"：{reason}" if reason else ""),
                                entries=_rejected(ledger, item), conflicts=[])


def return_item(ledger: Ledger, item_id: int, *, reason: str) -> Changes:
    """退回 an item: a held row or odd status is rejected and the unit asked to fix it (a rework item
    in the same batch); an extension request is declined with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("退回须写明理由（--reason）")
    item = ledger.review(item_id)
    if item.state != OPEN:
        raise LedgerError(f"待审核事项 {item_id} 已处理（already settled）")
    if item.kind == REVIEW_EXTENSION:
        return ledger.settle_review(item_id, state=REJECTED, resolution=DECLINED_PREFIX + reason, entries=[],
                                    conflicts=[])
    if item.kind not in (REVIEW_HELD, REVIEW_STATUS) or item.task_id is None:
        raise LedgerError(f"待审核事项 {item_id} 是{_label(item)}，不能退回（只能退回报送行和延期申请）")
    # what the unit returned: sending the same again leaves the rework open (see app/returns.py)
    rework = replace(item, id=0, kind=REVIEW_REWORK, message=reason, entry=item.entry or _current(ledger, item),
                     base=None, row=None)
    return ledger.settle_review(item_id, state=REJECTED, resolution=f"退回修改：{reason}",
                                entries=_rejected(ledger, item), conflicts=[], reviews=[rework])
