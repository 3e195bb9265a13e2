"""Reading back an exported ledger whose tasks go on in spill rows (ledger_xlsx.py):
seed 000 with every unit reporting at length, so that every task needs several rows.

The spill rows' text joins the task's: no false "被修改" warning with the hidden sheet,
the whole text without it (hidden sheet deleted, LibreOffice re-save, the visible
columns copied into a new workbook), and never a task made of a spill row."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.cli import main
from app.core.records import Progress
from app.formats.ledger_json import document_to_json
from app.formats.ledger_layout import build_layout, progress_line
from app.formats.ledger_xlsx import DATA_SHEET, HEADER_ROW, ID_COLUMN, MAIN_SHEET, SPILL_MARK
from app.formats.ledger_xlsx_in import read_exported_ledger
from app.formats.plan import read_plan
from app.ledger import Ledger

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice 未安装（libreoffice-calc not installed）")
SEED_000 = next((Path(__file__).parents[1] / "fixtures" / "seeds").glob("000_*.txt"))
AS_OF = date(2023, 12, 31)
SENTENCES = (
    "已在县人民政府门户网站“政府信息公开”专栏集中公开相关政策文件{n}件，同步推送至政务新媒体",
    "组织召开专题推进会{n}次，逐项明确责任人和完成时限，建立周调度、月通报工作机制",
    "围绕群众关注的热点问题发布政策解读材料{n}篇，其中图解、短视频等形式解读占比达到六成以上",
    "对照年度任务清单开展自查，发现栏目更新不及时、链接失效等问题{n}个，已全部整改到位",
    "依托12345政务服务便民热线和网站留言板受理群众咨询{n}件，按期办结率100%，满意率持续提升",
    "制定印发工作方案，成立由主要负责同志任组长的工作专班，统筹推进各项公开任务落实",
    "下一步将继续加大公开力度，拓展公开渠道，及时回应社会关切，确保全年任务按期完成",
)
STATUSES = ("进行中", "已完成", "长期坚持")


def _report(k: int) -> str:
    """Two to six sentences, as units really write them."""
    return "；".join(SENTENCES[(k + i) % len(SENTENCES)].format(n=k % 50 + i + 2) for i in range(2 + k % 5)) + "。"


def _heavy_progress(doc) -> list[Progress]:
    """Every unit of every task reports at length, in both rounds."""
    entries, k = [], 0
    for r_index, rnd in enumerate(doc.rounds):
        for task in doc.tasks:
            for unit in dict.fromkeys([*task.lead_units, *task.coop_units]):
                k += 1
                entries.append(Progress(task.id, unit, rnd.name, STATUSES[k % 3] if r_index else "进行中",
                                        _report(k), updated_at=datetime(2023, 9 + 3 * r_index, 8, 10, 0),
                                        source="test"))
    return entries


@pytest.fixture(scope="module")
def heavy(tmp_path_factory):
    """(ledger document, exported xlsx): built through the facade, exported by the CLI."""
    folder = tmp_path_factory.mktemp("spill")
    ledger = folder / "heavy.ledger"
    Ledger.create_from_document(ledger, read_plan(SEED_000), source="test").close()
    with Ledger.open(ledger) as opened:
        opened.apply_progress(_heavy_progress(opened.document()))
    with Ledger.open(ledger, readonly=True) as opened:
        doc = opened.document()
    path = folder / "heavy.xlsx"
    assert main(["export", str(ledger), "--format", "xlsx", "-o", str(path), "--as-of", AS_OF.isoformat()]) == 0
    return doc, path


def _spill_rows(ws) -> list[int]:
    return [r for r in range(HEADER_ROW + 1, ws.max_row + 1) if "+" in str(ws.cell(r, ID_COLUMN).value or "")]


def test_fixture_spills_most_tasks(heavy):
    doc, path = heavy
    ws = load_workbook(path)[MAIN_SHEET]
    spill = _spill_rows(ws)
    spilled = {str(ws.cell(r, ID_COLUMN).value).split("+")[0] for r in spill}
    assert len(doc.tasks) == 38 and len(spilled) >= 30 and len(spill) >= 100
    assert all(ws.cell(r, 1).value == SPILL_MARK and ws.cell(r, 1).number_format == ";;;" for r in spill)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _expected_text(doc) -> dict[str, str]:
    """Each task's 进展落实情况 as exported (the ledger's entries of the shown round)."""
    layout = build_layout(doc, as_of=AS_OF)
    shown = {}
    for item in layout.task_rows:
        lines = [progress_line(p) for p in doc.progress
                 if p.task_id == item.task.id and p.round == layout.round_name and (p.status or p.text)]
        assert sorted(item.cells[7].split("\n")) == sorted(lines)  # guard: the layout shows the ledger's lines
        shown[item.task.id] = item.cells[7]
    return shown


def _assert_full_text(doc, back, *, same_ids: bool) -> None:
    """Same tasks in the same order, and each task's progress text read back in full."""
    assert [t.seq for t in back.tasks] == [t.seq for t in doc.tasks]  # no spill row taken for a task
    assert [t.content for t in back.tasks] == [t.content for t in doc.tasks]
    if same_ids:
        assert [t.id for t in back.tasks] == [t.id for t in doc.tasks]
    expected = _expected_text(doc)
    for ours, theirs in zip(doc.tasks, back.tasks):
        got = "".join(progress_line(p) for p in back.progress if p.task_id == theirs.id)
        assert _norm(got) == _norm(expected[ours.id]), f"task {ours.seq}"
    assert _norm("".join(progress_line(p) for p in back.progress)) == _norm("".join(expected.values()))
    assert not [w for w in back.warnings if "续行" in w.message or "被修改" in w.message]


def _entries(progress) -> list[tuple[str, str, str]]:
    return [(p.unit, p.status, p.text) for p in progress]


# ---------------------------------------------------------------- (a) with the hidden sheet


def test_read_back_with_hidden_sheet_is_lossless_and_warns_nothing(heavy):
    doc, path = heavy
    back = read_exported_ledger(path)
    assert [t.id for t in back.tasks] == [t.id for t in doc.tasks]
    assert _entries(back.progress) == _entries(doc.progress) and len(back.progress) == len(doc.progress)
    assert document_to_json(back) == document_to_json(doc)
    assert not [w for w in back.warnings if "被修改" in w.message]
    assert back.warnings == []


def test_an_edited_spill_row_is_still_reported(heavy, tmp_path):
    doc, path = heavy
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    r = _spill_rows(ws)[3]
    ws.cell(r, 8).value = "改写的进展"
    wb.save(tmp_path / "edited.xlsx")
    back = read_exported_ledger(tmp_path / "edited.xlsx")
    assert document_to_json(back) == document_to_json(doc)  # progress still from the hidden sheet
    assert [w.message for w in back.warnings] == ["进展落实情况在表格中被修改，未导入（请用回报表报送进展）"]


def test_without_the_id_column_spill_rows_still_join_their_task(heavy, tmp_path):
    doc, path = heavy
    wb = load_workbook(path)
    wb[MAIN_SHEET].delete_cols(ID_COLUMN)
    wb.save(tmp_path / "noid.xlsx")
    back = read_exported_ledger(tmp_path / "noid.xlsx")
    assert document_to_json(back) == document_to_json(doc)
    assert back.warnings == []


# ---------------------------------------------------------------- (b) hidden sheet deleted


@pytest.fixture(scope="module")
def bare(heavy, tmp_path_factory):
    _doc, path = heavy
    wb = load_workbook(path)
    del wb[DATA_SHEET]
    out = tmp_path_factory.mktemp("bare") / "bare.xlsx"
    wb.save(out)
    return out


def test_hidden_sheet_deleted_reads_every_progress_text_in_full(heavy, bare):
    doc, _ = heavy
    back = read_exported_ledger(bare)
    _assert_full_text(doc, back, same_ids=True)
    layout = build_layout(doc, as_of=AS_OF)
    shown = [p for p in doc.progress if p.round == layout.round_name]
    # Where a row starts a new report is guessed ("单位：状态。…"): every entry comes back whole.
    assert sorted(_entries(back.progress)) == sorted(_entries(shown))


# ---------------------------------------------------------------- (c) LibreOffice re-save


def _libreoffice(path: Path, outdir: Path, fmt: str = "xlsx") -> Path:
    outdir.mkdir(exist_ok=True)
    profile = (outdir / "lo-profile").resolve().as_uri()  # private: parallel runs must not share one
    target = 'xlsx:Calc MS Excel 2007 XML' if fmt == "xlsx" else fmt
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile}", "--convert-to", target,
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=300)
    out = outdir / f"{path.stem}.{fmt}"
    assert out.exists(), f"LibreOffice produced no {fmt}"
    return out


@needs_soffice
def test_after_libreoffice_resave_with_hidden_sheet_nothing_is_warned(heavy, tmp_path):
    doc, path = heavy
    back = read_exported_ledger(_libreoffice(path, tmp_path / "lo"))
    assert document_to_json(back) == document_to_json(doc)
    assert back.warnings == []


@needs_soffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_after_libreoffice_resave_without_hidden_sheet_the_text_is_full(heavy, bare, tmp_path, fmt):
    doc, _ = heavy
    back = read_exported_ledger(_libreoffice(bare, tmp_path / "lo", fmt))
    _assert_full_text(doc, back, same_ids=True)


# ---------------------------------------------------------------- (d) visible columns copied


def _copy_visible(path: Path, out: Path, *, formats_and_merges: bool) -> Path:
    """What a clerk gets pasting columns A–H of the table into a new workbook: the values,
    and (a paste in Excel or WPS) number formats and merged cells; no id column, no hidden sheet."""
    ws = load_workbook(path)[MAIN_SHEET]
    wb = Workbook()
    new = wb.active
    for row in ws.iter_rows(min_col=1, max_col=ID_COLUMN - 1):
        for cell in row:
            if cell.value is not None:
                copied = new.cell(cell.row, cell.column, cell.value)
                if formats_and_merges:
                    copied.number_format = cell.number_format
    if formats_and_merges:
        for rng in ws.merged_cells.ranges:
            if rng.max_col < ID_COLUMN:
                new.merge_cells(str(rng))
    wb.save(out)
    return out


@pytest.mark.parametrize("formats_and_merges", [True, False], ids=["pasted", "values-only"])
def test_visible_columns_copied_to_a_new_workbook_keep_the_full_text(heavy, tmp_path, formats_and_merges):
    doc, path = heavy
    copied = _copy_visible(path, tmp_path / "copy.xlsx", formats_and_merges=formats_and_merges)
    assert read_exported_ledger(copied) is None  # not an export any more: a plain table
    back = read_exported_ledger(copied, plain=True)
    _assert_full_text(doc, back, same_ids=False)
    assert len({t.id for t in back.tasks}) == len(doc.tasks)


def test_spill_marks_cleared_too_the_text_still_joins_its_task(heavy, tmp_path):
    """A copy whose 序号 cells of the spill rows were emptied: rows holding nothing but
    progress (and 重点工作 restarted at a page top) right below a task still continue it."""
    doc, path = heavy
    copied = _copy_visible(path, tmp_path / "copy.xlsx", formats_and_merges=True)
    wb = load_workbook(copied)
    ws = wb.active
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == SPILL_MARK:
            ws.cell(r, 1).value = None
    wb.save(copied)
    _assert_full_text(doc, read_exported_ledger(copied, plain=True), same_ids=False)


# ---------------------------------------------------------------- never a task from a spill row


def test_spill_rows_whose_task_row_was_deleted_are_left_out_with_a_warning(heavy, tmp_path):
    doc, path = heavy
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    spilled = str(ws.cell(_spill_rows(ws)[0], ID_COLUMN).value).split("+")[0]
    own = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, ID_COLUMN).value == spilled)
    ws.delete_rows(own)  # the task's own row only; openpyxl leaves the merges where they were
    wb.save(tmp_path / "deleted.xlsx")
    back = read_exported_ledger(tmp_path / "deleted.xlsx")
    assert [t.id for t in back.tasks] == [t.id for t in doc.tasks if t.id != spilled]
    assert not {p.task_id for p in back.progress} & {spilled}
    messages = [str(w) for w in back.warnings]
    assert len([m for m in messages if "续行（spill row）不在其任务的行下" in m]) == 1  # one for the run of rows
    assert any("已从表格中删除" in m for m in messages)
    assert not [m for m in messages if "被修改" in m]  # the task above keeps only its own rows
