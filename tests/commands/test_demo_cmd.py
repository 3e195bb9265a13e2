"""`ledgerdesk demo`: the README's main job, headless, and its fallback where no window can open."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl

from app.cli import main
from app.ui import app as ui_app


def test_demo_writes_ledger_tables_and_sheets_and_says_where(tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out), "--no-gui"]) == 0
    printed = capsys.readouterr().out
    ledger = out / "西吉县2023年政务公开台账.ledger"
    for path in (ledger, out / "标准台账.xlsx", out / "标准台账.docx", out / "标准台账.json"):
        assert path.exists() and str(path.resolve()) in printed
    data = json.loads((out / "标准台账.json").read_text(encoding="utf-8"))
    assert len(data["tasks"]) == 38 and data["year"] == 2023
    sheets = sorted((out / "报送表").glob("*.xlsx"))
    assert len(sheets) >= 20 and any(p.name == "县民政局_第二次报送.xlsx" for p in sheets)
    ws = openpyxl.load_workbook(sheets[0]).worksheets[0]
    assert any("进展落实情况" in [c.value for c in row] for row in ws.iter_rows())
    assert main(["demo", "-o", str(out), "--no-gui"]) == 0  # runs again over its own output


def test_no_display_falls_back_to_the_headless_loop(tmp_path: Path, monkeypatch, capsys) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui_app.sys, "platform", "linux")
    assert main(["demo", "-o", str(tmp_path / "d")]) == 0
    assert "没有图形显示环境" in capsys.readouterr().out
    assert main(["gui"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "没有图形显示环境" in err[0]


def test_a_qt_plugin_that_would_abort_is_detected_first(monkeypatch) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(ui_app.sys, "platform", "linux")
    failed = subprocess.CompletedProcess([], -6, "", "qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: failed)
    reason = ui_app.window_unavailable_reason()
    assert reason and "libxcb-cursor0" in reason
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess([], 0, "", ""))
    assert ui_app.window_unavailable_reason() is None
