"""`ledgerdesk package LEDGER --unit U -o FILE [--round R]`: a liaison data file (.ldpkg).

The file carries one unit's tasks for one round to the portable program; the liaison
fills it in and sends it back, and `ledgerdesk merge` takes it like a returned sheet.
The ledger keeps what it sent (a signed dispatch, as `sheets` does) and adds a round
when one must be added (a ledger without rounds gets --round or "第一次报送";
--add-round/--due add a new one): the file is written first, then the dispatch and the
round recorded in one transaction, and a failure removes the file again. The file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.sheets import WRITE_WAIT, add_group_arguments, add_round_arguments, round_added_line
from app.core.records import LedgerDocument
from app.core.sheet_scope import match_unit, unit_tasks
from app.errors import InputError, LedgerError
from app.formats.ledger_layout import resolve_unit
from app.formats.returns.liaison import SUFFIX
from app.ledger import Ledger
from app.sending import make_package, pick_round, round_to_add


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "package", help="生成联络员数据包（a liaison data file for the portable program）",
        description="为一个单位生成联络员数据包（.ldpkg）：联络员用台账通便携版打开、填写本单位任务进展、"
                    "保存后发回，再用 ledgerdesk merge 合并。",
    )
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--unit", required=True, help="单位名称（全称、别名或简称，如“民政局”）")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="输出文件（.ldpkg），或已有的文件夹（文件按“单位_轮次.ldpkg”命名）")
    add_round_arguments(parser)
    add_group_arguments(parser)
    parser.set_defaults(func=run)


def resolve_package_unit(doc: LedgerDocument, name: str) -> str:
    """Canonical name or alias first (as export does), then a short name ("民政局" → "县民政局")."""
    try:
        return resolve_unit(doc, name).name
    except LedgerError:
        found, _how = match_unit(doc, name.strip())
        if found is None:
            raise
        return found


def output_path(output: Path) -> Path:
    """A folder gets the default file name later; a bare name gets .ldpkg; another suffix is refused."""
    if output.is_dir() or output.suffix.lower() == SUFFIX:
        return output
    if not output.suffix:
        return output.with_name(output.name + SUFFIX)
    raise InputError(output, f"联络员数据包的扩展名应为 {SUFFIX}（liaison files end in {SUFFIX}）")


def run(args: argparse.Namespace) -> int:
    out = output_path(args.output)
    with Ledger.open(args.ledger, readonly=True) as ledger:
        doc = ledger.document()
    try:
        unit = resolve_package_unit(doc, args.unit)
        new_round = round_to_add(doc, args.round_name, add=args.add_round or args.due is not None)
    except InputError:
        raise
    except LedgerError as exc:  # unknown unit or round: say which ledger
        raise InputError(args.ledger, str(exc)) from exc
    tasks = unit_tasks(doc, unit, include_groups=args.include_groups)
    if not tasks:
        raise LedgerError(f"单位“{unit}”在本台账中没有牵头或配合的任务，未生成数据包（no tasks for this unit）")
    if not out.is_dir() and not out.parent.is_dir():
        raise InputError(out, "所在文件夹不存在（folder does not exist）")
    with Ledger.open(args.ledger, wait=WRITE_WAIT) as ledger:  # writable: the ledger keeps what it sent (a dispatch)
        path = make_package(ledger, unit, out, round_name=args.round_name, include_groups=args.include_groups,
                            due=args.due, add_round=new_round is not None)
    if new_round:
        print(round_added_line(bool(doc.rounds), new_round))
    round_name = new_round or pick_round(doc, args.round_name)
    print(f"已生成联络员数据包：{path}（{unit}，{round_name}，{len(tasks)} 项任务）")
    return 0
