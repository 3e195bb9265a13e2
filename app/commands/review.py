"""`ledgerdesk review LEDGER [--json] [--all]`, `… --accept ID [--status S]`, `… --reject ID [--reason T]`,
`… --return ID --reason T`, `… --return-entry SEQ --unit U [--round R] --reason T`.

The returned rows a merge would not decide alone: a status outside the list (applied
as typed, the clerk settles it) and rows held from a file whose hidden data disagreed
with what the ledger sent (applied only when accepted); and the import's doubts (tasks
the plan importer was unsure of: accept = 已核对, reject = 已忽略). See app/review.py.

Review of returns: `--return-entry` sends one entry back to its unit (退回修改, with a reason;
the round defaults to the latest round holding an entry of that unit for the task); `--return ID`
rejects a held row or odd status and asks the unit to fix it, or declines an extension request
(延期申请); `--accept ID` on an extension request approves it (the unit's own deadline), on a
rework item takes the entry as it is now.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app import review as settle
from app.commands.task import find_task
from app.core.dispatch import (
    OPEN,
    REVIEW_DOUBT,
    REVIEW_EXTENSION,
    REVIEW_KIND_LABELS,
    REVIEW_REWORK,
    REVIEW_STATE_LABELS,
    ReviewItem,
)
from app.core.records import LedgerDocument
from app.core.units import resolve_units
from app.errors import InputError, LedgerError
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="待审核事项：报送行、导入存疑、退回修改与延期申请",
                                   description="列出并处理合并时留待办公室审核的报送行：状态不在可选范围的、"
                                               "来自隐藏数据与发送记录不符的文件的（未采用，待核实）；"
                                               "导入工作要点时存疑的任务（核对后采用=已核对，不采用=已忽略）；"
                                               "退回修改的进展和单位的延期申请（采用=批准延期）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--accept", type=int, metavar="编号",
                        help="采用此项（待核实的行按三方合并写入台账；延期申请=批准；退回修改=按现状采用）")
    action.add_argument("--reject", type=int, metavar="编号", help="不采用此项（状态项恢复为发出时的状态）")
    action.add_argument("--return", dest="return_id", type=int, metavar="编号",
                        help="退回此项：报送行不采用并请单位修改；延期申请不同意（须写 --reason）")
    action.add_argument("--return-entry", dest="return_entry", metavar="序号",
                        help="把某单位对此任务的进展退回修改（与 --unit、--reason 同用，可加 --round）")
    parser.add_argument("--unit", default=None, metavar="单位", help="与 --return-entry 同用：单位")
    parser.add_argument("--round", dest="round_name", default=None, metavar="轮次",
                        help="与 --return-entry 同用：轮次（默认：该单位有此任务进展的最近一轮）")
    parser.add_argument("--status", default=None, help="与 --accept 同用：把“状态不在可选范围”的项定为此状态")
    parser.add_argument("--reason", default="", help="与 --reject、--return、--return-entry 同用：理由")
    parser.add_argument("--all", action="store_true", help="也列出已处理的")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.return_entry is not None:
        return _return_entry(args)
    if args.accept is not None or args.reject is not None or args.return_id is not None:
        return _settle(args)
    with Ledger.open(args.ledger, readonly=True) as ledger:
        items = ledger.reviews(open_only=not args.all)
        seq = {t.id: (t.seq, t.content) for t in ledger.document().tasks}
    if args.json:
        print(json.dumps({"items": [i.to_json() for i in items]}, ensure_ascii=False, indent=2))
        return 0
    if not items:
        print("没有待审核的报送行。")
        return 0
    for i in items:
        s, content = seq.get(i.task_id or "", ("?", ""))
        state = "" if i.state == OPEN else f"（已处理：{i.resolution or REVIEW_STATE_LABELS.get(i.state, i.state)}）"
        where = f"导入自 {i.file}" if i.kind == REVIEW_DOUBT else f"{i.file}，{i.unit}，{i.round}"
        print(f"{i.id}　{REVIEW_KIND_LABELS.get(i.kind, i.kind)}：{where}，序号{s}“{content[:20]}”{state}")
        print(f"  {_message(i)}")
        if i.entry is not None and i.kind != REVIEW_EXTENSION:
            print(f"  报回内容：{i.entry.status or '—'}｜{i.entry.text or '—'}")
    print("处理：ledgerdesk review 台账 --accept 编号 [--status 状态]、--reject 编号 [--reason 理由] "
          "或 --return 编号 --reason 理由")
    if any(i.kind == REVIEW_DOUBT and i.state == OPEN for i in items):
        print("导入存疑：核对任务后 --accept 编号 记为“已核对”，--reject 编号 记为“已忽略”（不改动进展）")
    if any(i.kind == REVIEW_EXTENSION and i.state == OPEN for i in items):
        print("延期申请：--accept 编号 批准（该单位按新时限考核），--return 编号 --reason 理由 不同意")
    return 0


def _message(item: ReviewItem) -> str:
    if item.kind == REVIEW_EXTENSION:
        reason = f"，理由：{item.extension_reason}" if item.extension_reason else ""
        return f"申请延期至 {item.extension_to or '—'}{reason}" + (
            "" if item.extension_date or not item.message else f"（{item.message}）")
    if item.kind == REVIEW_REWORK:
        return f"退回修改：{item.message}"
    return item.message


def _latest_round(doc: LedgerDocument, task_id: str, unit: str) -> str:
    """The last round (in the ledger's order) holding an entry of the unit for the task."""
    held = {p.round for p in doc.progress if p.task_id == task_id and p.unit == unit}
    found = [r.name for r in doc.rounds if r.name in held]
    if not found:
        raise LedgerError(f"{unit}还没有报送过此任务的进展，请用 --round 指定轮次")
    return found[-1]


def _return_entry(args: argparse.Namespace) -> int:
    try:
        if not args.unit:
            raise LedgerError("--return-entry 须同时写 --unit 单位")
        with Ledger.open(args.ledger) as ledger:
            doc = ledger.document()
            task = find_task(doc, args.return_entry)
            [unit] = resolve_units(doc, [args.unit])
            round_name = args.round_name or _latest_round(doc, task.id, unit)
            if round_name not in [r.name for r in doc.rounds]:
                raise LedgerError(f"报送轮次“{round_name}”不存在（unknown round）；"
                                  f"现有：{'、'.join(r.name for r in doc.rounds) or '无'}")
            ledger.return_entry(task.id, unit, round_name, reason=args.reason)
            [item] = [i for i in ledger.reviews() if i.kind == REVIEW_REWORK and i.task_id == task.id
                      and i.unit == unit]
    except InputError:
        raise
    except LedgerError as exc:
        raise InputError(args.ledger, str(exc)) from exc
    print(f"已退回修改：序号{task.seq}“{task.content[:20]}”　{unit}　{round_name}（待审核事项 {item.id}），"
          "该单位下次的报送表中会显示退回意见。")
    return 0


def _settle(args: argparse.Namespace) -> int:
    item_id = next(i for i in (args.accept, args.reject, args.return_id) if i is not None)
    try:
        with Ledger.open(args.ledger) as ledger:
            kind = ledger.review(item_id).kind
            if args.accept is not None:
                changes = settle.accept(ledger, item_id, status=args.status)
            elif args.reject is not None:
                changes = settle.reject(ledger, item_id, reason=args.reason)
            else:
                changes = settle.return_item(ledger, item_id, reason=args.reason)
            item = ledger.review(item_id)
    except InputError:
        raise
    except LedgerError as exc:
        raise InputError(args.ledger, str(exc)) from exc
    if kind == REVIEW_DOUBT:
        print(f"待审核事项 {item_id}：{'已核对' if args.accept is not None else '已忽略'}。")
        return 0
    if kind in (REVIEW_EXTENSION, REVIEW_REWORK) or args.return_id is not None:
        print(f"待审核事项 {item_id}：{item.resolution}。")
        return 0
    verb = "已采用" if args.accept is not None else "未采用"
    extra = "，另有冲突待处理（ledgerdesk conflicts）" if changes.conflicts else ""
    print(f"待审核事项 {item_id}：{verb}，更新 {len(changes.progress)} 条进展{extra}。")
    return 0
