"""`ledgerdesk carry-over OLD (-o NEW | --into PLAN) [--year Y] [--dry-run] [--json]` (回头看).

Last year's unfinished and long-term tasks (app/carry_over.py says which, how they are
marked and how they are matched) come into this year's ledger:

* `-o NEW`: a new ledger of just those tasks, under their old headings;
* `--into PLAN` (a ledger imported from next year's plan): PLAN itself is changed through the
  facade: a task of PLAN whose content matches an old task is linked (Ledger.update_task puts
  the 上年延续 line and last year's progress in its notes), not duplicated; the old tasks that
  match none are added under a new top-level heading "上年延续任务" (Ledger.add_heading,
  add_task; units PLAN lacks are added to its directory first);
* `--into PLAN -o NEW`: the same result written to NEW, PLAN only read.

The links (new task id → old ledger id, old task id) are kept in the meta of a "carry" batch
(Ledger.record_batch) of the ledger written, with the ids of the edit batches made in PLAN.
All or nothing: NEW is written to a temporary file and renamed (Ledger.create_from_document)
and removed again if its batch cannot be recorded; in PLAN, the batches already made are undone
(Ledger.undo_batches, one transaction) if a later step fails. Every input is checked before
anything is written, so a bad input leaves every file byte for byte as it was. --dry-run reads
and reports without writing anything; --json prints the report (format "ledgerdesk-carry/1").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.carry_over import CARRY_HEADING, HOW_LINKED, LINK_FORMAT, CarryResult, carry_into, carry_new
from app.core.records import LedgerDocument
from app.errors import InputError, LedgerError
from app.ledger import Ledger

BATCH_KIND = "carry"
SOURCE = "carry-over"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "carry-over", help="上年延续（回头看）：把上年未完成和长期坚持的任务带入新台账",
        description="把上年台账中未完成和长期坚持的任务（附上年最后进展）带入新台账；用 --into 指定由下一年工作要点"
                    "导入的台账时，新计划中内容相同的任务只加注“上年延续”，不重复，其余任务列在“上年延续任务”下。",
    )
    parser.add_argument("old", type=Path, metavar="OLD", help="上年台账文件")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="NEW",
                        help="要建立的新台账文件（与 --into 同用时：结果写入 NEW，PLAN 不修改）")
    parser.add_argument("--into", type=Path, default=None, metavar="PLAN",
                        help="由下一年工作要点导入的台账：相同任务加注上年延续，其余列在“上年延续任务”下")
    parser.add_argument("--year", type=int, default=None, help="用 -o 建立的新台账的年度（默认：上年年度加一；与 --into 同用时默认为新计划的年度）")
    parser.add_argument("--dry-run", action="store_true", help="只读取并报告，不写任何文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出报告（格式 ledgerdesk-carry/1）")
    parser.set_defaults(func=run)


def _read(path: Path) -> LedgerDocument:
    if not path.exists():
        raise InputError(path, "文件不存在（file not found）")
    with Ledger.open(path, readonly=True) as ledger:
        return ledger.document()


def _read_plan(path: Path, old: LedgerDocument) -> LedgerDocument:
    with Ledger.open(path, readonly=True) as ledger:
        _refuse_twice(ledger, path, old)
        return ledger.document()


def _refuse_twice(ledger: Ledger, path: Path, old: LedgerDocument) -> None:
    """A plan already carried into from this old ledger would get every 上年延续 line twice."""
    for batch in ledger.batches():
        if batch.kind == BATCH_KIND and not batch.undone and batch.meta.get("old_ledger") == old.ledger_id:
            raise InputError(path, f"已从上年台账“{old.title}”延续过（{batch.created_at:%Y-%m-%d %H:%M}），"
                                   "未重复延续（already carried over from this ledger）")


def _check_output(out: Path, *inputs: Path | None) -> None:
    for given in inputs:
        if given is not None and given.exists() and out.exists() and out.resolve() == given.resolve():
            raise InputError(out, "输出文件不能是输入的台账本身（output is an input ledger）")
    if out.exists():
        raise InputError(out, "文件已存在，未覆盖（file exists; choose a new file name）")
    if not out.parent.exists():
        raise InputError(out, "所在文件夹不存在（folder does not exist）")


def carry(old_path: Path, out: Path | None, *, into: Path | None = None, year: int | None = None,
          dry_run: bool = False) -> CarryResult:
    """Check every input, carry, and (unless `dry_run`) write NEW or change PLAN; all or nothing."""
    if out is None and into is None:
        raise LedgerError("请用 -o 指定要建立的新台账，或用 --into 指定新一年的台账（need -o or --into）")
    if not old_path.exists():
        raise InputError(old_path, "文件不存在（file not found）")
    if into is not None and not into.exists():
        raise InputError(into, "文件不存在（file not found）")
    if into is not None and into.resolve() == old_path.resolve():
        raise InputError(into, "--into 的台账与上年台账是同一个文件（same file as OLD）")
    if out is not None:
        _check_output(out, old_path, into)
    old = _read(old_path)
    if into is not None and out is None:
        return _carry_in_place(old, old_path, into, dry_run=dry_run)
    result = carry_new(old, year=year) if into is None else carry_into(old, _read_plan(into, old))
    if into is not None and year is not None:
        result.doc.year = year
    if dry_run:
        return result
    ledger = Ledger.create_from_document(out, result.doc, source=old_path.name)
    try:
        ledger.record_batch(kind=BATCH_KIND, source=old_path.name,
                            meta=result.meta(old, into=into.name if into else None))
    except BaseException:
        ledger.close()
        out.unlink(missing_ok=True)
        raise
    ledger.close()
    return result


def _carry_in_place(old: LedgerDocument, old_path: Path, into: Path, *, dry_run: bool) -> CarryResult:
    """Link and add in PLAN itself through the facade; undo what was done if a step fails."""
    if dry_run:
        return carry_into(old, _read_plan(into, old))
    with Ledger.open(into) as ledger:
        _refuse_twice(ledger, into, old)
        plan = ledger.document()
        result = carry_into(old, plan)
        by_id = {t.id: t for t in result.doc.tasks}
        known = {t.id for t in plan.tasks}
        batches: list[str] = []
        try:
            for link in result.linked:  # a task linked twice is updated once, with both blocks
                if link.task_id in known:
                    known.discard(link.task_id)
                    batches.append(ledger.update_task(link.task_id, notes=by_id[link.task_id].notes,
                                                      source=SOURCE).batch_id)
            copied = result.copied
            if copied:
                have = {u.name for u in plan.units}
                for unit in result.doc.units:
                    if unit.name not in have:
                        batches.append(ledger.add_unit(unit.name, kind=unit.kind, liaison=unit.liaison,
                                                       phone=unit.phone, source=SOURCE).batch_id)
                changes = ledger.add_heading(None, CARRY_HEADING, source=SOURCE)
                batches.append(changes.batch_id)
                heading_id = next(iter(changes.headings))
                existing = {t.id for t in plan.tasks}
                for link in copied:
                    task = by_id[link.task_id]
                    changes = ledger.add_task(heading_id, source=SOURCE, key_work=task.key_work,
                                              content=task.content, metric=task.metric, notes=task.notes,
                                              deadline=task.deadline, lead_units=task.lead_units,
                                              coop_units=task.coop_units)
                    batches.append(changes.batch_id)
                    fresh = changes.tasks - existing
                    link.task_id = fresh.pop() if len(fresh) == 1 else link.task_id
                    existing.add(link.task_id)
            meta = result.meta(old, into=into.name)
            meta["batches"] = [b for b in batches if b]
            ledger.record_batch(kind=BATCH_KIND, source=old_path.name, meta=meta)
        except BaseException:
            done = [b for b in batches if b]
            if done:
                ledger.undo_batches(list(reversed(done)))
            raise
        result.doc = ledger.document()  # as PLAN is now: the numbers it gave the added tasks
    return result


def report_json(result: CarryResult, old_path: Path, out: Path, into: Path | None, dry_run: bool) -> dict:
    seqs = {t.id: t.seq for t in result.doc.tasks}
    return {
        "format": LINK_FORMAT, "old": str(old_path), "into": str(into) if into else None, "output": str(out),
        "dry_run": dry_run, "carried": len(result.carried), "linked": len(result.linked),
        "added": len(result.copied),
        "links": [{**link.to_json(), "seq": seqs.get(link.task_id, "")} for link in result.links],
    }


def run(args: argparse.Namespace) -> int:
    result = carry(args.old, args.output, into=args.into, year=args.year, dry_run=args.dry_run)
    data = report_json(result, args.old, args.output or args.into, args.into, args.dry_run)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    head = "试运行（--dry-run，未写入任何文件）：" if args.dry_run else ""
    target = (args.output or args.into).name
    print(f"{head}从 {args.old.name} 带入 {data['carried']} 项未完成或长期坚持的任务 → {target}")
    if args.into is not None:
        print(f"  关联 {data['linked']} 项（{args.into.name} 中内容相同的任务，加注上年延续）；"
              f"新增 {data['added']} 项（列在“{CARRY_HEADING}”下）")
    for item in data["links"]:
        how = f"关联，相似度 {item['score']}" if item["how"] == HOW_LINKED else "新增"
        print(f"  上年序号 {item['old_seq']} → 序号 {item['seq']}（{how}）")
    return 0


