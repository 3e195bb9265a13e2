"""Print and PDF of the standard table: real PDF files read back with pdfplumber, one page looked at."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintPreviewWidget

from app.errors import LedgerError
from app.formats.ledger_layout import COLUMN_WIDTHS_CM, COLUMNS, MARGINS_CM, build_layout
from app.ledger import Ledger
from app.ui import printing
from app.ui.main_window import MainWindow
from app.ui.workers import CANCELLED, DONE
from tests.factories import make_document

AS_OF = date(2023, 10, 1)
PT_PER_CM = 72 / 2.54


def marked_document(n_tasks: int = 40):
    """A factory ledger whose every task content ends in its own marker, to find each one in the PDF."""
    doc = make_document(n_tasks)
    for task in doc.tasks:
        task.content = f"{task.content}【任务{task.seq}】"
    return doc


def column_text(pdf, column: int) -> str:
    """The text of one column of the table on every page, under the header row, lines joined."""
    left = MARGINS_CM["left"] + sum(COLUMN_WIDTHS_CM[:column])
    right = left + COLUMN_WIDTHS_CM[column]
    out = []
    for page in pdf.pages:
        page = page.dedupe_chars()
        header = [w for w in page.extract_words() if w["text"] == COLUMNS[column]]
        assert header, f"page {page.page_number} has no header row"
        bottom = page.height - MARGINS_CM["bottom"] * PT_PER_CM + 2
        crop = page.crop((left * PT_PER_CM + 1, header[0]["bottom"] + 1, right * PT_PER_CM - 1, bottom))
        out.append((crop.extract_text() or "").replace("\n", ""))
    return "".join(out)


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [(page.dedupe_chars().extract_text() or "") for page in pdf.pages]


@pytest.fixture
def big_window(qtbot, tmp_path: Path):
    path = tmp_path / "big.ledger"
    Ledger.create_from_document(path, marked_document(), source="test").close()
    win = MainWindow(Ledger.open(path), as_of=AS_OF)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_pdf_has_its_pages_the_header_on_each_and_every_task(qtbot, tmp_path: Path) -> None:
    doc = marked_document()
    layout = build_layout(doc, as_of=AS_OF)
    target = tmp_path / "台账.pdf"
    pages = printing.export_pdf(layout, target)
    texts = page_texts(target)
    assert pages == len(texts) and pages >= 3
    for number, text in enumerate(texts, start=1):
        assert all(name in text for name in COLUMNS), f"header missing on page {number}"
        assert f"第 {number} 页 共 {pages} 页" in text
    assert layout.title in texts[0] and "填报单位" in texts[0] and layout.legend in texts[0]
    with pdfplumber.open(target) as pdf:
        contents = column_text(pdf, COLUMNS.index("主要内容"))
        units = column_text(pdf, COLUMNS.index("责任单位"))
    positions = [contents.find(f"【任务{t.seq}】") for t in doc.tasks]
    assert all(p >= 0 for p in positions), [t.seq for t, p in zip(doc.tasks, positions) if p < 0]
    assert positions == sorted(positions)  # in the ledger's order
    assert "县民政局" in units
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left beside it


def test_pdf_page_renders_as_a_table(tmp_path: Path) -> None:
    target = tmp_path / "台账.pdf"
    printing.export_pdf(build_layout(marked_document(12), as_of=AS_OF), target)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(target), str(tmp_path / "page")],
                   check=True)
    [png] = tmp_path.glob("page*.png")
    image = QImage(str(png))
    assert image.width() > image.height()  # landscape
    dark = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
               if image.pixelColor(x, y).lightness() < 100)
    shaded = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
                 if image.pixelColor(x, y).name() in ("#ffe1e1", "#f2f2f2"))
    assert dark > 300 and shaded > 50  # lines and text; the header and overdue shading


def test_rows_are_kept_whole_unless_taller_than_half_a_page(qtbot, tmp_path: Path) -> None:
    doc = marked_document(30)
    doc.tasks[5].content = "很长的内容。" * 400  # taller than a page: it must continue on the next
    layout = build_layout(doc, as_of=AS_OF)
    writer_path = tmp_path / "x.pdf"
    pagers: list[printing.Pager] = []
    real = printing.Pager.paint

    def keep(self):
        pagers.append(self)
        return real(self)

    try:
        printing.Pager.paint = keep
        printing.export_pdf(layout, writer_path)
    finally:
        printing.Pager.paint = real
    [pager] = pagers
    placed: dict[int, list[int]] = {}
    for number, page in enumerate(pager.pages):
        for item in page:
            if item.kind == "row" and not item.row.full_width:
                placed.setdefault(id(item.row), []).append(number)
    long_row = next(r for r in layout.task_rows if r.task.id == doc.tasks[5].id)
    counts = sorted(len(v) for v in placed.values())
    assert len(placed) == 30
    assert counts[-1] >= 2 and counts[:-1] == [1] * 29  # only the long row spans pages
    assert long_row.cells[2].count("很长的内容") == 400
    with pdfplumber.open(writer_path) as pdf:
        assert column_text(pdf, 2).count("很长的内容") == 400  # nothing of it lost at the page ends


def test_filtered_print_has_only_the_tasks_shown(big_window, tmp_path: Path) -> None:
    window = big_window
    window.unit_filter.setCurrentIndex(window.unit_filter.findData("县司法局"))
    shown = window.shown_task_ids()
    assert shown and len(shown) < len(window.doc.tasks)
    layout = printing.window_layout(window, filtered=True)
    assert {t.id for t in layout.tasks} == shown
    target = tmp_path / "筛选.pdf"
    printing.export_pdf(layout, target)
    with pdfplumber.open(target) as pdf:
        contents = column_text(pdf, 2)
    for task in window.doc.tasks:
        assert (f"【任务{task.seq}】" in contents) == (task.id in shown), task.seq
    whole = printing.window_layout(window)
    assert len(whole.tasks) == len(window.doc.tasks)


def test_preview_dialog_shows_the_pages(big_window, monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(printing, "_run_dialog", lambda dialog: seen.append(dialog) or 0)
    dialog = printing.preview_ledger(big_window)
    assert seen == [dialog]
    preview = dialog.findChild(QPrintPreviewWidget)
    preview.updatePreview()
    assert preview.pageCount() >= 3
    assert dialog.printer().pageLayout().orientation().name == "Landscape"
    dialog.close()


def test_filtered_preview_of_nothing_says_so(big_window, monkeypatch, dialogs) -> None:
    monkeypatch.setattr(printing, "_run_dialog", lambda dialog: pytest.fail("no preview of nothing"))
    big_window.search.setText("没有这样的任务内容")
    big_window.flush_filters()
    assert printing.preview_ledger(big_window, filtered=True) is None
    assert "当前筛选没有任务" in dialogs.texts("warning")[0]


def test_export_pdf_menu_writes_the_file_and_a_bad_folder_is_one_message(big_window, qtbot, tmp_path: Path,
                                                                         dialogs) -> None:
    window = big_window
    target = tmp_path / "导出"
    path = printing.export_pdf_dialog(window, ask=lambda *a: (str(target), ""))
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30_000)
    assert path == tmp_path / "导出.pdf" and path.read_bytes()[:5] == b"%PDF-"
    assert window.jobs.ended[-1] == ("正在导出 PDF…", DONE)
    assert len(page_texts(path)) >= 3 and "导出.pdf" in window.statusBar().currentMessage()
    missing = tmp_path / "没有的文件夹" / "台账.pdf"
    printing.export_pdf_dialog(window, ask=lambda *a: (str(missing), ""))
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30_000)
    [message] = dialogs.texts("warning")
    assert "台账.pdf" in message and "无法写入" in message
    assert not missing.parent.exists()


def test_cancelled_pdf_export_leaves_no_file(big_window, qtbot, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "取消.pdf"
    pages: list[int] = []
    writer = printing.export_pdf

    def cancelled_after_the_first_page(layout, path, *, progress=None):
        """取消 once the first page is painted (asked from the job's own thread, so the job cannot finish
        first on a busy machine): the file is being written, and must go."""
        def report(done: int, total: int) -> None:
            pages.append(done)
            big_window.jobs._running.thread.context.cancel()
            progress(done, total)

        return writer(layout, path, progress=report)

    monkeypatch.setattr(printing, "export_pdf", cancelled_after_the_first_page)
    printing.start_pdf(big_window, target)
    qtbot.waitUntil(lambda: not big_window.jobs.busy, timeout=30_000)
    assert big_window.jobs.ended[-1][1] == CANCELLED and pages and pages[0] == 1
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == []


def test_print_needs_no_running_job(big_window, qtbot, dialogs) -> None:
    import threading

    release = threading.Event()
    big_window.jobs.start("等待", lambda ctx: release.wait(5), lambda _r: None, lambda _m: None)
    assert not big_window.actions["print"].isEnabled() and not big_window.actions["export_pdf"].isEnabled()
    assert printing.window_layout(big_window) is None  # the ledger is lent to the job: not read
    assert "后台任务正在进行" in dialogs.texts("warning")[0]
    release.set()
    qtbot.waitUntil(lambda: not big_window.jobs.busy, timeout=10_000)
    assert big_window.actions["print"].isEnabled()


def test_paint_on_an_unusable_device_is_a_message() -> None:
    from PySide6.QtGui import QPdfWriter

    writer = QPdfWriter("/nonexistent-folder/x.pdf")
    writer.setPageLayout(printing.page_layout())
    with pytest.raises(LedgerError):
        printing.paint_blocks([printing.Paragraph("x")], writer)
