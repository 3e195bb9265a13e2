"""`ledgerdesk gui [LEDGER | PACKAGE.ldpkg] [--screenshot PNG]`: the window (Qt is imported only here, lazily).

A liaison package (.ldpkg) opens in liaison mode (only that unit's tasks, the fill-in columns editable).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gui", help="打开窗口（open the window）",
                                   description="打开台账通窗口；联络员数据包（.ldpkg）以填报模式打开；"
                                               "--screenshot 时在后台渲染窗口、保存 PNG 后退出。")
    parser.add_argument("ledger", nargs="?", type=Path, help="要打开的台账文件，或联络员数据包（.ldpkg）")
    parser.add_argument("--screenshot", type=Path, default=None, help="渲染窗口并保存为 PNG，然后退出")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    return run_gui(args.ledger, screenshot=args.screenshot)
