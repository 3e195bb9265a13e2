"""The office's year on the seeds: seed 000 imported with the CLI and reported on for two rounds.

`progressed_ledger` gives the seed-000 ledger two rounds of progress from its lead units:
DONE tasks finished in round 2 (task 7 is long-term, finished all the same), task 3 half
done (one of its two lead units), task 10 reported 长期坚持, task 5 still 进行中, task 12
reported 未按期完成; the rest never reported. The tests count from these sets.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.cli import main
from app.core.records import Progress
from app.ledger import Ledger

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SEED_000 = SEEDS / "000_0bb927241a205331.txt"
SEED_003 = SEEDS / "003_034e019e2b7995d9.txt"
ROUND_1, ROUND_2 = "第一次报送", "第二次报送"
DONE = {"1", "2", "7", "11", "18", "26", "27"}
LONG_TERM_REPORTED = "10"
HALF_DONE = "3"
STILL_GOING = "5"
LATE = "12"
SHARED_TEXT = "已完成专栏建设，定期更新。"  # what 26 and 27 both reported
STILL_GOING_TEXT = "正在梳理目录清单，计划次年一季度完成。"
LATE_TEXT = "因平台升级改造，未能按期完成。"
HALF_DONE_TEXTS = {"县民政局": "已推送社会救助政策12条。", "县医保局": "医保政策推送渠道尚在对接。"}


def run_main(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def import_seed(seed: Path, out: Path, capsys) -> Path:
    code, _, err = run_main(capsys, "import", seed, "-o", out)
    assert code == 0, err
    return out


def done_text(seq: str) -> str:
    return SHARED_TEXT if seq in ("26", "27") else f"第{seq}项已落实，相关信息已在县人民政府门户网站公开。"


def add_two_rounds(path: Path) -> None:
    """Write the progress described in the module docstring, one batch per round."""
    with Ledger.open(path) as ledger:
        doc = ledger.document()
        by_seq = {t.seq: t for t in doc.tasks}
        first: list[Progress] = []
        second: list[Progress] = []

        def both(seq: str, unit: str, r1: tuple[str, str], r2: tuple[str, str]) -> None:
            tid = by_seq[seq].id
            first.append(Progress(tid, unit, ROUND_1, status=r1[0], text=r1[1], updated_at=datetime(2023, 9, 8)))
            second.append(Progress(tid, unit, ROUND_2, status=r2[0], text=r2[1], updated_at=datetime(2023, 11, 28)))

        for seq in sorted(DONE, key=int):
            for unit in by_seq[seq].lead_units:
                both(seq, unit, ("进行中", "正在推进。"), ("已完成", done_text(seq)))
        both(HALF_DONE, "县民政局", ("进行中", "正在推进。"), ("已完成", HALF_DONE_TEXTS["县民政局"]))
        both(HALF_DONE, "县医保局", ("进行中", "正在推进。"), ("进行中", HALF_DONE_TEXTS["县医保局"]))
        for unit in by_seq[LONG_TERM_REPORTED].lead_units:
            both(LONG_TERM_REPORTED, unit, ("长期坚持", "按季度公开。"), ("长期坚持", "按季度公开重点任务执行情况。"))
        for unit in by_seq[STILL_GOING].lead_units:
            both(STILL_GOING, unit, ("未开始", ""), ("进行中", STILL_GOING_TEXT))
        for unit in by_seq[LATE].lead_units:
            both(LATE, unit, ("进行中", "正在建设。"), ("未按期完成", LATE_TEXT))
        ledger.apply_progress(first, kind="edit", source="第一次报送汇总")
        ledger.apply_progress(second, kind="edit", source="第二次报送汇总")


def progressed_ledger(folder: Path, capsys, name: str = "西吉2023.ledger") -> Path:
    path = import_seed(SEED_000, folder / name, capsys)
    add_two_rounds(path)
    return path
