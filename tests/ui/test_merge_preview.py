"""The merge preview: a dry run row by row, conflicts settled there, one 应用, one 撤销合并; drops of files.

Sheets are made by the real sheets code from the sample ledger and filled as 县民政局 would; the
clerk's own edit of task 1 meanwhile (an undo step of its own) makes the conflict.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.core.merge import Values
from app.core.records import Progress
from app.formats.returns import HEADERS
from app.merge_report import APPLY, CONFLICT, EDIT, OURS, REVIEW, THEIRS, UNCHANGED, Resolution
from app.ui.file_drop import dropped_paths, install_file_drop
from app.ui.merge_preview import EditValuesDialog, MergePreviewDialog, open_preview, preview_and_merge
from app.ui.models.merge_rows import KindFilter

UNIT = "县民政局"
CLERK = "办公室电话核实"
THEIRS_TEXT = "已推送社会救助政策12条"


def wait_job(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20_000)


def fill(path: Path, rows: dict[str, tuple[str, str]]) -> Path:
    """Type 状态 and 进展落实情况 into the rows with these 序号, as a liaison does, and save."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "序号")
    status = HEADERS.index("状态") + 1
    for r in range(header + 1, sheet.max_row + 1):
        seq = str(sheet.cell(r, 1).value or "")
        if seq in rows:
            sheet.cell(r, status, rows[seq][0])
            sheet.cell(r, status + 1, rows[seq][1])
    book.save(path)
    return path


@pytest.fixture
def returned(open_window, tmp_path: Path):
    """(window, folder of returned sheets, 县民政局's sheet, task 1's id, the round): task 1 in conflict
    (the clerk typed meanwhile, one undo step), task 3 with a status outside the list."""
    from app.sending import make_sheets

    window = open_window
    folder = tmp_path / "交回"
    paths = make_sheets(window.ledger, folder)
    sheet = next(p for p in paths if p.name.startswith(UNIT))
    round_name = window.ledger.dispatches()[-1].round
    task1 = next(t for t in window.doc.tasks if t.seq == "1")
    window.save_progress([Progress(task1.id, UNIT, round_name, status="进行中", text=CLERK)])
    assert window.undo_stack.count() == 1
    fill(sheet, {"1": ("进行中", THEIRS_TEXT), "3": ("完成了吧", "解读了两次")})
    return window, folder, sheet, task1.id, round_name


def entry(window, task_id: str, round_name: str) -> Progress | None:
    return window.ledger.progress_entry(task_id, UNIT, round_name)


def previewed(qtbot, window, files: list[Path]) -> MergePreviewDialog:
    preview_and_merge(window, files)
    wait_job(qtbot, window)
    qtbot.waitUntil(lambda: open_preview(window) is not None, timeout=5_000)
    dialog = open_preview(window)
    assert dialog is not None
    return dialog


def conflict_row(dialog: MergePreviewDialog) -> int:
    [row] = [n for n, item in enumerate(dialog.model.items()) if item.kind == CONFLICT]
    return row


def test_preview_shows_the_rows_and_writes_nothing(returned, qtbot) -> None:
    window, folder, sheet, task1, _round_name = returned
    before = window.ledger.path.read_bytes()
    batches = len(window.ledger.batches())
    dialog = previewed(qtbot, window, [folder])
    assert window.jobs.ended[-1][1] == "done"
    items = dialog.model.items()
    by_task = {(i.file, i.task_id): i for i in items}
    conflict = by_task[(sheet.name, task1)]
    assert conflict.kind == CONFLICT and conflict.old.text == CLERK and conflict.new.text == THEIRS_TEXT
    task3 = next(t for t in window.doc.tasks if t.seq == "3")
    odd = by_task[(sheet.name, task3.id)]
    assert odd.kind == REVIEW and "完成了吧" in odd.reason
    assert {i.file for i in items} == {p.name for p in folder.iterdir()}
    text = dialog.summary_text()
    assert f"{len(list(folder.iterdir()))} 份文件" in text and "冲突 1 行（已选择处理 0 行）" in text
    assert "待审核 1 行" in text
    dialog.show_kind(CONFLICT)  # the 冲突 tab: only that row
    assert dialog.proxy.rowCount() == 1
    assert dialog.proxy.index(0, 9).data() == "未选择：合并后留作待处理冲突"
    dialog.show_kind(KindFilter.CHANGING)
    assert all(dialog.proxy.index(r, 0).data() != "无变化" for r in range(dialog.proxy.rowCount()))
    dialog.show_kind(UNCHANGED)
    assert dialog.proxy.rowCount() == dialog.model.counts()[UNCHANGED] > 0
    assert window.ledger.path.read_bytes() == before and len(window.ledger.batches()) == batches


def test_conflict_taken_as_theirs_then_apply_then_undo_the_merge(returned, qtbot) -> None:
    window, folder, _sheet, task1, round_name = returned
    dialog = previewed(qtbot, window, [folder])
    row = conflict_row(dialog)
    dialog.show_kind(CONFLICT)
    dialog.select_source_row(row)
    dialog.take_theirs.click()  # the button, on the selected conflict row
    assert dialog.model.resolution(row) == Resolution(THEIRS)
    assert "已选择处理 1 行" in dialog.summary_text()
    assert dialog.proxy.index(0, 9).data() == "处理：采用报送值"
    dialog.apply_button.click()
    wait_job(qtbot, window)
    assert dialog.applied_report is not None
    got = entry(window, task1, round_name)
    assert (got.status, got.text) == ("进行中", THEIRS_TEXT)
    assert window.ledger.conflicts() == []  # settled in the merge, not left open
    assert window.undo_stack.count() == 2 and window.undo_stack.undoText().startswith("合并报送表")
    assert open_preview(window) is None  # the preview closed
    window.undo()  # 撤销合并: the whole merge, in one step
    got = entry(window, task1, round_name)
    assert (got.status, got.text) == ("进行中", CLERK)
    task3 = next(t for t in window.doc.tasks if t.seq == "3")
    assert entry(window, task3.id, round_name) is None and window.ledger.reviews() == []
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "填报进展"  # history kept
    window.undo()
    assert entry(window, task1, round_name) is None


def test_conflict_kept_as_ours_or_edited_in_the_preview(returned, qtbot, monkeypatch) -> None:
    window, _folder, sheet, task1, round_name = returned
    dialog = previewed(qtbot, window, [sheet])
    row = conflict_row(dialog)
    dialog.select_source_row(row)
    dialog.keep_ours.click()
    assert dialog.model.resolution(row) == Resolution(OURS)

    def typed(self) -> int:
        self.status.setCurrentText("已完成")
        self.text.setPlainText("核实后确认已推送")
        self.done.setText("2023年9月2日")
        return 1  # QDialog.Accepted, as if 确定 were clicked

    monkeypatch.setattr(EditValuesDialog, "exec", typed)
    dialog.edit_value.click()
    chosen = dialog.model.resolution(row)
    assert chosen.choice == EDIT and chosen.values == Values.make("已完成", "核实后确认已推送", "2023-09-02", "")
    dialog.apply()
    wait_job(qtbot, window)
    got = entry(window, task1, round_name)
    assert (got.status, got.text, str(got.done_date)) == ("已完成", "核实后确认已推送", "2023-09-02")
    assert window.ledger.conflicts() == []


def test_edit_dialog_refuses_a_bad_status_or_date(qtbot) -> None:
    dialog = EditValuesDialog(Values.make("进行中", "x"))
    qtbot.addWidget(dialog)
    dialog.status.setCurrentText("差不多")
    dialog.accept()
    assert "状态“差不多”不在可选范围" in dialog.problem.text() and dialog.result() == 0
    dialog.status.setCurrentText("已完成")
    dialog.done.setText("下周")
    dialog.accept()
    assert "完成日期“下周”无法识别" in dialog.problem.text()


def test_unchosen_conflict_stays_open_after_apply(returned, qtbot) -> None:
    window, _folder, sheet, task1, round_name = returned
    dialog = previewed(qtbot, window, [sheet])
    dialog.apply()
    wait_job(qtbot, window)
    [conflict] = window.ledger.conflicts()
    assert conflict.task_id == task1 and conflict.theirs.text == THEIRS_TEXT
    assert entry(window, task1, round_name).text == CLERK
    assert "待处理冲突 1 条" in window.status_label.text()


def test_cancel_writes_nothing(returned, qtbot, tmp_path: Path) -> None:
    window, folder, _sheet, task1, round_name = returned
    before = window.ledger.path.read_bytes()
    batches = len(window.ledger.batches())
    dialog = previewed(qtbot, window, [folder])
    dialog.choose(conflict_row(dialog), Resolution(THEIRS))
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: open_preview(window) is None, timeout=5_000)
    assert window.ledger.path.read_bytes() == before
    assert len(window.ledger.batches()) == batches and window.undo_stack.count() == 1
    assert not (tmp_path / "t_备份").exists()
    assert entry(window, task1, round_name).text == CLERK


def test_a_file_changed_between_preview_and_apply_is_refused(returned, qtbot, dialogs, tmp_path: Path) -> None:
    window, folder, sheet, _task1, _round_name = returned
    before = window.ledger.path.read_bytes()
    dialog = previewed(qtbot, window, [folder])
    fill(sheet, {"1": ("已完成", "预览之后又改了")})
    dialog.apply()
    wait_job(qtbot, window)
    [message] = dialogs.texts("warning")
    assert sheet.name in message and "预览之后文件被修改" in message and "未合并任何文件" in message
    assert window.ledger.path.read_bytes() == before and window.undo_stack.count() == 1
    assert not (tmp_path / "t_备份").exists()
    qtbot.waitUntil(lambda: open_preview(window) is None, timeout=5_000)


def test_nothing_to_merge_leaves_apply_disabled(open_window, qtbot, tmp_path: Path) -> None:
    junk = tmp_path / "说明.txt"
    junk.write_text("不是报送表", encoding="utf-8")
    dialog = previewed(qtbot, open_window, [junk])
    assert not dialog.apply_button.isEnabled() and "没有可合并的内容" in dialog.summary_text()
    assert dialog.model.items()[0].reason.startswith("整份文件未导入")


def drag(kind, target, mime: QMimeData):
    pos = QPoint(30, 30)
    if kind is QDropEvent:
        event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
    else:
        event = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)
    return event


def test_dropping_a_folder_on_the_window_opens_its_preview(returned, qtbot) -> None:
    window, folder, _sheet, _task1, _round_name = returned
    install_file_drop(window, lambda paths: preview_and_merge(window, paths))
    assert window.acceptDrops()
    text = QMimeData()
    text.setText("只是一段文字")
    assert not drag(QDragEnterEvent, window, text).isAccepted()  # not a file: not ours
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(folder))])
    target = window.tree.viewport()  # over the task list, not just the frame
    assert drag(QDragEnterEvent, target, files).isAccepted()
    assert drag(QDropEvent, target, files).isAccepted()
    qtbot.waitUntil(lambda: open_preview(window) is not None, timeout=20_000)
    dialog = open_preview(window)
    assert [f.file for f in dialog.report.files] == sorted(p.name for p in folder.iterdir())
    assert dialog.report.dry_run and dialog.model.counts()[APPLY] == 0 and dialog.model.counts()[CONFLICT] == 1


def test_dropped_paths_keep_only_local_files(tmp_path: Path) -> None:
    mime = QMimeData()
    local = tmp_path / "县民政局_第一次报送.xlsx"
    mime.setUrls([QUrl.fromLocalFile(str(local)), QUrl("https://example.org/a.xlsx")])
    assert dropped_paths(mime) == [local]
    assert dropped_paths(QMimeData()) == []


def test_preview_model_passes_the_model_tester(returned, qtbot, qtmodeltester) -> None:
    window, folder, _sheet, _task1, _round_name = returned
    dialog = previewed(qtbot, window, [folder])
    qtmodeltester.check(dialog.model)
    dialog.choose(conflict_row(dialog), Resolution(THEIRS))
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(dialog.proxy)
    dialog.reject()


def test_preview_screenshots(returned, qtbot) -> None:
    """Looked at by hand (saved to /tmp/shots); asserts the table shows the conflict's values."""
    window, folder, _sheet, _task1, _round_name = returned
    dialog = previewed(qtbot, window, [folder])
    dialog.select_source_row(conflict_row(dialog))
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    for w, h in ((1280, 800), (1024, 768)):
        window.resize(w, h)
        dialog.resize(min(1200, w - 40), min(720, h - 40))
        qtbot.wait(50)
        assert dialog.grab().save(str(shots / f"H3_preview_{w}.png"))
    assert THEIRS_TEXT in dialog.detail.toPlainText() and CLERK in dialog.detail.toPlainText()
    shutil.rmtree(folder)
