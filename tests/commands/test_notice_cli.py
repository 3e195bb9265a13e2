"""`ledgerdesk notice`: the 催报通知 from the command line; exit codes and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from tests.contract import harness
from tests.formats.test_notice_docx import MISSING, RETURNED, ROUND, table_rows, two_of_three_returned
from tests.merge_fixtures import run_main


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return two_of_three_returned(tmp_path)


def one_line(code: int, err: str, *names: str) -> str:
    return harness.one_line_error(harness.Result(["ledgerdesk"], code, "", err), *names)


def test_notice_writes_the_letter_and_says_who_is_missing(ledger, tmp_path, capsys):
    out = tmp_path / "催报.docx"
    code, stdout, err = run_main(capsys, "notice", ledger, "--kind", "remind", "--round", ROUND,
                                 "--date", "2023-09-15", "-o", out)
    assert code == 0, err
    assert "未报送 1 个单位（2 / 3 已报送）" in stdout and f"{MISSING}（马丽，0954-3012345）：未完成任务 1 项" in stdout
    assert f"已写入：{out}" in stdout
    rows = table_rows(Document(str(out)).tables[0])
    assert [r[1] for r in rows[1:]] == [MISSING]


def test_default_round_is_the_last_and_per_unit_fills_a_folder(ledger, tmp_path, capsys):
    folder = tmp_path / "通知"
    code, stdout, err = run_main(capsys, "notice", ledger, "--per-unit", "-o", folder)
    assert code == 0, err
    assert "（第二次报送）：未报送 3 个单位" in stdout
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"催报通知_{u}_第二次报送.docx" for u in (*RETURNED, MISSING))


def test_unit_option_takes_short_names_and_leaves_returned_units_out(ledger, tmp_path, capsys):
    out = tmp_path / "n.docx"
    code, _out, err = run_main(capsys, "notice", ledger, "--round", "第二次报送", "--unit", "县司法局",
                                 "--unit", "县人民政府办公室", "-o", out)
    assert code == 0, err
    assert [r[1] for r in table_rows(Document(str(out)).tables[0])[1:]] == ["县司法局", MISSING]


@pytest.mark.parametrize("argv, names", [
    (("--round", "第九次报送", "-o", "x.docx"), ("台账.ledger", "第九次报送")),
    (("--unit", "县不存在局", "-o", "x.docx"), ("台账.ledger", "县不存在局")),
    (("-o", "x.xlsx"), ("x.xlsx",)),
    (("--kind", "warn", "-o", "x.docx"), ("--help",)),
    (("--date", "2023-13-01", "-o", "x.docx"), ("2023-13-01",)),
])
def test_bad_input_is_one_line_exit_2_and_no_file(ledger, tmp_path, capsys, argv, names):
    args = [a if not a.startswith("x.") else tmp_path / a for a in argv]
    before = harness.snapshot(ledger.parent)
    if argv[0] in ("--kind", "--date"):
        with pytest.raises(SystemExit) as exc:
            run_main(capsys, "notice", ledger, *args)
        code, err = exc.value.code, capsys.readouterr().err
    else:
        code, _out, err = run_main(capsys, "notice", ledger, *args)
    assert code == 2
    one_line(code, err, *names)
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "x.xlsx").exists()
    harness.assert_unchanged(before, ledger.parent)


def test_everyone_returned_is_one_line_and_exit_2(tmp_path, capsys):
    from app.ledger import Ledger
    from app.returns import merge_files
    from tests.merge_fixtures import fill_xlsx

    ledger = two_of_three_returned(tmp_path)
    with Ledger.open(ledger) as led:
        sheet = tmp_path / "sent" / f"{MISSING}_{ROUND}.xlsx"
        merge_files(led, [fill_xlsx(sheet, {"3": {"状态": "进行中", "进展落实情况": "推进中"}},
                                    tmp_path / "back" / sheet.name)])
    code, _out, err = run_main(capsys, "notice", ledger, "--round", ROUND, "-o", tmp_path / "n.docx")
    assert code == 2 and "均已报送" in one_line(code, err, ROUND)
    assert not (tmp_path / "n.docx").exists()


def test_python_m_app_notice_exit_codes(ledger, tmp_path):
    good = harness.ok(harness.run("notice", ledger, "--round", ROUND, "-o", tmp_path / "a.docx"))
    assert MISSING in good.out and (tmp_path / "a.docx").is_file()
    bad = harness.run("notice", ledger, "--round", "第九次报送", "-o", tmp_path / "b.docx")
    assert bad.code == 2 and bad.out == ""
    harness.one_line_error(bad, ledger.name, "第九次报送")


def test_dispatches_reports_what_the_merge_did_with_each_return(ledger, capsys):
    import json

    code, out, err = run_main(capsys, "dispatches", ledger, "--round", ROUND, "--json")
    assert code == 0, err
    by_unit = {u["unit"]: u for u in json.loads(out)["units"]}
    # 县民政局 filled tasks 1 and 3, 县司法局 tasks 2 and 3: each applied two rows
    assert [(by_unit[u]["applied"], by_unit[u]["conflicts"], by_unit[u]["rejected"]) for u in RETURNED] == [(2, 0, 0)] * 2
    assert (by_unit[MISSING]["state"], by_unit[MISSING]["applied"]) == ("sent", 0)
    code, out, _ = run_main(capsys, "dispatches", ledger, "--round", ROUND)
    assert "县民政局：已交回（" in out and "已应用 2 行、冲突 0 行、退回 0 行" in out
