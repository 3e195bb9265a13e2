"""`ledgerdesk notice --kind supervise`: 督办通知 from the command line; exit codes and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from tests.contract import harness
from tests.formats.test_notice_docx import table_rows, two_of_three_returned
from tests.merge_fixtures import run_main


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return two_of_three_returned(tmp_path)


def test_supervise_writes_one_letter_and_says_who_is_concerned(ledger, tmp_path, capsys):
    out = tmp_path / "督办.docx"
    code, stdout, err = run_main(capsys, "notice", ledger, "--kind", "supervise", "--as-of", "2023-10-01", "-o", out)
    assert code == 0, err
    assert "督办通知（截至 2023-10-01，15 日内到期）：2 个单位" in stdout
    assert "县民政局：已逾期 0 项，即将到期 1 项" in stdout and "县司法局：已逾期 1 项，即将到期 0 项" in stdout
    assert "县人民政府办公室" not in stdout
    doc = Document(str(out))
    assert [r[1] for r in table_rows(doc.tables[0])[1:]] == ["县民政局", "县司法局"]
    assert [table_rows(t)[1][0] for t in doc.tables[1:]] == ["1", "2"]


def test_supervise_per_unit_and_unit_filter(ledger, tmp_path, capsys):
    folder = tmp_path / "督办"
    code, _out, err = run_main(capsys, "notice", ledger, "--kind", "supervise", "--as-of", "2023-10-01",
                               "--within", "30", "--unit", "县司法局", "--unit", "县人民政府办公室", "--per-unit",
                               "-o", folder)
    assert code == 0, err  # 县人民政府办公室 is asked for but has nothing due: no letter
    assert [p.name for p in folder.iterdir()] == ["督办通知_县司法局_2023-10-01.docx"]
    rows = table_rows(Document(str(next(folder.iterdir()))).tables[0])
    assert [(r[0], r[3]) for r in rows[1:]] == [("2", "已逾期\n93天")]


@pytest.mark.parametrize("argv, names", [
    (("--as-of", "2023-01-01", "-o", "x.docx"), ("没有逾期或即将到期的任务",)),
    (("--as-of", "2023-02-30", "-o", "x.docx"), ("2023-02-30",)),
    (("--within", "-3", "-o", "x.docx"), ("-3",)),
    (("--within", "十", "-o", "x.docx"), ("十",)),
    (("--round", "第一次报送", "-o", "x.docx"), ("--round", "supervise")),
    (("--unit", "县不存在局", "-o", "x.docx"), ("台账.ledger", "县不存在局")),
    (("-o", "x.pdf"), ("x.pdf",)),
])
def test_bad_input_is_one_line_exit_2_and_no_file(ledger, tmp_path, capsys, argv, names):
    args = [a if not a.startswith("x.") else tmp_path / a for a in argv]
    before = harness.snapshot(ledger.parent)
    try:
        code, _out, err = run_main(capsys, "notice", ledger, "--kind", "supervise", *args)
    except SystemExit as exc:  # argparse refuses a bad date or day count itself
        code, err = exc.code, capsys.readouterr().err
    assert code == 2
    harness.one_line_error(harness.Result(["ledgerdesk"], code, "", err), *names)
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "x.pdf").exists()
    harness.assert_unchanged(before, ledger.parent)


def test_remind_refuses_supervise_options(ledger, tmp_path, capsys):
    code, _out, err = run_main(capsys, "notice", ledger, "--within", "5", "-o", tmp_path / "n.docx")
    assert code == 2 and "--within" in err and not (tmp_path / "n.docx").exists()


def test_python_m_app_notice_supervise(ledger, tmp_path):
    good = harness.ok(harness.run("notice", ledger, "--kind", "supervise", "--as-of", "2023-10-01",
                                  "-o", tmp_path / "a.docx"))
    assert "县司法局" in good.out and (tmp_path / "a.docx").is_file()
    bad = harness.run("notice", ledger, "--kind", "supervise", "--as-of", "2023-01-01", "-o", tmp_path / "b.docx")
    assert bad.code == 2 and bad.out == ""
    assert "没有逾期或即将到期的任务" in harness.one_line_error(bad)
