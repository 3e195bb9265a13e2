"""Send return sheets to units: pick or add the round, choose the units, write one file each (no Qt).

The merge of what comes back lives in app/returns.py. Sheets made from a ledger carry the
review columns (审核意见 with the office's note per task, `Ledger.review_notes`, and the fill-in
申请延期至 / 延期理由); a liaison file carries the unit's open 退回修改 reasons
(`Ledger.rework_notes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from app.core.dispatch import Dispatch
from app.core.records import LedgerDocument, Round
from app.core.sheet_scope import match_unit, sheet_units
from app.errors import InputError, LedgerError, LedgerFileError
from app.formats.returns import (
    Stamp,
    dispatch_for,
    docx_writer,
    liaison_file_name,
    load_liaison_file,
    sheet_file_names,
    write_liaison_file,
    xlsx_writer,
)
from app.formats.returns.layout import due_text
from app.formats.safe_names import FileName
from app.ledger import Ledger

Progress = Callable[[int, int], None]  # (sheets written, sheets in all)

DEFAULT_ROUND = "第一次报送"

def pick_round(doc: LedgerDocument, round_name: str | None, *, today: date | None = None) -> str:
    """The named round, else the next round due today or later, else the last one."""
    names = [r.name for r in doc.rounds]
    if round_name:
        if round_name not in names:
            raise LedgerError(f"报送轮次“{round_name}”不存在（unknown round）；已有：{'、'.join(names) or '无'}")
        return round_name
    today = today or date.today()
    upcoming = sorted((r for r in doc.rounds if r.due and r.due >= today), key=lambda r: r.due)
    if upcoming:
        return upcoming[0].name
    return names[-1]


def round_to_add(doc: LedgerDocument, round_name: str | None, *, add: bool = False) -> str | None:
    """The round that must be added before sheets or packages go out, or None when it exists.

    A ledger without rounds (every `new` ledger, plans that name none) gets the named
    round, else "第一次报送". A ledger with rounds gets a name it lacks only when asked
    (`add`: --add-round or --due), so a mistyped round is an error, not a new round.
    """
    names = [r.name for r in doc.rounds]
    if round_name and round_name in names:
        return None
    if not names:
        return round_name or DEFAULT_ROUND
    if round_name and add:
        return round_name
    if round_name:
        pick_round(doc, round_name)  # raises: unknown round, naming the ones there are
    return None


def with_round(doc: LedgerDocument, name: str | None, due: date | None = None) -> LedgerDocument:
    """`doc` with the round appended (in memory: files are written before the ledger changes)."""
    if not name:
        return doc
    return replace(doc, rounds=[*doc.rounds, Round(name, due)])


def resolve_sheet_units(doc: LedgerDocument, units: list[str] | None, *, include_groups: bool = True,
                        group_sheets: bool = False) -> list[str]:
    """The units to write sheets for: those named (canonical name, alias or short name), else every unit
    with tasks; group pseudo-units ("各部门（单位）") only with `group_sheets` or when named."""
    if not units:
        return sheet_units(doc, include_groups=include_groups, group_sheets=group_sheets)
    out = []
    for unit in units:
        resolved = unit if unit in doc.unit_names() else match_unit(doc, unit)[0]
        if resolved is None:
            raise LedgerError(f"单位“{unit}”不在本台账的单位名录中（unknown unit）")
        if resolved not in out:
            out.append(resolved)
    return out


def _missing_dirs(folder: Path) -> list[Path]:
    """The folders `mkdir(parents=True)` would create, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def write_sheets(doc: LedgerDocument, out_dir: str | Path, round_name: str, units: list[str], *, fmt: str = "xlsx",
                 include_groups: bool = True, key: bytes = b"",
                 dispatches: list[Dispatch] | None = None, renamed: list[FileName] | None = None,
                 progress: Progress | None = None,
                 notes: dict[str, dict[str, str]] | None = None) -> list[Path]:
    """Write the sheets into `out_dir`; on any failure remove what was written (and folders made for it).

    `progress(done, total)` is called before each sheet and once all are written; it may raise
    (the window's cancel does) and then everything written so far is removed, nothing recorded.

    Every unit gets its own file: names are made safe and unique first (sheet_file_names), so
    "县:民政局" and "县*民政局" no longer meet in one file; those not simply "单位_轮次" are
    appended to `renamed` for the caller to tell the clerk. With a `key` every sheet is one
    dispatch, signed: its record (with the name written) is appended to `dispatches` for the
    caller to keep in the ledger once all files are written. `notes`: unit → task id → 审核意见;
    with it every sheet has the review columns (layout.py)."""
    if fmt not in ("xlsx", "docx"):
        raise LedgerError(f"不支持的格式 {fmt}（use xlsx or docx）")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(out, "已存在同名文件，不是文件夹（not a folder）")
    names = sheet_file_names(units, round_name, f".{fmt}")
    created = _missing_dirs(out)
    paths: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for done, (unit, name) in enumerate(zip(units, names)):
            if progress is not None:
                progress(done, len(units))
            paths.append(_write_one(doc, unit, round_name, out / name.name, fmt=fmt, include_groups=include_groups,
                                    key=key, dispatches=dispatches,
                                    notes=None if notes is None else notes.get(unit, {})))
        if progress is not None:
            progress(len(units), len(units))
    except BaseException as exc:
        remove_written(paths, created)
        if isinstance(exc, OSError):
            raise InputError(out, f"无法写入填报表（cannot write: {exc.strerror or exc}）") from exc
        raise
    if renamed is not None:
        renamed.extend(n for n in names if n.renamed)
    return paths


def _write_one(doc: LedgerDocument, unit: str, round_name: str, path: Path, *, fmt: str, include_groups: bool,
               key: bytes, dispatches: list[Dispatch] | None, notes: dict[str, str] | None = None) -> Path:
    """One unit's sheet at `path`; its dispatch, naming the file actually written, goes to `dispatches`."""
    dispatch = dispatch_for(doc, unit, round_name, include_groups=include_groups, fmt=fmt)
    stamp = Stamp(dispatch.id, key) if key else None
    if unit not in doc.unit_names():
        raise LedgerError(f"单位“{unit}”不在本台账的单位名录中（unknown unit）")
    writer = {"xlsx": xlsx_writer, "docx": docx_writer}[fmt]
    writer.write(doc, unit, round_name, path, due=due_text(doc, round_name), include_groups=include_groups,
                 stamp=stamp, notes=notes)
    if dispatches is not None and stamp is not None:
        dispatch.file_name = path.name
        dispatches.append(dispatch)
    return path


def remove_written(paths: list[Path], created: list[Path]) -> None:
    """Undo a partly written output: the files, then the folders made for them if left empty."""
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            break


def _round_to_send(ledger: Ledger, round_name: str | None, *, due: date | None,
                   add_round: bool) -> tuple[LedgerDocument, str | None, str]:
    """The ledger's document with the round to send for (appended in memory when it is new), the new
    round's name or None, and the round the files are for."""
    doc = ledger.document()
    new_round = round_to_add(doc, round_name, add=add_round or due is not None)
    doc = with_round(doc, new_round, due)
    return doc, new_round, pick_round(doc, new_round or round_name)


def _require_writable(ledger: Ledger, what: str) -> None:
    """Sending writes the dispatch into the ledger, so a read-only ledger cannot send."""
    if ledger.readonly:
        raise LedgerFileError(ledger.path, f"{what}要在台账中记录发出的内容，但台账以只读方式打开（opened read-only）")


def make_sheets(ledger: Ledger, out_dir: str | Path, *, round_name: str | None = None, fmt: str = "xlsx",
                units: list[str] | None = None, include_groups: bool = True, group_sheets: bool = False,
                due: date | None = None, add_round: bool = False,
                renamed: list[FileName] | None = None, progress: Progress | None = None) -> list[Path]:
    """One return sheet per unit (or per unit named in `units`); returns the files written.

    `progress(done, total)` counts the sheets written (see write_sheets): an exception from it
    (a cancel) leaves no file and no dispatch.

    `renamed` (when given) receives the units whose file name had to be changed (see write_sheets).

    `include_groups`: a unit's sheet also holds the tasks of "各部门（单位）"-like groups it
    belongs to (sheet_scope); `group_sheets`: the group pseudo-units get sheets too.

    Everything is checked before anything is written. The ledger must be open for
    writing: it keeps what it sent (one dispatch per sheet, signed with the ledger's key),
    and adds the round when one must be added (`round_to_add`). The sheets are written
    first, then the dispatches (and the round) recorded in one transaction; if that fails
    the sheets are removed again.
    """
    doc, new_round, name = _round_to_send(ledger, round_name, due=due, add_round=add_round)
    wanted = resolve_sheet_units(doc, units, include_groups=include_groups, group_sheets=group_sheets)
    _require_writable(ledger, "生成报送表")
    created = _missing_dirs(Path(out_dir))
    sent: list[Dispatch] = []
    notes = {unit: ledger.review_notes(unit) for unit in wanted}
    paths = write_sheets(doc, out_dir, name, wanted, fmt=fmt, include_groups=include_groups, key=ledger.secret(),
                         dispatches=sent, renamed=renamed, progress=progress, notes=notes)
    try:
        ledger.record_dispatches(sent, new_round=new_round, due=due)
    except BaseException:
        remove_written(paths, created)
        raise
    return paths


def make_package(ledger: Ledger, unit: str, out: str | Path, *, round_name: str | None = None,
                 include_groups: bool = True, due: date | None = None, add_round: bool = False) -> Path:
    """One unit's liaison file (.ldpkg), signed and kept in the ledger as a dispatch like a sheet.

    The file is written first, then the dispatch (and a new round) recorded in one
    transaction; if that fails the file is removed again."""
    doc, new_round, name = _round_to_send(ledger, round_name, due=due, add_round=add_round)
    _require_writable(ledger, "生成数据包")
    dispatch = dispatch_for(doc, unit, name, include_groups=include_groups, fmt="ldpkg")
    out = package_path(Path(out), unit, name)
    path = write_liaison_file(doc, unit, name, out, include_groups=include_groups,
                              stamp=Stamp(dispatch.id, ledger.secret()), rework=ledger.rework_notes(unit))
    dispatch.file_name = path.name
    try:
        ledger.record_dispatches([dispatch], new_round=new_round, due=due)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def package_path(out: Path, unit: str, round_name: str) -> Path:
    """The file a package goes to: in a folder, the unit's name, never another unit's package
    ("县:民政局" and "县*民政局" both read "县_民政局…": the second gets " (2)")."""
    if not out.is_dir():
        return out
    first = out / liaison_file_name(unit, round_name)
    candidate, n = first, 1
    while candidate.exists() and _package_unit(candidate) != unit:
        n += 1
        candidate = first.with_name(f"{first.stem} ({n}){first.suffix}")
    return candidate


def _package_unit(path: Path) -> str | None:
    try:
        return load_liaison_file(path).unit
    except InputError:
        return None
