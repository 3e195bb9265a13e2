"""`ledgerdesk demo [-o DIR] [--no-gui]`: the whole loop on demo data made from the real seeds.

Imports the Xiji 2023 ledger table shipped in resources/demo, writes the ledger, the
standard table (xlsx, docx, json) and one return sheet per unit, says where, then
opens the window when there is a display (headless otherwise).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.resources import demo_dir

DEMO_SOURCE = "000_0bb927241a205331.txt"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="用演示数据跑通全流程（run the whole loop on demo data）",
                                   description="用 resources/demo 中的真实台账建立台账、导出标准台账表、生成报送表。")
    parser.add_argument("-o", "--output", type=Path, default=Path("demo_output"), help="输出目录（默认 ./demo_output）")
    parser.add_argument("--no-gui", action="store_true", help="只运行命令行流程，不打开窗口")
    parser.set_defaults(func=run)


def run_headless(out: Path) -> dict[str, Path]:
    """Import → ledger → standard table (xlsx, docx, json) → return sheets; returns what was written."""
    from app.commands.export import export_document
    from app.formats.plan import read_plan
    from app.ledger import Ledger
    from app.sending import make_sheets

    out.mkdir(parents=True, exist_ok=True)
    doc = read_plan(demo_dir() / DEMO_SOURCE)
    ledger_path = out / "西吉县2023年政务公开台账.ledger"
    written: dict[str, Path] = {"台账文件（ledger）": ledger_path}
    with Ledger.create_from_document(ledger_path, doc, source=DEMO_SOURCE, overwrite=True) as ledger:
        doc = ledger.document()
        for fmt in ("xlsx", "docx", "json"):
            target = out / f"标准台账.{fmt}"
            export_document(doc, target, fmt)
            written[f"标准台账（{fmt}）"] = target
        sheets_dir = out / "报送表"
        sheets = make_sheets(ledger, sheets_dir)
        written[f"报送表 {len(sheets)} 份（return sheets）"] = sheets_dir
    return written


def run(args: argparse.Namespace) -> int:
    written = run_headless(args.output)
    print("演示完成，文件位置（demo written to）：")
    for label, path in written.items():
        print(f"  {label}：{path.resolve()}")
    if args.no_gui:
        return 0
    from app.ui.app import run_gui, window_unavailable_reason

    reason = window_unavailable_reason()
    if reason:
        print(f"{reason}，未打开窗口；以上命令行流程已完成（the window was not opened）。")
        return 0

    return run_gui(next(iter(written.values())))
