"""`ledgerdesk sheets LEDGER -o DIR [--round R [--add-round] [--due D]] [--format xlsx|docx] [--unit U]`.

One return sheet per unit. The ledger keeps what it sent (a signed dispatch per
sheet, see app/sending.py), so it is opened for writing. A ledger without rounds gets the named round (else "第一次报送"); a ledger with
rounds gets a new one only with --add-round or --due (a mistyped name stays an error).
Tasks of "各部门（单位）"-like groups are listed on every member unit's sheet (role
"配合（各部门（单位））"); --no-group-tasks leaves them out, --with-group-tasks is the
default and kept for old scripts; group pseudo-units get sheets only with --group-sheets.
The output folder is made only when the sheets are written; a failure leaves none.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.errors import InputError, LedgerError
from app.formats.safe_names import FileName, rename_line
from app.ledger import Ledger
from app.sending import make_sheets, round_to_add

WRITE_WAIT = 30.0  # seconds to wait for another short writer (two `sheets` or `package` calls at once)


def iso_date(text: str) -> date:
    """--due YYYY-MM-DD; a wrong date is an argparse error (one line)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写成 YYYY-MM-DD（date expected）") from None


def add_round_arguments(parser: argparse.ArgumentParser) -> None:
    """--round / --add-round / --due, shared with `package`."""
    parser.add_argument("--round", dest="round_name", default=None,
                        help="报送轮次（默认：截止日期在今天或以后的最近一轮，否则最后一轮；台账没有轮次时新建，默认“第一次报送”）")
    parser.add_argument("--add-round", action="store_true",
                        help="--round 指定的轮次不存在时新建它（台账没有任何轮次时自动新建）")
    parser.add_argument("--due", type=iso_date, default=None,
                        help="新建轮次的报送截止日期 YYYY-MM-DD（给出即表示可新建 --round 轮次）")


def add_group_arguments(parser: argparse.ArgumentParser) -> None:
    """Group tasks ("各部门（单位）" → every department) go to the member units by default; shared with `package`."""
    parser.add_argument("--no-group-tasks", dest="include_groups", action="store_false", default=True,
                        help="不列出“各部门（单位）”“各乡镇人民政府”等集体任务，只列本单位被点名的任务")
    parser.add_argument("--with-group-tasks", dest="include_groups", action="store_const", const=True,
                        help="列出本单位所属集体（各部门/各乡镇）的任务：现为默认，保留此选项以兼容旧脚本")


def round_added_line(doc_had_rounds: bool, name: str) -> str:
    return (f"已在台账中添加报送轮次“{name}”。" if doc_had_rounds
            else f"台账中没有报送轮次，已添加“{name}”。")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sheets", help="生成各单位填报表（one return sheet per unit）",
                                   description="为每个责任单位生成一份只含本单位任务的填报表（锁定列、状态下拉、隐藏校验数据）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件夹")
    add_round_arguments(parser)
    parser.add_argument("--format", dest="fmt", choices=("xlsx", "docx"), default="xlsx", help="文件格式")
    parser.add_argument("--unit", action="append", default=None, help="只生成这个单位的表（可重复）")
    add_group_arguments(parser)
    parser.add_argument("--group-sheets", action="store_true",
                        help="也为“各部门（单位）”“各乡镇人民政府”等集体名称各生成一份表（默认不生成，其任务已列入各成员单位的表）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Ledger.open(args.ledger, readonly=True) as ledger:
        doc = ledger.document()
    renamed: list[FileName] = []
    try:
        new_round = round_to_add(doc, args.round_name, add=args.add_round or args.due is not None)
        with Ledger.open(args.ledger, wait=WRITE_WAIT) as ledger:  # writable: the ledger keeps what it sent (dispatches)
            paths = make_sheets(ledger, args.output, round_name=args.round_name, fmt=args.fmt, units=args.unit,
                                include_groups=args.include_groups,
                                group_sheets=args.group_sheets, due=args.due, add_round=new_round is not None,
                                renamed=renamed)
    except InputError:
        raise
    except LedgerError as exc:  # unknown round or unit: say which ledger
        raise InputError(args.ledger, str(exc)) from exc
    if new_round:
        print(round_added_line(bool(doc.rounds), new_round))
    elif args.due is not None:
        print("报送轮次已存在，未修改其截止日期（--due 仅用于新建轮次）。")
    for path in paths:
        print(path)
    for item in renamed:  # after the list, so each line can be read next to the file it names
        print(rename_line(item))
    print(f"共生成 {len(paths)} 份填报表。")
    return 0
