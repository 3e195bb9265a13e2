"""`ledgerdesk report`: the 要点落实 part of the annual report, from seed 000 after two rounds of progress.

The .docx is read back with python-docx: section headings, the counts in the text and the
table, A4 portrait, the page-number field in the footers, the fonts' eastAsia names.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from app.core.records import Progress
from app.ledger import Ledger
from tests.commands.year_fixtures import (
    DONE,
    HALF_DONE_TEXTS,
    LATE,
    LATE_TEXT,
    LONG_TERM_REPORTED,
    SHARED_TEXT,
    STILL_GOING,
    STILL_GOING_TEXT,
    progressed_ledger,
    run_main,
)

AFTER_YEAR = "2024-01-10"  # every dated task's deadline (2023-12-31) has passed
MID_YEAR = "2023-11-01"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    class Quiet:  # the module fixture has no capsys; the import's summary is not under test here
        def readouterr(self):
            return "", ""

    return progressed_ledger(tmp_path_factory.mktemp("year"), Quiet())


@pytest.fixture
def ledger(template, tmp_path) -> Path:
    path = tmp_path / template.name
    shutil.copy(template, path)
    return path


def expected_counts(ledger: Path, *, after_year: bool) -> list[tuple[str, dict]]:
    """Per top-level heading of the ledger, the counts the progress in year_fixtures implies."""
    with Ledger.open(ledger, readonly=True) as led:
        doc = led.document()
    out = []
    for heading in (h for h in doc.headings if h.parent_id is None):
        seqs = [t.seq for t in doc.tasks if t.heading_id == heading.id]
        done = [s for s in seqs if s in DONE]
        # in progress: long-term (7 is done), reported 长期坚持; before the deadline also every open dated task
        going = [s for s in seqs if s == LONG_TERM_REPORTED or (not after_year and s not in DONE and s != LATE)]
        late = [s for s in seqs if s not in done and s not in going]
        out.append((heading.label, {"tasks": len(seqs), "done": len(done), "in_progress": len(going),
                                    "not_done": len(late)}))
    return out


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_counts_per_section_in_text_table_and_json(ledger, tmp_path, capsys) -> None:
    out = tmp_path / "年度报告_要点落实.docx"
    code, stdout, err = run_main(capsys, "report", ledger, "-o", out, "--as-of", AFTER_YEAR, "--json")
    assert code == 0, err
    data = json.loads(stdout)
    expected = expected_counts(ledger, after_year=True)
    assert data["format"] == "ledgerdesk-report/1"
    assert [(s["title"], {k: s[k] for k in ("tasks", "done", "in_progress", "not_done")})
            for s in data["sections"]] == expected
    assert data["totals"] == {"tasks": 38, "done": 7, "in_progress": 1, "not_done": 30}
    assert [c["not_done"] for _, c in expected] == [6, 6, 7, 11]  # the fixture is what we think it is

    text = paragraphs(out)
    for label, counts in expected:
        at = text.index(label)  # each section heading, on its own paragraph, then its counts
        assert text[at + 1] == (f"本方面共{counts['tasks']}项任务，已完成{counts['done']}项，"
                                f"推进中{counts['in_progress']}项，未完成{counts['not_done']}项。")
    assert "已完成7项，推进中1项，未完成30项，完成率18.4%" in text[2]
    table = docx.Document(str(out)).tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "工作部分", "任务数", "已完成", "推进中", "未完成", "完成率"]
    for row, (label, counts) in zip(rows[1:], expected):
        assert label.endswith(row[1])
        assert row[2:6] == [str(counts[k]) for k in ("tasks", "done", "in_progress", "not_done")]
    assert rows[-1][1:6] == ["合计", "38", "7", "1", "30"]


def test_measures_cite_seqs_and_reasons_quote_the_lead_units(ledger, tmp_path, capsys) -> None:
    out = tmp_path / "r.docx"
    assert run_main(capsys, "report", ledger, "-o", out, "--as-of", AFTER_YEAR)[0] == 0
    text = "\n".join(paragraphs(out))
    assert f"{SHARED_TEXT.rstrip('。')}（第26、27项）。" in text  # one text said of two tasks: once, both cited
    assert "第7项已落实" in text and "（第7项）" in text
    assert "按季度公开重点任务执行情况（第10项）" in text
    assert f"第{STILL_GOING}项（" in text and f"县司法局：{STILL_GOING_TEXT.rstrip('。')}。" in text
    assert f"县人民政府办公室：{LATE_TEXT.rstrip('。')}" in text
    # task 3: one of two lead units done, so not done: the other one's words, the finished one named
    assert f"县医保局：{HALF_DONE_TEXTS['县医保局'].rstrip('。')}（县民政局已完成）。" in text
    assert "另有第4、6、8、9项任务牵头单位未报送进展。" in text
    assert "第19、20、21、22、23、24、25项任务牵头单位未报送进展。" in text


def test_before_the_deadline_open_tasks_are_in_progress(ledger, tmp_path, capsys) -> None:
    code, stdout, _ = run_main(capsys, "report", ledger, "--json", "--as-of", MID_YEAR)
    assert code == 0
    data = json.loads(stdout)
    assert [(s["title"], {k: s[k] for k in ("tasks", "done", "in_progress", "not_done")})
            for s in data["sections"]] == expected_counts(ledger, after_year=False)
    assert data["totals"]["not_done"] == 1  # only task 12, reported 未按期完成
    assert data["output"] is None and not list(tmp_path.glob("*.docx"))


def test_official_layout_a4_page_numbers_and_named_fonts(ledger, tmp_path, capsys) -> None:
    out = tmp_path / "r.docx"
    assert run_main(capsys, "report", ledger, "-o", out, "--as-of", AFTER_YEAR)[0] == 0
    document = docx.Document(str(out))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.05) and abs(section.page_height - Cm(29.7)) < Cm(0.05)
    assert section.page_height > section.page_width
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        p = footer.paragraphs[0]
        fields = p._p.findall(qn("w:fldSimple"))
        assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE"]
        assert "".join(t.text for t in p._p.iter(qn("w:t"))) == "— 1 —"  # dashes around the field's number

    def east_asia(paragraph) -> set[str]:
        return {r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in paragraph.runs}

    paras = document.paragraphs
    assert paras[0].text == "2023年政务公开工作要点落实情况"
    assert east_asia(paras[0]) == {"方正小标宋简体"}
    assert paras[0].runs[0].font.size.pt == 22
    assert east_asia(paras[2]) == {"仿宋"}  # body
    assert east_asia(next(p for p in paras if p.text == "一、深化重点领域信息公开")) == {"黑体"}
    assert document.styles["Normal"].font.size.pt == 16  # 三号
    cell_run = document.tables[-1].rows[1].cells[2].paragraphs[0].runs[0]
    assert cell_run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋" and cell_run.font.size.pt == 14
    # the fallbacks, for machines without the named font: the font table's altName chain
    with zipfile.ZipFile(out) as archive:
        table = archive.read("word/fontTable.xml").decode("utf-8")
        names = archive.namelist()
    for name, alt in (("仿宋", "仿宋_GB2312"), ("仿宋_GB2312", "FangSong"), ("FangSong", "STFangsong"),
                      ("方正小标宋简体", "小标宋"), ("小标宋", "黑体"), ("黑体", "SimHei")):
        assert f'w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>' in table
    assert not [n for n in names if n.startswith("word/fonts/")]  # named, never bundled


def test_progress_texts_are_literal_one_sentence_and_status_only_texts_left_out(ledger, tmp_path, capsys) -> None:
    with Ledger.open(ledger) as led:
        tasks = {t.seq: t for t in led.document().tasks}
        led.apply_progress([
            Progress(tasks["1"].id, tasks["1"].lead_units[0], "第二次报送", status="已完成",
                     text="=HYPERLINK(\"x\")\x07已办结"),
            Progress(tasks["2"].id, tasks["2"].lead_units[0], "第二次报送", status="已完成",
                     text="发布政策解读32篇\n  组织“政策公开讲”3场。"),
            Progress(tasks["11"].id, tasks["11"].lead_units[0], "第二次报送", status="已完成", text="已完成。"),
        ])
    out = tmp_path / "r.docx"
    assert run_main(capsys, "report", ledger, "-o", out, "--as-of", AFTER_YEAR)[0] == 0
    text = paragraphs(out)
    assert "一是=HYPERLINK(\"x\")已办结（第1项）。" in text  # literal text, the bell dropped (XML cannot hold it)
    assert "二是发布政策解读32篇；组织“政策公开讲”3场（第2项）。" in text
    assert not [p for p in text if "（第11项）" in p]  # "已完成。" repeats the status: no measure


@pytest.mark.parametrize("case", ["missing", "not_a_ledger", "output_exists", "not_docx", "bad_date", "no_output"])
def test_bad_input_one_line_exit_2_nothing_written(case, ledger, tmp_path, capsys) -> None:
    out = tmp_path / "out.docx"
    args: list[object] = ["report", ledger, "-o", out, "--as-of", AFTER_YEAR]
    named = ledger.name
    if case == "missing":
        args[1] = tmp_path / "没有这个.ledger"
        named = "没有这个.ledger"
    elif case == "not_a_ledger":
        bogus = tmp_path / "记事.ledger"
        bogus.write_text("不是台账", encoding="utf-8")
        args[1] = bogus
        named = bogus.name
    elif case == "output_exists":
        out.write_bytes(b"clerk's edited report")
        named = out.name
    elif case == "not_docx":
        args[3] = out = tmp_path / "out.xlsx"
        named = out.name
    elif case == "bad_date":
        args[5] = "2024-13-01"
        named = "2024-13-01"
    else:
        args = ["report", ledger]
        named = "-o"
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    code, stdout, err = run_main(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("错误：") and named in err
    assert "Traceback" not in err and stdout == ""
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
