"""`ledgerdesk report LEDGER -o 年度报告_要点落实.docx [--as-of YYYY-MM-DD] [--json] [--force]`.

Writes the part of the 政府信息公开工作年度报告 on this year's plan (app/annual_report.py
counts, app/formats/report_docx.py lays out): per top-level section the tasks, done, in
progress and not done with reasons, the main measures, and a table. The clerk edits the
file in Word or WPS, so an existing output is refused unless --force (their edits would be
lost); the file is written to a temporary name and renamed, so a failure leaves nothing
half-written. The ledger is opened read-only. `--json` prints the counts
(format "ledgerdesk-report/1"); with --json, -o may be left out.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from app.annual_report import build_report
from app.commands.export import parse_as_of
from app.errors import InputError, LedgerError
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="生成年度报告“工作要点落实情况”部分（.docx）",
        description="按台账的各部分统计任务完成情况（已完成、推进中、未完成及原因），摘录主要举措，"
                    "生成政府信息公开工作年度报告中工作要点落实情况部分（Word 文档，可再编辑）。",
    )
    parser.add_argument("ledger", type=Path, help="台账文件（.ledger）")
    parser.add_argument("-o", "--output", type=Path, default=None, help="输出的 .docx 文件（--json 时可省略）")
    parser.add_argument("--as-of", dest="as_of", default=None, help="统计日期 YYYY-MM-DD（默认：今天）")
    parser.add_argument("--json", action="store_true", help="以 JSON 打印统计（格式 ledgerdesk-report/1）")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    parser.set_defaults(func=run)


def _check_output(out: Path | None, force: bool) -> None:
    if out is None:
        return
    if out.suffix.lower() != ".docx":
        raise InputError(out, "输出文件应为 .docx（output must be a .docx file）")
    if not out.parent.exists():
        raise InputError(out, "所在文件夹不存在（folder does not exist）")
    if out.exists() and not force:
        raise InputError(out, "文件已存在，未覆盖（file exists; use --force to replace it）")


def run(args: argparse.Namespace) -> int:
    if args.output is None and not args.json:
        raise LedgerError("请用 -o 指定输出的 .docx 文件（或用 --json 只打印统计）")
    as_of = parse_as_of(args.as_of) or date.today()
    _check_output(args.output, args.force)
    if not args.ledger.is_file():
        raise InputError(args.ledger, "文件不存在（file not found）")
    with Ledger.open(args.ledger, readonly=True) as ledger:
        doc = ledger.document()
    report = build_report(doc, as_of=as_of)
    if args.output is not None:
        from app.formats.report_docx import write_report_docx

        write_report_docx(report, args.output)
    if args.json:
        data = report.to_json()
        data["output"] = str(args.output) if args.output else None
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    t = report.totals()
    print(f"已生成：{args.output}（{len(report.sections)} 个部分，{t['tasks']} 项任务：已完成 {t['done']}，"
          f"推进中 {t['in_progress']}，未完成 {t['not_done']}；统计截至 {as_of.isoformat()}）")
    return 0
