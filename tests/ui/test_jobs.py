"""Background jobs: owned until they end, results on the GUI thread, the ledger lent, cancel leaves nothing."""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from app.errors import LedgerError
from app.formats.returns import HEADERS
from app.ui import actions
from app.ui.workers import CANCELLED, DONE, FAILED, JobContext

PLAN = ("序号\t重点工作\t主要内容\t量化指标\t责任单位\t配合单位\t完成时限\t进展落实情况\n"
        "<b>一、深化重点领域信息公开</b>\t\t\t\t\t\t\t\n"
        "1\t围绕民生推进信息公开\t加密社会救助政策推送，提高覆盖度。\t查看网站\t县民政局\t县司法局\t2023年12月底\t\n"
        "2\t围绕法治推进信息公开\t推动法治政府建设信息公开。\t查看网站\t县司法局\t\t长期坚持\t\n")


def ended(window) -> tuple[str, str]:
    return window.jobs.ended[-1]


def wait_job(qtbot, window, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=timeout)


def filled_returns(window, folder: Path) -> list[Path]:
    """The sample ledger's sheets, each row filled in as a unit would (status and progress)."""
    from app.sending import make_sheets

    paths = make_sheets(window.ledger, folder)
    status_col = HEADERS.index("状态") + 1
    for path in paths:
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "序号")
        for row in range(header + 1, sheet.max_row + 1):
            if sheet.cell(row, 1).value:
                sheet.cell(row, status_col, "进行中")
                sheet.cell(row, status_col + 1, f"第{row}行：已按要求推进。")
        book.save(path)
    return paths


def test_result_arrives_on_the_gui_thread_after_the_job_is_dropped(open_window, qtbot) -> None:
    got: list[tuple[object, bool]] = []
    thread = open_window.jobs.start(
        "测试", lambda ctx: (time.sleep(0.2), "结果")[1],
        lambda result: got.append((result, threading.current_thread() is threading.main_thread())),
        lambda message: got.append((message, False)))
    del thread  # the old run_job's caller dropped the job: the runner must keep it
    gc.collect()
    wait_job(qtbot, open_window)
    assert got == [("结果", True)]
    assert ended(open_window) == ("测试", DONE)


def test_failed_job_is_one_message_and_a_log_line(open_window, qtbot, dialogs, tmp_path: Path) -> None:
    def work(_ctx: JobContext) -> None:
        raise LedgerError("报送表.xlsx：无法读取（测试）")

    actions._start(open_window, "正在测试…", work, lambda _r: None)
    wait_job(qtbot, open_window)
    assert ended(open_window)[1] == FAILED
    assert dialogs.texts("warning") == ["报送表.xlsx：无法读取（测试）"]
    log = (tmp_path / "config" / "ledgerdesk.log").read_text(encoding="utf-8")
    assert "报送表.xlsx：无法读取（测试）" in log


def test_window_takes_no_edits_while_a_job_has_the_ledger(open_window, qtbot, dialogs) -> None:
    release = threading.Event()
    open_window.jobs.start("等待", lambda ctx: release.wait(5), lambda _r: None, lambda _m: None)
    assert not open_window.splitter.isEnabled() and not open_window.filter_toolbar.isEnabled()
    task = open_window.doc.tasks[0]
    assert not open_window.run_command("修改任务", lambda ledger: ledger.update_task(task.id, content="改"))
    assert "后台任务正在进行" in dialogs.texts("warning")[-1]
    open_window.close()  # refused while the job runs
    assert open_window.isVisible()
    release.set()
    wait_job(qtbot, open_window)
    assert open_window.splitter.isEnabled()
    assert open_window.ledger.document().tasks[0].content == task.content


def test_merge_shows_a_real_count_and_refreshes_its_rows(open_window, qtbot, tmp_path: Path, dialogs) -> None:
    files = filled_returns(open_window, tmp_path / "sheets")
    counts: list[tuple[int, int]] = []
    actions.start_merge(open_window, files)
    open_window.jobs._running.thread.progressed.connect(lambda done, total: counts.append((done, total)))
    wait_job(qtbot, open_window)
    assert ended(open_window)[1] == DONE
    assert counts and counts[-1] == (len(files), len(files))
    assert any("合并结果" == title for _kind, title, _text in dialogs)
    saved = open_window.ledger.progress_of([t.id for t in open_window.doc.tasks])
    assert saved and all(p.status == "进行中" for p in saved)
    assert set(open_window.view.marks) == {p.task_id for p in saved}  # the view followed, row by row
    assert open_window.undo_stack.undoText().startswith("合并报送表")
    open_window.undo()  # 撤销合并, one step
    assert open_window.ledger.progress_of([t.id for t in open_window.doc.tasks]) == []
    assert not any(open_window.view.marks.values())


def test_cancelled_merge_writes_nothing(open_window, qtbot, tmp_path: Path) -> None:
    files = filled_returns(open_window, tmp_path / "sheets")
    before = len(open_window.ledger.batches())
    actions.start_merge(open_window, files)
    open_window.jobs.cancel()  # pressed at once: stops at the first file read, before anything is written
    wait_job(qtbot, open_window)
    assert ended(open_window)[1] == CANCELLED
    assert len(open_window.ledger.batches()) == before
    assert open_window.ledger.progress_of([t.id for t in open_window.doc.tasks]) == []
    assert not (tmp_path / "t_备份").exists()  # not even the pre-merge snapshot


def test_cancelled_export_leaves_no_file(open_window, qtbot, tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    actions.start_export(open_window, "xlsx", target)
    open_window.jobs.cancel()
    wait_job(qtbot, open_window)
    assert ended(open_window)[1] == CANCELLED
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".*.tmp*")) == []


def test_progress_dialog_cancel_button_and_escape(open_window, qtbot) -> None:
    release = threading.Event()

    def work(ctx: JobContext) -> None:
        while not release.wait(0.02):
            ctx.report(1, 3)

    open_window.jobs.start("可取消", work, lambda _r: None, lambda _m: None, cancellable=True)
    dialog = open_window.jobs._running.dialog
    dialog.reject()  # Esc cancels, it does not just hide the dialog
    assert open_window.jobs._running.thread.context.cancel_requested
    assert not dialog.cancel_button.isEnabled()
    wait_job(qtbot, open_window)
    assert ended(open_window) == ("可取消", CANCELLED)


@pytest.mark.parametrize("job", ["import", "export-xlsx", "export-docx", "sheets", "package", "merge"])
def test_each_job_twenty_times_in_a_row(open_window, qtbot, tmp_path: Path, dialogs, job: str) -> None:
    """The stress test of issue 12: no crash, no hang, no lost result."""
    window = open_window
    plan = tmp_path / "要点.txt"
    plan.write_text(PLAN, encoding="utf-8")
    returns = filled_returns(window, tmp_path / "returns") if job == "merge" else []
    for n in range(20):
        out = tmp_path / f"out{n}"
        out.mkdir()
        if job == "import":
            actions.start_import(window, plan, out / "新.ledger")
        elif job.startswith("export"):
            actions.start_export(window, job.split("-")[1], out / f"台账.{job.split('-')[1]}")
        elif job == "sheets":
            actions.start_sheets(window, out)
        elif job == "package":
            actions.start_package(window, "县民政局", out / "县民政局.ldpkg")
        else:
            actions.start_merge(window, returns)
        wait_job(qtbot, window)
        assert window.jobs.ended[-1][1] == DONE, dialogs.texts("warning")
        if job == "import":
            assert window.ledger.path == out / "新.ledger" and len(window.doc.tasks) == 2
        elif job.startswith("export"):
            assert (out / f"台账.{job.split('-')[1]}").stat().st_size > 1000
        elif job == "sheets":
            assert len(list(out.glob("*.xlsx"))) >= 3
        elif job == "package":
            assert (out / "县民政局.ldpkg").exists()
    assert len(window.jobs.ended) == 20
    assert dialogs.texts("warning") == []


def test_cancelled_sheets_leave_no_file_and_no_dispatch(open_window, qtbot, tmp_path: Path, monkeypatch) -> None:
    """The cancel lands after the first sheet is written: that file is removed, nothing is recorded."""
    from app import sending

    window = open_window
    write_one = sending._write_one

    def write_then_cancel(*args, **kwargs):
        path = write_one(*args, **kwargs)
        window.jobs._running.thread.context.cancel()  # as the 取消 button does, from another thread
        return path

    monkeypatch.setattr(sending, "_write_one", write_then_cancel)
    out = tmp_path / "out"
    actions.start_sheets(window, out)
    wait_job(qtbot, window)
    assert ended(window)[1] == CANCELLED
    assert not out.exists() or list(out.iterdir()) == []
    assert window.ledger.dispatches() == []

