"""The printed ledger table with heavy reports: nothing cut off, merged cells continued
over pages, page breaks planned, no page left half empty, the shading explained."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from itertools import pairwise

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from app.cli import main
from app.core.records import Progress, Unit
from app.formats.ledger_docx import KEEP_WHOLE_PT, write_ledger_docx
from app.formats.ledger_json import document_to_json
from app.formats.ledger_layout import (
    Piece,
    build_layout,
    fill_lines,
    join_pieces,
    line_count,
    progress_line,
    split_pieces,
)
from app.formats.ledger_xlsx import DATA_SHEET, HEADER_ROW, MAIN_SHEET, write_ledger_xlsx
from app.formats.ledger_xlsx_in import read_exported_ledger
from app.ledger import Ledger
from tests.factories import make_document
from tests.formats.test_ledger_xlsx import AS_OF, seed_like

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
EXCEL_MAX_ROW = 409
A4_BODY_PT = (21.0 - 1.8 - 1.8) / 2.54 * 72  # landscape, top and bottom margins off
SENTENCES = (
    "已在县人民政府门户网站“政府信息公开”专栏集中公开相关政策文件{n}件，同步推送至政务新媒体",
    "组织召开专题推进会{n}次，逐项明确责任人和完成时限，建立周调度、月通报工作机制",
    "围绕群众关注的热点问题发布政策解读材料{n}篇，其中图解、短视频等形式解读占比达到六成以上",
    "对照年度任务清单开展自查，发现栏目更新不及时、链接失效等问题{n}个，已全部整改到位",
    "依托12345政务服务便民热线和网站留言板受理群众咨询{n}件，按期办结率100%，满意率持续提升",
)
REPORTERS = [f"县第{n}工作局" for n in "一二三四五六七八九十"] + ["吉强镇人民政府", "兴隆镇人民政府", "硝河乡人民政府"]


def long_report(k: int) -> str:
    """About 200–300 characters, several sentences, as units really write them."""
    picked = [SENTENCES[(k + i) % len(SENTENCES)].format(n=k + i + 2) for i in range(4 + k % 3)]
    return "；".join(picked) + "。"


def heavy_doc():
    """seed_like, with 13 units each reporting at length on task 2 (both rounds), and
    task 4 with one report of 390 characters: between half a page and a page tall."""
    doc = seed_like()
    doc.units += [Unit(name) for name in REPORTERS]
    doc.tasks[1].coop_units = [*doc.tasks[1].coop_units, *REPORTERS]
    for r_index, rnd in enumerate(doc.rounds):
        doc.progress += [Progress("t2", unit, rnd.name, "进行中", long_report(k + r_index))
                         for k, unit in enumerate(REPORTERS)]
    medium = (long_report(1) + long_report(2))[:389] + "。"
    doc.progress.append(Progress("t4", "县人力资源社会保障局", "第二次报送", "进行中", medium))
    return doc


def many_groups_doc():
    """60 tasks whose reports are long enough to make many pages, with key work runs."""
    doc = make_document(60)
    for k, entry in enumerate(doc.progress):
        entry.text = long_report(k)
    return doc


@pytest.fixture(scope="module")
def heavy_xlsx(tmp_path_factory):
    doc = heavy_doc()
    path = tmp_path_factory.mktemp("print") / "重.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    return doc, path, load_workbook(path)


@pytest.fixture(scope="module")
def groups_xlsx(tmp_path_factory):
    doc = many_groups_doc()
    path = tmp_path_factory.mktemp("print") / "多.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    return doc, path, load_workbook(path)


def _rows_of(ws, task_id: str) -> list[int]:
    """The sheet rows of one task: its own row (id) and its spill rows (id+n)."""
    return [r for r in range(HEADER_ROW + 1, ws.max_row + 1)
            if str(ws.cell(r, 9).value or "").split("+")[0] == task_id]


def _spills(wb) -> dict[str, dict]:
    records = [(row[0].value, "".join(c.value or "" for c in row[1:])) for row in wb[DATA_SHEET].iter_rows()]
    return {json.loads(text)["task_id"]: json.loads(text) for kind, text in records if kind == "spill"}


def _merged(ws) -> list:
    return list(ws.merged_cells.ranges)


def _pages(ws) -> list[list[int]]:
    """Body rows page by page, split at the manual row breaks."""
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    pages, current = [], []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        current.append(r)
        if r in breaks:
            pages.append(current)
            current = []
    return [*pages, current] if current else pages


def _height(ws, r: int) -> float:
    return ws.row_dimensions[r].height


# ---------------------------------------------------------------- text pieces


def test_pieces_join_back_exactly_and_break_only_at_sentences_or_lines():
    text = "县民政局：进行中。已公开12件；正在梳理。\n县医保局：已完成。全部公开。\n\n末行没有句号"
    pieces = split_pieces(text)
    assert join_pieces(pieces) == text
    assert [p.text for p in pieces][:3] == ["县民政局：进行中。", "已公开12件；", "正在梳理。"]
    assert [p.new_line for p in pieces] == [False, False, False, True, False, True, True]
    taken, rest = fill_lines(pieces, 20, 2)
    assert line_count(join_pieces(taken), 20) <= 2 and join_pieces(taken) + join_pieces(rest) != text
    assert taken + rest == pieces


def test_a_sentence_longer_than_a_row_is_cut_only_when_a_fresh_row_needs_it():
    long = Piece("很长的一句话，" * 40 + "结束。")
    assert fill_lines([long], 20, 3) == ([], [long])
    (head,), (tail,) = fill_lines([long], 20, 3, force=True)
    assert head.text + tail.text == long.text and head.text.endswith("，")
    assert line_count(head.text, 20) <= 3


# ---------------------------------------------------------------- xlsx: spill rows


def test_no_row_is_taller_than_excel_allows(heavy_xlsx, groups_xlsx):
    for _, _, wb in (heavy_xlsx, groups_xlsx):
        ws = wb[MAIN_SHEET]
        assert max(_height(ws, r) for r in range(1, ws.max_row + 1)) <= EXCEL_MAX_ROW


def test_the_full_progress_text_is_in_the_cells_across_spill_rows(heavy_xlsx):
    doc, _, wb = heavy_xlsx
    ws = wb[MAIN_SHEET]
    layout = build_layout(doc, as_of=AS_OF)
    spills = _spills(wb)
    assert set(spills) == {"t2", "t4"}
    for item in layout.task_rows:
        rows = _rows_of(ws, item.task.id)
        joins = spills.get(item.task.id, {"joins": [""]})["joins"]
        assert spills.get(item.task.id, {"rows": rows})["rows"] == rows
        chunks = [ws.cell(r, 8).value or "" for r in rows]
        assert "".join(j + c for j, c in zip(joins, chunks)) == item.cells[7]
    t2 = "\n".join(ws.cell(r, 8).value or "" for r in _rows_of(ws, "t2"))
    reports = [progress_line(p) for p in doc.progress if p.task_id == "t2" and p.round == "第二次报送"]
    assert len(reports) == 13
    flat = t2.replace("\n", "")
    assert all(line.replace("\n", "") in flat for line in reports)  # every line, nothing missing


def test_each_row_is_tall_enough_for_its_share_and_merged_cells_for_theirs(heavy_xlsx):
    _, _, wb = heavy_xlsx
    ws = wb[MAIN_SHEET]
    units = _units(ws)
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        text = ws.cell(r, 8).value
        if text:  # 15 pt a line of 11 pt text, as the writer counts
            assert _height(ws, r) >= 15 * line_count(text, units[7])
    for rng in _merged(ws):
        anchor = ws.cell(rng.min_row, rng.min_col).value
        if rng.min_row >= HEADER_ROW and isinstance(anchor, str) and rng.min_col < 8:
            need = 15 * line_count(anchor, sum(units[rng.min_col - 1:rng.max_col]))
            assert sum(_height(ws, r) for r in range(rng.min_row, rng.max_row + 1)) >= need, str(rng)


def _units(ws) -> list[float]:
    from app.formats.ledger_xlsx import width_units

    return [width_units(ws.column_dimensions[c].width) for c in "ABCDEFGH"]


def test_spill_rows_merge_the_other_columns_and_keep_borders(heavy_xlsx):
    _, _, wb = heavy_xlsx
    ws = wb[MAIN_SHEET]
    rows = _rows_of(ws, "t2")
    assert len(rows) >= 5 and rows == list(range(rows[0], rows[-1] + 1))
    merged = {str(m) for m in _merged(ws)}
    runs = [[r for r in rows if r in page] for page in _pages(ws)]
    runs = [run for run in runs if run]
    assert len(runs) >= 2
    for run in runs:  # each page's part of the task is one box, closed at the page end
        if len(run) > 1:
            for col in "CDEFG":
                assert f"{col}{run[0]}:{col}{run[-1]}" in merged
        for r in run:  # 序号 is not merged but outlined as one cell
            seq = ws.cell(r, 1).border
            assert seq.left.style == seq.right.style == "thin"
            assert (seq.top.style == "thin") == (r == run[0])
            assert (seq.bottom.style == "thin") == (r == run[-1])
    assert not any(m.min_col <= 1 <= m.max_col and m.min_row in rows for m in _merged(ws))
    assert not any(m.min_col <= 8 <= m.max_col and m.min_row in rows and m.max_row > m.min_row for m in _merged(ws))
    assert ws.cell(rows[0], 1).value == 2 and ws.cell(rows[0], 3).value == "推动“就业创业促进年”活动。"
    covered = {(r, c) for m in _merged(ws) for r in range(m.min_row, m.max_row + 1)
               for c in range(m.min_col, m.max_col + 1) if (r, c) != (m.min_row, m.min_col)}
    for r in rows:  # every other cell not covered by a merge (anchors included) is boxed in
        for c in range(2, 9):
            if (r, c) not in covered:
                side = ws.cell(r, c).border
                assert side.left.style == side.right.style == side.top.style == side.bottom.style == "thin"


def test_spill_rows_are_marked_for_the_read_back(heavy_xlsx):
    doc, path, wb = heavy_xlsx
    ws = wb[MAIN_SHEET]
    rows = _rows_of(ws, "t2")
    assert [ws.cell(r, 9).value for r in rows] == ["t2", *(f"t2+{n}" for n in range(1, len(rows)))]
    assert [ws.cell(r, 1).value for r in rows[1:]] == ["序号"] * (len(rows) - 1)  # skipped like a header
    assert all(ws.cell(r, 1).number_format == ";;;" for r in rows[1:])  # …and never shown
    back = read_exported_ledger(path)
    assert document_to_json(back) == document_to_json(doc)
    # Until ledger_xlsx_in joins the spill rows' text, it sees task 2's first row only and
    # says the progress was edited (it still takes the progress from the hidden sheet).
    assert [w.message for w in back.warnings if "进展落实情况在表格中被修改" not in w.message] == []


def test_spill_rows_still_read_back_after_openpyxl_saved_the_file(heavy_xlsx, tmp_path):
    doc, path, _ = heavy_xlsx
    wb = load_workbook(path)
    wb.save(tmp_path / "again.xlsx")
    assert document_to_json(read_exported_ledger(tmp_path / "again.xlsx")) == document_to_json(doc)
    del wb[DATA_SHEET]
    wb.save(tmp_path / "bare.xlsx")
    bare = read_exported_ledger(tmp_path / "bare.xlsx")
    assert [t.id for t in bare.tasks] == [t.id for t in doc.tasks]  # no spill row taken for a task


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice 未安装（libreoffice-calc not installed）")
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spill_rows_still_read_back_after_libreoffice_resaved_them(heavy_xlsx, tmp_path, fmt):
    doc, path, _ = heavy_xlsx
    profile = (tmp_path / "lo-profile").resolve().as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    back = read_exported_ledger(tmp_path / f"{path.stem}.{fmt}")
    assert document_to_json(back) == document_to_json(doc)


# ---------------------------------------------------------------- xlsx: pages


def test_pages_are_planned_and_filled_below_the_repeated_header(groups_xlsx, heavy_xlsx):
    for _, _, wb in (groups_xlsx, heavy_xlsx):
        ws = wb[MAIN_SHEET]
        assert ws.print_title_rows == "$4:$4"
        pages = _pages(ws)
        assert len(pages) > 3 and len(ws.row_breaks.brk) == len(pages) - 1
        assert all(b.man for b in ws.row_breaks.brk)
        header = _height(ws, HEADER_ROW)
        head = sum(_height(ws, r) for r in range(1, HEADER_ROW))
        for n, page in enumerate(pages):
            body = A4_BODY_PT - header - (head if n == 0 else 0)
            used = sum(_height(ws, r) for r in page)
            assert used <= body
            if n < len(pages) - 1:
                assert used >= body / 2, f"page {n + 1} is half empty"


def test_no_merged_cell_runs_over_a_page_break(groups_xlsx, heavy_xlsx):
    for _, _, wb in (groups_xlsx, heavy_xlsx):
        ws = wb[MAIN_SHEET]
        breaks = {b.id for b in ws.row_breaks.brk}
        for rng in _merged(ws):
            assert not any(rng.min_row <= b < rng.max_row for b in breaks), str(rng)


def _page_tops(ws) -> list[tuple[int, str]]:
    """(row, its id cell) of the first row of every page but the first."""
    return [(page[0], str(ws.cell(page[0], 9).value or "")) for page in _pages(ws)[1:]]


def test_key_work_restarts_with_its_text_at_each_page_top(groups_xlsx, heavy_xlsx):
    for doc, _, wb in (groups_xlsx, heavy_xlsx):
        ws = wb[MAIN_SHEET]
        key_of = {t.id: t.key_work for t in doc.tasks}
        for r, ident in _page_tops(ws):
            if ident:  # a task's row or spill row (not a section row)
                assert ws.cell(r, 2).value == key_of[ident.split("+")[0]], f"row {r}"
    spill_tops = [ident for _, ident in _page_tops(heavy_xlsx[2][MAIN_SHEET]) if "+" in ident]
    assert spill_tops  # task 2 goes on over pages: its 重点工作 block restarts inside the task
    task_tops = [ident for _, ident in _page_tops(groups_xlsx[2][MAIN_SHEET]) if ident and "+" not in ident]
    assert task_tops  # and a run of tasks of one key work restarts at a task row
    ws = groups_xlsx[2][MAIN_SHEET]
    assert any(m.min_col == 2 and m.max_row > m.min_row for m in _merged(ws))  # still merged within pages


def test_section_row_is_never_last_on_a_page(groups_xlsx):
    _, _, wb = groups_xlsx
    ws = wb[MAIN_SHEET]
    for page in _pages(ws)[:-1]:
        assert ws.cell(page[-1], 9).value, f"section row {page[-1]} left at a page end"


# ---------------------------------------------------------------- legend and as-of


def test_xlsx_legend_under_the_title_with_swatch_and_date(tmp_path):
    path = tmp_path / "a.xlsx"
    write_ledger_xlsx(seed_like(), path, as_of=date(2024, 1, 15))
    ws = load_workbook(path)[MAIN_SHEET]
    assert ws["B3"].value == "注：浅红底色为截至2024年1月15日逾期未完成的任务"
    assert ws["A3"].fill.fgColor.rgb.endswith("FFE1E1")
    assert ws["C6"].fill.fgColor.rgb.endswith("FFE1E1")  # due 2023-12-31: overdue on 2024-01-15


def test_legend_without_overdue_tasks_says_so(tmp_path):
    doc = seed_like()
    doc.tasks = [t for t in doc.tasks if t.id != "t3"]  # the only task overdue on 2023-11-01
    path = tmp_path / "a.xlsx"
    write_ledger_xlsx(doc, path, as_of=AS_OF)
    ws = load_workbook(path)[MAIN_SHEET]
    assert ws["A3"].value == "注：截至2023年11月1日无逾期未完成的任务"
    assert ws["A3"].fill.fill_type is None
    docx = tmp_path / "a.docx"
    write_ledger_docx(doc, docx, as_of=AS_OF)
    assert Document(str(docx)).paragraphs[3].text == "注：截至2023年11月1日无逾期未完成的任务"


def test_export_command_uses_as_of_for_shading_and_legend_in_both_formats(tmp_path, capsys):
    ledger = tmp_path / "台账.ledger"
    doc = seed_like()
    progress, doc.progress = doc.progress, []
    Ledger.create_from_document(ledger, doc, source="test").close()
    with Ledger.open(ledger) as opened:
        opened.apply_progress(progress)
    xlsx, docx = tmp_path / "a.xlsx", tmp_path / "a.docx"
    for out in (xlsx, docx):
        assert main(["export", str(ledger), "-o", str(out), "--as-of", "2024-01-15"]) == 0
    legend = "注：浅红底色为截至2024年1月15日逾期未完成的任务"
    ws = load_workbook(xlsx)[MAIN_SHEET]
    assert ws["B3"].value == legend
    shaded = {ws.cell(r, 9).value for r in range(5, ws.max_row + 1) if ws.cell(r, 3).fill.fill_type}
    assert shaded == {"t1", "t2", "t3", "t4"}  # t5 is long-term; on 2023-11-01 only t3 was late
    word = Document(str(docx))
    assert word.paragraphs[3].text.endswith(legend)
    rows = word.tables[0].rows
    shaded_docx = {r.cells[0].text for r in rows[1:] if r.cells[2]._tc.tcPr.find(qn("w:shd")) is not None}
    assert shaded_docx == {"1", "2", "3", "4"}


# ---------------------------------------------------------------- docx


@pytest.fixture(scope="module")
def heavy_docx(tmp_path_factory):
    path = tmp_path_factory.mktemp("print") / "重.docx"
    write_ledger_docx(heavy_doc(), path, as_of=AS_OF)
    return Document(str(path))


@pytest.fixture(scope="module")
def groups_docx(tmp_path_factory):
    """80 tasks with short reports: rows kept whole, key work runs merged, many pages."""
    path = tmp_path_factory.mktemp("print") / "多.docx"
    write_ledger_docx(make_document(80), path, as_of=AS_OF)
    return Document(str(path))


def _least_height_pt(row) -> float:
    """A lower bound of a row's height: 10.5 pt lines, at most as many characters a line
    as a cell is wide in 10.5 pt characters, cell margins ignored."""
    best = 0.0
    for cell in row.cells:
        width_pt = int(cell._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) / 20
        per_line = max(int(width_pt // 10.5), 1)
        lines = sum(max(1, -(-len(p.text) // per_line)) for p in cell.paragraphs)
        best = max(best, lines * 10.5)
    return best


def test_docx_rows_taller_than_a_page_may_split(heavy_docx):
    table = heavy_docx.tables[0]
    tall = [r for r in table.rows[1:] if _least_height_pt(r) > A4_BODY_PT]
    assert tall and tall[0].cells[0].text == "2"
    assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:cantSplit")) is None for r in tall)


def test_docx_only_rows_up_to_half_a_page_are_kept_whole(heavy_docx, groups_docx):
    for word in (heavy_docx, groups_docx):
        for row in word.tables[0].rows[1:]:
            kept = row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
            if kept:
                assert _least_height_pt(row) <= A4_BODY_PT / 2
    short = [r for r in groups_docx.tables[0].rows[1:] if _least_height_pt(r) < 100]
    assert short and all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in short)


def _vmerge(row) -> str | None:
    """The row's own 重点工作 cell (python-docx's row.cells would give the merge's top cell)."""
    tcs = row._tr.tc_lst
    found = tcs[1].tcPr.find(qn("w:vMerge")) if len(tcs) > 1 else None
    return None if found is None else (found.get(qn("w:val")) or "continue")


def _keeps_with_next(row) -> bool:
    return all(p.pPr is not None and p.pPr.find(qn("w:keepNext")) is not None
               for c in row._tr.tc_lst for p in c.xpath("./w:p"))


def test_docx_key_work_merges_only_over_rows_kept_together(groups_docx):
    rows = list(groups_docx.tables[0].rows)[1:]
    merges = 0
    for above, row in pairwise(rows):
        if _vmerge(row) == "continue":
            merges += 1
            assert _keeps_with_next(above), "a merged 重点工作 may only continue within rows kept together"
            assert above._tr.trPr.find(qn("w:cantSplit")) is not None
    assert merges
    runs, current = [], []
    for row in rows:
        if _vmerge(row) != "continue" and current:
            runs.append(current)
            current = []
        current.append(row)
    runs.append(current)
    for run in runs:
        if len(run) > 1:
            assert run[0].cells[1].text.strip()  # each run starts with the key work's text
            assert sum(_least_height_pt(r) for r in run) <= KEEP_WHOLE_PT
            assert not _keeps_with_next(run[-1]) or len(run[-1].cells) == 1


def test_docx_tall_rows_of_one_key_work_each_show_the_text(heavy_docx):
    rows = heavy_docx.tables[0].rows
    by_seq = {r.cells[0].text: r for r in rows[1:] if len({id(c._tc) for c in r.cells}) > 1}
    assert by_seq["3"].cells[1].text == "围绕民生持续改善推进信息公开"  # after tall task 2: its own run
    assert by_seq["3"].cells[1]._tc is not by_seq["2"].cells[1]._tc


def test_docx_section_rows_stay_with_the_next_row(groups_docx):
    sections = [r for r in groups_docx.tables[0].rows[1:] if len({id(c._tc) for c in r.cells}) == 1]
    assert sections and all(_keeps_with_next(r) for r in sections)


def test_docx_legend_with_swatch_and_as_of_date(tmp_path):
    path = tmp_path / "a.docx"
    write_ledger_docx(seed_like(), path, as_of=date(2024, 1, 15))
    para = Document(str(path)).paragraphs[3]
    assert para.text.endswith("注：浅红底色为截至2024年1月15日逾期未完成的任务")
    shd = para.runs[0]._r.rPr.find(qn("w:shd"))
    assert shd is not None and shd.get(qn("w:fill")) == "FFE1E1"
    assert Document(str(path)).paragraphs[1].text.startswith("填报单位：")


def test_heavy_fixture_needs_several_excel_rows():
    """Guard for the fixtures above: task 2's report is far more than one Excel row."""
    item = next(r for r in build_layout(heavy_doc(), as_of=AS_OF).task_rows if r.task.id == "t2")
    assert line_count(item.cells[7], 26) * 15 > 3 * EXCEL_MAX_ROW
