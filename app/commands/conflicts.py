"""`ledgerdesk conflicts LEDGER [--json]`: the open conflicts a merge left for the clerk."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.core.records import Progress
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("conflicts", help="列出待处理的合并冲突（list open conflicts）",
                                   description="列出合并时台账与报回表都改动过的进展，等待选择（ledgerdesk resolve）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--all", action="store_true", help="也列出已处理的冲突")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.set_defaults(func=run)


def _entry(p: Progress | None) -> dict | None:
    if p is None:
        return None
    return {"status": p.status, "text": p.text, "done_date": p.done_date.isoformat() if p.done_date else None,
            "evidence": p.evidence}


def run(args: argparse.Namespace) -> int:
    with Ledger.open(args.ledger, readonly=True) as ledger:
        items = ledger.conflicts(open_only=not args.all)
        seq = {t.id: (t.seq, t.content) for t in ledger.document().tasks}
    if args.json:
        out = [{"id": c.id, "batch": c.batch_id, "task_id": c.task_id, "seq": seq.get(c.task_id, ("", ""))[0],
                "unit": c.unit, "round": c.round, "base": _entry(c.base), "ours": _entry(c.ours),
                "theirs": _entry(c.theirs), "resolved": c.resolved, "resolution": c.resolution} for c in items]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not items:
        print("没有待处理的冲突。")
        return 0
    for c in items:
        s, content = seq.get(c.task_id, ("?", ""))
        ours, theirs = c.ours or Progress(c.task_id, c.unit, c.round), c.theirs
        lines = [f"冲突 {c.id}：序号{s}“{content[:20]}”（{c.unit}，{c.round}）" + ("（已处理）" if c.resolved else ""),
                 f"  台账现有：{ours.status or '—'}｜{ours.text or '—'}",
                 f"  报回内容：{theirs.status or '—'}｜{theirs.text or '—'}"]
        print("\n".join(lines))
    print("处理：ledgerdesk resolve 台账 冲突编号 --take theirs|ours|edit")
    return 0
