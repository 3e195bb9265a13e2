"""完成情况概览: the numbers of `ledgerdesk stats`, a chart that draws, the overdue list, its jump and its print."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtGui import QColor

from app.commands.stats import stats_json
from app.core.overview_stats import compute_overview
from app.core.records import Progress
from app.ledger import Ledger
from app.ui import chart, printing
from app.ui.main_window import MainWindow
from app.ui.models.overdue_rows import COL_DAYS, TASK_ID_ROLE, OverdueRowsModel
from app.ui.overview import OverviewDialog, show_overview, window_overview
from tests.factories import make_document

AS_OF = date(2023, 10, 1)


@pytest.fixture
def window(qtbot, tmp_path: Path):
    path = tmp_path / "概览.ledger"
    Ledger.create_from_document(path, make_document(40), source="test").close()
    win = MainWindow(Ledger.open(path), as_of=AS_OF)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_overview_numbers_are_those_of_the_stats_command(window) -> None:
    expected = stats_json(window.ledger.document(), AS_OF)
    dialog = show_overview(window)
    overview = dialog.overview
    assert overview.tasks == expected["tasks"] == 40
    assert overview.by_status == expected["by_status"]
    assert [asdict(u) for u in overview.by_unit] == expected["by_unit"]
    assert [t.id for t in overview.overdue] == [o["id"] for o in expected["overdue"]]
    assert sum(expected["by_status"].values()) == 40 and expected["overdue"]  # a sample with something late
    assert dialog.overdue_model.rowCount() == len(expected["overdue"])
    shown = {r.unit for r in dialog.unit_rows()}
    assert shown == {u["unit"] for u in expected["by_unit"] if u["led"]}
    assert "任务 40 项" in dialog.summary.text()
    dialog.close()


def test_stats_command_output_is_unchanged(window) -> None:
    """stats_json is now built on compute_overview: the same keys and values as the status rules give."""
    from app.core.status import overdue_tasks, summarize_by_status, summarize_by_unit

    doc = window.ledger.document()
    report = stats_json(doc, AS_OF)
    assert list(report) == ["title", "as_of", "tasks", "by_status", "by_unit", "overdue"]
    assert report["by_status"] == summarize_by_status(doc, as_of=AS_OF)
    assert report["by_unit"] == [asdict(s) for s in summarize_by_unit(doc, as_of=AS_OF)]
    assert [o["id"] for o in report["overdue"]] == [t.id for t in overdue_tasks(doc, as_of=AS_OF)]


def test_chart_draws_the_bars_in_the_state_colours(window, qtbot) -> None:
    dialog = show_overview(window)
    qtbot.waitExposed(dialog)
    image = dialog.units.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    overview = dialog.overview
    if any(r.done for r in overview.by_unit):
        assert QColor(chart.SEGMENTS[0][1]).name() in colours
    if any(r.overdue for r in overview.by_unit):
        assert QColor(chart.SEGMENTS[3][1]).name() in colours
    assert len(colours) > 6  # text, bars, legend: not blank
    states = dialog.states.grab().toImage()
    done_colour = QColor(chart.STATE_BAR_COLOURS["done"]).name()
    assert any(states.pixelColor(x, y).name() == done_colour
               for x in range(0, states.width(), 2) for y in range(0, states.height(), 2)) \
        == bool(overview.by_status["done"])
    dialog.close()


def test_hundred_units_scroll_and_sort(qtbot) -> None:
    from app.core.status import UnitSummary

    rows = [UnitSummary(f"县第{n}局", led=n % 7 + 1, done=n % 3, in_progress=(n % 7 + 1) - n % 3) for n in range(100)]
    widget = chart.UnitChart()
    qtbot.addWidget(widget)
    ordered = chart.sorted_units(rows, "completion")
    widget.set_rows(ordered)
    assert widget.height() > 100 * 15  # one readable line per unit: the scroll area scrolls
    rates = [chart.completion(r) for r in ordered]
    assert rates == sorted(rates, reverse=True)
    assert [r.unit for r in chart.sorted_units(rows, "name")] == sorted(r.unit for r in rows)
    assert chart.sorted_units(rows, "led")[0].led == 7
    assert all(sum(chart.segments(r)) == r.led for r in rows)


def test_overdue_model_passes_the_model_tester(window, qtmodeltester) -> None:
    model = OverdueRowsModel()
    model.set_overview(window_overview(window))
    qtmodeltester.check(model)
    assert model.rowCount() > 0
    first = model.index(0, COL_DAYS).data()
    assert first.endswith("天")
    empty = OverdueRowsModel()
    qtmodeltester.check(empty)


def test_double_click_jumps_to_the_task_even_when_filtered_out(window, qtbot) -> None:
    dialog = show_overview(window)
    index = dialog.overdue_model.index(0, 1)
    task_id = index.data(TASK_ID_ROLE)
    window.search.setText("这不会匹配任何任务")
    window.flush_filters()
    assert not window.model.index_of_task(task_id).isValid()
    dialog.jump_to(index)
    assert window.current_task_id() == task_id
    assert window.detail.content.toPlainText() == window.view.tasks[task_id].content
    dialog.close()


def test_overview_follows_the_window_after_a_change(window, qtbot) -> None:
    dialog = show_overview(window)
    qtbot.waitExposed(dialog)
    late = dialog.overview.overdue[0]
    before = dialog.overview.by_status["done"]
    entries = [Progress(late.id, unit, "第二次报送", status="已完成", text="已完成。") for unit in late.lead_units]
    window.save_progress(entries)
    qtbot.waitUntil(lambda: dialog.overview.by_status["done"] == before + 1, timeout=3000)
    assert late.id not in [t.id for t in dialog.overview.overdue]
    assert dialog.overview.by_status == compute_overview(window.ledger.document(), as_of=AS_OF).by_status
    dialog.close()


def test_overview_prints_the_units_and_the_overdue_list(window, tmp_path: Path, monkeypatch) -> None:
    dialog = show_overview(window)
    target = tmp_path / "概览.pdf"
    pages = printing.write_pdf(dialog.paint, target)
    with pdfplumber.open(target) as pdf:
        texts = [page.dedupe_chars().extract_text() for page in pdf.pages]
    assert len(texts) == pages
    whole = "".join(texts).replace("\n", "")
    assert "各单位任务落实情况统计（截至2023年10月1日）" in whole
    for row in dialog.unit_rows():
        assert row.unit in whole
    assert f"逾期未完成任务（{len(dialog.overview.overdue)} 项）" in whole
    seen = []
    monkeypatch.setattr(printing, "_run_dialog", lambda d: seen.append(d) or 0)
    preview = dialog.print_preview()
    assert seen == [preview]
    preview.close()
    dialog.close()


def test_overview_without_a_ledger(qtbot) -> None:
    win = MainWindow(as_of=AS_OF)
    qtbot.addWidget(win)
    dialog = OverviewDialog(win)
    assert dialog.summary.text() == "未打开台账" and not dialog.print_button.isEnabled()
    assert dialog.overdue_model.rowCount() == 0
    dialog.close()
    win.close()
