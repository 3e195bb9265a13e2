"""Time opening ledgers, the checks on open, and the atomic upgrade (run by hand: python bench/bench_ledger_open.py).

Every command opens a ledger, so what the open path checks (SQLite's quick_check, the schema, the
heading tree) must stay a small part of it. Also reports the peak memory of `stats` on a ledger
with a heading cycle (refused at open) next to the same command on the healthy ledger.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.ledger import Ledger  # noqa: E402
from app.store import file as store_file  # noqa: E402
from tests.factories import make_document  # noqa: E402
from tests.store.test_upgrade_crash import write_revision_0001_ledger  # noqa: E402


def _median_ms(func, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _open_close(path: Path, readonly: bool) -> None:
    Ledger.open(path, readonly=readonly).close()


def _upgrade_once(template: bytes, path: Path, readonly: bool) -> None:
    for leftover in path.parent.iterdir():
        leftover.unlink()
    path.write_bytes(template)
    Ledger.open(path, readonly=readonly).close()


def _peak_rss_mb(*args: object) -> tuple[int, float]:
    """Exit code and peak RSS (MB) of `python -m app ARGS`, read with wait4 (POSIX)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "app", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024


def _cold_upgrade_s(path: Path) -> float:
    """A writable open that upgrades, in a fresh interpreter (alembic imported on the way, as for a user)."""
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]); from app.ledger import Ledger; "
            "t = time.perf_counter(); Ledger.open(sys.argv[1]).close(); print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code, str(path), str(REPO)], capture_output=True, text=True,
                          check=True)
    return float(done.stdout.split()[-1])


def main(n_tasks: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        current = root / "current.ledger"
        Ledger.create_from_document(current, make_document(n_tasks), source="bench").close()
        size = current.stat().st_size / 1e6
        print(f"current ledger: {n_tasks} tasks, {size:.1f} MB")
        print(f"  open read-only + close     {_median_ms(lambda: _open_close(current, True)):7.1f} ms")
        print(f"  open writable + close      {_median_ms(lambda: _open_close(current, False)):7.1f} ms")
        print(f"  of which probe (checks)    {_median_ms(lambda: store_file.probe(current, current)):7.1f} ms")

        old = root / "old" / "old.ledger"
        old.parent.mkdir()
        write_revision_0001_ledger(old, tasks=n_tasks, units=30, rounds=4)
        template = old.read_bytes()
        print(f"revision-0001 ledger: {n_tasks} tasks, {len(template) / 1e6:.1f} MB")
        print(f"  writable upgrade, cold     {_cold_upgrade_s(old) * 1000:7.1f} ms (fresh interpreter)")
        print(f"  writable upgrade, warm     {_median_ms(lambda: _upgrade_once(template, old, False), 5):7.1f} ms")
        print(f"  read-only view, warm       {_median_ms(lambda: _upgrade_once(template, old, True), 5):7.1f} ms")

        if os.name != "nt":
            cycle = root / "cycle.ledger"
            shutil.copyfile(current, cycle)
            con = sqlite3.connect(cycle)
            con.execute("UPDATE heading SET parent_id = id WHERE id = (SELECT id FROM heading LIMIT 1)")
            con.commit()
            con.close()
            code, peak = _peak_rss_mb("stats", current)
            print(f"stats, healthy ledger        exit {code}, peak RSS {peak:6.1f} MB")
            code, peak = _peak_rss_mb("stats", cycle)
            print(f"stats, heading cycle         exit {code}, peak RSS {peak:6.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
