"""Saved web pages (.html/.htm) → the text lines of the document on them.

Government sites publish plans as article pages wrapped in menus, link lists and
footers. We decode the bytes (declared charset, else UTF-8, else detection: Chinese
pages are often GBK with no declaration), drop what is never content (scripts, styles,
navigation, forms, hidden parts, lists made only of links, elements named nav/menu/footer),
turn block elements into lines and table cells into tab-separated fields (so a task
table on a web page reads like a table), and finally drop chrome lines with the same
filter the plan parser uses (`app.core.plan.front_matter.is_chrome_line`).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from app.core.plan.front_matter import drop_chrome
from app.errors import InputError
from app.formats.limits import MAX_HTML_BYTES, reader_guard
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


def html_lines(markup: str) -> list[str]:
    """Lines of text of an HTML document (no chrome filtering)."""
    import lxml.html

    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    if not markup.strip():
        return []
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
    text = root.text_content()
    lines = []
    for raw in text.split("\n"):
        line = raw.strip(" ")
        line = re.sub(r" *\t *", "\t", line).rstrip("\t ").lstrip(" ") if "\t" in line else line.strip()
        if line:
            lines.append(line)
    return lines


def read_html(path: Path) -> list[str]:
    """The document lines of a saved web page, page chrome removed; one InputError for any failure."""
    path = Path(path)
    data = read_limited(path, MAX_HTML_BYTES)
    if not data.strip():
        raise InputError(path, "网页是空的（empty page）")
    with reader_guard(path, CANNOT_PARSE):
        return drop_chrome(html_lines(decode_html(data, path)))
