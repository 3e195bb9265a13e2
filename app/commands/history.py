"""`ledgerdesk history LEDGER --task T --unit U --round R [--json]`: one progress entry's history.

Every change of the entry from the change log, oldest first: the import, merged files, typed
edits, settled conflicts and review items, undos (a change later undone is marked), a deletion
of the task and its undoing. Under the unit's and round's former names too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.commands.task import find_task, resolve_units
from app.core.changes import EntryChange
from app.core.records import Progress
from app.errors import InputError, LedgerError
from app.ledger import Ledger

KIND_LABELS = {"import": "导入", "create": "新建", "merge": "合并报送表", "edit": "修改", "resolve": "处理冲突",
               "review": "审核", "undo": "撤销"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="一条进展的修改历史（progress entry history）",
                                   description="列出某任务、某单位、某轮次的进展从导入以来的每一次变化（导入、合并、"
                                               "修改、撤销），最早的在前。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--task", required=True, metavar="任务", help="任务 id 或序号（如 12，或 二、/（三）/2）")
    parser.add_argument("--unit", required=True, metavar="单位", help="单位（全称、别名或简称）")
    parser.add_argument("--round", dest="round_name", required=True, metavar="轮次", help="报送轮次")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.set_defaults(func=run)


def _entry_json(p: Progress | None) -> dict | None:
    if p is None:
        return None
    return {"status": p.status, "text": p.text, "done_date": p.done_date.isoformat() if p.done_date else None,
            "evidence": p.evidence, "updated_at": p.updated_at.isoformat() if p.updated_at else None,
            "source": p.source, "reporter": p.reporter}


def to_json(change: EntryChange) -> dict:
    return {"at": change.at.isoformat(), "batch": change.batch_id, "kind": change.kind, "source": change.source,
            "undone": change.undone, "old": _entry_json(change.old), "new": _entry_json(change.new)}


def _line(p: Progress | None) -> str:
    if p is None:
        return "（无）"
    return f"{p.status or '—'}｜{p.text or '—'}" + (f"｜完成于 {p.done_date.isoformat()}" if p.done_date else "")


def run(args: argparse.Namespace) -> int:
    try:
        with Ledger.open(args.ledger, readonly=True) as ledger:
            doc = ledger.document()
            task = find_task(doc, args.task)
            [unit] = resolve_units(doc, [args.unit])
            rounds = [r.name for r in doc.rounds]
            if args.round_name not in rounds:
                raise LedgerError(f"报送轮次“{args.round_name}”不存在（unknown round）；现有：{'、'.join(rounds) or '无'}")
            history = ledger.progress_history(task.id, unit, args.round_name)
    except InputError:
        raise
    except LedgerError as exc:
        raise InputError(args.ledger, str(exc)) from exc
    if args.json:
        print(json.dumps({"task_id": task.id, "seq": task.seq, "unit": unit, "round": args.round_name,
                          "changes": [to_json(c) for c in history]}, ensure_ascii=False, indent=2))
        return 0
    print(f"序号{task.seq}“{task.content[:20]}”　{unit}　{args.round_name}：{len(history)} 次变化")
    for change in history:
        mark = "（已撤销）" if change.undone else ""
        print(f"{change.at:%Y-%m-%d %H:%M}　{KIND_LABELS.get(change.kind, change.kind)}{mark}　{change.source}")
        print(f"  {_line(change.old)} → {_line(change.new)}")
    return 0
