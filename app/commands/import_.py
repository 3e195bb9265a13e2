"""`ledgerdesk import DOC -o LEDGER [--json] [--dry-run] [--columns MAP]`: a new ledger from a plan document.

Reads the plan (table or prose, detected), then writes the ledger in one step. An
existing LEDGER is refused unless --force; the facade writes a temporary file and
renames it only once complete, so a failed import leaves the old file exactly as it
was and never leaves a half-written ledger. `--dry-run` reads and reports without
writing anything; `--json` prints the report as one JSON object (format
"ledgerdesk-import/1"); `--columns` overrides which column of a task table holds which
field when the guess is wrong.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.core.plan import warning_total
from app.core.plan.table_columns import ColumnMapping, ColumnSpec, ColumnSpecError, parse_column_spec
from app.core.records import LedgerDocument
from app.errors import InputError, LedgerError

JSON_FORMAT = "ledgerdesk-import/1"
MAX_DOUBTS_SHOWN = 50

COLUMNS_HELP = (
    "指定任务表的列对应，覆盖自动识别：字段=列，用逗号分隔，如 \"任务=2,内容=3,牵头=4,配合=5,时限=6\"。"
    "字段：序号 任务 内容 牵头 配合 时限 指标 备注 进展（或 seq task content lead coop deadline metric notes "
    "progress），忽略=列 表示不导入该列；列：从 1 起的列号、Excel 列字母（B）或表头文字（牵头=责任单位），"
    "一个字段占两列写 5+6，字段=无 表示没有这一列。未写到的字段仍自动识别"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="从工作要点或任务台账（.docx .txt .html .xlsx .xls .csv）建立新台账",
        description=(
            "读取工作要点（正文或任务表）并建立新的台账文件；打印导入摘要、任务表的列对应、"
            "需要核对的任务（存疑）和所有警告。--dry-run 只读取和报告，不写台账；--json 以一个 JSON 对象输出报告。"
        ),
    )
    parser.add_argument("document", metavar="DOC", help="计划文档：.docx .txt .html/.htm .xlsx .xls .ods .csv")
    parser.add_argument("-o", "--output", metavar="LEDGER", help="要建立的台账文件（--dry-run 时可省略）")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的台账文件（成功后才替换）")
    parser.add_argument("--dry-run", action="store_true", help="只读取并报告，不写任何文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出报告（格式 ledgerdesk-import/1）")
    parser.add_argument("--columns", metavar="MAP", help=COLUMNS_HELP)
    parser.set_defaults(func=run)


def _units(doc: LedgerDocument) -> list[str]:
    return list(dict.fromkeys([*doc.unit_names(), *(u for t in doc.tasks for u in [*t.lead_units, *t.coop_units])]))


def summary_lines(doc: LedgerDocument, *, source: str, output: str, columns: ColumnMapping | None = None,
                  dry_run: bool = False) -> list[str]:
    """The import summary in Chinese: counts, rounds, the column mapping, doubts, then every warning.

    The warnings come last (a script reads every line after the warnings line as one).
    """
    if dry_run:
        lines = [f"已读取 {source}（试运行 --dry-run，未写入台账）"]
    else:
        lines = [f"已导入 {source} → {output}"]
    title = doc.title or "（无标题）"
    lines.append(f"标题：{title}")
    lines.append(f"年度：{doc.year}" if doc.year else "年度：未找到（year not found）")
    lines.append(f"章节（sections）：{len(doc.headings)} 个")
    lines.append(f"任务（tasks）：{len(doc.tasks)} 项")
    lines.append(f"单位（units）：{len(_units(doc))} 个")
    if doc.rounds:
        rounds = "、".join(f"{r.name}（{r.due.isoformat() if r.due else '日期未定'}）" for r in doc.rounds)
        lines.append(f"报送轮次（rounds）：{len(doc.rounds)} 个：{rounds}")
    else:
        lines.append("报送轮次（rounds）：未找到")
    if columns is not None:
        lines.append(f"列对应（columns）：{columns.describe()}")
    lines.extend(_doubt_lines(doc))
    if doc.warnings:
        lines.append(f"警告（warnings）：{warning_total(doc.warnings):,} 条")
        lines.extend(f"  {w}" for w in doc.warnings)
    else:
        lines.append("警告（warnings）：无")
    return lines


def _doubt_lines(doc: LedgerDocument) -> list[str]:
    doubtful = [t for t in doc.tasks if doc.doubts.get(t.id)]
    if not doubtful:
        return []
    lines = [f"存疑（doubts）：{len(doubtful)} 项任务需要核对"]
    for task in doubtful[:MAX_DOUBTS_SHOWN]:
        lines.append(f"  序号{task.seq}：{'；'.join(doc.doubts[task.id])}")
    if len(doubtful) > MAX_DOUBTS_SHOWN:
        lines.append(f"  … 另有 {len(doubtful) - MAX_DOUBTS_SHOWN:,} 项存疑任务未逐项列出")
    return lines


def report_json(doc: LedgerDocument, *, source: str, output: str | None, columns: ColumnMapping | None,
                dry_run: bool) -> dict:
    """The import report as one object (format ledgerdesk-import/1)."""
    return {
        "format": JSON_FORMAT,
        "source": source,
        "output": output,
        "dry_run": dry_run,
        "title": doc.title,
        "year": doc.year,
        "sections": len(doc.headings),
        "tasks": len(doc.tasks),
        "units": len(_units(doc)),
        "rounds": [{"name": r.name, "due": r.due.isoformat() if r.due else None} for r in doc.rounds],
        "columns": columns.to_json() if columns is not None else None,
        "unmapped_columns": columns.unused_json() if columns is not None else [],
        "warnings": [{"location": w.location, "message": w.message} for w in doc.warnings],
        "warning_total": warning_total(doc.warnings),
        "doubt_total": sum(1 for t in doc.tasks if doc.doubts.get(t.id)),
        "tasks_detail": [
            {
                "seq": t.seq,
                "path": doc.path_of(t),
                "key_work": t.key_work,
                "content": t.content,
                "lead_units": list(t.lead_units),
                "coop_units": list(t.coop_units),
                "deadline": t.deadline.to_json(),
                "doubts": list(doc.doubts.get(t.id, [])),
            }
            for t in doc.tasks
        ],
    }


def _column_spec(text: str | None) -> ColumnSpec | None:
    if text is None:
        return None
    try:
        return parse_column_spec(text)
    except ColumnSpecError as exc:
        raise LedgerError(str(exc)) from None


def _check_output(args: argparse.Namespace) -> Path | None:
    if args.output is None:
        if args.dry_run:
            return None
        raise LedgerError("缺少要建立的台账文件：请用 -o 台账.ledger 指定（或加 --dry-run 只检查不写入）")
    out = Path(args.output)
    if out.is_dir():
        raise InputError(out, "是一个文件夹，不能作为台账文件（is a directory）")
    if args.dry_run:
        return out
    if out.exists() and not args.force:
        raise LedgerError(f"{out.name}：台账文件已存在（file exists），如需覆盖请加 --force")
    if not out.parent.is_dir():
        raise InputError(out, f"所在文件夹不存在（folder not found）：{out.parent}")
    return out


def run(args: argparse.Namespace) -> int:
    from app.formats.plan.read import read_plan_report
    from app.ledger import Ledger

    source = Path(args.document)
    spec = _column_spec(args.columns)
    out = _check_output(args)
    result = read_plan_report(source, columns=spec)
    doc = result.doc
    if not args.dry_run and out is not None:
        # The facade writes a temporary file and renames it: all or nothing, old file kept on failure.
        with Ledger.create_from_document(out, doc, source=source.name, overwrite=args.force):
            pass
    output = str(out) if out is not None else None
    if args.json:
        data = report_json(doc, source=source.name, output=None if args.dry_run else output,
                           columns=result.columns, dry_run=args.dry_run)
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print("\n".join(summary_lines(doc, source=source.name, output=output or "", columns=result.columns,
                                      dry_run=args.dry_run)))
    return 0
