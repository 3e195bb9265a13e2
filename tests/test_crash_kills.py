"""kill -9 at SQL statement boundaries of a merge, a unit edit and an import.

A child process runs one operation with a trace callback on every SQLite connection that
kills the process (SIGKILL, no cleanup) at its N-th statement. After each kill the ledger
must pass `PRAGMA integrity_check`, open, and hold exactly what it held before or exactly
what the finished operation gives (compared as JSON), never anything in between; an import
leaves either no ledger or a whole one. N runs over the operation's statements (counted by
a first, unkilled run), spread evenly, so both the start, the middle of the transaction and
the commit are hit. LEDGERDESK_CRASH_KILLS sets how many kills per scenario (default 8).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.formats.ledger_json import document_to_json
from app.ledger import Ledger
from tests.contract.harness import (
    REPO,
    ROUND1,
    cli_env,
    fill_return_sheet,
    header_index,
    ok,
    run,
    seed,
    xlsx_rows,
)

KILLS = int(os.environ.get("LEDGERDESK_CRASH_KILLS", "4"))
pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL of the child is POSIX")

CHILD = r'''
import json, os, signal, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from sqlalchemy import event
from sqlalchemy.pool import Pool
kill_at = int(sys.argv[1])
count = [0]
def trace(_sql):
    count[0] += 1
    if kill_at and count[0] >= kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
event.listen(Pool, "connect", lambda conn, rec: conn.set_trace_callback(trace))
from app.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print("STATEMENTS", count[0], file=sys.stderr)
'''


def child(argv: list[str], kill_at: int) -> subprocess.CompletedProcess:
    code = CHILD.format(repo=str(REPO), argv=argv)
    return subprocess.run([sys.executable, "-c", code, str(kill_at)], capture_output=True, text=True,
                          env=cli_env(), timeout=120, check=False)


def statements(argv: list[str]) -> int:
    done = child(argv, 0)
    assert done.returncode == 0, done.stderr
    return int(done.stderr.rsplit("STATEMENTS", 1)[1].split()[0])


def state(ledger: Path, tmp: Path) -> dict | None:
    """The ledger's content as JSON (ids and times dropped: a re-import makes new ones), after checking
    it is whole and opens; None if it does not exist."""
    if not ledger.exists():
        return None
    with Ledger.open(ledger) as led:  # a writable open rolls back what a killed writer left
        doc = led.document()
    with sqlite3.connect(ledger) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    data = document_to_json(doc)
    data.pop("ledger_id", None)
    data["headings"] = [{k: v for k, v in h.items() if k not in ("id", "parent_id")} for h in data.get("headings", [])]
    for task in data["tasks"]:
        task.pop("id", None)
        for entry in task["progress"]:
            entry.pop("updated_at", None)
    return data


def kill_points(total: int) -> list[int]:
    points = sorted({max(1, round(total * k / (KILLS + 1))) for k in range(1, KILLS + 1)} | {1, total})
    return points


def run_scenario(tmp_path: Path, template: Path | None, argv_for, name: str) -> dict:
    """Kill the operation at each point; return {point: "before" | "after"}."""
    work = tmp_path / "full"
    work.mkdir()
    ledger = work / "台账.ledger"
    if template is not None:
        shutil.copyfile(template, ledger)
    before = state(ledger, tmp_path)
    total = statements(argv_for(ledger))
    after = state(ledger, tmp_path)
    assert after != before
    outcomes = {}
    for point in kill_points(total):
        folder = tmp_path / f"kill{point}"
        folder.mkdir()
        target = folder / "台账.ledger"
        if template is not None:
            shutil.copyfile(template, target)
        done = child(argv_for(target), point)
        got = state(target, tmp_path)
        assert got in (before, after), f"{name}: killed at statement {point}/{total}: a state in between"
        outcomes[point] = "before" if got == before else "after"
        if done.returncode == -9 and template is None:
            # a killed import may leave its temporary file; the next import to that name removes it
            assert child(argv_for(target), 0).returncode == 0 or target.exists()
            assert not list(folder.glob(".*.tmp")), "a temporary ledger of a killed import was not cleaned up"
    print(f"{name}: {len(outcomes)} kills over {total} statements:", outcomes)
    return outcomes


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("kills")
    ledger = folder / "template.ledger"
    ok(run("import", seed("000"), "-o", ledger))
    ok(run("sheets", ledger, "-o", folder / "sent", "--round", ROUND1, "--unit", "县人民政府办公室",
           "--unit", "县民政局"))
    returned = folder / "returned"
    for sheet in (folder / "sent").iterdir():
        rows = xlsx_rows(sheet)
        h = header_index(rows)
        seqs = [str(r[0]).strip() for r in rows[h + 1:] if r[0] is not None]
        fill_return_sheet(sheet, {s: {"状态": "进行中", "进展落实情况": f"推进中{s}"} for s in seqs}, returned / sheet.name)
    return {"ledger": ledger, "returned": returned}


def test_merge_killed_at_statement_boundaries_is_all_or_nothing(prepared, tmp_path):
    outcomes = run_scenario(tmp_path, prepared["ledger"],
                            lambda led: ["merge", str(led), str(prepared["returned"])], "merge")
    assert "before" in outcomes.values()  # the merge's last statement is its COMMIT: a kill there is "before"


def test_unit_edit_killed_at_statement_boundaries_is_all_or_nothing(prepared, tmp_path):
    outcomes = run_scenario(tmp_path, prepared["ledger"],
                            lambda led: ["units", str(led), "--set", "县民政局", "--liaison", "张三",
                                         "--phone", "0954-1234567"], "units")
    assert "before" in outcomes.values()


def test_import_killed_at_statement_boundaries_leaves_no_ledger_or_a_whole_one(tmp_path):
    outcomes = run_scenario(tmp_path, None, lambda led: ["import", str(seed("000")), "-o", str(led)], "import")
    assert "before" in outcomes.values() and "after" in outcomes.values()
