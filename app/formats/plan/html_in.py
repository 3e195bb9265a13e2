"""Saved web pages (.html/.htm) → the text lines of the document on them.

Government sites publish plans as article pages wrapped in menus, link lists and
footers. We decode the bytes (declared charset, else UTF-8, else detection: Chinese
pages are often GBK with no declaration), drop what is never content (scripts, styles,
navigation, forms, hidden parts, lists made only of links, elements named nav/menu/footer),
turn block elements into lines, and finally drop chrome lines with the same filter the
plan parser uses (`app.core.plan.front_matter.is_chrome_line`).

Two views of the page: `read_html` gives its lines (table cells tab-separated, for a
prose plan), `read_html_content` its paragraphs and data tables in order, like a Word
body (DocxContent), each table a grid with rowspan/colspan resolved: the text of a
merged cell at its first position, the positions it covers empty and recorded
(TableRows.covered), so the task-table parser can carry a 工作任务 cell down the rows
it spans. A table holding other tables is page layout, not data: its text flows.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from app.core.plan.front_matter import drop_chrome, is_chrome_line
from app.core.plan.table_grid import TableRows
from app.errors import InputError
from app.formats.limits import MAX_HTML_BYTES, MAX_SHEET_CELLS, reader_guard
from app.formats.plan.docx_in import DocxContent
from app.formats.text_in import read_limited

CANNOT_PARSE = "无法解析网页（cannot parse HTML）"

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "select",
              "button", "object", "embed", "svg", "template", "head")
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
               "article", "main", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "center",
               "address", "figure", "figcaption", "hr", "caption"}
_CELL_TAGS = {"td", "th"}
# class/id words that name page furniture, not content
_CHROME_NAME_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|topbar|footer|foot|breadcrumb|crumb|crumbs|share|sidebar|toolbar|copyright)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_NEWLINE_BETWEEN_CJK_RE = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")
_WS_RE = re.compile(r"[ \t\r\n\f\v]+")
_GBK_NAMES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030", "cp936", "euc-cn"}


def _declared_encoding(data: bytes) -> str | None:
    m = _META_CHARSET_RE.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    if name in _GBK_NAMES:
        return "gb18030"  # a superset: pages declared gb2312 often use GBK characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_MHT_HEAD_RE = re.compile(rb"^\s*(?:mime-version\s*:|content-type\s*:\s*multipart/related)", re.IGNORECASE)


def mht_page(data: bytes) -> bytes | None:
    """The HTML part of an MHT web archive ("另存为单个文件的网页", some systems' "Excel" export), else None."""
    head = data[:4096]
    if not (_MHT_HEAD_RE.match(head) or b"multipart/related" in head.lower()):
        return None
    import email
    from email import policy

    message = email.message_from_bytes(data, policy=policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if not payload:
                continue
            charset = part.get_content_charset()
            if charset and not _declared_encoding(payload):
                try:
                    return payload.decode(charset).encode("utf-8")
                except (LookupError, UnicodeDecodeError):
                    return payload
            return payload
    return None


def decode_html(data: bytes, path: Path) -> str:
    """Text of the page: BOM, then the declared charset, then UTF-8, then detection."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    declared = _declared_encoding(data)
    candidates = [declared] if declared else []
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(path, "无法识别网页的文字编码（unknown text encoding）")
    return str(best)


def _collapse(text: str | None) -> str | None:
    """HTML whitespace: a source line break between Chinese characters is nothing, else one space."""
    if not text:
        return text
    text = _NEWLINE_BETWEEN_CJK_RE.sub("", text)
    return _WS_RE.sub(" ", text)


def _is_link_list(el) -> bool:
    """A <ul>/<ol> whose every item is just a link: a menu or a list of related pages."""
    items = [li for li in el if isinstance(li.tag, str) and li.tag == "li"]
    if len(items) < 2:
        return False
    for li in items:
        text = "".join(li.itertext()).strip()
        linked = "".join("".join(a.itertext()) for a in li.iter("a")).strip()
        if not text or linked != text:
            return False
    return True


def _drop(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:  # keep the text that follows the dropped element
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _prune(root) -> None:
    doomed = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:  # comments, processing instructions
            doomed.append(el)
            continue
        tag = tag.lower()
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if (
            tag in _DROP_TAGS
            or _HIDDEN_RE.search(el.get("style", ""))
            or el.get("hidden") is not None
            or (tag not in ("body", "html") and _CHROME_NAME_RE.search(names))
            or (tag in ("ul", "ol") and _is_link_list(el))
        ):
            doomed.append(el)
    for el in doomed:
        _drop(el)


_MARK_RE = re.compile(r"^\ue000([TE])(\d+)\ue000$")
MAX_HTML_SPAN = 64  # a colspan wider than any real table is damage; rowspans end with the table


def _root(markup: str):
    import lxml.html

    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    if not markup.strip():
        return None
    root = lxml.html.document_fromstring(markup)
    _prune(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag != "pre":
            el.text = _collapse(el.text)
        el.tail = _collapse(el.tail)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
        elif tag in _CELL_TAGS:
            el.tail = "\t" + (el.tail or "")
    return root


def _lines(text: str) -> list[str]:
    lines = []
    for raw in text.split("\n"):
        line = raw.strip(" ")
        line = re.sub(r" *\t *", "\t", line).rstrip("\t ").lstrip(" ") if "\t" in line else line.strip()
        if line:
            lines.append(line)
    return lines


def html_lines(markup: str) -> list[str]:
    """Lines of text of an HTML document (no chrome filtering); table rows as tab-separated cells."""
    root = _root(markup)
    return [] if root is None else _lines(root.text_content())


def _span(el, name: str, high: int) -> int:
    try:
        value = int(str(el.get(name, "1")).strip() or 1)
    except ValueError:
        return 1
    return min(max(value, 1), high)


def _cell_text(cell) -> str:
    """A cell's text, one line per paragraph or <br>; nested cells tab-separated."""
    lines = [re.sub(r" *\t *", "\t", line).strip(" \t") for line in cell.text_content().split("\n")]
    return "\n".join(line for line in lines if line)


def _data_tables(root) -> list:
    """Tables holding no other table (a layout table wrapping the page is not a data table)."""
    return [t for t in root.iter("table") if not t.findall(".//table")]


def table_grid(table) -> TableRows:
    """The rows of one HTML table, rowspan/colspan resolved: covered positions empty and recorded."""
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    grid: list[list[str]] = []
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    cells = 0
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in _CELL_TAGS:
                continue
            row = grid[r]
            while c < len(row) and (r, c) in covered:
                c += 1
            colspan = _span(td, "colspan", MAX_HTML_SPAN)
            rowspan = _span(td, "rowspan", max(len(rows) - r, 1))
            for rr in range(r, r + rowspan):
                while len(grid) <= rr:
                    grid.append([])
                for cc in range(c, c + colspan):
                    line = grid[rr]
                    while len(line) <= cc:
                        line.append("")
                    if (rr, cc) != (r, c):
                        covered[(rr, cc)] = (r, c)
            grid[r][c] = _cell_text(td)
            cells += rowspan * colspan
            if cells > MAX_SHEET_CELLS:
                raise ValueError(f"网页中的表格过大（超过 {MAX_SHEET_CELLS:,} 个单元格）")
            c += colspan
    return TableRows(grid, covered=covered, spans_known=True)


def html_content(markup: str) -> tuple[DocxContent, list[str]]:
    """(paragraphs and data tables in order, the plain lines of the page), chrome not yet dropped."""
    root = _root(markup)
    if root is None:
        return DocxContent(), []
    tables = _data_tables(root)
    grids = [table_grid(t) for t in tables]
    for n, table in enumerate(tables):
        table.text = f"\n\ue000T{n}\ue000\n" + (table.text or "")
        table.tail = f"\n\ue000E{n}\ue000\n" + (table.tail or "")
    marked = _lines(root.text_content())
    lines = [line for line in marked if not _MARK_RE.match(line)]
    content = DocxContent()
    inside: int | None = None
    for line in marked:
        m = _MARK_RE.match(line)
        if m:
            kind, n = m.group(1), int(m.group(2))
            if kind == "T" and inside is None:
                inside = n
                content.blocks.append(grids[n])
            elif kind == "E" and inside == n:
                inside = None
        elif inside is None:
            content.blocks.append(line)
    return content, lines


def read_html(path: Path) -> list[str]:
    """The document lines of a saved web page, page chrome removed; one InputError for any failure."""
    return read_html_content(path)[1]


def read_html_content(path: Path) -> tuple[DocxContent, list[str]]:
    """The page as paragraphs and tables (chrome paragraphs dropped), and as plain lines (chrome dropped)."""
    path = Path(path)
    data = read_limited(path, MAX_HTML_BYTES)
    if not data.strip():
        raise InputError(path, "网页是空的（empty page）")
    with reader_guard(path, CANNOT_PARSE):
        data = mht_page(data) or data
        content, lines = html_content(decode_html(data, path))
        content.blocks = [b for b in content.blocks if not isinstance(b, str) or not is_chrome_line(b)]
        return content, drop_chrome(lines)
