"""The 要点落实 part of the annual report as a .docx the clerk edits in Word or WPS (python-docx).

An `AnnualReport` (app/annual_report.py) in, a file out; no Qt, no database.

Layout after GB/T 9704 (党政机关公文格式), as county offices print it:
- A4 portrait, margins 3.7 cm top, 3.5 cm bottom, 2.8 cm left (binding), 2.6 cm right;
- title in 小标宋 二号 (22 pt), centred, the basis and date under it in 楷体 三号;
- body in 仿宋 三号 (16 pt) at a fixed 28 pt line, first lines indented two characters;
  section headings "一、" in 黑体 三号, the "未完成任务及原因" lead-in in 楷体;
- the table in 仿宋 四号 (14 pt), its header row in 黑体, repeated on each page, rows kept whole;
- page numbers "— 1 —" (a PAGE field between em dashes) in 宋体 四号: odd pages at the right,
  even pages at the left, one character in from the edge of the text (GB/T 9704 7.5).

The page, the fonts and their fallback chains, and the table are app/formats/official_docx.py's,
shared with the notices; this module has the report's texts and paragraphs.

Paragraphs and table rows are built as XML strings and parsed once (python-docx's
add_paragraph and cell API slow down with every line already in the document).

Every text goes in as literal text (xml_text drops what XML cannot hold; a run's w:t is
never a field or formula), so a progress text reads back exactly as the ledger has it.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.annual_report import NOT_REPORTED, AnnualReport, SectionReport
from app.formats.atomic import atomic_output
from app.formats.official_docx import (
    BODY_FONT,
    HEAD_FONT,
    LINE_PT,
    SUBHEAD_FONT,
    TITLE_FONT,
    TITLE_PT,
    append_paragraphs,
    cell_xml,
    date_cn,
    new_document,
    official_table,
    paragraph_xml,
)
from app.formats.safe_names import xml_text

TABLE_PT = 14  # 四号
TABLE_COLUMNS = ("序号", "工作部分", "任务数", "已完成", "推进中", "未完成", "完成率")
TABLE_WIDTHS_CM = (1.3, 5.3, 1.8, 1.8, 1.8, 1.8, 1.8)  # 15.6 cm: the text block
CELL_MARGIN_TWIPS = 57  # 0.1 cm each side, so "已完成" in 四号 fits 1.8 cm on one line
_CELL_SPACING = f'<w:spacing w:before="40" w:after="40" w:line="{TABLE_PT * 20 * 5 // 4}" w:lineRule="exact"/>'
CN_NUMBERS = "一二三四五六七八九十"
_ENDS_CLAUSE = re.compile(r"[。；;，,：:！!？?、]$")
_TRAILING_PUNCT = re.compile(r"[。；;，,、.\s]+$")
TABLE_TITLE = "附表：{year}年政务公开工作要点各部分落实情况统计表"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def percent(done: int, tasks: int) -> str:
    return f"{done * 100 / tasks:.1f}%" if tasks else "—"


def _one_line(text: str) -> str:
    """A progress text as one sentence: its lines joined ("；" between lines that end without
    punctuation), runs of spaces made one."""
    out = ""
    for line in xml_text(text).splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if out and not _ENDS_CLAUSE.search(out):
            out += "；"
        out += line
    return out


def _short(text: str, limit: int = 40) -> str:
    """The start of a task's content for a parenthesis: no closing punctuation before "）"."""
    text = _one_line(text)
    if len(text) > limit:
        return _TRAILING_PUNCT.sub("", text[:limit]) + "……"
    return _TRAILING_PUNCT.sub("", text)


# ---------------------------------------------------------------- the texts


def report_title(report: AnnualReport) -> str:
    return f"{report.year}年政务公开工作要点落实情况" if report.year else "政务公开工作要点落实情况"


def subtitle(report: AnnualReport) -> str:
    return f"（统计截至{date_cn(report.as_of)}）"


def overview(report: AnnualReport) -> str:
    t = report.totals()
    year = f"{report.year}年" if report.year else "本年度"
    basis = f"根据《{report.ledger_title}》，" if report.ledger_title else ""
    return (f"{basis}{year}政务公开工作要点共明确{len(report.sections)}个方面{t['tasks']}项任务。截至{date_cn(report.as_of)}，"
            f"已完成{t['done']}项，推进中{t['in_progress']}项，未完成{t['not_done']}项，"
            f"完成率{percent(t['done'], t['tasks'])}。各方面落实情况如下。")


def section_counts(section: SectionReport) -> str:
    return (f"本方面共{section.tasks}项任务，已完成{section.done}项，推进中{section.in_progress}项，"
            f"未完成{section.not_done}项。")


def measure_lines(section: SectionReport) -> list[str]:
    """"一是……（第3、5项）。" per measure, in the order the tasks come."""
    lines = []
    for n, measure in enumerate(section.measures, 1):
        lines.append(f"{cn_number(n)}是{_one_line(measure.text)}（第{'、'.join(measure.seqs)}项）。")
    return lines


def unfinished_lines(section: SectionReport) -> list[str]:
    """One paragraph per task its lead units gave a reason for; those that never reported, together."""
    out = [f"第{item.seq}项（{_short(item.content)}）：{_one_line(item.reason)}。"
           for item in section.unfinished if item.reason != NOT_REPORTED]
    silent = [item.seq for item in section.unfinished if item.reason == NOT_REPORTED]
    if silent:
        lead = "另有" if out else ""
        out.append(f"{lead}第{'、'.join(silent)}项任务牵头单位{NOT_REPORTED}进展。")
    return out


def section_label(section: SectionReport, index: int) -> str:
    return section.label if section.number else f"{cn_number(index)}、{section.title}"


def table_rows(report: AnnualReport) -> list[tuple[str, ...]]:
    rows = [(str(i), section.title, str(section.tasks), str(section.done), str(section.in_progress),
             str(section.not_done), percent(section.done, section.tasks))
            for i, section in enumerate(report.sections, 1)]
    t = report.totals()
    rows.append(("", "合计", str(t["tasks"]), str(t["done"]), str(t["in_progress"]), str(t["not_done"]),
                 percent(t["done"], t["tasks"])))
    return rows


# ---------------------------------------------------------------- writing


def write_report_docx(report: AnnualReport, path: str | Path) -> Path:
    """Write the report to `path` all or nothing."""
    document = new_document(outside_page_numbers=True)
    body = [_title_xml(report_title(report)),
            paragraph_xml(subtitle(report), SUBHEAD_FONT, align="center", indent=False, after=LINE_PT // 2),
            paragraph_xml(overview(report), BODY_FONT)]
    for index, section in enumerate(report.sections, 1):
        body.append(paragraph_xml(section_label(section, index), HEAD_FONT, align="left", keep_next=True))
        body.append(paragraph_xml(section_counts(section), BODY_FONT))
        body.extend(paragraph_xml(line, BODY_FONT) for line in measure_lines(section))
        if section.unfinished:
            body.append(paragraph_xml("未完成任务及原因：", SUBHEAD_FONT, align="left", keep_next=True))
            body.extend(paragraph_xml(line, BODY_FONT) for line in unfinished_lines(section))
    body.append(paragraph_xml(TABLE_TITLE.format(year=report.year or ""), HEAD_FONT, align="center", indent=False,
                       keep_next=True, before=LINE_PT // 2))
    append_paragraphs(document, body)
    _table(document, table_rows(report))
    path = Path(path)
    with atomic_output(path) as tmp:
        document.save(str(tmp))
    return path






def _title_xml(text: str) -> str:
    return paragraph_xml(text, TITLE_FONT, size=TITLE_PT, align="center", indent=False, keep_next=True, line_exact=36)


def _cell_xml(text: str, width: int, header: bool, align: str) -> str:
    """One line (a progress text's lines joined), in 四号 with a little room above and below."""
    return cell_xml([_one_line(text)] if text else [""], width, header=header, align=align, size=TABLE_PT,
                    spacing=_CELL_SPACING)


def _table(document, rows: list[tuple[str, ...]]) -> None:
    """A fixed-width table as wide as the text block, the header row repeated; rows kept whole;
    the 工作部分 left-aligned but in the 合计 row."""
    official_table(document, TABLE_COLUMNS, TABLE_WIDTHS_CM, rows, cell=_cell_xml,
                   align=lambda i, row: "left" if i == 1 and row[0] != "" else "center",
                   cell_margin_twips=CELL_MARGIN_TWIPS)
