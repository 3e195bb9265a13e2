"""`ledgerdesk selftest [--seed DOC] [--keep DIR]`: check that this copy of the program works here.

Runs app/selftest.py's steps (demo ledger read-only, import, xlsx and docx export, a return sheet and a
liaison file written, filled and merged, both windows rendered offscreen) and prints one line per step,
"[通过] …" or "[失败] … reason". Exit 0 only when every step passed, else 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "selftest", help="自检：检查本程序在这台电脑上能否正常工作（self-test）",
        description="在临时文件夹中打开演示台账、导入、导出 Excel/Word、生成并合并报送表和联络员数据包、离屏绘制窗口；"
                    "每一步打印一行“[通过]”或“[失败]”，全部通过时退出码为 0。",
    )
    parser.add_argument("--seed", type=Path, default=None,
                        help="导入这一步使用的工作要点（默认：自带的演示数据 resources/demo）")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="在此文件夹中运行并保留生成的文件（默认：临时文件夹，结束后删除）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.selftest import run_selftest

    results = run_selftest(seed=args.seed, keep=args.keep, report=lambda r: print(r.line(), flush=True))
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"自检未通过：{len(failed)}/{len(results)} 步失败")
        return 1
    print(f"自检通过：{len(results)} 步全部通过")
    return 0
