"""The automatic upgrade of an older ledger is atomic: kill -9 at any moment leaves a ledger that opens.

A revision-0001 ledger is made with the real migrations and filled through plain SQL (as the
first release wrote it). A child process opens it with `Ledger.open`, which upgrades it, and is
killed: at a random moment (0–300 ms after its imports), and at every step boundary (each SQL
statement on any connection, each file copy, fsync and rename), counted by a first, unkilled run.
After each kill the next open must finish the upgrade, the file must pass `PRAGMA
integrity_check`, hold exactly the old content, keep the original bytes as the one migration
backup, and leave no temporary copy in the ledger's folder or the temp folder.

LEDGERDESK_UPGRADE_KILLS sets the number of random kills (default 12); LEDGERDESK_UPGRADE_SEED the seed;
LEDGERDESK_UPGRADE_STEP_STRIDE=1 kills at every step (default: every third, first and last always).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from app.errors import LedgerFileError
from app.ledger import Ledger
from app.store import file as store_file

REPO = Path(__file__).resolve().parents[2]
RANDOM_KILLS = int(os.environ.get("LEDGERDESK_UPGRADE_KILLS", "12"))
# every STEP_STRIDE-th step is killed in the normal run (the first and last always); 1 = every step
STEP_STRIDE = int(os.environ.get("LEDGERDESK_UPGRADE_STEP_STRIDE", "3"))
SEED = int(os.environ.get("LEDGERDESK_UPGRADE_SEED", "20261201"))
OLD_TABLES = ("ledger_info", "heading", "task", "unit", "unit_alias", "assignment", "round", "progress", "batch",
              "change_log")
pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL of the child is POSIX")

# Opens the ledger after its imports; "READY" tells the parent the upgrade is about to start.
RANDOM_CHILD = r'''
import sys
sys.path.insert(0, {repo!r})
from app.ledger import Ledger
print("READY", flush=True)
Ledger.open(sys.argv[1]).close()
print("DONE", flush=True)
'''

# Kills itself at its N-th step: an SQL statement on any sqlite3 connection (SQLAlchemy's too),
# a file copy, an fsync or a rename. N = 0 runs to the end and reports the number of steps.
STEP_CHILD = r'''
import os, shutil, signal, sqlite3, sys
sys.path.insert(0, {repo!r})
kill_at, count = int(sys.argv[2]), [0]
def step(_sql=None):
    count[0] += 1
    if count[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
real_connect = sqlite3.connect
def connect(*args, **kwargs):
    con = real_connect(*args, **kwargs)
    con.set_trace_callback(step)
    return con
sqlite3.connect = sqlite3.dbapi2.connect = connect
def counted(real):
    def wrapper(*args, **kwargs):
        step()
        return real(*args, **kwargs)
    return wrapper
os.replace, os.fsync, shutil.copyfile = counted(os.replace), counted(os.fsync), counted(shutil.copyfile)
from app.ledger import Ledger
Ledger.open(sys.argv[1]).close()
print("STEPS", count[0], flush=True)
'''


def write_revision_0001_ledger(path: Path, *, tasks: int = 300, units: int = 12, rounds: int = 3) -> None:
    """A filled ledger as the first release wrote it: revision 0001 tables, filled by plain SQL."""
    engine = store_file.make_engine(path)
    store_file.upgrade(engine, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    at = datetime(2023, 9, 8, 10, 0).isoformat(sep=" ")
    con.execute("INSERT INTO ledger_info (id, title, year, office, created_at, modified_at, app_version) "
                "VALUES ('L1', '旧台账', 2023, '县政府办', ?, ?, '0.0.1')", (at, at))
    con.execute("INSERT INTO heading (id, parent_id, number, title, level, position) VALUES ('H1', NULL, '一、', '公开', 1, 0)")
    con.execute("INSERT INTO heading (id, parent_id, number, title, level, position) VALUES ('H2', 'H1', '（一）', '民生', 2, 1)")
    con.executemany("INSERT INTO unit (id, name, kind, liaison, phone, position) VALUES (?, ?, 'department', ?, '', ?)",
                    [(u, f"县第{u}局", f"联系人{u}", u) for u in range(1, units + 1)])
    con.execute("INSERT INTO unit_alias (unit_id, alias) VALUES (1, '一局')")
    con.executemany("INSERT INTO round (id, name, due, position) VALUES (?, ?, NULL, ?)",
                    [(r, f"第{r}次报送", r) for r in range(1, rounds + 1)])
    con.executemany(
        "INSERT INTO task (id, heading_id, position, seq, key_work, content, metric, deadline_text, deadline_date, "
        "deadline_kind, notes) VALUES (?, ?, ?, ?, '重点', ?, '', '2023年12月底', '2023-12-31', 'date', '')",
        [(f"T{t}", "H2" if t % 2 else "H1", t, str(t), f"任务内容{t}：推进政务公开。" * 3) for t in range(tasks)])
    con.executemany("INSERT INTO assignment (task_id, unit_id, role, position) VALUES (?, ?, 'lead', 0)",
                    [(f"T{t}", 1 + t % units) for t in range(tasks)])
    con.executemany(
        "INSERT INTO progress (task_id, unit_id, round_id, status, text, source, updated_at) "
        "VALUES (?, ?, ?, '进行中', ?, 'typed', ?)",
        [(f"T{t}", 1 + t % units, r, f"第{r}次：已推进{t}", at) for t in range(tasks) for r in range(1, rounds + 1)])
    con.execute("INSERT INTO batch (id, kind, source, created_at, meta) VALUES ('B1', 'import', 'plan.txt', ?, '{}')",
                (at,))
    con.executemany("INSERT INTO change_log (batch_id, at, entity, entity_key, field, new) "
                    "VALUES ('B1', ?, 'task', ?, 'create', '{}')", [(at, f'"T{t}"') for t in range(tasks)])
    con.commit()
    con.close()


def content(path: Path) -> dict[str, list]:
    """Every row of the revision-0001 tables, in their 0001 columns (a later revision adds columns)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {}
        for table in OLD_TABLES:
            cols = OLD_COLUMNS[table]
            rows = con.execute(f'SELECT {", ".join(cols)} FROM "{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def _old_columns() -> dict[str, list[str]]:
    folder = Path(tempfile.mkdtemp(prefix="ledgerdesk-test-"))
    try:
        engine = store_file.make_engine(folder / "c.ledger")
        store_file.upgrade(engine, "0001")
        engine.dispose()
        con = sqlite3.connect(folder / "c.ledger")
        cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info('{t}')")] for t in OLD_TABLES}
        con.close()
        return cols
    finally:
        shutil.rmtree(folder)


OLD_COLUMNS = _old_columns()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("old")
    path = folder / "旧台账.ledger"
    write_revision_0001_ledger(path)
    return {"path": path, "bytes": path.read_bytes(), "content": content(path)}


def scenario(root: Path, name: str, template: dict) -> dict:
    """A folder of its own: the 0001 ledger and an empty temp folder for the child."""
    folder = root / name / "ledger"
    temp = root / name / "temp"
    folder.mkdir(parents=True)
    temp.mkdir()
    path = folder / template["path"].name
    path.write_bytes(template["bytes"])
    return {"name": name, "path": path, "temp": temp}


def child_env(temp: Path) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp), QT_QPA_PLATFORM="offscreen")
    env.pop("LEDGERDESK_DEBUG", None)
    return env


def kill_at_random(case: dict, delay: float) -> str:
    """Start the open, wait for its imports, sleep `delay`, SIGKILL; 'finished' if it was done first."""
    proc = subprocess.Popen([sys.executable, "-c", RANDOM_CHILD.format(repo=str(REPO)), str(case["path"])],
                            cwd=REPO, env=child_env(case["temp"]), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == -signal.SIGKILL and "DONE" not in out:
        return "killed"
    assert proc.returncode in (0, -signal.SIGKILL), err
    return "finished"


def kill_at_step(case: dict, step: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", STEP_CHILD.format(repo=str(REPO)), str(case["path"]), str(step)],
                          cwd=REPO, env=child_env(case["temp"]), capture_output=True, text=True, timeout=120,
                          check=False)


def left_over(case: dict) -> str:
    """What the kill left, before anyone opens the ledger again (for the report of outcomes)."""
    folder = case["path"].parent
    names = {p.name for p in folder.iterdir()} - {case["path"].name, case["path"].name + ".lock"}
    backups = [n for n in names if n.endswith(".bak.ledger")]
    scratch = sorted(names - set(backups))
    try:
        con = sqlite3.connect(f"file:{case['path']}?mode=ro", uri=True)
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        con.close()
    except sqlite3.DatabaseError as exc:
        revision = f"unreadable ({exc})"
    if revision == store_file.head_revision():
        return "upgraded"
    if revision != "0001":
        return f"revision {revision}"
    left = [what for what, there in (("a scratch copy", scratch), ("the backup", backups)) if there]
    return f"old file + {' + '.join(left)}" if left else "old file untouched"


def assert_recovers(case: dict, template: dict) -> None:
    """The next open finishes the upgrade; content, backup and folders as promised."""
    path = case["path"]
    tempfile.tempdir = str(case["temp"])
    try:
        with Ledger.open(path) as ledger:
            assert store_file.current_revision(ledger._engine) == store_file.head_revision()
            assert len(ledger.document().tasks) == len(template["content"]["task"])
        with Ledger.open(path, readonly=True) as reader:
            assert reader.title == "旧台账"
    finally:
        tempfile.tempdir = None
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", case["name"]
    con.close()
    assert content(path) == template["content"], f"{case['name']}: content changed"
    names = sorted(p.name for p in path.parent.iterdir())
    backups = [n for n in names if n.endswith(".bak.ledger")]
    assert names == sorted([path.name, *backups]) and len(backups) == 1, f"{case['name']}: {names}"
    assert (path.parent / backups[0]).read_bytes() == template["bytes"], f"{case['name']}: backup is not the original"
    assert list(case["temp"].iterdir()) == [], f"{case['name']}: temp folder {list(case['temp'].iterdir())}"


def run_parallel(func, items: list) -> list:
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(func, items))


def test_kill_at_random_moments_of_the_upgrade_leaves_an_openable_ledger(template, tmp_path):
    rng = random.Random(SEED)
    cases = [scenario(tmp_path, f"random{i:02d}", template) for i in range(RANDOM_KILLS)]
    delays = [rng.uniform(0.0, 0.3) for _ in cases]
    how = run_parallel(lambda pair: kill_at_random(*pair), list(zip(cases, delays)))
    outcomes = Counter(f"{h}: {left_over(c)}" for c, h in zip(cases, how))
    print(f"\nrandom kills (seed {SEED}): {len(cases)}; {dict(outcomes)}")
    for case in cases:
        assert_recovers(case, template)


def test_kill_at_every_step_of_the_upgrade_leaves_an_openable_ledger(template, tmp_path):
    dry = scenario(tmp_path, "dry", template)
    done = kill_at_step(dry, 0)
    assert done.returncode == 0, done.stderr
    steps = int(done.stdout.rsplit("STEPS", 1)[1].split()[0])
    chosen = sorted(set(range(1, steps + 1, STEP_STRIDE)) | {steps})
    cases = [scenario(tmp_path, f"step{n:03d}", template) for n in chosen]
    results = run_parallel(lambda case: kill_at_step(case, int(case["name"][4:])), cases)
    for case, result in zip(cases, results):
        assert result.returncode == -signal.SIGKILL, f"{case['name']}: {result.stderr[-2000:]}"
    outcomes = Counter(left_over(c) for c in cases)
    print(f"\nstep kills: {len(cases)} of {steps} steps; {dict(outcomes)}")
    for case in cases:
        assert_recovers(case, template)


def make_failing_upgrade(path: Path) -> None:
    """A 0001 ledger some other tool gave a `conflict` table: migration 0002 cannot create its own."""
    write_revision_0001_ledger(path, tasks=5)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE conflict (id INTEGER PRIMARY KEY, note TEXT)")
    con.commit()
    con.close()


def test_a_failed_upgrade_changes_nothing_and_leaves_no_copies(tmp_path, monkeypatch):
    folder, temp = tmp_path / "ledger", tmp_path / "temp"
    folder.mkdir()
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = folder / "旧台账.ledger"
    make_failing_upgrade(path)
    before = path.read_bytes()
    for _ in range(3):
        with pytest.raises(LedgerFileError, match="升级") as info:
            Ledger.open(path)
        assert str(info.value).startswith("旧台账.ledger：") and "\n" not in str(info.value)
        with pytest.raises(LedgerFileError, match="升级"):
            Ledger.open(path, readonly=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [path.name]
    assert list(temp.iterdir()) == []
