"""`ledgerdesk merge LEDGER FILE|DIR... [--dry-run] [--json] [--resolve theirs|ours]`: take in returned sheets.

`--resolve` settles every conflict of this merge that way in the same transaction (none is
left open); without it conflicts wait for `ledgerdesk resolve`.

Exit status: 0 when at least one file could be read (merged or duplicate), even if
some rows or files were rejected — the report says which and why; 2 when no file
could be used at all (every file rejected), so scripts notice a wrong folder. A
rejected file never changes the ledger.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.ledger import Ledger
from app.merge_report import OURS, THEIRS, Resolution, format_report
from app.returns import merge_files


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("merge", help="合并各单位报回的填报表（merge returned sheets）",
                                   description="导入报回的填报表（.xlsx/.xls/.ods/.docx；装有 LibreOffice 时也读 .doc/.odt/.wps/.et）、"
                                               "联络员数据包（.ldpkg）或其所在文件夹，逐行与台账的发送记录三方合并；文件夹中的每个文件都在报告中有一行。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("files", type=Path, nargs="+",
                        help="报回的填报表（.xlsx/.xls/.ods/.docx）、联络员数据包（.ldpkg），或装有它们的文件夹")
    parser.add_argument("--dry-run", action="store_true", help="只报告将会发生什么，不修改台账")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出报告")
    parser.add_argument("--resolve", choices=(THEIRS, OURS), default=None,
                        help="本次合并的冲突一律如此处理：theirs 采用报回内容，ours 保留台账内容（不留待处理冲突）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Ledger.open(args.ledger, readonly=args.dry_run) as ledger:
        resolve = Resolution(args.resolve) if getattr(args, "resolve", None) else None
        report = merge_files(ledger, args.files, dry_run=args.dry_run, resolutions=resolve)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    if report.readable_files:
        return 0
    print(f"错误：{nothing_merged_line(report, args.files)}", file=sys.stderr)
    return 2


def nothing_merged_line(report, paths: list[Path]) -> str:
    """The one stderr line when no file could be used: the first file and its reason."""
    if not report.files:
        names = "、".join(Path(p).name for p in paths)
        return f"{names}：没有找到可合并的文件（.xlsx .xls .ods .docx .ldpkg）（no returned files found）"
    first = report.files[0]
    reason = first.messages[0] if first.messages else "无法合并"
    if not reason.startswith(first.file):
        reason = f"{first.file}：{reason}"
    others = len(report.files) - 1
    return reason + (f"（另有 {others} 个文件也未能合并）" if others else "")
