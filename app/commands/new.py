"""`ledgerdesk new LEDGER --title T [--year Y]`: create an empty ledger file."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("new", help="新建空台账（create an empty ledger file）",
                                   description="新建一个空台账文件（.ledger）。")
    parser.add_argument("ledger", type=Path, help="台账文件路径，如 2023台账.ledger")
    parser.add_argument("--title", required=True, help="台账标题，如“西吉县2023年政务公开工作要点任务落实台账”")
    parser.add_argument("--year", type=int, default=None, help="年度，如 2023")
    parser.add_argument("--office", default="", help="牵头办公室（可选）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Ledger.create(args.ledger, title=args.title, year=args.year, office=args.office) as ledger:
        print(f"已新建台账：{ledger.path.resolve()}")
    return 0
