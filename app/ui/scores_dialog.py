"""修改考核权重: one spin box per weight (按时报送, 逾期报送, … 每项退回修改), 恢复默认, OK.

The new weights are set through the facade (app.scores.set_weights) as ONE step on the window's
undo stack (window.run_command), so 撤销 puts every weight back at once; nothing is written when
nothing changed. The dialog is modal and small; `edit_weights(window)` opens it and says whether
the weights changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from app.core.scores import (
    DEFAULT_WEIGHTS,
    WEIGHT_KEYS,
    WEIGHT_LABELS,
    WEIGHT_LIMIT,
    WEIGHT_UNITS,
    ScoreWeights,
)
from app.errors import LedgerError
from app.scores import current_weights, read_weights, set_weights, weights_with
from app.ui.dialogs import APP_NAME, show_error

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

UNDO_TEXT = "修改考核权重"


class WeightsDialog(QDialog):
    """The weights as spin boxes; `weights()` is what they say now."""

    def __init__(self, parent, weights: ScoreWeights) -> None:
        super().__init__(parent)
        self.setObjectName("scoreWeightsDialog")
        self.setWindowTitle(f"修改考核权重 — {APP_NAME}")
        self.boxes: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout()
        for key in WEIGHT_KEYS:
            box = QDoubleSpinBox()
            box.setRange(-WEIGHT_LIMIT, WEIGHT_LIMIT)
            box.setDecimals(1)
            box.setSingleStep(1)
            box.setSuffix(f" {WEIGHT_UNITS[key]}")
            box.setValue(getattr(weights, key))
            box.setObjectName(f"weight_{key}")
            form.addRow(f"{WEIGHT_LABELS[key]}：", box)
            self.boxes[key] = box
        note = QLabel("每轮按报送情况得一项分（按时、逾期或未报送），再按本轮完成、逾期未完成、"
                      "退回修改的任务逐项加减分。负数为扣分。")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setText("恢复默认")
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)

    def restore_defaults(self) -> None:
        for key, box in self.boxes.items():
            box.setValue(DEFAULT_WEIGHTS[key])

    def values(self) -> dict[str, float]:
        return {key: box.value() for key, box in self.boxes.items()}


def apply_weights(window: MainWindow, values: dict[str, float]) -> bool:
    """Set the weights as one undoable step; False when refused (the window showed why) or unchanged."""
    ledger = window.ledger
    if ledger is None or weights_with(ledger, values) == current_weights(ledger):
        return False
    return window.run_command(UNDO_TEXT, lambda led: set_weights(led, values))


def edit_weights(window: MainWindow, parent=None) -> bool:
    """Open the dialog on the ledger's weights; True when new weights were set."""
    if window.ledger is None:
        return False
    try:
        weights = read_weights(window.ledger)
    except LedgerError as exc:  # a damaged setting: say so, and offer the defaults to replace it
        show_error(parent or window, str(exc))
        weights = ScoreWeights()
    dialog = WeightsDialog(parent or window, weights)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    return apply_weights(window, dialog.values())
