"""`ledgerdesk undo-merge LEDGER BATCH`: undo a merge as a whole."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.ledger import Ledger
from app.returns import undo_merge


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("undo-merge", help="撤销一次合并（undo a merge batch）",
                                   description="撤销一次合并：恢复该批次改动前的进展；多文件合并给出的合并编号会撤销其中每个文件。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("batch", help="merge 报告中的批次编号（batch）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Ledger.open(args.ledger) as ledger:
        undone = undo_merge(ledger, args.batch)
    print(f"已撤销 {len(undone)} 个批次：{'、'.join(undone)}")
    return 0
