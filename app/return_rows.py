"""Which task each row of a returned file is, even after liaisons sorted, copied or pasted rows (no Qt).

A row's hidden id is believed only when the row still shows what was sent for that id
(序号 and 主要内容). A liaison who sorts only the visible columns leaves the hidden id
column behind: the row's content then names another task the unit was sent, and the
row is matched to that one ("re-matched", said in the report). A row copied above its
original carries the same id twice: the row whose fill-in cells were typed keeps it,
and a copy whose content matches no sent row is reported. Rows without ids (pasted into
a new workbook, retyped) are matched by 序号 + content, the unit's sent rows first.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from app.core.dispatch import DispatchRow
from app.core.merge import ReturnedRow, Values, parse_done_date
from app.core.records import LedgerDocument
from app.core.sheet_scope import MATCH_BY_ID, ROW_MATCH_THRESHOLD, match_row
from app.core.text import normalize_for_match
from app.formats.returns import LOCKED, ReadRow, ReturnedSheet, column_hashes, fingerprint

IDENTITY_COLUMNS = ("序号", "主要内容")
REMATCHED = "隐藏编号与本行内容不符（可能只对部分列排序或复制了行），已按序号与内容重新匹配"
COPIED = "复制的行：与已对上的任务重复，见"


@dataclass
class _Sent:
    row: DispatchRow
    content_key: str


def _hashes(read: ReadRow) -> dict[str, str]:
    """The row's locked-cell hashes, computed once per row (every row is checked twice)."""
    if read.hashes is None:
        read.hashes = column_hashes(read.cells)
    return read.hashes


def _consistent(read: ReadRow, sent: DispatchRow) -> bool:
    """The row still shows what was sent for its id (序号 and 主要内容, as the column hashes say)."""
    now = _hashes(read)
    checked = [c for c in IDENTITY_COLUMNS if c in read.cells and sent.columns.get(c)]
    if not checked:
        return True
    return all(now[c] == sent.columns[c] for c in checked)


def _typed(read: ReadRow, sent: DispatchRow | None) -> bool:
    """The liaison typed into this row: a fill-in cell differs from what was sent."""
    base = sent.base if sent else Values()
    return _theirs(read, base)[0] != base


def _content_key(sent: DispatchRow, doc_contents: dict[str, str]) -> str:
    return normalize_for_match(sent.locked.get("主要内容") or doc_contents.get(sent.task_id, ""))


def _best_sent(read: ReadRow, candidates: list[_Sent]) -> tuple[DispatchRow | None, float]:
    """The sent row this row's content names, by content (seq breaks ties), above the threshold."""
    key = normalize_for_match(read.cells.get("主要内容", ""))
    seq = read.cells.get("序号", "").strip()
    if not key:
        return None, 0.0
    best: tuple[float, int, DispatchRow] | None = None
    for cand in candidates:
        score = 100.0 if cand.content_key == key else fuzz.ratio(key, cand.content_key)
        rank = (score, int(bool(seq) and cand.row.seq == seq))
        if best is None or rank > best[:2]:
            best = (*rank, cand.row)
    if best is None or best[0] < ROW_MATCH_THRESHOLD:
        return None, best[0] if best else 0.0
    return best[2], best[0]


def _theirs(read: ReadRow, fallback: Values) -> tuple[Values, str]:
    """The fill-in values of the row (cells the file lacks keep what was sent) and an unreadable date."""
    cells = read.cells
    done, bad_date = fallback.done_date, ""
    if "完成日期" in cells:
        parsed = parse_done_date(cells["完成日期"])
        if parsed is None:
            bad_date = cells["完成日期"]
        else:
            done = parsed
    theirs = Values.make(cells.get("状态", fallback.status), cells.get("进展落实情况", fallback.text), done,
                         cells.get("佐证材料", fallback.evidence))
    return theirs, bad_date


def assign_tasks(sheet: ReturnedSheet, doc: LedgerDocument, sent: dict[str, DispatchRow],
                 own: set[str]) -> list[tuple[ReadRow, str | None, str]]:
    """(row, task id or None, how it was matched) for every row, in file order."""
    task_ids = {t.id for t in doc.tasks}
    contents = {t.id: t.content for t in doc.tasks}
    assigned: dict[int, tuple[str | None, str]] = {}
    # 1. rows whose hidden id still fits their content; a doubled id goes to the typed row
    claims: dict[str, list[int]] = {}
    for n, read in enumerate(sheet.rows):
        row_sent = sent.get(read.task_id) if read.task_id else None
        if read.task_id and read.task_id in task_ids and (row_sent is None or _consistent(read, row_sent)):
            claims.setdefault(read.task_id, []).append(n)
    for task_id, rows in claims.items():
        keep = rows[0]
        if len(rows) > 1:
            typed = [n for n in rows if _typed(sheet.rows[n], sent.get(task_id))]
            keep = typed[0] if len(typed) == 1 else rows[0]
        assigned[keep] = (task_id, MATCH_BY_ID)
    # 2. the rest by content: the unit's sent rows not yet taken first, then every task of the ledger
    taken = {tid for tid, _ in assigned.values() if tid}
    pool: list[_Sent] | None = None  # built only when a row needs it (most files need none)
    for n, read in enumerate(sheet.rows):
        if n in assigned:
            continue
        if pool is None:
            pool = [_Sent(r, _content_key(r, contents)) for r in sent.values()]
        had_id = bool(read.task_id)
        found, score = _best_sent(read, [c for c in pool if c.row.task_id not in taken])
        if found is not None:
            how = REMATCHED if had_id else f"按序号与内容匹配（相似度 {score:.0f}）"
            assigned[n] = (found.task_id, how)
            taken.add(found.task_id)
            continue
        if had_id and read.task_id in task_ids and read.task_id not in taken:
            # its content names no sent row: the row keeps its id, and the locked-cell check says what changed
            assigned[n] = (read.task_id, MATCH_BY_ID)
            taken.add(read.task_id)
            continue
        match = match_row(doc, read.cells.get("序号", ""), read.cells.get("主要内容", ""), prefer=own)
        if match.task_id is not None and match.task_id in taken:
            # the same task as a row already matched: a copied row (the row typed into keeps the task)
            first = next(sheet.rows[k].row for k, (tid, _how) in assigned.items() if tid == match.task_id)
            assigned[n] = (None, f"{COPIED}第{first}行")
            continue
        how = match.how if not had_id or match.task_id is None else f"{REMATCHED}：{match.how}"
        assigned[n] = (match.task_id, how)
    return [(read, *assigned[n]) for n, read in enumerate(sheet.rows)]


def build_rows(sheet: ReturnedSheet, doc: LedgerDocument, sent: dict[str, DispatchRow],
               own: set[str]) -> list[ReturnedRow]:
    """The merge's input: each row matched to a task, its base from what was sent, locked cells checked."""
    rows = []
    for read, task_id, how in assign_tasks(sheet, doc, sent, own):
        cells = read.cells
        row_sent = sent.get(task_id) if task_id else None
        changed: list[str] = []
        whole_row_changed = False
        if row_sent is not None and sheet.hidden and row_sent.columns:
            now = _hashes(read)
            changed = [c for c in LOCKED if c in cells and row_sent.columns.get(c) and now[c] != row_sent.columns[c]]
        elif row_sent is not None and sheet.hidden and row_sent.fingerprint and all(c in cells for c in LOCKED):
            # per-column hashes lost (damaged hidden cell): the whole-row fingerprint still guards the row
            whole_row_changed = fingerprint(cells) != row_sent.fingerprint
        base = row_sent.base if row_sent is not None else None
        theirs, bad_date = _theirs(read, base or Values())
        refused = f"{how}，此行未导入" if how.startswith(COPIED) else ""
        rows.append(ReturnedRow(row=read.row, task_id=task_id, theirs=theirs, base=base, match=how, refused=refused,
                                seq=cells.get("序号", ""), content=cells.get("主要内容", ""), locked_changed=changed,
                                locked_fingerprint_changed=whole_row_changed, bad_date=bad_date))
    return rows
