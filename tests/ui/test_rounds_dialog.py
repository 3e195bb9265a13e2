"""The rounds dialog: add, rename, set and clear the due date — each one undo step, the list following."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from app.core.records import Round
from app.ui.models.round_rows import COL_DUE, COL_NAME, RoundRowsModel, parse_due
from app.ui.rounds_dialog import show_rounds_dialog

SAMPLE = [("第一次报送", date(2023, 9, 10)), ("第二次报送", date(2023, 12, 1))]


def rounds(window) -> list[tuple[str, date | None]]:
    return [(r.name, r.due) for r in window.ledger.rounds()]


def shown(dialog) -> list[tuple[str, str]]:
    return [(dialog.model.index(i, COL_NAME).data(), dialog.model.index(i, COL_DUE).data())
            for i in range(dialog.model.rowCount())]


def answers(monkeypatch, *texts: str) -> None:
    """QInputDialog.getText answers these, in order."""
    queue = list(texts)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (queue.pop(0), True)))


@pytest.fixture
def dialog(open_window):
    return show_rounds_dialog(open_window)


def test_add_round_with_due_date_and_undo(open_window, dialog, monkeypatch):
    answers(monkeypatch, "第三次报送", "2024年3月5日")
    dialog.add_button.click()
    assert rounds(open_window) == [*SAMPLE, ("第三次报送", date(2024, 3, 5))]
    assert shown(dialog)[-1] == ("第三次报送", "2024-03-05（星期二）") and dialog.selected_round() == "第三次报送"
    assert [r.name for r in open_window.doc.rounds][-1] == "第三次报送"  # the window's rounds followed
    open_window.undo()
    assert rounds(open_window) == SAMPLE and [n for n, _ in shown(dialog)] == ["第一次报送", "第二次报送"]


def test_rename_in_place_follows_and_undoes(open_window, dialog):
    model = dialog.model
    assert model.setData(model.index(1, COL_NAME), "第二次报送（年中）", Qt.ItemDataRole.EditRole)
    assert rounds(open_window)[1] == ("第二次报送（年中）", date(2023, 12, 1))
    assert shown(dialog)[1][0] == "第二次报送（年中）"
    assert "第二次报送（年中）" in [r.name for r in open_window.doc.rounds]
    open_window.undo()
    assert rounds(open_window) == SAMPLE and shown(dialog)[1][0] == "第二次报送"


def test_set_and_clear_due_with_undo(open_window, dialog, monkeypatch):
    dialog.select("第一次报送")
    answers(monkeypatch, "2023/9/20")
    dialog.due_button.click()
    assert rounds(open_window)[0] == ("第一次报送", date(2023, 9, 20))
    dialog.clear_button.click()
    assert rounds(open_window)[0] == ("第一次报送", None) and shown(dialog)[0][1] == "未设"
    assert not dialog.clear_button.isEnabled()
    open_window.undo()
    assert rounds(open_window)[0] == ("第一次报送", date(2023, 9, 20))
    open_window.undo()
    assert rounds(open_window) == SAMPLE and shown(dialog)[0][1] == "2023-09-10（星期日）"


def test_bad_date_and_duplicate_name_are_one_message_and_no_change(open_window, dialog, dialogs, monkeypatch):
    model = dialog.model
    assert not model.setData(model.index(0, COL_DUE), "九月底", Qt.ItemDataRole.EditRole)
    assert dialogs.texts("warning") == ["报送截止日期“九月底”无法识别，请写成 2023-09-10 或 2023年9月10日"]
    assert not model.setData(model.index(0, COL_NAME), "第二次报送", Qt.ItemDataRole.EditRole)
    assert len(dialogs.texts("warning")) == 2 and "第二次报送" in dialogs.texts("warning")[1]
    assert rounds(open_window) == SAMPLE and not open_window.undo_stack.canUndo()


def test_parse_due_reads_the_usual_spellings():
    assert {parse_due(t) for t in ("2023-09-10", "2023/9/10", "2023.9.10", "2023年9月10日", " 2023 年 9 月 10 日 ")} \
        == {date(2023, 9, 10)}
    assert parse_due("") is None
    for bad in ("2023-02-30", "下月", "2023-9"):
        with pytest.raises(ValueError, match="无法识别"):
            parse_due(bad)


def test_round_rows_model_passes_the_model_tester(qtmodeltester):
    model = RoundRowsModel(lambda *_: False)
    model.set_rows([Round("第一次报送", date(2023, 9, 10)), Round("第二次报送")])
    qtmodeltester.check(model)
