"""Opening a ledger file: validation, single-writer lock, backups, migrations.

The only module that knows the ledger is SQLite. A ledger stays one file at rest:
rollback journal (no WAL side files), and the lock file next to it is removed on close.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import sessionmaker

from app.errors import LedgerFileError
from app.resources import install_root

SQLITE_MAGIC = b"SQLite format 3\x00"
LEDGER_SUFFIX = ".ledger"


def migrations_dir() -> Path:
    """db/ beside the app package, or inside a PyInstaller bundle."""
    return install_root() / "db"


def alembic_config():  # noqa: ANN201 - alembic.config.Config, imported only when migrating
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


def make_engine(path: Path, *, readonly: bool = False) -> Engine:
    """An engine with foreign keys on, rollback journal and full sync."""
    if readonly:
        uri = f"file:{path.resolve().as_posix()}?mode=ro"
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    else:
        engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def check_is_ledger_file(path: Path) -> None:
    """Refuse anything that is not an SQLite file with our tables, before touching it."""
    if not path.exists():
        raise LedgerFileError(path, "文件不存在（file not found）")
    if path.is_dir():
        raise LedgerFileError(path, "这是一个文件夹，不是台账文件（is a folder）")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if len(head) == 0:
        raise LedgerFileError(path, "文件是空的，不是台账文件（empty file, not a ledger）")
    if head != SQLITE_MAGIC:
        raise LedgerFileError(path, "不是台账通台账文件（not a LedgerDesk ledger）")
    recover_interrupted_write(path)
    try:
        con = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise LedgerFileError(path, f"台账文件已损坏或无法读取（corrupt: {exc}）") from exc
    if "ledger_info" not in tables or revision is None:
        raise LedgerFileError(path, "是数据库文件，但不是台账通台账（SQLite file, not a LedgerDesk ledger）")
    if revision not in known_revisions():
        raise LedgerFileError(
            path, "此台账由更新版本的台账通创建，请升级程序后再打开（written by a newer LedgerDesk version）"
        )


def recover_interrupted_write(path: Path) -> None:
    """Roll back what a writer killed inside a commit left (a hot `-journal` beside the ledger).

    SQLite restores the old pages on the first read-write open; a read-only probe cannot, and
    would call the ledger corrupt. Skipped while a live writer holds the lock: the journal is its.
    """
    journal = path.with_name(path.name + "-journal")
    if not journal.exists() or journal.stat().st_size == 0:
        return
    lock = FileLock(path)
    try:
        lock.acquire()
    except LedgerFileError:
        return
    try:
        con = sqlite3.connect(str(path))
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise LedgerFileError(path, f"台账文件已损坏，无法恢复中断的写入（corrupt: {exc}）") from exc
    finally:
        lock.release()


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


def ensure_current_schema(engine: Engine, path: Path) -> Path | None:
    """Upgrade an older ledger after backing it up; returns the backup path if one was made."""
    revision = current_revision(engine)
    if revision == head_revision():
        return None
    backup = backup_copy(engine, migration_backup_path(path, revision))
    upgrade(engine)
    return backup


def current_schema_view(path: Path) -> Path | None:
    """For reading an older ledger without changing it: an upgraded copy in a temp folder (None if current)."""
    import shutil
    import tempfile

    probe = make_engine(path, readonly=True)
    try:
        revision = current_revision(probe)
    finally:
        probe.dispose()
    if revision == head_revision():
        return None
    folder = Path(tempfile.mkdtemp(prefix="ledgerdesk-view-"))
    copy = folder / path.name
    shutil.copyfile(path, copy)
    engine = make_engine(copy)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return copy


def discard_view(copy: Path) -> None:
    import shutil

    shutil.rmtree(copy.parent, ignore_errors=True)


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

    def _try_acquire(self):  # noqa: ANN202 - an open binary file
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
