"""`ledgerdesk import DOC -o LEDGER`: build a new ledger from a plan document.

Reads the plan (table or prose, detected), then writes the ledger in one step. An
existing LEDGER is refused unless --force; the facade writes a temporary file and
renames it only once complete, so a failed import leaves the old file exactly as it
was and never leaves a half-written ledger.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core.plan import warning_total
from app.core.records import LedgerDocument
from app.errors import InputError, LedgerError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="从工作要点或任务台账（.docx .txt .html .xlsx .xls .csv）建立新台账",
        description="读取工作要点（正文或任务表）并建立新的台账文件；打印导入摘要和所有警告。",
    )
    parser.add_argument("document", metavar="DOC", help="计划文档：.docx .txt .html/.htm .xlsx .xls .ods .csv")
    parser.add_argument("-o", "--output", metavar="LEDGER", required=True, help="要建立的台账文件")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的台账文件（成功后才替换）")
    parser.set_defaults(func=run)


def summary_lines(doc: LedgerDocument, *, source: str, output: str) -> list[str]:
    """The import summary in Chinese: counts, rounds, then every warning."""
    units = list(dict.fromkeys([*doc.unit_names(), *(u for t in doc.tasks for u in [*t.lead_units, *t.coop_units])]))
    lines = [f"已导入 {source} → {output}"]
    title = doc.title or "（无标题）"
    lines.append(f"标题：{title}")
    lines.append(f"年度：{doc.year}" if doc.year else "年度：未找到（year not found）")
    lines.append(f"章节（sections）：{len(doc.headings)} 个")
    lines.append(f"任务（tasks）：{len(doc.tasks)} 项")
    lines.append(f"单位（units）：{len(units)} 个")
    if doc.rounds:
        rounds = "、".join(f"{r.name}（{r.due.isoformat() if r.due else '日期未定'}）" for r in doc.rounds)
        lines.append(f"报送轮次（rounds）：{len(doc.rounds)} 个：{rounds}")
    else:
        lines.append("报送轮次（rounds）：未找到")
    if doc.warnings:
        lines.append(f"警告（warnings）：{warning_total(doc.warnings):,} 条")
        lines.extend(f"  {w}" for w in doc.warnings)
    else:
        lines.append("警告（warnings）：无")
    return lines


def run(args: argparse.Namespace) -> int:
    from app.formats.plan import read_plan
    from app.ledger import Ledger

    source = Path(args.document)
    out = Path(args.output)
    if out.is_dir():
        raise InputError(out, "是一个文件夹，不能作为台账文件（is a directory）")
    if out.exists() and not args.force:
        raise LedgerError(f"{out.name}：台账文件已存在（file exists），如需覆盖请加 --force")
    if not out.parent.is_dir():
        raise InputError(out, f"所在文件夹不存在（folder not found）：{out.parent}")
    doc = read_plan(source)
    # The facade writes a temporary file and renames it: all or nothing, old file kept on failure.
    with Ledger.create_from_document(out, doc, source=source.name, overwrite=args.force):
        pass
    print("\n".join(summary_lines(doc, source=source.name, output=str(out))))
    return 0
