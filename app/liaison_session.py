"""One liaison's editing of one `.ldpkg` file (the portable program's liaison mode, no Qt).

The liaison is not technical and the PC may be switched off at any moment, so every change
is saved in place at once, atomically (app/formats/returns/liaison.py writes a temporary
file, syncs it to disk and renames it over the old one): the file on disk is always the
last complete save. Only the fill-in part (状态, 进展落实情况, 完成日期, 佐证材料, and the
optional 申请延期至 / 延期理由), the reporter and the phone can change; what was sent, the
earlier rounds and the office's 退回修改 note are read-only. A refused change (a status not
in the list, an unreadable date, a file that cannot be written) raises InputError with a
Chinese reason and leaves both the file and the session as they were.

Evidence files are copied into a folder beside the package (app/liaison_evidence.py); the
checklist and the return file are app/liaison_finish.py. Undo lives in the window: it calls
`set_entry` / `set_entries` with the old values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.core.merge import Values, norm_text, parse_done_date
from app.errors import InputError
from app.formats.returns.liaison import (
    EarlierEntry,
    LiaisonPackage,
    LiaisonTask,
    fill_liaison_data,
    load_liaison_data,
    save_liaison_data,
    stamp_finished,
)
from app.formats.returns.model import parse_saved_at
from app.liaison_evidence import (
    MAX_EVIDENCE_FILE_BYTES,
    MAX_EVIDENCE_TOTAL_BYTES,
    add_evidence_names,
    copy_evidence,
    evidence_dir_for,
    remove_copies,
)
from app.liaison_finish import FinishResult, checklist_lines, task_label, write_return

__all__ = [
    "DONE",
    "MAX_EVIDENCE_FILE_BYTES",
    "MAX_EVIDENCE_TOTAL_BYTES",
    "MAX_TEXT_CHARS",
    "EarlierEntry",
    "Entry",
    "FinishResult",
    "LiaisonSession",
]

DONE = "已完成"
MAX_TEXT_CHARS = 20_000  # one task's 进展落实情况: pages of text, far below the file's limit
MAX_SHORT_CHARS = 2_000  # 佐证材料, 延期理由, 填报人, 联系电话


@dataclass(frozen=True)
class Entry:
    """What the liaison fills in for one task (all text, as typed)."""

    status: str = ""
    text: str = ""
    done_date: str = ""
    evidence: str = ""
    extension_to: str = ""
    extension_reason: str = ""

    @property
    def values(self) -> Values:
        return Values.make(self.status, self.text, self.done_date, self.evidence)


def entry_of(task: LiaisonTask) -> Entry:
    """A task's entry: what was typed, else what was sent (no extension asked for then)."""
    v = task.current
    extension = task.extension if task.returned is not None else {}
    return Entry(v.status, v.text, v.done_date, v.evidence, extension.get("extension_to", ""),
                 extension.get("extension_reason", ""))


class LiaisonSession:
    """An open liaison file: read once, kept in memory, saved whole on every change."""

    def __init__(self, path: Path, data: dict, package: LiaisonPackage) -> None:
        self.path = path
        self.package = package
        self._data = data
        self._by_id = {t.task_id: t for t in package.tasks}

    @classmethod
    def open(cls, path: str | Path) -> LiaisonSession:
        """Open a liaison file; InputError naming it (in Chinese) when it is missing or unusable."""
        path = Path(path)
        data, package = load_liaison_data(path)
        return cls(path, data, package)

    # ------------------------------------------------------------------ reading
    def tasks(self) -> list[LiaisonTask]:
        return list(self.package.tasks)

    def task(self, task_id: str) -> LiaisonTask:
        task = self._by_id.get(task_id)
        if task is None:
            raise InputError(self.path, f"数据包中没有任务 {task_id}（unknown task）")
        return task

    def entry(self, task_id: str) -> Entry:
        return entry_of(self.task(task_id))

    def earlier(self, task_id: str) -> list[EarlierEntry]:
        return list(self.task(task_id).earlier)

    def rework(self, task_id: str) -> str | None:
        return self.task(task_id).rework

    @property
    def reporter(self) -> str:
        return self.package.reporter

    @property
    def phone(self) -> str:
        return self.package.phone

    @property
    def saved_at(self) -> datetime | None:
        """When what was typed was last saved (UTC), None before the first change."""
        return parse_saved_at(self.package.saved_at)

    def deadline(self, task_id: str) -> date | None:
        text = self.task(task_id).deadline.get("date")
        try:
            return date.fromisoformat(text) if isinstance(text, str) and text else None
        except ValueError:
            return None

    def is_overdue(self, task_id: str, today: date) -> bool:
        """The task's deadline date has passed and it is not marked 已完成."""
        due = self.deadline(task_id)
        return due is not None and due < today and self.entry(task_id).status != DONE

    def has_explanation(self, task_id: str) -> bool:
        """Something typed this round that explains where the task stands: a progress text other than
        the one sent, or a reason for more time."""
        task = self.task(task_id)
        entry = self.entry(task_id)
        return bool(entry.extension_reason) or bool(entry.text and entry.text != task.sent.text)

    # ------------------------------------------------------------------ changing
    def set_entry(self, task_id: str, entry: Entry) -> None:
        """Check and save one task's entry (the file is written before this returns)."""
        self.set_entries({task_id: entry})

    def set_entries(self, entries: dict[str, Entry]) -> None:
        """Check every entry first, then save them all in one write (a bulk edit is one undo step)."""
        returns = {task_id: self._returned(task_id, entry) for task_id, entry in entries.items()}
        self._save(fill_liaison_data(self._data, returns, self.path))

    def set_contact(self, reporter: str, phone: str) -> None:
        """Save who filled the file in (填报人) and how to reach them (联系电话)."""
        for what, text in (("填报人", reporter), ("联系电话", phone)):
            if not isinstance(text, str):
                raise InputError(self.path, f"{what}格式不对")
            if len(text) > MAX_SHORT_CHARS:
                raise InputError(self.path, f"{what}过长（{len(text)} 字），未保存")
        self._save(fill_liaison_data(self._data, {}, self.path, reporter=reporter, phone=phone))

    def _returned(self, task_id: str, entry: Entry) -> dict | None:
        """`returned` for an entry, None when it is just what was sent; InputError naming the task when wrong."""
        task = self.task(task_id)
        label = task_label(task)
        if not isinstance(entry, Entry) or not all(isinstance(getattr(entry, f), str) for f in _FIELDS):
            raise InputError(self.path, f"{label}的填报内容格式不对")
        fields = {f: norm_text(getattr(entry, f)) for f in _FIELDS}
        if fields["status"] and fields["status"] not in self.package.statuses:
            raise InputError(self.path, f"{label}的状态“{fields['status']}”不在可选列表中"
                                        f"（{'、'.join(self.package.statuses)}），请从列表中选择")
        if fields["done_date"] and parse_done_date(fields["done_date"]) is None:
            raise InputError(self.path, f"{label}的完成日期“{fields['done_date']}”无法识别，请写成 2023-09-01 这样的日期")
        if len(fields["text"]) > MAX_TEXT_CHARS:
            raise InputError(self.path, f"{label}的进展落实情况过长（{len(fields['text'])} 字，"
                                        f"最多 {MAX_TEXT_CHARS} 字），未保存")
        for name, what in (("evidence", "佐证材料"), ("extension_to", "申请延期至"), ("extension_reason", "延期理由")):
            if len(fields[name]) > MAX_SHORT_CHARS:
                raise InputError(self.path, f"{label}的{what}过长（{len(fields[name])} 字），未保存")
        values = Values.make(fields["status"], fields["text"], fields["done_date"], fields["evidence"])
        if values == task.sent and not fields["extension_to"] and not fields["extension_reason"]:
            return None  # nothing but what was sent: the task counts as returned unchanged
        return {key: value for key, value in fields.items() if value or key in _VALUE_FIELDS}

    def _save(self, data: dict) -> None:
        """Write `data` as the file, then take it as the session's state (a failed write changes nothing)."""
        if data == self._data:
            return
        package = save_liaison_data(data, self.path)
        self._data, self.package = data, package
        self._by_id = {t.task_id: t for t in package.tasks}

    # ------------------------------------------------------------------ evidence
    def evidence_dir(self) -> Path:
        """The folder beside the package that attached files are copied into (<package stem>_佐证材料)."""
        return evidence_dir_for(self.path)

    def attach(self, task_id: str, files: list[Path]) -> list[str]:
        """Copy files into evidence_dir() as "<序号>_<name>" and add their names to the task's 佐证材料.

        All are checked before any is copied (missing, unreadable, over MAX_EVIDENCE_FILE_BYTES, the
        folder over MAX_EVIDENCE_TOTAL_BYTES → InputError naming the file); a file already there with
        the same bytes is not copied again; a different file of that name is never overwritten."""
        task = self.task(task_id)
        copies = copy_evidence(self.evidence_dir(), task.seq or str(self.package.tasks.index(task) + 1),
                               [Path(f) for f in files])
        names = [c.name for c in copies]
        entry = self.entry(task_id)
        try:
            self.set_entry(task_id, Entry(entry.status, entry.text, entry.done_date,
                                          add_evidence_names(entry.evidence, names), entry.extension_to,
                                          entry.extension_reason))
        except BaseException:
            remove_copies(copies)
            raise
        return names

    # ------------------------------------------------------------------ finishing
    def checklist(self, today: date) -> list[str]:
        """What to look at before finishing (Chinese lines; empty when nothing is missing)."""
        return checklist_lines(self, today)

    def finish(self, out_dir: Path | None = None, *, xlsx_copy: bool = False, today: date | None = None,
               now: datetime | None = None) -> FinishResult:
        """Stamp `finished_at` (saved in place too), write the return file and what goes with it; see
        app/liaison_finish.py. The checklist is the window's to show first: finishing does not refuse."""
        self._save(stamp_finished(self._data, now))
        return write_return(self, out_dir, xlsx_copy=xlsx_copy, today=today or date.today())

    @property
    def data(self) -> dict:
        """The file's liaison.json as last saved (read-only use: the return file is written from it)."""
        return self._data


_VALUE_FIELDS = ("status", "text", "done_date", "evidence")
_FIELDS = (*_VALUE_FIELDS, "extension_to", "extension_reason")
