"""`ledgerdesk notice LEDGER --kind remind [--round R] [--unit U…] [--per-unit] -o OUT`: 催报通知 as .docx."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.sheets import iso_date
from app.errors import LedgerError
from app.formats.notice_docx import KIND_LABELS, KIND_REMIND
from app.ledger import Ledger
from app.notices import remind_notice, write_notices

KINDS = (KIND_REMIND,)  # "supervise" (督办通知) comes with its issue


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("notice", help="催报通知：未交回报送表的单位、联系人、未完成任务（.docx）",
                                   description="为一个报送轮次生成催报通知（Word，公文格式）：列出尚未交回报送表的单位、"
                                               "联络员与电话、各单位未完成的任务和报送时限。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--kind", choices=KINDS, default=KIND_REMIND, help="通知种类：remind = 催报通知")
    parser.add_argument("--round", dest="round_name", default=None, help="报送轮次（默认最后一轮）")
    parser.add_argument("--unit", dest="units", action="append", default=None, metavar="U",
                        help="只催这个单位（可重复；全称、别名或简称）")
    parser.add_argument("--per-unit", action="store_true", help="每个单位一份通知，写入 -o 给出的文件夹")
    parser.add_argument("--date", dest="issued", type=iso_date, default=None,
                        help="成文日期 YYYY-MM-DD（默认今天）")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出的 .docx 文件（--per-unit 时为文件夹）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.per_unit and args.output.suffix.lower() != ".docx":
        raise LedgerError(f"{args.output.name}：通知是 Word 文件，请以 .docx 结尾（或用 --per-unit 写入文件夹）")
    with Ledger.open(args.ledger, readonly=True) as ledger:
        try:
            notice = remind_notice(ledger, args.round_name, units=args.units, issued=args.issued)
        except LedgerError as exc:
            raise LedgerError(f"{args.ledger.name}：{exc}") from None
    paths = write_notices(notice, args.output, per_unit=args.per_unit)
    label = KIND_LABELS[notice.kind]
    print(f"{label}（{notice.round}）：未报送 {len(notice.units)} 个单位"
          f"（{notice.returned_units} / {notice.total_units} 已报送）")
    for unit in notice.units:
        contact = "，".join(x for x in (unit.liaison, unit.phone) if x) or "无联系人"
        print(f"  {unit.name}（{contact}）：未完成任务 {len(unit.tasks)} 项")
    for path in paths:
        print(f"已写入：{path}")
    return 0
