"""Which dispatch a returned file answers, and whether its hidden data can be trusted (no Qt).

Trust the ledger, not the file: the unit, round and base values come from the ledger's
dispatch record. The file's hidden data only names the dispatch; its signature (made with
the ledger's secret, see app/formats/returns/signature.py) shows whether the hidden data
was changed since. A file whose signature fails, or whose hidden unit, file name or title
line disagree with the dispatch, is not merged silently: its rows are held for review.

Files without a dispatch id (sheets made before dispatches existed, rows pasted into a new
workbook) are identified as before, by hidden data or by file name and title, and take
their base from the unit's latest dispatch of the round when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.dispatch import Dispatch, DispatchRow
from app.core.records import LedgerDocument, Round
from app.core.sheet_scope import match_unit
from app.core.text import normalize_for_match
from app.core.units import UnitDirectory
from app.formats.returns import ReturnedSheet, signature

HIDDEN_UNIT_CELL = "隐藏工作表“_ledgerdesk”中“unit”一行的 B 列"


@dataclass
class Identity:
    """What the merge needs to know about a returned file before it looks at its rows."""

    unit: str
    round: str
    how: str  # "隐藏数据" (naming a dispatch, or an old sheet's unit), or how the file name / title named it
    dispatch: Dispatch | None = None
    sent: dict[str, DispatchRow] = field(default_factory=dict)  # task id → the row as sent (the base)
    doubts: list[str] = field(default_factory=list)  # what disagrees (rows go to review when any)
    notes: list[str] = field(default_factory=list)
    signature: str = "absent"  # "valid", "invalid", "absent"

    @property
    def trusted(self) -> bool:
        return not self.doubts


class Refused(Exception):
    """Nothing can be taken from the file; the message says why."""


class Dispatches:
    """The ledger's dispatches by id and by (unit, round) (the one recorded last), each loaded with
    its rows on first use: a ledger keeps every round's dispatches, a merge needs a few."""

    def __init__(self, dispatches: list[Dispatch], key: bytes, load: Callable[[str], Dispatch | None]) -> None:
        self.known = {d.id for d in dispatches}
        self.key = key
        self._load = load
        self._loaded: dict[str, Dispatch | None] = {}
        self._latest: dict[tuple[str, str], str] = {(d.unit, d.round): d.id for d in dispatches}

    def get(self, dispatch_id: str | None) -> Dispatch | None:
        if not dispatch_id or dispatch_id not in self.known:
            return None
        if dispatch_id not in self._loaded:
            self._loaded[dispatch_id] = self._load(dispatch_id)
        return self._loaded[dispatch_id]

    def for_unit(self, unit: str, round_name: str) -> Dispatch | None:
        return self.get(self._latest.get((unit, round_name)))


def _named_unit(doc: LedgerDocument, text: str) -> str | None:
    """The unit a file name or title names outright (exact name or alias, not a fuzzy guess)."""
    unit, how = match_unit(doc, text)
    return unit if unit is not None and "模糊" not in how else None


def resolve_hidden_unit(doc: LedgerDocument, name: str) -> tuple[str | None, str]:
    """The directory's unit for a name in hidden data, and else a suggestion for a person to confirm.

    Exact name, alias, level prefix ("农业农村局" → "县农业农村局"); the formal name with the
    place in front ("西吉县农业农村局") when that place is the ledger's own (its title or office
    names it); a fuzzy guess only as the suggestion."""
    name = (name or "").strip()
    if name in doc.unit_names():
        return name, ""
    directory = UnitDirectory(doc.units)
    found = directory.resolve(name)
    if found is not None:
        return found, ""
    home = f"{doc.title}{doc.office}"
    guess = ""
    for i, char in enumerate(name[:12], start=1):
        if char in "县区市旗" and i < len(name):
            found = directory.resolve(char + name[i:])
            if found is not None:
                if name[:i] in home:
                    return found, ""
                guess = guess or found
    suggestions = directory.suggest(name)
    return None, guess or (suggestions[0][0] if suggestions else "")


def round_from_text(rounds: list[Round], text: str) -> str | None:
    key = normalize_for_match(text)
    hits = [r.name for r in rounds if normalize_for_match(r.name) and normalize_for_match(r.name) in key]
    return max(hits, key=len) if hits else None


def _sent_from_hidden(sheet: ReturnedSheet) -> dict[str, DispatchRow]:
    return {tid: DispatchRow(task_id=s.task_id, seq=s.seq, locked={}, base=s.base, fingerprint=s.fingerprint,
                             columns=dict(s.columns)) for tid, s in sheet.sent.items()}


def _signature_ok(sheet: ReturnedSheet, key: bytes) -> bool:
    rows = [[s.task_id, s.seq, *s.base.to_list(), s.fingerprint, s.columns] for s in sheet.sent.values()]
    data = signature.payload(sheet.ledger_id or "", sheet.dispatch_id or "", sheet.unit or "", sheet.round or "", rows)
    return bool(key) and signature.verify(key, data, sheet.signature)


def _what_was_changed(sheet: ReturnedSheet, dispatch: Dispatch) -> list[str]:
    """Name the parts of the hidden data that differ from the dispatch (for the report)."""
    found = []
    if sheet.unit != dispatch.unit:
        found.append(f"隐藏数据中的单位“{sheet.unit}”与发送记录“{dispatch.unit}”不符")
    if sheet.round != dispatch.round:
        found.append(f"隐藏数据中的轮次“{sheet.round}”与发送记录“{dispatch.round}”不符")
    sent = {r.task_id: r for r in dispatch.rows}
    unknown = [tid for tid in sheet.sent if tid not in sent]
    if unknown:
        found.append(f"隐藏数据中有{len(unknown)}个任务编号不在发送记录中")
    edited = [s.seq or s.task_id for tid, s in sheet.sent.items() if tid in sent and s.base != sent[tid].base]
    if edited:
        found.append(f"序号{'、'.join(edited[:5])}{'等' if len(edited) > 5 else ''}的“发出时的值”被改动")
    return found


def _cross_check(identity: Identity, doc: LedgerDocument, sheet: ReturnedSheet) -> None:
    """The file name and the title line must not name another unit than the one identified."""
    sent_name = Path(identity.dispatch.file_name).stem if identity.dispatch and identity.dispatch.file_name else None
    for label, text in (("文件名", sheet.path.stem), ("标题行", sheet.title)):
        if label == "文件名" and text == sent_name:
            continue  # the name we gave it (a unit like "县:民政局" gets "县_民政局…", which may read as another)
        named = _named_unit(doc, text) if text else None
        if named is not None and named != identity.unit:
            identity.doubts.append(f"{label}写的是“{named}”，与发送记录的“{identity.unit}”不符")


def identify(sheet: ReturnedSheet, doc: LedgerDocument, dispatches: Dispatches) -> Identity:
    """The unit, round, base and trust of a returned file; raises Refused when nothing can be taken."""
    identity = _from_hidden(sheet, doc, dispatches) if sheet.hidden else _from_names(sheet, doc, dispatches)
    _cross_check(identity, doc, sheet)
    return identity


def _from_hidden(sheet: ReturnedSheet, doc: LedgerDocument, dispatches: Dispatches) -> Identity:
    if sheet.ledger_id and sheet.ledger_id != doc.ledger_id:
        raise Refused("此表属于另一本台账（ledger id 不符），未导入（sheet belongs to another ledger）")
    dispatch = dispatches.get(sheet.dispatch_id)
    if dispatch is not None:
        identity = Identity(unit=dispatch.unit, round=dispatch.round, how="隐藏数据", dispatch=dispatch,
                            sent={r.task_id: r for r in dispatch.rows})
        if _signature_ok(sheet, dispatches.key):
            identity.signature = "valid"
        else:
            identity.signature = "invalid"
            changed = _what_was_changed(sheet, dispatch)
            identity.doubts.append("签名不符：表内隐藏数据在发出后被改动过" + (f"（{'；'.join(changed)}）" if changed else ""))
        return identity
    unit, suggestion = resolve_hidden_unit(doc, sheet.unit or "")
    if unit is None:
        hint = f"；如确为“{suggestion}”，请先运行 ledgerdesk units 台账 --alias {suggestion} {sheet.unit}，再合并" \
            if suggestion else "；请核对该单元格，改为单位名录中的名称后再合并"
        raise Refused(f"表中的单位“{sheet.unit}”（{HIDDEN_UNIT_CELL}）不在本台账的单位名录中，未导入{hint}")
    if sheet.round not in [r.name for r in doc.rounds]:
        raise Refused(f"表中的报送轮次“{sheet.round}”不在本台账中，未导入（unknown round）")
    identity = Identity(unit=unit, round=sheet.round or "", how="隐藏数据")
    if unit != sheet.unit:
        identity.notes.append(f"隐藏数据中的单位“{sheet.unit}”按单位名录识别为“{unit}”")
    if sheet.dispatch_id:
        identity.signature = "invalid"
        identity.doubts.append("隐藏数据中的发送编号在本台账中没有记录（可能是改动过的表，或台账是发出之前的备份）")
    dispatch = dispatches.for_unit(unit, identity.round)
    if dispatch is not None:
        identity.dispatch, identity.sent = dispatch, {r.task_id: r for r in dispatch.rows}
        identity.notes.append("表内没有发送编号和签名，已按台账中本单位本轮次最近一次的发送记录核对")
    else:
        identity.sent = _sent_from_hidden(sheet)
        identity.notes.append("旧版填报表（台账中没有发送记录），按表内隐藏数据合并")
    return identity


def _from_names(sheet: ReturnedSheet, doc: LedgerDocument, dispatches: Dispatches) -> Identity:
    stem = sheet.path.stem
    unit, how = match_unit(doc, stem)
    if unit is None:
        unit, how = match_unit(doc, sheet.preamble)
        how = how.replace("文件名", "表头文字")
    if unit is None:
        raise Refused("表内没有隐藏数据，文件名和表头中也认不出单位，未导入；请把文件名改为“单位_轮次”后重试")
    round_name = round_from_text(doc.rounds, stem) or round_from_text(doc.rounds, sheet.preamble)
    if round_name is None and len(doc.rounds) == 1:
        round_name = doc.rounds[0].name
    if round_name is None:
        raise Refused("表内没有隐藏数据，无法确定报送轮次，未导入；请在文件名中写明轮次（如“_第一次报送”）")
    identity = Identity(unit=unit, round=round_name, how=how)
    identity.notes.append(f"表内没有隐藏数据：{how}识别为{unit}，轮次“{round_name}”；各行按序号与内容匹配")
    dispatch = dispatches.for_unit(unit, round_name)
    if dispatch is not None:
        identity.dispatch, identity.sent = dispatch, {r.task_id: r for r in dispatch.rows}
    return identity
