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
Each settlement is one logged batch, undoable like any edit.
"""

from __future__ import annotations

from dataclasses import replace

from app.core.changes import Changes, Conflict
from app.core.dispatch import ACCEPTED, REJECTED, REVIEW_DOUBT, REVIEW_HELD, REVIEW_STATUS, ReviewItem
from app.core.merge import Values, canonical_status, merge_values
from app.core.records import STATUSES, Progress
from app.errors import LedgerError
from app.ledger import Ledger

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


def reject(ledger: Ledger, item_id: int, *, reason: str = "") -> Changes:
    """Do not take the item: a held row is dropped; an odd status goes back to what was sent."""
    item = ledger.review(item_id)
    if item.kind == REVIEW_DOUBT:
        return ledger.settle_review(item_id, state=REJECTED, resolution="已忽略" + (f"：{reason}" if reason else ""),
                                    entries=[], conflicts=[])
    entries: list[Progress] = []
    if item.kind == REVIEW_STATUS and item.task_id is not None:
        ours = _current(ledger, item)
        sent = item.base.status if item.base is not None else ""
        if ours.status != sent:
            entries.append(_entry(item, Values(sent, ours.text, ours.done_date, ours.evidence)))
    return ledger.settle_review(item_id, state=REJECTED, resolution="不采用" + (f"：{reason}" if reason else ""),
                                entries=entries, conflicts=[])
