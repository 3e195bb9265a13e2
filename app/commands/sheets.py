"""`ledgerdesk sheets LEDGER -o DIR [--round R] [--format xlsx|docx] [--unit U]`: return sheets per unit."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.ledger import Ledger
from app.returns import make_sheets


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sheets", help="生成各单位填报表（one return sheet per unit）",
                                   description="为每个责任单位生成一份只含本单位任务的填报表（锁定列、状态下拉、隐藏校验数据）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件夹")
    parser.add_argument("--round", dest="round_name", default=None,
                        help="报送轮次（默认：截止日期在今天或以后的最近一轮，否则最后一轮）")
    parser.add_argument("--format", dest="fmt", choices=("xlsx", "docx"), default="xlsx", help="文件格式")
    parser.add_argument("--unit", action="append", default=None, help="只生成这个单位的表（可重复）")
    parser.add_argument("--with-group-tasks", action="store_true",
                        help="部门/乡镇的表中也列出“各部门（单位）”“各乡镇人民政府”等集体任务")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Ledger.open(args.ledger, readonly=True) as ledger:
        paths = make_sheets(ledger, args.output, round_name=args.round_name, fmt=args.fmt, units=args.unit,
                            include_groups=args.with_group_tasks)
    for path in paths:
        print(path)
    print(f"共生成 {len(paths)} 份填报表。")
    return 0
