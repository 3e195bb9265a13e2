"""`ledgerdesk scores`: the text, the JSON, --weights / --set-weight, and the .xlsx / .docx read back
cell by cell (openpyxl, python-docx): the numbers are those the weights give, the weights printed."""

from __future__ import annotations

import json
from datetime import timedelta

import openpyxl
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from app.cli import main
from app.core.scores import FORMAT_TAG, ROUND_COLUMNS, SUMMARY_COLUMNS, ScoreWeights
from app.formats.scores_docx import ROUND_HEADERS, SUMMARY_HEADERS
from app.formats.scores_xlsx import HEADER_ROW, SUMMARY_SHEET, sheet_title
from app.ledger import Ledger
from app.scores import WEIGHTS_SETTING, score_table
from tests.scores.scenario import BANGONGSHI, MINZHENG, R1, R2, SIFA
from tests.scores.test_scores import expected


def run_json(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["scores", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_format_weights_rounds_and_units(scenario, capsys) -> None:
    data = run_json(capsys, str(scenario.path))
    assert data["format"] == FORMAT_TAG == "ledgerdesk-scores/1"
    assert data["weights"] == ScoreWeights().to_json()
    assert [r["name"] for r in data["rounds"]] == [R1, R2]
    assert data["rounds"][0]["due"] == (scenario.today + timedelta(days=10)).isoformat()
    want = expected(ScoreWeights())
    for r in data["rounds"]:
        for u in r["units"]:
            assert (u["state"], u["done"], u["overdue"], u["rework"], u["score"]) == want[(u["unit"], r["name"])]
    assert [(u["unit"], u["score"]) for u in data["units"]] == [(MINZHENG, 21), (BANGONGSHI, 7), (SIFA, 5)]
    assert data["rounds"][0]["units"][2]["label"] == "未报送"


def test_set_weight_by_chinese_name_then_the_scores_follow(scenario, capsys) -> None:
    assert main(["scores", str(scenario.path), "--set-weight", "按时报送=8", "每项逾期未完成=-3"]) == 0
    assert "已修改考核权重：按时报送 +8 分/轮" in capsys.readouterr().out
    weights = run_json(capsys, str(scenario.path), "--weights")
    assert weights["weights"] == {**ScoreWeights().to_json(), "on_time": 8, "overdue": -3}
    assert weights["labels"]["overdue"] == "每项逾期未完成"
    data = run_json(capsys, str(scenario.path), "--round", R1)
    sifa = next(u for u in data["rounds"][0]["units"] if u["unit"] == SIFA)
    assert sifa["score"] == 8 - 3 - 1  # on time, one task overdue, one entry returned for rework
    assert main(["scores", str(scenario.path), "--weights"]) == 0
    assert capsys.readouterr().out.strip().startswith("考核权重：按时报送 +8 分/轮")


@pytest.mark.parametrize(("args", "message"), [
    (["--set-weight", "按时=3"], "考核权重“按时”不存在"),
    (["--set-weight", "按时报送=abc"], "考核权重“按时报送”的值“abc”不是数字"),
    (["--set-weight", "按时报送"], "考核权重应写成“名称=分值”"),
    (["--round", "第三次报送"], "报送轮次“第三次报送”不存在"),
    (["-o", "x.pdf"], "输出文件应为 .xlsx 或 .docx"),
])
def test_bad_input_is_one_chinese_line(scenario, capsys, args, message) -> None:
    capsys.readouterr()
    assert main(["scores", str(scenario.path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    with Ledger.open(scenario.path, readonly=True) as ledger:
        assert ledger.setting(WEIGHTS_SETTING) is None


def test_text_output_lists_every_round_and_the_totals(scenario, capsys) -> None:
    capsys.readouterr()
    assert main(["scores", str(scenario.path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("考核权重：按时报送 +10 分/轮；逾期报送 +5 分/轮；未报送 0 分/轮")
    assert f"{R1}（报送截止：" in out and f"{R2}（报送截止：" in out
    assert f"  1\t{MINZHENG}\t1\t1\t0\t3\t0\t0\t21" in out
    assert f"  {SIFA}\t未报送\t—\t0\t1\t0\t−2" in out


def test_xlsx_has_a_summary_and_a_sheet_per_round_with_the_weights(scenario, tmp_path, capsys) -> None:
    out = tmp_path / "考核.xlsx"
    assert main(["scores", str(scenario.path), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, R1, R2]
    ws = wb[SUMMARY_SHEET]
    assert ws["A1"].value == "各单位任务落实考核得分表（汇总）"
    assert ws["A3"].value == f"考核权重：{ScoreWeights().describe()}"
    assert [c.value.replace("\n", "") for c in ws[HEADER_ROW]] == list(SUMMARY_COLUMNS)
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert body == [[1, MINZHENG, 1, 1, 0, 3, 0, 0, 21], [2, BANGONGSHI, 0, 1, 1, 1, 0, 0, 7],
                    [3, SIFA, 1, 0, 1, 0, 2, 1, 5]]
    want = expected(ScoreWeights())
    for name in (R1, R2):
        ws = wb[name]
        assert [c.value.replace("\n", "") for c in ws[HEADER_ROW]] == list(ROUND_COLUMNS)
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
            state, done, overdue, rework, points = want[(row[1], name)]
            assert (row[4], row[5], row[6], row[7]) == (done, overdue, rework, points)
            assert row[2] == {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送"}[state]
            assert bool(row[3]) == (state != "missing")
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}" and int(ws.page_setup.fitToWidth) == 1
    assert main(["scores", str(scenario.path), "-o", str(out)]) == 2  # not overwritten without --force
    assert "文件已存在" in capsys.readouterr().err


def test_docx_has_the_title_the_weights_and_every_table(scenario, tmp_path) -> None:
    with Ledger.open(scenario.path) as ledger:
        from app.scores import set_weights

        set_weights(ledger, {"每项完成": 3})
    out = tmp_path / "考核.docx"
    assert main(["scores", str(scenario.path), "-o", str(out)]) == 0
    doc = Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "各单位任务落实考核得分表"
    weights = ScoreWeights(done=3)
    assert any(f"按以下考核权重计分：{weights.describe()}。" in t for t in texts)
    assert "一、汇总" in texts and any(t.startswith(f"二、{R1}（报送截止") for t in texts)
    summary, first, second = doc.tables
    cells = [[c.text for c in row.cells] for row in summary.rows]
    assert cells[0] == list(SUMMARY_HEADERS)
    want = expected(weights)
    total = {u: want[(u, R1)][4] + want[(u, R2)][4] for u in (MINZHENG, SIFA, BANGONGSHI)}
    assert [(r[1], r[8]) for r in cells[1:]] == [(u, str(t)) for u, t in sorted(total.items(), key=lambda kv: -kv[1])]
    assert cells[1][2:8] == ["1", "1", "0", "3", "0", "0"]
    for table, name in ((first, R1), (second, R2)):
        rows = [[c.text for c in row.cells] for row in table.rows]
        assert rows[0] == list(ROUND_HEADERS)
        for row in rows[1:]:
            _state, done, overdue, rework, points = want[(row[1], name)]
            assert row[4:] == [str(done), str(overdue), str(rework), str(points).replace("-", "−")]
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT


def test_sheet_titles_are_legal_and_distinct() -> None:
    taken = {SUMMARY_SHEET}
    assert sheet_title("第一次[补报]:2024/06", taken) == "第一次_补报__2024_06"
    assert sheet_title("汇总", taken) == "汇总_2"
    assert len(sheet_title("很" * 40, taken)) == 31


def test_scores_on_a_ledger_with_no_rounds(tmp_path, capsys) -> None:
    path = tmp_path / "空.ledger"
    Ledger.create(path, title="空台账").close()
    data = run_json(capsys, str(path))
    assert (data["rounds"], data["units"]) == ([], [])
    with Ledger.open(path, readonly=True) as ledger:
        table = score_table(ledger, as_of=__import__("datetime").date.today())
    from app.formats.scores_docx import write_scores_docx
    from app.formats.scores_xlsx import write_scores_xlsx

    write_scores_xlsx(table, tmp_path / "空.xlsx")
    write_scores_docx(table, tmp_path / "空.docx")
    assert openpyxl.load_workbook(tmp_path / "空.xlsx").sheetnames == [SUMMARY_SHEET]
    assert len(Document(str(tmp_path / "空.docx")).tables) == 1
