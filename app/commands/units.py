"""`ledgerdesk units LEDGER [--json] [--set U --liaison N --phone P] [--alias U ALIAS]`: the unit directory.

And its edits as subcommands, each one undoable batch (app/store/directory.py):
`units LEDGER add NAME [--kind K] [--liaison N] [--phone P]`, `… rename OLD NEW` (the old name stays an
alias), `… merge SOURCE TARGET` (refused, naming the tasks, when both reported the same task and round),
`… split-alias ALIAS [--kind K]`, `… remove-alias ALIAS`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.core.units import UnitDirectory
from app.errors import LedgerError
from app.ledger import Ledger

KIND_LABELS = {"department": "部门", "township": "乡镇", "group": "统称", "other": "其他"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("units", help="单位名录：查看，设置联系人、电话、别名，添加、改名、合并（unit directory）",
                                   description="列出台账中的单位及其任务数；设置联络员姓名、电话，添加别名；"
                                               "子命令 add / rename / merge / split-alias / remove-alias 修改名录（可撤销）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--set", dest="unit", default=None, help="要修改的单位（全称、别名或简称）")
    parser.add_argument("--liaison", default=None, help="联系人（联络员）姓名")
    parser.add_argument("--phone", default=None, help="联系电话")
    parser.add_argument("--alias", nargs=2, metavar=("UNIT", "ALIAS"), default=None,
                        help="记录 ALIAS 是 UNIT 的另一种写法，如 --alias 县人民政府办公室 县政府办")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    add = actions.add_parser("add", help="添加单位", description="在单位名录末尾添加一个单位。")
    add.add_argument("name", help="单位全称")
    add.add_argument("--kind", choices=sorted(KIND_LABELS), default="department",
                     help="类型：department 部门、township 乡镇、group 统称、other 其他")
    add.add_argument("--liaison", default="", help="联系人（联络员）姓名")
    add.add_argument("--phone", default="", help="联系电话")
    rename = actions.add_parser("rename", help="单位改名（原名保留为别名）",
                                description="单位改名：任务、进展、发送记录随之改名，原名保留为别名。")
    rename.add_argument("old", help="原名称（全称、别名或简称）")
    rename.add_argument("new", help="新名称")
    merge = actions.add_parser("merge", help="合并两个单位", description="把 SOURCE 并入 TARGET：任务安排和进展归入 "
                               "TARGET，SOURCE 的名称和别名成为 TARGET 的别名。两者对同一任务同一轮次都有进展时拒绝合并。")
    merge.add_argument("source", help="被并入的单位")
    merge.add_argument("target", help="并入到的单位")
    split = actions.add_parser("split-alias", help="把别名拆为独立单位", description="把别名拆出来作为一个独立的单位"
                               "（尚无任务安排）。")
    split.add_argument("alias_name", metavar="alias", help="别名")
    split.add_argument("--kind", choices=sorted(KIND_LABELS), default=None, help="类型（默认按名称判断）")
    remove = actions.add_parser("remove-alias", help="删除别名", description="删除一个别名。")
    remove.add_argument("alias_name", metavar="alias", help="别名")
    parser.set_defaults(func=run)


def _edit(args: argparse.Namespace) -> int:
    """The subcommands: one facade call each; a refusal names the ledger."""
    from app.commands.task import run_edit

    def edit(ledger: Ledger, doc) -> str:
        directory = UnitDirectory(doc.units)
        if args.action == "add":
            ledger.add_unit(args.name.strip(), kind=args.kind, liaison=args.liaison, phone=args.phone)
            return f"已添加单位：{args.name.strip()}"
        if args.action == "rename":
            old = _resolve(directory, args.old)
            ledger.rename_unit(old, args.new.strip())
            return f"已改名：{old} → {args.new.strip()}（原名保留为别名）"
        if args.action == "merge":
            source, target = _resolve(directory, args.source), _resolve(directory, args.target)
            changes = ledger.merge_units(source, target)
            return f"已合并：{source} 并入 {target}（{len(changes.tasks)} 项任务、{len(changes.progress)} 条进展）"
        if args.action == "split-alias":
            ledger.split_alias(args.alias_name.strip(), kind=args.kind)
            return f"已拆分：“{args.alias_name.strip()}”成为独立单位"
        ledger.remove_alias(args.alias_name.strip())
        return f"已删除别名：{args.alias_name.strip()}"

    print(run_edit(args.ledger, edit))
    return 0


def run(args: argparse.Namespace) -> int:
    if getattr(args, "action", None):
        if args.unit is not None or args.alias is not None:
            raise LedgerError("--set/--alias 不能与子命令同用（use either a subcommand or --set/--alias）")
        return _edit(args)
    changing = args.unit is not None or args.alias is not None
    if (args.liaison is not None or args.phone is not None) and args.unit is None:
        raise LedgerError("--liaison/--phone 需要与 --set 单位 一起使用（use with --set UNIT）")
    with Ledger.open(args.ledger, readonly=not changing) as ledger:
        doc = ledger.document()
        directory = UnitDirectory(doc.units)
        if args.unit is not None:
            name = _resolve(directory, args.unit)
            fields = {k: v for k, v in (("liaison", args.liaison), ("phone", args.phone)) if v is not None}
            if not fields:
                raise LedgerError("请用 --liaison 或 --phone 给出要设置的内容（nothing to set）")
            ledger.update_unit(name, **fields)
            print(f"已更新单位：{name}")
        if args.alias is not None:
            name = _resolve(directory, args.alias[0])
            ledger.add_unit_alias(name, args.alias[1].strip())
            print(f"已记录别名：{args.alias[1].strip()} = {name}")
        if changing:
            return 0
    rows = unit_rows(doc)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        extra = "，".join(x for x in (row["liaison"], row["phone"]) if x)
        aliases = f"（又称：{'、'.join(row['aliases'])}）" if row["aliases"] else ""
        print(f"{row['name']}{aliases}　{KIND_LABELS.get(row['kind'], row['kind'])}　牵头 {row['lead']} 项，"
              f"配合 {row['coop']} 项" + (f"　联系人：{extra}" if extra else ""))
    return 0


def _resolve(directory: UnitDirectory, name: str) -> str:
    found = name if name in directory else directory.resolve(name)
    if found is None:
        raise LedgerError(f"台账中没有单位“{name}”（unknown unit）；请用 ledgerdesk units 查看单位名录")
    return found


def unit_rows(doc) -> list[dict]:
    return [
        {"name": u.name, "kind": u.kind, "aliases": list(u.aliases), "liaison": u.liaison, "phone": u.phone,
         "lead": sum(u.name in t.lead_units for t in doc.tasks), "coop": sum(u.name in t.coop_units for t in doc.tasks)}
        for u in doc.units
    ]
