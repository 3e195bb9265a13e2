"""Word documents built from the prose seeds, for the import tests.

`prose_docx` writes one paragraph per text line. `prose_docx_auto_numbered` removes the
outline numbers ("一、", "（一）", optionally "1．") from the text and lets Word's automatic
list numbering produce them instead: an abstractNum in numbering.xml with one level per
outline level (numFmt chineseCounting / decimal, lvlText "%1、", "（%2）", "%3．") and a
w:numPr on each numbered paragraph, as a clerk's Word file has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from app.core.plan.outline import classify_line

# (ilvl, numFmt, lvlText) per outline level 1..3
FULLWIDTH_LEVELS = ((0, "chineseCounting", "%1、"), (1, "chineseCounting", "（%2）"), (2, "decimal", "%3．"))
HALFWIDTH_LEVELS = ((0, "chineseCounting", "%1、"), (1, "chineseCounting", "(%2)"), (2, "decimal", "%3."))
NUM_ID = 90


def _new_document() -> docx.Document:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    return document


def prose_docx(path: Path, lines: Sequence[str]) -> Path:
    """One paragraph per line, numbers left in the text."""
    document = _new_document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return Path(path)


def add_list_numbering(document, levels=FULLWIDTH_LEVELS, *, abstract_id: int = NUM_ID, num_id: int = NUM_ID) -> int:
    """Define a multi-level list (abstractNum + num) in numbering.xml; returns its numId."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "multilevel")
    abstract.append(multi)
    for ilvl, fmt, text in levels:
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, value in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text), ("w:lvlJc", "left")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            lvl.append(child)
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # schema order: every abstractNum before the nums
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract_id))
    num.append(ref)
    numbering.append(num)
    return num_id


def set_numbering(paragraph, num_id: int, ilvl: int) -> None:
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = ilvl
    numpr.get_or_add_numId().val = num_id


def prose_docx_auto_numbered(
    path: Path, lines: Sequence[str], *, outline_levels: Sequence[int] = (1, 2), levels=FULLWIDTH_LEVELS
) -> Path:
    """Paragraphs whose outline number (at `outline_levels`) comes from Word list numbering."""
    document = _new_document()
    num_id = add_list_numbering(document, levels)
    for line in lines:
        kind = classify_line(line)
        if kind.is_numbered and kind.level in outline_levels:
            paragraph = document.add_paragraph(kind.rest)
            set_numbering(paragraph, num_id, kind.level - 1)
        else:
            document.add_paragraph(line)
    document.save(str(path))
    return Path(path)
