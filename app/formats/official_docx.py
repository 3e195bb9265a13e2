"""The official-document layout (GB/T 9704, 党政机关公文格式) shared by the .docx letters and reports.

app/formats/notice_docx.py (催报通知) and report_docx.py (年度报告要点落实部分) print on the same
page with the same fonts; this module holds that page, so a fix to it (a font fallback, the
order Word's schema wants in a table's properties) reaches both. No Qt, no database.

- A4 portrait, margins 3.7 cm top, 3.5 cm bottom, 2.8 cm left (binding), 2.6 cm right;
- body in 仿宋 三号 (16 pt) at a fixed 28 pt line;
- page numbers "— 1 —" (a PAGE field between em dashes) in 宋体 四号, centred, or (`outside=True`)
  odd pages at the right and even pages at the left, one character in (GB/T 9704 7.5);
- tables of fixed column widths, centred, a shaded 黑体 header row repeated on each page
  (w:tblHeader), rows kept whole (w:cantSplit), built as XML strings and parsed once
  (python-docx's cell API is quadratic in the row count).

Fonts are named, never bundled. A run names the first font of its family in w:eastAsia (the
font Chinese text uses); the font table (word/fontTable.xml) declares each font with its GB2312
charset (86), its family and pitch, and a w:altName chain through the fallbacks (仿宋 → 仿宋_GB2312
→ FangSong → STFangsong, likewise for 小标宋/黑体/楷体/宋体), which Word and WPS consult when the
named font is missing, so a machine with only one of them still prints in the right face.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from lxml import etree

from app.formats.safe_names import xml_text

# Each family: runs name the first, the font table chains the rest through w:altName.
FANGSONG = ("仿宋", "仿宋_GB2312", "FangSong", "STFangsong")
XIAOBIAOSONG = ("方正小标宋简体", "小标宋", "黑体", "SimHei", "STHeiti")
HEITI = ("黑体", "SimHei", "STHeiti")
KAITI = ("楷体", "楷体_GB2312", "KaiTi", "STKaiti")
SONGTI = ("宋体", "SimSun", "STSong")
FONT_FAMILIES = (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI)
WESTERN_FONT = "Times New Roman"
BODY_FONT, TITLE_FONT, HEAD_FONT, SUBHEAD_FONT, PAGE_FONT = (f[0] for f in FONT_FAMILIES)

TITLE_PT = 22  # 二号
BODY_PT = 16  # 三号
PAGE_PT = 14  # 四号
LINE_PT = 28  # fixed line pitch of the body (22 lines on the page)
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6, "header": 1.5, "footer": 2.5}
TEXT_WIDTH_CM = 21.0 - MARGINS_CM["left"] - MARGINS_CM["right"]  # 15.6 cm
TWIPS_PER_CM = 567
HEADER_SHADE = "F2F2F2"

# A cell's XML from (text, width in twips, header?, w:jc value).
CellXml = Callable[[str, int, bool, str], str]


def date_cn(value: date | None) -> str:
    """2023年10月1日, the way a 公文 writes a date; "" for none."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


# ---------------------------------------------------------------- fonts


def fonts_attrs(east_asia: str, western: str = WESTERN_FONT) -> str:
    return f'w:ascii="{western}" w:hAnsi="{western}" w:eastAsia="{escape(east_asia)}" w:cs="{western}"'


def fonts_xml(east_asia: str) -> str:
    return f"<w:rFonts {fonts_attrs(east_asia)}/>"


def rpr_xml(font: str, size: float | None = None) -> str:
    """A run's properties: its fonts, and its size (also for complex script) when given."""
    sz = f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>' if size else ""
    return f"<w:rPr>{fonts_xml(font)}{sz}</w:rPr>"


def set_run_fonts(rpr, east_asia: str, western: str = WESTERN_FONT) -> None:
    """Fonts for a run properties element: w:eastAsia is what Chinese text uses. Theme fonts
    (w:asciiTheme, w:cstheme, …) are dropped: they would win over the names set here."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), western)
    fonts.set(qn("w:hAnsi"), western)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), western)


def declare_fonts(document) -> None:
    """Name each family's fonts in the font table, each pointing (w:altName) to the next."""
    part = next(r.target_part for r in document.part.rels.values() if r.reltype == RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = root.nsmap["w"]
    have = {f.get(f"{{{w}}}name") for f in root.findall(f"{{{w}}}font")}
    for family in FONT_FAMILIES:
        for name, alt in zip(family, (*family[1:], None)):
            if name in have:
                continue
            have.add(name)
            alt_xml = f'<w:altName w:val="{escape(alt, {chr(34): "&quot;"})}"/>' if alt else ""
            pitch = "variable" if family in (XIAOBIAOSONG, HEITI) else "fixed"
            root.append(etree.fromstring(
                f'<w:font {nsdecls("w")} w:name="{escape(name)}">{alt_xml}<w:charset w:val="86"/>'
                f'<w:family w:val="{"swiss" if family is HEITI else "modern"}"/><w:pitch w:val="{pitch}"/></w:font>'))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- the page


def new_document(*, outside_page_numbers: bool = False):
    """A blank A4 公文: styles, page, footer page numbers and the font table set."""
    document = Document()
    setup_styles(document)
    section = document.sections[0]
    set_page(section, landscape=False, margins_cm=MARGINS_CM)
    if outside_page_numbers:
        document.settings.odd_and_even_pages_header_footer = True
        page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
        page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    else:
        page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
    declare_fonts(document)
    return document


def setup_styles(document) -> None:
    """Document defaults and Normal: 仿宋 三号, Chinese language, fixed 28 pt lines, no spacing."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_run_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.widow_control = True


def set_page(section, *, landscape: bool, margins_cm: dict[str, float]) -> None:
    """A4 with the page size swapped *and* the orientation set (Word and WPS each read one)."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    section.top_margin, section.bottom_margin = Cm(margins_cm["top"]), Cm(margins_cm["bottom"])
    section.left_margin, section.right_margin = Cm(margins_cm["left"]), Cm(margins_cm["right"])
    section.header_distance, section.footer_distance = Cm(margins_cm["header"]), Cm(margins_cm["footer"])


def page_number(paragraph, align) -> None:
    """"— N —" with N a PAGE field; at the right or left, one character in from that side."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(PAGE_PT)
    elif align == WD_ALIGN_PARAGRAPH.LEFT:
        fmt.left_indent = Pt(PAGE_PT)
    rpr = rpr_xml(PAGE_FONT, PAGE_PT)
    paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve">— </w:t></w:r>'))
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>'))
    paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>'))


# ---------------------------------------------------------------- tables

# w:tblPr's children in schema order (Word refuses a file whose order differs)
TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")


def set_in_order(tbl_pr, element) -> None:
    """Put `element` into tblPr in place of one of its kind, at its schema position."""
    name = element.tag.split("}")[1]
    old = tbl_pr.find(qn(f"w:{name}"))
    if old is not None:
        tbl_pr.remove(old)
    later = TBL_PR_ORDER[TBL_PR_ORDER.index(name) + 1:]
    for child in tbl_pr:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return
    tbl_pr.append(element)


def fixed_table(document, widths: Sequence[int], *, centre: bool = True, cell_margin_twips: int | None = None):
    """An empty Table Grid table of fixed column widths (twips; tblGrid and tblW, which Word and
    WPS both honour), its properties in schema order; rows go in with `append_rows`."""
    table = document.add_table(rows=0, cols=len(widths))
    table.style = document.styles["Table Grid"]
    if centre:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    set_in_order(tbl_pr, parse_xml(f'<w:tblW {nsdecls("w")} w:w="{sum(widths)}" w:type="dxa"/>'))
    set_in_order(tbl_pr, parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    if cell_margin_twips is not None:
        set_in_order(tbl_pr, parse_xml(
            f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{cell_margin_twips}" w:type="dxa"/>'
            f'<w:right w:w="{cell_margin_twips}" w:type="dxa"/></w:tblCellMar>'))
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width))
    return table


def append_rows(table, rows: Sequence[str]) -> None:
    """Parse the rows' XML once and append them to the table."""
    holder = parse_xml(f'<w:tbl {nsdecls("w")}>{"".join(rows)}</w:tbl>')
    tbl = table._tbl
    for tr in list(holder):
        tbl.append(tr)


def cell_xml(lines: Sequence[str], width: int, *, header: bool, align: str, size: float, spacing: str) -> str:
    """A cell of one paragraph per line, in 黑体 on a shade for the header row, else 仿宋;
    `spacing` is the paragraphs' w:spacing element."""
    rpr = rpr_xml(HEAD_FONT if header else BODY_FONT, size)
    ppr = f'<w:pPr>{spacing}<w:ind w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>'
    paras = []
    for line in lines or [""]:
        run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' if line else ""
        paras.append(f"<w:p>{ppr}{run}</w:p>")
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_SHADE}"/>' if header else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}<w:vAlign w:val="center"/></w:tcPr>'
            f'{"".join(paras)}</w:tc>')


def official_table(document, columns: Sequence[str], widths_cm: Sequence[float], rows: Sequence[Sequence[str]], *,
                   cell: CellXml, align: Callable[[int, Sequence[str]], str],
                   cell_margin_twips: int | None = None):
    """A fixed-width table centred on the text block, its header row repeated on each page and
    every row kept whole; `align(i, row)` gives column i's w:jc in a body row."""
    widths = [round(cm * TWIPS_PER_CM) for cm in widths_cm]
    table = fixed_table(document, widths, cell_margin_twips=cell_margin_twips)
    header = "".join(cell(c, w, True, "center") for c, w in zip(columns, widths))
    xml = [f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>"]
    for row in rows:
        cells = "".join(cell(text, w, False, align(i, row)) for i, (text, w) in enumerate(zip(row, widths)))
        xml.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    append_rows(table, xml)
    return table


def paragraph_xml(text: str, font: str, *, size: float | None = None, align: str = "both", indent: bool = True,
                  keep_next: bool = False, before: int = 0, after: int = 0, line_exact: int | None = None) -> str:
    """One paragraph of one literal run (xml_text drops what XML cannot hold): first line indented two
    characters unless told otherwise; spacing in points."""
    spacing = ""
    if before or after or line_exact:
        line = f' w:line="{line_exact * 20}" w:lineRule="exact"' if line_exact else ""
        spacing = f'<w:spacing w:before="{before * 20}" w:after="{after * 20}"{line}/>'
    ind = f'<w:ind w:firstLine="{BODY_PT * 2 * 20}"/>' if indent else '<w:ind w:firstLine="0"/>'
    ppr = f'<w:pPr>{"<w:keepNext/>" if keep_next else ""}{spacing}{ind}<w:jc w:val="{align}"/></w:pPr>'
    run = f'<w:r>{rpr_xml(font, size)}<w:t xml:space="preserve">{escape(xml_text(text))}</w:t></w:r>'
    return f"<w:p>{ppr}{run}</w:p>"


def append_paragraphs(document, paragraphs: Sequence[str]) -> None:
    """Parse the paragraphs once and put them before the section properties (python-docx's
    add_paragraph looks for those anew each time: quadratic for a report of thousands of lines)."""
    holder = parse_xml(f'<w:body {nsdecls("w")}>{"".join(paragraphs)}</w:body>')
    sect_pr = document.element.body.find(qn("w:sectPr"))
    for p in list(holder):
        sect_pr.addprevious(p)
