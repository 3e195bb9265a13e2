"""A unit-list field ("县民政局、县司法局") that completes each name from the unit directory.

The clerk types a few characters of any spelling the directory knows (the name or an alias,
anywhere in it: "民政" finds 县民政局, "发改局" finds 县发展和改革局); the completion puts in the
unit's real name, and a name the directory resolves (an alias typed out in full) is saved as the
real name too. A name the directory does not know is shown in a warning under the field: the
clerk may still save it (the facade says whether the ledger takes it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.records import Unit
from app.core.units import UnitDirectory, split_unit_list

MATCH_ROLE = Qt.ItemDataRole.UserRole + 1  # the spelling matched against what is typed
NAME_ROLE = Qt.ItemDataRole.UserRole + 2  # the unit's real name, put into the field
SEPARATOR = "、"
WARNING_COLOUR = "#b3261e"
_LAST_PIECE_RE = re.compile(r"[、，,；;]\s*")


def completion_model(units: Iterable[Unit]) -> QStandardItemModel:
    """One row per spelling: a unit's name, and each alias shown with the name it stands for."""
    model = QStandardItemModel()
    for unit in units:
        for spelling in (unit.name, *unit.aliases):
            shown = spelling if spelling == unit.name else f"{spelling}（即 {unit.name}）"
            item = QStandardItem(shown)
            item.setData(spelling, MATCH_ROLE)
            item.setData(unit.name, NAME_ROLE)
            item.setEditable(False)
            model.appendRow(item)
    return model


class UnitCompleter(QCompleter):
    """Completes the last name of a list; what goes in is always the unit's real name."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setCompletionRole(MATCH_ROLE)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(12)

    def splitPath(self, path: str) -> list[str]:
        pieces = _LAST_PIECE_RE.split(path)
        return [pieces[-1].strip()] if pieces else [""]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        name = index.data(NAME_ROLE) or ""
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        match = None
        for match in _LAST_PIECE_RE.finditer(text):
            pass
        head = text[:match.start()] + SEPARATOR if match is not None else ""
        return head + name


class UnitField(QWidget):
    """A line edit for a unit list with completion and a warning line for names not in the directory."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.completer = UnitCompleter(self.edit)
        self.edit.setCompleter(self.completer)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.warning.hide()
        self.directory = UnitDirectory()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.warning)
        self.edit.textChanged.connect(self._check)

    def set_units(self, units: Iterable[Unit]) -> None:
        units = list(units)
        self.directory = UnitDirectory(Unit(u.name, u.kind, list(u.aliases)) for u in units)
        model = completion_model(units)
        model.setParent(self.completer)
        self.completer.setModel(model)
        self._check()

    def units(self) -> list[str]:
        """The names typed, each resolved to the unit's real name when the directory knows it."""
        out: list[str] = []
        for name in split_unit_list(self.edit.text()):
            real = name if name in self.directory else (self.directory.resolve(name) or name)
            if real not in out:
                out.append(real)
        return out

    def unknown(self) -> list[str]:
        if not len(self.directory):
            return []  # no directory given: nothing to check against
        return [n for n in self.units() if n not in self.directory]

    def _check(self) -> None:
        unknown = self.unknown()
        self.warning.setVisible(bool(unknown))
        self.warning.setText(f"不在单位名录中：{'、'.join(unknown)}（可保存，但请核对名称）" if unknown else "")

    # the QLineEdit calls the pane and the tests use
    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # Qt's spelling: the field reads like a QLineEdit
        self.edit.setText(text)

    def clear(self) -> None:
        self.edit.clear()
