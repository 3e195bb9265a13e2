"""`ledgerdesk dispatches LEDGER [--round R] [--json]`: who was sent what, who has returned it (and what
the merge did with the rows: applied, left as conflicts, rejected). `ledgerdesk notice` reminds the rest."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from app.dispatch_status import STATE_LABELS, dispatch_status
from app.errors import InputError
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dispatches", help="发送与交回情况（sent / returned / missing per unit）",
                                   description="按报送轮次列出每个单位发出了哪些表或数据包、何时发出、是否已交回。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--round", dest="round_name", default=None, help="只看这一轮")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Ledger.open(args.ledger, readonly=True) as ledger:
        names = [r.name for r in ledger.document().rounds]
        if args.round_name is not None and args.round_name not in names:
            raise InputError(args.ledger, f"报送轮次“{args.round_name}”不存在（unknown round）；已有：{'、'.join(names) or '无'}")
        rows = dispatch_status(ledger, args.round_name)
    if args.json:
        print(json.dumps({"units": [r.to_json() for r in rows]}, ensure_ascii=False, indent=2))
        return 0
    current = None
    for r in rows:
        if r.round != current:
            current = r.round
            counts = Counter(x.state for x in rows if x.round == current)
            print(f"【{current}】" + "，".join(f"{STATE_LABELS[k]} {v}" for k, v in counts.items()))
        sent = f"{r.sent_at:%Y-%m-%d %H:%M} 发出 {r.tasks_sent} 项" if r.sent_at else ""
        back = f"，{r.returned_at:%Y-%m-%d %H:%M} 交回" if r.returned_at else ""
        if r.files_returned:
            back += f"，已应用 {r.applied} 行、冲突 {r.conflicts} 行、退回 {r.rejected} 行"
        print(f"  {r.unit}：{STATE_LABELS[r.state]}" + (f"（{sent}{back}）" if sent else ""))
    if not rows:
        print("台账中还没有报送轮次。")
    return 0
