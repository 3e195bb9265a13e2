"""完成并生成回收文件: the checklist before finishing, and the files a liaison sends back (no Qt).

The return file is the liaison file itself (signature and all, `finished_at` stamped), written
as "<单位>_<轮次>_报回.ldpkg" into a folder "报回文件" beside the package (or one the liaison
picks): the clerk's `ledgerdesk merge` takes it exactly like a returned sheet. The evidence
folder, when it has files, is copied beside it, so the one folder is what goes back. The
optional xlsx copy is the unit's own record (a plain table of the tasks and what was typed);
it is written beside the package, not into the folder that goes back, and says on its first
line that it is not for sending, so it does not end up in the clerk's merge by mistake.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import InputError
from app.formats.atomic import atomic_output
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO, FILL
from app.formats.returns.liaison import SUFFIX, LiaisonTask, save_liaison_data
from app.formats.safe_names import put_text, safe_stem
from app.liaison_evidence import evidence_files

if TYPE_CHECKING:
    from app.liaison_session import LiaisonSession

RETURN_FOLDER = "报回文件"
RETURN_TAIL = "_报回"
COPY_TAIL = "_本单位留存"
COPY_HEADERS = ("序号", "主要内容", "本单位职责", "完成时限", *FILL, EXTENSION_TO, EXTENSION_REASON, "审核意见")
COPY_WIDTHS = (6, 48, 12, 14, 10, 48, 12, 24, 12, 24, 24)


@dataclass(frozen=True)
class FinishResult:
    """Where finishing put things: the return file, the xlsx copy, the evidence copy, the folder to send."""

    return_file: Path
    xlsx_copy: Path | None
    evidence_dir: Path | None
    folder: Path


def task_label(task: LiaisonTask) -> str:
    """How a task is named to the liaison: its 序号 and the start of its content."""
    excerpt = " ".join(task.content.split())
    excerpt = excerpt if len(excerpt) <= 18 else excerpt[:18] + "……"
    return f"序号{task.seq or '（无）'}“{excerpt}”"


def checklist_lines(session: LiaisonSession, today: date) -> list[str]:
    """Tasks with no status; overdue tasks (deadline passed, not 已完成) with nothing typed to explain
    it; tasks the office returned for rework that were not touched; no reporter or phone.
    Pure: reads the session, changes nothing."""
    no_status, unexplained, rework = [], [], []
    for task in session.tasks():
        entry = session.entry(task.task_id)
        if not entry.status:
            no_status.append(f"{task_label(task)}：还没有选择状态")
        elif session.is_overdue(task.task_id, today) and not session.has_explanation(task.task_id):
            unexplained.append(f"{task_label(task)}：已超过完成时限（{task.deadline.get('text') or '无'}）仍未完成，"
                               "请在“进展落实情况”中说明原因，或填写“申请延期至”和“延期理由”")
        if task.rework and task.returned is None:
            rework.append(f"{task_label(task)}：办公室退回修改（{task.rework}），还没有修改")
    lines = no_status + unexplained + rework
    missing = [what for what, text in (("填报人", session.reporter), ("联系电话", session.phone)) if not text]
    if missing:
        lines.append(f"还没有填写{'和'.join(missing)}")
    return lines


def return_file_name(unit: str, round_name: str) -> str:
    return safe_stem(unit, f"_{round_name}{RETURN_TAIL}").text + SUFFIX


def copy_file_name(unit: str, round_name: str) -> str:
    return safe_stem(unit, f"_{round_name}{COPY_TAIL}").text + ".xlsx"


def _out_folder(session: LiaisonSession, out_dir: Path | None) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    if session.path.parent.name == RETURN_FOLDER:  # the liaison opened the return file itself: finish it there
        return session.path.parent
    return session.path.parent / RETURN_FOLDER


def write_return(session: LiaisonSession, out_dir: Path | None, *, xlsx_copy: bool, today: date) -> FinishResult:
    """Write the return file (from the session's last save), the evidence copy and, if asked, the xlsx copy."""
    package = session.package
    folder = _out_folder(session, out_dir)
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, "已存在同名文件，不是文件夹，未生成回收文件（not a folder）")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(folder, f"无法创建文件夹，未生成回收文件（cannot create: {exc.strerror or exc}）") from exc
    target = folder / return_file_name(package.unit, package.round)
    if target.resolve() != session.path.resolve():
        save_liaison_data(session.data, target)
    evidence = _copy_evidence_folder(session.evidence_dir(), folder / (target.stem + "_佐证材料"))
    copy = write_xlsx_copy(session, session.path.parent / copy_file_name(package.unit, package.round), today) \
        if xlsx_copy else None
    return FinishResult(return_file=target, xlsx_copy=copy, evidence_dir=evidence, folder=folder)


def _copy_evidence_folder(source: Path, target: Path) -> Path | None:
    """Copy the evidence files beside the return file (each atomically); None when there are none."""
    files = evidence_files(source)
    if not files:
        return None
    if source.resolve() == target.resolve():
        return target
    try:
        target.mkdir(exist_ok=True)
        for path in files:
            tmp = target / f".{uuid.uuid4().hex[:8]}.tmp"
            try:
                shutil.copyfile(path, tmp)
                os.replace(tmp, target / path.name)
            finally:
                tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise InputError(target, f"无法复制佐证材料（cannot copy: {exc.strerror or exc}）") from exc
    return target


def write_xlsx_copy(session: LiaisonSession, path: Path, today: date) -> Path:
    """The unit's own record: a plain table of its tasks and what was typed (not for sending)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    package = session.package
    wb = Workbook()
    ws = wb.active
    ws.title = "本单位留存"
    put_text(ws.cell(1, 1), f"{package.unit} {package.round} 填报留存（本表仅供本单位存档，不用于报送；"
                            "请发回“报回文件”文件夹中的 .ldpkg 文件）")
    ws.cell(1, 1).font = Font(bold=True, size=13)
    info = [f"台账：{package.ledger_title}", f"填报人：{session.reporter or '未填'}",
            f"联系电话：{session.phone or '未填'}", f"生成日期：{today.isoformat()}"]
    put_text(ws.cell(2, 1), "　".join(info))
    for c, (header, width) in enumerate(zip(COPY_HEADERS, COPY_WIDTHS), start=1):
        put_text(ws.cell(3, c), header)
        ws.cell(3, c).font = Font(bold=True)
        ws.column_dimensions[ws.cell(3, c).column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, task in enumerate(session.tasks(), start=4):
        e = session.entry(task.task_id)
        row = (task.seq, task.content, task.role, str(task.deadline.get("text") or ""), e.status, e.text,
               e.done_date, e.evidence, e.extension_to, e.extension_reason, task.rework or "")
        for c, value in enumerate(row, start=1):
            put_text(ws.cell(r, c), value)
            ws.cell(r, c).alignment = wrap
    ws.freeze_panes = "A4"
    with atomic_output(path) as tmp:
        wb.save(tmp)
    return path


def finished_time(session: LiaisonSession) -> datetime | None:
    """When the return file was last made (None before the first finish)."""
    from app.formats.returns.model import parse_saved_at

    return parse_saved_at(session.package.finished_at)
