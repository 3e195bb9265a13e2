"""Build .docx test inputs the way Word writes them: list numbering in numbering.xml,
numbering inherited from heading styles, merged table cells."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# (numFmt, lvlText) per level: 一、 / （一） / 1. / （1） / ①
CHINESE_LEVELS = [
    ("chineseCounting", "%1、"),
    ("chineseCounting", "（%2）"),
    ("decimal", "%3."),
    ("decimal", "（%4）"),
    ("decimalEnclosedCircle", "%5"),
]


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def add_numbering(document, levels=CHINESE_LEVELS, *, abstract_id: int = 90, num_id: int = 90,
                  start_overrides: dict[int, int] | None = None) -> int:
    """Define an abstractNum + num in the document's numbering part; returns the numId."""
    numbering = document.part.numbering_part.element
    abstract = _el("w:abstractNum", abstractNumId=str(abstract_id))
    for ilvl, (fmt, text) in enumerate(levels):
        lvl = _el("w:lvl", ilvl=str(ilvl))
        lvl.append(_el("w:start", val="1"))
        lvl.append(_el("w:numFmt", val=fmt))
        lvl.append(_el("w:lvlText", val=text))
        lvl.append(_el("w:suff", val="nothing"))
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # abstractNum elements come before num elements
    else:
        numbering.append(abstract)
    return add_num(document, abstract_id, num_id, start_overrides=start_overrides)


def add_num(document, abstract_id: int, num_id: int, *, start_overrides: dict[int, int] | None = None) -> int:
    """One more w:num pointing at an existing abstractNum (Word and WPS write several per list)."""
    numbering = document.part.numbering_part.element
    num = _el("w:num", numId=str(num_id))
    num.append(_el("w:abstractNumId", val=str(abstract_id)))
    for ilvl, start in (start_overrides or {}).items():
        override = _el("w:lvlOverride", ilvl=str(ilvl))
        override.append(_el("w:startOverride", val=str(start)))
        num.append(override)
    numbering.append(num)
    return num_id


def set_numbering(paragraph, num_id: int, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = _el("w:numPr")
    numpr.append(_el("w:ilvl", val=str(ilvl)))
    numpr.append(_el("w:numId", val=str(num_id)))
    ppr.append(numpr)


def style_with_numbering(document, style_name: str, num_id: int, ilvl: int) -> None:
    """Give a paragraph style (e.g. "Heading 1") list numbering, as Word's outline lists do."""
    style = document.styles[style_name]
    ppr = style.element.get_or_add_pPr()
    numpr = _el("w:numPr")
    numpr.append(_el("w:ilvl", val=str(ilvl)))
    numpr.append(_el("w:numId", val=str(num_id)))
    ppr.append(numpr)


def table_docx(path: Path, title_lines: list[str], rows: list[list[str]], *, merge_key_col: int | None = 1) -> None:
    """A Word table from text rows: section rows merged across, empty key-work cells merged
    vertically with the cell above (as a real ledger table is drawn)."""
    document = docx.Document()
    for line in title_lines:
        document.add_paragraph(line)
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        cells = table.rows[r].cells
        texts = [c for c in row if c.strip()]
        if len(texts) == 1 and row[0].strip() and width > 2:
            merged = cells[0].merge(cells[width - 1])
            merged.text = row[0]
            continue
        for c in range(width):
            value = row[c] if c < len(row) else ""
            if value:
                cells[c].text = value
    if merge_key_col is not None:
        for r in range(1, len(rows)):
            row = rows[r]
            above = rows[r - 1]
            is_task = row and row[0].strip().isdigit()
            above_is_task = above and above[0].strip().isdigit()
            if is_task and above_is_task and len(row) > merge_key_col and not row[merge_key_col].strip():
                top = table.cell(r - 1, merge_key_col)
                top.merge(table.cell(r, merge_key_col))
                # keep the text once: merging concatenates paragraphs
                while len(top.paragraphs) > 1 and not top.paragraphs[-1].text:
                    p = top.paragraphs[-1]._p
                    p.getparent().remove(p)
                rows[r] = list(row)
                rows[r][merge_key_col] = rows[r - 1][merge_key_col]
    document.save(path)
