"""Is this file a whole ledger? Checks run on open and on read, and the one-line refusals they give.

SQLite keeps pages intact but not meaning. A disk or USB stick can damage pages; another tool can
drop a table, empty the metadata row or make a heading its own ancestor, and walking up such a
heading tree never ends. The program assumes a sound file everywhere, so the file is checked once
where it is opened (and the heading tree again where it is read) and refused with one Chinese line
naming it, saying it is damaged and where the backups are, instead of SQL text or a runaway loop.
"""

from __future__ import annotations

import glob
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from app.errors import LedgerFileError

MAX_HEADING_DEPTH = 32  # 一、（一）1.（1）① … real plans use four or five levels
CONNECTION_PATH_KEY = "ledger_path"  # in a pooled connection's `info`: the file to name in a refusal

_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_BUSY_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")
_IO_CODES = ("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM")
_DAMAGE_TEXT = ("malformed", "not a database", "unsupported file format")
_UNDECODABLE = re.compile(r"could not decode to utf-8 column '([^']*)'", re.IGNORECASE)


# ------------------------------------------------------------------------------ messages
def one_line(text: object) -> str:
    """A reason that cannot break the one-line contract (SQLite and SQLAlchemy texts span lines)."""
    return " ".join(str(text).split())[:200]


def backup_hint(path: Path) -> str:
    """Where this ledger's backups are: `<stem>_备份/` (bulk work) and `<stem>.v*.bak.ledger` (upgrades)."""
    folder = path.with_name(f"{path.stem}_备份")
    pattern = f"{glob.escape(path.stem)}.v*.bak{path.suffix}"
    found = []
    if folder.is_dir():
        count = sum(1 for p in folder.iterdir() if p.is_file())
        found.append(f"「{folder.name}」文件夹（{count} 份）")
    upgrades = sorted(p.name for p in path.parent.glob(pattern))
    if upgrades:
        found.append(f"升级前备份 {upgrades[-1]}" + (f" 等 {len(upgrades)} 份" if len(upgrades) > 1 else ""))
    if found:
        return "可从同一文件夹中的备份恢复：" + "、".join(found)
    return f"同一文件夹中没有找到备份（「{folder.name}」文件夹或 {path.stem}.v*.bak{path.suffix}）"


def damaged(path: Path, reason: object) -> LedgerFileError:
    return LedgerFileError(path, f"台账文件已损坏（{one_line(reason)}），请勿继续使用；{backup_hint(path)}")


def not_a_ledger(path: Path) -> LedgerFileError:
    """A database of some other program; if a backup of this name exists, it may be our ledger, damaged."""
    message = "是数据库文件，但不是台账通台账（SQLite file, not a LedgerDesk ledger）"
    hint = backup_hint(path)
    if hint.startswith("可从"):
        message += f"；若它原是台账，则已损坏，{hint}"
    return LedgerFileError(path, message)


def file_error(path: Path, exc: BaseException) -> LedgerFileError | None:
    """The refusal a SQLite error means for the user, or None when it is a program error (a bug)."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    undecodable = _UNDECODABLE.search(str(exc))
    if undecodable:  # the bytes of a text cell changed: the pages are sound, the text is not
        return damaged(path, f"“{undecodable.group(1)}”列中的文字不是有效的 UTF-8 编码")
    if name.startswith(_DAMAGE_CODES) or any(t in text for t in _DAMAGE_TEXT):
        return damaged(path, f"{exc}")
    if name.startswith(_BUSY_CODES) or "database is locked" in text:
        return LedgerFileError(path, "台账正被另一个程序写入，请稍后再试（database is locked）")
    if name.startswith(_IO_CODES) or "disk i/o error" in text or "unable to open" in text:
        return LedgerFileError(path, f"无法读写台账文件，请检查磁盘或U盘（{one_line(exc)}）")
    return None


# ------------------------------------------------------------------------------ checks
def quick_check(con: sqlite3.Connection, path: Path) -> None:
    """SQLite's own page check: O(pages), a few ms per MB, and it catches what reads would trip over."""
    result = con.execute("PRAGMA quick_check(1)").fetchone()
    if not result or result[0] != "ok":
        found = (result[0] if result else "?").replace("*** in database main ***", "")
        raise damaged(path, f"quick_check: {found}")


def check_content(con: sqlite3.Connection, path: Path) -> None:
    """A current-schema ledger whose tables, metadata row and heading tree the program can rely on."""
    check_schema(con, path)
    rows = con.execute("SELECT count(*) FROM ledger_info").fetchone()[0]
    if rows != 1:
        raise damaged(path, f"台账信息有 {rows} 行，应为 1 行")
    rows = con.execute("SELECT id, parent_id, number, title FROM heading").fetchall()
    problem = heading_tree_problem((hid, parent, f"{number}{title}") for hid, parent, number, title in rows)
    if problem:
        raise damaged(path, problem)


def check_schema(con: sqlite3.Connection, path: Path) -> None:
    """Every table and column the models read (another tool may have dropped some)."""
    from app.store.orm import Base  # the models are the program's expectation of the file

    for table in Base.metadata.sorted_tables:
        have = {row[1] for row in con.execute(f"PRAGMA table_info('{table.name}')")}
        if not have:
            raise damaged(path, f"缺少数据表 {table.name}")
        missing = sorted(c.name for c in table.columns if c.name not in have)
        if missing:
            raise damaged(path, f"数据表 {table.name} 缺少列 {'、'.join(missing)}")


def heading_tree_problem(headings: Iterable[tuple[str, str | None, str]]) -> str | None:
    """What is wrong with (id, parent_id, label) rows as a tree, or None; O(n) however they are linked."""
    nodes = {hid: (parent, label) for hid, parent, label in headings}
    for hid, (parent, label) in nodes.items():
        if parent is not None and parent not in nodes:
            return f"标题“{_short(label)}”的上级标题不存在"
    depth: dict[str, int] = {}
    for start in nodes:
        chain: list[str] = []
        on_chain: set[str] = set()
        node: str | None = start
        while node is not None and node not in depth:
            if node in on_chain:
                return f"标题层级成环（“{_short(nodes[node][1])}”是自己的上级）"
            chain.append(node)
            on_chain.add(node)
            node = nodes[node][0]
        below = 0 if node is None else depth[node]
        for offset, hid in enumerate(reversed(chain), start=1):
            depth[hid] = below + offset
            if depth[hid] > MAX_HEADING_DEPTH:
                return f"标题层级超过 {MAX_HEADING_DEPTH} 层（“{_short(nodes[hid][1])}”）"
    return None


def check_headings(session, headings: list) -> None:
    """The heading tree as read (read_document): a cycle would make every walk up to the root endless."""
    problem = heading_tree_problem((h.id, h.parent_id, h.label) for h in headings)
    if problem:
        shown = session.connection().info.get(CONNECTION_PATH_KEY, "台账")
        raise damaged(Path(shown), problem)


def _short(label: str) -> str:
    label = one_line(label)
    return label if len(label) <= 20 else label[:19] + "…"
