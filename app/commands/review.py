"""`ledgerdesk review LEDGER [--json] [--all]`, `… --accept ID [--status S]`, `… --reject ID [--reason T]`.

The returned rows a merge would not decide alone: a status outside the list (applied
as typed, the clerk settles it) and rows held from a file whose hidden data disagreed
with what the ledger sent (applied only when accepted); and the import's doubts (tasks
the plan importer was unsure of: accept = 已核对, reject = 已忽略). See app/review.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app import review as settle
from app.core.dispatch import REVIEW_DOUBT, REVIEW_KIND_LABELS
from app.errors import InputError, LedgerError
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="待审核事项：报送行与导入存疑（odd statuses, held rows, doubts）",
                                   description="列出并处理合并时留待办公室审核的报送行：状态不在可选范围的、"
                                               "来自隐藏数据与发送记录不符的文件的（未采用，待核实）；"
                                               "以及导入工作要点时存疑的任务（核对后采用=已核对，不采用=已忽略）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--accept", type=int, metavar="编号", help="采用此项（待核实的行按三方合并写入台账）")
    action.add_argument("--reject", type=int, metavar="编号", help="不采用此项（状态项恢复为发出时的状态）")
    parser.add_argument("--status", default=None, help="与 --accept 同用：把“状态不在可选范围”的项定为此状态")
    parser.add_argument("--reason", default="", help="与 --reject 同用：不采用的理由")
    parser.add_argument("--all", action="store_true", help="也列出已处理的")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.accept is not None or args.reject is not None:
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
        state = "" if i.state == "open" else f"（已处理：{i.resolution or i.state}）"
        where = f"导入自 {i.file}" if i.kind == REVIEW_DOUBT else f"{i.file}，{i.unit}，{i.round}"
        print(f"{i.id}　{REVIEW_KIND_LABELS.get(i.kind, i.kind)}：{where}，序号{s}“{content[:20]}”{state}")
        print(f"  {i.message}")
        if i.entry is not None:
            print(f"  报回内容：{i.entry.status or '—'}｜{i.entry.text or '—'}")
    print("处理：ledgerdesk review 台账 --accept 编号 [--status 状态] 或 --reject 编号 [--reason 理由]")
    if any(i.kind == REVIEW_DOUBT and i.state == "open" for i in items):
        print("导入存疑：核对任务后 --accept 编号 记为“已核对”，--reject 编号 记为“已忽略”（不改动进展）")
    return 0


def _settle(args: argparse.Namespace) -> int:
    item_id = args.accept if args.accept is not None else args.reject
    try:
        with Ledger.open(args.ledger) as ledger:
            doubt = ledger.review(item_id).kind == REVIEW_DOUBT
            if args.accept is not None:
                changes = settle.accept(ledger, item_id, status=args.status)
            else:
                changes = settle.reject(ledger, item_id, reason=args.reason)
    except InputError:
        raise
    except LedgerError as exc:
        raise InputError(args.ledger, str(exc)) from exc
    verb = "已采用" if args.accept is not None else "未采用"
    if doubt:
        print(f"待审核事项 {item_id}：{'已核对' if args.accept is not None else '已忽略'}。")
        return 0
    extra = "，另有冲突待处理（ledgerdesk conflicts）" if changes.conflicts else ""
    print(f"待审核事项 {item_id}：{verb}，更新 {len(changes.progress)} 条进展{extra}。")
    return 0
