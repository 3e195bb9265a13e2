"""A ledger two rounds into the year, built the way the office works it: sheets sent by
app.sending.make_sheets, filled in with openpyxl as the units would, merged by `ledgerdesk merge`.

Dates are relative to today, since a return's time is its merge time (app/dispatch_status.py):
第一次报送 is due in ten days, so what comes back today is on time; 第二次报送 was due yesterday,
so what comes back today is late.

| unit             | 第一次报送                      | 第二次报送                     |
| 县民政局         | on time: 1 已完成, 4 进行中     | late: 1 已完成, 4 已完成        |
| 县司法局         | on time: 2 进行中 (+1 rework)   | missing                        |
| 县人民政府办公室 | missing                         | late: 3 进行中, 1 (配合) 已完成 |

Tasks: 1 led by 县民政局 (办公室 cooperates), deadline 5 days ago; 2 led by 县司法局, 20 days ago;
3 led by 办公室, 长期坚持; 4 led by 县民政局, in 60 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.cli import main
from app.core.records import Deadline, Heading, LedgerDocument, Round, Task, Unit, new_id
from app.ledger import Ledger
from app.sending import make_sheets
from tests.merge_fixtures import fill_xlsx

R1, R2 = "第一次报送", "第二次报送"
MINZHENG, SIFA, BANGONGSHI = "县民政局", "县司法局", "县人民政府办公室"
UNITS = (MINZHENG, SIFA, BANGONGSHI)
REWORK_REASON = "进展写得太笼统，请补充具体做法和数据"


@dataclass
class Scenario:
    path: Path
    today: date
    task_ids: dict[str, str]  # seq → id


def scores_document(today: date) -> LedgerDocument:
    doc = LedgerDocument(title="考核测试县2026年政务公开工作要点任务落实台账", year=today.year)
    head = Heading(new_id(), "一、", "重点领域信息公开")
    doc.headings = [head]
    doc.units = [Unit(MINZHENG), Unit(SIFA), Unit(BANGONGSHI)]
    doc.rounds = [Round(R1, today + timedelta(days=10)), Round(R2, today - timedelta(days=1))]

    def dated(days: int) -> Deadline:
        day = today + timedelta(days=days)
        return Deadline(f"{day.year}年{day.month}月{day.day}日", day, "date")

    doc.tasks = [
        Task(new_id(), "1", head.id, "民生", "加密社会救助政策推送。", lead_units=[MINZHENG], coop_units=[BANGONGSHI],
             deadline=dated(-5)),
        Task(new_id(), "2", head.id, "法治", "推动法治政府建设信息公开。", lead_units=[SIFA], deadline=dated(-20)),
        Task(new_id(), "3", head.id, "解读", "提升政策解读质量。", lead_units=[BANGONGSHI],
             deadline=Deadline("长期坚持", None, "long_term")),
        Task(new_id(), "4", head.id, "民生", "公开养老服务机构名录。", lead_units=[MINZHENG], deadline=dated(60)),
    ]
    return doc


def _send(path: Path, round_name: str, out: Path) -> dict[str, Path]:
    with Ledger.open(path) as ledger:
        return {p.name.split("_")[0]: p for p in make_sheets(ledger, out, round_name=round_name)}


def _merge(path: Path, files: list[Path]) -> None:
    assert main(["merge", str(path), *map(str, files)]) == 0


def _fill(sheet: Path, rows: dict[str, str], out: Path) -> Path:
    out.parent.mkdir(exist_ok=True)
    return fill_xlsx(sheet, {seq: {"状态": status, "进展落实情况": f"第{seq}项：{status}，已按要求推进。"}
                             for seq, status in rows.items()}, out)


def add_rework(path: Path, task_id: str, unit: str, round_name: str) -> None:
    """The office returns the unit's entry for rework (退回修改)."""
    with Ledger.open(path) as ledger:
        ledger.return_entry(task_id, unit, round_name, reason=REWORK_REASON)


def build(folder: Path, today: date | None = None) -> Scenario:
    today = today or date.today()
    path = folder / "考核.ledger"
    doc = scores_document(today)
    Ledger.create_from_document(path, doc, source="test").close()
    ids = {t.seq: t.id for t in doc.tasks}

    first = _send(path, R1, folder / "sent1")
    assert set(first) == set(UNITS)
    _merge(path, [_fill(first[MINZHENG], {"1": "已完成", "4": "进行中"}, folder / "back1" / first[MINZHENG].name),
                  _fill(first[SIFA], {"2": "进行中"}, folder / "back1" / first[SIFA].name)])
    add_rework(path, ids["2"], SIFA, R1)

    second = _send(path, R2, folder / "sent2")
    _merge(path, [_fill(second[MINZHENG], {"1": "已完成", "4": "已完成"}, folder / "back2" / second[MINZHENG].name),
                  _fill(second[BANGONGSHI], {"3": "进行中", "1": "已完成"},
                        folder / "back2" / second[BANGONGSHI].name)])
    return Scenario(path, today, ids)
