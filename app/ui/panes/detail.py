"""The detail pane: one task's fields, editable; "保存修改" sends only what changed."""

from __future__ import annotations

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
from app.core.records import Task
from app.core.units import split_unit_list

TEXTS = {
    "seq": "序号", "key_work": "重点工作", "content": "主要内容", "metric": "量化指标",
    "lead": "责任单位（牵头）", "coop": "配合单位", "deadline": "完成时限", "save": "保存修改",
    "empty": "请在左侧选择一项任务。", "path": "所属章节",
}
KIND_LABELS = {"date": "日期", "long_term": "长期坚持", "relative": "相对时限", "per_superior": "按上级要求",
               "recurring": "周期性", "none": "无时限"}


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
        self.lead = QLineEdit()
        self.coop = QLineEdit()
        self.deadline = QLineEdit()
        self.deadline_kind = QLabel()
        self.save_button = QPushButton(TEXTS["save"])
        self.save_button.clicked.connect(self._save)
        form = QFormLayout()
        form.addRow(TEXTS["seq"], self.seq)
        form.addRow(TEXTS["key_work"], self.key_work)
        form.addRow(TEXTS["content"], self.content)
        form.addRow(TEXTS["metric"], self.metric)
        form.addRow(TEXTS["lead"], self.lead)
        form.addRow(TEXTS["coop"], self.coop)
        row = QHBoxLayout()
        row.addWidget(self.deadline)
        row.addWidget(self.deadline_kind)
        form.addRow(TEXTS["deadline"], row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.path_label)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        self.setEnabled(False)

    def show_task(self, task: Task | None, *, path: list[str], year: int | None) -> None:
        self._task = task
        self._year = year
        self.setEnabled(task is not None)
        if task is None:
            self.path_label.setText(TEXTS["empty"])
            for widget in (self.seq, self.key_work, self.lead, self.coop, self.deadline):
                widget.clear()
            self.content.clear()
            self.metric.clear()
            self.deadline_kind.clear()
            self._shown = {}
            return
        self.path_label.setText(f"{TEXTS['path']}：" + " › ".join(path))
        self.seq.setText(task.seq)
        self.key_work.setText(task.key_work)
        self.content.setPlainText(task.content)
        self.metric.setPlainText(task.metric)
        self.lead.setText("、".join(task.lead_units))
        self.coop.setText("、".join(task.coop_units))
        self.deadline.setText(task.deadline.text)
        for line in (self.seq, self.key_work, self.lead, self.coop, self.deadline):
            line.setCursorPosition(0)  # show a long unit list from its start, not its end
            line.setToolTip(line.text())
        date_text = task.deadline.date.isoformat() if task.deadline.date else ""
        self.deadline_kind.setText(f"{KIND_LABELS.get(task.deadline.kind, task.deadline.kind)} {date_text}".strip())
        self._shown = self._texts()

    def _texts(self) -> dict[str, str]:
        return {"seq": self.seq.text(), "key_work": self.key_work.text(), "content": self.content.toPlainText(),
                "metric": self.metric.toPlainText(), "lead": self.lead.text(), "coop": self.coop.text(),
                "deadline": self.deadline.text()}

    def changed_fields(self) -> dict:
        """Only the fields the user changed, in the facade's terms. A field counts as changed when its
        text differs from what was shown, so a stored value the widgets normalise (trailing newline,
        a unit list spelled otherwise) is never written back by merely looking at it."""
        task = self._task
        if task is None:
            return {}
        texts = self._texts()
        fields: dict = {}
        for name in ("seq", "key_work", "content", "metric"):
            if texts[name] != self._shown.get(name) and texts[name].strip() != getattr(task, name):
                fields[name] = texts[name].strip()
        for name, stored in (("lead", task.lead_units), ("coop", task.coop_units)):
            if texts[name] != self._shown.get(name):
                units = split_unit_list(texts[name])
                if units != stored:
                    fields[f"{name}_units"] = units
        if texts["deadline"] != self._shown.get("deadline") and texts["deadline"].strip() != task.deadline.text:
            fields["deadline"] = parse_deadline(texts["deadline"].strip(), year=self._year)
        return fields

    def has_changes(self) -> bool:
        return bool(self.changed_fields())

    def _save(self) -> None:
        fields = self.changed_fields()
        if self._task is not None and fields:
            self.edit_requested.emit(self._task.id, fields)
