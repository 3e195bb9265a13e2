"""The overview's 考核 tab: the numbers of `ledgerdesk scores`, sortable, 修改权重… as one undo step,
导出… to .xlsx / .docx, computed only while the tab is shown; the model passes the model tester."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from app.core.scores import DEFAULT_WEIGHTS, ROUND_COLUMNS, SUMMARY_COLUMNS, ScoreWeights
from app.ledger import Ledger
from app.scores import WEIGHTS_SETTING, score_table
from app.ui.main_window import MainWindow
from app.ui.overview import show_overview
from app.ui.scores_dialog import UNDO_TEXT, WeightsDialog
from app.ui.scores_model import SORT_ROLE, ScoresModel
from tests.scores.scenario import BANGONGSHI, MINZHENG, R1, R2, SIFA, build

SCORE_COL = len(SUMMARY_COLUMNS) - 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("scores_view"))


@pytest.fixture
def window(built, qtbot, tmp_path: Path):
    import shutil

    path = tmp_path / built.path.name
    shutil.copy(built.path, path)
    win = MainWindow(Ledger.open(path), as_of=built.today)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def scores_pane(window):
    dialog = show_overview(window)
    dialog.show_scores()
    return dialog, dialog.scores


def shown(pane) -> dict[str, list[str]]:
    """Unit → the row's texts, as the view shows them (through the sort proxy)."""
    proxy = pane.proxy
    return {proxy.index(r, 1).data(): [proxy.index(r, c).data() for c in range(proxy.columnCount())]
            for r in range(proxy.rowCount())}


def test_model_passes_the_model_tester(built, qtmodeltester) -> None:
    with Ledger.open(built.path, readonly=True) as ledger:
        table = score_table(ledger, as_of=built.today)
    model = ScoresModel()
    qtmodeltester.check(model)
    model.show(table)
    qtmodeltester.check(model)
    assert model.columnCount() == len(SUMMARY_COLUMNS) and model.rowCount() == 3
    model.show(table, R2)
    qtmodeltester.check(model)
    assert model.columnCount() == len(ROUND_COLUMNS)
    assert model.index(1, 2).data() == "未报送" and model.index(1, 7).data() == "−2"
    assert model.index(1, 7).data(SORT_ROLE) == -2
    assert model.index(1, 7).data(Qt.ItemDataRole.ForegroundRole) is not None  # a negative score in red
    assert model.index(0, 7).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_tab_shows_the_numbers_of_the_scores_command(window) -> None:
    dialog, pane = scores_pane(window)
    expected = score_table(window.ledger, as_of=window.as_of)
    assert not pane.stale and pane.table_data.to_json() == expected.to_json()
    assert ScoreWeights().describe() in pane.weights_label.text()
    rows = shown(pane)
    assert rows[MINZHENG] == ["1", MINZHENG, "1", "1", "0", "3", "0", "0", "21"]
    assert rows[SIFA][SCORE_COL] == "5" and rows[BANGONGSHI][SCORE_COL] == "7"
    pane.round_box.setCurrentIndex(pane.round_box.findData(R1))
    rows = shown(pane)
    assert [r[2] for r in rows.values()] == ["按时报送", "按时报送", "未报送"]
    assert rows[SIFA][4:] == ["0", "1", "1", "7"]
    assert "报送截止：" in pane.note.text()
    dialog.close()


def test_sorting_by_score_is_numeric(window) -> None:
    dialog, pane = scores_pane(window)
    pane.view.sortByColumn(SCORE_COL, Qt.SortOrder.AscendingOrder)
    assert [pane.proxy.index(r, SCORE_COL).data() for r in range(3)] == ["5", "7", "21"]
    pane.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert [pane.proxy.index(r, 1).data() for r in range(3)] == sorted([MINZHENG, SIFA, BANGONGSHI])
    dialog.close()


def test_changing_a_weight_is_one_undo_step_and_the_table_follows(window, qtbot, monkeypatch) -> None:
    dialog, pane = scores_pane(window)
    qtbot.waitExposed(dialog)
    seen = []

    def answer(self):
        seen.append(self)
        assert self.boxes["on_time"].value() == DEFAULT_WEIGHTS["on_time"]
        self.boxes["on_time"].setValue(7)
        self.boxes["rework"].setValue(-3)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(WeightsDialog, "exec", answer)
    steps = window.undo_stack.count()
    pane.edit_button.click()
    assert len(seen) == 1
    assert window.undo_stack.count() == steps + 1 and window.undo_stack.undoText() == UNDO_TEXT
    assert window.ledger.setting(WEIGHTS_SETTING) == {**DEFAULT_WEIGHTS, "on_time": 7, "rework": -3}
    rows = shown(pane)
    # 民政局: one round on time (10 → 7); 司法局: on time once, one rework (−1 → −3)
    assert rows[MINZHENG][SCORE_COL] == "18" and rows[SIFA][SCORE_COL] == str(5 - 3 - 2)
    assert rows[BANGONGSHI][SCORE_COL] == "7"
    assert "按时报送 +7 分/轮" in pane.weights_label.text()

    window.undo()
    qtbot.waitUntil(lambda: shown(pane)[MINZHENG][SCORE_COL] == "21", timeout=3000)
    assert window.ledger.setting(WEIGHTS_SETTING) is None

    monkeypatch.setattr(WeightsDialog, "exec", lambda self: QDialog.DialogCode.Accepted)  # nothing changed
    pane.edit_button.click()
    assert window.undo_stack.count() == steps + 1 and window.undo_stack.index() == steps  # no new step
    dialog.close()


def test_restore_defaults_in_the_dialog(window) -> None:
    box = WeightsDialog(window, ScoreWeights(on_time=3, done=9))
    assert box.values()["on_time"] == 3
    box.restore_defaults()
    assert ScoreWeights().replace_with(box.values()) == ScoreWeights()
    box.close()


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_export_writes_the_table(window, tmp_path: Path, monkeypatch, dialogs, suffix) -> None:
    dialog, pane = scores_pane(window)
    target = tmp_path / f"考核得分{suffix}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    pane.export_button.click()
    assert target.is_file() and any(str(target) in t for t in dialogs.texts("information"))
    if suffix == ".xlsx":
        ws = openpyxl.load_workbook(target)["汇总"]
        assert [ws.cell(r, 2).value for r in range(5, 8)] == [MINZHENG, BANGONGSHI, SIFA]
        assert [ws.cell(r, 9).value for r in range(5, 8)] == [21, 7, 5]
    else:
        table = Document(str(target)).tables[0]
        assert [(row.cells[1].text, row.cells[8].text) for row in table.rows[1:]] == [
            (MINZHENG, "21"), (BANGONGSHI, "7"), (SIFA, "5")]
    dialog.close()


def test_scores_are_computed_only_while_the_tab_is_shown(window, qtbot, monkeypatch) -> None:
    from app.ui import overview

    calls = []
    real = overview.window_scores
    monkeypatch.setattr(overview, "window_scores", lambda *a, **k: calls.append(1) or real(*a, **k))
    dialog = show_overview(window)
    dialog.reload()
    assert calls == [] and dialog.scores.stale
    dialog.show_scores()
    assert len(calls) == 1 and not dialog.print_button.isVisible()
    dialog.tabs.setCurrentIndex(0)
    assert dialog.print_button.isVisible()
    dialog.close()


def test_tab_without_a_ledger(qtbot) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    dialog = show_overview(win)
    dialog.show_scores()
    assert dialog.scores.weights_label.text() == "未打开台账"
    assert not dialog.scores.edit_button.isEnabled() and not dialog.scores.export_button.isEnabled()
    assert dialog.scores.model.rowCount() == 0
    dialog.close()
    win.close()
