"""`ledgerdesk task LEDGER add|delete|move …`: add, delete and move tasks, headless (the window's tree edits).

Tasks are named by id or by the 序号 shown (`12`); where numbers restart in each heading a bare
序号 is ambiguous, so it may be prefixed with the heading path: `二、/（三）/2`. Headings are named
by id, by their label or title (`（三）加强行政执法信息公开`, `加强行政执法信息公开`) or by a path of
numbers (`二、/（三）`). Every edit is one undoable batch; numbers are renumbered as
app/store/structure.py describes. Bad input: one line naming the ledger and the thing, exit 2,
the ledger unchanged.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core.deadlines import parse_deadline
from app.core.records import Heading, LedgerDocument, Task
from app.core.units import resolve_units
from app.errors import InputError, LedgerError
from app.ledger import Ledger


# ----- naming tasks and headings (shared with heading.py and history.py) ----------------------------------
def _clean(text: str) -> str:
    return "".join(text.split())


def find_heading(doc: LedgerDocument, name: str) -> Heading:
    """A heading by id, label, title or a path of numbers/titles separated by "/"."""
    name = name.strip()
    by_id = doc.heading_map()
    if name in by_id:
        return by_id[name]
    parts = [p for p in (_clean(x) for x in name.split("/")) if p]
    if not parts:
        raise LedgerError(f"章节“{name}”不存在（unknown heading）")
    found: list[Heading] = []
    if len(parts) == 1:
        found = [h for h in doc.headings if parts[0] in (_clean(h.label), _clean(h.title))]
        if not found:  # a number: a section's ("二、"), else any heading's when that is unique
            numbered = [h for h in doc.headings if _clean(h.number) == parts[0]]
            found = [h for h in numbered if h.parent_id is None] or numbered
    else:
        level: list[str | None] = [None]
        for part in parts:
            matches = [h for h in doc.headings if h.parent_id in level
                       and part in (_clean(h.number), _clean(h.title), _clean(h.label))]
            level = [h.id for h in matches]
            found = matches
            if not matches:
                break
    if not found:
        raise LedgerError(f"章节“{name}”不存在（unknown heading）；可用章节编号路径，如 二、/（三）")
    if len(found) > 1:
        raise LedgerError(f"章节“{name}”不唯一（{len(found)} 个），请用编号路径，如 二、/（三），或章节 id")
    return found[0]


def find_task(doc: LedgerDocument, name: str) -> Task:
    """A task by id, by 序号, or by heading path + 序号 (`二、/（三）/2`)."""
    name = name.strip()
    for task in doc.tasks:
        if task.id == name:
            return task
    heading_id: str | None = ...  # type: ignore[assignment]
    seq = _clean(name)
    if "/" in name:
        path, seq = name.rsplit("/", 1)
        heading_id = find_heading(doc, path).id
        seq = _clean(seq)
    found = [t for t in doc.tasks if _clean(t.seq) == seq and (heading_id is ... or t.heading_id == heading_id)]
    if not found:
        raise LedgerError(f"任务“{name}”不存在（unknown task: give its id or 序号）")
    if len(found) > 1:
        raise LedgerError(f"序号“{name}”对应 {len(found)} 项任务，请加上章节路径，如 二、/（三）/{seq}，或用任务 id")
    return found[0]



def heading_option(doc: LedgerDocument, args: argparse.Namespace) -> str | None:
    if getattr(args, "top", False):
        return None
    if args.heading is None:
        raise LedgerError("请用 --heading 章节 指定位置，或 --top 放在所有章节之外（no heading given）")
    return find_heading(doc, args.heading).id


def run_edit(path: Path, edit) -> object:
    """Open the ledger for writing, run `edit(ledger, doc)`; a refusal names the ledger file."""
    try:
        with Ledger.open(path, wait=2.0) as ledger:
            return edit(ledger, ledger.document())
    except InputError:
        raise
    except LedgerError as exc:
        raise InputError(path, str(exc)) from exc


# ----- the command ----------------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("task", help="添加、删除、移动任务（add, delete, move tasks）",
                                   description="添加、删除、移动任务；序号按台账原有编号方式自动重排，每一步都可撤销。"
                                               "任务可用 id 或序号指定（序号分章节重排时写作 二、/（三）/2）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    add = actions.add_parser("add", help="添加任务", description="在章节末尾（或某任务之前）添加一项任务。")
    _place_options(add)
    add.add_argument("--content", required=True, help="主要内容")
    add.add_argument("--key-work", default=None, help="重点工作")
    add.add_argument("--metric", default=None, help="量化指标")
    add.add_argument("--lead", nargs="+", default=None, metavar="单位", help="牵头单位（可写简称）")
    add.add_argument("--coop", nargs="+", default=None, metavar="单位", help="配合单位")
    add.add_argument("--deadline", default=None, help="完成时限，如 2024年6月底前、长期坚持")
    add.add_argument("--notes", default=None, help="备注")
    add.add_argument("--seq", default=None, help="指定序号（不指定时自动编号）")
    delete = actions.add_parser("delete", help="删除任务（连同其进展，可撤销）",
                                description="删除任务及其牵头/配合安排和进展（记入修改记录，可撤销）。")
    delete.add_argument("tasks", nargs="+", metavar="任务", help="任务 id 或序号")
    move = actions.add_parser("move", help="移动任务到另一章节或位置", description="把任务移到章节末尾或某任务之前。")
    move.add_argument("tasks", nargs="+", metavar="任务", help="任务 id 或序号")
    _place_options(move)
    parser.set_defaults(func=run)


def _place_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--heading", default=None, metavar="章节", help="目标章节（id、标题或编号路径，如 二、/（三））")
    parser.add_argument("--top", action="store_true", help="放在所有章节之外（不属于任何章节）")
    parser.add_argument("--before", default=None, metavar="任务", help="插在此任务之前（须在目标章节中）；默认放在末尾")


def run(args: argparse.Namespace) -> int:
    if args.action == "add":
        return _add(args)
    if args.action == "delete":
        def delete(ledger: Ledger, doc: LedgerDocument) -> list[Task]:
            tasks = [find_task(doc, name) for name in args.tasks]
            ledger.delete_tasks([t.id for t in tasks])
            return tasks

        tasks = run_edit(args.ledger, delete)
        print(f"已删除 {len(tasks)} 项任务：" + "；".join(f"序号{t.seq}“{t.content[:20]}”" for t in tasks))  # type: ignore[union-attr]
        return 0

    def move(ledger: Ledger, doc: LedgerDocument) -> str:
        tasks = [find_task(doc, name) for name in args.tasks]
        heading_id = heading_option(doc, args)
        before = _before(doc, args.before, heading_id)
        ledger.move_tasks([t.id for t in tasks], heading_id, before=before)
        moved = ledger.tasks([t.id for t in tasks])
        return "；".join(f"序号{t.seq}“{t.content[:20]}”" for t in moved)

    print(f"已移动：{run_edit(args.ledger, move)}")
    return 0


def _before(doc: LedgerDocument, name: str | None, heading_id: str | None) -> str | None:
    if name is None:
        return None
    scoped = [t for t in doc.tasks if t.heading_id == heading_id]
    try:
        return find_task(LedgerDocument(tasks=scoped, headings=doc.headings), name).id
    except LedgerError:
        return find_task(doc, name).id  # not in that heading: the facade says so


def _add(args: argparse.Namespace) -> int:
    def add(ledger: Ledger, doc: LedgerDocument) -> Task:
        heading_id = heading_option(doc, args)
        fields: dict = {"content": args.content}
        for option, name in (("key_work", "key_work"), ("metric", "metric"), ("notes", "notes"), ("seq", "seq")):
            if getattr(args, option) is not None:
                fields[name] = getattr(args, option)
        if args.lead:
            fields["lead_units"] = resolve_units(doc, args.lead)
        if args.coop:
            fields["coop_units"] = [u for u in resolve_units(doc, args.coop) if u not in fields.get("lead_units", [])]
        if args.deadline is not None:
            fields["deadline"] = parse_deadline(args.deadline, year=doc.year)
        changes = ledger.add_task(heading_id, before=_before(doc, args.before, heading_id), **fields)
        return ledger.tasks(list(changes.tasks))[0]

    task = run_edit(args.ledger, add)
    print(f"已添加任务：序号{task.seq}“{task.content[:20]}”（id {task.id}）")  # type: ignore[union-attr]
    return 0
