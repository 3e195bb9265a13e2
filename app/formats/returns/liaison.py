"""Liaison data files (台账通联络员数据包, `.ldpkg`): one unit's tasks for the portable program.

A liaison who is not technical gets this file plus the portable program, opens it,
types progress for the unit's tasks, saves, and sends the file back. The clerk merges
it with `ledgerdesk merge` exactly like a returned sheet: `read_liaison_file` gives
the same `ReturnedSheet` the sheet readers give, so scope checks, the three-way merge,
duplicate detection (by the file's sha256) and rejection all run through one path.

The file is a zip holding `liaison.json`:
    {"format": "ledgerdesk-liaison/1", "ledger_id", "ledger_title", "unit", "round",
     "round_due", "created_at", "statuses", "instructions",
     "tasks": [{"task_id", "seq", "path", "key_work", "content", "metric", "role",
                "deadline": {"text", "date", "kind"},
                "sent": {"status", "text", "done_date", "evidence"},
                "fingerprint", "columns", "returned": {...} | null,
                "earlier": [{"round", "status", "text", "done_date", "evidence"}],
                "rework": "退回修改的理由" | null}],
     "reporter": "", "phone": "", "saved_at": "2023-09-01T08:00:00+00:00" (after filling),
     "finished_at": "…" (when the liaison made the return file)}
`earlier` (this unit's progress on the task in the rounds before this one) and `rework`
(the office's 退回修改 note) are for reference only: nothing of them is merged. `returned`
holds the four values and, when the unit asks for more time, "extension_to" (申请延期至)
and "extension_reason" (延期理由), read into the cells layout.EXTENSION_TO / EXTENSION_REASON.
All of these are optional on read, so files made before them load and merge as they did.
The liaison side writes only `returned`, `reporter`, `phone`, `saved_at` and `finished_at`
(`fill_liaison_file` / `fill_liaison_data`; `saved_at` is stamped when what was typed changed,
so the merge can tell an older copy from a newer one); everything else is what was sent. `fingerprint` and `columns` are the locked-column
hashes exactly as return sheets compute them, so an edited task text is caught by the
same check and that row is refused. Zips are written with a fixed timestamp, so the
same content always gives the same bytes (a re-saved, unchanged file is a duplicate);
the bytes reach the disk (fsync) before the rename, so a PC switched off mid-save keeps the
previous file or the new one, never half of one.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.core.merge import Values, norm_text, parse_done_date
from app.core.records import STATUSES, LedgerDocument
from app.errors import InputError, LedgerError
from app.formats.atomic import atomic_output, sync_folder
from app.formats.limits import (
    MAX_INPUT_BYTES,
    MAX_JSON_BYTES,
    ZipLimits,
    is_library_failure,
    reader_guard,
    too_large,
)
from app.formats.returns import signature
from app.formats.returns.layout import (
    EXTENSION,
    EXTENSION_REASON,
    EXTENSION_TO,
    HEADERS,
    LOCKED,
    Stamp,
    column_hashes,
    fingerprint,
    plan_rows,
    safe_file_name,
    signed_rows,
)
from app.formats.returns.model import ReadRow, ReturnedSheet, SentRow, parse_saved_at
from app.formats.zip_measure import ZipBudget, open_zip, read_member

FORMAT_TAG = "ledgerdesk-liaison/1"
FORMAT_FAMILY = "ledgerdesk-liaison/"
SUFFIX = ".ldpkg"
MEMBER = "liaison.json"
README = "说明.txt"
NOT_LIAISON = "不是台账通联络员数据包（not a LedgerDesk liaison file）"
VALUE_KEYS = ("status", "text", "done_date", "evidence")
EXTENSION_KEYS = ("extension_to", "extension_reason")  # 申请延期至, 延期理由 (optional, in `returned`)
EARLIER_KEYS = ("round", "status", "text", "done_date", "evidence")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_TASK_ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_README_TEXT = (
    "这是台账通（LedgerDesk）联络员数据包。\n"
    "请用办公室发来的台账通便携版打开本文件，填写本单位各项任务的进展（随时自动保存），\n"
    "填完后点“完成并生成回收文件”，把“报回文件”文件夹中的文件（连同佐证材料文件夹）发回办公室。\n"
    "请勿解压后修改其中的内容，否则报回时会被拒收。\n"
)


@dataclass(frozen=True)
class EarlierEntry:
    """This unit's progress on a task in an earlier round (shown for reference, never merged)."""

    round: str
    status: str
    text: str
    done_date: str
    evidence: str


@dataclass
class LiaisonTask:
    """One task of the package: what was sent (locked) and what the liaison returned."""

    task_id: str
    seq: str
    path: list[str]
    key_work: str
    content: str
    metric: str
    role: str
    deadline: dict
    sent: Values
    fingerprint: str
    columns: dict[str, str]
    returned: Values | None = None
    extension: dict[str, str] = field(default_factory=dict)  # EXTENSION_KEYS → text, non-empty ones only
    earlier: list[EarlierEntry] = field(default_factory=list)
    rework: str | None = None

    def locked(self) -> dict[str, str]:
        """The locked cells as a return sheet names them (for the fingerprint check)."""
        return {"序号": self.seq, "重点工作": self.key_work, "主要内容": self.content, "量化指标": self.metric,
                "本单位职责": self.role, "完成时限": str(self.deadline.get("text") or "")}

    @property
    def current(self) -> Values:
        """What the liaison program shows: the returned values, else what was sent."""
        return self.returned if self.returned is not None else self.sent


@dataclass
class LiaisonPackage:
    """A read and checked liaison file (what the portable program's liaison mode displays)."""

    path: Path
    ledger_id: str
    ledger_title: str
    unit: str
    round: str
    round_due: str | None
    created_at: str
    tasks: list[LiaisonTask] = field(default_factory=list)
    reporter: str = ""
    phone: str = ""
    statuses: list[str] = field(default_factory=lambda: list(STATUSES))
    instructions: list[str] = field(default_factory=list)
    dispatch_id: str | None = None
    signature: str | None = None
    saved_at: str | None = None
    finished_at: str | None = None

    def task(self, task_id: str) -> LiaisonTask | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)


# ------------------------------------------------------------------------------ writing
def liaison_instructions(unit: str, round_name: str, due: str) -> list[str]:
    """What the liaison program shows above the tasks (the return sheet's instructions, for this program)."""
    return [
        f"本数据包为{unit}在“{round_name}”需报送的任务，请逐项填写“状态”“进展落实情况”“完成日期”“佐证材料”，其余内容已锁定。",
        f"状态请从列表中选择（{'、'.join(STATUSES)}）；完成日期写成 2023-09-01；佐证材料写文件名，多个用顿号分隔。",
        "填写的内容随时自动保存；填完后点“完成并生成回收文件”，把生成的“报回文件”文件夹中的文件发回办公室。"
        + (f"报送截止：{due}。" if due else ""),
    ]


def liaison_file_name(unit: str, round_name: str) -> str:
    return safe_file_name(f"{unit}_{round_name}") + SUFFIX


def _values_json(values: Values) -> dict:
    return {"status": values.status, "text": values.text, "done_date": values.done_date or None,
            "evidence": values.evidence}


def _earlier(doc: LedgerDocument, unit: str, round_name: str) -> dict[str, list[dict]]:
    """Task id → this unit's progress in the rounds before `round_name` (in round order, filled ones only)."""
    names = [r.name for r in doc.rounds]
    before = names[:names.index(round_name)]
    order = {name: n for n, name in enumerate(before)}
    found: dict[str, list[tuple[int, dict]]] = {}
    for p in doc.progress:
        if p.unit != unit or p.round not in order:
            continue
        values = Values.of(p)
        if values.empty:
            continue
        found.setdefault(p.task_id, []).append((order[p.round], {"round": p.round, **values.to_json()}))
    return {task_id: [item for _n, item in sorted(items, key=lambda pair: pair[0])] for task_id, items in found.items()}


def build_package(doc: LedgerDocument, unit: str, round_name: str, *, include_groups: bool = True,
                  now: datetime | None = None, stamp: Stamp | None = None,
                  rework: dict[str, str] | None = None) -> dict:
    """The liaison.json object for one unit and round (tasks and base values as return sheets plan them).

    `rework`: task id → the office's 退回修改 note for this unit (shown to the liaison, read-only)."""
    if unit not in doc.unit_names():
        raise LedgerError(f"单位“{unit}”不在本台账的单位名录中（unknown unit）")
    rounds = {r.name: r for r in doc.rounds}
    if round_name not in rounds:
        raise LedgerError(f"报送轮次“{round_name}”不存在（unknown round）")
    due = rounds[round_name].due
    by_id = {t.id: t for t in doc.tasks}
    earlier = _earlier(doc, unit, round_name)
    notes = {k: v.strip() for k, v in (rework or {}).items() if isinstance(v, str) and v.strip()}
    tasks = []
    rows = plan_rows(doc, unit, round_name, 1, include_groups=include_groups)
    for row in rows:
        task = by_id[row.task.id]
        tasks.append({
            "task_id": task.id, "seq": task.seq, "path": doc.path_of(task),
            "key_work": row.locked["重点工作"], "content": task.content, "metric": task.metric,
            "role": row.locked["本单位职责"], "deadline": task.deadline.to_json(),
            "sent": _values_json(row.base), "fingerprint": fingerprint(row.locked),
            "columns": column_hashes(row.locked), "returned": None,
            "earlier": earlier.get(task.id, []), "rework": notes.get(task.id),
        })
    due_text = f"{due.year}年{due.month}月{due.day}日" if due else ""
    signed: dict = {}
    if stamp is not None:
        signed = {"dispatch_id": stamp.dispatch_id, "signature": signature.sign(stamp.key, signature.payload(
            doc.ledger_id, stamp.dispatch_id, unit, round_name, signed_rows(rows)))}
    return {**signed,
        "format": FORMAT_TAG, "ledger_id": doc.ledger_id, "ledger_title": doc.title, "unit": unit,
        "round": round_name, "round_due": due.isoformat() if due else None,
        "created_at": (now or datetime.now()).replace(microsecond=0).isoformat(),
        "statuses": list(STATUSES), "instructions": liaison_instructions(unit, round_name, due_text),
        "tasks": tasks, "reporter": "", "phone": "",
    }


def _zip_bytes(data: dict, path: Path) -> bytes:
    """The file's bytes (fixed timestamps: same content, same bytes); refused when it could not be read back."""
    payload = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    if len(payload) > MAX_JSON_BYTES:
        raise InputError(path, "填写的内容过多，数据包超过上限，未保存；请精简“进展落实情况”等文字（too much text）")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in ((MEMBER, payload), (README, _README_TEXT.encode("utf-8"))):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return buffer.getvalue()


def _write_zip(data: dict, path: Path) -> None:
    """Write atomically: a temporary file beside it, on disk (fsync), then renamed over the old one."""
    body = _zip_bytes(data, path)
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    sync_folder(path.parent)


def write_liaison_file(doc: LedgerDocument, unit: str, round_name: str, path: str | Path, *,
                       include_groups: bool = True, now: datetime | None = None, stamp: Stamp | None = None,
                       rework: dict[str, str] | None = None) -> Path:
    """Write one unit's liaison file; `path` is a folder (file named by unit and round) or a file.

    `rework`: task id → the office's 退回修改 note, shown to the liaison with the task."""
    path = Path(path)
    if path.is_dir():
        path = path / liaison_file_name(unit, round_name)
    if not path.parent.is_dir():
        raise InputError(path, "所在文件夹不存在（folder does not exist）")
    _write_zip(build_package(doc, unit, round_name, include_groups=include_groups, now=now, stamp=stamp,
                             rework=rework), path)
    return path


# ------------------------------------------------------------------------------ reading
def safe_signature(text: str | None) -> str | None:
    """A signature as hidden data gives it, made ASCII: a real one is hex, so anything else can only
    fail verification (hmac.compare_digest raises TypeError on non-ASCII text instead)."""
    if text is None or text.isascii():
        return text
    return text.encode("unicode_escape").decode("ascii")


def _bad(path: Path, detail: str = "") -> InputError:
    return InputError(path, NOT_LIAISON + (f"：{detail}" if detail else ""))


def _package_limits() -> ZipLimits:
    """liaison.json and a readme: a zip of a few hundred KB (read at call time: tests narrow it)."""
    return ZipLimits(total=2 * MAX_JSON_BYTES, member=MAX_JSON_BYTES, members=100, xml_elements=0)


def _load_json(path: Path) -> dict:
    """liaison.json of the zip, guarded: not a zip, no member, oversize, not JSON, too deep → InputError."""
    if not path.is_file():
        raise InputError(path, "文件不存在（file not found）")
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(path, too_large("文件", size, MAX_INPUT_BYTES))
    limits = _package_limits()
    with reader_guard(path, f"{NOT_LIAISON}：文件已损坏或不是数据包"), open_zip(path, limits) as archive:
        raw = read_member(path, archive, MEMBER, ZipBudget(path, limits))  # the size it really inflates to
    if raw is None:
        raise _bad(path, f"数据包中没有 {MEMBER}")
    with reader_guard(path, f"{NOT_LIAISON}：{MEMBER} 不是有效的 JSON"):
        data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise _bad(path, f"{MEMBER} 的内容不是数据包对象")
    return data


def _text(value: object, what: str, path: Path, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(path, f"“{what}”缺失或格式不对")
    return value


def _optional_text(value: object) -> str | None:
    """A stamp the merge reads on its own terms (package_saved_at): kept when text, else ignored."""
    return value if isinstance(value, str) and value else None


def _values(value: object, what: str, path: Path) -> Values:
    if not isinstance(value, dict):
        raise _bad(path, f"“{what}”格式不对")
    for key in VALUE_KEYS:
        if value.get(key) is not None and not isinstance(value.get(key), str):
            raise _bad(path, f"“{what}.{key}”格式不对")
    return Values.make(*(value.get(key) or "" for key in VALUE_KEYS))


def _extension(value: object, what: str, path: Path) -> dict[str, str]:
    """The two extension fields of `returned`, the non-empty ones (absent in older files)."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for key in EXTENSION_KEYS:
        text = value.get(key)
        if text is not None and not isinstance(text, str):
            raise _bad(path, f"“{what}.{key}”格式不对")
        if norm_text(text):
            out[key] = norm_text(text)
    return out


def _earlier_entries(value: object, what: str, path: Path) -> list[EarlierEntry]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _bad(path, f"“{what}”格式不对")
    out = []
    for item in value:
        for key in EARLIER_KEYS:
            if item.get(key) is not None and not isinstance(item.get(key), str):
                raise _bad(path, f"“{what}.{key}”格式不对")
        out.append(EarlierEntry(*(norm_text(item.get(key)) for key in EARLIER_KEYS)))
    return out


def _task(item: object, n: int, path: Path) -> LiaisonTask:
    where = f"第{n}项任务"
    if not isinstance(item, dict):
        raise _bad(path, f"{where}格式不对")
    task_id = _text(item.get("task_id"), f"{where}的 task_id", path, required=True)
    if not _TASK_ID_RE.match(task_id):
        raise _bad(path, f"{where}的 task_id 格式不对")
    trail = item.get("path") or []
    deadline = item.get("deadline") or {}
    columns = item.get("columns") or {}
    if not (isinstance(trail, list) and all(isinstance(p, str) for p in trail)):
        raise _bad(path, f"{where}的“path”格式不对")
    if not isinstance(deadline, dict) or not isinstance(columns, dict) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        raise _bad(path, f"{where}的“deadline”或“columns”格式不对")
    returned = item.get("returned")
    rework = item.get("rework")
    if rework is not None and not isinstance(rework, str):
        raise _bad(path, f"{where}的“rework”格式不对")
    return LiaisonTask(
        task_id=task_id, seq=_text(item.get("seq"), f"{where}的 seq", path), path=list(trail),
        key_work=_text(item.get("key_work"), f"{where}的 key_work", path),
        content=_text(item.get("content"), f"{where}的 content", path),
        metric=_text(item.get("metric"), f"{where}的 metric", path),
        role=_text(item.get("role"), f"{where}的 role", path), deadline=dict(deadline),
        sent=_values(item.get("sent") or {}, f"{where}的 sent", path),
        fingerprint=_text(item.get("fingerprint"), f"{where}的 fingerprint", path), columns=dict(columns),
        returned=None if returned is None else _values(returned, f"{where}的 returned", path),
        extension=_extension(returned, f"{where}的 returned", path),
        earlier=_earlier_entries(item.get("earlier"), f"{where}的 earlier", path),
        rework=norm_text(rework) or None,
    )


def _package(data: dict, path: Path) -> LiaisonPackage:
    tag = data.get("format")
    if isinstance(tag, str) and tag.startswith(FORMAT_FAMILY) and tag != FORMAT_TAG:
        raise InputError(path, f"数据包格式“{tag}”来自更新版本的台账通，请升级后再合并（newer liaison file format）")
    if tag != FORMAT_TAG:
        raise _bad(path)
    tasks = data.get("tasks")
    if not isinstance(tasks, list):
        raise _bad(path, "“tasks”缺失或格式不对")
    statuses = data.get("statuses")
    notes = data.get("instructions")
    return LiaisonPackage(
        path=path,
        ledger_id=_text(data.get("ledger_id"), "ledger_id", path, required=True),
        ledger_title=_text(data.get("ledger_title"), "ledger_title", path),
        unit=_text(data.get("unit"), "unit", path, required=True),
        round=_text(data.get("round"), "round", path, required=True),
        round_due=_text(data.get("round_due"), "round_due", path) or None,
        created_at=_text(data.get("created_at"), "created_at", path),
        tasks=[_task(item, n, path) for n, item in enumerate(tasks, start=1)],
        reporter=_text(data.get("reporter"), "reporter", path),
        phone=_text(data.get("phone"), "phone", path),
        statuses=[s for s in statuses if isinstance(s, str)] if isinstance(statuses, list) else list(STATUSES),
        instructions=[s for s in notes if isinstance(s, str)] if isinstance(notes, list) else [],
        dispatch_id=_text(data.get("dispatch_id"), "dispatch_id", path) or None,
        signature=safe_signature(_text(data.get("signature"), "signature", path) or None),
        saved_at=_optional_text(data.get("saved_at")),
        finished_at=_optional_text(data.get("finished_at")),
    )


def load_liaison_file(path: str | Path) -> LiaisonPackage:
    """Read and check a liaison file (for the liaison program); InputError naming the file if unusable."""
    return load_liaison_data(path)[1]


def load_liaison_data(path: str | Path) -> tuple[dict, LiaisonPackage]:
    """The file's liaison.json as read, and the checked package made of it (for a session that keeps
    the object and saves it again with `save_liaison_data`)."""
    path = Path(path)
    data = _load_json(path)
    with reader_guard(path, NOT_LIAISON):
        return data, _package(data, path)


def parse_liaison_data(data: dict, path: str | Path) -> LiaisonPackage:
    """Check a liaison.json object (one about to be saved, say) as a read file would be checked."""
    path = Path(path)
    with reader_guard(path, NOT_LIAISON):
        return _package(data, path)


def edited_columns(task: LiaisonTask) -> list[str]:
    """The locked fields of a task that no longer fit the hashes made when it was sent (in a liaison
    file they only change when someone edits liaison.json by hand: the program never writes them)."""
    locked = task.locked()
    if task.columns:
        now = column_hashes(locked)
        return [c for c in LOCKED if task.columns.get(c) and task.columns[c] != now[c]]
    if task.fingerprint and task.fingerprint != fingerprint(locked):
        return ["锁定内容"]
    return []


def edited_tasks(package: LiaisonPackage) -> list[tuple[LiaisonTask, list[str]]]:
    """The tasks whose locked fields were edited by hand, each with the fields (see edited_columns)."""
    return [(task, cols) for task in package.tasks if (cols := edited_columns(task))]


def read_liaison_file(path: str | Path) -> ReturnedSheet:
    """A returned liaison file as the merge sees a returned sheet (hidden data always present).

    Locked cells come from the task's fields in the file and are checked against the
    sent fingerprints by the merge; fill-in cells are present only for tasks the
    liaison answered, so an untouched task counts as returned unchanged. A task whose
    texts no longer fit the file's own (signed) hashes was edited by hand, which the
    program never does: then the file is read without its signature, so the merge applies
    none of it (it holds the rows for review) and refuses the edited row naming the field.
    """
    package = load_liaison_file(path)
    sheet = ReturnedSheet(path=package.path, kind="ldpkg", hidden=True, ledger_id=package.ledger_id,
                          unit=package.unit, round=package.round, columns=list(HEADERS),
                          preamble=f"{package.unit} {package.round}")
    sheet.reporter, sheet.phone = package.reporter, package.phone
    # The signature covers the locked fields' hashes; texts that no longer fit them are not what was
    # signed, so the file carries no valid signature and the merge holds it like any edited file.
    signed = package.signature if not edited_tasks(package) else None
    sheet.dispatch_id, sheet.signature = package.dispatch_id, signed
    sheet.title = f"{package.unit} {package.round}"
    headers = dict(zip(EXTENSION_KEYS, (EXTENSION_TO, EXTENSION_REASON)))
    for n, task in enumerate(package.tasks, start=1):
        cells = task.locked()
        if task.returned is not None:
            r = task.returned
            cells.update({"状态": r.status, "进展落实情况": r.text, "完成日期": r.done_date, "佐证材料": r.evidence})
            cells.update({headers[key]: text for key, text in task.extension.items()})
        sheet.rows.append(ReadRow(row=n, task_id=task.task_id, cells=cells))
        sheet.sent.setdefault(task.task_id, SentRow(task_id=task.task_id, row=n, seq=task.seq, base=task.sent,
                                                    fingerprint=task.fingerprint,
                                                    columns={c: task.columns[c] for c in LOCKED
                                                             if task.columns.get(c)}))
    if any(task.extension for task in package.tasks if task.returned is not None):
        sheet.columns.extend(EXTENSION)  # as a sheet with the two optional columns reads
    return sheet


# ------------------------------------------------------------------------------ the liaison's side
def _returned_json(value: Values | dict, task_id: str, path: Path) -> dict:
    """What `returned` holds for typed values: the four values (a readable date as 2023-09-01,
    unreadable text as typed) and the extension fields when the unit filled them."""
    extension: dict[str, str] = {}
    if isinstance(value, Values):
        values = value
    elif isinstance(value, dict):
        unknown = set(value) - set(VALUE_KEYS) - set(EXTENSION_KEYS)
        if unknown:
            raise InputError(path, f"任务 {task_id} 的填报项“{'、'.join(sorted(unknown))}”无法识别")
        if not all(v is None or isinstance(v, str) for v in value.values()):
            raise InputError(path, f"任务 {task_id} 的填报内容格式不对")
        values = Values.make(*(value.get(key) or "" for key in VALUE_KEYS))
        extension = {key: norm_text(value.get(key)) for key in EXTENSION_KEYS if norm_text(value.get(key))}
    else:
        raise InputError(path, f"任务 {task_id} 的填报内容格式不对")
    done = parse_done_date(values.done_date)  # store 2023/9/1 as 2023-09-01; unreadable text stays as typed
    if done:
        values = Values(values.status, values.text, done, values.evidence)
    if "extension_to" in extension:
        extension["extension_to"] = parse_done_date(extension["extension_to"]) or extension["extension_to"]
    return {**_values_json(values), **extension}


def fill_liaison_data(data: dict, returns: Mapping[str, Values | dict | None], path: str | Path, *,
                      reporter: str | None = None, phone: str | None = None, now: datetime | None = None) -> dict:
    """A copy of a read liaison.json with what the liaison typed (see fill_liaison_file); `data` is not changed."""
    path = Path(path)
    data = copy.deepcopy(data)
    tasks = {item["task_id"]: item for item in data["tasks"]}
    typed_before = _typed(data)
    for task_id, value in returns.items():
        if task_id not in tasks:
            raise InputError(path, f"数据包中没有任务 {task_id}（unknown task）")
        tasks[task_id]["returned"] = None if value is None else _returned_json(value, task_id, path)
    if reporter is not None:
        data["reporter"] = norm_text(reporter)
    if phone is not None:
        data["phone"] = norm_text(phone)
    if _typed(data) != typed_before:  # a save that changes nothing keeps its stamp (and its bytes)
        data["saved_at"] = _utc(now)
    return data


def _utc(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat()


def stamp_finished(data: dict, now: datetime | None = None) -> dict:
    """A copy of liaison.json with `finished_at`: when the liaison made the return file."""
    return {**data, "finished_at": _utc(now)}


def save_liaison_data(data: dict, path: str | Path) -> LiaisonPackage:
    """Write a liaison.json object as the file at `path`, atomically; checked first as a read file is,
    so what is saved always opens again. Returns the package as saved."""
    path = Path(path)
    package = parse_liaison_data(data, path)
    _write_zip(data, path)
    return package


def fill_liaison_file(path: str | Path, returns: dict[str, Values | dict | None], *,
                      reporter: str | None = None, phone: str | None = None, now: datetime | None = None) -> None:
    """Save what the liaison typed: `returns` maps task id → values (None clears back to what was sent).

    Values are the four fill-in values, or a dict of them that may also hold "extension_to"
    and "extension_reason". Only `returned`, `reporter`, `phone` and `saved_at` change; the rest
    of the file is kept as read. Unknown task ids are refused before anything is written.
    """
    path = Path(path)
    data, _package_read = load_liaison_data(path)  # the file must be valid before we touch it
    _write_zip(fill_liaison_data(data, returns, path, reporter=reporter, phone=phone, now=now), path)


def _typed(data: dict) -> tuple:
    """What the liaison side writes, for telling whether a save changed anything."""
    return (json.dumps([t.get("returned") for t in data["tasks"]], ensure_ascii=False, sort_keys=True),
            data.get("reporter"), data.get("phone"))


def package_saved_at(path: str | Path) -> datetime | None:
    """When the liaison last saved the file (`saved_at`), else when it was made (`created_at`); None if unreadable."""
    try:
        data = _load_json(Path(path))
    except InputError:
        return None
    for key in ("saved_at", "created_at"):
        value = data.get(key)
        if isinstance(value, str) and (found := _saved_at(value)) is not None:
            return found
    return None


def _saved_at(text: str) -> datetime | None:
    """parse_saved_at, None where it fails (a year 9999 with a zone overflows on the way to UTC)."""
    try:
        return parse_saved_at(text)
    except Exception as exc:
        if not is_library_failure(exc):
            raise
        return None
