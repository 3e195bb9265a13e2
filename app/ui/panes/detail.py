"""The detail pane: one task's fields, editable; "保存修改" sends only what changed.

Every field of the task is here. 牵头/配合单位 complete from the unit directory (an alias is
saved as the unit's real name; a name the directory does not know is flagged, not refused).
Beside 完成时限 the pane shows what the parser makes of the text as it is typed: the date and
kind ("2026-06-30 · 截止日期", "长期"), or "无法识别：…" in a warning colour, so the clerk sees
before saving whether dashboards will be able to warn on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.deadlines import parse_deadline
from app.core.records import Deadline, Task, Unit
from app.ui.panes.unit_field import WARNING_COLOUR, UnitField

TEXTS = {
    "seq": "序号", "key_work": "重点工作", "content": "主要内容", "metric": "量化指标",
    "lead": "责任单位（牵头）", "coop": "配合单位", "deadline": "完成时限", "notes": "备注", "save": "保存修改",
    "empty": "请在左侧选择一项任务。", "path": "所属章节",
}
KIND_LABELS = {"date": "截止日期", "long_term": "长期", "relative": "相对时限", "per_superior": "按上级要求",
               "recurring": "周期性", "none": "无时限"}
UNPARSED = "无法识别"
OK_COLOUR = "#1f4e8c"


def describe_deadline(deadline: Deadline) -> tuple[str, bool]:
    """What the parser found, in the clerk's words, and whether it is a warning (text it cannot read)."""
    if deadline.kind == "none":
        if deadline.text.strip():
            return f"{UNPARSED}：“{deadline.text.strip()}”（写成如“2026年6月30日前”“长期坚持”“每季度”）", True
        return KIND_LABELS["none"], False
    label = KIND_LABELS.get(deadline.kind, deadline.kind)
    if deadline.date is None:
        return label, False
    if deadline.kind == "long_term":
        return f"{label} · 首个节点 {deadline.date.isoformat()}", False
    return f"{deadline.date.isoformat()} · {label}", False


class DetailPane(QWidget):
    """Emits `edit_requested(task_id, fields)` with only the changed fields."""

    edit_requested = Signal(str, dict)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._year: int | None = None
        self._shown: dict[str, str] = {}  # the texts as shown, to tell the clerk's edits from normalisation
        self.path_label = QLabel(TEXTS["empty"])
        self.path_label.setWordWrap(True)
        self.seq = QLineEdit()
        self.key_work = QLineEdit()
        self.content = QPlainTextEdit()
        self.metric = QPlainTextEdit()
        self.metric.setMaximumHeight(60)
        self.lead = UnitField()
        self.coop = UnitField()
        self.deadline = QLineEdit()
        self.deadline_kind = QLabel()
        self.deadline_kind.setWordWrap(True)
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        self.save_button = QPushButton(TEXTS["save"])
        self.save_button.clicked.connect(self._save)
        self.deadline.textChanged.connect(self._show_deadline)
        form = QFormLayout()
        form.addRow(TEXTS["seq"], self.seq)
        form.addRow(TEXTS["key_work"], self.key_work)
        form.addRow(TEXTS["content"], self.content)
        form.addRow(TEXTS["metric"], self.metric)
        form.addRow(TEXTS["lead"], self.lead)
        form.addRow(TEXTS["coop"], self.coop)
        deadline = QVBoxLayout()
        deadline.setSpacing(2)
        deadline.addWidget(self.deadline)
        deadline.addWidget(self.deadline_kind)
        form.addRow(TEXTS["deadline"], deadline)
        form.addRow(TEXTS["notes"], self.notes)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.path_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.setEnabled(False)

    def set_units(self, units: Iterable[Unit]) -> None:
        """The ledger's unit directory, for completion and the unknown-unit warning."""
        units = list(units)
        self.lead.set_units(units)
        self.coop.set_units(units)

    def show_task(self, task: Task | None, *, path: list[str], year: int | None) -> None:
        self._task = task
        self._year = year
        self.setEnabled(task is not None)
        if task is None:
            self.path_label.setText(TEXTS["empty"])
            for widget in (self.seq, self.key_work, self.lead, self.coop, self.deadline):
                widget.clear()
            for text in (self.content, self.metric, self.notes):
                text.clear()
            self.deadline_kind.clear()
            self._shown = {}
            return
        self.path_label.setText(f"{TEXTS['path']}：" + " › ".join(path))
        self.seq.setText(task.seq)
        self.key_work.setText(task.key_work)
        self.content.setPlainText(task.content)
        self.metric.setPlainText(task.metric)
        self.notes.setPlainText(task.notes)
        self.lead.setText("、".join(task.lead_units))
        self.coop.setText("、".join(task.coop_units))
        self.deadline.setText(task.deadline.text)
        for line in (self.seq, self.key_work, self.lead.edit, self.coop.edit, self.deadline):
            line.setCursorPosition(0)  # show a long unit list from its start, not its end
            line.setToolTip(line.text())
        self._show_deadline()
        self._shown = self._texts()

    def _show_deadline(self) -> None:
        """The parse of what is typed now (a few characters: cheap enough per keystroke)."""
        if self._task is None:
            self.deadline_kind.clear()
            return
        text = self.deadline.text().strip()
        stored = self._task.deadline
        deadline = stored if text == stored.text and stored.kind != "none" else parse_deadline(text, year=self._year)
        label, warn = describe_deadline(deadline)
        self.deadline_kind.setText(label)
        self.deadline_kind.setToolTip(label)
        self.deadline_kind.setProperty("warning", warn)
        self.deadline_kind.setStyleSheet(f"color: {WARNING_COLOUR if warn else OK_COLOUR};")

    def _texts(self) -> dict[str, str]:
        return {"seq": self.seq.text(), "key_work": self.key_work.text(), "content": self.content.toPlainText(),
                "metric": self.metric.toPlainText(), "notes": self.notes.toPlainText(), "lead": self.lead.text(),
                "coop": self.coop.text(), "deadline": self.deadline.text()}

    def changed_fields(self) -> dict:
        """Only the fields the user changed, in the facade's terms. A field counts as changed when its
        text differs from what was shown, so a stored value the widgets normalise (trailing newline,
        a unit list spelled otherwise) is never written back by merely looking at it."""
        task = self._task
        if task is None:
            return {}
        texts = self._texts()
        fields: dict = {}
        for name in ("seq", "key_work", "content", "metric", "notes"):
            if texts[name] != self._shown.get(name) and texts[name].strip() != getattr(task, name):
                fields[name] = texts[name].strip()
        for name, widget, stored in (("lead", self.lead, task.lead_units), ("coop", self.coop, task.coop_units)):
            if texts[name] != self._shown.get(name):
                units = widget.units()
                if units != stored:
                    fields[f"{name}_units"] = units
        if texts["deadline"] != self._shown.get("deadline") and texts["deadline"].strip() != task.deadline.text:
            fields["deadline"] = parse_deadline(texts["deadline"].strip(), year=self._year)
        return fields

    def has_changes(self) -> bool:
        return bool(self.changed_fields())

    def focus_content(self) -> None:
        """Put the cursor in 主要内容 (a task just inserted: the clerk types its text first)."""
        self.content.setFocus()
        self.content.selectAll()

    def _save(self) -> None:
        fields = self.changed_fields()
        if self._task is not None and fields:
            self.edit_requested.emit(self._task.id, fields)
