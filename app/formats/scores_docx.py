"""Unit scores (考核) as a .docx in official-document layout (python-docx), for the office's circular.

A ScoreTable (app/core/scores.py) in, a file out; no Qt, no database. The page, fonts and tables
are app/formats/official_docx.py's (A4 portrait, 仿宋 三号 body, "— 1 —" page numbers, header rows
repeated, rows kept whole), as the notices and the annual report print:
- title in 小标宋 二号, centred, the as-of date under it in 楷体;
- the weights paragraph (考核权重：按时报送 +10 分/轮；…), so the paper says how it was scored;
- "一、汇总" in 黑体 and the table of every unit (highest total first), then one heading and
  table per round (报送情况, 交回时间, the counts, the score);
- tables in 五号 (10.5 pt) so nine columns fit the 15.6 cm text block, header texts broken
  where a 公文 table breaks them ("按时\n报送").
"""

from __future__ import annotations

from pathlib import Path

from app.core.scores import ScoreTable, number_text, round_values, summary_values, time_text
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
from app.formats.report_docx import cn_number
from app.formats.safe_names import xml_text

TITLE = "各单位任务落实考核得分表"
TABLE_PT = 10.5  # 五号
CELL_MARGIN_TWIPS = 57  # 0.1 cm each side
_CELL_SPACING = '<w:spacing w:before="30" w:after="30" w:line="260" w:lineRule="exact"/>'
# header texts as printed (broken to fit), the same columns as core.scores.SUMMARY_COLUMNS / ROUND_COLUMNS
SUMMARY_HEADERS = ("名次", "单位", "按时\n报送", "逾期\n报送", "未\n报送", "完成\n任务", "逾期未\n完成", "退回\n修改",
                   "总分")
SUMMARY_WIDTHS_CM = (1.2, 4.2, 1.3, 1.3, 1.4, 1.3, 1.6, 1.3, 2.0)
ROUND_HEADERS = ("序号", "单位", "报送\n情况", "交回日期", "完成\n任务", "逾期未\n完成", "退回\n修改", "得分")
COUNTS_NOTE = "（报送情况以轮计，完成、逾期未完成、退回修改以项计）"
ROUND_WIDTHS_CM = (1.2, 4.2, 1.9, 2.7, 1.3, 1.6, 1.3, 1.4)


def write_scores_docx(table: ScoreTable, path: str | Path, *, ledger_title: str = "") -> Path:
    """Write the scores to `path` all or nothing."""
    document = new_document()
    basis = f"根据《{ledger_title}》，" if ledger_title else ""
    append_paragraphs(document, [paragraph_xml(TITLE, TITLE_FONT, size=TITLE_PT, align="center", indent=False, keep_next=True,
                              line_exact=36),
                       paragraph_xml(f"（统计截至{date_cn(table.as_of)}）", SUBHEAD_FONT, align="center", indent=False,
                              after=LINE_PT // 2),
                       paragraph_xml(f"{basis}按以下考核权重计分：{table.weights.describe()}。", BODY_FONT),
                       paragraph_xml(f"{cn_number(1)}、汇总", HEAD_FONT, align="left", keep_next=True, before=LINE_PT // 2),
                       paragraph_xml(COUNTS_NOTE, SUBHEAD_FONT, size=TABLE_PT, align="left", indent=False, keep_next=True,
                              line_exact=18)])
    rows = [(str(v[0]), v[1], *(str(x) for x in v[2:8]), number_text(v[8])) for v in summary_values(table)]
    _table(document, SUMMARY_HEADERS, SUMMARY_WIDTHS_CM, rows)
    for n, info in enumerate(table.rounds, start=2):
        due = f"（报送截止{date_cn(info.due)}）" if info.due else "（未设报送截止日期）"
        append_paragraphs(document, [paragraph_xml(f"{cn_number(n)}、{info.name}{due}", HEAD_FONT, align="left", keep_next=True,
                                  before=LINE_PT // 2)])
        rows = [(str(v[0]), v[1], v[2], time_text(v[3])[:10], str(v[4]), str(v[5]), str(v[6]),
                 number_text(v[7])) for v in round_values(table, info.name)]
        _table(document, ROUND_HEADERS, ROUND_WIDTHS_CM, rows)
    # a body ends with a paragraph (LibreOffice drops the rows of a last table that runs onto another
    # page without one); 1 pt high, so it never makes a page of its own
    append_paragraphs(document, [paragraph_xml("", BODY_FONT, size=1, indent=False, line_exact=1)])
    path = Path(path)
    with atomic_output(path) as tmp:
        document.save(str(tmp))
    return path






def _cell(text: str, width: int, header: bool, align: str) -> str:
    return cell_xml(xml_text(text).split("\n"), width, header=header, align=align, size=TABLE_PT,
                    spacing=_CELL_SPACING)


def _table(document, headers: tuple[str, ...], widths_cm: tuple[float, ...], rows: list[tuple[str, ...]]) -> None:
    """The official table; the unit's name left-aligned, the rest centred."""
    official_table(document, headers, widths_cm, rows, cell=_cell,
                   align=lambda i, _row: "left" if i == 1 else "center", cell_margin_twips=CELL_MARGIN_TWIPS)
