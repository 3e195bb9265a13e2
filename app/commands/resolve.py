"""`ledgerdesk resolve LEDGER CONFLICT_ID --take theirs|ours|edit [--status S --text T]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.errors import LedgerError
from app.ledger import Ledger

LABELS = {"theirs": "采用报回内容", "ours": "保留台账现有内容", "edit": "写入修改后的内容"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("resolve", help="处理一个合并冲突（resolve a conflict）",
                                   description="处理合并冲突：theirs 采用报回内容，ours 保留台账内容，edit 写入 --status/--text。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("conflict", type=int, help="冲突编号（见 ledgerdesk conflicts）")
    parser.add_argument("--take", required=True, choices=("theirs", "ours", "edit"), help="处理方式")
    parser.add_argument("--status", default=None, help="edit 时的状态")
    parser.add_argument("--text", default=None, help="edit 时的进展落实情况")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.take == "edit" and args.status is None and args.text is None:
        raise LedgerError("--take edit 需要 --status 或 --text（edit needs --status or --text）")
    with Ledger.open(args.ledger) as ledger:
        ledger.resolve_conflict(args.conflict, choice=args.take, status=args.status, text=args.text)
    print(f"冲突 {args.conflict} 已处理：{LABELS[args.take]}")
    return 0
