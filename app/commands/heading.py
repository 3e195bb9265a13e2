"""`ledgerdesk heading LEDGER add|delete|move …`: add, delete and move headings (章节), headless.

Headings are named by id, label, title or a path of numbers (`二、/（三）`, see task.py). A new or
moved heading is numbered in its level's style (一、 / （一） / 1. …), its siblings renumbered;
deleting a heading deletes its sub-headings and their tasks. Each edit is one undoable batch.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.task import find_heading, run_edit
from app.core.records import Heading, LedgerDocument
from app.errors import LedgerError
from app.ledger import Ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("heading", help="添加、删除、移动章节（add, delete, move headings）",
                                   description="添加、删除、移动章节；章节编号按所在层级的写法自动重排，每一步都可撤销。"
                                               "章节可用 id、标题或编号路径（如 二、/（三））指定。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    add = actions.add_parser("add", help="添加章节", description="在上级章节末尾（或某章节之前）添加章节。")
    add.add_argument("title", help="章节标题（不含编号，编号自动生成）")
    _place_options(add)
    delete = actions.add_parser("delete", help="删除章节（连同下级章节和任务，可撤销）",
                                description="删除章节、其下级章节及其中全部任务和进展（可撤销）。")
    delete.add_argument("heading", metavar="章节", help="章节 id、标题或编号路径")
    move = actions.add_parser("move", help="移动章节（连同下级章节和任务）", description="把章节移到另一上级之下或某章节之前。")
    move.add_argument("heading", metavar="章节", help="章节 id、标题或编号路径")
    _place_options(move)
    parser.set_defaults(func=run)


def _place_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--parent", default=None, metavar="章节", help="上级章节；不写时为一级章节")
    where.add_argument("--top", action="store_true", help="作为一级章节（默认）")
    parser.add_argument("--before", default=None, metavar="章节", help="插在此同级章节之前；默认放在最后")


def _label(heading: Heading) -> str:
    return f"{heading.number}{heading.title}"


def _place(doc: LedgerDocument, args: argparse.Namespace) -> tuple[str | None, str | None]:
    parent = find_heading(doc, args.parent).id if args.parent else None
    if args.before is None:
        return parent, None
    siblings = LedgerDocument(headings=[h for h in doc.headings if h.parent_id == parent])
    try:  # a bare number or title among the siblings first ("（一）" is found under every section)
        return parent, find_heading(siblings, args.before).id
    except LedgerError:
        return parent, find_heading(doc, args.before).id  # elsewhere: the facade says it is no sibling


def run(args: argparse.Namespace) -> int:
    if args.action == "add":
        def add(ledger: Ledger, doc: LedgerDocument) -> Heading:
            parent, before = _place(doc, args)
            changes = ledger.add_heading(parent, args.title, before=before)
            return ledger.document().heading_map()[next(iter(changes.headings))]

        heading = run_edit(args.ledger, add)
        print(f"已添加章节：{_label(heading)}（id {heading.id}）")  # type: ignore[arg-type,union-attr]
        return 0
    if args.action == "delete":
        def delete(ledger: Ledger, doc: LedgerDocument) -> tuple[Heading, int]:
            heading = find_heading(doc, args.heading)
            changes = ledger.delete_heading(heading.id)
            return heading, len([t for t in changes.tasks if t not in {x.id for x in ledger.tasks(list(changes.tasks))}])

        heading, count = run_edit(args.ledger, delete)  # type: ignore[misc]
        print(f"已删除章节：{_label(heading)}（含下级章节，{count} 项任务）")
        return 0

    def move(ledger: Ledger, doc: LedgerDocument) -> Heading:
        heading = find_heading(doc, args.heading)
        parent, before = _place(doc, args)
        ledger.move_heading(heading.id, parent, before=before)
        return ledger.document().heading_map()[heading.id]

    heading = run_edit(args.ledger, move)
    print(f"已移动章节：{_label(heading)}")  # type: ignore[arg-type]
    return 0
