"""`ledgerdesk stats LEDGER [--json] [--as-of YYYY-MM-DD]`: completion by unit and status, overdue tasks."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from app.core.overview_stats import compute_overview
from app.core.records import LedgerDocument
from app.core.status import STATE_LABELS
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="完成情况统计（completion by unit, by status, overdue）",
                                   description="按单位、按状态统计任务完成情况，列出逾期任务。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--as-of", type=parse_as_of, default=None, help="统计日期 YYYY-MM-DD（默认今天）")
    parser.set_defaults(func=run)


def parse_as_of(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def stats_json(doc: LedgerDocument, as_of: date) -> dict:
    """The stats report as one JSON-able object (the window's overview shows the same numbers)."""
    overview = compute_overview(doc, as_of=as_of)
    return {
        "title": doc.title,
        "as_of": as_of.isoformat(),
        "tasks": overview.tasks,
        "by_status": overview.by_status,
        "by_unit": [asdict(s) for s in overview.by_unit],
        "overdue": [
            {"id": t.id, "seq": t.seq, "path": doc.path_of(t), "content": t.content[:60],
             "deadline": t.deadline.to_json(), "lead_units": t.lead_units}
            for t in overview.overdue
        ],
    }


def run(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    with Ledger.open(args.ledger, readonly=True) as ledger:
        doc = ledger.document()
    report = stats_json(doc, as_of)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print_text(report)
    return 0


def print_text(report: dict) -> None:
    print(f"{report['title']}　统计日期：{report['as_of']}　任务数：{report['tasks']}")
    print("按状态：" + "，".join(f"{STATE_LABELS.get(k, k)} {v}" for k, v in report["by_status"].items()))
    if report["by_unit"]:
        print("按单位（牵头任务）：")
        for row in report["by_unit"]:
            print(f"  {row['unit']}：牵头 {row['led']}，配合 {row['cooperating']}，已完成 {row['done']}，"
                  f"推进中 {row['in_progress']}，逾期 {row['overdue']}")
    if report["overdue"]:
        print(f"逾期任务（{len(report['overdue'])}）：")
        for item in report["overdue"]:
            print(f"  {item['seq']}．{item['content']}（{item['deadline']['text']}；{'、'.join(item['lead_units'])}）")
    else:
        print("无逾期任务。")


