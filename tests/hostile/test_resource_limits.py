"""Inputs that once took the process down or took minutes and gigabytes, now refused (or read) in
seconds and well under 500 MB; each is read in a child process with 1.5 GB of address space
(tests/hostile/isolated.py), so a regression fails the test instead of aborting the run.

Before: a cell at XFD1048576 aborted (a 512 GB allocation, exit 134), Z1000000 took 1.5 GB
and 20 s, a byte-flipped .xls aborted in calamine's reserve, a zip expanding to 150 MiB was
read for minutes, a 4 MB text of short lines took half a minute, a 100,000-row table kept
9,999 tasks and printed 90,001 warnings.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.plan import parse_prose_plan, warning_total
from app.core.plan.table import parse_task_table
from app.errors import InputError
from app.formats import limits
from app.formats.plan import read_plan
from tests.hostile import builders as b
from tests.hostile.isolated import read_isolated
from tests.hostile.returns_fixture import return_files

PEAK_MB = 500
SHEET = "xl/worksheets/sheet1.xml"


def _xlsx(tmp: Path, edit, name: str = "台账.xlsx") -> Path:
    src = b.write_xlsx(tmp / "plain.xlsx", b.table_rows(3))
    return b.rewrite_zip(src, tmp / name, b.edit_member(SHEET, edit))


def _refused_fast(kind: str, path: Path, *, seconds: float = 10, words: str = "") -> None:
    outcome = read_isolated(kind, path)
    assert outcome.outcome == "refused", str(outcome)
    assert outcome.message.startswith(f"{path.name}：") and "\n" not in outcome.message
    assert outcome.seconds < seconds and outcome.peak_mb < PEAK_MB, str(outcome)
    assert words in outcome.message, outcome.message


# ------------------------------------------------------------------------------ item 4: the used range

@pytest.mark.parametrize(("ref", "dimension"), [("XFD1048576", None), ("Z1000000", None), ("XFD1", None),
                                                ("A300000", "A1:F4"), ("ZZ2", "A1:F4")])
def test_far_cell_in_xlsx_is_refused_before_calamine_allocates(tmp_path, ref, dimension):
    _refused_fast("plan", _xlsx(tmp_path, b.far_cell_xml(ref, dimension=dimension)), words="使用区域过大")


def test_cells_without_references_count_as_calamine_counts_them(tmp_path):
    wide = b'<row r="2">' + b"<c><v>1</v></c>" * 700 + b"</row>"
    path = _xlsx(tmp_path, lambda xml: xml.replace(b"</sheetData>", wide + b"</sheetData>"))
    _refused_fast("plan", path, words="700 列")


def test_self_closing_styled_cells_far_away_do_not_count(tmp_path):
    styled = b'<row r="900000"><c r="XFD900000" s="0"/></row>'  # calamine skips them, so do we
    path = _xlsx(tmp_path, lambda xml: xml.replace(b"</sheetData>", styled + b"</sheetData>"))
    outcome = read_isolated("plan", path)
    assert outcome.outcome == "parsed" and outcome.detail["tasks"] == 3, str(outcome)


@pytest.mark.parametrize("dimensions", [None, (0, 5, 0, 6)])  # honest, or lying about the far cell
def test_far_cell_in_xls_is_refused(tmp_path, dimensions):
    path = b.write_xls(tmp_path / "旧表.xls", b.table_rows(3), extra_cells=[(65000, 250, "远处")],
                       dimensions=dimensions)
    _refused_fast("plan", path, words="区域过大")


def test_absurd_dimensions_record_in_xls_is_refused(tmp_path):
    path = b.write_xls(tmp_path / "旧表.xls", b.table_rows(3), dimensions=(0, 1_000_000_000, 0, 200))
    _refused_fast("plan", path, words="区域过大")


def test_looping_sector_chain_in_xls_is_refused(tmp_path):
    path = b.write_xls(tmp_path / "旧表.xls", b.table_rows(3), directory_loop=True)
    _refused_fast("plan", path, words="循环")


def test_repeated_rows_bomb_in_ods_is_refused(tmp_path):
    bomb = '<table:table-row table:number-rows-repeated="999999">' + b.ods_cell("x", 100) + "</table:table-row>"
    _refused_fast("plan", b.write_ods(tmp_path / "表.ods", b.table_rows(3), extra_rows=bomb), words="使用区域过大")


def test_plain_files_of_every_sheet_format_still_read(tmp_path):
    for path in (b.write_xlsx(tmp_path / "a.xlsx", b.table_rows(5)), b.write_xls(tmp_path / "a.xls", b.table_rows(5)),
                 b.write_ods(tmp_path / "a.ods", b.table_rows(5))):
        assert len(read_plan(path).tasks) == 5


# ------------------------------------------------------------------------------ item 7: bytes and time


def test_xlsx_inflating_to_150_mib_is_refused_while_inflating(tmp_path):
    src = b.write_xlsx(tmp_path / "plain.xlsx", b.table_rows(3))
    path = b.replace_member(src, tmp_path / "膨胀.xlsx", SHEET, b.sheet_rows_xml(1_000_000, 9, refs=False))
    assert path.stat().st_size < 1 << 20
    _refused_fast("plan", path, words="过大")


def test_docx_member_inflating_past_the_limit_is_refused(tmp_path):
    src = b.write_docx_table(tmp_path / "plain.docx", b.table_rows(3))
    body = lambda: b.bomb_stream(300 << 20, b"<w:p/>", b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>")
    path = b.replace_member(src, tmp_path / "膨胀.docx", "word/document.xml", body)
    _refused_fast("plan", path, words="过大")


def test_docx_declaring_a_small_size_is_measured_not_trusted(tmp_path):
    src = b.write_docx_table(tmp_path / "plain.docx", b.table_rows(3))
    body = lambda: b.bomb_stream(300 << 20, b"<w:p/>", b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>")
    path = b.replace_member(src, tmp_path / "谎报.docx", "word/document.xml", body, declared_size=1000)
    _refused_fast("plan", path)


def test_return_docx_with_an_absurd_span_is_refused(tmp_path):
    src = return_files(tmp_path)["docx"]
    wide = lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="1000000000"/>', 1)
    path = b.rewrite_zip(src, tmp_path / "县民政局_回执.docx", b.edit_member("word/document.xml", wide))
    _refused_fast("return", path, words="跨")


def test_plan_docx_with_an_absurd_span_reads(tmp_path):
    src = b.write_docx_table(tmp_path / "plain.docx", b.table_rows(3))
    wide = lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="1000000000"/>', 1)
    outcome = read_isolated("plan", b.rewrite_zip(src, tmp_path / "计划.docx", b.edit_member("word/document.xml", wide)))
    assert outcome.outcome in ("parsed", "refused") and outcome.seconds < 10 and outcome.peak_mb < PEAK_MB, str(outcome)


def test_liaison_json_inflating_past_the_limit_is_refused(tmp_path):
    src = return_files(tmp_path)["ldpkg"]
    body = lambda: b.bomb_stream(200 << 20, b" ", b"{", b"}")
    _refused_fast("return", b.replace_member(src, tmp_path / "膨胀.ldpkg", "liaison.json", body), words="过大")


def test_zip_of_too_many_members_is_refused(tmp_path):
    members = [b.RawMember(f"m{i}.xml", b.deflate(b"<a/>"), crc=0x0) for i in range(limits.PLAN_ZIP.members + 5)]
    _refused_fast("plan", b.write_raw_zip(tmp_path / "条目.xlsx", members), words="条目过多")


def test_large_text_is_refused_by_size(tmp_path):
    path = tmp_path / "大文本.txt"
    path.write_bytes(("一、工作\n" * 1_000_000).encode("utf-8")[: 6 << 20])
    _refused_fast("plan", path, seconds=3, words="过大")


def test_four_megabytes_of_short_lines_finish_in_seconds(tmp_path):
    path = tmp_path / "短行.txt"
    lines = "一、工作\n（一）事项\n1、做事（县政府办公室负责，2024年底前完成）\n其他文字\n"
    path.write_text(lines * (4_000_000 // len(lines.encode())), encoding="utf-8")
    assert path.stat().st_size > 3_900_000
    _refused_fast("plan", path, seconds=5, words="行")


def test_prose_parser_is_linear_in_headings_times_tasks():
    lines = ["某县2024年政务公开工作要点", *("（一）事项" for _ in range(30_000))]  # 30,000 headings
    lines += [f"{i % 9 + 1}、做事（县政府办公室负责，2024年底前完成）" for i in range(5_000)]
    start = time.perf_counter()
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert len(doc.headings) == 30_000 and len(doc.tasks) == 5_000
    assert time.perf_counter() - start < 120  # hang guard only; figures in bench/bench_import.py


def test_html_larger_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "大网页.html"
    path.write_bytes(b"<html><body>" + b"<p>x</p>" * (limits.MAX_HTML_BYTES // 8 + 10) + b"</body></html>")
    _refused_fast("plan", path, seconds=3, words="过大")


# ------------------------------------------------------------------------------ item 8: long tables


def test_task_numbers_past_9999_are_tasks():
    doc = parse_task_table(b.table_rows(6, start=9998), source_name="x.csv")
    assert [t.seq for t in doc.tasks] == ["9998", "9999", "10000", "10001", "10002", "10003"]
    assert not any("无法识别的行" in str(w) for w in doc.warnings)


def test_twelve_thousand_rows_are_all_imported(tmp_path):
    path = b.write_tsv(tmp_path / "长表.txt", b.table_rows(12_000))
    start = time.perf_counter()
    doc = read_plan(path)
    assert len(doc.tasks) == 12_000 and doc.tasks[-1].seq == "12000"
    assert time.perf_counter() - start < 120  # a hang guard only; figures: bench/bench_limits.py


def test_a_table_past_the_row_limit_is_refused_with_one_line(tmp_path):
    path = b.write_tsv(tmp_path / "十万行.txt", b.table_rows(limits.MAX_TABLE_ROWS + 1))
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_plan(path)
    assert str(info.value).startswith("十万行.txt：任务表有") and "上限" in str(info.value)
    assert time.perf_counter() - start < 120  # a hang guard only; figures: bench/bench_limits.py


def test_warnings_past_fifty_are_counted_in_one_line(tmp_path):
    rows = [[cell if i != 3 else "" for i, cell in enumerate(row)] for row in b.table_rows(80)]  # no lead unit
    doc = read_plan(b.write_tsv(tmp_path / "缺单位.txt", rows))
    assert len(doc.tasks) == 80
    assert len(doc.warnings) == limits.MAX_WARNINGS_SHOWN + 1
    assert str(doc.warnings[-1]) == "… 另有 30 条警告未逐条列出（共 80 条）"
    assert warning_total(doc.warnings) == 80  # for the count line of the import summary


def test_import_summary_counts_every_warning_not_the_listed_ones(tmp_path, capsys):
    from app.cli import main

    rows = [[cell if i != 3 else "" for i, cell in enumerate(row)] for row in b.table_rows(80)]
    source = b.write_tsv(tmp_path / "缺单位.txt", rows)
    assert main(["import", str(source), "-o", str(tmp_path / "台账.ledger")]) == 0
    printed = capsys.readouterr().out
    assert "警告（warnings）：80 条" in printed
    assert printed.count("\n  ") == limits.MAX_WARNINGS_SHOWN + 1
