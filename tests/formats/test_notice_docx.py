"""催报通知 as .docx: who is named (exactly the units that have not returned), their contacts and open
tasks, and the official layout (A4 portrait, fonts named with fallbacks, "— 1 —" page numbers), read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from app.core.records import Progress
from app.errors import LedgerError
from app.formats.notice_docx import (
    FANGSONG,
    KIND_REMIND,
    KIND_SUPERVISE,
    SUPERVISE_COLUMNS,
    Notice,
    NoticeTask,
    NoticeUnit,
    seq_ranges,
    seq_tokens,
    text_width_cm,
    wrap_tokens,
    write_notice,
    write_unit_notice,
)
from app.ledger import Ledger
from app.notices import remind_notice, supervise_notice, unit_file_names, write_notices
from app.returns import merge_files
from app.sending import make_sheets
from tests.merge_fixtures import fill_xlsx
from tests.ui.sample import sample_document

ROUND = "第一次报送"
RETURNED = ("县民政局", "县司法局")
MISSING = "县人民政府办公室"
ISSUED = date(2023, 9, 15)


def two_of_three_returned(folder: Path) -> Path:
    """The sample ledger (three units with sheets) after 县民政局 and 县司法局 returned theirs; the
    missing unit has a liaison and phone, and reported task 1 as 已完成 (so only task 3 is open)."""
    path = folder / "台账.ledger"
    Ledger.create_from_document(path, sample_document(), source="test").close()
    with Ledger.open(path) as ledger:
        sheets = {p.name.split("_")[0]: p for p in make_sheets(ledger, folder / "sent", round_name=ROUND)}
        assert set(sheets) == {*RETURNED, MISSING}
        back = folder / "back"
        back.mkdir()
        filled = [fill_xlsx(sheets[u], {seq: {"状态": "进行中", "进展落实情况": f"{u}已推进"} for seq in "123"},
                            back / sheets[u].name) for u in RETURNED]
        report = merge_files(ledger, filled)
        assert all(f.batch for f in report.files), [f.messages for f in report.files]
        ledger.update_unit(MISSING, liaison="马丽", phone="0954-3012345")
        task1 = next(t for t in ledger.document().tasks if t.seq == "1")
        ledger.apply_progress([Progress(task1.id, MISSING, ROUND, status="已完成", text="已完成推送")])
    return path


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return two_of_three_returned(tmp_path)


def texts(doc) -> list[str]:
    """Every paragraph's text, the body's and each table cell's, in order."""
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.extend(c.text for c in row.cells)
    return out


def table_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_notice_names_exactly_the_missing_unit_with_contact_and_open_tasks(ledger_path, tmp_path):
    with Ledger.open(ledger_path, readonly=True) as ledger:
        notice = remind_notice(ledger, ROUND, issued=ISSUED)
    assert [u.name for u in notice.units] == [MISSING]
    assert (notice.total_units, notice.returned_units, notice.due) == (3, 2, date(2023, 9, 10))
    [unit] = notice.units
    assert (unit.liaison, unit.phone) == ("马丽", "0954-3012345")
    assert [(t.seq, t.role, t.deadline) for t in unit.tasks] == [("3", "牵头", "长期坚持")]  # task 1 is 已完成

    [out] = write_notices(notice, tmp_path / "催报.docx")
    doc = Document(str(out))
    units_table, tasks_table = doc.tables
    rows = table_rows(units_table)
    assert rows[0] == ["序号", "单位", "联络员", "联系电话", "未完成任务", "发出日期"]
    assert [r[1:4] for r in rows[1:]] == [[MISSING, "马丽", "0954-3012345"]]
    assert rows[1][4] == "共1项\n3"
    listed = table_rows(tasks_table)
    assert [r[0] for r in listed[1:]] == ["3"] and listed[1][1] == "提升解读质量。" and listed[1][3] == "长期坚持"
    body = "\n".join(texts(doc))
    assert "关于催报第一次报送任务落实情况的通知" in body
    assert "应于2023年9月10日前报送" in body and "截至2023年9月15日，3个单位中已报送2个，尚有1个单位未报送" in body
    for unit_name in RETURNED:
        assert unit_name not in body
    assert "2023年9月15日" in [p.text for p in doc.paragraphs]  # the signature date


def test_layout_is_a4_portrait_with_named_fonts_fallbacks_and_page_numbers(ledger_path, tmp_path):
    with Ledger.open(ledger_path, readonly=True) as ledger:
        [out] = write_notices(remind_notice(ledger, ROUND, issued=ISSUED), tmp_path / "催报.docx")
    doc = Document(str(out))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width.cm - 21.0) < 0.01 and abs(section.page_height.cm - 29.7) < 0.01
    assert abs(section.top_margin.cm - 3.7) < 0.01 and abs(section.left_margin.cm - 2.8) < 0.01
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    title_run = doc.paragraphs[0].runs[0]
    assert title_run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title_run.font.size.pt == 22
    header_cell = doc.tables[0].rows[0].cells[0]._tc
    assert header_cell.xpath(".//w:rFonts/@w:eastAsia") == ["黑体"]
    # the font table chains each family through its fallbacks; nothing is embedded
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE)
    fonts = etree.fromstring(part.blob)
    alt = {f.get(qn("w:name")): (f.find(qn("w:altName")).get(qn("w:val")) if f.find(qn("w:altName")) is not None
                                 else None) for f in fonts.findall(qn("w:font"))}
    assert [alt[name] for name in FANGSONG] == [*FANGSONG[1:], None]
    assert alt["方正小标宋简体"] == "小标宋" and alt["小标宋"] == "黑体"
    assert not fonts.findall(".//" + qn("w:embedRegular"))
    assert not [n for n in doc.part.package.iter_parts() if "fonts/" in str(n.partname)]
    footer = section.footer.paragraphs[0]
    assert "".join(footer._p.xpath(".//w:t/text()")) == "— 1 —"  # the 1 is the PAGE field's
    assert footer._p.xpath(".//w:fldSimple/@w:instr") == [" PAGE "]


def test_per_unit_writes_one_letter_per_missing_unit_into_the_folder(ledger_path, tmp_path):
    with Ledger.open(ledger_path, readonly=True) as ledger:
        notice = remind_notice(ledger, "第二次报送", issued=ISSUED)  # nobody was sent round 2: all three missing
    paths = write_notices(notice, tmp_path / "通知", per_unit=True)
    assert sorted(p.name for p in (tmp_path / "通知").iterdir()) == sorted(
        f"催报通知_{u}_第二次报送.docx" for u in (*RETURNED, MISSING))
    mine = Document(str(next(p for p in paths if MISSING in p.name)))
    assert mine.paragraphs[1].text == f"{MISSING}："
    assert "（联络员：马丽，联系电话：0954-3012345）" in [p.text for p in mine.paragraphs]
    [tasks] = mine.tables
    assert [r[0] for r in table_rows(tasks)[1:]] == ["3"]  # its latest word on task 1 (round 1) is 已完成
    assert table_rows(tasks)[1][4] == "未报"
    civil = Document(str(next(p for p in paths if "县民政局" in p.name)))
    assert [(r[0], r[2], r[4]) for r in table_rows(civil.tables[0])[1:]] == [
        ("1", "牵头", "进行中"), ("3", "配合\n（各部门（单位））", "进行中")]


def test_unit_names_that_are_not_file_names_are_made_safe_and_unique(tmp_path):
    notice = Notice(KIND_REMIND, "台账", "第一次报送", None, ISSUED,
                    units=[NoticeUnit("县:民政局"), NoticeUnit("县*民政局"), NoticeUnit("CON")])
    names = [f.name for f in unit_file_names(notice)]
    assert names == ["催报通知_县_民政局_第一次报送.docx", "催报通知_县_民政局_第一次报送 (2).docx",
                     "催报通知_CON_第一次报送.docx"]
    paths = write_notices(notice, tmp_path / "out", per_unit=True)
    assert [p.name for p in paths] == names and all(p.is_file() for p in paths)
    assert Document(str(paths[1])).paragraphs[1].text == "县*民政局："


def test_nobody_missing_is_one_message_and_no_file(tmp_path):
    notice = Notice(KIND_REMIND, "台账", "第一次报送", None, ISSUED, total_units=3, returned_units=3)
    with pytest.raises(LedgerError, match="均已报送"):
        write_notices(notice, tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


def test_a_failed_write_leaves_no_file_behind(tmp_path, monkeypatch):
    """Written atomically: a failure half-way leaves neither the target nor a temporary file."""
    notice = Notice(KIND_REMIND, "台账", "第一次报送", None, ISSUED, units=[NoticeUnit("县民政局")])
    from docx.document import Document as DocxDocument

    def boom(self, path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(DocxDocument, "save", boom)
    with pytest.raises(LedgerError, match="无法写入"):
        write_notice(notice, tmp_path / "催报.docx")
    assert list(tmp_path.iterdir()) == []


def test_many_tasks_are_listed_once_and_ranges_shortened(tmp_path):
    tasks = [NoticeTask(str(n), f"任务{n}", "牵头", "2023年12月底", task_id=f"t{n}", lead="县民政局")
             for n in range(1, 8)]
    notice = Notice(KIND_REMIND, "台账", "第一次报送", date(2023, 9, 10), ISSUED, office="县人民政府办公室",
                    units=[NoticeUnit("县民政局", tasks=tasks), NoticeUnit("县司法局", tasks=tasks[2:5])])
    doc = Document(str(write_notice(notice, tmp_path / "a.docx")))
    units, listed = doc.tables
    assert [r[4] for r in table_rows(units)[1:]] == ["共7项\n1~7", "共3项\n3~5"]
    assert [r[0] for r in table_rows(listed)[1:]] == [str(n) for n in range(1, 8)]
    assert [r[4] for r in table_rows(listed)[1:]] == ["1个", "1个", "2个", "2个", "2个", "1个", "1个"]
    assert "县人民政府办公室" in [p.text for p in doc.paragraphs]
    assert seq_ranges(["1", "2", "4", "5", "6", "9", "二"]) == "1、2、4~6、9、二"
    one = Document(str(write_unit_notice(notice, notice.units[1], tmp_path / "b.docx")))
    assert [r[0] for r in table_rows(one.tables[0])[1:]] == ["3", "4", "5"]


def test_task_numbers_are_wrapped_between_numbers_never_inside_one():
    tokens = seq_tokens([str(n) for n in (*range(2, 12), 13, 14, 16, 17, *range(19, 25), *range(27, 39))])
    assert tokens == ["2~11", "13", "14", "16", "17", "19~24", "27~38"]
    lines = wrap_tokens(tokens, 4.0)
    assert "".join(lines) == "、".join(tokens) and len(lines) > 1
    assert all(text_width_cm(line) <= 4.0 for line in lines)
    assert all(not line.startswith("、") for line in lines)
    assert wrap_tokens(["123456789012345"], 1.0) == ["123456789012345"]  # one token too wide: kept whole


# ---------------------------------------------------------------- 督办通知 (kind "supervise")

AS_OF = date(2023, 10, 1)  # task 1 (县民政局, 10月10日) is due in 9 days, task 2 (县司法局, 6月底) 93 days late


def test_supervise_names_the_units_with_overdue_or_due_tasks_and_their_last_progress(ledger_path, tmp_path):
    with Ledger.open(ledger_path) as ledger:
        task2 = next(t for t in ledger.document().tasks if t.seq == "2")
        ledger.apply_progress([Progress(task2.id, "县司法局", "第二次报送", status="进行中", text="已起草实施方案")])
        notice = supervise_notice(ledger, as_of=AS_OF)
    # 县人民政府办公室 reported its part of task 1 已完成 and task 3 is 长期坚持: no letter
    assert [u.name for u in notice.units] == ["县民政局", "县司法局"]
    assert notice.kind == KIND_SUPERVISE and notice.issued == AS_OF and notice.within == 15
    out = write_notice(notice, tmp_path / "督办.docx")
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "关于督办逾期及即将到期任务的通知"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "截至2023年10月1日" in body and "已逾期未完成1项，15日内到期1项" in body
    units, civil, justice = (table_rows(t) for t in doc.tables)
    assert [r[1] for r in units[1:]] == ["县民政局", "县司法局"]
    assert [r[4].split("\n")[0] for r in units[1:]] == ["无", "1项"] and units[2][4] == "1项\n2"
    assert civil[0] == list(SUPERVISE_COLUMNS)
    assert civil[1][0] == "1" and civil[1][3] == "即将到期\n还剩9天"
    assert civil[1][4].startswith("进行中：县民政局已推进\n（第一次报送，")
    assert justice[1][0] == "2" and justice[1][3] == "已逾期\n93天"
    assert justice[1][4].startswith("进行中：已起草实施方案\n（第二次报送，")  # the latest round's report


def test_supervise_within_and_as_of_move_the_line(ledger_path):
    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert [u.name for u in supervise_notice(ledger, as_of=AS_OF, within=5).units] == ["县司法局"]
        later = supervise_notice(ledger, as_of=date(2023, 10, 11), within=0)
        assert [(u.name, [(t.seq, t.state, t.days) for t in u.tasks]) for u in later.units] == [
            ("县民政局", [("1", "已逾期", 1)]), ("县司法局", [("2", "已逾期", 103)])]
        assert supervise_notice(ledger, as_of=date(2023, 1, 1), within=15).units == []


def test_supervise_lists_cooperating_units_and_unreported_tasks_as_未报(tmp_path):
    path = tmp_path / "台账.ledger"
    Ledger.create_from_document(path, sample_document(), source="test").close()
    with Ledger.open(path, readonly=True) as ledger:
        notice = supervise_notice(ledger, as_of=AS_OF)
    by_unit = {u.name: [(t.seq, t.role, t.state) for t in u.tasks] for u in notice.units}
    assert by_unit == {"县民政局": [("1", "牵头", "即将到期")], "县人民政府办公室": [("1", "配合", "即将到期")],
                       "县司法局": [("2", "牵头", "已逾期")]}
    paths = write_notices(notice, tmp_path / "督办", per_unit=True)
    assert sorted(p.name for p in paths) == sorted(f"督办通知_{u}_2023-10-01.docx" for u in by_unit)
    letter = Document(str(tmp_path / "督办" / "督办通知_县司法局_2023-10-01.docx"))
    assert letter.paragraphs[1].text == "县司法局："
    assert [r[4] for r in table_rows(letter.tables[0])[1:]] == ["未报"]
    assert len(letter.tables) == 1


def test_supervise_with_nothing_due_is_one_message_and_no_file(ledger_path, tmp_path):
    with Ledger.open(ledger_path, readonly=True) as ledger:
        notice = supervise_notice(ledger, as_of=date(2023, 1, 1))
    with pytest.raises(LedgerError, match="没有逾期或即将到期的任务"):
        write_notices(notice, tmp_path / "n.docx")
    assert not (tmp_path / "n.docx").exists()


def test_supervise_counts_tasks_once_and_spares_cooperators_of_finished_tasks(ledger_path, tmp_path):
    """One overdue task led by two units is one task (two 项次); a cooperating unit is not chased for a
    task its lead reported 已完成."""
    with Ledger.open(ledger_path) as ledger:
        doc = ledger.document()
        task1, task2 = (next(t for t in doc.tasks if t.seq == s) for s in ("1", "2"))
        ledger.update_task(task2.id, lead_units=["县司法局", "县民政局"])
        done = Progress(task1.id, "县民政局", "第二次报送", status="已完成", text="已完成")
        ledger.apply_progress([done])
        ledger.update_task(task1.id, coop_units=["县司法局"], lead_units=["县民政局"])
        notice = supervise_notice(ledger, as_of=date(2023, 10, 20))  # task 1 (10月10日) now overdue too
    listed = {u.name: [t.seq for t in u.tasks] for u in notice.units}
    assert listed["县民政局"] == ["2"] and listed["县司法局"] == ["2"]  # task 1: lead done, cooperator spared
    body = "\n".join(p.text for p in Document(str(write_notice(notice, tmp_path / "督办.docx"))).paragraphs)
    assert "已逾期未完成1项（按单位计2项次）" in body
