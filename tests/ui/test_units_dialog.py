"""The unit directory dialog: edits in place, rename, merge, split and remove an alias — each one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.ui.models.unit_rows import (
    COL_ALIASES,
    COL_KIND,
    COL_NAME,
    COL_PHONE,
    COL_TASKS,
    UnitRowsModel,
    unit_rows,
)
from app.ui.units_dialog import show_units_dialog


def units(window) -> dict[str, tuple]:
    """name → (kind, liaison, phone, aliases) as the ledger has it now."""
    return {u.name: (u.kind, u.liaison, u.phone, tuple(u.aliases)) for u in window.ledger.units()}


def leads(window) -> dict[str, list[str]]:
    return {t.seq: t.lead_units for t in window.ledger.document().tasks}


def cell(dialog, unit: str, col: int) -> str:
    return dialog.model.index(dialog.model.row_of(unit), col).data()


def set_cell(dialog, unit: str, col: int, value: str) -> bool:
    return dialog.model.setData(dialog.model.index(dialog.model.row_of(unit), col), value, Qt.ItemDataRole.EditRole)


def answer_item(monkeypatch, value: str) -> list[list[str]]:
    """QInputDialog.getItem answers `value`; returns the item lists it was offered."""
    offered: list[list[str]] = []

    def get_item(_parent, _title, _label, items, *args, **kwargs):
        offered.append(list(items))
        return value, True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    return offered


@pytest.fixture
def dialog(open_window):
    return show_units_dialog(open_window)


def test_edit_phone_in_place_and_undo(open_window, dialog):
    assert set_cell(dialog, "县民政局", COL_PHONE, " 0954-3023456 ")
    assert units(open_window)["县民政局"][2] == "0954-3023456"
    assert cell(dialog, "县民政局", COL_PHONE) == "0954-3023456"
    assert open_window.undo_stack.undoText() == "修改县民政局的电话"
    dialog.undo_button.click()
    assert units(open_window)["县民政局"][2] == ""
    assert cell(dialog, "县民政局", COL_PHONE) == ""  # the table followed the undo
    assert not set_cell(dialog, "县民政局", COL_PHONE, "")  # no change, no step
    assert not open_window.undo_stack.canUndo()


def test_kind_is_edited_through_its_label(open_window, dialog):
    assert set_cell(dialog, "县民政局", COL_KIND, "乡镇")
    assert units(open_window)["县民政局"][0] == "township" and cell(dialog, "县民政局", COL_KIND) == "乡镇"
    open_window.undo()
    assert units(open_window)["县民政局"][0] == "department"


def test_rename_keeps_the_old_name_as_alias_tasks_follow_and_undo(open_window, dialog):
    assert set_cell(dialog, "县司法局", COL_NAME, "西吉县司法局")
    assert units(open_window)["西吉县司法局"][3] == ("县司法局",) and "县司法局" not in units(open_window)
    assert leads(open_window)["2"] == ["西吉县司法局"]
    assert cell(dialog, "西吉县司法局", COL_ALIASES) == "县司法局" and cell(dialog, "西吉县司法局", COL_TASKS) == "1"
    assert "西吉县司法局" in open_window.doc.unit_names()  # the window's directory followed
    open_window.undo()
    assert "县司法局" in units(open_window) and leads(open_window)["2"] == ["县司法局"]
    assert dialog.model.row_of("县司法局") is not None and dialog.model.row_of("西吉县司法局") is None


def test_rename_onto_another_unit_is_refused_with_one_message(open_window, dialog, dialogs):
    before = units(open_window)
    assert not set_cell(dialog, "县司法局", COL_NAME, "县民政局")
    assert len(dialogs.texts("warning")) == 1 and "县民政局" in dialogs.texts("warning")[0]
    assert units(open_window) == before and not open_window.undo_stack.canUndo()


def test_merge_asks_naming_the_tasks_moves_assignments_and_undoes(open_window, dialog, dialogs, monkeypatch):
    offered = answer_item(monkeypatch, "县民政局")
    dialogs.answer = QMessageBox.StandardButton.Yes
    dialog.select("县司法局")
    dialog.merge_button.click()
    assert offered == [["县民政局", "县人民政府办公室", "各部门（单位）"]]
    [(_kind, _title, question)] = dialogs
    assert "“县司法局”的 1 项任务（牵头 1 项，配合 0 项）" in question and "县民政局" in question
    assert "县司法局" not in units(open_window) and "县司法局" in units(open_window)["县民政局"][3]
    assert leads(open_window) == {"1": ["县民政局"], "2": ["县民政局"], "3": ["县人民政府办公室"]}
    assert cell(dialog, "县民政局", COL_TASKS) == "2" and dialog.selected_unit() == "县民政局"
    assert open_window.undo_stack.undoText() == "合并单位：县司法局 → 县民政局"
    open_window.undo()
    assert leads(open_window)["2"] == ["县司法局"] and units(open_window)["县民政局"][3] == ()
    assert dialog.model.row_of("县司法局") is not None and cell(dialog, "县民政局", COL_TASKS) == "1"


def test_merge_declined_changes_nothing(open_window, dialog, dialogs, monkeypatch):
    answer_item(monkeypatch, "县民政局")
    dialogs.answer = QMessageBox.StandardButton.No
    before = units(open_window)
    dialog.select("县司法局")
    dialog.merge_button.click()
    assert units(open_window) == before and not open_window.undo_stack.canUndo()


def test_split_and_remove_alias_each_one_step(open_window, dialog, monkeypatch):
    open_window.run_command("别名", lambda ledger: ledger.add_unit_alias("县民政局", "民政局"))
    open_window.run_command("别名", lambda ledger: ledger.add_unit_alias("县民政局", "吉强镇"))
    dialog.refresh()
    dialog.select("县民政局")
    assert dialog.split_button.isEnabled() and dialog.remove_alias_button.isEnabled()
    offered = answer_item(monkeypatch, "吉强镇")
    dialog.split_button.click()
    assert offered == [["民政局", "吉强镇"]]
    now = units(open_window)
    assert now["吉强镇"] == ("township", "", "", ()) and now["县民政局"][3] == ("民政局",)
    assert cell(dialog, "吉强镇", COL_TASKS) == "0" and dialog.selected_unit() == "吉强镇"
    open_window.undo()
    assert "吉强镇" not in units(open_window) and dialog.model.row_of("吉强镇") is None
    dialog.select("县民政局")
    answer_item(monkeypatch, "民政局")
    dialog.remove_alias_button.click()
    assert units(open_window)["县民政局"][3] == ("吉强镇",)
    open_window.undo()
    assert set(units(open_window)["县民政局"][3]) == {"民政局", "吉强镇"}


def test_add_unit_guesses_the_kind_and_undoes(open_window, dialog, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("  兴隆镇人民政府 ", True)))
    dialog.add_button.click()
    assert units(open_window)["兴隆镇人民政府"][0] == "township" and dialog.selected_unit() == "兴隆镇人民政府"
    open_window.undo()
    assert "兴隆镇人民政府" not in units(open_window) and dialog.model.row_of("兴隆镇人民政府") is None


def test_unit_rows_model_passes_the_model_tester(open_window, qtmodeltester):
    model = UnitRowsModel(lambda *_: False)
    model.set_rows(unit_rows(open_window.doc))
    assert [r.unit.name for r in model.rows] == ["县民政局", "县司法局", "县人民政府办公室", "各部门（单位）"]
    qtmodeltester.check(model)
