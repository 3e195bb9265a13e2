"""`ledgerdesk scores LEDGER [--round R] [-o OUT.xlsx|OUT.docx] [--json] [--as-of YYYY-MM-DD] [--force]`:
unit scores (考核) per unit and round, by the weights kept in the ledger.

`ledgerdesk scores LEDGER --weights [--json]` shows the weights; `--set-weight KEY=VALUE ...`
changes some (keys or their Chinese names: 按时报送=10 逾期报送=5 未报送=0 每项完成=2
每项逾期未完成=-2 每项退回修改=-1; one undoable batch, every value checked first).
The rules are app/core/scores.py's docstring.

`-o` writes the table: .xlsx (sheet 汇总, then one per round; the weights above each table) or .docx
(official layout); an existing file is refused unless --force. Without -o the table is printed.

--json prints one object:
    {"format": "ledgerdesk-scores/1", "as_of": "YYYY-MM-DD",
     "weights": {"on_time": 10, "late": 5, "missing": 0, "done": 2, "overdue": -2, "rework": -1},
     "rounds": [{"name", "due", "units": [{"unit", "round", "state" (on_time|late|missing|held|not_sent),
                 "label", "returned_at", "done", "overdue", "rework", "score"}]}],
     "units": [{"unit", "on_time", "late", "missing", "not_sent", "done", "overdue", "rework", "score"}]}
("units": the totals over the rounds, highest score first; with --weights only "format" and "weights",
"labels" the Chinese names.)
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from app.commands.stats import parse_as_of
from app.core.scores import (
    FORMAT_TAG,
    ROUND_COLUMNS,
    SUMMARY_COLUMNS,
    WEIGHT_LABELS,
    ScoreTable,
    ScoreWeights,
    number_text,
    round_values,
    summary_values,
    time_text,
)
from app.errors import InputError, LedgerError
from app.ledger import Ledger
from app.scores import read_weights, score_table, set_weights

OUTPUT_SUFFIXES = (".xlsx", ".docx")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scores", help="单位考核得分（按时报送、完成、逾期、退回修改）",
        description="按台账中的考核权重，逐轮次计算各单位得分：按时/逾期/未报送，完成任务、逾期未完成、退回修改；"
                    "可输出 Excel（.xlsx）或 Word（.docx）。")
    parser.add_argument("ledger", type=Path, help="台账文件")
    parser.add_argument("--round", dest="round_name", default=None, help="只算这一轮次（默认：全部轮次）")
    parser.add_argument("-o", "--output", type=Path, default=None, help="输出文件 .xlsx 或 .docx")
    parser.add_argument("--json", action="store_true", help=f"以 JSON 输出（格式 {FORMAT_TAG}）")
    parser.add_argument("--as-of", type=parse_as_of, default=None, help="统计日期 YYYY-MM-DD（默认今天）")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    parser.add_argument("--weights", action="store_true", help="只显示考核权重")
    parser.add_argument("--set-weight", dest="set_weight", nargs="+", metavar="名称=分值", default=None,
                        help="修改考核权重，如 按时报送=10 每项逾期未完成=-2（可撤销）")
    parser.set_defaults(func=run)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """["按时报送=10", "rework=-1"] → {"按时报送": "10", "rework": "-1"} (checked by app.scores)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.replace("＝", "=").partition("=")
        if not sep or not name.strip() or not value.strip():
            raise LedgerError(f"考核权重应写成“名称=分值”，如 按时报送=10：{item}")
        out[name.strip()] = value.strip()
    return out


def _check_output(out: Path, force: bool) -> None:
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(out, "输出文件应为 .xlsx 或 .docx（output must be .xlsx or .docx）")
    if not out.parent.exists():
        raise InputError(out, "所在文件夹不存在（folder does not exist）")
    if out.exists() and not force:
        raise InputError(out, "文件已存在，未覆盖（file exists; use --force to replace it）")


def weights_json(weights: ScoreWeights) -> dict:
    return {"format": FORMAT_TAG, "weights": weights.to_json(), "labels": WEIGHT_LABELS}


def run(args: argparse.Namespace) -> int:
    if not args.ledger.is_file():
        raise InputError(args.ledger, "文件不存在（file not found）")
    if args.output is not None:
        _check_output(args.output, args.force)
    if args.set_weight:
        changes = parse_assignments(args.set_weight)
        with Ledger.open(args.ledger, wait=5.0) as ledger:
            set_weights(ledger, changes)
            weights = read_weights(ledger)
        if not (args.output or args.json):
            print(f"已修改考核权重：{weights.describe()}")
            return 0
    if args.weights:
        with Ledger.open(args.ledger, readonly=True) as ledger:
            weights = read_weights(ledger)
        print(json.dumps(weights_json(weights), ensure_ascii=False, indent=2) if args.json
              else f"考核权重：{weights.describe()}")
        return 0
    as_of = args.as_of or date.today()
    with Ledger.open(args.ledger, readonly=True) as ledger:
        table = score_table(ledger, as_of=as_of, round_name=args.round_name)
        title = ledger.title
    if args.output is not None:
        _write(table, args.output, title)
    if args.json:
        data = table.to_json()
        data["output"] = str(args.output) if args.output else None
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif args.output is not None:
        print(f"已生成：{args.output}（{len(table.totals)} 个单位，{len(table.rounds)} 个轮次）")
    else:
        print_text(table)
    return 0


def _write(table: ScoreTable, out: Path, title: str) -> None:
    if out.suffix.lower() == ".docx":
        from app.formats.scores_docx import write_scores_docx

        write_scores_docx(table, out, ledger_title=title)
    else:
        from app.formats.scores_xlsx import write_scores_xlsx

        write_scores_xlsx(table, out, ledger_title=title)


def print_text(table: ScoreTable) -> None:
    print(f"考核权重：{table.weights.describe()}")
    print(f"统计日期：{table.as_of.isoformat()}")
    for info in table.rounds:
        print(f"\n{info.name}（报送截止：{info.due.isoformat() if info.due else '未设'}）")
        print("  " + "\t".join(ROUND_COLUMNS[1:]))
        for v in round_values(table, info.name):
            print("  " + "\t".join([v[1], v[2], time_text(v[3]) or "—", *map(str, v[4:7]), number_text(v[7])]))
    print("\n汇总")
    print("  " + "\t".join(SUMMARY_COLUMNS))
    for v in summary_values(table):
        print("  " + "\t".join([*map(str, v[:8]), number_text(v[8])]))
