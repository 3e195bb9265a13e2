"""`ledgerdesk export LEDGER --format xlsx|docx|json -o OUT [--unit U] [--round R] [--as-of DATE]`.

The standard ledger table (print-ready .xlsx or .docx) or the contract JSON. The
ledger is opened read-only; the output is written to a temporary file in the same
folder and renamed into place, so a failed export leaves no half-written file.

--as-of (default: today, taken once per export) is the one date of the table: the
overdue shading, the legend line under the title ("截至…"), the overview sheet and,
for one unit's export, 填报时间 are all as of it, in .xlsx and .docx alike.

--history (xlsx only) adds the appendix sheets 留痕记录 (every progress entry's changes from the
change log: unit, round, when, from which file, which operation, old → new) and 佐证材料 (the
evidence file names, task by task); the history is read in one pass (Ledger.all_progress_history).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.core.changes import EntryChange
from app.core.records import LedgerDocument
from app.errors import InputError, LedgerError
from app.formats.atomic import atomic_output
from app.ledger import Ledger

FORMATS = ("xlsx", "docx", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="导出标准台账表（export the ledger table: xlsx, docx, json）",
        description="把台账导出为可直接打印的任务落实台账（Excel/Word），或导出 JSON。",
    )
    parser.add_argument("ledger", type=Path, help="台账文件（.ledger）")
    parser.add_argument("--format", "-f", choices=FORMATS, default=None,
                        help="导出格式 xlsx|docx|json（默认按输出文件的扩展名）")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件路径")
    parser.add_argument("--unit", default=None, help="只导出该单位牵头或配合的任务（单位名称或简称）")
    parser.add_argument("--round", dest="round_name", default=None,
                        help="进展落实情况显示的报送轮次（默认：最近一次有进展的轮次）")
    parser.add_argument("--as-of", dest="as_of", default=None,
                        help="统计与逾期判断的日期 YYYY-MM-DD（默认：今天）")
    parser.add_argument("--history", action="store_true",
                        help="（仅 xlsx）附加“留痕记录”和“佐证材料”两张表：每条进展的修改经过与佐证材料文件名")
    parser.set_defaults(func=run)


def parse_as_of(text: str | None) -> date | None:
    """--as-of YYYY-MM-DD or None; a wrong date is one LedgerError line (shared with `report`)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LedgerError(f"日期“{text}”无效，应为 YYYY-MM-DD（invalid --as-of date）") from None


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.output.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InputError(args.output, "无法从扩展名判断导出格式，请用 --format xlsx|docx|json（unknown format）")


def export_document(doc: LedgerDocument, out: Path, fmt: str, *, unit: str | None = None,
                    round_name: str | None = None, as_of: date | None = None,
                    history: list[EntryChange] | None = None) -> int:
    """Write `doc` to `out` atomically; returns the number of tasks exported. `history` (xlsx only)
    adds the 留痕记录 and 佐证材料 sheets."""
    from app.formats.ledger_layout import resolve_round, resolve_unit

    as_of = as_of or date.today()
    out = Path(out)
    if not out.parent.exists():
        raise InputError(out, "所在文件夹不存在（folder does not exist）")
    unit_name = resolve_unit(doc, unit).name if unit else None
    resolve_round(doc, round_name)  # unknown round → LedgerError before anything is written
    count = len(doc.tasks_of_unit(unit_name)) if unit_name else len(doc.tasks)
    with atomic_output(out) as tmp:
        if fmt == "xlsx":
            from app.formats.ledger_xlsx import write_ledger_xlsx

            write_ledger_xlsx(doc, tmp, unit=unit_name, round_name=round_name, as_of=as_of, history=history)
        elif fmt == "docx":
            from app.formats.ledger_docx import write_ledger_docx

            write_ledger_docx(doc, tmp, unit=unit_name, round_name=round_name, as_of=as_of)
        else:
            from app.formats.ledger_json import write_json

            write_json(_only_unit(doc, unit_name) if unit_name else doc, tmp)
    return count


def _only_unit(doc: LedgerDocument, unit: str) -> LedgerDocument:
    """The same ledger with only the tasks (and their progress) of `unit`."""
    tasks = doc.tasks_of_unit(unit)
    ids = {t.id for t in tasks}
    return LedgerDocument(
        title=doc.title, year=doc.year, office=doc.office, ledger_id=doc.ledger_id,
        headings=list(doc.headings), tasks=tasks, units=list(doc.units), rounds=list(doc.rounds),
        progress=[p for p in doc.progress if p.task_id in ids],
        unit_deadlines={key: d for key, d in doc.unit_deadlines.items() if key[0] in ids},
    )


def run(args: argparse.Namespace) -> int:
    fmt = _format_of(args)
    as_of = parse_as_of(args.as_of)
    if args.history and fmt != "xlsx":
        raise LedgerError(f"--history：留痕记录只能附在 Excel 台账中，请用 --format xlsx（不支持 {fmt}）")
    with Ledger.open(args.ledger, readonly=True) as ledger:
        doc = ledger.document()
        history = ledger.all_progress_history() if args.history else None
    try:
        count = export_document(doc, args.output, fmt, unit=args.unit, round_name=args.round_name, as_of=as_of,
                                history=history)
    except InputError:
        raise
    except LedgerError as exc:  # an unknown unit or round: say which ledger lacks it
        raise InputError(args.ledger, exc.message) from exc
    extra = f"，留痕记录 {len(history)} 条" if history is not None else ""
    print(f"已导出：{args.output}（{count} 项任务{extra}）")
    return 0
