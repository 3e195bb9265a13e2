"""The foundation's CLI contract: new → export json → stats, and bad ledger files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], check=False, capture_output=True, text=True,
                          encoding="utf-8")


def test_new_then_export_json_matches_contract(tmp_path: Path, capsys) -> None:
    ledger = tmp_path / "x.ledger"
    assert main(["new", str(ledger), "--title", "测试台账", "--year", "2023"]) == 0
    out = tmp_path / "x.json"
    assert main(["export", str(ledger), "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "ledgerdesk/1"
    assert data["title"] == "测试台账" and data["year"] == 2023
    for key in ("rounds", "units", "tasks"):
        assert data[key] == []
    capsys.readouterr()
    assert main(["stats", str(ledger), "--json", "--as-of", "2023-10-01"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["tasks"] == 0 and stats["overdue"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json", "x.ledger"]


def test_imported_seed_exports_contract_json_and_stats(tmp_path: Path, seed_path) -> None:
    ledger = tmp_path / "xiji.ledger"
    result = run_cli("import", str(seed_path("000")), "-o", str(ledger))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "xiji.json"
    assert run_cli("export", str(ledger), "--format", "json", "-o", str(out)).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["year"] == 2023 and len(data["tasks"]) == 38
    assert [r["name"] for r in data["rounds"]] == ["第一次报送", "第二次报送"]
    first = data["tasks"][0]
    assert set(first) >= {"id", "seq", "path", "key_work", "content", "metric", "lead_units", "coop_units",
                          "deadline", "progress"}
    assert first["path"] == ["一、深化重点领域信息公开"]
    assert first["lead_units"] == ["县人民政府办公室"]
    assert first["deadline"] == {"text": "2023年12月底", "date": "2023-12-31", "kind": "date"}
    assert {"name", "aliases"} <= set(data["units"][0])
    kinds = {u["name"]: u["kind"] for u in data["units"]}
    assert kinds["各乡镇人民政府"] == "group"
    stats = run_cli("stats", str(ledger), "--json", "--as-of", "2023-11-01")
    assert stats.returncode == 0, stats.stderr
    report = json.loads(stats.stdout)
    assert report["tasks"] == 38
    assert sum(report["by_status"].values()) == 38
    text = run_cli("stats", str(ledger), "--as-of", "2024-01-15")
    assert "逾期任务" in text.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.ledger", b""), ("renamed.ledger", b"PK\x03\x04" + b"\x00" * 100), ("random.ledger", bytes(range(256)) * 8)],
)
@pytest.mark.parametrize("command", [["export", "--format", "json", "-o", "OUT"], ["stats"]])
def test_non_ledger_file_gives_one_line_and_no_traceback(tmp_path: Path, name: str, content: bytes,
                                                          command: list[str]) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    args = [command[0], str(bad), *[str(tmp_path / "out.json") if a == "OUT" else a for a in command[1:]]]
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in result.stderr
    assert bad.read_bytes() == content
    assert not (tmp_path / "out.json").exists()


def test_every_command_has_help() -> None:
    for command in ("new", "import", "export", "stats", "gui", "demo"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout


@pytest.mark.parametrize("args", [["export", "x.ledger", "--format", "pdf", "-o", "y"], ["bogus"], ["stats"]])
def test_usage_errors_are_one_chinese_line(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：命令参数有误") and "--help" in lines[0]


def test_output_closed_early_is_not_an_error(tmp_path: Path, monkeypatch, capsys) -> None:
    """`ledgerdesk stats L | head -1`: the closed pipe ends the command quietly, exit 0."""
    ledger = tmp_path / "x.ledger"
    assert main(["new", str(ledger), "--title", "测试台账"]) == 0

    class ClosedPipe:
        def write(self, _text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["stats", str(ledger)]) == 0
    assert "内部错误" not in capsys.readouterr().err


def test_debug_shows_what_a_reader_turned_into_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    """LEDGERDESK_DEBUG=1 shows the library failure (or our own bug) behind a reader's one-line refusal;
    without it the clerk sees the one line only."""
    from app.cli import main

    damaged = tmp_path / "坏.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    out = tmp_path / "台账.ledger"
    monkeypatch.delenv("LEDGERDESK_DEBUG", raising=False)
    assert main(["import", str(damaged), "-o", str(out)]) == 2
    plain = capsys.readouterr().err
    assert plain.count("\n") == 1 and plain.startswith("错误：坏.xlsx：") and "Traceback" not in plain
    monkeypatch.setenv("LEDGERDESK_DEBUG", "1")
    assert main(["import", str(damaged), "-o", str(out)]) == 2
    debug = capsys.readouterr().err
    assert "Traceback" in debug and debug.rstrip("\n").endswith(plain.rstrip("\n"))
