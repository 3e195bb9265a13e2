"""Damaged, hand-edited and WAL-mode ledgers: one clear Chinese line, nothing changed, nothing left behind.

Damage is made the way disks and other tools make it: a truncated file, bytes flipped inside a page,
a header wiped with zeros, tables dropped or emptied with plain sqlite3, headings edited into a
cycle, a file switched to WAL by another program. Every command must refuse with exactly one line
that names the file, says it is damaged and where the backups are (exit 2); the ledger's bytes stay
as they were; a heading cycle must not make a command run away (checked under a 1 GB address-space
limit and a timeout).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.errors import LedgerFileError
from app.ledger import Ledger
from app.store import file as store_file
from tests.contract.harness import (
    REPO,
    Result,
    assert_unchanged,
    cli_env,
    ok,
    one_line_error,
    run,
    run_many,
    seed,
    snapshot,
    stray_files,
)
from tests.store.test_ledger_file import write_first_revision_ledger

LEDGER = "台账.ledger"
MEMORY_LIMIT = 1 << 30  # RLIMIT_AS of a command run on a ledger with a heading cycle


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / LEDGER
    ok(run("import", seed("000"), "-o", path))
    return path


# ------------------------------------------------------------------------------ damage
def page_of_table(data: bytes, table: str) -> int:
    """The root page number of `table`, read from a pristine copy."""
    folder = Path(tempfile.mkdtemp(prefix="ledgerdesk-test-"))
    try:
        (folder / "x.db").write_bytes(data)
        con = sqlite3.connect(folder / "x.db")
        page = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        con.close()
        return page
    finally:
        shutil.rmtree(folder)


def page_size(data: bytes) -> int:
    return int.from_bytes(data[16:18], "big")


def truncated(data: bytes) -> bytes:
    return data[: len(data) * 3 // 5 + 123]


def flipped_page_header(data: bytes) -> bytes:
    """The b-tree header of the task table's root page inverted (a bad sector, a flipped bit)."""
    size, page = page_size(data), page_of_table(data, "task")
    out = bytearray(data)
    for i in range((page - 1) * size, (page - 1) * size + 8):
        out[i] ^= 0xFF
    return bytes(out)


def flipped_cell_pointers(data: bytes) -> bytes:
    """Cell pointers of the unit table's page scrambled: reads may still work, quick_check does not."""
    size, page = page_size(data), page_of_table(data, "unit")
    out = bytearray(data)
    for i in range((page - 1) * size + 8, (page - 1) * size + 40):
        out[i] ^= 0x5A
    return bytes(out)


def flipped_text_byte(data: bytes) -> bytes:
    """One byte inside a task's text made invalid UTF-8: the b-trees are sound, the text is not."""
    folder = Path(tempfile.mkdtemp(prefix="ledgerdesk-test-"))
    try:
        (folder / "x.db").write_bytes(data)
        con = sqlite3.connect(folder / "x.db")
        content = con.execute("SELECT content FROM task ORDER BY position LIMIT 1").fetchone()[0]
        con.close()
    finally:
        shutil.rmtree(folder)
    at = data.find(content.encode())
    assert at > 0
    out = bytearray(data)
    out[at + 1] = 0xFF
    return bytes(out)


def zeroed_header(data: bytes) -> bytes:
    return bytes(100) + data[100:]


def with_sql(*statements: str) -> Callable[[bytes], bytes]:
    """A ledger edited by another tool through plain sqlite3 (foreign keys off, as sqlite3 has them)."""

    def edit(data: bytes) -> bytes:
        folder = Path(tempfile.mkdtemp(prefix="ledgerdesk-test-"))
        try:
            path = folder / "x.db"
            path.write_bytes(data)
            con = sqlite3.connect(path)
            for statement in statements:
                con.execute(statement)
            con.commit()
            con.close()
            return path.read_bytes()
        finally:
            shutil.rmtree(folder)

    edit.__name__ = "with_sql"
    return edit


def foreign_database(_data: bytes) -> bytes:
    return with_sql("CREATE TABLE t(x)")(b"")


@dataclass(frozen=True)
class Damage:
    id: str
    make: Callable[[bytes], bytes]
    damaged: bool = True  # the line says 损坏 (a foreign database is "not a ledger" instead)


DAMAGES = [
    Damage("truncated", truncated),
    Damage("flipped-page-header", flipped_page_header),
    Damage("flipped-cell-pointers", flipped_cell_pointers),
    Damage("flipped-text-byte", flipped_text_byte),
    Damage("zeroed-header", zeroed_header),
    Damage("table-dropped", with_sql("DROP TABLE progress")),
    Damage("column-dropped", with_sql("ALTER TABLE task DROP COLUMN notes")),
    Damage("info-row-deleted", with_sql("DELETE FROM ledger_info")),
    Damage("version-row-deleted", with_sql("DELETE FROM alembic_version")),
    Damage("foreign-database", foreign_database, damaged=False),
]
COMMANDS = {"stats": ("stats", "{L}"), "export-json": ("export", "{L}", "--format", "json", "-o", "{D}/out.json")}


@pytest.fixture(scope="module")
def damage_outcomes(template, tmp_path_factory) -> dict:
    """Every damage × command in a folder of its own, half of them with a backup folder beside the ledger."""
    root = tmp_path_factory.mktemp("damaged")
    pristine = template.read_bytes()
    jobs, cases = [], []
    for i, damage in enumerate(DAMAGES):
        data = damage.make(pristine)
        for command, argv in COMMANDS.items():
            folder = root / f"{damage.id}-{command}"
            folder.mkdir()
            (folder / LEDGER).write_bytes(data)
            if i % 2:
                (folder / "台账_备份").mkdir()
                (folder / "台账_备份" / "台账.merge-20231001-101500-ab12.ledger").write_bytes(pristine)
            jobs.append(tuple(a.replace("{L}", str(folder / LEDGER)).replace("{D}", str(folder)) for a in argv))
            cases.append((damage, command, folder, snapshot(folder)))
    results = run_many(jobs)
    return {(d.id, c): (r, folder, before, d) for (d, c, folder, before), r in zip(cases, results)}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", [d.id for d in DAMAGES])
def test_a_damaged_ledger_gives_one_line_naming_file_damage_and_backups(damage_outcomes, damage, command):
    result, folder, before, kind = damage_outcomes[(damage, command)]
    assert result.code == 2, str(result)
    line = one_line_error(result, LEDGER)
    assert "sqlalche" not in (result.out + result.err).lower(), str(result)
    if kind.damaged:
        assert "损坏" in line and "备份" in line, line
        if (folder / "台账_备份").exists():
            assert "台账_备份" in line, line
    else:
        assert "不是台账通台账" in line, line
    assert_unchanged(before, folder)
    assert stray_files(folder) == []


def test_the_damage_message_points_at_the_backups_that_exist(template, tmp_path):
    path = tmp_path / LEDGER
    path.write_bytes(truncated(template.read_bytes()))
    (tmp_path / "台账.v0003-20231001-101500.bak.ledger").write_bytes(template.read_bytes())
    (tmp_path / "台账_备份").mkdir()
    for n in range(3):
        (tmp_path / "台账_备份" / f"台账.backup-{n}.ledger").write_bytes(b"x")
    for readonly in (False, True):
        with pytest.raises(LedgerFileError, match="损坏") as info:
            Ledger.open(path, readonly=readonly)
        message = str(info.value)
        assert message.startswith(f"{LEDGER}：") and "\n" not in message
        assert "台账_备份" in message and "3" in message and "台账.v0003-20231001-101500.bak.ledger" in message


def test_damage_found_while_reading_is_one_line_too(template, tmp_path):
    """A ledger that opened fine and is damaged under a reader (another tool wrote into it)."""
    path = tmp_path / LEDGER
    shutil.copyfile(template, path)
    with Ledger.open(path, readonly=True) as ledger:
        path.write_bytes(flipped_page_header(path.read_bytes()))
        with pytest.raises(LedgerFileError, match="损坏") as info:
            ledger.document()
    assert str(info.value).startswith(f"{LEDGER}：") and "\n" not in str(info.value)
    assert "sqlalche" not in str(info.value).lower()


# ------------------------------------------------------------------------------ heading cycles
def heading_ids(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM heading ORDER BY position")]
    con.close()
    return ids


def edit(path: Path, *statements: tuple[str, tuple]) -> None:
    con = sqlite3.connect(path)
    for sql, params in statements:
        con.execute(sql, params)
    con.commit()
    con.close()


def self_parent(path: Path) -> None:
    first = heading_ids(path)[0]
    edit(path, ("UPDATE heading SET parent_id = id WHERE id = ?", (first,)))


def two_cycle(path: Path) -> None:
    a, b = heading_ids(path)[:2]
    edit(path, ("UPDATE heading SET parent_id = ? WHERE id = ?", (b, a)),
         ("UPDATE heading SET parent_id = ? WHERE id = ?", (a, b)))


def dangling_parent(path: Path) -> None:
    first = heading_ids(path)[0]
    edit(path, ("UPDATE heading SET parent_id = 'no-such-heading' WHERE id = ?", (first,)))


def too_deep(path: Path) -> None:
    """A chain of 200 nested headings above the first (no cycle, but deeper than any plan)."""
    first = heading_ids(path)[0]
    rows = [(f"deep{i}", f"deep{i + 1}" if i < 199 else None, f"{i}.", "层", 1, 1000 + i) for i in range(200)]
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO heading (id, parent_id, number, title, level, position) VALUES (?, ?, ?, ?, ?, ?)",
                    rows)
    con.execute("UPDATE heading SET parent_id = 'deep0' WHERE id = ?", (first,))
    con.commit()
    con.close()


HEADING_EDITS = {"self-parent": self_parent, "two-cycle": two_cycle, "dangling-parent": dangling_parent,
                 "too-deep": too_deep}


def limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(*args: object, timeout: float = 60) -> tuple[Result, int]:
    """`python -m app ARGS` under a 1 GB address-space limit; the result and the peak RSS in bytes."""
    argv = [sys.executable, "-m", "app", *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=REPO, env=cli_env(), stdout=out, stderr=err,
                                preexec_fn=limit_memory)  # noqa: PLW1509 - sets a limit, then exec
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                raise AssertionError(f"{' '.join(argv)} ran over {timeout} s")
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Result(argv, proc.returncode, out.read().decode("utf-8"), err.read().decode("utf-8"))
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return result, peak


@pytest.mark.skipif(os.name == "nt", reason="RLIMIT_AS and wait4 are POSIX")
@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(HEADING_EDITS))
def test_a_broken_heading_tree_is_refused_quickly_and_in_little_memory(template, tmp_path, kind, command):
    path = tmp_path / LEDGER
    shutil.copyfile(template, path)
    HEADING_EDITS[kind](path)
    before = snapshot(tmp_path)
    argv = [a.replace("{L}", str(path)).replace("{D}", str(tmp_path)) for a in COMMANDS[command]]
    result, peak = run_limited(*argv)
    assert result.code == 2, str(result)
    line = one_line_error(result, LEDGER)
    assert "标题" in line and "损坏" in line, line
    assert peak < 400 << 20, f"peak RSS {peak >> 20} MB"
    assert_unchanged(before, tmp_path)


def test_a_heading_cycle_made_under_an_open_reader_is_refused_on_read(template, tmp_path):
    path = tmp_path / LEDGER
    shutil.copyfile(template, path)
    with Ledger.open(path, readonly=True) as ledger:
        assert ledger.document().headings
        two_cycle(path)
        with pytest.raises(LedgerFileError, match="标题") as info:
            ledger.document()
    assert str(info.value).startswith(f"{LEDGER}：")


def test_a_broken_heading_tree_is_refused_by_a_writable_open(template, tmp_path):
    path = tmp_path / LEDGER
    shutil.copyfile(template, path)
    self_parent(path)
    before = path.read_bytes()
    with pytest.raises(LedgerFileError, match="标题"):
        Ledger.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [LEDGER]


# ------------------------------------------------------------------------------ WAL mode
def side_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-shm", "-journal")))


def header_mode(path: Path) -> tuple[int, int]:
    """Bytes 18 and 19 of the header: (2, 2) is WAL mode, (1, 1) the rollback journal."""
    data = path.read_bytes()[:20]
    return data[18], data[19]


def to_wal(path: Path) -> None:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    con.close()


def wal_writer_killed(path: Path) -> None:
    """Another tool changes the ledger in WAL mode and dies before a checkpoint: the change is in -wal only."""
    code = ("import os, sqlite3, sys\n"
            "con = sqlite3.connect(sys.argv[1])\n"
            "con.execute('PRAGMA journal_mode=WAL')\n"
            "con.execute('PRAGMA wal_autocheckpoint=0')\n"
            "con.execute(\"UPDATE ledger_info SET title = '改过的台账'\")\n"
            "con.commit()\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert path.with_name(path.name + "-wal").stat().st_size > 0


@pytest.fixture
def temp_folder(tmp_path, monkeypatch) -> Path:
    """tempfile's folder, watched: read-only opens must leave nothing there either."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_wal_ledger_opened_read_only_leaves_no_side_files(template, tmp_path, temp_folder):
    folder = tmp_path / "ledger"
    folder.mkdir()
    path = folder / LEDGER
    shutil.copyfile(template, path)
    expected = Ledger.open(template, readonly=True).document()
    to_wal(path)
    before = path.read_bytes()
    with Ledger.open(path, readonly=True) as ledger:
        assert ledger.document() == expected
    assert side_files(folder) == [] and path.read_bytes() == before
    assert list(temp_folder.iterdir()) == []
    ok(run("stats", path))
    ok(run("export", path, "--format", "json", "-o", tmp_path / "out.json"))
    assert side_files(folder) == [] and path.read_bytes() == before


def test_a_wal_ledger_opened_for_writing_goes_back_to_the_rollback_journal(template, tmp_path, temp_folder):
    path = tmp_path / LEDGER
    shutil.copyfile(template, path)
    expected = Ledger.open(template, readonly=True).document()
    to_wal(path)
    with Ledger.open(path) as ledger:
        assert ledger.document() == expected
    assert side_files(tmp_path) == [] and header_mode(path) == (1, 1)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LEDGER, "temp"])


def test_changes_left_in_a_wal_file_are_read_and_then_folded_in(template, tmp_path, temp_folder):
    folder = tmp_path / "ledger"
    folder.mkdir()
    path = folder / LEDGER
    shutil.copyfile(template, path)
    wal_writer_killed(path)
    left = snapshot(folder)
    with Ledger.open(path, readonly=True) as reader:
        assert reader.title == "改过的台账"
    assert_unchanged(left, folder)  # the other tool's -wal and -shm are its own: neither touched nor removed
    assert list(temp_folder.iterdir()) == []
    with Ledger.open(path) as ledger:
        assert ledger.title == "改过的台账"
        assert len(ledger.document().tasks) == 38
    assert side_files(folder) == [] and header_mode(path) == (1, 1)
    with Ledger.open(path, readonly=True) as reader:
        assert reader.title == "改过的台账"
    assert side_files(folder) == []


def test_an_old_wal_ledger_opened_read_only_is_upgraded_in_a_copy(tmp_path, temp_folder):
    folder = tmp_path / "ledger"
    folder.mkdir()
    path = folder / "old.ledger"
    write_first_revision_ledger(path)
    to_wal(path)
    before = path.read_bytes()
    with Ledger.open(path, readonly=True) as ledger:
        assert [p.text for p in ledger.document().progress] == ["已推进"]
    assert sorted(p.name for p in folder.iterdir()) == ["old.ledger"] and path.read_bytes() == before
    assert list(temp_folder.iterdir()) == []
    with Ledger.open(path) as ledger:
        assert store_file.current_revision(ledger._engine) == store_file.head_revision()
    assert side_files(folder) == [] and header_mode(path) == (1, 1)


def test_a_killed_read_only_view_is_swept_by_the_next_one(tmp_path, temp_folder):
    """A reader killed while it had an old ledger's upgraded copy open leaves it; the next reader removes it."""
    path = tmp_path / "old.ledger"
    write_first_revision_ledger(path)
    code = ("import os, sys\n"
            f"sys.path.insert(0, {str(REPO)!r})\n"
            "from app.ledger import Ledger\n"
            "Ledger.open(sys.argv[1], readonly=True)\n"
            "os._exit(0)\n")
    env = dict(cli_env(), TMPDIR=str(temp_folder))
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, env=env)
    assert len(list(temp_folder.iterdir())) == 1
    with Ledger.open(path, readonly=True) as ledger:
        assert ledger.title == "旧台账"
        assert len(list(temp_folder.iterdir())) == 1  # its own view
    assert list(temp_folder.iterdir()) == []


# ------------------------------------------------------------------------------ names
@pytest.mark.parametrize("folder", ["a#b", "p%20c", "q?x", "台账 #1"])
def test_folder_names_that_look_like_url_syntax_open_the_right_file(tmp_path, temp_folder, folder):
    """`#`, `?` and `%20` are legal in folder names; an SQLite URI or SQLAlchemy URL must not read them."""
    if os.name == "nt" and "?" in folder:
        pytest.skip("Windows forbids ? in names")
    where = tmp_path / folder
    where.mkdir()
    old = where / "old.ledger"
    write_first_revision_ledger(old)
    with Ledger.open(old, readonly=True) as reader:
        assert reader.title == "旧台账"
    with Ledger.open(old) as ledger:
        assert ledger.migration_backup is not None and ledger.migration_backup.parent == where
        assert [p.text for p in ledger.document().progress] == ["已推进"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder, "temp"])
    assert len(list(where.iterdir())) == 2 and list(temp_folder.iterdir()) == []
