"""Liaison mode end to end: a package made from a real ledger, filled through the window's widgets,
undone and redone, saved in place, finished, and merged back into the ledger under the unit."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QMessageBox

from app.core.records import Deadline, Heading, LedgerDocument, Progress, Round, Task, Unit
from app.liaison_session import Entry, LiaisonSession
from app.ui import liaison_finish
from app.ui.liaison_model import (
    COL_DATE,
    COL_DEADLINE,
    COL_EVIDENCE,
    COL_ROLE,
    COL_SEQ,
    COL_STATUS,
    COL_TASK,
    COL_TEXT,
    LOCKED_BACKGROUND,
    LiaisonTaskModel,
)
from app.ui.liaison_window import LiaisonWindow

UNIT = "县民政局"
OTHER = "县司法局"
ROUND = "第二次报送"
TODAY = date(2023, 10, 1)
CONTENTS = (
    ("加密社会救助、医疗保险、养老服务等重点民生政策推送，通过政府网站、政务新媒体和村（社区）公开栏多渠道发布，"
     "提高信息公开覆盖度和查阅便利度，确保困难群众应知尽知、应享尽享。"),
    ("推动社会组织信息公开，按年度公开社会组织评估等级结果和年检结论信息，及时发布慈善组织认定名单、"
     "公开募捐资格和慈善信托备案信息，接受社会监督。"),
    ("深化最低生活保障、特困人员救助供养、临时救助等社会救助政策公开，规范公开救助对象、救助标准和资金发放情况，"
     "注意保护个人隐私。"),
    "做好婚姻登记、殡葬服务、养老机构备案等政务服务事项的办事指南公开，实现办事流程、所需材料、办理时限一次告知。",
    "围绕养老服务体系建设，公开养老服务设施布局、普惠养老服务价格和服务质量评估结果，回应群众关切。",
)


def liaison_document() -> LedgerDocument:
    """15 tasks of 县民政局 (one as 配合) with long texts, one of 县司法局 only; two rounds; as of 2023-10-01
    task 2 is overdue; 县民政局 reported tasks 1–5 in the first round."""
    doc = LedgerDocument(title="测试县2023年政务公开工作要点任务落实台账", year=2023, ledger_id="ledger-liaison")
    doc.headings = [Heading("h1", "一、", "深化重点领域信息公开"), Heading("h2", "二、", "完善政策发布推送和解读机制")]
    doc.units = [Unit(UNIT, aliases=["民政局"]), Unit(OTHER), Unit("县人民政府办公室")]
    doc.rounds = [Round("第一次报送", date(2023, 9, 10)), Round(ROUND, date(2023, 12, 1))]
    deadlines = (Deadline("2023年12月底前", date(2023, 12, 31), "date"), Deadline("长期坚持", None, "long_term"),
                 Deadline("每季度", None, "recurring"))
    for n in range(1, 17):
        lead = [OTHER] if n == 16 else (["县人民政府办公室"] if n == 9 else [UNIT])
        coop = [UNIT] if n == 9 else []
        deadline = Deadline("2023年6月底前", date(2023, 6, 30), "date") if n == 2 else deadlines[n % 3]
        doc.tasks.append(Task(f"t{n:03d}", str(n), "h1" if n <= 8 else "h2", f"围绕民生持续改善推进信息公开（第{n}项）",
                              CONTENTS[n % len(CONTENTS)], metric="查看网站、政务新媒体信息发布情况，参考报送的相关资料",
                              lead_units=lead, coop_units=coop, deadline=deadline))
    for n in range(1, 6):
        doc.progress.append(Progress(f"t{n:03d}", UNIT, "第一次报送", status="进行中",
                                     text=f"第一轮：已在政府网站公开相关信息{n}条，正在梳理目录清单。",
                                     evidence="网站截图.png" if n == 1 else ""))
    return doc


def liaison_ledger(folder: Path) -> Path:
    from app.ledger import Ledger

    path = folder / "台账.ledger"
    Ledger.create_from_document(path, liaison_document(), source="test").close()
    return path


def with_rework(package: Path, notes: dict[str, str]) -> Path:
    """Put the office's 退回修改 notes (task id → reason) into a package, as sending does for a returned row."""
    with zipfile.ZipFile(package) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(members["liaison.json"])
    for task in data["tasks"]:
        if task["task_id"] in notes:
            task["rework"] = notes[task["task_id"]]
    members["liaison.json"] = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return package


def liaison_package(ledger: Path, folder: Path, *, rework: dict[str, str] | None = None) -> Path:
    """县民政局's package for the second round, made by the clerk's sending code (signed, recorded)."""
    from app.ledger import Ledger
    from app.sending import make_package

    folder.mkdir(parents=True, exist_ok=True)
    with Ledger.open(ledger) as led:
        path = make_package(led, UNIT, folder, round_name=ROUND)
    return with_rework(path, rework) if rework else path


# ------------------------------------------------------------------------------ fixtures
REWORK = "进展描述过于简单，请补充具体公开的条数、栏目和时间，并附网站截图。"


@pytest.fixture(scope="session")
def liaison_files(tmp_path_factory) -> tuple[Path, Path]:
    """The ledger and its package, made once (the sending code is slow enough to matter per test)."""
    folder = tmp_path_factory.mktemp("liaison")
    ledger = liaison_ledger(folder)
    return ledger, liaison_package(ledger, folder / "联络员", rework={"t003": REWORK})


def fresh_copy(files: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    """A test's own ledger and package (copies of the ones made once), laid out as they were made."""
    ledger, package = files
    (folder / package.parent.name).mkdir()
    return (Path(shutil.copy2(ledger, folder / ledger.name)),
            Path(shutil.copy2(package, folder / package.parent.name / package.name)))


@pytest.fixture
def ledger(liaison_files, tmp_path: Path) -> Path:
    return fresh_copy(liaison_files, tmp_path)[0]


@pytest.fixture
def package(ledger: Path, liaison_files, tmp_path: Path) -> Path:
    return tmp_path / liaison_files[1].parent.name / liaison_files[1].name


@pytest.fixture
def window(qtbot, package: Path) -> LiaisonWindow:
    win = LiaisonWindow(LiaisonSession.open(package), today=TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def on_disk(path: Path, task_id: str) -> Entry:
    """What the file says now (a fresh session: nothing cached)."""
    return LiaisonSession.open(path).entry(task_id)


def type_in(qtbot, widget, text: str) -> None:
    """Type as a liaison would: Latin keys as key presses, Chinese as the input method commits it."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for run in _runs(text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def _runs(text: str) -> list[str]:
    """`text` cut where it changes between ASCII and not."""
    runs: list[str] = []
    for ch in text:
        if runs and runs[-1][-1].isascii() == ch.isascii():
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def cell(win: LiaisonWindow, task_id: str, column: int):
    return win.model.index(win.model.row_of(task_id), column)


def pick_status_in_table(qtbot, win: LiaisonWindow, task_id: str, status: str) -> None:
    """Open the 状态 cell's drop-down with F2 as a liaison would, choose, and let it commit."""
    index = cell(win, task_id, COL_STATUS)
    win.table.setFocus()
    win.table.setCurrentIndex(index)
    qtbot.keyClick(win.table, Qt.Key.Key_F2)
    combo = win.table.findChild(QComboBox)
    assert combo is not None, "the 状态 cell opens a drop-down"
    combo.setCurrentIndex(combo.findData(status))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: win.table.findChild(QComboBox) is None or not win.table.findChild(QComboBox).isVisible())


# ------------------------------------------------------------------------------ the model
def test_task_model_passes_the_model_tester(qtmodeltester, package: Path) -> None:
    model = LiaisonTaskModel(LiaisonSession.open(package), today=TODAY)
    qtmodeltester.check(model)


def test_package_opens_with_only_the_units_tasks_and_says_unit_and_round(window: LiaisonWindow) -> None:
    assert UNIT in window.windowTitle() and ROUND in window.windowTitle()
    ids = window.model.task_ids()
    assert len(ids) == 15 and "t016" not in ids  # t016 is 县司法局's alone
    assert window.model.index(ids.index("t009"), COL_ROLE).data() == "配合"
    assert window.instructions.text().startswith(f"本数据包为{UNIT}")
    assert "共 15 项任务" in window.count_label.text()


def test_locked_columns_refuse_edits_and_look_grey(window: LiaisonWindow, package: Path) -> None:
    before = package.read_bytes()
    model = window.model
    for column in (COL_SEQ, COL_TASK, COL_ROLE, COL_DEADLINE):
        index = cell(window, "t001", column)
        assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert not model.setData(index, "改掉", Qt.ItemDataRole.EditRole)
        assert index.data(Qt.ItemDataRole.BackgroundRole).color() == LOCKED_BACKGROUND
    for column in (COL_STATUS, COL_TEXT, COL_DATE, COL_EVIDENCE):
        index = cell(window, "t001", column)
        assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert index.data(Qt.ItemDataRole.BackgroundRole).color() != LOCKED_BACKGROUND
    assert window.editor.details.isReadOnly()
    assert package.read_bytes() == before  # nothing written for refused edits
    assert window.undo_stack.count() == 0


def test_status_chosen_in_the_table_is_saved_in_place_and_undone_and_redone(qtbot, window: LiaisonWindow,
                                                                             package: Path) -> None:
    sent = on_disk(package, "t004").status
    pick_status_in_table(qtbot, window, "t004", "已完成")
    assert on_disk(package, "t004").status == "已完成"
    assert cell(window, "t004", COL_STATUS).data() == "已完成"
    assert window.saved_label.text().startswith("已自动保存 ")
    window.actions["undo"].trigger()
    assert on_disk(package, "t004").status == sent
    assert cell(window, "t004", COL_STATUS).data(Qt.ItemDataRole.EditRole) == sent
    window.actions["redo"].trigger()
    assert on_disk(package, "t004").status == "已完成"
    assert window.current_task_id() == "t004" and window.editor.status.currentData() == "已完成"


def test_typing_in_the_pane_is_saved_after_a_pause_and_is_one_undo_step(qtbot, window: LiaisonWindow,
                                                                         package: Path) -> None:
    window.select_task("t005")
    type_in(qtbot, window.editor.text, "已在政府网站公开低保名单")
    qtbot.waitUntil(lambda: on_disk(package, "t005").text == "已在政府网站公开低保名单", timeout=5000)
    window.editor.done_date.setFocus()
    type_in(qtbot, window.editor.done_date, "2023/9/15")
    qtbot.keyClick(window.editor.done_date, Qt.Key.Key_Return)  # editingFinished: saved at once
    assert on_disk(package, "t005").done_date == "2023-09-15"
    assert window.editor.done_date.text() == "2023-09-15"  # shown as stored
    assert cell(window, "t005", COL_DATE).data() == "2023-09-15"
    window.undo()
    assert on_disk(package, "t005").done_date == "" and on_disk(package, "t005").text == "已在政府网站公开低保名单"
    window.undo()
    assert on_disk(package, "t005").text == LiaisonSession.open(package).task("t005").sent.text


def test_text_typed_and_not_yet_saved_is_saved_when_the_task_is_left(qtbot, window: LiaisonWindow,
                                                                      package: Path) -> None:
    window.select_task("t006")
    type_in(qtbot, window.editor.text, "正在推进")
    window.select_task("t007")  # before the pause
    assert on_disk(package, "t006").text == "正在推进"
    assert window.editor.task.task_id == "t007"


def test_an_unreadable_date_is_refused_with_one_message_and_nothing_saved(window: LiaisonWindow, package: Path,
                                                                          dialogs) -> None:
    before = package.read_bytes()
    assert not window.model.setData(cell(window, "t001", COL_DATE), "九月中旬", Qt.ItemDataRole.EditRole)
    [message] = dialogs.texts("warning")
    assert "完成日期" in message and "九月中旬" in message
    assert package.read_bytes() == before
    assert window.undo_stack.count() == 0


def test_overdue_task_and_rework_note_are_marked_and_earlier_rounds_shown(window: LiaisonWindow) -> None:
    assert "已逾期" in cell(window, "t002", COL_DEADLINE).data()
    assert "已逾期" not in cell(window, "t004", COL_DEADLINE).data()
    assert "退回" in cell(window, "t003", COL_SEQ).data()
    assert REWORK in cell(window, "t003", COL_SEQ).data(Qt.ItemDataRole.ToolTipRole)
    window.select_task("t003")
    assert window.editor.rework.isVisible() and REWORK in window.editor.rework.text()
    assert window.editor.earlier.rowCount() == 1
    assert window.editor.earlier.item(0, 0).text() == "第一次报送"
    assert "第一轮：已在政府网站公开相关信息3条" in window.editor.earlier.item(0, 2).text()
    window.select_task("t002")
    assert "已逾期" in window.editor.deadline.text()
    assert not window.editor.rework.isVisible()
    window.select_task("t010")
    assert window.editor.earlier.rowCount() == 0 and not window.editor.no_earlier.isHidden()
    assert "退回修改 1 项" in window.count_label.text() and "已逾期 1 项" in window.count_label.text()


def test_extension_request_is_saved_with_the_date_normalised(qtbot, window: LiaisonWindow, package: Path) -> None:
    window.select_task("t002")
    window.editor.extension_to.setFocus()
    type_in(qtbot, window.editor.extension_to, "2024年3月31日")
    qtbot.keyClick(window.editor.extension_to, Qt.Key.Key_Return)
    type_in(qtbot, window.editor.extension_reason, "需等待上级系统升级")
    qtbot.keyClick(window.editor.extension_reason, Qt.Key.Key_Return)
    entry = on_disk(package, "t002")
    assert (entry.extension_to, entry.extension_reason) == ("2024-03-31", "需等待上级系统升级")


def test_reporter_and_phone_are_saved_and_undoable(qtbot, window: LiaisonWindow, package: Path) -> None:
    window.reporter.setFocus()
    type_in(qtbot, window.reporter, "李强")
    qtbot.keyClick(window.reporter, Qt.Key.Key_Return)
    type_in(qtbot, window.phone, "13900000000")
    qtbot.keyClick(window.phone, Qt.Key.Key_Return)
    session = LiaisonSession.open(package)
    assert (session.reporter, session.phone) == ("李强", "13900000000")
    window.undo()
    assert LiaisonSession.open(package).phone == "" and window.phone.text() == ""


def test_attached_file_is_copied_beside_the_package_and_named(window: LiaisonWindow, package: Path,
                                                              tmp_path: Path) -> None:
    shot = tmp_path / "网站截图.png"
    shot.write_bytes(b"\x89PNG fake screenshot")
    window.select_task("t004")
    [name] = window.attach_files([shot])
    folder = window.session.evidence_dir()
    assert folder.parent == package.parent and (folder / name).read_bytes() == shot.read_bytes()
    assert name in on_disk(package, "t004").evidence
    assert name in window.editor.evidence.text() and name in cell(window, "t004", COL_EVIDENCE).data()
    window.undo()
    assert name not in on_disk(package, "t004").evidence


def test_an_oversize_evidence_file_is_refused_naming_it(window: LiaisonWindow, package: Path, tmp_path: Path,
                                                        dialogs, monkeypatch) -> None:
    import app.liaison_evidence as evidence

    monkeypatch.setattr(evidence, "MAX_EVIDENCE_FILE_BYTES", 10)
    big = tmp_path / "大文件.pdf"
    big.write_bytes(b"x" * 100)
    before = package.read_bytes()
    window.select_task("t004")
    assert window.attach_files([big]) == []
    assert any("大文件.pdf" in text for text in dialogs.texts("warning"))
    assert package.read_bytes() == before


# ------------------------------------------------------------------------------ finishing
def test_finish_checklist_then_return_file_that_merges_into_the_ledger_under_the_unit(
        qtbot, window: LiaisonWindow, package: Path, ledger: Path, dialogs, monkeypatch) -> None:
    from app.ledger import Ledger
    from app.returns import merge_files

    shown: dict = {}

    def accept(dialog) -> int:
        shown["lines"] = list(dialog.lines)
        dialog.xlsx.setChecked(True)
        return QDialog.DialogCode.Accepted

    opened: list = []
    monkeypatch.setattr(liaison_finish.FinishDialog, "exec", accept)
    monkeypatch.setattr(liaison_finish.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    dialogs.answer = QMessageBox.StandardButton.Yes
    pick_status_in_table(qtbot, window, "t001", "已完成")
    window.select_task("t001")
    type_in(qtbot, window.editor.text, "已公开社会组织评估等级结果")
    window.editor.done_date.setFocus()
    type_in(qtbot, window.editor.done_date, "2023-09-20")
    window.select_task("t002")
    window.editor.status.setCurrentIndex(window.editor.status.findData("进行中"))  # overdue, no reason given
    result = window.finish()
    assert result is not None
    assert any("序号2" in line and "完成时限" in line for line in shown["lines"])
    assert any("还没有选择状态" in line for line in shown["lines"])
    assert result.return_file.is_file() and result.return_file.parent == result.folder
    assert result.xlsx_copy is not None and result.xlsx_copy.is_file()
    assert str(result.return_file) in dialogs.texts("question")[-1]
    assert [u.toLocalFile() for u in opened] == [str(result.folder)]
    with Ledger.open(ledger) as led:
        report = merge_files(led, [result.return_file])
        entries = {p.task_id: p for p in led.document().progress if p.unit == UNIT and p.round == ROUND}
    assert report.batches, report
    done = entries["t001"]
    assert (done.status, done.text, done.done_date) == ("已完成", "已公开社会组织评估等级结果", date(2023, 9, 20))
    assert done.source == result.return_file.name
    assert entries["t002"].status == "进行中"


def test_finish_cancelled_at_the_checklist_goes_to_the_first_task_left_to_fill(window: LiaisonWindow, package: Path,
                                                                               monkeypatch) -> None:
    monkeypatch.setattr(liaison_finish.FinishDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    window.select_task("t010")
    assert window.finish() is None
    assert not (package.parent / "报回文件").exists()
    first = next(t for t in window.model.task_ids() if not window.model.entry(t).status)
    assert window.current_task_id() == first


def test_an_unreadable_date_typed_in_the_pane_is_not_saved_and_the_indicator_says_so(qtbot, window: LiaisonWindow,
                                                                                      package: Path, dialogs) -> None:
    window.select_task("t004")
    before = package.read_bytes()
    type_in(qtbot, window.editor.done_date, "九月中旬")
    qtbot.keyClick(window.editor.done_date, Qt.Key.Key_Return)
    assert window.saved_label.text() == "未能保存" and "完成日期" in window.saved_label.toolTip()
    assert package.read_bytes() == before and dialogs == []
    dialogs.answer = QMessageBox.StandardButton.Cancel  # leaving the task: asked, and the liaison goes back
    assert not window.commit_pending()
    assert window.editor.done_date.text() == "九月中旬"
    window.editor.done_date.clear()
    type_in(qtbot, window.editor.done_date, "2023-09-30")
    qtbot.keyClick(window.editor.done_date, Qt.Key.Key_Return)
    assert on_disk(package, "t004").done_date == "2023-09-30" and window.saved_label.text().startswith("已自动保存")


def test_a_package_from_before_earlier_rounds_and_rework_opens_and_fills(qtbot, package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(members["liaison.json"])
    for task in data["tasks"]:
        task.pop("earlier", None)
        task.pop("rework", None)
    members["liaison.json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    win = LiaisonWindow(LiaisonSession.open(package), today=TODAY)
    qtbot.addWidget(win)
    win.select_task("t003")
    assert win.editor.rework.isHidden() and win.editor.earlier.isHidden()
    assert "退回" not in cell(win, "t003", COL_SEQ).data()
    win.editor.status.setCurrentIndex(win.editor.status.findData("未开始"))
    assert on_disk(package, "t003").status == "未开始"


def test_finishing_a_return_file_opened_from_its_folder_writes_it_there(qtbot, package: Path, monkeypatch) -> None:
    folder = package.parent / "报回文件"
    folder.mkdir()
    again = folder / package.name
    again.write_bytes(package.read_bytes())
    session = LiaisonSession.open(again)
    assert liaison_finish.default_folder(session) == folder
    assert liaison_finish.default_folder(LiaisonSession.open(package)) == folder
