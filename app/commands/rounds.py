"""`ledgerdesk rounds LEDGER [list|add|rename|due] …`: the reporting rounds (报送轮次).

list (the default) shows each round with its due date and how many progress entries it has;
add, rename and due change them, each as one undoable batch. A rename carries everything
that names the round along (progress entries, what was sent, review items).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from app.commands.sheets import iso_date
from app.commands.task import run_edit
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rounds", help="报送轮次：查看、添加、改名、设截止日期（reporting rounds）",
                                   description="列出报送轮次（截止日期、进展条数），或添加、改名、设置截止日期（均可撤销）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（list）")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.add_parser("list", help="列出报送轮次（默认）")
    add = actions.add_parser("add", help="添加报送轮次", description="在最后添加一个报送轮次。")
    add.add_argument("name", help="轮次名称，如 第三次报送")
    add.add_argument("--due", type=iso_date, default=None, help="截止日期 YYYY-MM-DD")
    rename = actions.add_parser("rename", help="报送轮次改名", description="改名；进展、发送记录等随之改名。")
    rename.add_argument("old", help="原名称")
    rename.add_argument("new", help="新名称")
    due = actions.add_parser("due", help="设置截止日期", description="设置或清除报送轮次的截止日期。")
    due.add_argument("name", help="轮次名称")
    when = due.add_mutually_exclusive_group(required=True)
    when.add_argument("date", nargs="?", type=iso_date, default=None, help="截止日期 YYYY-MM-DD")
    when.add_argument("--clear", action="store_true", help="清除截止日期")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action in (None, "list"):
        with Ledger.open(args.ledger, readonly=True) as ledger:
            rounds = ledger.rounds()
            counts = Counter(m[2] for m in ledger.progress_marks())
        rows = [{"name": r.name, "due": r.due.isoformat() if r.due else None, "entries": counts.get(r.name, 0)}
                for r in rounds]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        elif not rows:
            print("台账中还没有报送轮次；用 ledgerdesk rounds 台账 add 名称 添加。")
        for row in rows if not args.json else []:
            print(f"{row['name']}　截止：{row['due'] or '未定'}　进展 {row['entries']} 条")
        return 0
    if args.action == "add":
        run_edit(args.ledger, lambda ledger, _doc: ledger.add_round(args.name.strip(), due=args.due))
        print(f"已添加报送轮次：{args.name.strip()}" + (f"（截止 {args.due.isoformat()}）" if args.due else ""))
    elif args.action == "rename":
        run_edit(args.ledger, lambda ledger, _doc: ledger.rename_round(args.old, args.new.strip()))
        print(f"已改名：{args.old} → {args.new.strip()}")
    else:
        due = None if args.clear else args.date
        run_edit(args.ledger, lambda ledger, _doc: ledger.set_round_due(args.name, due))
        print(f"报送轮次“{args.name}”截止日期：{due.isoformat() if due else '已清除'}")
    return 0
