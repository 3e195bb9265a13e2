"""Opening a ledger file: validation, single-writer lock, backups, migrations.

The only module that knows the ledger is SQLite. A ledger stays one file at rest:
rollback journal (no WAL side files), and the lock file next to it is removed on close.
An older ledger is upgraded in a copy that replaces it only once verified, so a kill or a
power cut at any moment leaves the old file or the upgraded one, never half of each.
A read-only open writes nothing beside the ledger: what needs changing is done in a copy in
the temp folder (a "view"), removed on close, or by the next reader if this one was killed.
"""

from __future__ import annotations

import filecmp
import functools
import glob
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import URL, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import sessionmaker

from app.errors import LedgerFileError
from app.formats.atomic import sync_folder
from app.resources import install_root
from app.store import validate

SQLITE_MAGIC = b"SQLite format 3\x00"
LEDGER_SUFFIX = ".ledger"
LEDGER_TABLES = {"ledger_info", "heading", "task", "unit", "round", "progress"}  # any of them: meant as a ledger
VIEW_PREFIX = "ledgerdesk-view-"  # + "<pid>-": a reader's temporary copy in the temp folder
REPLACE_TRIES = 20  # Windows: another program's open handle blocks the rename for a moment


def migrations_dir() -> Path:
    """db/ beside the app package, or inside a PyInstaller bundle."""
    return install_root() / "db"


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


_REVISION_RE = re.compile(r"^(down_revision|revision)\s*=\s*(?:\"([^\"]*)\"|None)", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def _revision_graph() -> dict[str, str | None]:
    """revision → down_revision, read from db/versions without importing alembic.

    Every command checks the file's revision; loading alembic for that costs a fifth of a
    second per command. tests/store checks this agrees with alembic's own reading.
    """
    graph: dict[str, str | None] = {}
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        found = {key: value for key, value in _REVISION_RE.findall(script.read_text(encoding="utf-8"))}
        if "revision" in found:
            graph[found["revision"]] = found.get("down_revision") or None
    return graph


def head_revision() -> str:
    graph = _revision_graph()
    parents = {down for down in graph.values() if down}
    heads = [rev for rev in graph if rev not in parents]
    if len(heads) != 1:
        raise RuntimeError(f"migration scripts have {len(heads)} heads: {heads}")
    return heads[0]


def known_revisions() -> set[str]:
    return set(_revision_graph())


def make_engine(path: Path, *, readonly: bool = False, shown_as: Path | None = None) -> Engine:
    """An engine with foreign keys on, rollback journal and full sync.

    SQLite errors that mean a damaged, busy or unreadable file become a one-line LedgerFileError
    naming `shown_as` (the ledger, when `path` is a temporary view of it), not SQL text."""
    shown = Path(shown_as or path)
    if readonly:
        uri = _read_only_uri(path)
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    else:
        engine = create_engine(_file_url(path))

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, record) -> None:
        record.info[validate.CONNECTION_PATH_KEY] = str(shown)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "handle_error")
    def _as_file_error(context) -> None:
        error = validate.file_error(shown, context.original_exception)
        if error is not None:
            raise error from context.original_exception

    return engine


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def _file_url(path: Path) -> URL:
    """Built, not parsed: in `sqlite:///{path}` a `?` or `%20` in a folder name changes the file opened."""
    return URL.create("sqlite", database=str(path))


def _read_only_uri(path: Path) -> str:
    """`mode=ro` URI; the path quoted, since `?`, `#` and `%` are legal in folder names."""
    return f"file:{quote(path.resolve().as_posix(), safe='/:')}?mode=ro"


# ------------------------------------------------------------------------------ opening
def open_writable(path: Path, *, wait: float = 0.0) -> tuple[Engine, FileLock, Path | None]:
    """Engine and lock of a ledger opened for writing, and its migration backup if it was upgraded now."""
    check_file_header(path)
    lock = FileLock(path)
    lock.acquire(wait=wait)
    try:
        remove_upgrade_leftovers(path)
        if is_wal(path):
            leave_wal_mode(path)
        _roll_back_hot_journal(path)
        revision = probe(path, path)
        backup = upgrade_file(path, revision) if revision != head_revision() else None
        return _connected_engine(path), lock, backup
    except BaseException:
        lock.release()
        raise


def _connected_engine(path: Path) -> Engine:
    """The writable engine, connected now: its pragmas run and fail at open, not at the first edit,
    and it must read the revision just checked (another program may have replaced the file since)."""
    engine = make_engine(path)
    try:
        if current_revision(engine) != head_revision():
            raise LedgerFileError(path, "台账在打开时被其他程序替换，请重新打开（file replaced while opening）")
    except BaseException:
        engine.dispose()
        raise
    return engine


def open_read_only(path: Path) -> tuple[Engine, Path | None]:
    """A read-only engine, and the temporary view it reads when the ledger needed one (None otherwise).

    An older ledger is upgraded in a view; a WAL ledger is read through one too, since SQLite
    would otherwise leave -wal and -shm files beside it that a reader cannot remove."""
    check_file_header(path)
    recover_interrupted_write(path)
    view = make_view(path) if is_wal(path) else None
    try:
        revision = probe(view or path, path)
        if revision != head_revision():
            view = view or make_view(path)
            upgrade_copy(view, path)
        return make_engine(view or path, readonly=True, shown_as=path), view
    except BaseException:
        if view is not None:
            discard_view(view)
        raise


def check_file_header(path: Path) -> None:
    """Refuse what is plainly no ledger, or one whose header was wiped, before SQLite opens it."""
    if not path.exists():
        raise LedgerFileError(path, "文件不存在（file not found）")
    if path.is_dir():
        raise LedgerFileError(path, "这是一个文件夹，不是台账文件（is a folder）")
    with path.open("rb") as fh:
        head = fh.read(512)
    if len(head) == 0:
        raise LedgerFileError(path, "文件是空的，不是台账文件（empty file, not a ledger）")
    if head.startswith(SQLITE_MAGIC):
        return
    if _wiped_sqlite_header(head, path.stat().st_size):
        raise validate.damaged(path, "文件头已被改写: header overwritten")
    raise LedgerFileError(path, "不是台账通台账文件（not a LedgerDesk ledger）")


def _wiped_sqlite_header(head: bytes, size: int) -> bool:
    """Whole pages, page 1's b-tree header intact, the magic zeroed or garbled: an SQLite file, damaged."""
    pages = size >= 1024 and size % 512 == 0 and len(head) > 100 and head[100] in (0x05, 0x0D)
    magic_hit = sum(a == b for a, b in zip(head, SQLITE_MAGIC))
    return pages and (not any(head[:16]) or magic_hit >= len(SQLITE_MAGIC) // 2)


def is_wal(path: Path) -> bool:
    """Header bytes 18 and 19 are 2 in WAL mode (another tool set `PRAGMA journal_mode=WAL`)."""
    with path.open("rb") as fh:
        head = fh.read(20)
    return len(head) == 20 and 2 in (head[18], head[19])


def probe(db: Path, shown: Path) -> str:
    """The schema revision of a ledger file that passes SQLite's page check (content too, if current).

    Read-only: a damaged or foreign file is refused as it is."""
    try:
        con = sqlite3.connect(_read_only_uri(db), uri=True)
        try:
            validate.quick_check(con, shown)
            revision = _revision(con, shown)
            if revision == head_revision():
                validate.check_content(con, shown)
            return revision
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise validate.file_error(shown, exc) or validate.damaged(shown, exc) from exc


def _revision(con: sqlite3.Connection, shown: Path) -> str:
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables & LEDGER_TABLES:
        raise validate.not_a_ledger(shown)
    missing = sorted({"ledger_info", "alembic_version"} - tables)
    if missing:
        raise validate.damaged(shown, f"缺少数据表 {'、'.join(missing)}")
    rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    if len(rows) != 1:
        raise validate.damaged(shown, f"版本记录有 {len(rows)} 行，应为 1 行")
    revision = rows[0][0]
    if revision not in known_revisions():
        raise LedgerFileError(
            shown, "此台账由更新版本的台账通创建，请升级程序后再打开（written by a newer LedgerDesk version）"
        )
    return revision


# ------------------------------------------------------------------------------ journals
def leave_wal_mode(path: Path) -> None:
    """Back to the rollback journal, folding what -wal holds into the file (called holding the lock)."""
    try:
        con = sqlite3.connect(str(path), isolation_level=None)
        try:
            validate.quick_check(con, path)
            mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise validate.file_error(path, exc) or validate.damaged(path, exc) from exc
    if str(mode).lower() != "delete":
        raise LedgerFileError(path, "台账正被另一个程序以 WAL 方式打开，请先关闭它（open in WAL mode elsewhere）")


def recover_interrupted_write(path: Path) -> None:
    """Roll back what a writer killed inside a commit left (a hot `-journal` beside the ledger).

    SQLite restores the old pages on the first read-write open; a read-only probe cannot, and
    would call the ledger corrupt. Skipped while a live writer holds the lock: the journal is its.
    """
    if not _has_journal(path):
        return
    lock = FileLock(path)
    try:
        lock.acquire()
    except LedgerFileError:
        return
    try:
        _roll_back_hot_journal(path)
    finally:
        lock.release()


def _has_journal(path: Path) -> bool:
    journal = path.with_name(path.name + "-journal")
    return journal.exists() and journal.stat().st_size > 0


def _roll_back_hot_journal(path: Path) -> None:
    """The read-write open SQLite needs to restore a hot journal; the caller holds the lock."""
    if not _has_journal(path):
        return
    try:
        con = sqlite3.connect(str(path))
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise validate.damaged(path, f"无法恢复中断的写入：{exc}") from exc


# ------------------------------------------------------------------------------ migrations
def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def upgrade_file(path: Path, revision: str) -> Path:
    """Upgrade an older ledger atomically; returns its migration backup (the original, byte for byte).

    pysqlite runs DDL outside the transaction, so an upgrade in place killed between an ALTER and
    the version update left a file no later open could upgrade. Here the upgrade runs in a copy
    beside the ledger (same disk: the rename is atomic) that replaces it only once verified, after
    the original is kept as the backup. Scratch files of a killed try go at the next writable open."""
    work = _scratch_path(path, "upgrade")
    try:
        shutil.copyfile(path, work)
        upgrade_copy(work, path)
        _fsync(work)
        backup = migration_backup(path, revision)
        _swap_in(work, path)
        return backup
    except OSError as exc:
        raise _upgrade_failed(path, exc) from exc
    finally:
        _remove_scratch(work)


def upgrade_copy(db: Path, shown: Path) -> None:
    """Upgrade a private copy to the current schema and check that it came out whole."""
    before = _row_counts(db)
    try:
        engine = _scratch_engine(db)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    except LedgerFileError:
        raise
    except Exception as exc:  # SQL, alembic or OS: the original is untouched either way
        cause = getattr(exc, "orig", None) or exc
        raise validate.file_error(shown, cause) or _upgrade_failed(shown, cause) from exc
    verify_upgraded(db, shown, before)


def verify_upgraded(db: Path, shown: Path, before: dict[str, int]) -> None:
    """An upgraded copy may replace nothing unless whole: integrity, head revision, every row kept."""
    try:
        con = sqlite3.connect(_read_only_uri(db), uri=True)
        try:
            check = con.execute("PRAGMA integrity_check(1)").fetchone()[0]
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
            after = _table_counts(con)
            if check != "ok" or revision is None or revision[0] != head_revision():
                raise _upgrade_failed(shown, f"integrity_check: {check}; revision {revision}")
            lost = sorted(t for t, n in before.items() if after.get(t) != n)
            if lost:
                raise _upgrade_failed(shown, f"升级后行数不符：{'、'.join(lost)}")
            validate.check_content(con, shown)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _upgrade_failed(shown, exc) from exc


def _upgrade_failed(shown: Path, reason: object) -> LedgerFileError:
    return LedgerFileError(shown, f"无法升级旧版台账，原文件未改动（upgrade failed: {validate.one_line(reason)}）")


def _scratch_engine(path: Path) -> Engine:
    """For a copy that is thrown away unless verified: no journal file and no fsync per statement."""
    engine = create_engine(_file_url(path))

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=MEMORY")
        cur.execute("PRAGMA synchronous=OFF")
        cur.close()

    return engine


def _row_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(_read_only_uri(db), uri=True)
    try:
        return _table_counts(con)
    finally:
        con.close()


def _table_counts(con: sqlite3.Connection) -> dict[str, int]:
    query = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    names = [row[0] for row in con.execute(query)]
    return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def migration_backup(path: Path, revision: str) -> Path:
    """The original as `x.v<rev>-<time>.bak.ledger`: made once, however many tries the upgrade takes."""
    pattern = f"{glob.escape(path.stem)}.v{revision}-*.bak{path.suffix}"
    for existing in sorted(path.parent.glob(pattern)):
        if existing.stat().st_size == path.stat().st_size and filecmp.cmp(existing, path, shallow=False):
            return existing
    target = migration_backup_path(path, revision)
    for n in range(2, 100):
        if not target.exists():
            break
        target = path.with_name(f"{path.stem}.v{revision}-{timestamp()}-{n}.bak{path.suffix}")
    tmp = _scratch_path(path, "backup")
    try:
        shutil.copyfile(path, tmp)
        _fsync(tmp)
        os.replace(tmp, target)
    finally:
        _remove_scratch(tmp)
    sync_folder(path.parent)
    return target


def _swap_in(work: Path, path: Path) -> None:
    """Rename the verified copy over the ledger, durably. On Windows a handle another program holds
    on the ledger blocks the rename: retry a moment, then refuse (the original is still whole)."""
    for attempt in range(REPLACE_TRIES):
        try:
            os.replace(work, path)
            break
        except PermissionError as exc:
            if os.name != "nt" or attempt == REPLACE_TRIES - 1:
                raise LedgerFileError(
                    path, "台账正被其他程序打开，升级未完成（原文件未改动），请关闭其他窗口后重试（file in use）"
                ) from exc
            time.sleep(0.1)
    sync_folder(path.parent)


def _scratch_path(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.{kind}-{secrets.token_hex(4)}.tmp")


def remove_upgrade_leftovers(path: Path) -> None:
    """Scratch copies (and their journals) of an upgrade that was killed; ours, since we hold the lock."""
    for kind in ("upgrade", "backup"):
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.{kind}-*"):
            leftover.unlink(missing_ok=True)


def _remove_scratch(scratch: Path) -> None:
    for leftover in (scratch, scratch.with_name(scratch.name + "-journal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------ read-only views
def make_view(path: Path) -> Path:
    """A private copy of the ledger in the temp folder, in the rollback journal, for a read-only open.

    A WAL ledger is copied with its -wal file (committed changes may live only there) and the
    copy switched back; any other through SQLite's backup API, consistent even under a writer."""
    sweep_stale_views()
    folder = Path(tempfile.mkdtemp(prefix=f"{VIEW_PREFIX}{os.getpid()}-"))
    copy = folder / path.name
    try:
        if is_wal(path):
            _copy_wal_ledger(path, copy)
        else:
            _snapshot(path, copy)
        return copy
    except sqlite3.DatabaseError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise validate.file_error(path, exc) or validate.damaged(path, exc) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _copy_wal_ledger(path: Path, copy: Path) -> None:
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    con = sqlite3.connect(str(copy), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        con.close()


def _snapshot(path: Path, copy: Path) -> None:
    source = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        target = sqlite3.connect(str(copy))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def discard_view(copy: Path) -> None:
    if copy.parent.name.startswith(VIEW_PREFIX):
        shutil.rmtree(copy.parent, ignore_errors=True)


def sweep_stale_views() -> None:
    """Remove the views of readers that were killed (their process is gone); live readers keep theirs."""
    for folder in Path(tempfile.gettempdir()).glob(f"{VIEW_PREFIX}*"):
        owner = folder.name[len(VIEW_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _process_alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if os.name == "nt":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_process_alive(pid: int) -> bool:
    """OpenProcess + GetExitCodeProcess (os.kill on Windows would end the process)."""
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists, it is not ours
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


# ------------------------------------------------------------------------------ backups
def backup_copy(engine: Engine, target: Path) -> Path:
    """A consistent snapshot of the open database via SQLite's online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(str(target))
        try:
            raw.driver_connection.backup(dest)
        finally:
            dest.close()
    finally:
        raw.close()
    return target


def timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def migration_backup_path(path: Path, revision: str | None) -> Path:
    """Next to the ledger: 台账.ledger → 台账.v0001-20261124-101500.bak.ledger."""
    return path.with_name(f"{path.stem}.v{revision or '0'}-{timestamp()}.bak{path.suffix}")


class FileLock:
    """An OS-level lock on `<ledger>.lock`, so a second writer gets a clear refusal.

    The lock is held by the OS, not by the file's existence: a lock file left by a
    crash does not block anyone. The file is removed on release.
    """

    def __init__(self, ledger_path: Path) -> None:
        self.path = ledger_path.with_name(ledger_path.name + ".lock")
        self._fh = None

    def acquire(self, *, wait: float = 0.0) -> None:
        """Take the lock, or refuse at once; with `wait`, keep trying that many seconds first
        (short writers such as `sheets` recording what they sent may meet each other)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self._fh = self._try_acquire()
                return
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise LedgerFileError(
                        self.path.with_suffix(""),
                        "台账正被另一个窗口或程序打开，请先关闭它，或以只读方式打开（already open for writing elsewhere）",
                    ) from exc
                time.sleep(0.05)

    def _try_acquire(self):
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                # the holder unlinks the file on release: a lock on an unlinked file locks nothing
                if os.fstat(fh.fileno()).st_ino != os.stat(self.path).st_ino:
                    raise OSError("lock file replaced")
        except OSError:
            fh.close()
            raise
        return fh

    def acquire_and_release(self) -> None:
        """Check that nobody holds the lock (e.g. before replacing the ledger file)."""
        self.acquire()
        self.release()

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            if os.name == "nt":
                import msvcrt

                self._fh.seek(0)
                msvcrt.locking(self._fh.fileno(), msvcrt.LK_UNLCK, 1)
        finally:
            self._fh.close()
            self._fh = None
            try:
                self.path.unlink()
            except OSError:
                pass
