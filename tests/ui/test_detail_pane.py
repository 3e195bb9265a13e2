"""The detail pane as the clerk uses it: units completed from the directory, the deadline read back."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app.ui.panes.detail import DetailPane
from app.ui.panes.unit_field import WARNING_COLOUR
from tests.ui.sample import sample_document


def type_in(widget, text: str) -> None:
    """Chinese typed through the input method, as a clerk's IME commits it."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def select(window, seq: str) -> str:
    task = next(t for t in window.doc.tasks if t.seq == seq)
    window.select_task(task.id)
    return task.id


@pytest.fixture
def alias_window(qtbot, tmp_path):
    """The sample ledger with an alias (县政府办 for 县人民政府办公室), its directory given to the pane
    (as the lead wires it: `window.detail.set_units(window.doc.units)`)."""
    from app.ledger import Ledger
    from app.ui.main_window import MainWindow

    doc = sample_document()
    doc.units[2].aliases = ["县政府办"]
    path = tmp_path / "alias.ledger"
    Ledger.create_from_document(path, doc, source="test").close()
    window = MainWindow(Ledger.open(path), as_of=date(2023, 10, 1))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.detail.set_units(window.doc.units)
    yield window
    window.close()


def test_alias_chosen_from_the_completion_is_saved_as_the_real_name(alias_window, qtbot) -> None:
    window = alias_window
    task_id = select(window, "2")
    edit = window.detail.coop.edit
    edit.setFocus()
    type_in(edit, "政府办")
    popup = window.detail.coop.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert "县政府办（即 县人民政府办公室）" in shown
    row = shown.index("县政府办（即 县人民政府办公室）")
    popup.setCurrentIndex(popup.model().index(row, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert edit.text() == "县人民政府办公室"
    window.detail.save_button.click()
    saved = next(t for t in window.ledger.document().tasks if t.id == task_id)
    assert saved.coop_units == ["县人民政府办公室"]


def test_completion_keeps_the_names_before_the_one_typed(alias_window, qtbot) -> None:
    window = alias_window
    select(window, "2")
    edit = window.detail.lead.edit
    edit.setFocus()
    edit.selectAll()
    type_in(edit, "县民政局、司法")
    popup = window.detail.lead.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["县司法局"]
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert edit.text() == "县民政局、县司法局"
    assert window.detail.changed_fields() == {"lead_units": ["县民政局", "县司法局"]}


def test_an_alias_typed_out_is_saved_as_the_real_name(alias_window) -> None:
    window = alias_window
    task_id = select(window, "1")
    window.detail.coop.setText("县政府办、县司法局")
    assert window.detail.changed_fields() == {"coop_units": ["县人民政府办公室", "县司法局"]}
    assert not window.detail.coop.warning.isVisibleTo(window.detail)
    select(window, "2")  # leaving the task saves it
    saved = next(t for t in window.ledger.document().tasks if t.id == task_id)
    assert saved.coop_units == ["县人民政府办公室", "县司法局"]


def test_an_unknown_unit_is_flagged_until_corrected(alias_window) -> None:
    window = alias_window
    select(window, "1")
    field = window.detail.lead
    field.setText("县民政局、县不存在局")
    assert field.warning.isVisibleTo(window.detail)
    assert "县不存在局" in field.warning.text() and "县民政局" not in field.warning.text()
    assert WARNING_COLOUR in field.warning.styleSheet()
    field.setText("县民政局")
    assert not field.warning.isVisibleTo(window.detail)
    assert window.detail.changed_fields() == {}


def test_deadline_kind_for_a_date(open_window) -> None:
    window = open_window
    select(window, "1")
    assert window.detail.deadline_kind.text() == "2023-10-10 · 截止日期"
    window.detail.deadline.setText("2023年12月底前")
    assert window.detail.deadline_kind.text() == "2023-12-31 · 截止日期"
    assert window.detail.deadline_kind.property("warning") is False


def test_deadline_kind_for_long_term_and_saving_it(open_window) -> None:
    window = open_window
    task_id = select(window, "2")
    window.detail.deadline.setText("长期坚持")
    assert window.detail.deadline_kind.text() == "长期"
    window.detail.save_button.click()
    saved = next(t for t in window.ledger.document().tasks if t.id == task_id)
    assert (saved.deadline.text, saved.deadline.kind, saved.deadline.date) == ("长期坚持", "long_term", None)


def test_deadline_that_cannot_be_read_is_a_warning(open_window) -> None:
    window = open_window
    select(window, "1")
    window.detail.deadline.setText("领导定")
    label = window.detail.deadline_kind
    assert label.text().startswith("无法识别：“领导定”")
    assert label.property("warning") is True and WARNING_COLOUR in label.styleSheet()
    window.detail.deadline.setText("")
    assert label.text() == "无时限" and label.property("warning") is False


def test_every_task_field_is_shown_and_notes_are_saved(open_window) -> None:
    window = open_window
    task = window.doc.tasks[0]
    window.refresh(window.ledger.update_task(task.id, notes="市里督办"))
    window.select_task(window.doc.tasks[1].id)
    window.select_task(task.id)
    pane = window.detail
    assert (pane.seq.text(), pane.key_work.text(), pane.content.toPlainText(), pane.metric.toPlainText(),
            pane.lead.text(), pane.coop.text(), pane.deadline.text(), pane.notes.toPlainText()) == (
        "1", "围绕民生", "加密社会救助政策推送。", "查看网站信息发布情况", "县民政局", "县人民政府办公室",
        "2023年10月10日", "市里督办")
    pane.notes.setPlainText("市里督办，11月底前回复")
    pane.save_button.click()
    assert window.ledger.document().tasks[0].notes == "市里督办，11月底前回复"
    window.undo()
    assert window.ledger.document().tasks[0].notes == "市里督办"


def test_pane_screenshots(alias_window) -> None:
    window = alias_window
    select(window, "1")
    window.detail.deadline.setText("尽快")
    window.detail.lead.setText("县民政局、县不存在局")
    for width, height in ((1280, 800), (1024, 768)):
        window.resize(width, height)
        QApplication.processEvents()
        assert window.grab().save(f"/tmp/shots/H2_detail_{width}.png")


def test_empty_pane_has_no_parse_shown(qtbot) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.deadline.setText("2023年1月1日")
    assert pane.deadline_kind.text() == "" and not pane.isEnabled()


def test_completion_model_passes_model_tester_and_names_the_real_unit(qtmodeltester) -> None:
    from app.core.records import Unit
    from app.ui.panes.unit_field import MATCH_ROLE, NAME_ROLE, completion_model

    model = completion_model([Unit("县发展和改革局", aliases=["县发改局", "发改委"]), Unit("县民政局")])
    qtmodeltester.check(model)
    rows = [(model.index(r, 0).data(), model.index(r, 0).data(MATCH_ROLE), model.index(r, 0).data(NAME_ROLE))
            for r in range(model.rowCount())]
    assert rows == [("县发展和改革局", "县发展和改革局", "县发展和改革局"),
                    ("县发改局（即 县发展和改革局）", "县发改局", "县发展和改革局"),
                    ("发改委（即 县发展和改革局）", "发改委", "县发展和改革局"),
                    ("县民政局", "县民政局", "县民政局")]
