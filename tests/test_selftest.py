"""`ledgerdesk selftest`: every step passes on a working install, and a broken step makes the exit non-zero.

The first test runs the command as the user would, through the venv's `ledgerdesk` script in a child
process (offscreen); the build check (build_spec/check.sh) runs the same command on the frozen program.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.selftest import FAIL, PASS, Selftest, run_selftest

STEPS = [name for name, _ in Selftest(Path(".")).steps()]


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("ledgerdesk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app"]


def test_selftest_passes_every_step(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LEDGERDESK_CONFIG_DIR=str(tmp_path / "config"))
    result = subprocess.run([*_cli(), "selftest", "--keep", str(tmp_path / "work")], capture_output=True,
                            text=True, encoding="utf-8", env=env, timeout=300, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith((PASS, FAIL))]
    assert [line.split(" ", 1)[1].split("：", 1)[0] for line in lines] == STEPS, result.stdout + result.stderr
    assert all(line.startswith(PASS) for line in lines), result.stdout
    assert result.returncode == 0
    assert f"自检通过：{len(STEPS)} 步全部通过" in result.stdout
    assert "Traceback" not in result.stderr
    work = tmp_path / "work"
    # what the steps made is there: the exports, the filled sheet and package, both renders
    for name in ("标准台账.xlsx", "标准台账.docx", "主窗口.png", "联络员窗口.png"):
        assert (work / name).stat().st_size > 1000
    assert len(list((work / "报送表").glob("*.xlsx"))) == 1
    assert len(list((work / "数据包").glob("*.ldpkg"))) == 1


def test_a_broken_seed_fails_its_step_and_the_command(tmp_path: Path, capsys, monkeypatch) -> None:
    from app.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("LEDGERDESK_CONFIG_DIR", str(tmp_path / "config"))
    bad = tmp_path / "不存在的要点.txt"
    code = main(["selftest", "--seed", str(bad), "--keep", str(tmp_path / "work")])
    out = capsys.readouterr().out
    assert code == 1
    lines = {line.split(" ", 1)[1].split("：", 1)[0]: line for line in out.splitlines() if line.startswith((PASS, FAIL))}
    assert lines["打开演示台账（只读）"].startswith(PASS)
    assert lines["导入工作要点"].startswith(FAIL) and "不存在的要点.txt" in lines["导入工作要点"]
    # the steps that need the imported ledger say so instead of passing on nothing
    for step in ("导出 Excel 台账", "报送表（写出、填写、合并）", "主窗口（离屏绘制）", "联络员窗口（离屏绘制）"):
        assert lines[step].startswith(FAIL) and "未成功" in lines[step]
    assert "自检未通过" in out and "Traceback" not in out


def test_a_check_that_does_not_hold_is_a_failed_step(tmp_path: Path, monkeypatch) -> None:
    """A step that runs without an exception but finds the wrong thing fails: here the demo ledger is
    changed while it is open read-only (a stand-in for a broken read-only open)."""
    from app import ledger as ledger_module

    real_open = ledger_module.Ledger.open

    def open_and_touch(path, **kwargs):
        opened = real_open(path, **kwargs)
        with Path(path).open("ab") as f:
            f.write(b"\0")
        return opened

    monkeypatch.setattr(ledger_module.Ledger, "open", open_and_touch)
    results = run_selftest(keep=tmp_path / "work")
    demo = results[0]
    assert (demo.name, demo.ok) == ("打开演示台账（只读）", False)
    assert "被改动" in demo.detail
    assert demo.line().startswith(FAIL)
