"""PDF plans as offices send them import to the seeds' hand-checked goldens.

The PDFs in tests/fixtures/pdf/ were made from the seeds by tests/fixtures/pdf/build.py (a
Word document laid out as the office would, exported by LibreOffice); they are committed so
this runs without LibreOffice. Where a field cannot come out of a PDF as the golden has it,
the test names the field and says why (`PDF_CANNOT_SAY`); everything else is exact.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from app.errors import InputError
from app.formats.plan import read_plan
from app.formats.plan.pdf_in import ENCRYPTED, read_pdf
from app.formats.text_in import read_text
from tests.golden_files import TASK_FIELDS, golden_view, load_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"

# (seed, task index in the golden, field) → (text in the golden, what the PDF holds instead), and why.
PDF_CANNOT_SAY = {
    # A cell paragraph that ends with "。" exactly at the cell's right edge: a PDF keeps no
    # paragraph marks, and such a line looks like any line that wrapped, so the two items
    # are read as one paragraph (the text is all there, the "\n" between them is not).
    ("001", 3, "content"): ("公开情况。\n做好环境保护", "公开情况。做好环境保护"),
    # LibreOffice drew no glyph for 〈 〉 (U+3008/9): the only CJK font on the machine that
    # made the fixture lacks them, so the PDF itself does not hold them (pdftotext agrees).
    ("004", 8, "content"): ("印发〈关于深入推进全区预决算公开工作的意见〉的通知", "印发关于深入推进全区预决算公开工作的意见的通知"),
    # The seed's "25 号" has its space where the line wraps: a PDF draws no space at a line end.
    ("004", 27, "content"): ("〔2017〕25 号", "〔2017〕25号"),
}


def _expected(key: str) -> dict:
    """The golden of seed `key`, with what a PDF cannot say put as the PDF says it."""
    want = copy.deepcopy(load_golden(key))
    for (seed, index, name), (golden_text, pdf_text) in PDF_CANNOT_SAY.items():
        if seed != key:
            continue
        task = want["tasks"][index]
        assert golden_text in task[name], f"the golden changed: {seed} task {index} {name}"
        task[name] = task[name].replace(golden_text, pdf_text)
    return want


def _assert_matches(path: Path, key: str) -> None:
    got, want = golden_view(read_plan(path)), _expected(key)
    assert (got["title"], got["year"], got["rounds"]) == (want["title"], want["year"], want["rounds"])
    assert [t["seq"] for t in got["tasks"]] == [t["seq"] for t in want["tasks"]]
    for g, w in zip(got["tasks"], want["tasks"]):
        for name in TASK_FIELDS:
            assert g[name] == w[name], f"seed {key} task seq {w['seq']} ({w['key_work']}) field {name}"


@pytest.mark.parametrize(("name", "key"), [("000_table", "000"), ("001_table", "001"), ("004_prose", "004")])
def test_seed_pdfs_import_to_the_goldens(name, key):
    _assert_matches(FIXTURES / f"{name}.pdf", key)


def test_the_table_pdf_reads_as_title_paragraphs_and_one_table_without_page_furniture():
    content = read_pdf(FIXTURES / "000_table.pdf")
    paragraphs, tables = content.paragraphs, content.tables
    assert paragraphs == ["西吉县2023年政务公开工作要点任务落实台账（填报版）", "填报单位:", "填报时间:", "联系人:", "联系电话:"]
    assert len(tables) == 1  # seven pages of it, its repeated header dropped, rows the pages cut made whole
    table = tables[0]
    assert table[0] == ["序号", "重点工作", "主要内容", "量化指标", "责任单位", "配合单位", "完成时限", "进展落实情况"]
    assert sum(1 for row in table if row[0] == "序号") == 1
    assert [row[0] for row in table if row[0].isdigit()] == [str(n) for n in range(1, 39)]
    assert not any("—" in cell for row in table for cell in row) and content.notes == []


def test_four_digit_numbers_cut_by_the_page_break_import_as_the_text_does(tmp_path, seed_path):
    """Numbered from 1001, the 序号 wrap in their narrow column ("101" / "5") and page breaks cut them."""
    from tests.fixtures.pdf.build import numbered_from

    lines = read_text(seed_path("000")).split("\n")
    rows = numbered_from([line.split("\t") for line in lines], 1001)
    text = tmp_path / "000_from_1001.txt"
    text.write_text("\n".join("\t".join(row) for row in rows), encoding="utf-8")
    got = golden_view(read_plan(FIXTURES / "000_table_from_1001.pdf"))
    want = golden_view(read_plan(text))
    assert [t["seq"] for t in got["tasks"]] == [str(n) for n in range(1001, 1039)]
    assert got == want


def test_a_table_whose_columns_change_between_pages_stays_one_table():
    content = read_pdf(FIXTURES / "001_table.pdf")
    assert content.paragraphs == ["附件", "2023年盐亭县政务公开重点任务分解表"]
    (table,) = content.tables
    assert {len(row) for row in table} == {5, 6}  # as the seed, which was taken from such a PDF


def test_progress_is_reported_page_by_page():
    calls = []
    read_pdf(FIXTURES / "001_table.pdf", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, calls[-1][1]) for n in range(1, calls[-1][1] + 1)] and calls[-1][1] > 1


def test_a_pdf_with_only_a_permissions_password_is_read():
    doc = read_plan(FIXTURES / "small_permissions_only.pdf")
    assert doc.title == "某县2024年政务公开工作要点任务分解表"
    assert [t.key_work for t in doc.tasks] == ["推进决策公开", "深化政策解读"]


def test_a_pdf_with_an_open_password_is_refused_in_one_line():
    with pytest.raises(InputError) as err:
        read_plan(FIXTURES / "small_open_password.pdf")
    assert str(err.value) == f"small_open_password.pdf：{ENCRYPTED}"
