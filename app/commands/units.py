"""`ledgerdesk units LEDGER [--json] [--set U --liaison N --phone P] [--alias U ALIAS]`: the unit directory."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.core.units import UnitDirectory
from app.errors import LedgerError
from app.ledger import Ledger

KIND_LABELS = {"department": "部门", "township": "乡镇", "group": "统称", "other": "其他"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("units", help="单位名录：查看，设置联系人、电话、别名（unit directory）",
                                   description="列出台账中的单位及其任务数；设置联络员姓名、电话，添加别名。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--set", dest="unit", default=None, help="要修改的单位（全称、别名或简称）")
    parser.add_argument("--liaison", default=None, help="联系人（联络员）姓名")
    parser.add_argument("--phone", default=None, help="联系电话")
    parser.add_argument("--alias", nargs=2, metavar=("UNIT", "ALIAS"), default=None,
                        help="记录 ALIAS 是 UNIT 的另一种写法，如 --alias 县人民政府办公室 县政府办")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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


def unit_rows(doc) -> list[dict]:  # noqa: ANN001 - LedgerDocument
    return [
        {"name": u.name, "kind": u.kind, "aliases": list(u.aliases), "liaison": u.liaison, "phone": u.phone,
         "lead": sum(u.name in t.lead_units for t in doc.tasks), "coop": sum(u.name in t.coop_units for t in doc.tasks)}
        for u in doc.units
    ]
