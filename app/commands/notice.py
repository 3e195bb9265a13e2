"""`ledgerdesk notice LEDGER --kind remind|supervise … -o OUT`: 催报通知 or 督办通知 as .docx.

remind: `[--round R] [--unit U…] [--per-unit] [--date D]` — the units that have not returned a round.
supervise: `[--within N] [--as-of D] [--unit U…] [--per-unit]` — the units with tasks overdue or due
within N days (default 15) as of D (default today), each task with the unit's last progress.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.sheets import iso_date
from app.core.status import DEFAULT_SOON_DAYS
from app.errors import LedgerError
from app.formats.notice_docx import KIND_LABELS, KIND_REMIND, KIND_SUPERVISE, STATE_OVERDUE_LABEL, Notice
from app.ledger import Ledger
from app.notices import remind_notice, supervise_notice, write_notices

KINDS = (KIND_REMIND, KIND_SUPERVISE)


def days(text: str) -> int:
    """--within N: a whole number of days, 0 or more (argparse error otherwise: one line)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"天数“{text}”应为整数（days expected）") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"天数“{text}”不能为负数")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("notice", help="催报通知 / 督办通知（.docx）",
                                   description="生成通知（Word，公文格式）。remind = 催报通知：尚未交回报送表的单位、"
                                               "联络员与电话、各单位未完成的任务和报送时限；supervise = 督办通知：各单位"
                                               "已逾期或即将到期的任务及其最近一次报送的进展。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--kind", choices=KINDS, default=KIND_REMIND,
                        help="通知种类：remind = 催报通知，supervise = 督办通知")
    parser.add_argument("--round", dest="round_name", default=None, help="催报：报送轮次（默认最后一轮）")
    parser.add_argument("--unit", dest="units", action="append", default=None, metavar="U",
                        help="只通知这个单位（可重复；全称、别名或简称）")
    parser.add_argument("--per-unit", action="store_true", help="每个单位一份通知，写入 -o 给出的文件夹")
    parser.add_argument("--date", dest="issued", type=iso_date, default=None,
                        help="催报：成文日期 YYYY-MM-DD（默认今天）")
    parser.add_argument("--within", type=days, default=None, metavar="N",
                        help=f"督办：N 天内到期的任务也列入（默认 {DEFAULT_SOON_DAYS}）")
    parser.add_argument("--as-of", dest="as_of", type=iso_date, default=None,
                        help="督办：以哪一天计算逾期 YYYY-MM-DD（默认今天；也是成文日期）")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出的 .docx 文件（--per-unit 时为文件夹）")
    parser.set_defaults(func=run)


def _check_options(args: argparse.Namespace) -> None:
    """An option of the other kind is refused, not silently ignored."""
    if args.kind == KIND_SUPERVISE:
        wrong = [o for o, v in (("--round", args.round_name), ("--date", args.issued)) if v is not None]
        hint = "督办通知以 --as-of 日期计算"
    else:
        wrong = [o for o, v in (("--within", args.within), ("--as-of", args.as_of)) if v is not None]
        hint = "这两项只用于 --kind supervise"
    if wrong:
        raise LedgerError(f"{'、'.join(wrong)}：不适用于 --kind {args.kind}（{hint}）")


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    if not args.per_unit and args.output.suffix.lower() != ".docx":
        raise LedgerError(f"{args.output.name}：通知是 Word 文件，请以 .docx 结尾（或用 --per-unit 写入文件夹）")
    with Ledger.open(args.ledger, readonly=True) as ledger:
        try:
            if args.kind == KIND_SUPERVISE:
                notice = supervise_notice(ledger, as_of=args.as_of, units=args.units,
                                          within=DEFAULT_SOON_DAYS if args.within is None else args.within)
            else:
                notice = remind_notice(ledger, args.round_name, units=args.units, issued=args.issued)
        except LedgerError as exc:
            raise LedgerError(f"{args.ledger.name}：{exc}") from None
    paths = write_notices(notice, args.output, per_unit=args.per_unit)
    _summary(notice)
    for path in paths:
        print(f"已写入：{path}")
    return 0


def _summary(notice: Notice) -> None:
    label = KIND_LABELS[notice.kind]
    if notice.kind == KIND_SUPERVISE:
        print(f"{label}（截至 {notice.issued.isoformat()}，{notice.within} 日内到期）：{len(notice.units)} 个单位")
        for unit in notice.units:
            late = sum(t.state == STATE_OVERDUE_LABEL for t in unit.tasks)
            print(f"  {unit.name}：已逾期 {late} 项，即将到期 {len(unit.tasks) - late} 项")
        return
    print(f"{label}（{notice.round}）：未报送 {len(notice.units)} 个单位"
          f"（{notice.returned_units} / {notice.total_units} 已报送）")
    for unit in notice.units:
        contact = "，".join(x for x in (unit.liaison, unit.phone) if x) or "无联系人"
        print(f"  {unit.name}（{contact}）：未完成任务 {len(unit.tasks)} 项")
