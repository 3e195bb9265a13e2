"""“A command that changes a ledger either completes or changes nothing” — also when it is killed.

A merge process is killed while its transaction is open; the next commands must see the ledger as
it was (or, if the merge got to finish, as merged), never half of it, and must not be blocked by what
the dead process left (a lock file, a rollback journal).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.contract.harness import (
    REPO,
    ROUND1,
    cli_env,
    export_json,
    fill_return_sheet,
    header_index,
    ok,
    run,
    xlsx_rows,
)

UNITS = ("各乡镇人民政府", "各部门（单位）", "县人民政府办公室")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, seed000) -> dict:
    """A seed-000 ledger, its JSON, and three large returned sheets filled on every row."""
    folder = tmp_path_factory.mktemp("crash")
    ledger = folder / "template.ledger"
    shutil.copyfile(seed000.path, ledger)
    ok(run("sheets", ledger, "-o", folder / "sent", "--round", ROUND1, *[a for u in UNITS for a in ("--unit", u)]))
    returned = folder / "returned"
    for sheet in (folder / "sent").iterdir():
        rows = xlsx_rows(sheet)
        h = header_index(rows)
        seqs = [str(r[0]).strip() for r in rows[h + 1:] if r[0] is not None]
        fill_return_sheet(sheet, {s: {"状态": "进行中", "进展落实情况": f"推进中{s}"} for s in seqs}, returned / sheet.name)
    return {"ledger": ledger, "returned": returned, "json": seed000.json, "json_bytes": seed000.json_bytes}


def without_times(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    for task in data["tasks"]:
        for entry in task["progress"]:
            entry.pop("updated_at", None)
    return data


def test_a_merge_killed_in_its_transaction_changes_nothing_and_blocks_nothing(prepared, tmp_path):
    ledger = tmp_path / "台账.ledger"
    shutil.copyfile(prepared["ledger"], ledger)
    journal = ledger.with_name(ledger.name + "-journal")
    proc = subprocess.Popen([sys.executable, "-m", "app", "merge", str(ledger), str(prepared["returned"])],
                            cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if journal.exists() and journal.stat().st_size > 0:  # the merge transaction is writing
            proc.kill()
            break
    proc.wait()
    killed = proc.returncode != 0

    state = without_times(export_json(ledger, tmp_path / "seen.json"))
    if killed:
        assert state == without_times(prepared["json"]), "a killed merge left part of its changes"
    # whatever the dead process left must not stop the next merge from completing
    report = json.loads(ok(run("merge", ledger, prepared["returned"], "--json")).out)
    expected = "merged" if killed else "duplicate"
    assert [f["outcome"] for f in report["files"]] == [expected] * len(UNITS), report["files"]
    assert not journal.exists() and not any(p.suffix in (".lock", ".tmp") for p in ledger.parent.iterdir())


def crash_inside_a_write(path: Path) -> None:
    """What power loss or `kill -9` during a commit leaves: a hot rollback journal beside the file,
    with half-written pages in the ledger itself (forced here by a one-page cache)."""
    code = (
        "import os, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "con.execute('PRAGMA cache_size=1')\n"
        "con.execute('BEGIN IMMEDIATE')\n"
        "for (name,) in con.execute(\"SELECT name FROM sqlite_master WHERE type='table'\").fetchall():\n"
        "    con.execute(f'DELETE FROM \"{name}\"')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert os.path.getsize(str(path) + "-journal") > 0


def test_a_ledger_left_by_a_crashed_writer_opens_as_it_was(prepared, tmp_path):
    ledger = tmp_path / "台账.ledger"
    shutil.copyfile(prepared["ledger"], ledger)
    crash_inside_a_write(ledger)
    ok(run("export", ledger, "--format", "json", "-o", tmp_path / "seen.json"))
    assert (tmp_path / "seen.json").read_bytes() == prepared["json_bytes"]
    report = json.loads(ok(run("merge", ledger, prepared["returned"], "--json")).out)
    assert [f["outcome"] for f in report["files"]] == ["merged"] * len(UNITS)
