"""`ledgerdesk import` options: --dry-run, --json (ledgerdesk-import/1) and --columns."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.ledger import Ledger

SWAPPED = ("某县2025年政务公开任务分解表\n"
           "序号,重点工作,主要内容,配合单位,责任单位,完成时限\n"
           "1,公开预算,公开部门预算。,县财政局,县审计局,2025年6月底前\n"
           "2,,公开部门决算。,县财政局,县审计局,2025年9月底前\n")


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "分解表.csv"
    path.write_text(SWAPPED, encoding="utf-8")
    return path


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_dry_run_reads_and_reports_without_writing(tmp_path, plan, capsys):
    assert main(["import", str(plan), "--dry-run"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "已读取 分解表.csv（试运行 --dry-run，未写入台账）"
    assert "任务（tasks）：2 项" in printed
    out = tmp_path / "o.ledger"
    assert main(["import", str(plan), "-o", str(out), "--dry-run"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["分解表.csv"]


def test_json_report_has_the_import_shape(plan, capsys):
    assert main(["import", str(plan), "--dry-run", "--json"]) == 0
    data = _json(capsys)
    assert data["format"] == "ledgerdesk-import/1"
    assert (data["source"], data["output"], data["dry_run"]) == ("分解表.csv", None, True)
    assert (data["title"], data["year"], data["sections"], data["tasks"]) == ("某县2025年政务公开任务分解表", 2025, 0, 2)
    assert data["units"] == 2 and data["rounds"] == []
    assert data["columns"]["lead"] == {"column": 5, "columns": [5], "header": "责任单位", "guessed": False,
                                       "by": "header"}
    assert data["columns"]["coop"]["column"] == 4
    assert data["warning_total"] == len(data["warnings"]) == 0
    second = data["tasks_detail"][1]
    assert set(second) >= {"seq", "path", "key_work", "lead_units", "coop_units", "deadline", "doubts"}
    assert second["key_work"] == "公开预算" and second["deadline"] == {"text": "2025年9月底前", "date": "2025-09-30",
                                                                    "kind": "date"}
    assert any("沿用上方" in d for d in second["doubts"]) and data["tasks_detail"][0]["doubts"] == []


def test_columns_override_the_guess_and_the_ledger_holds_the_result(tmp_path, plan, capsys):
    out = tmp_path / "o.ledger"
    assert main(["import", str(plan), "-o", str(out), "--json", "--columns", "牵头=4，配合=责任单位"]) == 0
    data = _json(capsys)
    assert data["output"] == str(out) and data["dry_run"] is False
    assert data["columns"]["lead"]["by"] == "user" and data["columns"]["coop"]["header"] == "责任单位"
    with Ledger.open(out, readonly=True) as ledger:
        task = ledger.document().tasks[0]
    assert (task.lead_units, task.coop_units) == (["县财政局"], ["县审计局"])


def test_text_summary_shows_the_mapping_and_doubts_before_the_warnings(plan, tmp_path, capsys):
    assert main(["import", str(plan), "-o", str(tmp_path / "o.ledger")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("已导入 分解表.csv → ")
    columns = next(ln for ln in lines if ln.startswith("列对应（columns）："))
    assert "牵头（责任）单位=第5列“责任单位”" in columns and "配合单位=第4列“配合单位”" in columns
    assert "存疑（doubts）：1 项任务需要核对" in lines
    assert lines.index(columns) < lines.index("警告（warnings）：无") == len(lines) - 1


@pytest.mark.parametrize(("argv", "words"), [
    (["--columns", "负责人=3"], "不认识的字段"),
    (["--columns", "牵头=9"], "第9列超出表格宽度"),
    ([], "-o"),
])
def test_bad_options_are_one_line_errors_and_write_nothing(tmp_path, plan, capsys, argv, words):
    extra = ["-o", str(tmp_path / "o.ledger")] if argv else []
    assert main(["import", str(plan), *extra, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["分解表.csv"]


def test_help_documents_the_new_options(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = capsys.readouterr().out
    for word in ("--dry-run", "--json", "--columns", "任务=2,内容=3,牵头=4,配合=5,时限=6", "不写任何文件"):
        assert word in text
