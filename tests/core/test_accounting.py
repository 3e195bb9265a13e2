"""Nothing lost without a word (issue 11): every character of every seed and corpus document's body is
in a task, a heading, the title/office or a warning once imported (app/core/plan/accounting.py).

The source text of a document is read here as plainly as possible, independent of the parser: a
text file's lines, a web page's lines, every paragraph and table row of a Word file, every row of
every sheet. A prose plan's body is what the prose parser reads as its body (front matter and the
closing block lie outside it); a task table's body is everything from its header row on, the header
rows themselves (repeated at page breaks) being the table's frame.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.core.plan import parse_prose_plan
from app.core.plan.accounting import account, fold
from app.core.plan.table_header import read_header_cell
from app.core.plan.warnings import summarise_warnings
from app.core.records import LedgerDocument, Task
from app.errors import InputError
from app.formats.plan.read import read_plan
from tests.conftest import SEED_FILES

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
_CELL_SPLIT_RE = re.compile(r"\t|\s*\|\s*")


def source_lines(path: Path) -> list[str]:
    """The document's text, one paragraph or table row (cells tab-joined) per line, as the file holds it."""
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text"):
        from app.formats.text_in import read_text

        return read_text(path).split("\n")
    if suffix in (".html", ".htm"):
        from app.formats.plan.html_in import read_html

        return read_html(path)
    if suffix in (".docx", ".pdf", ".doc"):
        if suffix == ".docx":
            from app.formats.plan.docx_in import read_docx

            content = read_docx(path)
        elif suffix == ".pdf":
            from app.formats.plan.pdf_in import read_pdf

            content = read_pdf(path)
        else:
            from app.formats.plan.word_convert import read_converted_word

            content = read_converted_word(path)
        out: list[str] = []
        for block in content.blocks:
            out += [block] if isinstance(block, str) else ["\t".join(row) for row in block]
        return out
    from app.formats.table_in import read_table_rows

    return ["\t".join(str(c) for c in row) for sheet in read_table_rows(path) for row in sheet]


def _cells(line: str) -> list[str]:
    return [c for c in _CELL_SPLIT_RE.split(line.strip()) if c.strip()]


def header_lines(lines: list[str]) -> list[int]:
    """Lines naming table columns only: "序号 | 重点工作 | 责任单位 …", or one label per line in a run of them."""
    labels = [bool(cells) and all(read_header_cell(c) is not None for c in cells)
              for cells in (_cells(line) for line in lines)]
    found = []
    for i, line in enumerate(lines):
        single = len(_cells(line)) == 1
        if labels[i] and (not single or (i > 0 and labels[i - 1]) or (i + 1 < len(lines) and labels[i + 1])):
            found.append(i)
    return found


def unaccounted(lines: list[str], doc: LedgerDocument, kind: str):
    """The accounting of a prose plan (its body as the parser reads it) or of a task table (its rows)."""
    if kind == "prose":
        return account(lines, doc)
    headers = header_lines(lines)
    start = headers[0] if headers else 0
    rows = [i for i, line in enumerate(lines) if "\t" in line or "|" in line]
    end = rows[-1] + 1 if rows and rows[-1] >= start else len(lines)
    return account(lines, doc, body=(start, end), structure=headers)


# --- the seeds --------------------------------------------------------------------------------------

SEED_KINDS = {"000": "table", "001": "table", "002": "prose", "003": "prose", "004": "prose"}


@pytest.mark.parametrize("key", sorted(SEED_KINDS))
def test_every_seed_accounts_for_every_character(key):
    path = SEED_FILES[key]
    lines = path.read_text(encoding="utf-8").split("\n")
    doc = read_plan(path)
    result = unaccounted(lines, doc, SEED_KINDS[key])
    assert result.checked > 1000
    assert result.unaccounted == 0, f"seed {key}:\n{result.report()}"


# --- the corpus -------------------------------------------------------------------------------------


def _corpus_files():
    for expected in sorted(CORPUS.glob("*.expected.json")):
        data = json.loads(expected.read_text(encoding="utf-8"))
        name = expected.name[: -len(".expected.json")]
        for fmt in data["formats"]:
            marks = [pytest.mark.slow] if fmt == "doc" else []
            yield pytest.param(CORPUS / f"{name}.{fmt}", data["kind"], id=f"{name}.{fmt}", marks=marks)


@pytest.mark.parametrize(("path", "kind"), list(_corpus_files()))
def test_every_corpus_document_accounts_for_every_character(path, kind):
    try:
        doc = read_plan(path)
        lines = source_lines(path)
    except InputError as exc:  # a refused file imports nothing and says why in one line: nothing is lost silently
        assert str(exc).startswith(path.name) and "\n" not in str(exc)
        assert path.suffix == ".doc", f"only .doc may be refused (no converter): {exc}"
        return
    result = unaccounted(lines, doc, kind)
    assert result.checked > 100
    assert result.unaccounted == 0, f"{path.name}:\n{result.report()}"


# --- the check itself -------------------------------------------------------------------------------

PLAN = [
    "某县2024年政务公开工作要点",
    "为做好全年政务公开工作，制定本要点。",
    "一、加强决策公开",
    "1.做好决策公开。（县政府办公室负责落实，2024年6月底前完成）",
    "2.做好政策解读，重要政策出台后3个工作日内发布解读材料。（县司法局牵头落实，各部门配合落实）",
    "各部门要高度重视，确保各项任务落到实处。",
    "某县人民政府办公室",
    "2024年3月1日",
]


def test_a_plan_read_whole_loses_nothing_and_its_front_matter_is_not_body():
    doc = parse_prose_plan(PLAN, source_name="要点.txt")
    result = account(PLAN, doc)
    assert result.unaccounted == 0, result.report()
    # the title, the preamble, the 落款 and the date are no body
    assert result.checked == sum(len(fold(line)) for line in PLAN[2:6])


def test_text_dropped_from_a_task_is_found_with_its_line():
    doc = parse_prose_plan(PLAN, source_name="要点.txt")
    doc.tasks[1].content = "做好政策解读。"
    result = account(PLAN, doc)
    assert [loss.line_no for loss in result.losses] == [5]
    assert result.losses[0].text == "重要政策发布解读材料"  # "出台后3个工作日内" is the task's deadline
    assert "第5行：丢失“重要政策发布解读材料”" in result.report()


def test_a_closing_paragraph_counts_only_through_its_warning():
    doc = parse_prose_plan(PLAN, source_name="要点.txt")
    assert account(PLAN, doc).unaccounted == 0
    doc.warnings = [w for w in doc.warnings if "第6行" not in w.location]
    lost = account(PLAN, doc).losses
    assert [(loss.line_no, loss.text) for loss in lost] == [(6, "要高度重视确保各项任务落到实处")]  # "各部门" is a unit


def test_a_cover_between_runs_of_a_unit_list_is_not_lost():
    """"县政府办公室、扶贫办、财政局": "扶贫办财政" is also a run of the content ("扶贫办 财政部"), yet
    the cover keeps "财政局" whole (a shortest cover, not a greedy one)."""
    lines = ["某县2024年政务公开工作要点", "一、推进公开",
             "1.按照国务院扶贫办 财政部的意见做好公告公示。［县政府办公室、扶贫办、财政局牵头落实］"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    assert account(lines, doc).unaccounted == 0


def test_warnings_behind_the_summary_line_still_account():
    lines = ["某县2024年政务公开工作要点", "一、推进公开"]
    lines += [f"第{i}段说明文字，与任务无关，内容各不相同{i * 7919}。" for i in range(60)]
    lines += ["1.做好公开。（县财政局负责）"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    doc.warnings = summarise_warnings(doc.warnings, 50)
    assert len(doc.warnings) == 51
    assert account(lines, doc).unaccounted == 0


def test_doubts_and_units_count_as_accounted():
    lines = ["某县2024年政务公开工作要点", "一、推进公开", "1.做好公开。财政局牵头"]
    doc = parse_prose_plan(lines, source_name="x.txt")
    task: Task = doc.tasks[0]
    assert task.lead_units == ["财政局"] and doc.doubts[task.id]
    assert account(lines, doc).unaccounted == 0
