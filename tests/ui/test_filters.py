"""Filters on precomputed keys: text across fields, unit with its group tasks, state, round, deadlines, counts."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.core.records import Progress
from app.ui.models.filter_keys import FilterSpec, build_key, matching, narrows


def shown_seqs(window) -> list[str]:
    by_id = {t.id: t.seq for t in window.doc.tasks}
    return [by_id[i] for i in window.model.shown_ids() if i in by_id]


def choose(box, data) -> None:
    box.setCurrentIndex(box.findData(data))


def search(window, text: str) -> None:
    window.search.setText(text)
    window.flush_filters()


def test_text_finds_any_field_and_every_word(open_window) -> None:
    window = open_window
    for text, expected in (("查看网站", ["1"]), ("人民政府办公室", ["1", "3"]), ("6月底", ["2"]),
                           ("已逾期", ["2"]), ("解读 长期", ["3"]), ("民政 法治", [])):
        search(window, text)
        assert shown_seqs(window) == expected, text
    assert window.count_label.text() == "显示 0 / 3 项"
    search(window, "")
    assert shown_seqs(window) == ["1", "2", "3"] and window.count_label.text() == "显示 3 / 3 项"


def test_typing_is_debounced(open_window, qtbot) -> None:
    window = open_window
    window.search.setFocus()
    QTest.keyClicks(window.search, "zz")  # matches nothing, once filtered
    assert window.model.shown_task_count() == 3  # not yet: the bar waits for the typing to pause
    qtbot.waitUntil(lambda: window.model.shown_task_count() == 0, timeout=2000)
    QTest.keyClick(window.search, Qt.Key.Key_Escape)


def test_unit_filter_includes_the_group_tasks_of_its_kind(open_window) -> None:
    window = open_window
    choose(window.unit_filter, "县民政局")  # leads 1, and 3 is every department's (各部门（单位）配合)
    assert shown_seqs(window) == ["1", "3"]
    choose(window.unit_filter, "县司法局")
    assert shown_seqs(window) == ["2", "3"]
    choose(window.unit_filter, "各部门（单位）")  # the group itself: only the tasks naming it
    assert shown_seqs(window) == ["3"]
    assert window.count_label.text() == "显示 1 / 3 项"


def test_state_and_deadline_filters(open_window) -> None:
    window = open_window
    choose(window.state_filter, "overdue")
    assert shown_seqs(window) == ["2"]
    choose(window.state_filter, "")
    choose(window.due_filter, "soon")  # due 2023-10-10, as of 2023-10-01: within 15 days
    assert shown_seqs(window) == ["1"]
    window.filters.days.setValue(5)
    assert shown_seqs(window) == [] and window.due_filter.currentText() == "5 天内到期"
    choose(window.due_filter, "long_term")
    assert shown_seqs(window) == ["3"]
    choose(window.due_filter, "overdue")
    assert shown_seqs(window) == ["2"]


def test_round_filter_reported_or_not(open_window) -> None:
    window = open_window
    first = window.doc.tasks[0]
    window.save_progress([Progress(first.id, "县民政局", "第一次报送", status="进行中", text="推进中。")])
    choose(window.round_filter, "1:第一次报送")
    assert shown_seqs(window) == ["1"]
    choose(window.round_filter, "0:第一次报送")
    assert shown_seqs(window) == ["2", "3"]
    window.filters.clear()
    assert shown_seqs(window) == ["1", "2", "3"]


def test_a_filtered_model_passes_the_model_tester(open_window, qtmodeltester) -> None:
    search(open_window, "推")
    qtmodeltester.check(open_window.model)
    open_window.filters.clear()
    qtmodeltester.check(open_window.model)


def test_typing_on_narrows_the_last_result(open_window) -> None:
    from tests.ui.sample import sample_document

    doc = sample_document()
    keys = {t.id: build_key(t, "on_track") for t in doc.tasks}
    wide = FilterSpec(text="推")
    assert narrows(wide, FilterSpec(text="推动")) and not narrows(wide, FilterSpec(text="解")) \
        and not narrows(wide, FilterSpec(text="推动", unit="县民政局"))
    within = matching(keys, wide, as_of=date(2023, 10, 1))
    assert matching(keys, FilterSpec(text="推动"), as_of=date(2023, 10, 1), within=within) == \
        matching(keys, FilterSpec(text="推动"), as_of=date(2023, 10, 1))
