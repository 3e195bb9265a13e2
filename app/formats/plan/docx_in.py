"""Read a Word (.docx) plan: body paragraphs and tables in order, numbering rendered.

Headings numbered by Word's automatic list numbering carry no "一、" in their text;
the numbering lives in numbering.xml (num → abstractNum → lvl). We render it back
into the paragraph text so the outline parser sees what the reader sees. Tables are
flattened to text grids the task-table parser reads like a spreadsheet: a
horizontally merged cell (gridSpan) appears once, its other grid positions empty, a
vertically merged continuation (vMerge) is empty too, and both are recorded in
TableRows.covered, so the parser knows the cell is "same as above" rather than blank.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from app.core.plan.outline import to_chinese_number
from app.core.plan.table_grid import TableRows
from app.errors import InputError
from app.formats.limits import MAX_SHEET_CELLS, PLAN_ZIP, ZipLimits, reader_guard
from app.formats.zip_measure import ZipBudget, explain_not_a_zip, open_zip, read_member

NOT_A_DOCX = "不是有效的 Word 文档（.docx）（not a valid Word document）"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_w = f"{{{W}}}"


def q(tag: str) -> str:
    return _w + tag


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)

_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
MAX_SPAN = 64  # Word allows 63 columns: a wider gridSpan / gridBefore is damage, not layout
MAX_LEVEL = 8  # list levels 0..8
MAX_COUNTER = 100_000  # a list start value; far beyond any real numbering


def _int(text: str | None, default: int, low: int, high: int) -> int:
    """An attribute as a number within [low, high]; `default` when it is no number (damaged files)."""
    try:
        value = int(str(text).strip()) if text is not None else default
    except ValueError:
        return default
    return min(max(value, low), high)


@dataclass
class DocxContent:
    """Body content in order: blocks are str (paragraph) or list[list[str]] (table)."""

    blocks: list[str | list[list[str]]] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    @property
    def tables(self) -> list[list[list[str]]]:
        return [b for b in self.blocks if not isinstance(b, str)]


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * min((n - 1) // 26 + 1, 10)  # "aa" after "z"; capped for damaged starts


def format_number(n: int, fmt: str) -> str:
    """One counter value in a Word numFmt."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting",
               "taiwaneseCountingThousand", "ideographDigital", "japaneseCounting"):
        return to_chinese_number(n)
    if fmt in ("ideographTraditional",):
        return _TIANGAN[(n - 1) % 10]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) - 0x30 + 0xFF10) for c in str(n))
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    is_lgl: bool = False


class Numbering:
    """Word list numbering: definitions from numbering.xml and running counters per abstractNum."""

    def __init__(self, numbering_xml: etree._Element | None, styles_xml: etree._Element | None) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.style_numpr: dict[str, tuple[str | None, int | None]] = {}
        self.style_based: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId → level → value
        self.restarted: set[str] = set()  # numIds whose start override has been applied
        if numbering_xml is not None:
            self._read_numbering(numbering_xml)
        if styles_xml is not None:
            self._read_styles(styles_xml)

    def _read_numbering(self, root: etree._Element) -> None:
        for abstract in root.iter(q("abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in abstract.findall(q("lvl")):
                level = _Level()
                ilvl = _int(lvl.get(q("ilvl")), 0, 0, MAX_LEVEL)
                if (el := lvl.find(q("start"))) is not None:
                    level.start = _int(el.get(q("val")), 1, 0, MAX_COUNTER)
                if (el := lvl.find(q("numFmt"))) is not None:
                    level.fmt = el.get(q("val"), "decimal")
                if (el := lvl.find(q("lvlText"))) is not None:
                    level.text = el.get(q("val"), "")
                level.is_lgl = lvl.find(q("isLgl")) is not None
                levels[ilvl] = level
            self.abstract[abstract.get(q("abstractNumId"), "")] = levels
        for num in root.iter(q("num")):
            aid = num.find(q("abstractNumId"))
            overrides: dict[int, int] = {}
            for ov in num.findall(q("lvlOverride")):
                so = ov.find(q("startOverride"))
                start = ov.find(f"{q('lvl')}/{q('start')}")  # a whole level redefined, with its start
                value = so if so is not None else start
                if value is not None:
                    overrides[_int(ov.get(q("ilvl")), 0, 0, MAX_LEVEL)] = _int(value.get(q("val")), 1, 0, MAX_COUNTER)
            self.nums[num.get(q("numId"), "")] = (aid.get(q("val"), "") if aid is not None else "", overrides)

    def _read_styles(self, root: etree._Element) -> None:
        for style in root.iter(q("style")):
            sid = style.get(q("styleId"), "")
            based = style.find(q("basedOn"))
            if based is not None:
                self.style_based[sid] = based.get(q("val"), "")
            numpr = style.find(f"{q('pPr')}/{q('numPr')}")
            if numpr is not None:
                self.style_numpr[sid] = _numpr_values(numpr)

    def _style_numpr(self, style_id: str) -> tuple[str | None, int | None]:
        seen: set[str] = set()
        num_id: str | None = None
        ilvl: int | None = None
        while style_id and style_id not in seen:
            seen.add(style_id)
            sn, sl = self.style_numpr.get(style_id, (None, None))
            num_id = num_id if num_id is not None else sn
            ilvl = ilvl if ilvl is not None else sl
            style_id = self.style_based.get(style_id, "")
        return num_id, ilvl

    def label(self, p: etree._Element) -> str:
        """The rendered number of paragraph `p` ("一、", "（二）", "3.") and advance the counters."""
        ppr = p.find(q("pPr"))
        num_id: str | None = None
        ilvl: int | None = None
        style_id = ""
        if ppr is not None:
            numpr = ppr.find(q("numPr"))
            if numpr is not None:
                num_id, ilvl = _numpr_values(numpr)
            ps = ppr.find(q("pStyle"))
            if ps is not None:
                style_id = ps.get(q("val"), "")
        if style_id and (num_id is None or ilvl is None):
            sn, sl = self._style_numpr(style_id)
            num_id = num_id if num_id is not None else sn
            ilvl = ilvl if ilvl is not None else sl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        ilvl = ilvl or 0
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        # One running count per abstractNum: Word and WPS often write several w:num for one
        # list, and numbering continues across them. Only a num with a start override
        # restarts the list, and only where it is first used.
        counters = self.counters.setdefault(abstract_id, {})
        if overrides and num_id not in self.restarted:
            self.restarted.add(num_id)
            for level in overrides:
                counters.pop(level, None)

        def start_of(level: int) -> int:
            return overrides.get(level, levels[level].start if level in levels else 1)

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start_of(ilvl)
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a lower level restarts after a higher one
        level = levels[ilvl]
        if level.fmt == "bullet":
            return ""
        text = level.text
        for ref in range(9, -1, -1):
            token = f"%{ref + 1}"
            if token not in text:
                continue
            value = counters.get(ref, start_of(ref))
            fmt = "decimal" if level.is_lgl else (levels[ref].fmt if ref in levels else "decimal")
            text = text.replace(token, format_number(value, fmt))
        return text


def _numpr_values(numpr: etree._Element) -> tuple[str | None, int | None]:
    nid = numpr.find(q("numId"))
    lvl = numpr.find(q("ilvl"))
    level = _int(lvl.get(q("val")), 0, 0, MAX_LEVEL) if lvl is not None else None
    return (nid.get(q("val")) if nid is not None else None, level)


def paragraph_text(p: etree._Element) -> str:
    """Visible text of a w:p: runs, hyperlinks, tabs and breaks; no deleted text, no fallbacks."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == q("t"):
                parts.append(child.text or "")
            elif tag == q("tab"):
                parts.append("\t")
            elif tag in (q("br"), q("cr")):
                parts.append("\n")
            elif tag == q("noBreakHyphen"):
                parts.append("-")
            elif tag in (q("del"), q("pPr"), q("rPr"), f"{{{MC}}}Fallback", q("instrText")):
                continue
            else:
                walk(child)

    walk(p)
    return "".join(parts)


class _Reader:
    def __init__(self, numbering: Numbering, path: Path) -> None:
        self.numbering = numbering
        self.path = path
        self.cells = 0  # table cells so far, spans included: a bomb of wide spans is refused

    def _count(self, row: list[str]) -> None:
        self.cells += len(row)
        if self.cells > MAX_SHEET_CELLS:
            raise InputError(self.path, f"文档中的表格过大（超过 {MAX_SHEET_CELLS:,} 个单元格），拒绝读取")

    def paragraph(self, p: etree._Element) -> str:
        return self.numbering.label(p) + paragraph_text(p)

    def table(self, tbl: etree._Element) -> TableRows:
        """The table's text grid; merged positions empty and recorded (TableRows.covered)."""
        rows: list[list[str]] = []
        covered: dict[tuple[int, int], tuple[int, int]] = {}
        anchors: dict[int, tuple[int, int]] = {}  # grid column → the cell a vertical merge started at
        for r, tr in enumerate(tbl.findall(q("tr"))):
            row: list[str] = []
            trpr = tr.find(q("trPr"))
            if trpr is not None and (gb := trpr.find(q("gridBefore"))) is not None:
                row.extend([""] * _int(gb.get(q("val")), 0, 0, MAX_SPAN))
            for tc in tr.iter(q("tc")):
                if tc.getparent() is not tr and tc.getparent().tag != q("sdtContent"):
                    continue  # a nested table's cell
                tcpr = tc.find(q("tcPr"))
                span = 1
                vcontinue = False
                if tcpr is not None:
                    if (gs := tcpr.find(q("gridSpan"))) is not None:
                        span = _int(gs.get(q("val")), 1, 1, MAX_SPAN)
                    if (vm := tcpr.find(q("vMerge"))) is not None:
                        vcontinue = vm.get(q("val"), "continue") == "continue"
                c = len(row)
                if vcontinue and c in anchors:
                    for k in range(span):
                        covered[(r, c + k)] = anchors[c]
                else:
                    for k in range(span):
                        anchors[c + k] = (r, c)
                        if k:
                            covered[(r, c + k)] = (r, c)
                text = "" if vcontinue else self.cell_text(tc)
                row.append(text)
                row.extend([""] * (span - 1))
            self._count(row)
            rows.append(row)
        return TableRows(rows, covered=covered, spans_known=True)

    def cell_text(self, tc: etree._Element) -> str:
        lines = []
        for child in tc:
            if child.tag == q("p"):
                lines.append(self.paragraph(child))
            elif child.tag == q("tbl"):
                lines.extend("\t".join(r) for r in self.table(child))
        return "\n".join(lines).strip("\n")

    def body(self, body: etree._Element, out: list) -> None:
        for child in body:
            if child.tag == q("p"):
                out.append(self.paragraph(child))
            elif child.tag == q("tbl"):
                out.append(self.table(child))
            elif child.tag in (q("sdt"), q("customXml")):
                content = child.find(q("sdtContent")) if child.tag == q("sdt") else child
                if content is not None:
                    self.body(content, out)


def _load(path: Path, archive: zipfile.ZipFile, name: str, budget: ZipBudget) -> etree._Element | None:
    """One XML part, inflated under the budget and refused before lxml builds an absurd tree."""
    data = read_member(path, archive, name, budget)
    if data is None:
        return None
    tags = data.count(b"<") - data.count(b"</")
    if tags > budget.limits.xml_elements:
        raise InputError(path, f"{NOT_A_DOCX}：{name} 内容过多（超过 {budget.limits.xml_elements:,} 个元素），拒绝读取")
    return etree.fromstring(data, _PARSER)


def _load_parts(path: Path, limits: ZipLimits) -> tuple[etree._Element, Numbering]:
    try:
        archive = open_zip(path, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        explain_not_a_zip(path, exc, NOT_A_DOCX)
    with archive:
        budget = ZipBudget(path, limits)
        document = _load(path, archive, "word/document.xml", budget)
        if document is None:
            raise InputError(path, f"{NOT_A_DOCX}：缺少 word/document.xml")
        numbering = Numbering(_load(path, archive, "word/numbering.xml", budget),
                              _load(path, archive, "word/styles.xml", budget))
    return document, numbering


def read_docx(path: str | Path, *, limits: ZipLimits = PLAN_ZIP) -> DocxContent:
    """Paragraphs (numbering rendered) and tables of a .docx body, in order.

    Only the three parts read are inflated, each measured as it inflates; whatever the
    zip or XML library raises becomes one InputError naming the file.
    """
    path = Path(path)
    with reader_guard(path, NOT_A_DOCX):
        document, numbering = _load_parts(path, limits)
        body = document.find(q("body"))
        content = DocxContent()
        if body is not None:
            _Reader(numbering, path).body(body, content.blocks)
        return content
