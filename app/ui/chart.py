"""The overview's charts, drawn with QPainter (no chart library): completion by unit as stacked bars,
and the task count of each state.

Each chart is a paint function on (painter, rect) so the same drawing goes on screen (a QWidget in a
scroll area: 100 units stay readable) and on paper (app/ui/overview.py prints through
app/ui/printing.py). Sizes are given in points and scaled by the painter's device, so a printed bar
is as legible as a shown one.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPaintDevice, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.status import STATE_LABELS, STATES, UnitSummary

# Bar segments of a unit: (label, colour); in_progress is split into its due-soon part and the rest.
SEGMENTS = (("已完成", "#3a9b4a"), ("按期推进", "#5b8fd6"), ("即将到期", "#e0a526"), ("已逾期", "#d9453b"),
            ("长期坚持", "#8a7cc8"))
STATE_BAR_COLOURS = {"done": "#3a9b4a", "on_track": "#5b8fd6", "due_soon": "#e0a526", "overdue": "#d9453b",
                     "long_term": "#8a7cc8", "no_deadline": "#9aa0a6"}
SORTS = {"completion": "按完成率", "overdue": "按逾期数", "led": "按牵头任务数", "name": "按单位名称"}
ROW_PT = 15.0  # one unit's line
LABEL_CHARS = 9  # unit names up to this many characters are shown whole
TEXT_COLOUR = "#202020"
GRID_COLOUR = "#d0d4da"


def segments(row: UnitSummary) -> list[int]:
    """The five parts of a unit's led tasks, in SEGMENTS order (they add up to row.led)."""
    return [row.done, row.in_progress - row.due_soon, row.due_soon, row.overdue, row.long_term]


def completion(row: UnitSummary) -> float:
    return row.done / row.led if row.led else 0.0


def sorted_units(rows: Sequence[UnitSummary], key: str = "completion") -> list[UnitSummary]:
    """Units that lead tasks, ordered for the chart (ties by name, so the order is stable)."""
    led = [r for r in rows if r.led]
    if key == "overdue":
        return sorted(led, key=lambda r: (-r.overdue, completion(r), r.unit))
    if key == "led":
        return sorted(led, key=lambda r: (-r.led, r.unit))
    if key == "name":
        return sorted(led, key=lambda r: r.unit)
    return sorted(led, key=lambda r: (-completion(r), -r.led, r.unit))


def _dpi(device: QPaintDevice) -> float:
    return device.logicalDpiY() or 96


def _pt(painter: QPainter, value: float) -> float:
    return value * _dpi(painter.device()) / 72


def _font(size_pt: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    return font


def paint_bar(painter: QPainter, rect: QRectF, row: UnitSummary, scale: int) -> None:
    """One unit's stacked bar in `rect`, `scale` tasks wide (the largest unit's count)."""
    x = rect.left()
    unit_w = rect.width() / max(scale, 1)
    for (_label, colour), count in zip(SEGMENTS, segments(row)):
        if count <= 0:
            continue
        width = count * unit_w
        painter.fillRect(QRectF(x, rect.top(), width, rect.height()), QColor(colour))
        x += width


def paint_legend(painter: QPainter, rect: QRectF, items: Sequence[tuple[str, str]]) -> None:
    """Colour swatches and their labels, in a row from the left."""
    painter.setFont(_font(8.5))
    metrics = QFontMetricsF(painter.font(), painter.device())
    box = metrics.height() * 0.8
    x = rect.left()
    for label, colour in items:
        painter.fillRect(QRectF(x, rect.center().y() - box / 2, box, box), QColor(colour))
        x += box + _pt(painter, 3)
        painter.setPen(QColor(TEXT_COLOUR))
        painter.drawText(QRectF(x, rect.top(), metrics.horizontalAdvance(label) + 2, rect.height()),
                         int(Qt.AlignmentFlag.AlignVCenter), label)
        x += metrics.horizontalAdvance(label) + _pt(painter, 12)


def paint_units(painter: QPainter, rect: QRectF, rows: Sequence[UnitSummary], *, row_pt: float = ROW_PT) -> None:
    """Completion by unit: the name, its stacked bar, and "done/led 完成率" at the bar's end; the legend on top."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    font = _font(9)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    row_h = _pt(painter, row_pt)
    legend_h = row_h * 1.3
    paint_legend(painter, QRectF(rect.left(), rect.top(), rect.width(), legend_h), SEGMENTS)
    painter.setFont(font)
    label_w = metrics.horizontalAdvance("国" * LABEL_CHARS) + _pt(painter, 6)
    value_w = metrics.horizontalAdvance("999/999  100%") + _pt(painter, 6)
    bar_left = rect.left() + label_w
    bar_w = max(rect.width() - label_w - value_w, 10.0)
    scale = max((r.led for r in rows), default=1)
    top = rect.top() + legend_h
    painter.setPen(QColor(GRID_COLOUR))
    painter.drawLine(int(bar_left), int(top), int(bar_left), int(top + row_h * len(rows)))
    for k, row in enumerate(rows):
        y = top + k * row_h
        if y > rect.bottom():
            break
        painter.setPen(QColor(TEXT_COLOUR))
        name = metrics.elidedText(row.unit, Qt.TextElideMode.ElideMiddle, label_w - _pt(painter, 6))
        painter.drawText(QRectF(rect.left(), y, label_w - _pt(painter, 6), row_h),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), name)
        bar = QRectF(bar_left, y + row_h * 0.18, bar_w * row.led / scale, row_h * 0.64)
        paint_bar(painter, bar, row, row.led)
        painter.setPen(QColor(TEXT_COLOUR))
        painter.drawText(QRectF(bar.right() + _pt(painter, 4), y, value_w, row_h),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         f"{row.done}/{row.led}  {completion(row):.0%}")


def units_height_pt(count: int, row_pt: float = ROW_PT) -> float:
    return row_pt * (count + 1.3)


def paint_states(painter: QPainter, rect: QRectF, by_status: dict[str, int]) -> None:
    """The task count of each state as columns, the count above and the state's name below."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    font = _font(9)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    text_h = metrics.height() * 1.2
    states = [s for s in STATES if s in by_status]
    scale = max((by_status[s] for s in states), default=0) or 1
    slot = rect.width() / max(len(states), 1)
    bar_w = min(slot * 0.55, _pt(painter, 60))
    base = rect.bottom() - text_h
    room = base - rect.top() - text_h
    painter.setPen(QColor(GRID_COLOUR))
    painter.drawLine(int(rect.left()), int(base), int(rect.right()), int(base))
    for k, state in enumerate(states):
        count = by_status[state]
        cx = rect.left() + slot * (k + 0.5)
        height = room * count / scale
        if count:
            painter.fillRect(QRectF(cx - bar_w / 2, base - height, bar_w, height),
                             QColor(STATE_BAR_COLOURS.get(state, "#888888")))
        painter.setPen(QColor(TEXT_COLOUR))
        painter.drawText(QRectF(cx - slot / 2, base - height - text_h, slot, text_h),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), str(count))
        painter.drawText(QRectF(cx - slot / 2, base, slot, text_h),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
                         STATE_LABELS.get(state, state))


class UnitChart(QWidget):
    """Completion by unit on screen: as tall as its units need (put it in a QScrollArea)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[UnitSummary] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setBackgroundRole(self.backgroundRole())
        self.setAutoFillBackground(True)

    def set_rows(self, rows: Sequence[UnitSummary]) -> None:
        self.rows = list(rows)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        height = units_height_pt(max(len(self.rows), 1)) * _dpi(self) / 72 + 12
        return QSize(480, int(height))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.rows:
            painter.setPen(QColor(TEXT_COLOUR))
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "没有牵头任务的单位")
        else:
            paint_units(painter, QRectF(self.rect()).adjusted(6, 6, -6, -6), self.rows)
        painter.end()


class StateChart(QWidget):
    """Task count by state on screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by_status: dict[str, int] = {}
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_counts(self, by_status: dict[str, int]) -> None:
        self.by_status = dict(by_status)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 150)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        paint_states(painter, QRectF(self.rect()).adjusted(8, 6, -8, -4), self.by_status)
        painter.end()
