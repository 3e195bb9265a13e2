"""The small legend of the outline's state colours (状态 column and row backgrounds).

The colours are the tree model's own (app/ui/models/task_tree.py), so the legend can never say
something the rows do not show. The lead places it (under the tree, or in the status bar).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.core.status import STATE_LABELS, STATES
from app.ui.models.task_tree import STATE_COLOURS, STATE_TEXT_COLOURS

STATE_HINTS = {
    "done": "每个牵头单位最近一次报送均为“已完成”",
    "on_track": "时限未到，且不在提醒期内",
    "due_soon": "15 天内到期",
    "overdue": "时限已过未完成，或报送“未按期完成”",
    "long_term": "长期坚持或周期性任务",
    "no_deadline": "时限无法确定（相对时限、按上级要求等）",
}


class StateLegend(QWidget):
    """One chip per task state, coloured like the rows; the rule in each chip's tooltip."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(6)
        title = QLabel("状态：")
        layout.addWidget(title)
        self.chips: dict[str, QLabel] = {}
        for state in STATES:
            chip = QLabel(STATE_LABELS[state])
            background = STATE_COLOURS.get(state, "#ffffff")
            colour = STATE_TEXT_COLOURS.get(state, "#202020")
            chip.setStyleSheet(f"QLabel {{ background: {background}; color: {colour}; border: 1px solid #c8ced6;"
                               " border-radius: 3px; padding: 1px 6px; }")
            chip.setToolTip(STATE_HINTS.get(state, ""))
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(chip)
            self.chips[state] = chip
        layout.addStretch(1)
