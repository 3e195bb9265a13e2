"""Asking the clerk for a reason (退回修改, 不同意延期): one small dialog, in its own module so tests
can answer it (monkeypatch `ask_reason`) the way they answer the other dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget


def ask_reason(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """The reason typed, stripped; None when cancelled or left empty (a reason is required)."""
    value, ok = QInputDialog.getMultiLineText(parent, title, label, text)
    value = value.strip() if ok else ""
    return value or None
