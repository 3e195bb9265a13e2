"""Merge 100 returned sheets of 40 rows each; compare with only reading the same files with calamine.

Run by hand:  python bench/bench_merge.py [--units 100] [--rows 40] [--profile]
Targets: the merge of 100 × 40 rows under 5 s on this machine (issue 5), and within 3× of
the floor: reading the same files with calamine plus one sqlite executemany of the rows
into a copy of the ledger (the returns issue). Both figures are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402

from app.core.records import Deadline, LedgerDocument, Round, Task, Unit  # noqa: E402
from app.formats.returns import HEADERS  # noqa: E402
from app.formats.table_in import read_table_rows  # noqa: E402
from app.ledger import Ledger  # noqa: E402
from app.returns import merge_files  # noqa: E402
from app.sending import make_sheets  # noqa: E402


def synthetic(n_units: int, n_rows: int) -> LedgerDocument:
    units = [Unit(f"县第{i:03d}局") for i in range(n_units)]
    doc = LedgerDocument(title="基准台账", year=2023, units=units, rounds=[Round("第一次报送", date(2023, 9, 10))])
    names = [u.name for u in units]
    for i in range(n_rows):
        doc.tasks.append(Task(id=f"task-{i:04d}", seq=str(i + 1), key_work=f"重点工作{i // 5}",
                              content=f"第{i + 1}项任务：推进政务公开标准化规范化建设，及时发布政策解读，回应社会关切。" * 2,
                              metric="查看网站信息发布情况", lead_units=names[:1], coop_units=names[1:],
                              deadline=Deadline("2023年12月底", date(2023, 12, 31), "date")))
    return doc


def fill(path: Path, status_col: int) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    for r in range(header + 1, ws.max_row + 1):
        ws.cell(r, status_col, "进行中")
        ws.cell(r, status_col + 1, f"已按要求推进，第{r}行进展说明。")
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="print the merge's cProfile (top 25)")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ledger_path = folder / "bench.ldg"
        Ledger.create_from_document(ledger_path, synthetic(args.units, args.rows), source="bench").close()
        t0 = time.perf_counter()
        with Ledger.open(ledger_path) as ledger:
            sheets = make_sheets(ledger, folder / "sheets")
        t_sheets = time.perf_counter() - t0
        for path in sheets:
            fill(path, HEADERS.index("状态") + 1)
        rows = args.units * args.rows

        t0 = time.perf_counter()
        for path in sheets:
            read_table_rows(path)
        t_read = time.perf_counter() - t0

        floor_copy = folder / "floor.ldg"
        shutil.copy(ledger_path, floor_copy)
        t0 = time.perf_counter()
        grids = [read_table_rows(path)[0] for path in sheets]
        floor_db = sqlite3.connect(floor_copy)
        with floor_db:
            floor_db.executemany(
                "INSERT INTO change_log (batch_id, at, entity, entity_key, field, old, new) VALUES (?,?,?,?,?,?,?)",
                [("floor", "2023-09-01 00:00:00", "progress", str(r), "", None, "|".join(row))
                 for grid in grids for r, row in enumerate(grid)])
        floor_db.close()
        t_floor = time.perf_counter() - t0

        t0 = time.perf_counter()
        with Ledger.open(ledger_path, readonly=True) as ledger:
            dry = merge_files(ledger, [folder / "sheets"], dry_run=True)
        t_dry = time.perf_counter() - t0

        profiler = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        with Ledger.open(ledger_path) as ledger:
            if profiler:
                profiler.enable()
            report = merge_files(ledger, [folder / "sheets"])
            if profiler:
                profiler.disable()
        t_merge = time.perf_counter() - t0
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(25)

        t0 = time.perf_counter()
        with Ledger.open(ledger_path) as ledger:
            again = merge_files(ledger, [folder / "sheets"])
        t_again = time.perf_counter() - t0

        applied = sum(f.applied for f in report.files)
        assert applied == rows, (applied, rows)
        assert all(f.outcome == "duplicate" for f in again.files)
        assert sum(f.applied for f in dry.files) == rows
        print(f"{len(sheets)} sheets × {args.rows} rows = {rows} rows")
        print(f"make_sheets ({len(sheets)} xlsx):          {t_sheets:6.2f} s")
        print(f"calamine read only:                 {t_read:6.2f} s")
        print(f"merge_files --dry-run:              {t_dry:6.2f} s")
        print(f"floor: calamine read + executemany:  {t_floor:6.2f} s")
        print(f"merge_files (real, {len(report.batches)} batches):    {t_merge:6.2f} s  ({t_merge / t_read:.1f}× reading, "
              f"{t_merge / t_floor:.1f}× the floor)")
        print(f"merge again (all duplicates):       {t_again:6.2f} s")
        print("target < 5 s:", "OK" if t_merge < 5 else "MISSED")
        print("target ≤ 3× the floor:", "OK" if t_merge <= 3 * t_floor else "MISSED")


if __name__ == "__main__":
    main()
